"""The audit's own host checks (health_checks: approved software, built-in accounts, audit policy,
hotfixes) and their parsers (windows_output), on outputs in the layouts of the project's reference.

Real captures of systeminfo's Hotfix(s) are tested in test_real_captures.py. No public capture of
`wmic useraccount ... /format:csv` was found: its layout is [U] (tests marked `assumption`).
"""

from __future__ import annotations

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import windows_output as wo
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.health_checks import (
    FAIL,
    NOT_CHECKED,
    PASS,
    AuditOptions,
    approved_software_checks,
    audit_policy_checks,
    default_accounts_checks,
    hotfix_checks,
    is_system_entry,
)

UNINSTALL = r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
WOW = r"HKEY_LOCAL_MACHINE\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Uninstall"


def reg_s(root: str, keys: dict[str, dict[str, tuple[str, str]]], nt6: bool = True) -> str:
    """`reg query <root> /s` in the layout of reference 8.2 (NT 6: 4 spaces; NT 5: banner, tabs)."""
    out = [""] if nt6 else ["", "! REG.EXE VERSION 3.0", ""]
    out.append(root)
    out.append("")
    for name, values in keys.items():
        out.append(f"{root}\\{name}")
        for value, (kind, data) in values.items():
            out.append(f"    {value}    {kind}    {data}" if nt6 else f"    {value}\t{kind}\t{data}")
        out.append("")
    return "\r\n".join(out) + "\r\n"


PROGRAMS = {
    "{11111111-1111-1111-1111-111111111111}": {
        "DisplayName": ("REG_SZ", "VNACCS Client"),
        "DisplayVersion": ("REG_SZ", "4.3.0"),
        "Publisher": ("REG_SZ", "Tong cuc Hai quan"),
    },
    "uTorrent": {"DisplayName": ("REG_SZ", "µTorrent"), "DisplayVersion": ("REG_SZ", "3.5.5")},
    "KB958644": {
        "DisplayName": ("REG_SZ", "Security Update for Windows XP (KB958644)"),
        "ParentKeyName": ("REG_SZ", "OperatingSystem"),
    },
    "{22222222-2222-2222-2222-222222222222}": {
        "DisplayName": ("REG_SZ", "Microsoft Visual C++ 2008 Redistributable"),
        "SystemComponent": ("REG_DWORD", "0x1"),
    },
    "NoName": {"UninstallString": ("REG_SZ", "C:\\x\\uninstall.exe")},
}


# -- parsers ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("nt6", [True, False], ids=["nt6", "nt5"])
def test_installed_programs_of_reg_query_s(nt6):
    programs = wo.parse_installed_programs(reg_s(UNINSTALL, PROGRAMS, nt6))
    assert [(item.key, item.name) for item in programs] == [
        ("{11111111-1111-1111-1111-111111111111}", "VNACCS Client"),
        ("uTorrent", "µTorrent"),
        ("KB958644", "Security Update for Windows XP (KB958644)"),
        ("{22222222-2222-2222-2222-222222222222}", "Microsoft Visual C++ 2008 Redistributable"),
    ]
    client, torrent, update, runtime = programs
    assert (client.version, client.publisher) == ("4.3.0", "Tong cuc Hai quan")
    assert update.parent == "OperatingSystem" and runtime.system_component and not torrent.system_component


def test_installed_programs_of_a_failed_reg_query_is_none():
    assert wo.parse_installed_programs("") is None
    assert wo.parse_installed_programs(reg_s(UNINSTALL, {})) == []


@pytest.mark.parametrize(
    ("key", "values", "system"),
    [
        ("app", {"DisplayName": ("REG_SZ", "7-Zip 9.20")}, False),
        ("app", {"DisplayName": ("REG_SZ", "Runtime"), "SystemComponent": ("REG_DWORD", "0x1")}, True),
        ("app", {"DisplayName": ("REG_SZ", "Runtime"), "SystemComponent": ("REG_DWORD", "0x0")}, False),
        ("app", {"DisplayName": ("REG_SZ", "Fix"), "ParentKeyName": ("REG_SZ", "Office12")}, True),
        ("app", {"DisplayName": ("REG_SZ", "Fix"), "ReleaseType": ("REG_SZ", "Security Update")}, True),
        ("KB2834140", {"DisplayName": ("REG_SZ", "Some name")}, True),
        ("x", {"DisplayName": ("REG_SZ", "Hotfix for Windows Server 2003 (KB961118)")}, True),
        ("x", {"DisplayName": ("REG_SZ", "Update for Windows 7 (KB2834140)")}, True),
        ("x", {"DisplayName": ("REG_SZ", "Windows Update Agent Helper")}, False),
    ],
)
def test_what_is_a_system_entry(key, values, system):
    (program,) = wo.parse_installed_programs(reg_s(UNINSTALL, {key: values}))
    assert is_system_entry(program) is system


@pytest.mark.assumption
def test_wmic_csv_with_cr_cr_lf_line_ends():
    text = (
        "\r\r\nNode,Disabled,Name,SID\r\r\n"
        "WS-01,FALSE,qtv,S-1-5-21-1-2-3-500\r\r\n"
        "WS-01,TRUE,Guest,S-1-5-21-1-2-3-501\r\r\n"
    )
    assert wo.parse_wmic_csv(text) == [
        {"node": "WS-01", "disabled": "FALSE", "name": "qtv", "sid": "S-1-5-21-1-2-3-500"},
        {"node": "WS-01", "disabled": "TRUE", "name": "Guest", "sid": "S-1-5-21-1-2-3-501"},
    ]


def test_wmic_without_a_header_is_none():
    assert wo.parse_wmic_csv("'wmic' is not recognized as an internal or external command,\r\n") is None
    assert wo.parse_wmic_csv("Invalid XSL format (or) file name.\r\n") is None


def test_security_template_sections():
    # The [Event Audit] lines as secedit exports write them ("AuditLogonEvents = 3", MS-GPSB).
    text = (
        "\ufeff[Unicode]\r\nUnicode=yes\r\n[Event Audit]\r\nAuditSystemEvents = 0\r\nAuditLogonEvents = 3\r\n"
    )
    template = wo.parse_security_template(text + '[Version]\r\nsignature="$CHICAGO$"\r\n')
    assert template["event audit"] == {"auditsystemevents": "0", "auditlogonevents": "3"}
    assert template["unicode"] == {"unicode": "yes"} and template["version"]["signature"] == '"$CHICAGO$"'


# -- approved software -------------------------------------------------------------------------------
def test_each_unapproved_program_is_one_failed_item():
    sections = {"programs_v0": reg_s(UNINSTALL, PROGRAMS), "programs_v1": ""}
    checks = approved_software_checks(sections, ("vnaccs client*",))
    assert [(check.status, check.item) for check in checks] == [(FAIL, "µTorrent")]
    assert checks[0].observed == "version 3.5.5, key uTorrent"


def test_the_wow6432node_view_is_read_too():
    sections = {
        "programs_v0": reg_s(UNINSTALL, {}),
        "programs_v1": reg_s(WOW, {"x": {"DisplayName": ("REG_SZ", "Skype")}}),
    }
    checks = approved_software_checks(sections, ("VNACCS*",))
    assert [(check.status, check.item) for check in checks] == [(FAIL, "Skype")]


def test_every_program_approved_is_one_pass():
    sections = {"programs_v0": reg_s(UNINSTALL, PROGRAMS)}
    (check,) = approved_software_checks(sections, ("VNACCS Client*", "?torrent"))
    assert (check.status, check.observed) == (PASS, "2 program(s), all approved")


def test_no_allow_list_or_no_listing_is_not_checked():
    (none,) = approved_software_checks({"programs_v0": reg_s(UNINSTALL, PROGRAMS)}, ())
    assert none.status == NOT_CHECKED and "approved_software" in none.detail
    (failed,) = approved_software_checks({"programs_v0": "ERROR: Invalid key name.\r\n"}, ("x",))
    assert failed.status == NOT_CHECKED and "Invalid key name" in failed.detail


# -- built-in accounts -------------------------------------------------------------------------------
def wmic(*rows: tuple[str, str, int]) -> str:
    lines = ["", "Node,Disabled,Name,SID"]
    lines += [f"WS,{disabled},{name},S-1-5-21-10-20-30-{rid}" for disabled, name, rid in rows]
    return "".join(line + "\r\r\n" for line in lines)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ((("FALSE", "qtv", 500), ("TRUE", "Guest", 501)), [PASS, PASS]),
        ((("TRUE", "Administrator", 500), ("TRUE", "Guest", 501)), [PASS, PASS]),
        ((("FALSE", "Administrator", 500), ("TRUE", "Guest", 501)), [FAIL, PASS]),
        ((("FALSE", "qtv", 500), ("FALSE", "Guest", 501)), [PASS, FAIL]),
        ((("FALSE", "qtv", 500), ("FALSE", "khach", 501)), [PASS, FAIL]),  # renaming Guest is not enough
        ((("FALSE", "qtv", 500), ("TRUE", "Guest", 1001)), [PASS, NOT_CHECKED]),
    ],
)
def test_default_accounts_by_rid(rows, expected):
    checks = default_accounts_checks(wmic(*rows))
    assert [check.item for check in checks] == ["Administrator (RID 500)", "Guest (RID 501)"]
    assert [check.status for check in checks] == expected


def test_an_unrenamed_enabled_administrator_says_so():
    check = default_accounts_checks(wmic(("FALSE", "administrator", 500), ("TRUE", "Guest", 501)))[0]
    assert (check.observed, check.expected) == ("not renamed, enabled", "renamed or disabled")


def test_accounts_not_listed_are_not_checked():
    (check,) = default_accounts_checks("'wmic' is not recognized as an internal or external command,\r\n")
    assert check.status == NOT_CHECKED and "not recognized" in check.detail


# -- audit policy --------------------------------------------------------------------------------------
TEMPLATE = "[Event Audit]\r\nAuditSystemEvents = 1\r\nAuditLogonEvents = 3\r\nAuditPolicyChange = 2\r\n"


def test_each_category_at_least_as_the_baseline_says():
    baseline = {
        "logon_events": "success_and_failure",
        "system_events": "success",
        "policy_change": "success",
        "account_management": "none",
        "account_logon": "failure",
    }
    checks = {check.item: check for check in audit_policy_checks(TEMPLATE, baseline)}
    assert {item: check.status for item, check in checks.items()} == {
        "logon_events": PASS,
        "system_events": PASS,
        "policy_change": FAIL,
        "account_management": PASS,
        "account_logon": FAIL,  # not in the template: not audited
    }
    assert checks["policy_change"].observed == "failure (AuditPolicyChange = 2)"
    assert checks["policy_change"].expected == "success"


def test_no_template_or_no_baseline_is_not_checked():
    (missing,) = audit_policy_checks(
        "The system cannot find the file specified.\r\n", {"logon_events": "success"}
    )
    assert missing.status == NOT_CHECKED and "[Event Audit]" in missing.detail
    (empty,) = audit_policy_checks(TEMPLATE, {})
    assert empty.status == NOT_CHECKED


# -- hotfixes ------------------------------------------------------------------------------------------
SYSTEMINFO = (
    "OS Name:                   Microsoft Windows XP Professional\r\n"
    "OS Version:                5.1.2600 Service Pack 3 Build 2600\r\n"
    "Hotfix(s):                 2 Hotfix(s) Installed.\r\n"
    "                           [01]: Q147222\r\n"
    "                           [02]: KB958644\r\n"
    "Network Card(s):           N/A\r\n"
)


def test_hotfixes_by_the_family_the_os_name_or_the_inventory_gives():
    baseline = {"xp": ("KB958644", "KB2347290"), "7": ("KB976902",)}
    checks = hotfix_checks(SYSTEMINFO, baseline)
    assert [(check.item, check.status) for check in checks] == [("KB958644", PASS), ("KB2347290", FAIL)]
    (other,) = hotfix_checks(SYSTEMINFO, baseline, family_hint="7")
    assert (other.item, other.status) == ("KB976902", FAIL)


def test_no_hotfix_installed_is_n_a():
    text = SYSTEMINFO.split("Hotfix")[0] + "Hotfix(s):                 N/A\r\n"
    assert wo.parse_hotfixes(text) == (0, ())
    (check,) = hotfix_checks(text, {"xp": ("KB958644",)})
    assert check.status == FAIL and check.detail == "0 hotfix(es) listed"


def test_an_empty_baseline_is_not_checked_with_the_reason():
    (check,) = hotfix_checks(SYSTEMINFO, {"xp": ()})
    assert check.status == NOT_CHECKED and "health_check_hotfix_baseline" in check.detail


# -- the probe -----------------------------------------------------------------------------------------
def test_the_audit_sections_are_one_probe_and_only_when_audit_is_on():
    assert AuditOptions().sections() == [] and AuditOptions().check({}) == []
    server = " & ".join(AuditOptions(True, kind="dhcp_server").sections())
    station = " & ".join(AuditOptions(True, kind="workstation").sections())
    for command in ("systeminfo", "wmic useraccount", "secedit /export /areas SECURITYPOLICY", "del "):
        assert command in server and command in station
    assert "Uninstall" not in server and station.count("/s 2>nul") == 2
