"""pytest fixtures for tests that need emulated Windows hosts (load with `pytest_plugins`).

pytest_plugins = ["winlab.pytest_plugin"]

def test_scope(winlab_factory):
    lab = winlab_factory({"dhcp-bac-ninh": "2003"})
    session = winlab_session(lab, "dhcp-bac-ninh")
    assert session.run_cmd("ver").status_code == 0
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from winlab import inventory
from winlab.lab import HostConfig, Lab, LabConfig
from winlab.testing import PASSWORD, USER


@pytest.fixture
def winlab_factory(tmp_path) -> Iterator[Callable[..., Lab]]:
    """Start labs on free loopback ports: `winlab_factory({"name": "2003", ...}, https=False)`; other
    keywords are LabConfig's (`accounts` adds to the test account)."""
    labs: list[Lab] = []

    def start(hosts: dict[str, str], https: bool = False, **options) -> Lab:
        state_dir = tmp_path / f"winlab-{len(labs)}"
        configs = [HostConfig(name, profile) for name, profile in hosts.items()]
        # The test account, and any others a test names (`accounts={"reader": "..."}`).
        accounts = {USER: PASSWORD, **options.pop("accounts", {})}
        lab = Lab(LabConfig(state_dir, configs, accounts, https=https, **options)).start()
        labs.append(lab)
        return lab

    yield start
    for lab in labs:
        lab.stop()


@pytest.fixture
def winlab_inventory(tmp_path, request) -> Iterator[tuple[Lab, Path]]:
    """A lab for every Windows host of an `ansible-inventory --list` result, and its inventory.

    Parametrize indirectly with the inventory (a dict); without a parameter the sample hosts are
    used. Yields the running lab and the inventory directory to pass to `ansible-playbook -i`.
    """
    listed = getattr(request, "param", None)
    hosts = inventory.windows_hosts(listed) if listed else inventory.sample_hosts()
    with inventory.running_lab(tmp_path, hosts, PASSWORD) as running:
        yield running
