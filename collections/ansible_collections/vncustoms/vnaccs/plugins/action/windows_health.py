"""Action plugin vncustoms.vnaccs.windows_health (documentation: plugins/modules/windows_health.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ansible_collections.vncustoms.vnaccs.plugins.action.base_server import ActionModule as BaseServer
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
    DhcpHealthPlan,
    WorkstationHealthPlan,
    base_wanted,
    dhcp_wanted,
    ftp_check,
    unreachable_checks,
    workstation_ranges,
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
            "options": {"scopes": {"type": "list", "elements": "dict", "default": []}},
        },
        "audit": {"type": "bool", "default": False},
        "os_baseline": {"type": "dict", "default": {}},
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
            details = workstation_ranges(args["workstation"] or {})
        # Kept for the checks made from the controller after the probe (run()).
        self._wanted = Wanted(kind, audit, details)
        return self._wanted

    def plan(self, session: WindowsSession, wanted: Wanted) -> ReadOnlyPlan:
        audit = AuditOptions(wanted.audit.enabled, wanted.audit.baseline, self._family)
        if wanted.kind == "dhcp_server":
            return DhcpHealthPlan(wanted.details, audit)
        if wanted.kind == "base_server":
            return BaseHealthPlan(wanted.details, audit)
        return WorkstationHealthPlan(wanted.details, audit)

    def unreached(self, wanted: Wanted, result: dict[str, Any]) -> dict[str, Any]:
        checks = unreachable_checks(wanted.kind, str(result.get("msg", "")), wanted.audit.enabled)
        return {"checks": [check.as_dict() for check in checks]}

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        task_vars = task_vars or {}
        version = task_vars.get("windows_version")
        # The inventory's version names the OS family for the service pack baseline.
        self._family = str(self._templar.template(version)).lower() if version else ""
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
