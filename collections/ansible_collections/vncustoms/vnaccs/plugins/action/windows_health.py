"""Action plugin vncustoms.vnaccs.windows_health (documentation: plugins/modules/windows_health.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ansible_collections.vncustoms.vnaccs.plugins.action.base_server import ActionModule as BaseServer
from ansible_collections.vncustoms.vnaccs.plugins.action.daily_reboot_task import ActionModule as DailyReboot
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import ecus6
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_release import (
    ReleaseError,
    load_release,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_software_plan import (
    DEFAULT_CONFIG_KEY,
    DEFAULT_TERMINAL_VALUE,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_stage_plan import DEFAULT_LOCAL_FOLDER
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.health_checks import (
    CRITICAL_FREE_BYTES,
    CRITICAL_PERCENT,
    DEFAULT_ROOT,
    FTP_TIMEOUT,
    KINDS,
    WARNING_FREE_BYTES,
    WARNING_PERCENT,
    AuditOptions,
    BaseHealthPlan,
    ClientRelease,
    DhcpHealthPlan,
    WorkstationHealthPlan,
    base_wanted,
    dhcp_wanted,
    ftp_check,
    reboot_plan,
    unreachable_checks,
    workstation_wanted,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_action import WindowsProbeAction
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import PlanError, ReadOnlyPlan
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import WindowsSession


@dataclass(frozen=True)
class Wanted:
    kind: str
    audit: AuditOptions
    details: Any


class ActionModule(WindowsProbeAction):
    ARGUMENT_SPEC: ClassVar[dict[str, Any]] = {
        "kind": {"type": "str", "required": True, "choices": list(KINDS)},
        # No defaults for the dicts: Ansible's validator fills suboption defaults into a default dict
        # in place, which would change this class attribute for every later task.
        "dhcp": {
            "type": "dict",
            "options": {
                "scopes": {"type": "list", "elements": "dict", "default": []},
                "warning_percent": {"type": "float", "default": WARNING_PERCENT},
                "critical_percent": {"type": "float", "default": CRITICAL_PERCENT},
            },
        },
        "base": {
            "type": "dict",
            "options": {
                "root": {"type": "str", "default": DEFAULT_ROOT},
                # The shares as the base_server plugin takes them (the base_server role's list).
                "shares": BaseServer.ARGUMENT_SPEC["shares"],
                "warning_free_bytes": {"type": "int", "default": WARNING_FREE_BYTES},
                "critical_free_bytes": {"type": "int", "default": CRITICAL_FREE_BYTES},
                "ftp_address": {"type": "str", "default": ""},
                "ftp_port": {"type": "int", "default": 21},
                "ftp_timeout": {"type": "float", "default": FTP_TIMEOUT},
            },
        },
        "workstation": {
            "type": "dict",
            "options": {
                "scopes": {"type": "list", "elements": "dict", "default": []},
                # The base server whose FTP port this workstation checks (one workstation per site).
                "ftp_address": {"type": "str", "default": ""},
                "ftp_port": {"type": "int", "default": 21},
            },
        },
        # The daily restart task's settings, as the daily_reboot_task plugin takes them (workstations).
        "reboot": {
            "type": "dict",
            "options": {
                key: DailyReboot.ARGUMENT_SPEC[key]
                for key in (
                    "name",
                    "time",
                    "spread_minutes",
                    "warning_seconds",
                    "settle_minutes",
                    "message",
                    "fold_text",
                    "reason",
                    "max_hours_since_boot",
                )
            },
        },
        "ecus6": {
            "type": "dict",
            "options": {
                "enabled": {"type": "bool", "default": True},
                "url": {"type": "str", "default": ""},
                "probe": {"type": "bool", "default": False},
                "branch": {"type": "str", "default": ""},
                "expected_mode": {"type": "str", "default": ""},
            },
        },
        "audit": {"type": "bool", "default": False},
        "os_baseline": {"type": "dict", "default": {}},
        "client": {
            "type": "dict",
            "options": {
                "version": {"type": "str", "default": ""},
                "release_dir": {"type": "path", "default": ""},
                "result_file": {"type": "path", "default": ""},
                "terminal_id": {"type": "str", "default": ""},
                "config_key": {"type": "str", "default": DEFAULT_CONFIG_KEY},
                "terminal_value": {"type": "str", "default": DEFAULT_TERMINAL_VALUE},
                "local_folder": {"type": "str", "default": DEFAULT_LOCAL_FOLDER},
            },
        },
    }

    def wanted(self, args: dict[str, Any]) -> Wanted:
        kind = args["kind"]
        baseline = {}
        for family, pack in (args["os_baseline"] or {}).items():
            try:
                baseline[str(family)] = int(pack)
            except (TypeError, ValueError):
                raise PlanError(f"os_baseline.{family}: {pack!r} is not a service pack number") from None
        audit = AuditOptions(bool(args["audit"]), tuple(sorted(baseline.items())))
        if kind == "dhcp_server":
            details: Any = dhcp_wanted(args["dhcp"] or {})
        elif kind == "base_server":
            details = base_wanted(args["base"] or {})
        else:
            details = workstation_wanted(args["workstation"] or {})
        self._reboot = (
            reboot_plan(args["reboot"], self._host, self._family) if kind == "workstation" else (None, "")
        )
        # Kept for the checks made from the controller after the probe (run()).
        self._wanted = Wanted(kind, audit, details)
        self._client, self._client_reason = client_release(args["client"])
        self._ecus6 = ecus6.daily_check(args["ecus6"]) if kind == "workstation" else None
        return self._wanted

    def plan(self, session: WindowsSession, wanted: Wanted) -> ReadOnlyPlan:
        audit = AuditOptions(wanted.audit.enabled, wanted.audit.baseline, self._family)
        client = (self._client, self._client_reason)
        if wanted.kind == "dhcp_server":
            return DhcpHealthPlan(wanted.details, audit)
        if wanted.kind == "base_server":
            return BaseHealthPlan(wanted.details, audit, *client)
        plan = WorkstationHealthPlan(wanted.details, audit, *client, *self._reboot)
        plan.ecus6 = self._ecus6
        return plan

    def unreached(self, wanted: Wanted, result: dict[str, Any]) -> dict[str, Any]:
        checks = unreachable_checks(wanted.kind, str(result.get("msg", "")), wanted.audit.enabled)
        return {"checks": [check.as_dict() for check in checks]}

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        task_vars = task_vars or {}
        version = task_vars.get("windows_version")
        # The inventory's version names the OS family for the service pack baseline.
        self._family = str(self._templar.template(version)).lower() if version else ""
        # The host's place in the restart spread comes from its inventory name.
        self._host = str(task_vars.get("inventory_hostname", ""))
        self._wanted: Wanted | None = None
        result = super().run(tmp, task_vars)
        wanted = self._wanted
        if (
            wanted is not None
            and wanted.kind == "base_server"
            and wanted.details.ftp
            and not result.get("failed")
        ):
            # From the controller, whether or not WinRM answered.
            result.setdefault("checks", []).append(ftp_check(*wanted.details.ftp).as_dict())
        return result


def client_release(spec: dict[str, Any] | None) -> tuple[ClientRelease | None, str]:
    """The released client to check the host against, or None and why not.

    The version is `version`, else the one of the latest rollout result (`result_file`); its
    manifest is read from `release_dir`. A missing or unreadable release is a check not made (the
    reason says which file), never a failed host.
    """
    spec = spec or {}
    version = spec.get("version") or ""
    if not version and spec.get("result_file"):
        path = Path(spec["result_file"])
        try:
            version = str(json.loads(path.read_text(encoding="utf-8")).get("version") or "")
        except FileNotFoundError:
            return None, f"no client rollout yet ({path} does not exist); set health_check_client_version"
        except (OSError, ValueError, AttributeError) as error:
            return None, f"{path}: not a rollout result ({error})"
    if not version:
        return None, ""
    if not spec.get("release_dir"):
        return None, f"client {version}: no release folder given (health_check_client_release_dir)"
    try:
        release = load_release(spec["release_dir"], version)
    except ReleaseError as error:
        return None, f"client {version}: {error}"
    return (
        ClientRelease(
            release,
            terminal_id=str(spec.get("terminal_id") or ""),
            config_key=spec.get("config_key") or DEFAULT_CONFIG_KEY,
            terminal_value=spec.get("terminal_value") or DEFAULT_TERMINAL_VALUE,
            local_folder=spec.get("local_folder") or DEFAULT_LOCAL_FOLDER,
        ),
        "",
    )
