"""An in-process winlab with one fresh host per server profile, for the WinRM layer and the plugins."""

from __future__ import annotations

import pytest
from winrm_lab_support import PASSWORD, USER

from winlab.lab import HostConfig, Lab, LabConfig


@pytest.fixture(scope="session")
def winlab(tmp_path_factory) -> Lab:
    hosts = [HostConfig(name, profile) for name, profile in (("layer2003", "2003"), ("layer2008", "2008"))]
    state_dir = tmp_path_factory.mktemp("winlab-layer")
    config = LabConfig(state_dir=state_dir, hosts=hosts, accounts={USER: PASSWORD})
    with Lab(config) as lab:
        yield lab
