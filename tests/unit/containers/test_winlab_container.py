"""winlab in a container of the platform (winlab/README.md, "In a container"): the scenario's
addresses and ports, the configuration the shared service tasks write, and the way the container
runs winlab (the image's python3 with only the repository and the mounted site-packages on
PYTHONPATH, no virtual environment)."""

from __future__ import annotations

import dataclasses
import ipaddress
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from tasklib import containers
from winlab.lab import LAB_NETWORKS, HostConfig, Lab, LabConfig

ROOT = containers.ROOT
SCENARIO = ROOT / "molecule" / "winlab_container" / "molecule.yml"
CONFIG = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
SERVICE_TASKS = yaml.safe_load((ROOT / "molecule" / "_shared" / "tasks" / "winlab_service.yml").read_text())
NETWORKS = yaml.safe_load((ROOT / "molecule" / "_shared" / "vars" / "networks.yml").read_text())[
    "lab_networks"
]
PLATFORM = CONFIG["platforms"][0]
GROUP = CONFIG["provisioner"]["inventory"]["hosts"]["all"]["children"]["dhcp_servers"]
HOSTS = {name: {**GROUP["vars"], **host_vars} for name, host_vars in GROUP["hosts"].items()}
CONTROL_PORT = 5900  # prepare.yml


def _attachment() -> tuple[str, str]:
    """The container's one network and its fixed address: "winlab-container:ip=198.19.206.130"."""
    name, _, options = PLATFORM["network"].partition(":")
    return name, dict(option.split("=", 1) for option in options.split(","))["ip"]


def _task(name: str) -> dict:
    return next(task for task in SERVICE_TASKS if task["name"] == name)


def test_the_container_has_a_fixed_address_in_its_registered_network():
    network, address = _attachment()
    subnet = ipaddress.ip_network(NETWORKS[network]["subnet"])
    assert ipaddress.ip_address(address) in subnet
    # Not the network address, nor the first host (podman's gateway), nor the broadcast address.
    assert address not in (str(subnet.network_address), str(subnet.network_address + 1), str(subnet[-1]))


def test_the_emulated_hosts_listen_on_the_containers_address():
    _, address = _attachment()
    assert {host["ansible_host"] for host in HOSTS.values()} == {address}
    assert any(ipaddress.ip_address(address) in network for network in LAB_NETWORKS)


def test_winlab_accepts_the_container_address_and_refuses_others(tmp_path):
    _, address = _attachment()
    Lab(LabConfig(state_dir=tmp_path, hosts=[], address=address))
    with pytest.raises(ValueError, match=r"198\.18\.0\.0/15"):
        Lab(LabConfig(state_dir=tmp_path, hosts=[], address="192.0.2.10"))


def test_each_host_has_ports_of_its_own():
    ports = [CONTROL_PORT]
    for host in HOSTS.values():
        ports += [host["ansible_port"], host["winlab_https_port"]]
    assert len(ports) == len(set(ports)), ports
    assert all(1 <= port <= 65535 for port in ports)


def test_a_2003_and_a_2008_host_reached_with_ntlm_over_http():
    assert sorted(str(host["winlab_profile"]) for host in HOSTS.values()) == ["2003", "2008"]
    assert all(
        (host["ansible_winrm_transport"], host["ansible_winrm_scheme"]) == ("ntlm", "http")
        for host in HOSTS.values()
    )


def test_the_container_mounts_the_repository_and_the_venv_site_packages_read_only():
    mounts = dict(volume.rsplit(":", 2)[:2] for volume in PLATFORM["volumes"])
    assert all(volume.endswith(":ro") for volume in PLATFORM["volumes"])
    assert mounts["${MOLECULE_PROJECT_DIRECTORY}"] == "/opt/vnaccs"
    site_packages = "${MOLECULE_PROJECT_DIRECTORY}/.venv/lib/python3.11/site-packages"
    assert mounts[site_packages] == "/opt/winlab-site-packages"


@pytest.mark.skipif(
    Path(sys.prefix).resolve() != (ROOT / ".venv").resolve(), reason="runs outside the project's venv"
)
def test_the_mounted_site_packages_are_the_venvs():
    mounted = ROOT / ".venv" / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    assert mounted.resolve() == Path(sysconfig.get_paths()["purelib"]).resolve()
    assert sys.version_info[:2] == (3, 11), "the image's python3 is Debian 12's 3.11: mount a 3.11 venv"


def test_the_service_tasks_write_a_configuration_winlab_reads():
    config = _task("Write the lab configuration")["vars"]["__winlab_service_config"]
    known = {field.name for field in dataclasses.fields(LabConfig)}
    assert set(config) <= known, set(config) - known
    entry = _task("List the emulated hosts with their profiles and ports")["vars"]["__winlab_service_entry"]
    assert set(entry) <= {field.name for field in dataclasses.fields(HostConfig)}
    assert _task("Write the lab configuration")["no_log"] is True
