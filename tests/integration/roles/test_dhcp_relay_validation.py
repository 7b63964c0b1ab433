"""dhcp_relay refuses bad input before it contacts the switch, naming the host, site and variable;
and it never tries a refused password twice.

The input cases run playbooks/relay.yml on a one-switch inventory whose switch address is a
loopback port that counts who connects: the check must refuse the input with the connection count
still at zero. The login cases run it against a simulated switch that logs every refused login.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from switchlab.server import SviSpec
from tests.support.ansible_cli import WatchedPort, closed_port, run_ansible_playbook
from tests.support.switches import switch_spec

pytestmark = pytest.mark.slow

GOOD = {
    "site_name_vi": "Chi cục Hải quan Tiên Sơn",
    "dhcp_server_ip": "10.20.0.10",
    "site_vlans": [
        {"id": 10, "interface": "Vlan10", "subnet": "10.20.10.0/24", "gateway": "10.20.10.1"},
        {"id": 20, "interface": "Vlan20", "subnet": "10.20.20.0/24", "gateway": "10.20.20.1"},
    ],
    "site_stale_helpers": [],
    "switch_transport": "ssh",
    "ansible_user": "netops",
    "ansible_password": "lab-login-pw",
}


def run_playbook(tmp_path: Path, hostvars: dict, *extra: str, port: int = 0):
    """Run playbooks/relay.yml on one switch at 127.0.0.1:`port` (default: a closed port)."""
    port = port or closed_port()
    inventory = {
        "all": {
            "children": {
                "switches": {
                    "hosts": {"tien-son-sw": {"ansible_host": "127.0.0.1", "ansible_port": port, **hostvars}},
                    "vars": {
                        "ansible_network_os": "cisco.ios.ios",
                        "ansible_connection": "ansible.netcommon.network_cli",
                    },
                }
            }
        }
    }
    backups = {"VNACCS_SWITCH_BACKUP_DIR": str(tmp_path)}
    return run_ansible_playbook("relay.yml", inventory, tmp_path, *extra, env=backups)


def with_vlan(**changes) -> dict:
    vlans = [dict(GOOD["site_vlans"][0], **changes), GOOD["site_vlans"][1]]
    return {**GOOD, "site_vlans": vlans}


@pytest.mark.fault
@pytest.mark.parametrize(
    ("hostvars", "expected"),
    [
        pytest.param(with_vlan(gateway="10.20.11.1"), "entry for VLAN 10", id="gateway-outside-subnet"),
        pytest.param(with_vlan(gateway="10.20.10.0"), "entry for VLAN 10", id="gateway-is-network-address"),
        pytest.param(with_vlan(interface="Vlan11"), "the interface must be Vlan10", id="interface-mismatch"),
        pytest.param(with_vlan(subnet="10.20.10.1/24"), "entry for VLAN 10", id="subnet-not-a-network"),
        pytest.param(
            {**GOOD, "dhcp_server_ip": "10.20.0.0/24"}, "dhcp_relay_helper_address", id="helper-cidr"
        ),
        pytest.param(
            {**GOOD, "dhcp_server_ip": "224.0.0.5"}, "dhcp_relay_helper_address", id="helper-multicast"
        ),
        pytest.param(
            {**GOOD, "site_stale_helpers": ["10.20.0.10"]},
            "cannot be both wanted and stale",
            id="helper-stale",
        ),
        pytest.param(
            {**GOOD, "site_vlans": [GOOD["site_vlans"][0], GOOD["site_vlans"][0]]},
            "twice",
            id="duplicate-vlan",
        ),
        pytest.param({**GOOD, "ansible_password": ""}, "dhcp_relay_password must be set", id="no-password"),
    ],
)
def test_bad_input_fails_before_connecting(tmp_path, hostvars, expected):
    with WatchedPort() as switch:
        result = run_playbook(tmp_path, hostvars, port=switch.number)
        output = result.stdout + result.stderr
        assert result.returncode != 0, output
        assert expected in output
        assert "tien-son-sw (Chi cục Hải quan Tiên Sơn)" in output
        assert switch.contacts() == 0, "the switch was contacted"


@pytest.mark.fault
def test_bad_transport_is_refused_by_the_argument_spec(tmp_path):
    result = run_playbook(tmp_path, {**GOOD, "switch_transport": "rlogin"})
    assert result.returncode != 0
    assert "dhcp_relay_transport" in result.stdout + result.stderr


@pytest.mark.fault
def test_password_never_appears_in_the_output(tmp_path):
    result = run_playbook(tmp_path, {**GOOD, "ansible_password": "s3cret-Pw-123"}, "-vvv")
    assert "s3cret-Pw-123" not in result.stdout + result.stderr
    assert result.returncode != 0  # it got as far as connecting to the closed port


def test_a_vlan_holding_the_dhcp_server_is_skipped_with_a_reason(tmp_path):
    local_only = {
        **GOOD,
        "site_vlans": [{"id": 5, "interface": "Vlan5", "subnet": "10.20.0.0/24", "gateway": "10.20.0.1"}],
    }
    with WatchedPort() as switch:
        result = run_playbook(tmp_path, local_only, "-v", port=switch.number)
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert "nothing to relay: the DHCP server is" in output
        assert "local_interfaces:\n    - Vlan5\n" in output
        assert switch.contacts() == 0, "the switch was contacted"


@pytest.mark.fault
@pytest.mark.parametrize("transport", ["ssh", "telnet"])
def test_a_refused_password_is_tried_once(tmp_path, switch_lab, transport):
    svis = [SviSpec(id=10, address="10.20.10.1/24"), SviSpec(id=20, address="10.20.20.1/24")]
    state = switch_lab(switch_spec("tien-son-sw", svis))
    switch = state["switches"][0]
    port = switch["telnet_port"] if transport == "telnet" else switch["ssh_port"]
    result = run_playbook(
        tmp_path, {**GOOD, "switch_transport": transport, "ansible_password": "wrong-pw"}, port=port
    )
    assert result.returncode != 0
    log = Path(state["log"]).read_text(encoding="utf-8")
    assert log.count(f"{transport} login refused") == 1, log


def run_linux_relay(tmp_path: Path, **changes):
    """The linux backend on the controller itself (connection local), in check mode.

    The controller has none of the VLAN gateways' addresses (10.20.x.1), so a run must stop at the
    check that each gateway is an address of the host, before it reads or installs a package.
    """
    hostvars = {**GOOD, "relay_backend": "linux", "ansible_connection": "ansible.builtin.local", **changes}
    hostvars["ansible_python_interpreter"] = "{{ ansible_playbook_python }}"
    return run_playbook(tmp_path, hostvars, "--check")


@pytest.mark.fault
def test_linux_relay_refuses_a_vlan_whose_gateway_is_not_the_hosts(tmp_path):
    result = run_linux_relay(tmp_path)
    assert "failed=1" in result.stdout, result.stdout
    assert (
        "tien-son-sw (Chi cục Hải quan Tiên Sơn): dhcp_relay_vlans (site_vlans): VLAN 10's gateway "
        "10.20.10.1 is not an address of this host"
    ) in result.stdout, result.stdout
    assert "nothing was changed" in result.stdout
    assert "Read whether isc-dhcp-relay is installed" not in result.stdout


@pytest.mark.fault
def test_linux_relay_refuses_a_server_that_is_no_address(tmp_path):
    result = run_linux_relay(tmp_path, dhcp_server_ip="10.20.0")
    assert "failed=1" in result.stdout, result.stdout
    wanted = "dhcp_relay_helper_address (the site's dhcp_server_ip) 10.20.0 is not an IPv4 address"
    assert wanted in result.stdout, result.stdout


def test_linux_relay_with_every_vlan_local_relays_nothing(tmp_path):
    local = [{"id": 1, "interface": "Vlan1", "subnet": "10.20.0.0/24", "gateway": "10.20.0.1"}]
    result = run_linux_relay(tmp_path, site_vlans=local)
    assert "failed=0" in result.stdout and "changed=0" in result.stdout, result.stdout
    assert "every VLAN holds the DHCP server or none is listed" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr
