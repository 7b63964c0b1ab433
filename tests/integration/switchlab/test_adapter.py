"""The switch lab's IOS adapter, over a real Telnet session (netmiko) to a running simulator."""

from __future__ import annotations

import pytest
from netmiko import ConnectHandler
from netmiko.exceptions import NetmikoAuthenticationException

from switchlab.server import SviSpec
from tests.support.credentials import SWITCH_ENABLE_SECRET, SWITCH_PASSWORD, SWITCH_USER
from tests.support.switches import running_switches, switch_spec

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def switch(tmp_path_factory):
    spec = switch_spec(
        "lab-sw",
        [SviSpec(id=10, address="10.20.10.1/24", helpers=["10.20.0.99"])],
        model="cisco_2960_24TT_L",
    )
    with running_switches([spec], tmp_path_factory.mktemp("lab") / "state.json") as state:
        yield state["switches"][0]


def connect(switch, password=SWITCH_PASSWORD):
    return ConnectHandler(
        device_type="cisco_ios_telnet",
        host="127.0.0.1",
        port=switch["telnet_port"],
        username=SWITCH_USER,
        password=password,
        secret=SWITCH_ENABLE_SECRET,
        fast_cli=False,
    )


def test_wrong_telnet_password_is_refused(switch):
    with pytest.raises(NetmikoAuthenticationException):
        connect(switch, password="wrong")


def test_enable_show_privilege_and_preloaded_svi(switch):
    device = connect(switch)
    try:
        assert device.send_command("show privilege").strip() == "Current privilege level is 1"
        device.enable()
        assert device.send_command("show privilege").strip() == "Current privilege level is 15"
        output = device.send_command("show running-config interface Vlan10")
        assert " ip address 10.20.10.1 255.255.255.0" in output
        assert " ip helper-address 10.20.0.99" in output
    finally:
        device.disconnect()


def test_end_leaves_interface_configuration_and_write_memory_saves(switch):
    device = connect(switch)
    try:
        device.enable()
        assert "saves: 0" in device.send_command("show startup-config")
        output = device.send_config_set(["interface Vlan10", "ip helper-address 10.20.0.10"])
        assert output.rstrip().endswith("lab-sw#")  # `end` brought it back to privileged EXEC
        assert device.find_prompt() == "lab-sw#"
        assert "ip helper-address 10.20.0.10" not in device.send_command("show startup-config")
        assert "[OK]" in device.send_command("write memory")
        startup = device.send_command("show startup-config")
        assert "saves: 1" in startup
        assert " ip helper-address 10.20.0.10" in startup
    finally:
        device.disconnect()


def test_unknown_command_answers_like_ios(switch):
    device = connect(switch)
    try:
        device.enable()
        assert "% Invalid input detected at '^' marker." in device.send_command("show flux-capacitor")
        assert "% Invalid input detected at '^' marker." in device.send_command("flux-capacitor on")
    finally:
        device.disconnect()
