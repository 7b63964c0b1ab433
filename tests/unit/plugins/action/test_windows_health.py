"""The windows_health action plugin: the daily checks of a DHCP server, a base server and a workstation,
each read with one WinRM command and never a change.

The host is winlab's model of a Windows host, in this process (no socket), answering through the
tests' fake pywinrm Protocol; the FTP port is a loopback-free stand-in (`ftp_check` is patched where
the test is not about it, and tested on its own in tests/integration/winlab/test_winlab_ftp.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from ansible.errors import AnsibleActionFail
from ansible_collections.vncustoms.vnaccs.plugins.action.windows_health import ActionModule
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import health_checks, windows_engine
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.health_checks import Check, ReadOnlyPlan
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import (
    ConnectionSettings,
    WindowsSession,
)
from winrm.exceptions import InvalidCredentialsError

from tests.support.action import FakeProtocol, run_action
from winlab.lab import change_settings
from winlab.model import Host
from winlab.server import encode_console

PASSWORD = "Health-Check-7"
SCOPE = {
    "address": "10.20.1.0",
    "mask": "255.255.255.0",
    "name": "Chi cuc Hai quan Tien Son",
    "comment": "Cuc Hai quan Bac Ninh",
    "range_start": "10.20.1.50",
    "range_end": "10.20.1.254",
    "exclusions": [{"start": "10.20.1.50", "end": "10.20.1.59"}],
    "router": "10.20.1.1",
    "dns_servers": ["10.20.0.53"],
    "domain_name": "",
}
BASELINE = {"2003": 2, "2008": 2, "xp": 3, "7": 1}
# The audit's arguments, with a baseline of the tests' own for each of its checks.
AUDIT = {
    "audit": True,
    "os_baseline": BASELINE,
    "audit_policy": {"logon_events": "success_and_failure", "account_management": "success"},
    "hotfix_baseline": {"2003": ["Q147222"], "2008": ["KB948465"], "xp": ["Q147222"], "7": ["KB976902"]},
    "approved_software": ["VNACCS Client*", "Microsoft Office*"],
}


def model_host(name: str, profile: str, address: str, setup: list[str] = ()) -> Host:
    host = Host(name, profile, address=address, service_start_delay=0)
    for command in setup:
        result = host.run(command)
        assert result.exit_code == 0, (command, result)
    return host


def protocol(host: Host) -> FakeProtocol:
    def answer(command: str):
        result = host.run(command)
        # As winlab's WinRM service encodes console output (2008's OS Name has a ®).
        return encode_console(result.stdout, 437), encode_console(result.stderr, 437), result.exit_code

    return FakeProtocol(answer)


def run(
    host: Host, args: dict[str, Any], fake: FakeProtocol | None = None, **hostvars: Any
) -> dict[str, Any]:
    task_vars = {
        "inventory_hostname": host.name,
        "ansible_host": "127.0.0.1",
        "ansible_user": "Administrator",
        "ansible_password": PASSWORD,
        **hostvars,
    }
    return run_action(ActionModule, args, task_vars, protocol=fake or protocol(host))


def by_id(result: dict[str, Any]) -> dict[tuple[str, str], dict[str, str]]:
    return {(check["id"], check["item"]): check for check in result["checks"]}


DHCP_SETUP = [
    r"echo [NetOptionalComponents]> C:\dhcp.txt",
    r"echo DHCPServer = 1 >> C:\dhcp.txt",
    r"start /wait sysocmgr /i:%windir%\inf\sysoc.inf /u:C:\dhcp.txt /q /r",
    'netsh dhcp server add scope 10.20.1.0 255.255.255.0 "Chi cuc Hai quan Tien Son" "Cuc Hai quan Bac Ninh"',
    "netsh dhcp server scope 10.20.1.0 add iprange 10.20.1.50 10.20.1.254",
    "netsh dhcp server scope 10.20.1.0 add excluderange 10.20.1.50 10.20.1.59",
    "netsh dhcp server scope 10.20.1.0 set optionvalue 3 IPADDRESS 10.20.1.1",
    "netsh dhcp server scope 10.20.1.0 set optionvalue 6 IPADDRESS 10.20.0.53",
    "netsh dhcp server scope 10.20.1.0 set state 1",
]


@pytest.fixture
def dhcp_host() -> Host:
    return model_host("tien-son", "2003", "10.20.1.10", DHCP_SETUP)


def lease(host: Host, count: int, scope: str = "10.20.1.0", first: int = 60) -> None:
    prefix = scope.rsplit(".", 1)[0]
    with host.lock:
        for number in range(count):
            address = f"{prefix}.{first + number}"
            host.state["dhcp"]["scopes"][scope]["leases"].append(
                {
                    "ip": address,
                    "mac": f"00-0c-29-00-00-{number:02x}",
                    "name": f"ws{number}",
                    "expires": "NEVER EXPIRES",
                }
            )


# -- DHCP server -------------------------------------------------------------------------------------
def test_a_healthy_dhcp_server_passes_every_check_in_one_command(dhcp_host):
    fake = protocol(dhcp_host)
    result = run(dhcp_host, {"kind": "dhcp_server", "dhcp": {"scopes": [SCOPE]}}, fake)
    assert result["changed"] is False and result["reachable"] is True
    assert {check["id"]: check["status"] for check in result["checks"]} == {
        "dhcp.service_running": "pass",
        "dhcp.service_automatic": "pass",
        "dhcp.scope_present": "pass",
        "dhcp.scope_active": "pass",
        "dhcp.scope_settings": "pass",
        "dhcp.scope_usage": "pass",
    }
    assert len(fake.commands) == 1  # the probe, and nothing else
    for part in ("sc qc DHCPServer", "sc query DHCPServer", "netsh dhcp server dump", "show mibinfo"):
        assert part in fake.commands[0]
    assert by_id(result)[("dhcp.scope_usage", "10.20.1.0")]["observed"].startswith(
        "0% used (0 in use, 195 free"
    )


def test_a_stopped_dhcp_service_fails_and_the_scopes_are_not_checked(dhcp_host):
    dhcp_host.run("sc stop DHCPServer")
    checks = by_id(run(dhcp_host, {"kind": "dhcp_server", "dhcp": {"scopes": [SCOPE]}}))
    assert checks[("dhcp.service_running", "DHCPServer")]["status"] == "fail"
    assert checks[("dhcp.service_running", "DHCPServer")]["observed"] == "STOPPED"
    assert checks[("dhcp.service_automatic", "DHCPServer")]["status"] == "pass"
    for check_id in ("present", "active", "settings", "usage"):
        check = checks[(f"dhcp.scope_{check_id}", "10.20.1.0")]
        assert check["status"] == "not_checked" and "not running" in check["detail"]


def test_a_manual_start_a_missing_component_and_an_inactive_scope_fail():
    host = model_host("srv", "2003", "10.20.1.10", [*DHCP_SETUP, "sc config DHCPServer start= demand"])
    host.run("netsh dhcp server scope 10.20.1.0 set state 0")
    checks = by_id(run(host, {"kind": "dhcp_server", "dhcp": {"scopes": [SCOPE]}}))
    assert checks[("dhcp.service_automatic", "DHCPServer")]["observed"] == "DEMAND_START"
    assert checks[("dhcp.service_automatic", "DHCPServer")]["status"] == "fail"
    assert checks[("dhcp.scope_active", "10.20.1.0")]["status"] == "fail"
    bare = model_host("bare", "2003", "10.20.2.10")
    checks = by_id(run(bare, {"kind": "dhcp_server", "dhcp": {"scopes": [SCOPE]}}))
    assert checks[("dhcp.service_running", "DHCPServer")]["observed"] == "not installed"
    assert checks[("dhcp.scope_present", "10.20.1.0")]["status"] == "not_checked"


def test_scope_settings_name_each_difference(dhcp_host):
    dhcp_host.run("netsh dhcp server scope 10.20.1.0 set optionvalue 3 IPADDRESS 10.20.1.254")
    dhcp_host.run("netsh dhcp server scope 10.20.1.0 delete excluderange 10.20.1.50 10.20.1.59")
    other = {
        **SCOPE,
        "address": "10.20.9.0",
        "range_start": "10.20.9.50",
        "range_end": "10.20.9.254",
        "exclusions": [],
    }
    other["router"] = "10.20.9.1"
    checks = by_id(run(dhcp_host, {"kind": "dhcp_server", "dhcp": {"scopes": [SCOPE, other]}}))
    settings = checks[("dhcp.scope_settings", "10.20.1.0")]
    assert settings["status"] == "fail"
    assert "router (003) 10.20.1.254 (wanted 10.20.1.1)" in settings["observed"]
    assert "exclusions none (wanted 10.20.1.50-10.20.1.59)" in settings["observed"]
    assert "mask" not in settings["observed"] and "DNS" not in settings["observed"]
    assert checks[("dhcp.scope_present", "10.20.9.0")]["status"] == "fail"
    assert checks[("dhcp.scope_usage", "10.20.9.0")]["status"] == "not_checked"


@pytest.mark.parametrize(
    ("leases", "status"),
    [(155, "pass"), (156, "warn"), (185, "warn"), (186, "fail"), (195, "fail")],
    ids=["79pct", "80pct", "94pct", "95pct", "full"],
)
def test_scope_usage_against_the_thresholds(dhcp_host, leases, status):
    # 195 leasable addresses (.50-.254 without the ten excluded); warning at 80 %, critical at 95 %.
    lease(dhcp_host, leases, first=60)
    lease_count = min(leases, 195)
    check = by_id(run(dhcp_host, {"kind": "dhcp_server", "dhcp": {"scopes": [SCOPE]}}))[
        ("dhcp.scope_usage", "10.20.1.0")
    ]
    assert check["status"] == status
    assert f"({lease_count} in use, {195 - lease_count} free, 0 offered)" in check["observed"]


def test_the_thresholds_are_arguments(dhcp_host):
    lease(dhcp_host, 20)
    args = {"kind": "dhcp_server", "dhcp": {"scopes": [SCOPE], "warning_percent": 5, "critical_percent": 50}}
    assert by_id(run(dhcp_host, args))[("dhcp.scope_usage", "10.20.1.0")]["status"] == "warn"


@pytest.mark.parametrize(
    ("dhcp", "message"),
    [
        ({"scopes": []}, "no scope given"),
        (
            {"scopes": [{**SCOPE, "range_end": "10.20.2.254"}]},
            "dhcp.scopes[0].range_end: 10.20.2.254 is outside",
        ),
        ({"scopes": [SCOPE], "warning_percent": 90, "critical_percent": 80}, "warning_percent 90"),
    ],
    ids=["no-scope", "range-outside", "thresholds"],
)
def test_bad_arguments_fail_before_the_host_is_contacted(dhcp_host, dhcp, message):
    fake = protocol(dhcp_host)
    with pytest.raises(AnsibleActionFail, match=re.escape(message)):
        run(dhcp_host, {"kind": "dhcp_server", "dhcp": dhcp}, fake)
    assert fake.calls == []


def test_the_audit_reads_systeminfo_and_checks_the_service_pack(dhcp_host):
    fake = protocol(dhcp_host)
    args = {"kind": "dhcp_server", "dhcp": {"scopes": [SCOPE]}, "audit": True, "os_baseline": BASELINE}
    check = by_id(run(dhcp_host, args, fake, windows_version="2003"))[("audit.os_service_pack", "2003")]
    assert check["status"] == "pass" and "5.2.3790 Service Pack 2" in check["observed"]
    assert len(fake.commands) == 1 and "systeminfo" in fake.commands[0]
    stricter = {**args, "os_baseline": {**BASELINE, "2003": 3}}
    assert by_id(run(dhcp_host, stricter))[("audit.os_service_pack", "2003")]["status"] == "fail"


AUDIT_IDS = ("audit.os_service_pack", "audit.hotfixes", "audit.default_accounts", "audit.audit_policy")


@pytest.mark.parametrize("profile", ["2003", "2008", "xp", "7"])
def test_a_healthy_host_passes_the_audit_in_one_command(profile):
    kind = "workstation" if profile in ("xp", "7") else "base_server"
    host = model_host(f"audit-{profile}", profile, "10.20.1.77")
    fake = protocol(host)
    before = json.dumps(host.snapshot(), sort_keys=True)
    details = {"workstation": {"scopes": [SCOPE]}} if kind == "workstation" else {"base": {"shares": []}}
    result = run(host, {"kind": kind, **details, **AUDIT}, fake, windows_version=profile)
    checks = [check for check in result["checks"] if check["id"].startswith("audit.")]
    ids = {check["id"] for check in checks}
    assert set(AUDIT_IDS) <= ids and ("audit.approved_software" in ids) == (kind == "workstation")
    assert {check["status"] for check in checks if check["id"] != "audit.restart_outside_peak"} == {"pass"}
    assert len(fake.commands) == 1 and "secedit /export" in fake.commands[0]
    assert json.dumps(host.snapshot(), sort_keys=True) == before  # the template file is gone again


@pytest.mark.parametrize(
    ("fault", "check_id", "item"),
    [
        (
            {"program_installed": {"name": "uTorrent", "version": "3.5.5"}},
            "audit.approved_software",
            "uTorrent",
        ),
        ({"local_account": {"rid": 501, "disabled": False}}, "audit.default_accounts", "Guest (RID 501)"),
        (
            {"local_account": {"rid": 500, "name": "Administrator"}},
            "audit.default_accounts",
            "Administrator (RID 500)",
        ),
        ({"audit_policy": {"AuditLogonEvents": 1}}, "audit.audit_policy", "logon_events"),
        ({"hotfix_removed": "KB976902"}, "audit.hotfixes", "KB976902"),
    ],
)
def test_each_setting_fault_fails_its_audit_check(fault, check_id, item):
    host = model_host("ws-7", "7", "10.20.1.77")
    change_settings(host, fault)
    args = {"kind": "workstation", "workstation": {"scopes": [SCOPE]}, **AUDIT}
    failed = [
        (check["id"], check["item"])
        for check in run(host, args, windows_version="7")["checks"]
        if check["status"] == "fail"
    ]
    assert failed == [(check_id, item)]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"audit_policy": {"logon": "success"}}, "audit_policy.logon: not an audit policy category"),
        ({"audit_policy": {"logon_events": "yes"}}, "audit_policy.logon_events: 'yes' is not one of none"),
        ({"hotfix_baseline": {"7": ["976902"]}}, "hotfix_baseline.7[0]: '976902' is not a KB number"),
        ({"hotfix_baseline": {"vista": []}}, "hotfix_baseline.vista: not a Windows version"),
        ({"hotfix_baseline": {"7": "KB976902"}}, "hotfix_baseline.7: 'KB976902' is not a list"),
    ],
)
def test_bad_audit_baselines_fail_before_the_host_is_contacted(dhcp_host, extra, message):
    fake = protocol(dhcp_host)
    with pytest.raises(AnsibleActionFail, match=re.escape(message)):
        run(dhcp_host, {"kind": "dhcp_server", "dhcp": {"scopes": [SCOPE]}, **AUDIT, **extra}, fake)
    assert fake.calls == []


# -- reaching the host -------------------------------------------------------------------------------
def test_a_refused_login_is_a_result_not_a_failed_task(dhcp_host):
    fake = FakeProtocol(error=InvalidCredentialsError("401"))
    result = run(dhcp_host, {"kind": "workstation", "workstation": {"scopes": [SCOPE]}}, fake)
    assert result["reachable"] is False and result["authentication_failed"] is True
    assert not result.get("failed") and not result.get("unreachable")
    assert fake.shells == 1  # tried once, never again
    checks = by_id(result)
    assert checks[("host.reachable", "")]["status"] == "fail"
    assert "authentication failed" in checks[("host.reachable", "")]["detail"]
    assert checks[("workstation.client_version", "")]["status"] == "not_checked"
    assert PASSWORD not in repr(result)


def test_an_unreachable_base_server_still_gets_its_ftp_port_checked(monkeypatch):
    host = model_host("base", "2008", "10.0.1.20")
    seen = []

    def ftp(address, port, timeout):
        seen.append((address, port))
        return Check("base.ftp_port", "fail", observed="no FTP greeting: refused", expected="220")

    monkeypatch.setattr("ansible_collections.vncustoms.vnaccs.plugins.action.windows_health.ftp_check", ftp)
    fake = FakeProtocol(error=ConnectionRefusedError("refused"))
    args = {"kind": "base_server", "base": {"ftp_address": "10.0.1.20", "ftp_port": 21}}
    result = run(host, args, fake)
    assert result["reachable"] is False
    assert [check["id"] for check in result["checks"]] == [
        "host.reachable",
        "base.client_staged",
        "base.ftp_port",
    ]
    assert seen == [("10.0.1.20", 21)]


# -- base server -------------------------------------------------------------------------------------
BASE_SETUP = [
    "servermanagercmd -install Web-Ftp-Server",
    r"mkdir C:\VNACCS\Base\ClientUpgrades C:\VNACCS\Base\EUCReports",
    r"net share VNACCS_CLIENT=C:\VNACCS\Base\ClientUpgrades",
    r"net share VNACCS_EUC=C:\VNACCS\Base\EUCReports",
]
SHARES = [
    {"name": "VNACCS_CLIENT", "folder": "ClientUpgrades"},
    {"name": "VNACCS_EUC", "folder": "EUCReports"},
]


def test_a_base_server_shares_ftp_service_and_disk():
    host = model_host("base", "2008", "10.0.1.20", BASE_SETUP)
    fake = protocol(host)
    checks = by_id(run(host, {"kind": "base_server", "base": {"shares": SHARES}}, fake))
    client = checks[("base.share", "VNACCS_CLIENT")]
    assert (client["status"], client["observed"]) == ("pass", r"C:\VNACCS\Base\ClientUpgrades")
    assert checks[("base.share", "VNACCS_EUC")]["expected"] == r"C:\VNACCS\Base\EUCReports"
    assert checks[("base.ftp_service_running", "MSFTPSVC")]["status"] == "pass"
    assert checks[("base.disk_free", "C:")]["observed"] == "20.0 GiB free"
    assert checks[("base.client_staged", "")]["status"] == "not_checked"
    assert ("base.ftp_port", "") not in checks  # no ftp_address: the port is not checked
    assert len(fake.commands) == 1 and "net share&" in fake.commands[0] and "dir C:\\" in fake.commands[0]


def test_a_removed_share_a_moved_share_and_a_stopped_ftp_service_fail():
    host = model_host("base", "2008", "10.0.1.20", BASE_SETUP)
    host.run("net share VNACCS_EUC /DELETE")
    host.run(r"net share VNACCS_CLIENT /DELETE")
    host.run(r"net share VNACCS_CLIENT=C:\VNACCS\Base")
    host.run("sc stop MSFTPSVC")
    checks = by_id(run(host, {"kind": "base_server", "base": {"shares": SHARES}}))
    assert checks[("base.share", "VNACCS_EUC")]["observed"] == "absent"
    assert checks[("base.share", "VNACCS_CLIENT")]["observed"] == r"C:\VNACCS\Base"
    assert checks[("base.share", "VNACCS_CLIENT")]["status"] == "fail"
    assert checks[("base.ftp_service_running", "MSFTPSVC")]["status"] == "fail"


@pytest.mark.parametrize(
    ("warning", "critical", "status"),
    [(1, 0, "pass"), (30 * 1024**3, 1, "warn"), (40 * 1024**3, 30 * 1024**3, "fail")],
)
def test_free_space_against_the_thresholds(warning, critical, status):
    host = model_host("base", "2008", "10.0.1.20", BASE_SETUP)
    args = {
        "kind": "base_server",
        "base": {"shares": [], "warning_free_bytes": warning, "critical_free_bytes": critical},
    }
    assert by_id(run(host, args))[("base.disk_free", "C:")]["status"] == status


# -- workstation ---------------------------------------------------------------------------------------
def test_a_workstation_lease_inside_and_outside_the_site_ranges():
    inside = model_host("ws", "7", "10.20.1.77")
    check = by_id(run(inside, {"kind": "workstation", "workstation": {"scopes": [SCOPE]}}))[
        ("workstation.dhcp_lease", "10.20.1.77")
    ]
    assert check["status"] == "pass" and check["detail"].startswith("lease obtained ")
    excluded = model_host("ws", "xp", "10.20.1.55")  # inside the range, but excluded
    result = run(excluded, {"kind": "workstation", "workstation": {"scopes": [SCOPE]}})
    assert by_id(result)[("workstation.dhcp_lease", "")]["status"] == "fail"
    assert by_id(result)[("workstation.dhcp_lease", "")]["observed"] == "10.20.1.55 (DHCP)"
    server = model_host("srv", "2003", "10.20.1.80")  # static: servers do not lease
    result = run(server, {"kind": "workstation", "workstation": {"scopes": [SCOPE]}})
    assert by_id(result)[("workstation.dhcp_lease", "")]["observed"] == "10.20.1.80 (static)"


def test_a_workstation_reports_the_checks_of_jobs_not_yet_available():
    host = model_host("ws", "7", "10.20.1.77")
    checks = run(host, {"kind": "workstation", "workstation": {"scopes": [SCOPE]}, **AUDIT})["checks"]
    waiting = {check["id"]: check["detail"] for check in checks if check["status"] == "not_checked"}
    assert set(waiting) == {
        "workstation.client_version",
        "workstation.reboot_task",
        "workstation.last_boot",
        "workstation.terminal_id",
        "audit.restart_outside_peak",
    }
    client = ("workstation.client_version", "workstation.terminal_id")
    assert all("no client release to compare with" in waiting[key] for key in client)
    assert all(
        "no daily restart settings given" in detail for key, detail in waiting.items() if key not in client
    )


# -- the daily restart task (workstation) ------------------------------------------------------------------
REBOOT = {"time": "12:15", "spread_minutes": 30, "warning_seconds": 300}


def restart_task(host: Host, version: str, **args: Any) -> None:
    """Create the daily restart task as the daily_reboot role does, with the daily_reboot_task plugin."""
    from ansible_collections.vncustoms.vnaccs.plugins.action.daily_reboot_task import ActionModule as Reboot

    task_vars = {
        "inventory_hostname": host.name,
        "ansible_host": "127.0.0.1",
        "ansible_user": "Administrator",
        "ansible_password": PASSWORD,
        "windows_version": version,
    }
    result = run_action(Reboot, {**REBOOT, **args}, task_vars, protocol=protocol(host))
    assert result["changed"] and not result.get("failed"), result


def workstation(host: Host, version: str, fake: FakeProtocol | None = None, **args: Any) -> dict:
    spec = {"kind": "workstation", "workstation": {"scopes": [SCOPE]}, "reboot": REBOOT, **args}
    return by_id(run(host, spec, fake, windows_version=version))


@pytest.mark.parametrize("version", ["xp", "7"])
def test_the_restart_task_the_daily_reboot_job_made_passes_in_the_one_probe(version):
    host = model_host("ws-tien-son-01", version, "10.20.1.77")
    restart_task(host, version)
    fake = protocol(host)
    checks = workstation(host, version, fake, audit=True, os_baseline=BASELINE)
    task = checks[("workstation.reboot_task", "VNACCS-DailyRestart")]
    assert task["status"] == "pass" and task["observed"].startswith("daily at 12:")
    assert task["expected"].startswith(task["observed"][: len("daily at 12:MM")])
    boot = checks[("workstation.last_boot", "")]
    assert boot["status"] == "pass" and boot["expected"] == "within 26 hours"
    window = checks[("audit.restart_outside_peak", "VNACCS-DailyRestart")]
    assert window["status"] == "pass" and window["observed"].startswith("12:")
    assert len(fake.commands) == 1 and "schtasks /query" in fake.commands[0]
    assert "net statistics workstation" in fake.commands[0]


def test_a_missing_task_and_an_old_boot_fail():
    host = model_host("ws-tien-son-01", "7", "10.20.1.77")
    with host.lock:
        host.state["boot_time"] = "2020-01-01T07:00:00"
    checks = workstation(host, "7")
    task = checks[("workstation.reboot_task", "VNACCS-DailyRestart")]
    assert (task["status"], task["observed"]) == ("fail", "absent")
    boot = checks[("workstation.last_boot", "")]
    assert boot["status"] == "fail" and boot["observed"].startswith("2020-01-01 07:00:00 (")


def test_a_task_at_another_time_fails_and_a_peak_hour_window_is_an_audit_finding():
    host = model_host("ws-tien-son-01", "7", "10.20.1.77")
    restart_task(host, "7", time="10:00", spread_minutes=0, force=True)  # forced into the peak hours
    checks = workstation(host, "7", audit=True, os_baseline=BASELINE)
    task = checks[("workstation.reboot_task", "VNACCS-DailyRestart")]
    assert task["status"] == "fail" and task["observed"] == "time 10:00"
    window = checks[("audit.restart_outside_peak", "VNACCS-DailyRestart")]
    assert window["status"] == "fail" and window["observed"].startswith("10:00-10:15")
    assert "peak hours (09:00-12:00" in window["detail"]


def test_restart_checks_without_a_known_version_are_not_checked_and_bad_settings_name_the_field():
    host = model_host("ws-tien-son-01", "7", "10.20.1.77")
    checks = workstation(host, "")
    assert checks[("workstation.reboot_task", "")]["status"] == "not_checked"
    assert "no Windows version" in checks[("workstation.last_boot", "")]["detail"]
    with pytest.raises(AnsibleActionFail, match=r"reboot\.time: '25:00'"):
        workstation(host, "7", reboot={"time": "25:00"})


# -- the read-only engine entry point --------------------------------------------------------------------
class _Changing(ReadOnlyPlan):
    def probe_command(self) -> str:
        return "hostname"

    def parse_probe(self, stdout: str) -> str:
        return stdout

    def steps(self, state):
        return [windows_engine.Step("start it", (windows_engine.sc_start("DHCPServer"),))]


def test_inspect_host_refuses_a_plan_that_plans_a_change():
    fake = FakeProtocol({"hostname": b"SRV\r\n"})
    settings = ConnectionSettings("srv", "127.0.0.1", "Administrator", PASSWORD)
    with (
        WindowsSession(settings, protocol_factory=lambda _: fake) as session,
        pytest.raises(windows_engine.PlanError, match="a read-only plan planned changes"),
    ):
        windows_engine.inspect_host(session, _Changing())
    assert fake.commands == ["hostname"]


def test_every_status_is_one_of_the_four():
    assert health_checks.STATUSES == ("pass", "warn", "fail", "not_checked")


# -- the base server's FTP port, from a workstation ------------------------------------------------------
def test_a_workstation_that_cannot_reach_its_base_server_by_ftp_fails_the_check_in_the_same_command():
    host = model_host("ws-tien-son-01", "xp", "10.20.1.77")  # no base server in this lab: nothing answers
    fake = protocol(host)
    spec = {"kind": "workstation", "workstation": {"scopes": [SCOPE], "ftp_address": "10.20.0.6"}}
    check = by_id(run(host, spec, fake))[("workstation.base_ftp", "10.20.0.6")]
    assert check["status"] == "fail" and check["observed"].startswith("no FTP greeting: ")
    assert check["expected"] == "a 220 greeting from 10.20.0.6:21"
    assert len(fake.commands) == 1 and "ftp -n -s:" in fake.commands[0]
    assert "open 10.20.0.6" in fake.commands[0] and "user" not in fake.commands[0]  # no logon is tried
    assert host.run(r"dir %SystemRoot%\Temp\vnaccs-ftpcheck.txt").exit_code != 0  # the script is gone


def test_the_ftp_check_reads_the_greeting_from_the_transcript():
    transcript = "Connected to 10.20.0.6.\r\n220 Microsoft FTP Service\r\nftp> bye\r\n221 Goodbye.\r\n"
    check = health_checks.workstation_ftp_check("10.20.0.6", 21, transcript)
    assert (check.status, check.observed) == ("pass", "220 Microsoft FTP Service")
    refused = "> ftp: connect :Connection refused\r\nftp> bye\r\n"
    check = health_checks.workstation_ftp_check("10.20.0.6", 21, refused)
    assert (check.status, check.observed) == ("fail", "no FTP greeting: > ftp: connect :Connection refused")


def test_a_bad_ftp_address_is_refused_before_the_host_is_contacted():
    host = model_host("ws-tien-son-01", "7", "10.20.1.77")
    fake = protocol(host)
    spec = {"kind": "workstation", "workstation": {"scopes": [SCOPE], "ftp_address": "10.0.0.6&del x"}}
    with pytest.raises(AnsibleActionFail, match=r"workstation\.ftp_address: '10\.0\.0\.6&del x'"):
        run(host, spec, fake)
    assert fake.commands == []


# -- the report's entry -------------------------------------------------------------------------------
RECORD = {
    "kind": "dhcp_server",
    "department": "Cục Hải quan Bắc Ninh",
    "site": "Chi cục Hải quan Tiên Sơn",
    "region": "",
    "address": "10.20.1.10",
    "helper": "",
}


def test_with_a_record_the_result_is_also_the_hosts_report_entry(dhcp_host):
    result = run(dhcp_host, {"kind": "dhcp_server", "dhcp": {"scopes": [SCOPE]}, "record": RECORD})
    entry = result["ansible_facts"]["health_check_result"]
    assert entry["name"] == "tien-son"
    assert {key: entry[key] for key in RECORD} == RECORD
    assert entry["result"]["checks"] == result["checks"]
    assert entry["result"]["reachable"] is True
    assert "ansible_facts" not in entry["result"]


def test_without_a_record_no_fact_is_set(dhcp_host):
    assert "ansible_facts" not in run(dhcp_host, {"kind": "dhcp_server", "dhcp": {"scopes": [SCOPE]}})


def test_an_unreachable_host_with_a_record_is_an_entry_that_says_so(dhcp_host):
    fake = FakeProtocol(error=InvalidCredentialsError("401"), fail_on="open_shell")
    result = run(dhcp_host, {"kind": "dhcp_server", "dhcp": {"scopes": [SCOPE]}, "record": RECORD}, fake)
    entry = result["ansible_facts"]["health_check_result"]
    assert entry["result"]["reachable"] is False
    assert PASSWORD not in json.dumps(entry)
