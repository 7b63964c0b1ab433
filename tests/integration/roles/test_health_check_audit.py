"""playbooks/audit.yml's own host checks against the lab of tests/support/health.py: the approved
software of the workstations, the built-in accounts, the audit policy and the hotfixes. A healthy
lab, with the tests' own allow-list and hotfix baseline in its inventory, passes all of them; each
setting fault of winlab (a program installed, the guest enabled, an audit category off, a hotfix
missing) is one finding with its article, severity, site and owner, and nothing else is."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.health_report import validate

from tests.support import health
from tests.support.fixture_files import ROOT

pytestmark = pytest.mark.slow
SCHEMA = ROOT / "roles" / "health_check" / "files" / "health_report.schema.json"
# The tests' own data: what the inventory of a department would give (never the admin's files).
APPROVED = ["VNACCS Client*", "Microsoft Office*"]
HOTFIXES = {"2003": ["Q147222"], "2008": ["KB948465"], "xp": ["Q147222"], "7": ["KB976902"]}
AUDIT_IDS = {"audit.approved_software", "audit.default_accounts", "audit.audit_policy", "audit.hotfixes"}


def audit_inventory(lab: health.HealthLab) -> dict:
    inventory = lab.inventory()
    inventory["all"]["vars"] = {"health_check_hotfix_baseline": HOTFIXES}
    inventory["all"]["children"]["workstations"]["vars"] = {"approved_software": APPROVED}
    return inventory


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    yield from health.configured_lab(tmp_path_factory.mktemp("audit-lab"))


@pytest.fixture(scope="module")
def clean(lab):
    lab.command(
        health.STATION,
        'reg add "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall'
        '\\{33333333-3333-3333-3333-333333333333}" /v DisplayName /d "Microsoft Office 2007" /f',
    )
    before = lab.states()
    report = lab.run("audit.yml", inventory=audit_inventory(lab))
    return report, before, lab.states()


@pytest.fixture(scope="module")
def faulty(lab, clean):
    lab.fault(health.STATION, program_installed={"name": "uTorrent", "version": "3.5.5"})
    lab.fault(health.DHCP, local_account={"rid": 501, "disabled": False})
    lab.fault(health.BASE, audit_policy={"AuditLogonEvents": 1})
    lab.fault(health.STATION_2, hotfix_removed="KB976902")
    return lab.run("audit.yml", inventory=audit_inventory(lab))


def test_a_healthy_lab_passes_every_audit_check(clean):
    report, before, after = clean
    validate(report, SCHEMA)
    assert report["kind"] == "audit" and report["findings"] == []
    seen: dict[str, set[str]] = {}
    for host in report["hosts"]:
        for check in host["checks"]:
            if check["id"] in AUDIT_IDS:
                seen.setdefault(check["id"], set()).add(check["status"])
                assert check["status"] == "pass", (host["name"], check)
    assert set(seen) == AUDIT_IDS
    windows = {host["name"] for host in report["hosts"] if host["kind"] != "switch"}
    checked = {
        host["name"]
        for host in report["hosts"]
        for check in host["checks"]
        if check["id"] == "audit.audit_policy"
    }
    assert checked == windows  # every Windows host, and the workstations' software too
    assert after == before  # the template secedit wrote is gone: nothing changed on any host


EXPECTED = [
    # (finding key, article, severity, department, site)
    (
        f"audit.approved_software|{health.STATION}|uTorrent",
        "Điều 15",
        "medium",
        health.DEPARTMENT,
        health.SITE,
    ),
    (
        f"audit.default_accounts|{health.DHCP}|Guest (RID 501)",
        "Điều 4",
        "high",
        health.DEPARTMENT,
        health.SITE,
    ),
    (
        f"audit.audit_policy|{health.BASE}|logon_events",
        "Điều 24",
        "medium",
        health.BASE_DEPARTMENT,
        f"Base server {health.BASE_DEPARTMENT}",
    ),
    (f"audit.hotfixes|{health.STATION_2}|KB976902", "Điều 4", "high", health.DEPARTMENT, health.SITE),
]


@pytest.mark.fault
def test_each_setting_fault_is_one_finding_with_its_rule_severity_site_and_owner(faulty):
    validate(faulty, SCHEMA)
    found = {item["key"]: item for item in faulty["findings"]}
    assert sorted(found) == sorted(row[0] for row in EXPECTED)
    days = {"high": 3, "medium": 14}
    for key, article, severity, department, site in EXPECTED:
        item = found[key]
        assert (item["article"]["vi"], item["severity"], item["department"], item["site"]) == (
            article,
            severity,
            department,
            site,
        ), key
        assert item["impact"]["vi"] and item["impact"]["en"] and item["title"]["en"]
        assert date.fromisoformat(item["due"]) - date.fromisoformat(item["first_seen"]) == timedelta(
            days=days[severity]
        )
        assert key in faulty["comparison"]["new"]
