"""Verify the winlab_container scenario from outside: WinRM with NTLM (pytest-testinfra's winrm
backend, pywinrm underneath) to each emulated host at the container's address, podman for the
container itself, and small regexes written here (not the toolkit's parsers).

Expected values come from the scenario's inventory in molecule.yml; the account from the
VNACCS_WINRM_* environment variables. The restart test runs last: it checks that the service comes
back with the container and that every host's DHCP server state is exactly what it was.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import testinfra
import yaml

SCENARIO = Path(os.environ["MOLECULE_SCENARIO_DIRECTORY"])
MOLECULE_YML = yaml.safe_load((SCENARIO / "molecule.yml").read_text(encoding="utf-8"))
CONTAINER = MOLECULE_YML["platforms"][0]["name"]
GROUP = MOLECULE_YML["provisioner"]["inventory"]["hosts"]["all"]["children"]["dhcp_servers"]
HOSTS = {name: {**GROUP["vars"], **host_vars} for name, host_vars in GROUP["hosts"].items()}
VERSIONS = {"2003": "5.2.3790", "2008": "6.0.6002"}


def windows_host(name: str):
    """The emulated host over WinRM: HTTP with NTLM message encryption, as the role reaches it."""
    host = HOSTS[name]
    user = quote(os.environ["VNACCS_WINRM_USER"], safe="")
    password = quote(os.environ["VNACCS_WINRM_PASSWORD"], safe="")
    return testinfra.get_host(
        f"winrm://{user}:{password}@{host['ansible_host']}:{host['ansible_port']}?no_ssl=true"
    )


def container():
    return testinfra.get_host(f"podman://{CONTAINER}")


def run(host, command: str) -> str:
    result = host.run(command)
    assert result.rc == 0, (command, result.stdout, result.stderr)
    return result.stdout


def dhcp_state(name: str) -> dict[str, str]:
    host = windows_host(name)
    return {command: run(host, command) for command in ("netsh dhcp server dump", "sc query DHCPServer")}


def test_winlab_runs_as_an_enabled_systemd_service():
    service = container().service("winlab")
    assert service.is_running
    assert service.is_enabled


@pytest.mark.parametrize("name", sorted(HOSTS))
def test_each_host_listens_on_the_lab_address_only(name):
    host = HOSTS[name]
    inside = container()
    for port in (host["ansible_port"], host["winlab_https_port"]):
        assert inside.socket(f"tcp://{host['ansible_host']}:{port}").is_listening
        assert not inside.socket(f"tcp://0.0.0.0:{port}").is_listening


@pytest.mark.parametrize("name", sorted(HOSTS))
def test_each_host_answers_in_its_windows_version(name):
    banner = run(windows_host(name), "ver")
    assert f"[Version {VERSIONS[HOSTS[name]['winlab_profile']]}]" in banner


@pytest.mark.parametrize("name", sorted(HOSTS))
def test_the_branch_scope_is_active_with_its_range_and_router(name):
    host_vars = HOSTS[name]
    address = host_vars["site_subnet"].split("/")[0]
    windows = windows_host(name)
    scopes = run(windows, "netsh dhcp server show scope")
    row = re.search(rf"^\s*{re.escape(address)}\s*-\s*(\S+)\s*-(\w+)\s*-(.{{0,21}})-", scopes, re.M)
    assert row, scopes
    assert (row.group(1), row.group(2)) == ("255.255.255.0", "Active")
    # The name column is 21 characters wide and cuts longer names (reference 1.3).
    assert row.group(3).rstrip() == host_vars["expected_scope_name"][:21].rstrip()
    ranges = run(windows, f"netsh dhcp server scope {address} show iprange")
    assert re.findall(r"^\s*(\d+\.\d+\.\d+\.\d+)\s+-\s+(\d+\.\d+\.\d+\.\d+)\s+-", ranges, re.M) == [
        (host_vars["dhcp_range_start"], host_vars["dhcp_range_end"])
    ]
    options = run(windows, f"netsh dhcp server scope {address} show optionvalue")
    router = re.search(r"OptionId : 3\r?\n.*?Option Element Value = (\S+)", options, re.S)
    assert router and router.group(1) == host_vars["dhcp_router"], options


@pytest.mark.parametrize("name", sorted(HOSTS))
def test_each_vlan_behind_the_relay_has_its_scope(name):
    scopes = run(windows_host(name), "netsh dhcp server show scope")
    # A host without VLANs would check nothing below: the scenario has one with VLANs, and each host
    # lists exactly its site scope and one scope per VLAN.
    assert any(host["site_vlans"] for host in HOSTS.values())
    assert re.search(rf"Total No\. of Scopes = {1 + len(HOSTS[name]['site_vlans'])}\b", scopes), scopes
    for vlan in HOSTS[name]["site_vlans"]:
        assert re.search(rf"^\s*{re.escape(vlan['subnet'].split('/')[0])}\s*-.*-Active", scopes, re.M), scopes


@pytest.mark.parametrize("name", sorted(HOSTS))
def test_the_dhcp_service_is_automatic_and_running(name):
    windows = windows_host(name)
    assert re.search(r"START_TYPE\s*:\s*2\s+AUTO_START", run(windows, "sc qc DHCPServer"))
    assert re.search(r"STATE\s*:\s*4\s+RUNNING", run(windows, "sc query DHCPServer"))


def _wait_for_port(address: str, port: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((address, port), timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _started_at() -> str:
    inspect = ["podman", "inspect", "--format", "{{.State.StartedAt}}", CONTAINER]
    return subprocess.run(inspect, check=True, capture_output=True, text=True).stdout.strip()


def test_service_and_state_survive_a_container_restart():
    before = {name: dhcp_state(name) for name in sorted(HOSTS)}
    started = _started_at()
    # systemd in the container stops winlab (SIGTERM), then boots and starts it again.
    subprocess.run(["podman", "restart", "--time", "30", CONTAINER], check=True, capture_output=True)
    assert _started_at() != started
    for host in HOSTS.values():
        _wait_for_port(host["ansible_host"], host["ansible_port"])
    service = container().service("winlab")
    assert service.is_running
    after = {name: dhcp_state(name) for name in sorted(HOSTS)}
    assert after == before
