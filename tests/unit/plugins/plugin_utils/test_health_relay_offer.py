"""The daily check's relay path (`dhcp.relay_offer`, health_checks.py): how a probe's answer is judged,
the probe's settings, and what a Kea server's `host.reachable` says. No packet is sent here: the probes
against winlab are in tests/integration/winlab/test_winlab_dhcp.py."""

from __future__ import annotations

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.dhcp_plan import wanted_scope
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.dhcp_probe import ProbeResult
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.health_catalogue import meaning, name
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.health_checks import (
    FAIL,
    NOT_CHECKED,
    PASS,
    RELAY_OFF,
    Check,
    RelayProbe,
    kea_reachable,
    relay_offer_check,
    relay_offer_checks,
    relay_probe,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import PlanError

SCOPE = {
    "address": "10.20.5.0",
    "mask": "255.255.255.0",
    "name": "VLAN 10",
    "comment": "",
    "range_start": "10.20.5.50",
    "range_end": "10.20.5.254",
    "exclusions": [{"start": "10.20.5.50", "end": "10.20.5.59"}],
    "router": "10.20.5.1",
    "dns_servers": [],
    "domain_name": "",
}
WANT = wanted_scope(SCOPE, 0)


def offer(address: str = "10.20.5.60", mask: str = "255.255.255.0", router: str = "10.20.5.1") -> ProbeResult:
    return ProbeResult("10.20.1.10", "10.20.5.1", True, address, mask, router, server_id="10.20.1.10")


def test_an_offer_from_the_range_with_the_mask_and_router_passes():
    check = relay_offer_check(WANT, offer())
    assert (check.status, check.item) == (PASS, "10.20.5.0")
    assert check.observed == "10.20.5.60/255.255.255.0 router 10.20.5.1"
    assert check.expected == "an offer of 10.20.5.50-10.20.5.254/255.255.255.0 router 10.20.5.1"


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (offer("10.20.5.20"), "10.20.5.20 is outside the range"),
        (offer("10.20.6.60"), "10.20.6.60 is outside the range"),
        (offer("10.20.5.55"), "10.20.5.55 is excluded"),
        (offer(mask="255.255.0.0"), "mask 255.255.0.0"),
        (offer(router="10.20.5.254"), "router 10.20.5.254"),
        (offer(router=""), "router none"),
    ],
)
def test_an_offer_that_differs_from_the_scope_fails_and_says_how(answer, problem):
    check = relay_offer_check(WANT, answer)
    assert check.status == FAIL and problem in check.detail


@pytest.mark.parametrize("message", ["no answer within 3 s", "got a DHCPNAK"])
def test_no_offer_fails_with_what_came_back(message):
    check = relay_offer_check(WANT, ProbeResult("10.20.1.10", "10.20.5.1", False, message=message))
    assert (check.status, check.observed) == (FAIL, message)


def test_a_probe_that_is_off_or_cannot_run_sends_nothing_and_is_not_checked():
    inactive = wanted_scope(
        {
            **SCOPE,
            "address": "10.20.6.0",
            "state": "inactive",
            "router": "10.20.6.1",
            "range_start": "10.20.6.50",
            "range_end": "10.20.6.254",
            "exclusions": [],
        },
        1,
    )
    no_router = wanted_scope(
        {
            **SCOPE,
            "address": "10.20.7.0",
            "router": "",
            "range_start": "10.20.7.50",
            "range_end": "10.20.7.254",
            "exclusions": [],
        },
        2,
    )
    off = relay_offer_checks((WANT,), RelayProbe("10.20.1.10", enabled=False))
    assert [(check.status, check.detail) for check in off] == [(NOT_CHECKED, RELAY_OFF)]
    # A server outside every allowed network is refused before a socket is opened.
    skipped = relay_offer_checks((inactive, no_router, WANT), RelayProbe("192.0.2.10"))
    assert [check.status for check in skipped] == [NOT_CHECKED] * 3
    assert "inactive" in skipped[0].detail and "no router" in skipped[1].detail
    assert "outside the networks the probe may reach" in skipped[2].detail


def test_the_settings_are_checked_and_name_the_field():
    settings = relay_probe(
        {"bind": {"10.20.5.1": "127.0.5.1"}, "port": 6767, "allow": ["127.0.0.0/8"]}, "10.20.1.10"
    )
    assert settings == RelayProbe("10.20.1.10", 6767, (("10.20.5.1", "127.0.5.1"),), 3.0, ("127.0.0.0/8",))
    assert relay_probe(None, "10.20.1.10") is None
    for spec, field in (
        ({"port": 70000}, "dhcp.relay_probe.port"),
        ({"bind": {"10.20.5.1": "loopback"}}, "dhcp.relay_probe.bind"),
        ({"allow": ["10.0.0.0/33"]}, "dhcp.relay_probe.allow"),
        ({"timeout": 0}, "dhcp.relay_probe.timeout"),
    ):
        with pytest.raises(PlanError, match=field):
            relay_probe(spec, "10.20.1.10")


def test_a_kea_server_is_reachable_when_any_scope_answered():
    passed = Check("dhcp.relay_offer", PASS, "a", "10.20.5.60/255.255.255.0 router 10.20.5.1")
    nak = Check("dhcp.relay_offer", FAIL, "b", "got a DHCPNAK")
    silent = Check("dhcp.relay_offer", FAIL, "c", "no answer within 3 s")
    skipped = Check("dhcp.relay_offer", NOT_CHECKED, "d", detail="not probed")
    assert kea_reachable([silent, nak]).status == PASS
    assert kea_reachable([silent, passed]).status == PASS
    assert kea_reachable([silent, skipped]).status == FAIL
    assert kea_reachable([skipped]).status == NOT_CHECKED
    assert kea_reachable([]).status == NOT_CHECKED


def test_the_check_has_its_catalogue_entry_and_name():
    entry = meaning("dhcp.relay_offer", "dhcp_server")
    assert (entry["article"], entry["severity"]) == ("appendix-iv-ii", "high")
    assert entry["title"]["vi"] and entry["title"]["en"] and entry["impact"]["vi"] and entry["impact"]["en"]
    assert name("dhcp.relay_offer")["en"] == "Offer through the relay (probed from the controller)"
