"""Action plugin vncustoms.vnaccs.client_software (documentation: plugins/modules/client_software.py)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import change_window
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_release import (
    ReleaseError,
    catalog,
    load_release,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_rollout import HostRecord, RolloutState
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_software_plan import (
    DEFAULT_BUSY_PAUSES,
    DEFAULT_CONFIG_KEY,
    DEFAULT_DOWNLOAD_DIR,
    DEFAULT_SERVER_VALUE,
    DEFAULT_TERMINAL_VALUE,
    ClientSoftwarePlan,
    ClientWanted,
    check_wanted,
    msi_code_text,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.region_slots import (
    DEFAULT_FETCH_SLOTS,
    RegionBusy,
    RegionSlots,
    RegionSlotsError,
    fetch_slots,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.restart_pending import RestartPending
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_action import WindowsAction
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import (
    PlanError,
    install_timeout,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import WindowsSession


class ActionModule(WindowsAction):
    ARGUMENT_SPEC: ClassVar[dict[str, Any]] = {
        "version": {"type": "str", "required": True},
        "release_dir": {"type": "path", "required": True},
        "base_server": {"type": "str", "required": True},
        "ftp_folder": {"type": "str", "default": "/ClientUpgrades"},
        "ftp_port": {"type": "int", "default": 21},
        "fetch_user": {"type": "str", "default": "anonymous"},
        "fetch_password": {"type": "str", "default": "", "no_log": True},
        "terminal_id": {"type": "str", "default": ""},
        "configure": {"type": "bool", "default": True},
        "config_key": {"type": "str", "default": DEFAULT_CONFIG_KEY},
        "terminal_value": {"type": "str", "default": DEFAULT_TERMINAL_VALUE},
        "server_value": {"type": "str", "default": DEFAULT_SERVER_VALUE},
        "rollback": {"type": "bool", "default": False},
        "download_dir": {"type": "str", "default": DEFAULT_DOWNLOAD_DIR},
        "busy_pauses": {"type": "list", "elements": "float", "default": list(DEFAULT_BUSY_PAUSES)},
        "install_timeout": {"type": "int"},
        "force": {"type": "bool", "default": False},
        "reference_time": {"type": "str", "default": ""},
        "pending_file": {"type": "path", "default": ""},
        "state_dir": {"type": "path", "default": ""},
        "region": {"type": "str", "default": ""},
        "fetch_slots": {"type": "int", "default": DEFAULT_FETCH_SLOTS},
        "fetch_slots_by_region": {"type": "dict", "default": {}},
        "fetch_slot_timeout": {"type": "int", "default": 600},
    }

    def wanted(self, args: dict[str, Any]) -> ClientWanted:
        self._args = args
        folder = args["release_dir"]
        try:
            release = load_release(folder, args["version"])
            known = tuple(catalog(folder))
        except ReleaseError as error:
            raise PlanError(f"version: {error}") from None
        at = None
        if args["reference_time"]:
            try:
                at = datetime.fromisoformat(args["reference_time"])
            except ValueError:
                raise PlanError(
                    f"reference_time: {args['reference_time']!r} is not an ISO date and time"
                ) from None
        self._secrets = [args["fetch_password"]] if args["fetch_password"] else []
        hold = None
        if args["region"]:
            try:
                slots = fetch_slots(
                    args["region"],
                    args["fetch_slots"],
                    args["fetch_slots_by_region"],
                    "fetch_slots",
                    "fetch_slots_by_region",
                )
            except RegionSlotsError as error:
                raise PlanError(str(error)) from None
            hold = functools.partial(_fetch_slot, args["region"], slots, float(args["fetch_slot_timeout"]))
        return check_wanted(
            ClientWanted(
                release=release,
                known=known,
                base_server=args["base_server"],
                ftp_path=f"{args['ftp_folder'].rstrip('/')}/{release.version}/{release.file}",
                fetch_user=args["fetch_user"],
                fetch_password=args["fetch_password"],
                ftp_port=args["ftp_port"],
                terminal_id=args["terminal_id"],
                configure=args["configure"],
                config_key=args["config_key"],
                terminal_value=args["terminal_value"],
                server_value=args["server_value"],
                rollback=args["rollback"],
                download_dir=args["download_dir"],
                busy_pauses=tuple(args["busy_pauses"]),
                install_timeout=install_timeout(args),
                force=args["force"],
                check_mode=bool(self._task.check_mode),
                at=at,
                fetch_hold=hold,
            )
        )

    def secrets(self) -> list[str]:
        return list(self._secrets)

    def plan(self, session: WindowsSession, wanted: ClientWanted) -> ClientSoftwarePlan:
        family = session.windows_family()
        if family not in ("xp", "7"):
            raise PlanError(f"the customs client goes on workstations (XP or 7), not on Windows {family}")
        return ClientSoftwarePlan(wanted, family)

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        task_vars = task_vars or {}
        self._args, self._secrets = {}, []
        host = str(task_vars.get("inventory_hostname", ""))
        result = super().run(tmp, task_vars)
        args = self._args
        if not args or self._task.check_mode:
            return result
        if result.get("reboot_required") and not result.get("failed"):
            try:
                RestartPending(args.get("pending_file") or None).record(
                    host, 3010, f"customs client {args['version']} installed", "client_software"
                )
            except (OSError, ValueError) as error:
                result.setdefault("warnings", []).append(f"{host}: pending_file: {error}")
        self._record(host, task_vars, result)
        return result

    def _record(self, host: str, task_vars: dict[str, Any], result: dict[str, Any]) -> None:
        """This workstation's outcome in the rollout state folder, which the rollout report reads."""
        if result.get("unreachable"):
            status = "unreachable"
        elif result.get("failed") and "refused: it is now" in str(result.get("msg", "")):
            status = "refused"
        elif result.get("failed"):
            status = "failed"
        elif result.get("newer_kept"):
            status = "newer"
        elif result.get("changed"):
            status = "changed"
        else:
            status = "current"
        code = result.get("rc") if "msiexec" in str(result.get("command", "")) else None
        before = result.get("installed_version")
        record = HostRecord(
            host=host,
            site=str(task_vars.get("site_host", "")),
            department=str(task_vars.get("department_slug", "")),
            region=str(task_vars.get("base_server_region", "")),
            wanted=self._args["version"],
            version=self._args["version"] if status in ("changed", "current") else before,
            before=before,
            status=status,
            exit_code=code,
            reason=msi_code_text(code) if code is not None else "",
            msg=str(result.get("msg", ""))[:2000] if status in ("failed", "unreachable") else "",
            reboot_required=bool(result.get("reboot_required")),
            at=change_window.now().isoformat(timespec="seconds"),
        )
        try:
            RolloutState(self._args.get("state_dir") or None).write(record)
        except OSError as error:
            result.setdefault("warnings", []).append(f"{host}: state_dir: {error}")


@contextlib.contextmanager
def _fetch_slot(region: str, slots: int, timeout: float) -> Iterator[None]:
    """One of the region's fetch slots, held while the workstation fetches; PlanError if none frees."""
    try:
        with RegionSlots().hold(region, slots, timeout=timeout):
            yield
    except RegionBusy as error:
        raise PlanError(str(error)) from None
