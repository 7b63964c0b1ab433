"""playbooks/daily_check.yml and audit.yml against a lab set up by the toolkit's own plugins
(tests/support/health.py): a healthy lab gives a clean report; each fault winlab and switchlab can
inject appears as a finding with the right rule, severity, site and owner; a host that is down or
refuses the login is a finding while the others are still checked; the next audit lists what was
fixed. Nothing is ever changed on a host: the lab's state is the same before and after each run."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta

import pytest
import yaml
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import health_checks
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.health_report import validate

from tests.support import health
from tests.support.ansible_cli import run_ansible
from tests.support.fixture_files import ROOT

pytestmark = pytest.mark.slow
SCHEMA = ROOT / "roles" / "health_check" / "files" / "health_report.schema.json"
ALL_HOSTS = {
    health.DHCP,
    health.DHCP_2,
    health.BASE,
    health.BASE_2,
    health.STATION,
    health.STATION_2,
    health.SWITCH,
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    yield from health.configured_lab(tmp_path_factory.mktemp("health-lab"))


@pytest.fixture(scope="module")
def healthy(lab):
    before = lab.states()
    report = lab.run("daily_check.yml")
    return report, before, lab.states(), lab.report_path


@pytest.fixture(scope="module")
def faulty(lab, healthy):
    """One audit run with a fault on every host (see each test)."""
    lab.lease(health.DHCP, "198.18.6.0", [f"198.18.6.{number}" for number in range(50, 250)])  # 200 of 205
    lab.fault(health.DHCP_2, service_stopped="DHCPServer")
    lab.command(health.BASE, "net share VNACCS_EUC /DELETE")
    lab.fault(health.BASE_2, down=True)
    lab.start_switch(["198.18.5.99"])  # the helper was changed on the switch
    inventory = lab.inventory()
    stations = inventory["all"]["children"]["workstations"]["hosts"]
    stations[health.STATION_2]["terminal_id"] = stations[health.STATION]["terminal_id"]
    lab.command(health.STATION_2, "schtasks /delete /tn VNACCS-DailyRestart /f")
    lab.boot_time(health.STATION, "2020-01-01T07:00:00")  # not restarted since
    before = lab.states()
    report = lab.run("audit.yml", inventory=inventory)
    return report, before, lab.states(), lab.report_path


def finding(report: dict, key: str) -> dict:
    found = {item["key"]: item for item in report["findings"]}
    assert key in found, sorted(found)
    return found[key]


# -- a healthy lab -----------------------------------------------------------------------------------
def test_a_healthy_lab_gives_a_clean_report(healthy):
    report, before, after, path = healthy
    validate(report, SCHEMA)
    assert report["kind"] == "daily_check" and report["findings"] == []
    assert {item["name"] for item in report["hosts"]} == ALL_HOSTS
    statuses = {check["status"] for item in report["hosts"] for check in item["checks"]}
    assert statuses == {"pass", "not_checked"}
    waiting = {
        check["id"]
        for item in report["hosts"]
        for check in item["checks"]
        if check["status"] == "not_checked"
    }
    # Only the client checks wait (the lab has had no rollout); the restart task is as the job made it.
    assert waiting == {
        check for check, why in health_checks.NOT_YET_AVAILABLE.items() if why == health_checks.ROLLOUT
    }
    assert after == before  # nothing changed on any host
    relay = {
        (item["name"], check["item"]): check
        for item in report["hosts"]
        for check in item["checks"]
        if check["id"] == "dhcp.relay_offer"
    }
    assert {key: check["status"] for key, check in relay.items()} == {
        (health.DHCP, "198.18.5.0"): "pass",
        (health.DHCP, "198.18.6.0"): "pass",
        (health.DHCP_2, "198.18.20.0"): "pass",
    }
    # The first free address of each range (the site scope excludes .50-.59), the scope's mask and router.
    assert relay[(health.DHCP, "198.18.5.0")]["observed"] == "198.18.5.60/255.255.255.0 router 198.18.5.1"
    assert relay[(health.DHCP, "198.18.6.0")]["observed"] == "198.18.6.50/255.255.255.0 router 198.18.6.1"
    assert sorted(item.name for item in path.parent.iterdir()) == [
        "checks.csv",
        "findings.csv",
        "junit.xml",
        "report.html",
        "report.json",
    ]


def test_the_healthy_run_prints_the_summary_and_the_report_path(lab, healthy):
    _, _, _, path = healthy
    assert f"HTML report: {path.parent / 'report.html'}" in lab.last.stdout
    assert "7 host(s), 0 unreachable;" in lab.last.stdout
    assert "changed=1" not in lab.last.stdout and "failed=1" not in lab.last.stdout


def test_the_first_workstation_of_the_site_checks_its_base_servers_ftp_port(healthy):
    report = healthy[0]
    check = health.checks_of(report, health.STATION)[("workstation.base_ftp", "198.19.48.6")]
    assert check["status"] == "pass" and check["observed"].startswith("220 ")
    assert not [key for key in health.checks_of(report, health.STATION_2) if key[0] == "workstation.base_ftp"]


def test_the_first_workstation_of_the_site_asks_the_ecus6_portal(healthy):
    report = healthy[0]
    check = health.checks_of(report, health.STATION)[("ecus6.reachable", health.SITE)]
    assert check["status"] == "pass" and check["observed"] == "HTTP 200"
    assert not [key for key in health.checks_of(report, health.STATION_2) if key[0] == "ecus6.reachable"]
    # Every workstation reports its mode (none was switched).
    for station in (health.STATION, health.STATION_2):
        assert health.checks_of(report, station)[("ecus6.mode", "vnaccs")]["status"] == "pass"


def test_a_department_that_needs_no_ecus6_is_not_asked(lab, healthy):
    report = lab.run("daily_check.yml", "-l", f"{health.STATION},localhost", "-e", "ecus6_branch_check=false")
    assert not [key for key in health.checks_of(report, health.STATION) if key[0] == "ecus6.reachable"]


# -- faults ------------------------------------------------------------------------------------------
EXPECTED = [
    # (finding key, article, severity, department, site)
    (
        f"dhcp.service_running|{health.DHCP_2}|DHCPServer",
        "Phụ lục III",
        "critical",
        health.DEPARTMENT_2,
        health.SITE_2,
    ),
    (
        f"dhcp.relay_offer|{health.DHCP_2}|198.18.20.0",
        "Phụ lục IV, mục II",
        "high",
        health.DEPARTMENT_2,
        health.SITE_2,
    ),
    (
        f"dhcp.scope_usage|{health.DHCP}|198.18.6.0",
        "Phụ lục III",
        "critical",
        health.DEPARTMENT,
        health.SITE,
    ),
    (
        f"base.share|{health.BASE}|VNACCS_EUC",
        "Phụ lục III",
        "high",
        health.BASE_DEPARTMENT,
        f"Base server {health.BASE_DEPARTMENT}",
    ),
    (
        f"host.reachable|{health.BASE_2}|",
        "Điều 9",
        "critical",
        health.BASE_DEPARTMENT_2,
        f"Base server {health.BASE_DEPARTMENT_2}",
    ),
    (
        f"base.ftp_port|{health.BASE_2}|",
        "Phụ lục III",
        "high",
        health.BASE_DEPARTMENT_2,
        f"Base server {health.BASE_DEPARTMENT_2}",
    ),
    (
        f"switch.helper_address|{health.SWITCH}|Vlan10",
        "Phụ lục IV, mục II",
        "high",
        health.DEPARTMENT,
        health.SITE,
    ),
    (
        f"workstation.reboot_task|{health.STATION_2}|VNACCS-DailyRestart",
        "Điều 23",
        "high",
        health.DEPARTMENT,
        health.SITE,
    ),
    (
        f"workstation.last_boot|{health.STATION}|",
        "Điều 23",
        "medium",
        health.DEPARTMENT,
        health.SITE,
    ),
    (
        f"audit.terminal_id_unique|{health.STATION}|1BTS001",
        "Điều 15",
        "high",
        health.DEPARTMENT,
        health.SITE,
    ),
    (
        f"audit.terminal_id_unique|{health.STATION_2}|1BTS001",
        "Điều 15",
        "high",
        health.DEPARTMENT,
        health.SITE,
    ),
]


@pytest.mark.fault
@pytest.mark.parametrize(
    ("key", "article", "severity", "department", "site"),
    EXPECTED,
    ids=[row[0].split("|")[0] + "|" + row[0].split("|")[1] for row in EXPECTED],
)
def test_each_fault_is_a_finding_with_its_rule_severity_site_and_owner(
    faulty, key, article, severity, department, site
):
    report = faulty[0]
    item = finding(report, key)
    assert (item["article"]["vi"], item["severity"], item["department"], item["site"]) == (
        article,
        severity,
        department,
        site,
    )
    assert item["impact"]["vi"] and item["impact"]["en"]
    days = {"critical": 1, "high": 3, "medium": 14}[severity]
    assert date.fromisoformat(item["due"]) - date.fromisoformat(item["first_seen"]) == timedelta(days=days)
    assert key in report["comparison"]["new"]


@pytest.mark.fault
def test_the_faults_and_nothing_else(faulty):
    report, before, after, _ = faulty
    validate(report, SCHEMA)
    assert sorted(item["key"] for item in report["findings"]) == sorted(row[0] for row in EXPECTED)
    assert finding(report, f"dhcp.scope_usage|{health.DHCP}|198.18.6.0")["observed"].startswith(
        "98% used (200 in use"
    )
    assert finding(report, f"switch.helper_address|{health.SWITCH}|Vlan10")["observed"] == "198.18.5.99"
    assert after == before  # the audit changed nothing either


@pytest.mark.fault
def test_one_host_down_still_reports_all_the_others(faulty):
    report = faulty[0]
    assert {item["name"] for item in report["hosts"]} == ALL_HOSTS
    reachable = {item["name"]: item["reachable"] for item in report["hosts"]}
    assert reachable == {name: name != health.BASE_2 for name in ALL_HOSTS}
    # The down host: only what could be said without it.
    down = next(item for item in report["hosts"] if item["name"] == health.BASE_2)
    assert {check["id"] for check in down["checks"]} == {
        "host.reachable",
        "base.client_staged",
        "base.ftp_port",
    }
    # The stopped DHCP service: its scopes could not be read, so they are not checked, not failed.
    stopped = next(item for item in report["hosts"] if item["name"] == health.DHCP_2)
    scopes = {check["status"] for check in stopped["checks"] if check["id"].startswith("dhcp.scope_")}
    assert scopes == {"not_checked"}


@pytest.mark.fault
def test_a_refused_login_is_a_finding_and_is_not_retried(lab, faulty, tmp_path):
    inventory = lab.inventory()
    inventory["all"]["children"]["workstations"]["hosts"][health.STATION]["ansible_password"] = (
        "Wrong-password-1"
    )
    report = lab.run(
        "daily_check.yml", "-l", f"{health.STATION},{health.DHCP},localhost", inventory=inventory
    )
    refused = finding(report, f"host.reachable|{health.STATION}|")
    assert "authentication failed" in refused["detail"] and "not retried" in refused["detail"]
    assert (refused["article"]["vi"], refused["severity"]) == ("Điều 15", "medium")
    assert {item["name"] for item in report["hosts"]} == {health.STATION, health.DHCP}
    assert lab.winlab.runtime(health.STATION).bad_logons == {"administrator": 1}  # one try, never two
    lab.winlab.reset_lockout(health.STATION)


@pytest.mark.fault
def test_the_next_audit_lists_what_was_fixed_and_what_is_still_open(lab, faulty):
    report_before = faulty[0]
    lab.command(health.BASE, r"net share VNACCS_EUC=C:\VNACCS\Base\EUCReports")
    lab.command(health.DHCP_2, "net start DHCPServer")
    inventory = lab.inventory()
    stations = inventory["all"]["children"]["workstations"]["hosts"]
    stations[health.STATION_2]["terminal_id"] = stations[health.STATION]["terminal_id"]
    report = lab.run("audit.yml", inventory=inventory)
    comparison = report["comparison"]
    assert comparison["previous"][0]["generated_at"] == report_before["generated_at"]
    assert {item["key"] for item in comparison["fixed"]} == {
        f"base.share|{health.BASE}|VNACCS_EUC",
        f"dhcp.service_running|{health.DHCP_2}|DHCPServer",
        f"dhcp.relay_offer|{health.DHCP_2}|198.18.20.0",  # the service back, the relay path answers again
    }
    assert f"host.reachable|{health.BASE_2}|" in comparison["still_open"]
    # The check runs sent nothing to the switch: it still has the changed helper.
    assert f"switch.helper_address|{health.SWITCH}|Vlan10" in comparison["still_open"]
    assert comparison["new"] == []
    kept = finding(report, f"host.reachable|{health.BASE_2}|")
    assert kept["first_seen"] == finding(report_before, f"host.reachable|{health.BASE_2}|")["first_seen"]


@pytest.mark.fault
def test_a_base_server_whose_ftp_service_stopped_is_a_finding_from_the_workstation_too(lab, faulty):
    lab.command(health.BASE, "net stop MSFTPSVC")
    try:
        report = lab.run("daily_check.yml", "-l", f"{health.STATION},{health.BASE},localhost")
    finally:
        lab.command(health.BASE, "net start MSFTPSVC")
    item = finding(report, f"workstation.base_ftp|{health.STATION}|198.19.48.6")
    assert (item["article"]["vi"], item["severity"], item["site"]) == ("Phụ lục III", "high", health.SITE)
    assert item["observed"].startswith("no FTP greeting")
    assert finding(report, f"base.ftp_service_running|{health.BASE}|MSFTPSVC")["severity"] == "high"


# -- Terminal IDs from the site inventory ------------------------------------------------------------
@pytest.mark.fault
def test_a_terminal_id_duplicated_over_the_site_inventory_is_an_audit_finding(inventory_copy, tmp_path):
    # The site data itself refuses a duplicate (./run inventory); a host_vars file beside the
    # inventory can still bring one in, and the audit catches it from the inventory alone.
    snapshot = yaml.safe_load((inventory_copy / "snapshot.yml").read_text(encoding="utf-8"))
    stations = snapshot["all"]["children"]["workstations"]["hosts"]
    first, second = sorted(stations)[:2]
    (inventory_copy / "host_vars").mkdir()
    (inventory_copy / "host_vars" / f"{second}.yml").write_text(
        f"---\nterminal_id: {stations[first]['terminal_id']}\n", encoding="utf-8"
    )
    reports = tmp_path / "reports"
    result = run_ansible(
        "ansible-playbook",
        "-i",
        str(inventory_copy / "vnaccs.sites.yml"),
        # The workstations only (no WinRM account is set: they are findings at once, never contacted).
        "-l",
        "workstations,localhost",
        str(ROOT / "playbooks" / "audit.yml"),
        env={"VNACCS_REPORT_DIR": str(reports)},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    (path,) = reports.glob("*/audit-*/report.json")
    report = json.loads(path.read_text(encoding="utf-8"))
    keys = {item["key"]: item for item in report["findings"]}
    terminal = stations[first]["terminal_id"]
    for name in (first, second):
        item = keys[f"audit.terminal_id_unique|{name}|{terminal}"]
        assert (item["article"]["vi"], item["severity"]) == ("Điều 15", "high")
        assert (item["department"], item["site"]) == (
            stations[name]["department_name_vi"],
            stations[name]["site_name_vi"],
        )
        assert "no WinRM credentials" in keys[f"host.reachable|{name}|"]["detail"]
    shutil.rmtree(reports)


@pytest.mark.fault
def test_a_branch_that_cannot_reach_ecus6_is_a_finding_with_the_letter(lab, healthy):
    # The first workstation of the site asks the lab's emulated portal; with it stopped, the branch
    # is a finding whose source is letter 497/CHQ-CNTT, naming the site.
    assert not any(item["key"].startswith("ecus6.") for item in healthy[0]["findings"])
    lab.winlab.portal.stop()
    try:
        report = lab.run("daily_check.yml")
    finally:
        lab.winlab.portal.start()
    found = [item for item in report["findings"] if item["key"].startswith("ecus6.reachable|")]
    assert [item["key"] for item in found] == [f"ecus6.reachable|{health.STATION}|{health.SITE}"]
    [item] = found
    assert (item["article"]["vi"], item["severity"], item["site"]) == (
        "Công văn 497/CHQ-CNTT",
        "high",
        health.SITE,
    )
    assert item["observed"].startswith("error 80072EFD")
