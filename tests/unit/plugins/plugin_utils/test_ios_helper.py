"""Parser, planner and converge logic of the DHCP relay (plugin_utils/ios_helper.py)."""

from __future__ import annotations

import re

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.ios_helper import (
    InterfaceRequest,
    InterfaceState,
    RelayError,
    check_request,
    converge,
    parse_interfaces,
    plan_interface,
)
from netaddr import IPNetwork

from tests.support.fixture_files import ios_output

# --- parser ---------------------------------------------------------------------------------


def test_parses_one_interface_with_secondary_address_and_vrf_helpers():
    interfaces = parse_interfaces(ios_output("show_run_int_vlan10_catalyst.txt"))

    assert list(interfaces) == ["Vlan10"]
    vlan10 = interfaces["Vlan10"]
    assert vlan10.primary == IPNetwork("10.20.10.1/24")
    assert vlan10.addresses[1] == IPNetwork("10.20.11.1/24")
    assert vlan10.helpers == ["10.20.0.10", "10.99.0.5", "10.20.0.11"]
    assert vlan10.helper_lines["10.99.0.5"] == "ip helper-address vrf MGMT 10.99.0.5"
    assert vlan10.helper_lines["10.20.0.11"] == "ip helper-address global 10.20.0.11"


def test_parses_every_interface_of_a_full_running_config_and_nothing_outside_them():
    interfaces = parse_interfaces(ios_output("show_run_full.txt"))

    assert set(interfaces) == {"FastEthernet0/1", "GigabitEthernet0/1", "Vlan1", "Vlan10", "Vlan20"}
    assert interfaces["Vlan10"].helpers == ["10.20.0.10"]
    assert interfaces["Vlan20"].helpers == []
    assert interfaces["Vlan1"].primary is None
    # the global `ip helper-address 10.1.1.1` after the interfaces belongs to none of them
    assert all("10.1.1.1" not in state.helpers for state in interfaces.values())


def test_parses_the_simulator_output_the_same_way():
    output = (
        "Building configuration...\n\nCurrent configuration : 90 bytes\n!\ninterface Vlan10\n"
        " ip address 10.20.10.1 255.255.255.0\n ip helper-address 10.20.0.9\nend\n\n"
    )
    assert parse_interfaces(output)["Vlan10"].helpers == ["10.20.0.9"]


def test_invalid_input_output_has_no_interface():
    assert parse_interfaces("              ^\n% Invalid input detected at '^' marker.\n") == {}


# --- planner --------------------------------------------------------------------------------


def state(*helper_lines: str) -> InterfaceState:
    interface = InterfaceState("Vlan10")
    for line in helper_lines:
        interface.helper_lines[line.split()[-1]] = line
    return interface


def test_plan_adds_the_missing_helper():
    assert plan_interface(state(), ["10.20.0.10"], [], False) == ["ip helper-address 10.20.0.10"]


def test_plan_is_empty_when_the_helper_is_there():
    assert plan_interface(state("ip helper-address 10.20.0.10"), ["10.20.0.10"], [], False) == []


def test_plan_keeps_unmanaged_helpers_unless_exclusive():
    current = state("ip helper-address 10.99.0.7", "ip helper-address 10.20.0.10")
    assert plan_interface(current, ["10.20.0.10"], [], False) == []
    assert plan_interface(current, ["10.20.0.10"], [], True) == ["no ip helper-address 10.99.0.7"]


def test_plan_removes_stale_helpers_first_with_their_own_line():
    current = state("ip helper-address vrf MGMT 10.20.0.99")
    assert plan_interface(current, ["10.20.0.10"], ["10.20.0.99"], False) == [
        "no ip helper-address vrf MGMT 10.20.0.99",
        "ip helper-address 10.20.0.10",
    ]


# --- converge -------------------------------------------------------------------------------


class FakeSwitch:
    """A CliSession that keeps interface helpers in memory and records every call."""

    def __init__(self, interfaces: dict[str, tuple[str, list[str]]], apply_changes: bool = True):
        self.interfaces = {name: (address, list(helpers)) for name, (address, helpers) in interfaces.items()}
        self.apply_changes = apply_changes
        self.calls: list[tuple[str, object]] = []

    def _render(self, name: str) -> str:
        address, helpers = self.interfaces[name]
        lines = [f"interface {name}", f" ip address {address} 255.255.255.0"]
        lines += [f" ip helper-address {h}" for h in helpers]
        return "\n".join(lines) + "\n"

    def show(self, command: str) -> str:
        self.calls.append(("show", command))
        if command == "show running-config":
            return "hostname sw\n!\n" + "!\n".join(self._render(n) for n in self.interfaces) + "end\n"
        name = command.rsplit(" ", 1)[1]
        if name not in self.interfaces:
            return "% Invalid input detected at '^' marker.\n"
        return "Building configuration...\n!\n" + self._render(name) + "end\n"

    def configure(self, lines: list[str]) -> None:
        self.calls.append(("configure", list(lines)))
        if not self.apply_changes:
            return
        current = None
        for line in lines:
            if line.startswith("interface "):
                current = line.split()[1]
            elif line.startswith("no ip helper-address "):
                self.interfaces[current][1].remove(line.split()[-1])
            elif line.startswith("ip helper-address "):
                self.interfaces[current][1].append(line.split()[-1])

    def save(self) -> str:
        self.calls.append(("save", None))
        return "Building configuration...\n[OK]\n"

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.calls]


def run(switch: FakeSwitch, check_mode=False, **overrides):
    arguments = {
        "interfaces": [InterfaceRequest("Vlan10", "10.20.10.1"), InterfaceRequest("Vlan20", "10.20.20.1")],
        "helpers": ["10.20.0.10"],
        "stale": ["10.20.0.99"],
        "exclusive": False,
        "check_mode": check_mode,
        "on_backup": backups.append,
    }
    arguments.update(overrides)
    return converge(switch, **arguments)


backups: list[str] = []


@pytest.fixture(autouse=True)
def _clear_backups():
    backups.clear()


def branch_switch(**kwargs) -> FakeSwitch:
    return FakeSwitch(
        {"Vlan10": ("10.20.10.1", ["10.20.0.99"]), "Vlan20": ("10.20.20.1", ["10.99.0.7"])}, **kwargs
    )


def test_converge_backs_up_then_configures_then_confirms_then_saves():
    switch = branch_switch()
    result = run(switch)

    assert result.changed and result.saved
    assert switch.interfaces["Vlan10"][1] == ["10.20.0.10"]
    assert switch.interfaces["Vlan20"][1] == ["10.99.0.7", "10.20.0.10"]
    assert switch.kinds() == ["show", "show", "show", "configure", "show", "show", "save"]
    assert switch.calls[2] == ("show", "show running-config")
    assert "ip helper-address 10.20.0.99" in backups[0]  # the state before the change
    assert result.commands == [
        "interface Vlan10",
        " no ip helper-address 10.20.0.99",
        " ip helper-address 10.20.0.10",
        "interface Vlan20",
        " ip helper-address 10.20.0.10",
        "write memory",
    ]


def test_second_run_reads_only_and_reports_no_change():
    switch = branch_switch()
    run(switch)
    switch.calls.clear()
    backups.clear()

    result = run(switch)

    assert not result.changed and not result.saved and result.commands == []
    assert switch.kinds() == ["show", "show"]
    assert backups == []


def test_check_mode_plans_and_diffs_but_sends_nothing():
    switch = branch_switch()
    result = run(switch, check_mode=True)

    assert result.changed and not result.saved
    assert switch.kinds() == ["show", "show"]
    assert switch.interfaces["Vlan10"][1] == ["10.20.0.99"]
    assert result.diff["prepared"].splitlines() == result.commands
    assert "- ip helper-address" not in result.diff["before"]
    assert " ip helper-address 10.20.0.99" in result.diff["before"]
    assert " ip helper-address 10.20.0.99" not in result.diff["after"]


def test_no_save_when_save_is_off():
    switch = branch_switch()
    result = run(switch, save=False)
    assert result.changed and not result.saved and "save" not in switch.kinds()
    assert "write memory" not in result.commands


def test_refuses_when_the_interface_address_contradicts_the_inventory():
    switch = branch_switch()
    with pytest.raises(RelayError, match=r"Vlan20 has address 10\.20\.20\.1.*gateway is 10\.20\.20\.254"):
        run(
            switch,
            interfaces=[InterfaceRequest("Vlan10", "10.20.10.1"), InterfaceRequest("Vlan20", "10.20.20.254")],
        )
    assert "configure" not in switch.kinds()


def test_refuses_when_the_switch_lacks_the_interface():
    switch = branch_switch()
    with pytest.raises(RelayError, match="interface Vlan30 is not in the running configuration"):
        run(switch, interfaces=[InterfaceRequest("Vlan10"), InterfaceRequest("Vlan30")])
    assert "configure" not in switch.kinds()


def test_does_not_save_when_the_switch_did_not_take_the_change():
    switch = branch_switch(apply_changes=False)
    with pytest.raises(RelayError, match="was not saved"):
        run(switch)
    assert "save" not in switch.kinds()


def test_fails_when_write_memory_does_not_confirm():
    switch = branch_switch()
    switch.save = lambda: "% Error writing nvram\n"
    with pytest.raises(RelayError, match="write memory did not confirm"):
        run(switch)


# -- check_request: every argument rule, before a switch is contacted --------------------------
VLAN10 = {"id": 10, "interface": "Vlan10", "subnet": "10.20.10.0/24", "gateway": "10.20.10.1"}
VLAN20 = {"id": 20, "interface": "Vlan20", "subnet": "10.20.20.0/24", "gateway": "10.20.20.1"}


def test_a_good_request_relays_every_vlan_that_does_not_hold_the_server():
    local = {"id": 5, "interface": "Vlan5", "subnet": "10.20.0.0/24", "gateway": "10.20.0.1"}
    request = check_request([VLAN10, local, VLAN20], ["10.20.0.10"], [])
    assert [interface.name for interface in request.relayed] == ["Vlan10", "Vlan20"]
    assert [interface.gateway for interface in request.relayed] == ["10.20.10.1", "10.20.20.1"]
    assert request.local == ["Vlan5"]


@pytest.mark.fault
@pytest.mark.parametrize(
    ("vlans", "helpers", "stale", "expected"),
    [
        pytest.param(
            [dict(VLAN10, gateway="10.20.11.1")], ["10.20.0.10"], [], "usable address inside", id="gw-out"
        ),
        pytest.param(
            [dict(VLAN10, gateway="10.20.10.255")], ["10.20.0.10"], [], "usable address", id="gw-bcast"
        ),
        pytest.param([dict(VLAN10, subnet="10.20.10.1/24")], ["10.20.0.10"], [], "CIDR form", id="host-bits"),
        pytest.param([dict(VLAN10, subnet="10.20.10.0")], ["10.20.0.10"], [], "CIDR form", id="no-prefix"),
        pytest.param(
            [dict(VLAN10, interface="Vlan11")], ["10.20.0.10"], [], "must be Vlan10", id="interface"
        ),
        pytest.param([dict(VLAN10, id=4095, interface="Vlan4095")], ["10.20.0.10"], [], "1-4094", id="id"),
        pytest.param([VLAN10, VLAN10], ["10.20.0.10"], [], "twice", id="duplicate"),
        pytest.param([VLAN10], ["10.20.0.0/24"], [], "IPv4 address (a.b.c.d)", id="helper-cidr"),
        pytest.param([VLAN10], ["224.0.0.5"], [], "host address", id="helper-multicast"),
        pytest.param([VLAN10], ["127.0.0.1"], [], "host address", id="helper-loopback"),
        pytest.param([VLAN10], ["0.0.0.0"], [], "host address", id="helper-unspecified"),
        pytest.param([VLAN10], ["10.20.0.10"], ["10.20.0.10"], "both wanted and stale", id="stale-is-helper"),
        pytest.param([VLAN10], ["10.20.0.10"], ["dhcp-old"], "each entry must be an IPv4", id="stale-name"),
    ],
)
def test_a_bad_request_is_refused_naming_the_rule(vlans, helpers, stale, expected):
    with pytest.raises(RelayError, match=re.escape(expected)) as refused:
        check_request(vlans, helpers, stale)
    assert "Nothing was sent to the switch." in str(refused.value)


@pytest.mark.fault
def test_every_problem_is_named_at_once_with_the_callers_labels():
    with pytest.raises(RelayError) as refused:
        check_request(
            [dict(VLAN10, gateway="10.20.11.1"), dict(VLAN20, interface="Vlan21")],
            ["224.0.0.5"],
            [],
            {"vlans": "site_vlans", "helpers": "dhcp_server_ip"},
        )
    message = str(refused.value)
    assert "dhcp_server_ip is '224.0.0.5'" in message
    assert "site_vlans entry for VLAN 10" in message
    assert "site_vlans entry for VLAN 20: the interface must be Vlan20 (is Vlan21)" in message
