"""Fixtures that run winlab in-process on loopback ports chosen free at start."""

from __future__ import annotations

import pytest
from winlab_support import FRESH_HOSTS, PASSWORD, USER, Client, control, load_index

from winlab.lab import HostConfig, Lab, LabConfig


@pytest.fixture(scope="session")
def lab(tmp_path_factory) -> Lab:
    index = load_index()
    hosts = [
        HostConfig(name, spec["profile"], address=spec.get("address"))
        for name, spec in index["hosts"].items()
    ]
    hosts += [HostConfig(name, profile) for name, profile in FRESH_HOSTS.items()]
    config = LabConfig(state_dir=tmp_path_factory.mktemp("winlab"), hosts=hosts, accounts={USER: PASSWORD})
    with Lab(config) as running:
        for name, spec in index["hosts"].items():
            if spec.get("clock"):
                control(running, "POST", f"/hosts/{name}/clock", {"time": spec["clock"]})
            client = Client(running, name)
            for command in spec.get("setup", []):
                client.ok(command)
            for lease in spec.get("leases", []):
                control(running, "POST", f"/hosts/{name}/dhcp/leases", lease)
        yield running


@pytest.fixture(scope="session")
def clients(lab) -> dict[str, Client]:
    return {name: Client(lab, name) for name in lab.runtimes}
