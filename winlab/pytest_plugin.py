"""pytest fixtures for tests that need emulated Windows hosts (load with `pytest_plugins`).

pytest_plugins = ["winlab.pytest_plugin"]

def test_scope(winlab_factory):
    lab = winlab_factory({"dhcp-bac-ninh": "2003"})
    session = winlab_session(lab, "dhcp-bac-ninh")
    assert session.run_cmd("ver").status_code == 0
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from winlab.lab import HostConfig, Lab, LabConfig
from winlab.testing import PASSWORD, USER


@pytest.fixture
def winlab_factory(tmp_path) -> Iterator[Callable[..., Lab]]:
    """Start labs on free loopback ports: `winlab_factory({"name": "2003", ...}, https=False)`."""
    labs: list[Lab] = []

    def start(hosts: dict[str, str], https: bool = False, **options) -> Lab:
        state_dir = tmp_path / f"winlab-{len(labs)}"
        configs = [HostConfig(name, profile) for name, profile in hosts.items()]
        lab = Lab(LabConfig(state_dir, configs, {USER: PASSWORD}, https=https, **options)).start()
        labs.append(lab)
        return lab

    yield start
    for lab in labs:
        lab.stop()
