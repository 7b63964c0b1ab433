"""An in-process winlab with one fresh host per server profile, for the WinRM layer and the plugins."""

from __future__ import annotations

import pytest

from winlab.lab import HostConfig, Lab, LabConfig

# The same account as tests/winlab: winlab points pyspnego at its NTLM account file through a
# process-wide environment variable, so every lab in one pytest process must agree on it.
USER, PASSWORD = "Administrator", "Lab-Test-Pa55"


@pytest.fixture(scope="session")
def winlab(tmp_path_factory) -> Lab:
    hosts = [HostConfig(name, profile) for name, profile in (("layer2003", "2003"), ("layer2008", "2008"))]
    state_dir = tmp_path_factory.mktemp("winlab-layer")
    config = LabConfig(state_dir=state_dir, hosts=hosts, accounts={USER: PASSWORD})
    with Lab(config) as lab:
        yield lab


def host_vars(lab: Lab, name: str, **extra) -> dict:
    return {
        "ansible_host": "127.0.0.1",
        "ansible_port": lab.runtime(name).http_port,
        "ansible_user": USER,
        "ansible_password": PASSWORD,
        **extra,
    }
