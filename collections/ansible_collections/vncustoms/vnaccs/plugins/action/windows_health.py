"""Action plugin vncustoms.vnaccs.windows_health (documentation: plugins/modules/windows_health.py)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from ansible.plugins.action import ActionBase
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
    AUDIT_CATEGORIES,
    AUDIT_SETTINGS,
    CRITICAL_FREE_BYTES,
    CRITICAL_PERCENT,
    DEFAULT_ROOT,
    FTP_TIMEOUT,
    KINDS,
    OS_FAMILIES,
    RELAY_TIMEOUT,
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
    kea_reachable,
    reboot_plan,
    relay_offer_checks,
    relay_probe,
    unreachable_checks,
    workstation_wanted,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_action import WindowsProbeAction
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import PlanError, ReadOnlyPlan
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import WindowsSession

FAMILIES = tuple(key for key, _words in OS_FAMILIES)


@dataclass(frozen=True)
class Wanted:
    kind: str
    audit: AuditOptions
    details: Any


# What the report knows a host by, besides its name (health_report._host_entry).
RECORD_FIELDS = ("kind", "department", "site", "region", "address", "helper")


class ActionModule(WindowsProbeAction):
    ARGUMENT_SPEC: ClassVar[dict[str, Any]] = {
        "kind": {"type": "str", "required": True, "choices": list(KINDS)},
        # The host as the report names it; given, the result is also the host's fact
        # health_check_result (RECORD_FIELDS and `result`), so that no task of its own keeps it.
        "record": {"type": "dict", "options": {key: {"type": "str", "default": ""} for key in RECORD_FIELDS}},
        # No defaults for the dicts: Ansible's validator fills suboption defaults into a default dict
        # in place, which would change this class attribute for every later task.
        "dhcp": {
            "type": "dict",
            "options": {
                "scopes": {"type": "list", "elements": "dict", "default": []},
                "warning_percent": {"type": "float", "default": WARNING_PERCENT},
                "critical_percent": {"type": "float", "default": CRITICAL_PERCENT},
                # What serves the scopes: windows (read over WinRM) or kea (no WinRM: the relay probe).
                "backend": {"type": "str", "default": "windows", "choices": ["windows", "kea"]},
                # The relayed DHCP probe from the controller (dhcp.relay_offer); omitted: not probed.
                "relay_probe": {
                    "type": "dict",
                    "options": {
                        "enabled": {"type": "bool", "default": True},
                        "server": {"type": "str", "default": ""},
                        "port": {"type": "int", "default": 67},
                        "bind": {"type": "dict", "default": {}},
                        "timeout": {"type": "float", "default": RELAY_TIMEOUT},
                        "allow": {"type": "list", "elements": "str", "default": []},
                    },
                },
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
        "approved_software": {"type": "list", "elements": "str", "default": []},
        "audit_policy": {"type": "dict", "default": {}},
        "hotfix_baseline": {"type": "dict", "default": {}},
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
        audit = AuditOptions(
            bool(args["audit"]),
            tuple(sorted(baseline.items())),
            kind=kind,
            approved_software=tuple(str(pattern) for pattern in args["approved_software"] or ()),
            audit_policy=audit_policy_baseline(args["audit_policy"]),
            hotfixes=hotfix_baseline(args["hotfix_baseline"]),
        )
        self._relay = None
        if kind == "dhcp_server":
            spec = args["dhcp"] or {}
            details: Any = dhcp_wanted(spec)
            self._relay = relay_probe(spec.get("relay_probe"), self._server)
            self._kea = spec.get("backend") == "kea"
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
        audit = replace(wanted.audit, family=self._family)
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
        result = self._checked(tmp, task_vars)
        record = self._task.args.get("record")
        if record is not None and not result.get("failed"):
            result["ansible_facts"] = {
                "health_check_result": health_record(
                    str(task_vars.get("inventory_hostname", "")), record, result
                )
            }
        return result

    def _checked(self, tmp: Any, task_vars: dict[str, Any]) -> dict[str, Any]:
        version = task_vars.get("windows_version")
        # The inventory's version names the OS family for the service pack baseline.
        self._family = str(self._templar.template(version)).lower() if version else ""
        # The host's place in the restart spread comes from its inventory name.
        self._host = str(task_vars.get("inventory_hostname", ""))
        self._wanted: Wanted | None = None
        # The relay probe's default target: where the controller reaches the server.
        self._server = str(task_vars.get("ansible_host") or task_vars.get("dhcp_server_ip") or "")
        self._kea = False
        if (self._task.args.get("dhcp") or {}).get("backend") == "kea":
            return self._run_kea(tmp, task_vars)
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
        if wanted is not None and self._relay is not None and not result.get("failed"):
            # From the controller too, whether or not WinRM answered: the relay path of each scope.
            checks = relay_offer_checks(wanted.details.scopes, self._relay)
            result.setdefault("checks", []).extend(check.as_dict() for check in checks)
        return result

    def _run_kea(self, tmp: Any, task_vars: dict[str, Any]) -> dict[str, Any]:
        """A DHCP server on Kea: no WinRM. The relay probe of each scope, and whether the host answered
        any of them (`host.reachable`)."""
        result = ActionBase.run(self, tmp, task_vars)
        host = str(task_vars.get("inventory_hostname", ""))
        wanted = self.checked_arguments(host)
        relay = relay_offer_checks(wanted.details.scopes, self._relay) if self._relay is not None else []
        reachable = kea_reachable(relay)
        result.update(
            changed=False,
            reachable=reachable.status != "fail",
            checks=[check.as_dict() for check in (reachable, *relay)],
        )
        if reachable.status == "fail":
            result["msg"] = f"{host}: {reachable.detail}"
        return result


def health_record(host: str, record: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """The host's entry for the report (health_check_result): its name, the record's fields and what
    the checks returned."""
    shown = {
        key: value for key, value in result.items() if key not in ("ansible_facts", "diff", "invocation")
    }
    return {
        "name": host,
        **{key: str(record.get(key) or "") for key in RECORD_FIELDS},
        "result": shown,
    }


def audit_policy_baseline(spec: dict[str, Any] | None) -> tuple[tuple[str, str], ...]:
    """The audit policy baseline (category -> none, success, failure, success_and_failure), checked:
    an unknown category or setting is an error that names it."""
    baseline = []
    for category, setting in (spec or {}).items():
        if category not in AUDIT_CATEGORIES:
            raise PlanError(
                f"audit_policy.{category}: not an audit policy category; choose from "
                + ", ".join(AUDIT_CATEGORIES)
            )
        if str(setting) not in AUDIT_SETTINGS:
            raise PlanError(f"audit_policy.{category}: {setting!r} is not one of {', '.join(AUDIT_SETTINGS)}")
        baseline.append((str(category), str(setting)))
    return tuple(baseline)


def hotfix_baseline(spec: dict[str, Any] | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The required hotfixes per Windows version (2003, 2008, xp, 7): Knowledge Base numbers such as
    KB958644 (or Q147222); anything else is an error that names the version and the entry."""
    baseline = []
    for family, items in (spec or {}).items():
        if str(family) not in FAMILIES:
            raise PlanError(
                f"hotfix_baseline.{family}: not a Windows version; choose from {', '.join(FAMILIES)}"
            )
        if not isinstance(items, (list, tuple)):
            raise PlanError(f"hotfix_baseline.{family}: {items!r} is not a list of KB numbers")
        kbs = []
        for index, item in enumerate(items):
            text = str(item).strip().upper()
            if not re.fullmatch(r"(?:KB|Q)\d{5,7}", text):
                raise PlanError(
                    f"hotfix_baseline.{family}[{index}]: {item!r} is not a KB number such as KB958644"
                )
            kbs.append(text)
        baseline.append((str(family), tuple(kbs)))
    return tuple(baseline)


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
