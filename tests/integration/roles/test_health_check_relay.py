"""The daily check's relay path (`dhcp.relay_offer`) through playbooks/daily_check.yml on the health
lab (tests/support/health.py): a deactivated VLAN scope is a finding of its own besides the inactive
scope; a DHCP server on Kea (`dhcp_backend: kea`) is checked by the probe alone, with no WinRM request;
a controller that cannot bind a router's address reports the check as not checked, never failed.

Kea itself is not started here (no Kea on the test machine without its container): winlab's DHCP
Server answers on the wire in its place; the probe against a real Kea is molecule/dhcp_e2e's."""

from __future__ import annotations

import pytest

from tests.support import health

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with health.HealthLab(tmp_path_factory.mktemp("relay-lab")) as lab:
        lab.configure()
        yield lab


def dhcp_only(lab: health.HealthLab, **changes) -> dict:
    inventory = lab.inventory()
    hosts = inventory["all"]["children"]["dhcp_servers"]["hosts"]
    for name, values in changes.items():
        hosts[name].update(values)
    return inventory


def test_a_dhcp_server_on_kea_is_checked_by_the_probe_alone_without_winrm(lab):
    lab.winlab.runtime(health.DHCP_2).reset_counters()
    inventory = dhcp_only(lab, **{health.DHCP_2: {"dhcp_backend": "kea"}})
    report = lab.run("daily_check.yml", "-l", f"{health.DHCP_2},localhost", inventory=inventory)
    checks = health.checks_of(report, health.DHCP_2)
    assert {key: check["status"] for key, check in checks.items()} == {
        ("host.reachable", ""): "pass",
        ("dhcp.relay_offer", "198.18.20.0"): "pass",
    }
    assert checks[("dhcp.relay_offer", "198.18.20.0")]["observed"].startswith("198.18.20.50/255.255.255.0")
    assert report["findings"] == []
    assert lab.winlab.runtime(health.DHCP_2).counters()["requests"] == 0  # no WinRM at all


def test_a_kea_server_that_does_not_answer_is_unreachable_and_its_scope_a_finding(lab):
    lab.fault(health.DHCP_2, service_stopped="DHCPServer")
    try:
        inventory = dhcp_only(lab, **{health.DHCP_2: {"dhcp_backend": "kea"}})
        report = lab.run("daily_check.yml", "-l", f"{health.DHCP_2},localhost", inventory=inventory)
    finally:
        lab.command(health.DHCP_2, "net start DHCPServer")
    keys = sorted(item["key"] for item in report["findings"])
    assert keys == [f"dhcp.relay_offer|{health.DHCP_2}|198.18.20.0", f"host.reachable|{health.DHCP_2}|"]
    (entry,) = report["hosts"]
    assert entry["reachable"] is False


@pytest.mark.assumption  # [U] a disabled scope offers nothing (winlab/dhcp.py)
def test_a_deactivated_vlan_scope_makes_no_offer_through_the_relay(lab):
    lab.command(health.DHCP, "netsh dhcp server scope 198.18.6.0 set state 0")
    try:
        report = lab.run("daily_check.yml", "-l", f"{health.DHCP},localhost")
    finally:
        lab.command(health.DHCP, "netsh dhcp server scope 198.18.6.0 set state 1")
    keys = sorted(item["key"] for item in report["findings"])
    assert keys == [
        f"dhcp.relay_offer|{health.DHCP}|198.18.6.0",
        f"dhcp.scope_active|{health.DHCP}|198.18.6.0",
    ]
    relay = health.findings_of(report, "dhcp.relay_offer")[0]
    assert (relay["severity"], relay["article"]["en"]) == ("high", "Appendix IV, section II")
    assert relay["observed"].startswith("no answer within")
    assert health.checks_of(report, health.DHCP)[("dhcp.relay_offer", "198.18.5.0")]["status"] == "pass"


def test_a_controller_that_cannot_bind_the_router_reports_not_checked(lab):
    inventory = dhcp_only(lab, **{health.DHCP: {"health_check_dhcp_probe_bind": {}}})
    report = lab.run("daily_check.yml", "-l", f"{health.DHCP},localhost", inventory=inventory)
    checks = health.checks_of(report, health.DHCP)
    for item in ("198.18.5.0", "198.18.6.0"):
        check = checks[("dhcp.relay_offer", item)]
        assert check["status"] == "not_checked" and "cannot listen on" in check["detail"], check
    assert report["findings"] == []


def test_the_probe_switched_off_sends_nothing_and_says_so(lab):
    inventory = dhcp_only(lab, **{health.DHCP: {"health_check_dhcp_probe": False}})
    report = lab.run("daily_check.yml", "-l", f"{health.DHCP},localhost", inventory=inventory)
    details = {
        check["detail"]
        for key, check in health.checks_of(report, health.DHCP).items()
        if key[0] == "dhcp.relay_offer"
    }
    assert details == {"the relayed DHCP probe is off (health_check_dhcp_probe: false)"}
