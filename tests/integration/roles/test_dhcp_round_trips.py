"""What a dhcp.yml run costs each server in WinRM round trips, and the Windows version it is told.

A run with nothing to change reads each server in one WinRM command (the probe, with the version
check carried in front of it) and leaves no shell open; a server whose inventory names another
Windows version fails at that probe, with nothing changed on it and nothing more sent. Where the
inventory names no version, the one found on the first run is remembered on the controller
(winrm_command.FamilyMemory), so a re-run costs one command too; a server that has been re-installed
with another version since is read again, and set up right.
"""

from __future__ import annotations

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import FamilyMemory

from tests.support.ansible_cli import run_ansible_playbook
from tests.support.credentials import PASSWORD, USER
from tests.support.lab_runs import dhcp_inventory, errors, outcome, recap, running_lab
from winlab.lab import HostConfig, Lab, LabConfig

pytestmark = pytest.mark.slow

HOSTS = {"dhcp-a": "2003", "dhcp-b": "2008"}


def scopes(lab, name: str) -> dict:
    return lab.host(name).snapshot()["dhcp"]["scopes"]


def unversioned(inventory: dict) -> dict:
    """The inventory without `windows_version`: the version is the WinRM layer's to find."""
    for host in inventory["all"]["children"]["dhcp_servers"]["hosts"].values():
        del host["windows_version"]
    return inventory


def commands(lab, name: str) -> int:
    return lab.runtime(name).counters()["operations"]["Command"]


def test_a_run_with_nothing_to_change_costs_one_command_per_server(tmp_path):
    with running_lab(tmp_path, HOSTS, {USER: PASSWORD}) as lab:
        inventory = dhcp_inventory(lab, HOSTS, USER, PASSWORD)
        first = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        assert recap(first).total("changed") == len(HOSTS), first.stdout
        lab.reset_counters()

        again = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        assert recap(again).total("changed") == 0 and recap(again).total("failed") == 0, again.stdout
        for name in HOSTS:
            counters = lab.runtime(name).counters()
            assert counters["operations"]["Command"] == 1, (name, counters)
            assert counters["operations"]["Create"] == counters["operations"]["Delete"] == 1
            assert counters["open_shells"] == 0
            # The NTLM logon with message encryption (3), shell create, command, receive, signal,
            # delete: one connection, one shell.
            assert counters["requests"] <= 8, (name, counters)
            assert counters["connections"] == 1


@pytest.mark.fault
def test_an_inventory_version_the_host_contradicts_fails_at_the_probe_and_changes_nothing(tmp_path):
    with running_lab(tmp_path, HOSTS, {USER: PASSWORD}) as lab:
        inventory = dhcp_inventory(lab, HOSTS, USER, PASSWORD)
        inventory["all"]["children"]["dhcp_servers"]["hosts"]["dhcp-a"]["windows_version"] = "2008"
        lab.reset_counters()

        run = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        (message,) = errors(run, "dhcp-a")
        assert "the inventory says windows_version=2008, but the host runs 2003" in message, message
        assert lab.runtime("dhcp-a").counters()["operations"]["Command"] == 1
        assert scopes(lab, "dhcp-a") == {}
        assert outcome(recap(run).hosts["dhcp-b"]) == {"changed": 1, "unreachable": 0, "failed": 0}


def test_without_windows_version_a_rerun_costs_one_command_per_server_too(tmp_path, private_controller_state):
    with running_lab(tmp_path, HOSTS, {USER: PASSWORD}) as lab:
        inventory = unversioned(dhcp_inventory(lab, HOSTS, USER, PASSWORD))
        first = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        assert recap(first).total("changed") == len(HOSTS), first.stdout
        remembered = private_controller_state / "windows-families"
        assert sorted(path.name for path in remembered.iterdir()) == ["dhcp-a.json", "dhcp-b.json"]
        lab.reset_counters()

        again = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        assert recap(again).total("changed") == 0 and recap(again).total("failed") == 0, again.stdout
        assert {name: commands(lab, name) for name in HOSTS} == {"dhcp-a": 1, "dhcp-b": 1}


@pytest.mark.fault
def test_a_server_reinstalled_with_another_version_is_read_again_and_set_up(
    tmp_path, private_controller_state
):
    memory = FamilyMemory(private_controller_state)
    with running_lab(tmp_path / "before", HOSTS, {USER: PASSWORD}) as lab:
        inventory = unversioned(dhcp_inventory(lab, HOSTS, USER, PASSWORD))
        first = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        assert recap(first).total("changed") == len(HOSTS), first.stdout
        ports = {name: lab.runtime(name).http_port for name in HOSTS}
    endpoints = {name: f"http://127.0.0.1:{port}/wsman" for name, port in ports.items()}
    assert {name: memory.recall(name, endpoints[name]) for name in HOSTS} == HOSTS
    # The same names at the same endpoints, each now on the other version, blank: both memories wrong.
    swapped = {"dhcp-a": "2008", "dhcp-b": "2003"}
    configs = [HostConfig(name, profile, http_port=ports[name]) for name, profile in swapped.items()]
    config = LabConfig(tmp_path / "after", configs, {USER: PASSWORD}, https=False, service_start_delay=0)
    with Lab(config) as lab:
        inventory = unversioned(dhcp_inventory(lab, swapped, USER, PASSWORD))
        run = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        assert recap(run).total("failed") == 0 and recap(run).total("changed") == len(HOSTS), run.stdout
        for name in swapped:
            assert scopes(lab, name), name
        assert {name: memory.recall(name, endpoints[name]) for name in HOSTS} == swapped
        lab.reset_counters()
        again = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        assert recap(again).total("changed") == 0, again.stdout
        assert {name: commands(lab, name) for name in swapped} == {"dhcp-a": 1, "dhcp-b": 1}
