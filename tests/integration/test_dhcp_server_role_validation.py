"""dhcp_server refuses bad scopes before it contacts the host, naming the host and the field.

Each case runs playbooks/dhcp.yml in check mode on a one-host inventory whose WinRM address is a
closed loopback port: a run that got past the checks would end `unreachable` instead.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
HOST = "lab-dhcp"
SCOPE = {
    "address": "10.40.10.0",
    "mask": "255.255.255.0",
    "name": "Chi cục Hải quan Lab",
    "comment": "Cục Hải quan Lab",
    "range_start": "10.40.10.50",
    "range_end": "10.40.10.254",
    "exclusions": [],
    "router": "10.40.10.1",
    "dns_servers": ["10.40.1.10"],
    "domain_name": "",
}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_playbook(tmp_path: Path, hostvars: dict) -> subprocess.CompletedProcess:
    host = {
        "ansible_host": "127.0.0.1",
        "ansible_port": closed_port(),
        "ansible_user": "Administrator",
        "ansible_password": "Lab-never-sent",
        "windows_version": "2003",
        "dhcp_scopes": [SCOPE],
        **hostvars,
    }
    inventory = {"all": {"children": {"dhcp_servers": {"hosts": {HOST: host}}}}}
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory, allow_unicode=True), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "VNACCS_WINRM_"))}
    env.update(ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("ansible-playbook")),
            "-i",
            str(path),
            "--check",
            str(ROOT / "playbooks" / "dhcp.yml"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_good_scopes_get_as_far_as_the_host(tmp_path):
    result = run_playbook(tmp_path, {})
    assert "unreachable=1" in result.stdout, result.stdout
    assert "WinRM is unreachable" in result.stdout


@pytest.mark.parametrize(
    ("scope", "named"),
    [
        ({"address": "10.40.10.7"}, "scopes[0].address"),
        ({"mask": "255.255.0.0"}, "scopes[0].mask"),
        ({"range_start": "10.40.11.50"}, "scopes[0].range_start"),
        ({"range_end": "10.40.10"}, "scopes[0].range_end"),
        ({"router": "10.40.99.1"}, "scopes[0].router"),
        ({"exclusions": [{"start": "10.40.10.90", "end": "10.40.10.80"}]}, "scopes[0].exclusions[0]"),
        ({"dns_servers": ["dns.local"]}, "scopes[0].dns_servers"),
        ({"domain_name": "bad domain"}, "scopes[0].domain_name"),
        ({"name": 'Say "hi"'}, "scopes[0].name"),
    ],
)
def test_bad_scopes_fail_before_the_host_is_contacted(tmp_path, scope, named):
    result = run_playbook(tmp_path, {"dhcp_scopes": [{**SCOPE, **scope}]})
    assert "unreachable=0" in result.stdout and "failed=1" in result.stdout, result.stdout
    assert f"fatal: [{HOST}]" in result.stdout
    assert f"{HOST}: {named}" in result.stdout, result.stdout
    assert "Lab-never-sent" not in result.stdout + result.stderr


def test_a_server_without_scopes_fails_before_the_host_is_contacted(tmp_path):
    result = run_playbook(tmp_path, {"dhcp_scopes": []})
    assert "unreachable=0" in result.stdout and "failed=1" in result.stdout, result.stdout
    assert f"{HOST}: scopes: no scope given" in result.stdout
