"""base_server refuses bad input before it contacts the host, naming the host and the variable.

Each case runs playbooks/base_servers.yml in check mode on a one-host inventory whose WinRM address
is a closed loopback port: a run that got past the checks would end `unreachable` instead.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import yaml

from tests.support.ansible_cli import run_ansible
from tests.support.fixture_files import ROOT

pytestmark = pytest.mark.slow

HOST = "base-ha-noi"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_playbook(tmp_path: Path, hostvars: dict):
    host = {
        "ansible_host": "127.0.0.1",
        "ansible_port": closed_port(),
        "ansible_user": "Administrator",
        "ansible_password": "Lab-never-sent",
        "windows_version": "2003",
        "base_server_region": "ha_noi",
        **hostvars,
    }
    inventory = {"all": {"children": {"base_servers": {"hosts": {HOST: host}}}}}
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory), encoding="utf-8")
    return run_ansible(
        "ansible-playbook", "-i", str(path), "--check", str(ROOT / "playbooks" / "base_servers.yml")
    )


def test_good_input_gets_as_far_as_the_host(tmp_path):
    result = run_playbook(tmp_path, {})
    assert result.returncode != 0
    assert "unreachable=1" in result.stdout, result.stdout
    assert "WinRM is unreachable" in result.stdout


@pytest.mark.parametrize(
    ("hostvars", "named"),
    [
        ({"base_server_root": "C:\\Program Files\\VNACCS"}, "base_server_root"),
        ({"base_server_backend": "linux", "base_server_root": "srv/base"}, "base_server_root"),
        ({"base_server_backend": "solaris"}, "base_server_backend"),
        ({"base_server_ftp_port": 70000}, "base_server_ftp_port"),
        ({"base_server_client_versions": ["../../WINDOWS"]}, "relative path"),
        ({"base_server_extra_folders": ["Reports/./x"]}, "relative path"),
        (
            {
                "base_server_shares": [
                    {"name": "VNACCS", "folder": ""},
                    {"name": "vnaccs", "folder": "EUCReports"},
                ]
            },
            "base_server_shares",
        ),
        ({"base_server_shares": [{"name": "VNACCS", "folder": "C:\\Windows"}]}, "base_server_shares"),
    ],
)
def test_bad_input_fails_before_the_host_is_contacted(tmp_path, hostvars, named):
    result = run_playbook(tmp_path, hostvars)
    assert result.returncode != 0
    assert "unreachable=0" in result.stdout and "failed=1" in result.stdout, result.stdout
    assert f"fatal: [{HOST}]" in result.stdout
    assert named in result.stdout
    assert "Lab-never-sent" not in result.stdout + result.stderr
