"""The switch lab's IOS adapter, over a real Telnet session (netmiko) to a running simulator."""

from __future__ import annotations

import pytest
from netmiko import ConnectHandler
from netmiko.exceptions import NetmikoAuthenticationException

from switchlab import lab
from switchlab.server import SviSpec, SwitchSpec

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def switch(tmp_path_factory):
    spec = SwitchSpec(
        hostname="lab-sw",
        ssh_port=0,
        username="netops",
        password="login-pw",
        enable_password="enable-pw",
        model="cisco_2960_24TT_L",
        svis=[SviSpec(id=10, address="10.20.10.1/24", helpers=["10.20.0.99"])],
    )
    state_file = tmp_path_factory.mktemp("lab") / "state.json"
    state = lab.start([spec], state_file)
    yield state["switches"][0]
    assert lab.stop(state_file)


def connect(switch, password="login-pw"):
    return ConnectHandler(
        device_type="cisco_ios_telnet",
        host="127.0.0.1",
        port=switch["telnet_port"],
        username="netops",
        password=password,
        secret="enable-pw",
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
