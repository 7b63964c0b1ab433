"""The daily checks of Decision 833, Appendix III, and the audit's host checks (Article 24), as data.

Each kind of host has a read-only plan for the one Windows apply engine (`windows_engine.ReadOnlyPlan`,
run by `windows_engine.inspect_host`): one probe command that reads everything the checks need in one
WinRM round trip, parsed with the one parser module (`windows_output.py`), and a list of
:class:`Check` results. Nothing here changes a host; a plan has no steps.

* DHCP server (:class:`DhcpHealthPlan`): the DHCP Server service Running and Automatic (Appendix
  III: `services.msc`, "Running / Automatic"), each scope of the inventory present, active, with the
  range, mask, exclusions, router and DNS servers it wants (Appendix IV, section II), and how full it
  is (`netsh dhcp server show mibinfo`).
* Base server (:class:`BaseHealthPlan`): each share present with its path (`net share`, Appendix
  III), the FTP Publishing Service Running and Automatic, the free space of the layout's drive (the
  last line of `dir`); the FTP port is checked from the controller (:func:`ftp_check`).
* The relay path of a DHCP server, from the controller (:func:`relay_offer_checks`): for each scope,
  a DHCPDISCOVER sent as the branch's relay sends it (giaddr = the scope's router, `dhcp_probe.py`)
  must get an OFFER from the scope's range with its mask and router (Appendix IV, section II: the
  VLANs reach the server through `ip helper-address`). A DHCP server on Kea is checked this way only.
* Workstation (:class:`WorkstationHealthPlan`): a DHCP lease inside one of its site's scope ranges
  (`ipconfig /all`, Appendix III); with the daily restart settings (:func:`reboot_plan`), the
  restart task as the daily_reboot job makes it and the last start within its hours (Article 23),
  read as that job's own probe reads them (`daily_reboot_plan.DailyRebootPlan.sections`).
* With `audit` (:class:`AuditOptions`), every plan also reads, in the same probe, `systeminfo` (the
  service pack and the hotfixes against their baselines), the local accounts (`wmic useraccount`:
  the built-in administrator renamed or disabled, the guest disabled), the audit policy (`secedit
  /export`, typed and deleted in the same command line), and on a workstation the programs of both
  Uninstall views against the inventory's allow-list (Article 15).

Checks that belong to jobs the toolkit does not run yet are returned as ``not_checked`` with the
reason (:data:`NOT_YET_AVAILABLE`), never guessed. A check's `id` is the key of its finding in the
report (article, severity, impact: `health_report.py`).
"""

from __future__ import annotations

import fnmatch
import ftplib
import math
import re
from dataclasses import asdict, dataclass
from typing import Any

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import change_window, dhcp_probe, ecus6
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_release import Release
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_software_plan import (
    DEFAULT_CONFIG_KEY,
    DEFAULT_TERMINAL_VALUE,
    UNINSTALL_KEYS,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_stage_plan import (
    DEFAULT_LOCAL_FOLDER,
    StagedPlan,
    StageWanted,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.daily_reboot_plan import (
    FAMILIES as REBOOT_FAMILIES,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.daily_reboot_plan import (
    DailyRebootPlan,
    load_forms,
    wanted_task,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.dhcp_plan import (
    ACTIVE_STATES,
    WantedScope,
    wanted_scope,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import PlanError, ReadOnlyPlan
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_output import (
    ErrorKind,
    InstalledProgram,
    SystemInfo,
    classify_error,
    ftp_replies,
    parse_dhcp_dump,
    parse_dhcp_mibinfo,
    parse_dir_free_bytes,
    parse_hotfixes,
    parse_installed_programs,
    parse_ipconfig_all,
    parse_net_share,
    parse_sc_qc,
    parse_sc_query,
    parse_security_template,
    parse_systeminfo,
    parse_wmic_csv,
    probe_head,
    probe_section,
    reg_value,
    split_sections,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import script_run_command
from netaddr import AddrFormatError, IPAddress, IPNetwork

PASS, WARN, FAIL, NOT_CHECKED = "pass", "warn", "fail", "not_checked"
STATUSES = (PASS, WARN, FAIL, NOT_CHECKED)
KINDS = ("dhcp_server", "base_server", "workstation")

# Checks of the daily list that need jobs the toolkit does not run yet: reported, never faked.
ROLLOUT = (
    "no client release to compare with: roll one out (playbooks/client_rollout.yml) or set "
    "health_check_client_version"
)
REBOOT = "no daily restart settings given (health_check_reboot_time, from daily_reboot_time)"
NOT_YET_AVAILABLE = {
    "base.client_staged": ROLLOUT,
    "workstation.client_version": ROLLOUT,
    "workstation.terminal_id": ROLLOUT,
    "workstation.reboot_task": REBOOT,
    "workstation.last_boot": REBOOT,
    "audit.restart_outside_peak": REBOOT,
}
# Which of them each kind of host reports, and which the audit adds.
PLACEHOLDERS = {
    "dhcp_server": (),
    "base_server": ("base.client_staged",),
    "workstation": (
        "workstation.client_version",
        "workstation.reboot_task",
        "workstation.last_boot",
        "workstation.terminal_id",
    ),
}
AUDIT_PLACEHOLDERS = {"workstation": ("audit.restart_outside_peak",)}

DHCP_SERVICE, FTP_SERVICE = "DHCPServer", "MSFTPSVC"
OPTION_ROUTER, OPTION_DNS = 3, 6
# Windows families and the OS Name words systeminfo prints for them.
OS_FAMILIES = (("2003", "Server 2003"), ("2008", "Server 2008"), ("xp", "Windows XP"), ("7", "Windows 7"))


@dataclass(frozen=True)
class Check:
    """One check of one host: its id (the finding's key), the item it is about (a scope, a share, an
    interface), pass / warn / fail / not_checked, what was seen and what is wanted, and why."""

    id: str
    status: str
    item: str = ""
    observed: str = ""
    expected: str = ""
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def not_yet(check_id: str, reason: str = "") -> Check:
    return Check(check_id, NOT_CHECKED, detail=reason or NOT_YET_AVAILABLE[check_id])


@dataclass(frozen=True)
class ClientRelease:
    """The released customs client the daily check compares the hosts with (its manifest), and where
    the client keeps its settings on a workstation (client_software's assumption to confirm)."""

    release: Release
    terminal_id: str = ""
    config_key: str = DEFAULT_CONFIG_KEY
    terminal_value: str = DEFAULT_TERMINAL_VALUE
    local_folder: str = DEFAULT_LOCAL_FOLDER


# The placeholders a known release answers, per kind of host.
CLIENT_CHECKS = {
    "workstation": ("workstation.client_version", "workstation.terminal_id"),
    "base_server": ("base.client_staged",),
}


def client_sections(kind: str, client: ClientRelease, family: str) -> list[tuple[str, str]]:
    """What the probe reads of the client: on a workstation the Uninstall key of the release's
    ProductCode (both registry views) and the settings key; on a base server what the rollout's
    staging reads (client_stage_plan: the manifest, and certutil on 2008 or dir on 2003)."""
    if kind == "workstation":
        code = client.release.product_code
        sections = [
            (f"client_v{view}", f'reg query "{key}\\{code}" /v DisplayVersion 2>nul')
            for view, key in enumerate(UNINSTALL_KEYS)
        ]
        return [*sections, ("client_settings", f'reg query "{client.config_key}" 2>nul')]
    if kind == "base_server":
        return [(f"staged_{name}", command) for name, command in _staged(client, family).sections()]
    return []


def _staged(client: ClientRelease, family: str) -> StagedPlan:
    # An unknown version takes 2003's form (dir), which every version has.
    return StagedPlan(
        StageWanted(client.release, client.local_folder), "2008" if family == "2008" else "2003"
    )


def client_checks(kind: str, client: ClientRelease, family: str, state: dict[str, str]) -> list[Check]:
    release = client.release
    if kind == "workstation":
        installed = None
        for view in range(len(UNINSTALL_KEYS)):
            installed = installed or reg_value(state.get(f"client_v{view}", ""), "DisplayVersion")
        version = Check(
            "workstation.client_version",
            PASS if installed == release.version else FAIL,
            release.product,
            installed or "not installed",
            release.version,
        )
        terminal = reg_value(state.get("client_settings", ""), client.terminal_value)
        if not client.terminal_id:
            seen = Check(
                "workstation.terminal_id",
                NOT_CHECKED,
                client.terminal_value,
                terminal or "",
                detail="the inventory has no terminal_id for this workstation",
            )
        else:
            seen = Check(
                "workstation.terminal_id",
                PASS if terminal == client.terminal_id else FAIL,
                client.terminal_value,
                terminal or "not set",
                client.terminal_id,
            )
        return [version, seen]
    if kind == "base_server":
        plan = _staged(client, family)
        staged = plan.state_from(
            {key[len("staged_") :]: value for key, value in state.items() if key.startswith("staged_")}
        )
        whole, how = plan.whole(staged)
        return [
            Check(
                "base.client_staged",
                PASS if whole else FAIL,
                release.version,
                ", ".join(staged.versions) or "none",
                f"{release.version} whole",
                how,
            )
        ]
    return []


def unreachable_checks(kind: str, reason: str, audit: bool = False) -> list[Check]:
    """What a run can say of a host it could not reach: that, and the placeholders of its kind."""
    checks = [Check("host.reachable", FAIL, observed="not reached", expected="reachable", detail=reason)]
    checks += [not_yet(check_id) for check_id in placeholders(kind, audit)]
    return checks


def placeholders(kind: str, audit: bool) -> tuple[str, ...]:
    return PLACEHOLDERS.get(kind, ()) + (AUDIT_PLACEHOLDERS.get(kind, ()) if audit else ())


def threshold_status(value: float, warning: float, critical: float, higher_is_worse: bool = True) -> str:
    """pass / warn / fail of a value against its warning and critical thresholds."""
    if higher_is_worse:
        return FAIL if value >= critical else WARN if value >= warning else PASS
    return FAIL if value <= critical else WARN if value <= warning else PASS


def _service_checks(prefix: str, service: str, qc_text: str, query_text: str) -> list[Check]:
    """`<prefix>service_running` and `<prefix>service_automatic` of one service."""
    config = parse_sc_qc(qc_text)
    if config is None:
        missing = classify_error(qc_text) is ErrorKind.SERVICE_NOT_INSTALLED
        observed = "not installed" if missing else "unreadable"
        return [
            Check(f"{prefix}service_running", FAIL, service, observed, "RUNNING", qc_text.strip()[-200:]),
            Check(f"{prefix}service_automatic", FAIL, service, observed, "AUTO_START"),
        ]
    statuses = parse_sc_query(query_text)
    state = statuses[0].state if statuses else "unknown"
    automatic = config.start_type == "AUTO_START"
    return [
        Check(f"{prefix}service_running", PASS if state == "RUNNING" else FAIL, service, state, "RUNNING"),
        Check(
            f"{prefix}service_automatic",
            PASS if automatic else FAIL,
            service,
            config.start_type + (" (DELAYED)" if config.delayed else ""),
            "AUTO_START",
        ),
    ]


def os_baseline_check(text: str, baseline: dict[str, int], family_hint: str = "") -> Check:
    """`audit.os_service_pack`: the service pack of `systeminfo` against the baseline of its family."""
    info = parse_systeminfo(text)
    if info is None:
        return Check("audit.os_service_pack", NOT_CHECKED, detail="systeminfo printed no OS Version")
    os_name = info.get("OS Name")
    family = _family(info, family_hint)
    observed = f"{os_name}, {info.get('OS Version')}".strip(", ")
    if family not in baseline:
        return Check(
            "audit.os_service_pack", NOT_CHECKED, observed=observed, detail="no baseline for this OS"
        )
    wanted = int(baseline[family])
    status = PASS if info.service_pack >= wanted else FAIL
    return Check("audit.os_service_pack", status, family, observed, f"Service Pack {wanted} or later")


# -- the audit's own host checks (Article 24) --------------------------------------------------------
# The Uninstall keys the approved-software check lists (both registry views; the second exists only on
# 64-bit Windows, and its error is dropped: `2>nul`), as the client checks read them.
SOFTWARE_VIEWS = tuple((f"programs_v{view}", key) for view, key in enumerate(UNINSTALL_KEYS))
# secedit writes the template to a file; the probe types and deletes it in the same command line. The
# folder is one every version has (%SystemRoot%\Temp), not the WinRM user's %TEMP%.
SECEDIT_FILE = "%SystemRoot%\\Temp\\vnaccs-audit-policy.inf"
# The audit policy categories of the baseline, by their names in the role, and as `secedit /export`
# names them under [Event Audit] (MS-GPSB 2.2.4, "Event Audit"). 0 no auditing, 1 success, 2 failure,
# 3 both (the bits of POLICY_AUDIT_EVENT_SUCCESS and POLICY_AUDIT_EVENT_FAILURE).
AUDIT_CATEGORIES = {
    "system_events": "AuditSystemEvents",
    "logon_events": "AuditLogonEvents",
    "object_access": "AuditObjectAccess",
    "privilege_use": "AuditPrivilegeUse",
    "policy_change": "AuditPolicyChange",
    "account_management": "AuditAccountManage",
    "process_tracking": "AuditProcessTracking",
    "ds_access": "AuditDSAccess",
    "account_logon": "AuditAccountLogon",
}
AUDIT_SETTINGS = {"none": 0, "success": 1, "failure": 2, "success_and_failure": 3}
_AUDIT_WORDS = {value: key.replace("_", " ") for key, value in AUDIT_SETTINGS.items()}
# The built-in accounts by their relative identifier, the last part of a local account's SID
# (Microsoft, "Well-known SIDs": S-1-5-21-<machine>-500 is the administrator, -501 the guest).
ADMINISTRATOR_RID, GUEST_RID = 500, 501
# Uninstall entries that are Windows' own updates, not programs to approve: a key or name that is a
# Knowledge Base number, or a DisplayName that calls it an update.
_UPDATE_NAME = re.compile(r"^(?:KB|Q)\d{5,}|\(KB\d{5,}\)|^(?:Security Update|Hotfix|Update) for ", re.I)
_UPDATE_TYPES = {"security update", "update rollup", "hotfix", "update", "service pack"}


def _family(info: SystemInfo | None, hint: str) -> str:
    name = info.get("OS Name") if info is not None else ""
    return hint or next((key for key, words in OS_FAMILIES if words in name), "")


def is_system_entry(program: InstalledProgram) -> bool:
    """Whether an Uninstall entry is Windows' own, not software an admin approves.

    SystemComponent = 1 keeps an entry out of Add or Remove Programs (Microsoft, ARPSYSTEMCOMPONENT
    property: "prevents the application from being displayed in the Add or Remove Programs list"); an
    entry with ParentKeyName is an update listed under its product, and a ReleaseType of Security
    Update, Update Rollup or Hotfix, a KB-numbered key or a "Security Update for ... (KB...)" name is
    a Windows update: those are checked by `audit.hotfixes`, not approved one by one [U: the update
    conventions of NT 5 installers, from public listings of XP/2003 Uninstall keys, not a Microsoft
    document]."""
    if program.system_component or program.parent:
        return True
    if program.release_type.strip().lower() in _UPDATE_TYPES:
        return True
    return bool(_UPDATE_NAME.search(program.key) or _UPDATE_NAME.search(program.name))


def approved_software_checks(sections: dict[str, str], patterns: tuple[str, ...]) -> list[Check]:
    """`audit.approved_software`: each program of the Uninstall keys (both views) against the
    allow-list's patterns (shell-style, `*` and `?`, compared without case), Article 15: a workstation
    runs only the applications its work needs. One failed item per program no pattern allows."""
    if not patterns:
        return [
            Check(
                "audit.approved_software",
                NOT_CHECKED,
                detail="no allow-list of approved software in the inventory (approved_software)",
            )
        ]
    programs: list[InstalledProgram] = []
    read = False
    for name, _key in SOFTWARE_VIEWS:
        found = parse_installed_programs(sections.get(name, ""))
        if found is not None:
            read = True
            programs += found
    if not read:
        text = sections.get(SOFTWARE_VIEWS[0][0], "").strip()
        return [
            Check("audit.approved_software", NOT_CHECKED, detail=f"reg query printed no key: {text[-200:]}")
        ]
    wanted = tuple(pattern.lower() for pattern in patterns)
    expected = "a name the allow-list approves"
    checks, seen, approved = [], set(), 0
    for program in programs:
        if is_system_entry(program) or program.name.lower() in seen:
            continue
        seen.add(program.name.lower())
        if any(fnmatch.fnmatchcase(program.name.lower(), pattern) for pattern in wanted):
            approved += 1
            continue
        observed = ", ".join(
            part
            for part in (
                f"version {program.version}" if program.version else "",
                program.publisher,
                f"key {program.key}",
            )
            if part
        )
        checks.append(Check("audit.approved_software", FAIL, program.name, observed, expected))
    if not checks:
        checks.append(
            Check("audit.approved_software", PASS, "", f"{approved} program(s), all approved", expected)
        )
    return checks


def default_accounts_checks(text: str) -> list[Check]:
    """`audit.default_accounts`: the built-in administrator (RID 500) renamed or disabled, the guest
    (RID 501) disabled, from `wmic useraccount where "LocalAccount=TRUE" get Disabled,Name,SID`."""
    rows = parse_wmic_csv(text)
    if rows is None:
        detail = next((line.strip() for line in text.splitlines() if line.strip()), "no output")
        return [
            Check("audit.default_accounts", NOT_CHECKED, detail=f"wmic listed no account: {detail[:200]}")
        ]
    by_rid: dict[int, dict[str, str]] = {}
    for row in rows:
        rid = row.get("sid", "").rpartition("-")[2]
        if rid.isdigit():
            by_rid[int(rid)] = row
    checks = []
    for rid, label, wanted in (
        (ADMINISTRATOR_RID, "Administrator (RID 500)", "renamed or disabled"),
        (GUEST_RID, "Guest (RID 501)", "disabled"),
    ):
        row = by_rid.get(rid)
        if row is None:
            checks.append(Check("audit.default_accounts", NOT_CHECKED, label, "not listed", wanted))
            continue
        disabled = row.get("disabled", "").upper() == "TRUE"
        name = row.get("name", "")
        renamed = name.lower() != ("administrator" if rid == ADMINISTRATOR_RID else "guest")
        state = "disabled" if disabled else "enabled"
        observed = f"{name}, {state}" if renamed or rid == GUEST_RID else f"not renamed, {state}"
        good = disabled or (renamed and rid == ADMINISTRATOR_RID)
        checks.append(Check("audit.default_accounts", PASS if good else FAIL, label, observed, wanted))
    return checks


def audit_policy_checks(text: str, baseline: dict[str, str]) -> list[Check]:
    """`audit.audit_policy`: each category of the baseline audited at least as it says (success,
    failure, or both), from the [Event Audit] section `secedit /export /areas SECURITYPOLICY` wrote."""
    if not baseline:
        return [
            Check(
                "audit.audit_policy",
                NOT_CHECKED,
                detail="no audit policy baseline (health_check_audit_policy)",
            )
        ]
    events = parse_security_template(text).get("event audit")
    if events is None:
        detail = next((line.strip() for line in text.splitlines() if line.strip()), "no output")
        return [
            Check(
                "audit.audit_policy", NOT_CHECKED, detail=f"secedit exported no [Event Audit]: {detail[:200]}"
            )
        ]
    checks = []
    for category, setting in baseline.items():
        wanted = AUDIT_SETTINGS[setting]
        raw = events.get(AUDIT_CATEGORIES[category].lower(), "0")
        have = int(raw) if raw.isdigit() else 0
        status = PASS if have & wanted == wanted else FAIL
        observed = f"{_AUDIT_WORDS.get(have & 3, 'none')} ({AUDIT_CATEGORIES[category]} = {raw})"
        checks.append(Check("audit.audit_policy", status, category, observed, _AUDIT_WORDS[wanted]))
    return checks


def hotfix_checks(text: str, baseline: dict[str, tuple[str, ...]], family_hint: str = "") -> list[Check]:
    """`audit.hotfixes`: every Knowledge Base number the baseline of the host's Windows version requires
    in the `Hotfix(s)` list of `systeminfo`; one failed item per missing one. An id absent from a list
    that stops short of its count is not checked (it may be among those systeminfo left out)."""
    info = parse_systeminfo(text)
    listed = parse_hotfixes(text)
    family = _family(info, family_hint)
    required = tuple(baseline.get(family, ()))
    if not required:
        return [
            Check(
                "audit.hotfixes",
                NOT_CHECKED,
                family,
                detail="no required hotfix for this Windows version (health_check_hotfix_baseline)",
            )
        ]
    if listed is None:
        return [Check("audit.hotfixes", NOT_CHECKED, family, detail="systeminfo printed no Hotfix(s) list")]
    count, ids = listed
    short = count is None or count > len(ids)
    installed = set(ids)
    checks = []
    for kb in required:
        if kb.upper() in installed:
            checks.append(Check("audit.hotfixes", PASS, kb, "installed", "installed"))
        elif short:
            total = count if count is not None else "an unknown number of"
            detail = f"systeminfo listed {len(ids)} of {total} hotfixes"
            checks.append(Check("audit.hotfixes", NOT_CHECKED, kb, "not listed", "installed", detail))
        else:
            checks.append(
                Check("audit.hotfixes", FAIL, kb, "not installed", "installed", f"{count} hotfix(es) listed")
            )
    return checks


@dataclass(frozen=True)
class AuditOptions:
    """What the audit checks on a host besides the daily checks: the service pack baseline per family,
    the kind of host, the approved software patterns (workstations), the audit policy baseline
    (category -> none, success, failure or success_and_failure) and the required hotfixes per family."""

    enabled: bool = False
    baseline: tuple[tuple[str, int], ...] = ()
    family: str = ""
    kind: str = ""
    approved_software: tuple[str, ...] = ()
    audit_policy: tuple[tuple[str, str], ...] = ()
    hotfixes: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def sections(self) -> list[str]:
        """The probe's audit sections: systeminfo (service pack, hotfixes), the local accounts, the
        audit policy (secedit's template, typed and deleted), and on a workstation the programs."""
        if not self.enabled:
            return []
        parts = probe_section("sysinfo", "systeminfo")
        parts += probe_section(
            "accounts", 'wmic useraccount where "LocalAccount=TRUE" get Disabled,Name,SID /format:csv <nul'
        )
        parts += probe_section(
            "secpol",
            f"secedit /export /areas SECURITYPOLICY /cfg {SECEDIT_FILE} >nul"
            f"&type {SECEDIT_FILE}&del {SECEDIT_FILE}",
        )
        if self.kind == "workstation":
            for name, key in SOFTWARE_VIEWS:
                parts += probe_section(name, f'reg query "{key}" /s 2>nul')
        return parts

    def check(self, sections: dict[str, str]) -> list[Check]:
        if not self.enabled:
            return []
        text = sections.get("sysinfo", "")
        checks = [os_baseline_check(text, dict(self.baseline), self.family)]
        checks += hotfix_checks(text, dict(self.hotfixes), self.family)
        checks += default_accounts_checks(sections.get("accounts", ""))
        checks += audit_policy_checks(sections.get("secpol", ""), dict(self.audit_policy))
        if self.kind == "workstation":
            checks += approved_software_checks(sections, self.approved_software)
        return checks


class HostHealthPlan(ReadOnlyPlan):
    """What the plans of every kind of host share: `hostname`, then the plan's sections (and
    `systeminfo` for the audit) in one command line, split back into sections; the plan's own checks,
    then the audit's, then the placeholders of its kind."""

    kind = ""

    def __init__(
        self,
        wanted: Any,
        audit: AuditOptions,
        client: ClientRelease | None = None,
        client_reason: str = "",
        reboot: DailyRebootPlan | None = None,
        reboot_reason: str = "",
    ) -> None:
        self.wanted = wanted
        self.audit = audit
        self.client = client
        # Why the client is not checked when no release is known (the placeholders' detail).
        self.client_reason = client_reason
        # The daily restart task a workstation must have, or why it is not checked.
        self.reboot = reboot if self.kind == "workstation" else None
        self.reboot_reason = reboot_reason

    def _job_sections(self) -> list[tuple[str, str]]:
        """What the probe reads of the other jobs' work: the client release and the restart task."""
        sections = client_sections(self.kind, self.client, self.audit.family) if self.client else []
        return sections + (self.reboot.sections() if self.reboot else [])

    def sections(self) -> list[tuple[str, str]]:
        """(section name, command) of everything the plan reads."""
        raise NotImplementedError

    def checks(self, state: dict[str, str]) -> list[Check]:
        raise NotImplementedError

    def read_items(self) -> list[tuple[str, str]]:
        """(section name, command) of everything the probe reads but `hostname` and the audit's."""
        return [*self.sections(), *self._job_sections()]

    def probe_command(self) -> str:
        parts = ["hostname"]
        for name, command in self.read_items():
            parts += probe_section(name, command)
        return "&".join(parts + self.audit.sections())

    def parse_probe(self, stdout: str) -> dict[str, str]:
        return split_sections(stdout)

    def result(self, state: dict[str, str], steps: list) -> dict[str, Any]:
        checks = [*self.checks(state), *self.audit.check(state)]
        answered: tuple[str, ...] = ()
        if self.client is not None:
            checks += client_checks(self.kind, self.client, self.audit.family, state)
            answered = CLIENT_CHECKS.get(self.kind, ())
        if self.reboot is not None:
            checks += reboot_checks(self.reboot, state, self.audit.enabled)
            answered += REBOOT_CHECKS
        reasons = {ROLLOUT: self.client_reason, REBOOT: self.reboot_reason}
        checks += [
            not_yet(check_id, reasons.get(NOT_YET_AVAILABLE.get(check_id, ""), ""))
            for check_id in placeholders(self.kind, self.audit.enabled)
            if check_id not in answered
        ]
        return {"computer_name": probe_head(state), "checks": [check.as_dict() for check in checks]}


# -- DHCP server -------------------------------------------------------------------------------------
# How full a scope may be (in use and offered, of its leasable addresses) before it is a warning or
# critical, in percent; how little free space a base server's drive may have, in bytes.
WARNING_PERCENT, CRITICAL_PERCENT = 80.0, 95.0
WARNING_FREE_BYTES, CRITICAL_FREE_BYTES = 2 * 1024**3, 512 * 1024**2
FTP_TIMEOUT = 5.0


@dataclass(frozen=True)
class DhcpWanted:
    scopes: tuple[WantedScope, ...]
    warning_percent: float = WARNING_PERCENT
    critical_percent: float = CRITICAL_PERCENT


def dhcp_wanted(spec: dict[str, Any]) -> DhcpWanted:
    """The scopes and thresholds, checked as the dhcp_server plugin checks its scopes (errors name them)."""
    try:
        scopes = tuple(wanted_scope(scope, index) for index, scope in enumerate(spec.get("scopes") or []))
    except PlanError as error:
        raise PlanError(f"dhcp.{error}") from None
    if not scopes:
        raise PlanError("dhcp.scopes: no scope given (the inventory gives each DHCP server its dhcp_scopes)")
    warning = float(spec.get("warning_percent", WARNING_PERCENT))
    critical = float(spec.get("critical_percent", CRITICAL_PERCENT))
    if not 0 < warning <= critical <= 100:
        raise PlanError(
            f"dhcp: warning_percent {warning:g} and critical_percent {critical:g} must satisfy "
            "0 < warning <= critical <= 100"
        )
    return DhcpWanted(scopes, warning, critical)


def _scope_differences(want: WantedScope, have) -> list[str]:
    problems = []
    if have.mask != want.mask:
        problems.append(f"mask {have.mask or '?'} (wanted {want.mask})")
    ranges = [(item.start, item.end) for item in have.ranges]
    if ranges != [(want.range_start, want.range_end)]:
        shown = ", ".join(f"{start}-{end}" for start, end in ranges) or "none"
        problems.append(f"range {shown} (wanted {want.range_start}-{want.range_end})")
    exclusions = sorted((item.start, item.end) for item in have.exclusions)
    if exclusions != sorted(want.exclusions):
        shown = ", ".join(f"{start}-{end}" for start, end in exclusions) or "none"
        wanted = ", ".join(f"{start}-{end}" for start, end in want.exclusions) or "none"
        problems.append(f"exclusions {shown} (wanted {wanted})")
    for code, label, values in (
        (OPTION_ROUTER, "router (003)", (want.router,) if want.router else ()),
        (OPTION_DNS, "DNS servers (006)", tuple(want.dns_servers)),
    ):
        option = have.options.get(code)
        present = tuple(option.values) if option is not None else ()
        if present != values:
            problems.append(f"{label} {' '.join(present) or 'none'} (wanted {' '.join(values) or 'none'})")
    return problems


class DhcpHealthPlan(HostHealthPlan):
    """The DHCP server's daily check: service, scopes and how full they are."""

    kind = "dhcp_server"
    wanted: DhcpWanted

    def sections(self) -> list[tuple[str, str]]:
        return [
            ("qc", f"sc qc {DHCP_SERVICE}"),
            ("query", f"sc query {DHCP_SERVICE}"),
            ("dump", "netsh dhcp server dump"),
            ("mib", "netsh dhcp server show mibinfo"),
        ]

    def checks(self, state: dict[str, str]) -> list[Check]:
        checks = _service_checks("dhcp.", DHCP_SERVICE, state.get("qc", ""), state.get("query", ""))
        dump_text = state.get("dump", "")
        readable = classify_error(dump_text) not in (
            ErrorKind.DHCP_SERVER_UNAVAILABLE,
            ErrorKind.NETSH_COMMAND_NOT_FOUND,
        )
        scopes = parse_dhcp_dump(dump_text).scopes if readable else {}
        usage = parse_dhcp_mibinfo(state.get("mib", "")) if readable else None
        why = "netsh cannot read the scopes while the DHCP Server service is not running"
        for want in self.wanted.scopes:
            item = want.address
            if not readable:
                for check_id in ("present", "active", "settings", "usage"):
                    checks.append(Check(f"dhcp.scope_{check_id}", NOT_CHECKED, item, detail=why))
                continue
            have = scopes.get(item)
            if have is None:
                checks.append(Check("dhcp.scope_present", FAIL, item, "absent", "present", want.name))
                for check_id in ("active", "settings", "usage"):
                    checks.append(
                        Check(f"dhcp.scope_{check_id}", NOT_CHECKED, item, detail="the scope is absent")
                    )
                continue
            checks.append(Check("dhcp.scope_present", PASS, item, "present", "present"))
            active = have.state in ACTIVE_STATES
            checks.append(
                Check(
                    "dhcp.scope_active",
                    PASS if active else FAIL,
                    item,
                    "active" if active else "inactive",
                    "active",
                )
            )
            problems = _scope_differences(want, have)
            wanted_text = f"{want.range_start}-{want.range_end}/{want.mask} router {want.router or 'none'}"
            checks.append(
                Check(
                    "dhcp.scope_settings",
                    FAIL if problems else PASS,
                    item,
                    "; ".join(problems) or "as wanted",
                    wanted_text,
                )
            )
            checks.append(self._usage(item, usage))
        return checks

    def _usage(self, item: str, usage) -> Check:
        limits = f"warning at {self.wanted.warning_percent:g}%, critical at {self.wanted.critical_percent:g}%"
        scope = usage.scopes.get(item) if usage is not None else None
        if scope is None:
            return Check("dhcp.scope_usage", NOT_CHECKED, item, expected=limits, detail="not in show mibinfo")
        percent = scope.used_percent
        if percent is None:
            return Check("dhcp.scope_usage", FAIL, item, "no leasable addresses", limits)
        status = threshold_status(percent, self.wanted.warning_percent, self.wanted.critical_percent)
        observed = f"{percent:.0f}% used ({scope.in_use} in use, {scope.free} free, {scope.pending} offered)"
        return Check("dhcp.scope_usage", status, item, observed, limits)


# -- base server ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BaseWanted:
    shares: tuple[tuple[str, str], ...]  # (name, path)
    drive: str = "C:"
    warning_free_bytes: int = WARNING_FREE_BYTES
    critical_free_bytes: int = CRITICAL_FREE_BYTES
    # The FTP port as the controller reaches it: (address, port, timeout); None: not checked.
    ftp: tuple[str, int, float] | None = None


DEFAULT_ROOT = "C:\\VNACCS\\Base"


def base_wanted(spec: dict[str, Any]) -> BaseWanted:
    """The shares (name and folder below the root, as the base_server role takes them) with their full
    paths, the root's drive, the free-space thresholds and the FTP address; errors name the field."""
    root = str(spec.get("root") or DEFAULT_ROOT).rstrip("\\")
    if len(root) < 2 or not root[0].isalpha() or root[1] != ":":
        raise PlanError(f"base.root: {root!r} is not a folder below a drive letter, such as C:\\VNACCS\\Base")
    shares = []
    for index, share in enumerate(spec.get("shares") or []):
        folder = str(share.get("folder") or "").replace("/", "\\").strip("\\")
        if ".." in folder.split("\\"):
            raise PlanError(f"base.shares[{index}].folder: {folder!r} must stay below the root")
        shares.append((str(share["name"]), f"{root}\\{folder}" if folder else root))
    warning = int(spec.get("warning_free_bytes", WARNING_FREE_BYTES))
    critical = int(spec.get("critical_free_bytes", CRITICAL_FREE_BYTES))
    if not 0 <= critical <= warning:
        raise PlanError(f"base: critical_free_bytes {critical} must be at most warning_free_bytes {warning}")
    ftp = None
    if spec.get("ftp_address"):
        port = int(spec.get("ftp_port", 21))
        if not 0 < port < 65536:
            raise PlanError(f"base.ftp_port: {port} is not a TCP port")
        ftp = (str(spec["ftp_address"]), port, float(spec.get("ftp_timeout", FTP_TIMEOUT)))
    return BaseWanted(tuple(shares), root[:2].upper(), warning, critical, ftp)


def _same_path(one: str, other: str) -> bool:
    return one.rstrip("\\").lower() == other.rstrip("\\").lower()


def _bytes(value: int) -> str:
    return f"{value / 1024**3:.1f} GiB" if value >= 1024**3 else f"{value / 1024**2:.0f} MiB"


class BaseHealthPlan(HostHealthPlan):
    """The base server's daily check on the host: shares, the FTP service, free space."""

    kind = "base_server"
    wanted: BaseWanted

    def sections(self) -> list[tuple[str, str]]:
        return [
            ("shares", "net share"),
            ("qc", f"sc qc {FTP_SERVICE}"),
            ("query", f"sc query {FTP_SERVICE}"),
            ("disk", f"dir {self.wanted.drive}\\"),
        ]

    def checks(self, state: dict[str, str]) -> list[Check]:
        shares = {share.name.lower(): share for share in parse_net_share(state.get("shares", ""))}
        checks = []
        for name, path in self.wanted.shares:
            share = shares.get(name.lower())
            if share is None:
                checks.append(Check("base.share", FAIL, name, "absent", path))
            elif not _same_path(share.resource, path):
                checks.append(
                    Check("base.share", FAIL, name, share.resource, path, "shared from another folder")
                )
            else:
                checks.append(Check("base.share", PASS, name, share.resource, path))
        checks += _service_checks("base.ftp_", FTP_SERVICE, state.get("qc", ""), state.get("query", ""))
        free = parse_dir_free_bytes(state.get("disk", ""))
        limits = (
            f"warning below {_bytes(self.wanted.warning_free_bytes)}, "
            f"critical below {_bytes(self.wanted.critical_free_bytes)}"
        )
        if free is None:
            checks.append(
                Check(
                    "base.disk_free",
                    NOT_CHECKED,
                    self.wanted.drive,
                    expected=limits,
                    detail="dir showed no free space",
                )
            )
        else:
            status = threshold_status(
                free, self.wanted.warning_free_bytes, self.wanted.critical_free_bytes, higher_is_worse=False
            )
            checks.append(Check("base.disk_free", status, self.wanted.drive, f"{_bytes(free)} free", limits))
        return checks


def ftp_check(address: str, port: int, timeout: float = 5.0) -> Check:
    """`base.ftp_port`, from the controller: the FTP greeting (`220`) at address:port, then QUIT.

    Appendix III has a workstation run `telnet <base server> 21`; telnet is interactive and Windows
    7 has no telnet client by default, so the controller connects itself (reference 7.3, option 1).
    """
    expected = f"a 220 greeting at {address}:{port}"
    client = ftplib.FTP(timeout=timeout)
    try:
        greeting = client.connect(address, port, timeout=timeout)
    except (OSError, EOFError, ftplib.Error) as error:
        reason = "the connection was closed without a greeting" if isinstance(error, EOFError) else str(error)
        return Check("base.ftp_port", FAIL, observed=f"no FTP greeting: {reason}", expected=expected)
    try:
        client.quit()
    except (OSError, EOFError, ftplib.Error):
        client.close()
    return Check("base.ftp_port", PASS, observed=greeting.strip(), expected=expected)


# -- the relay path of a DHCP server, from the controller ----------------------------------------------
RELAY_TIMEOUT = 3.0
RELAY_OFF = "the relayed DHCP probe is off (health_check_dhcp_probe: false)"


@dataclass(frozen=True)
class RelayProbe:
    """How the controller probes a DHCP server as the branch's relay: the server's address and port,
    the local address that stands for each router (giaddr -> address; a router not named is bound
    itself, as a relay on the router would), how long to wait, and the networks besides the scopes'
    that the server may be in (`dhcp_probe.check_target`)."""

    server: str
    port: int = dhcp_probe.SERVER_PORT
    bind: tuple[tuple[str, str], ...] = ()
    timeout: float = RELAY_TIMEOUT
    allow: tuple[str, ...] = ()
    enabled: bool = True


def relay_probe(spec: dict[str, Any] | None, server: str) -> RelayProbe | None:
    """The probe's settings from the plugin's `dhcp.relay_probe`, checked (errors name the field);
    None when the task gives none (no relay check)."""
    if not spec:
        return None
    port = int(spec.get("port") or dhcp_probe.SERVER_PORT)
    if not 0 < port < 65536:
        raise PlanError(f"dhcp.relay_probe.port: {port} is not a UDP port")
    bind = []
    for router, local in sorted((spec.get("bind") or {}).items()):
        for value, what in ((router, "a router"), (local, "its local address")):
            try:
                IPAddress(str(value), 4)
            except (AddrFormatError, ValueError):
                raise PlanError(f"dhcp.relay_probe.bind: {value!r} ({what}) is not an IPv4 address") from None
        bind.append((str(router), str(local)))
    allow = tuple(str(item) for item in spec.get("allow") or [])
    for item in allow:
        try:
            IPNetwork(item, version=4)
        except (AddrFormatError, ValueError):
            raise PlanError(f"dhcp.relay_probe.allow: {item!r} is not an IPv4 network") from None
    timeout = float(spec.get("timeout", RELAY_TIMEOUT))
    if timeout <= 0:
        raise PlanError(f"dhcp.relay_probe.timeout: {timeout:g} must be more than 0 seconds")
    return RelayProbe(
        str(spec.get("server") or server),
        port,
        tuple(bind),
        timeout,
        allow,
        bool(spec.get("enabled", True)),
    )


def relay_offer_check(want: WantedScope, result: dhcp_probe.ProbeResult) -> Check:
    """`dhcp.relay_offer` of one scope from the probe's result: an offer from the scope's range (not
    excluded), with its mask and router."""
    expected = f"an offer of {want.range_start}-{want.range_end}/{want.mask} router {want.router}"
    if not result.offer:
        return Check(
            "dhcp.relay_offer", FAIL, want.address, result.message, expected, f"giaddr {want.router}"
        )
    observed = f"{result.address}/{result.mask or 'no mask'} router {result.router or 'none'}"
    problems = []
    try:
        address = IPAddress(result.address, 4)
    except (AddrFormatError, ValueError):
        address = None
    start, end = IPAddress(want.range_start, 4), IPAddress(want.range_end, 4)
    if address is None or not start <= address <= end:
        problems.append(f"{result.address} is outside the range")
    elif any(IPAddress(first, 4) <= address <= IPAddress(last, 4) for first, last in want.exclusions):
        problems.append(f"{result.address} is excluded")
    if result.mask != want.mask:
        problems.append(f"mask {result.mask or 'none'}")
    if result.router != want.router:
        problems.append(f"router {result.router or 'none'}")
    detail = f"from {result.server_id or result.server}" + (f": {'; '.join(problems)}" if problems else "")
    return Check("dhcp.relay_offer", FAIL if problems else PASS, want.address, observed, expected, detail)


def relay_offer_checks(scopes: tuple[WantedScope, ...], settings: RelayProbe) -> list[Check]:
    """`dhcp.relay_offer` of each scope, probed from the controller (beside :func:`ftp_check`).

    Where the probe cannot run (off, a scope without a router or kept inactive, a local address the
    controller does not have or may not bind, a server outside the allowed networks, a network error
    on sending) the check is `not_checked` with the reason: nothing was asked, so nothing failed.
    The allowed networks are the scopes' own, `settings.allow` and the lab range (dhcp_probe).
    """
    allowed = [f"{want.address}/{want.mask}" for want in scopes] + list(settings.allow)
    bind = dict(settings.bind)
    checks = []
    for want in scopes:
        if not settings.enabled:
            checks.append(Check("dhcp.relay_offer", NOT_CHECKED, want.address, detail=RELAY_OFF))
            continue
        if not want.active:
            reason = "the inventory keeps this scope inactive"
            checks.append(Check("dhcp.relay_offer", NOT_CHECKED, want.address, detail=reason))
            continue
        if not want.router:
            reason = "the scope has no router to relay from"
            checks.append(Check("dhcp.relay_offer", NOT_CHECKED, want.address, detail=reason))
            continue
        try:
            result = dhcp_probe.probe(
                settings.server,
                want.router,
                timeout=settings.timeout,
                bind=bind.get(want.router, ""),
                allowed=allowed,
                port=settings.port,
            )
        except (dhcp_probe.ProbeRefused, OSError) as error:
            checks.append(Check("dhcp.relay_offer", NOT_CHECKED, want.address, detail=f"not probed: {error}"))
            continue
        checks.append(relay_offer_check(want, result))
    return checks


def kea_reachable(relay: list[Check]) -> Check:
    """`host.reachable` of a DHCP server on Kea (no WinRM): it answered a relayed DISCOVER of any
    scope; not checked when no probe was sent."""
    probed = [check for check in relay if check.status != NOT_CHECKED]
    how = "an answer to the relayed DHCPDISCOVER (a Kea server has no WinRM)"
    if not probed:
        return Check("host.reachable", NOT_CHECKED, expected=how, detail="no scope could be probed")
    answered = [check for check in probed if not check.observed.startswith("no answer")]
    if answered:
        return Check("host.reachable", PASS, observed="answered", expected=how)
    return Check(
        "host.reachable",
        FAIL,
        observed="no answer",
        expected=how,
        detail="no scope's DISCOVER was answered: the host or its Kea service is down, or the path to it",
    )


# -- workstation ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LeaseRange:
    start: IPAddress
    end: IPAddress
    exclusions: tuple[tuple[IPAddress, IPAddress], ...] = ()

    def holds(self, address: IPAddress) -> bool:
        return self.start <= address <= self.end and not any(a <= address <= b for a, b in self.exclusions)

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"


def workstation_ranges(spec: dict[str, Any]) -> tuple[LeaseRange, ...]:
    """The lease ranges of the site's scopes (the site host's dhcp_scopes: range_start, range_end,
    exclusions), checked: errors name the field."""
    ranges = []
    for index, scope in enumerate(spec.get("scopes") or []):
        try:
            start, end = IPAddress(scope["range_start"], 4), IPAddress(scope["range_end"], 4)
            exclusions = tuple(
                (IPAddress(item["start"], 4), IPAddress(item["end"], 4))
                for item in scope.get("exclusions") or []
            )
        except (AddrFormatError, ValueError, TypeError, KeyError):
            raise PlanError(
                f"workstation.scopes[{index}]: range_start, range_end and the exclusions' start and end must "
                "be IPv4 addresses"
            ) from None
        if start > end:
            raise PlanError(f"workstation.scopes[{index}]: range_start {start} comes after range_end {end}")
        ranges.append(LeaseRange(start, end, exclusions))
    if not ranges:
        raise PlanError("workstation.scopes: no scope given (the dhcp_scopes of the workstation's site)")
    return tuple(ranges)


@dataclass(frozen=True)
class WorkstationWanted:
    ranges: tuple[LeaseRange, ...]
    # The base server's FTP port as this workstation reaches it (address, port); None: not checked here.
    base_ftp: tuple[str, int] | None = None


# The script ftp.exe runs for the FTP check from a workstation; written and deleted in the probe.
FTP_CHECK_SCRIPT = r"%SystemRoot%\Temp\vnaccs-ftpcheck.txt"
_HOST_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")


def workstation_wanted(spec: dict[str, Any]) -> WorkstationWanted:
    """The lease ranges (`workstation_ranges`) and, with `ftp_address`, the base server whose FTP port
    this workstation checks (Appendix III: from a workstation, port 21 of the base server answers)."""
    ranges = workstation_ranges(spec)
    address = str(spec.get("ftp_address") or "")
    if not address:
        return WorkstationWanted(ranges)
    if not _HOST_NAME.match(address):
        raise PlanError(f"workstation.ftp_address: {address!r} is not a host name or IPv4 address")
    port = int(spec.get("ftp_port") or 21)
    if not 0 < port < 65536:
        raise PlanError(f"workstation.ftp_port: {port} is not a TCP port")
    return WorkstationWanted(ranges, (address, port))


def ftp_check_section(address: str, port: int) -> tuple[str, str]:
    """The probe section that has the workstation's own ftp.exe (XP and 7 both have it; 7 has no telnet
    client by default, reference 7.3) connect to the base server and quit: a script written with echo,
    run with `-n` (no logon is tried, so no account is ever locked) and deleted in the same command."""
    script = [f"open {address}" + (f" {port}" if port != 21 else ""), "bye"]
    return ("base_ftp", script_run_command(FTP_CHECK_SCRIPT, script, f"ftp -n -s:{FTP_CHECK_SCRIPT}"))


def workstation_ftp_check(address: str, port: int, transcript: str) -> Check:
    """`workstation.base_ftp`: the greeting (`220`) in ftp.exe's transcript (it exits 0 whatever
    happened, so the replies are read)."""
    expected = f"a 220 greeting from {address}:{port}"
    replies = ftp_replies(transcript)
    greeting = next((f"{code} {text}" for code, text in replies if code == "220"), "")
    if greeting:
        return Check("workstation.base_ftp", PASS, address, greeting, expected)
    lines = [line.strip() for line in transcript.splitlines() if line.strip() and not line.startswith("ftp>")]
    return Check(
        "workstation.base_ftp",
        FAIL,
        address,
        f"no FTP greeting: {lines[-1] if lines else 'nothing'}",
        expected,
    )


class WorkstationHealthPlan(HostHealthPlan):
    """The workstation's daily check: a DHCP lease inside its site's ranges, and, on one workstation of
    each site, its base server's FTP port (`wanted`)."""

    kind = "workstation"
    wanted: WorkstationWanted
    # The Ecus6 contingency's part (plugin_utils/ecus6.py), set by the action when asked.
    ecus6: ecus6.DailyCheck | None = None

    def sections(self) -> list[tuple[str, str]]:
        sections = [("ipconfig", "ipconfig /all")]
        if self.wanted.base_ftp:
            sections.append(ftp_check_section(*self.wanted.base_ftp))
        return sections + ecus6.sections(self.ecus6)

    def checks(self, state: dict[str, str]) -> list[Check]:
        checks = self._lease(state)
        if self.wanted.base_ftp:
            checks.append(workstation_ftp_check(*self.wanted.base_ftp, state.get("base_ftp", "")))
        return checks + ecus6.checks(self.ecus6, state, Check)

    def _lease(self, state: dict[str, str]) -> list[Check]:
        ranges = self.wanted.ranges
        config = parse_ipconfig_all(state.get("ipconfig", ""))
        expected = "a DHCP lease in " + ", ".join(str(item) for item in ranges)
        seen, lease = [], None
        for adapter in config.adapters:
            try:
                address = IPAddress(adapter.ipv4_address, 4)
            except (AddrFormatError, ValueError):
                continue
            seen.append(f"{address} ({'DHCP' if adapter.dhcp_enabled else 'static'})")
            if adapter.dhcp_enabled and any(item.holds(address) for item in ranges):
                lease = (address, adapter)
        if lease is not None:
            address, adapter = lease
            detail = f"lease obtained {adapter.get('Lease Obtained')}, expires {adapter.get('Lease Expires')}"
            return [
                Check("workstation.dhcp_lease", PASS, str(address), f"{address} (DHCP)", expected, detail)
            ]
        return [Check("workstation.dhcp_lease", FAIL, "", ", ".join(seen) or "no IPv4 address", expected)]


# -- the daily restart task (workstation) -------------------------------------------------------------
# The placeholders the restart settings answer (the audit's one is made only in an audit).
REBOOT_CHECKS = ("workstation.reboot_task", "workstation.last_boot", "audit.restart_outside_peak")


def reboot_plan(args: dict[str, Any] | None, host: str, family: str) -> tuple[DailyRebootPlan | None, str]:
    """The daily restart task a workstation must have, as the daily_reboot_task plugin builds it from
    the same settings (name, time, spread_minutes, warning_seconds, settle_minutes, message, reason),
    or None and why it is not checked. Errors in the settings name the field (`reboot.time: ...`).

    The window is not refused here when it lies in the quiet periods: the audit reports the host's
    restart time against them instead (`audit.restart_outside_peak`).
    """
    args = dict(args or {})
    if not args.get("time"):
        return None, REBOOT
    if family not in REBOOT_FAMILIES:
        return (
            None,
            f"the inventory gives no Windows version the restart task is made for ({family or 'none'})",
        )
    try:
        wanted = wanted_task({**args, "state": "present", "force": True, "check_only": True}, host, family)
    except PlanError as error:
        raise PlanError(f"reboot.{error}") from None
    return DailyRebootPlan(wanted, load_forms(family)), ""


def reboot_checks(plan: DailyRebootPlan, sections: dict[str, str], audit: bool = False) -> list[Check]:
    """`workstation.reboot_task`, `workstation.last_boot` (and, in the audit,
    `audit.restart_outside_peak`) from the sections `plan.sections()` read."""
    state = plan.state_from(sections)
    found = plan.result(state, [])
    wanted, task = plan.wanted, state.task
    expected = f"daily at {wanted.host_time:%H:%M} as SYSTEM, enabled ({plan.forms.title})"
    if task is None:
        restart = Check("workstation.reboot_task", FAIL, wanted.name, "absent", expected)
    elif state.drift:
        restart = Check("workstation.reboot_task", FAIL, wanted.name, "; ".join(state.drift), expected)
    elif task.has_run and task.last_result not in (0, None):
        restart = Check(
            "workstation.reboot_task",
            WARN,
            wanted.name,
            f"last run {task.last_run} ended with {task.last_result}",
            expected,
            "the task is as wanted but its last run failed",
        )
    else:
        last = f", last run {task.last_run}" if task.has_run else ", not run yet"
        restart = Check(
            "workstation.reboot_task", PASS, wanted.name, f"daily at {task.start:%H:%M}{last}", expected
        )
    checks = [restart, _last_boot(found, wanted.max_hours_since_boot)]
    if audit:
        checks.append(_restart_window(task, wanted))
    return checks


def _last_boot(found: dict[str, Any], max_hours: int) -> Check:
    expected = f"within {max_hours} hours"
    hours = found["hours_since_boot"]
    if hours is None:
        text = found["last_boot_text"]
        detail = f"unknown date layout: {text}" if text else "net statistics workstation showed no start"
        return Check("workstation.last_boot", NOT_CHECKED, expected=expected, detail=detail)
    observed = f"{found['last_boot'].replace('T', ' ')} ({hours:g} hours ago)"
    if hours < 0:
        return Check(
            "workstation.last_boot",
            FAIL,
            "",
            observed,
            expected,
            "the host's clock is ahead of the controller's",
        )
    return Check(
        "workstation.last_boot", PASS if found["restarted_recently"] else FAIL, "", observed, expected
    )


def _restart_window(task: Any, wanted: Any) -> Check:
    """The host's restart window (its task's start, the warning and the settling time) against the
    peak hours and the Sunday maintenance (`change_window`, Articles 20 and 22)."""
    if task is None or task.start is None:
        return Check("audit.restart_outside_peak", NOT_CHECKED, detail="no restart task on the host")
    length = math.ceil(wanted.warning_seconds / 60) + wanted.settle_minutes
    end = change_window.add_minutes(task.start, length)
    observed = f"{task.start:%H:%M}-{end:%H:%M} ({change_window.TIME_ZONE})"
    conflicts = change_window.daily_conflicts(task.start, length)
    expected = "outside the peak hours and the Sunday maintenance window"
    if conflicts:
        return Check(
            "audit.restart_outside_peak",
            FAIL,
            wanted.name,
            observed,
            expected,
            change_window.describe(conflicts),
        )
    return Check("audit.restart_outside_peak", PASS, wanted.name, observed, expected)


# -- switch (read from the relay plugin's check-mode result) -----------------------------------------
def switch_checks(relay: dict[str, Any], helper: str) -> list[Check]:
    """`switch.helper_address` per VLAN interface, from a check-mode run of ios_helper_address.

    An interface whose planned commands are empty has the wanted helper (and no stale one); any
    other helper it has besides the DHCP server is a warning (the relay role leaves it unless told).
    A failed run (no connection, refused login, an SVI that contradicts the inventory) is
    `switch.reachable` failed, with the plugin's message.
    """
    if relay.get("failed") or relay.get("unreachable"):
        return [
            Check(
                "switch.reachable",
                FAIL,
                observed="not checked",
                expected="reachable",
                detail=str(relay.get("msg", "")),
            )
        ]
    checks = [Check("switch.reachable", PASS, observed="reachable", expected="reachable")]
    for name, interface in sorted((relay.get("interfaces") or {}).items()):
        before = list(interface.get("before") or [])
        shown = ", ".join(before) or "none"
        if interface.get("commands"):
            detail = "; ".join(interface["commands"])
            checks.append(
                Check(
                    "switch.helper_address", FAIL, name, shown, helper, f"the relay role would send: {detail}"
                )
            )
        elif set(before) - {helper}:
            checks.append(
                Check("switch.helper_address", WARN, name, shown, helper, "other helper addresses as well")
            )
        else:
            checks.append(Check("switch.helper_address", PASS, name, shown, helper))
    for name in relay.get("local_interfaces") or []:
        checks.append(
            Check(
                "switch.helper_address", PASS, name, "not relayed", helper, "the DHCP server is on this VLAN"
            )
        )
    return checks
