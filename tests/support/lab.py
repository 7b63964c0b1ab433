"""winlab for tests: a pywinrm client, the control interface, an action plugin run against a host,
and the labs a whole session shares (pytest fixtures, registered by tests/conftest.py).

A test that needs hosts of its own starts them with winlab's `winlab_factory` fixture
(`lab = winlab_factory({"dhcp2003": "2003"})`); these session labs are for tests that only read.
"""

from __future__ import annotations

import contextlib
import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import winrm

from tests.support.action import run_action
from tests.support.credentials import PASSWORD, USER
from tests.support.fixture_files import windows_fixture_index
from winlab.lab import HostConfig, Lab, LabConfig

# Fresh hosts of every profile, beside the recorded hosts of the fixture index (index.yml).
FRESH_HOSTS = {"srv2003": "2003", "srv2008": "2008", "wsxp": "xp", "ws7": "7"}


def host_vars(lab: Lab, name: str, **extra: Any) -> dict[str, Any]:
    """The connection variables an inventory gives host `name` of `lab` (plain HTTP), and `extra`."""
    return {
        "ansible_host": "127.0.0.1",
        "ansible_port": lab.runtime(name).http_port,
        "ansible_user": USER,
        "ansible_password": PASSWORD,
        **extra,
    }


def run_on_lab(action_class, lab: Lab, name: str, args: dict, check_mode=False, diff=True, **extra):
    """Run an action plugin for host `name` of `lab`, `extra` overriding its connection variables."""
    task_vars = {"inventory_hostname": name, **host_vars(lab, name, **extra)}
    return run_action(action_class, args, task_vars, check_mode=check_mode, diff=diff)


class Client:
    """pywinrm as the roles use it, bound to one emulated host."""

    def __init__(self, lab: Lab, name: str, transport: str = "ntlm", password: str = PASSWORD) -> None:
        self.lab = lab
        runtime = lab.runtime(name)
        self.url = f"http://127.0.0.1:{runtime.http_port}/wsman"
        # Certificate validation is off only to keep pywinrm from reading CA settings from the
        # environment; these sessions are plain HTTP.
        self.session = winrm.Session(
            self.url, auth=(USER, password), transport=transport, server_cert_validation="ignore"
        )

    def run(self, command: str) -> winrm.Response:
        return self.session.run_cmd(command)

    def ok(self, command: str) -> str:
        response = self.run(command)
        assert response.status_code == 0, (command, response.std_out, response.std_err)
        return response.std_out.decode("cp437")


def control(lab: Lab, method: str, path: str, payload: dict | None = None) -> dict:
    """A call to the lab's control interface (faults, clocks, leases; winlab/README.md)."""
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(lab.control_url + path, data=data, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture(scope="session")
def server_lab(tmp_path_factory) -> Iterator[Lab]:
    """One fresh Windows Server 2003 host and one 2008 (layer2003, layer2008), for the WinRM layer."""
    hosts = [HostConfig("layer2003", "2003"), HostConfig("layer2008", "2008")]
    config = LabConfig(tmp_path_factory.mktemp("server-lab"), hosts, accounts={USER: PASSWORD})
    with Lab(config) as lab:
        yield lab


@pytest.fixture(scope="session")
def fixture_lab(tmp_path_factory) -> Iterator[Lab]:
    """The hosts of the fixture index in their recorded state, and a fresh host of every profile."""
    index = windows_fixture_index()
    hosts = [
        HostConfig(name, spec["profile"], address=spec.get("address"))
        for name, spec in index["hosts"].items()
    ]
    hosts += [HostConfig(name, profile) for name, profile in FRESH_HOSTS.items()]
    config = LabConfig(tmp_path_factory.mktemp("fixture-lab"), hosts, accounts={USER: PASSWORD})
    with Lab(config) as lab:
        for name, spec in index["hosts"].items():
            if spec.get("clock"):
                control(lab, "POST", f"/hosts/{name}/clock", {"time": spec["clock"]})
            client = Client(lab, name)
            for command in spec.get("setup", []):
                client.ok(command)
            for lease in spec.get("leases", []):
                control(lab, "POST", f"/hosts/{name}/dhcp/leases", lease)
        yield lab


@pytest.fixture(scope="session")
def fixture_lab_clients(fixture_lab) -> dict[str, Client]:
    """A client for every host of `fixture_lab`."""
    return {name: Client(fixture_lab, name) for name in fixture_lab.runtimes}


@contextlib.contextmanager
def base_server_lab(
    directory, hosts: dict[str, tuple[str, str]], base_servers: list[str], base_args: dict
) -> Iterator[Lab]:
    """winlab with `hosts` ({name: (profile, address)}), plain HTTP, services running at once, and
    `base_servers` among them set up by the base_server plugin with `base_args` (the layout, its
    share and FTP site) before the lab is handed over."""
    from ansible_collections.vncustoms.vnaccs.plugins.action.base_server import ActionModule as BaseServer

    configs = [HostConfig(name, profile, address=address) for name, (profile, address) in hosts.items()]
    config = LabConfig(directory, configs, accounts={USER: PASSWORD}, https=False, service_start_delay=0)
    with Lab(config) as running:
        for name in base_servers:
            result = run_on_lab(BaseServer, running, name, base_args)
            assert not result.get("failed"), result["msg"]
        yield running
