"""Action plugin vncustoms.vnaccs.client_rollout_report (documentation: in plugins/modules/)."""

from __future__ import annotations

from typing import Any, ClassVar

from ansible.plugins.action import ActionBase
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import change_window
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_rollout import (
    RolloutState,
    rollout_result,
    summary_lines,
    write_result,
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    ARGUMENT_SPEC: ClassVar[dict[str, Any]] = {
        "version": {"type": "str", "required": True},
        "workstations": {"type": "list", "elements": "str", "required": True},
        "directory": {"type": "path", "required": True},
        "state_dir": {"type": "path", "default": ""},
    }

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC)
        hostvars = task_vars.get("hostvars", {})
        where = {}
        for host in args["workstations"]:
            variables = hostvars.get(host, {})
            where[host] = {
                "site": str(variables.get("site_host", "")),
                "department": str(variables.get("department_slug", "")),
                "region": str(variables.get("base_server_region", "")),
            }
        records = RolloutState(args["state_dir"] or None).records(list(where))
        report = rollout_result(
            args["version"], records, where, change_window.now().isoformat(timespec="seconds")
        )
        try:
            path = write_result(report, args["directory"])
        except OSError as error:
            return {**result, "failed": True, "msg": f"directory: {error}"}
        lines = summary_lines(report)
        result.update(
            changed=False,
            path=str(path),
            summary=report["summary"],
            regions=report["regions"],
            failures=report["failures"],
            summary_lines=lines,
            msg="\n".join([*lines, f"rollout result: {path}"]),
        )
        return result
