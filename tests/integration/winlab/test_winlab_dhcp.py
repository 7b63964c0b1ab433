"""winlab's DHCP Server on the wire (winlab/dhcp.py): a relayed DHCPDISCOVER from the toolkit's probe
(plugin_utils/dhcp_probe.py) gets an offer from the scope whose subnet holds giaddr, sent to the
loopback address the lab gives for that giaddr; nothing while the service is stopped, the scope is
inactive, absent or full; and the daily check's relay_offer_checks judge those answers."""

from __future__ import annotations

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import dhcp_probe
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.dhcp_plan import wanted_scope
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.health_checks import (
    FAIL,
    NOT_CHECKED,
    PASS,
    RelayProbe,
    relay_offer_checks,
)

from winlab.lab import HostConfig, Lab, LabConfig

BRANCH_ROUTER, STAND_IN = "10.27.20.1", "127.0.20.1"
SETUP = [
    r"echo [NetOptionalComponents]> C:\dhcp.txt",
    r"echo DHCPServer = 1 >> C:\dhcp.txt",
    r"start /wait sysocmgr /i:%windir%\inf\sysoc.inf /u:C:\dhcp.txt /q /r",
    'netsh dhcp server add scope 10.27.20.0 255.255.255.0 "Tien Son VLAN 20" "Bac Ninh"',
    "netsh dhcp server scope 10.27.20.0 add iprange 10.27.20.50 10.27.20.254",
    "netsh dhcp server scope 10.27.20.0 add excluderange 10.27.20.50 10.27.20.59",
    "netsh dhcp server scope 10.27.20.0 set optionvalue 3 IPADDRESS 10.27.20.1",
    "netsh dhcp server scope 10.27.20.0 set optionvalue 6 IPADDRESS 10.27.10.53 10.27.10.54",
    "netsh dhcp server scope 10.27.20.0 set state 1",
]
SCOPE = {
    "address": "10.27.20.0",
    "mask": "255.255.255.0",
    "name": "Tien Son VLAN 20",
    "comment": "Bac Ninh",
    "range_start": "10.27.20.50",
    "range_end": "10.27.20.254",
    "exclusions": [{"start": "10.27.20.50", "end": "10.27.20.59"}],
    "router": BRANCH_ROUTER,
    "dns_servers": ["10.27.10.53", "10.27.10.54"],
    "domain_name": "",
}


@pytest.fixture
def lab(tmp_path):
    config = LabConfig(
        tmp_path / "winlab",
        [HostConfig("tien-son", "2003", address="10.27.10.5", dhcp_port=0)],
        https=False,
        service_start_delay=0,
        dhcp_relay_agents={BRANCH_ROUTER: STAND_IN},
    )
    with Lab(config) as lab:
        host = lab.host("tien-son")
        for line in SETUP:
            assert host.run(line).exit_code == 0, line
        yield lab


def probe(lab: Lab, giaddr: str = BRANCH_ROUTER, bind: str = STAND_IN, timeout: float = 2.0):
    port = lab.describe()["hosts"]["tien-son"]["dhcp_port"]
    return dhcp_probe.probe(
        "127.0.0.1", giaddr, timeout=timeout, bind=bind, allowed=["127.0.0.0/8"], port=port
    )


def settings(lab: Lab, **changes) -> RelayProbe:
    port = lab.describe()["hosts"]["tien-son"]["dhcp_port"]
    values = {"server": "127.0.0.1", "port": port, "bind": ((BRANCH_ROUTER, STAND_IN),), "timeout": 1.0}
    return RelayProbe(**{**values, **changes}, allow=("127.0.0.0/8",))


@pytest.mark.assumption  # [U] the lowest free address, and 8 days without option 51 (winlab/dhcp.py)
def test_a_relayed_discover_gets_the_first_free_address_of_the_branch_scope_with_its_options(lab):
    result = probe(lab)
    assert result.offer, result
    assert (result.address, result.mask, result.router) == ("10.27.20.60", "255.255.255.0", BRANCH_ROUTER)
    assert result.dns_servers == ["10.27.10.53", "10.27.10.54"]
    assert result.server_id == "10.27.10.5" and result.lease_time == 8 * 24 * 3600


def test_leased_addresses_are_not_offered_and_a_client_gets_its_own_lease_back(lab):
    lab.add_lease("tien-son", "10.27.20.0", "10.27.20.60", "00-0c-29-00-00-01", "ws1")
    assert probe(lab).address == "10.27.20.61"
    mac = bytes.fromhex("000c29000001")
    port = lab.describe()["hosts"]["tien-son"]["dhcp_port"]
    own = dhcp_probe.probe(
        "127.0.0.1", BRANCH_ROUTER, timeout=2, bind=STAND_IN, allowed=["127.0.0.0/8"], mac=mac, port=port
    )
    assert own.address == "10.27.20.60"


@pytest.mark.parametrize(
    "fault",
    [
        "service stopped",
        pytest.param("scope inactive", marks=pytest.mark.assumption),  # [U] winlab/dhcp.py
        "scope absent",
        pytest.param("scope full", marks=pytest.mark.assumption),  # [U] winlab/dhcp.py
        "host down",
        pytest.param("giaddr unmapped", marks=pytest.mark.assumption),  # [U] lab-only destination
    ],
)
def test_no_offer_when_windows_would_send_none(lab, fault):
    host, giaddr, bind = lab.host("tien-son"), BRANCH_ROUTER, STAND_IN
    if fault == "service stopped":
        lab.set_fault("tien-son", service_stopped="DHCPServer")
    elif fault == "scope inactive":
        assert host.run("netsh dhcp server scope 10.27.20.0 set state 0").exit_code == 0
    elif fault == "scope absent":
        giaddr, bind = "10.27.30.1", STAND_IN  # no scope holds 10.27.30.1
        lab.dhcp.relay_agents["10.27.30.1"] = STAND_IN
    elif fault == "scope full":
        for number in range(60, 255):
            lab.add_lease(
                "tien-son", "10.27.20.0", f"10.27.20.{number}", f"00-0c-29-00-01-{number:02x}", "ws"
            )
    elif fault == "host down":
        lab.set_fault("tien-son", down=True)
    else:
        giaddr = "10.27.20.2"  # in the scope, but the lab reaches no relay agent there
    result = probe(lab, giaddr, bind, timeout=0.5)
    assert not result.offer and result.message.startswith("no answer")


def test_the_relay_check_passes_on_an_offer_from_the_branch_range(lab):
    (check,) = relay_offer_checks((wanted_scope(SCOPE, 0),), settings(lab))
    assert (check.id, check.status, check.item) == ("dhcp.relay_offer", PASS, "10.27.20.0")
    assert check.observed == "10.27.20.60/255.255.255.0 router 10.27.20.1"


@pytest.mark.parametrize(
    "fault", ["service stopped", pytest.param("scope inactive", marks=pytest.mark.assumption)]
)
def test_the_relay_check_fails_when_no_offer_comes(lab, fault):
    if fault == "service stopped":
        lab.set_fault("tien-son", service_stopped="DHCPServer")
    else:
        assert lab.host("tien-son").run("netsh dhcp server scope 10.27.20.0 set state 0").exit_code == 0
    (check,) = relay_offer_checks((wanted_scope(SCOPE, 0),), settings(lab))
    assert check.status == FAIL and check.observed.startswith("no answer within")


def test_the_relay_check_fails_on_an_offer_with_another_router(lab):
    assert (
        lab.host("tien-son")
        .run("netsh dhcp server scope 10.27.20.0 set optionvalue 3 IPADDRESS 10.27.20.2")
        .exit_code
        == 0
    )
    (check,) = relay_offer_checks((wanted_scope(SCOPE, 0),), settings(lab))
    assert check.status == FAIL and "router 10.27.20.2" in check.detail


def test_the_relay_check_is_not_checked_where_the_controller_cannot_bind_the_router(lab):
    # Without a stand-in the probe binds the router itself, which this machine does not have.
    (check,) = relay_offer_checks((wanted_scope(SCOPE, 0),), settings(lab, bind=()))
    assert check.status == NOT_CHECKED and "cannot listen on 10.27.20.1" in check.detail


def test_the_probe_script_takes_the_lab_port(lab, capsys):
    port = lab.describe()["hosts"]["tien-son"]["dhcp_port"]
    argv = ["--server", "127.0.0.1", "--giaddr", BRANCH_ROUTER, "--bind", STAND_IN, "--port", str(port)]
    assert dhcp_probe.main([*argv, "--allow", "127.0.0.0/8", "--timeout", "2"]) == 0
    assert '"address": "10.27.20.60"' in capsys.readouterr().out
    # Without --port it listens on 67 (root only) or refuses: never the lab's port.
    assert dhcp_probe.main([*argv[:6], "--allow", "127.0.0.0/8", "--timeout", "0.3"]) in (1, 2)
