"""Action plugin vncustoms.vnaccs.daily_reboot_task (documentation: plugins/modules/daily_reboot_task.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.daily_reboot_plan import (
    DEFAULT_MAX_HOURS_SINCE_BOOT,
    DEFAULT_REASON,
    DEFAULT_SETTLE_MINUTES,
    DEFAULT_TASK_NAME,
    DailyRebootPlan,
    Wanted,
    load_forms,
    wanted_task,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.restart_pending import RestartPending
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_action import WindowsAction
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import WindowsSession


class ActionModule(WindowsAction):
    ARGUMENT_SPEC: ClassVar[dict[str, Any]] = {
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        "name": {"type": "str", "default": DEFAULT_TASK_NAME},
        "time": {"type": "str"},
        "spread_minutes": {"type": "int", "default": 0},
        "warning_seconds": {"type": "int", "default": 300},
        "settle_minutes": {"type": "int", "default": DEFAULT_SETTLE_MINUTES},
        "message": {"type": "str", "default": ""},
        "fold_text": {"type": "bool", "default": True},
        "reason": {"type": "str", "default": DEFAULT_REASON},
        "force": {"type": "bool", "default": False},
        "check_only": {"type": "bool", "default": False},
        "max_hours_since_boot": {"type": "int", "default": DEFAULT_MAX_HOURS_SINCE_BOOT},
        "reference_time": {"type": "str", "default": ""},
        "pending_file": {"type": "path", "default": ""},
    }

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        # wanted() needs the host's name (its spread offset) and the inventory's version (its limits).
        task_vars = task_vars or {}
        self._host = str(task_vars.get("inventory_hostname", ""))
        version = task_vars.get("windows_version")
        self._family = str(self._templar.template(version)).lower() if version else None
        result = super().run(tmp, task_vars)
        if result.get("failed") or result.get("unreachable") or "task" not in result:
            return result
        self._pending(result)
        return result

    def wanted(self, args: dict[str, Any]) -> Wanted:
        self._args = args
        return wanted_task(args, self._host, self._family)

    def plan(self, session: WindowsSession, wanted: Wanted) -> DailyRebootPlan:
        return DailyRebootPlan(wanted, load_forms(session.windows_family()))

    def _pending(self, result: dict[str, Any]) -> None:
        """List (never restart) the host when a change left it needing a restart; forget it once
        it has started since (not in check mode: the record is kept until a real run)."""
        try:
            pending = RestartPending(self._args.get("pending_file") or None)
            entry = pending.get(self._host)
            if entry is None:
                result["restart_pending"] = None
                return
            boot = datetime.fromisoformat(result["last_boot"]) if result.get("last_boot") else None
            if not self._task.check_mode and pending.clear_if_restarted(self._host, boot):
                result["restart_pending"] = None
                result["restart_completed"] = entry.as_dict()
                return
        except (OSError, ValueError) as error:
            result.update(failed=True, msg=f"{self._host}: pending_file: {error}")
            return
        result["restart_pending"] = entry.as_dict()
        if result.get("restart_time") and self._args.get("state") == "present":
            plan = f"the daily restart at {result['restart_time']} ({result['time_zone']}) will complete it"
        else:
            plan = "no daily restart task is set: restart it by hand outside the quiet periods"
        result.setdefault("warnings", []).append(
            f"{self._host}: waiting for a restart since {entry.since:%Y-%m-%d %H:%M} ({entry.reason}, "
            f"exit code {entry.exit_code}); it is not restarted now; {plan}"
        )
