"""base_server refuses bad input before it contacts the host, naming the host and the variable.

Each case runs playbooks/base_servers.yml in check mode on a one-host inventory whose WinRM address
is a closed loopback port: a run that got past the checks would end `unreachable` instead.
"""

from __future__ import annotations

import pytest

from tests.support.ansible_cli import NEVER_SENT, run_ansible_playbook, unreachable_windows_host

pytestmark = pytest.mark.slow

HOST = "base-ha-noi"


def run_playbook(tmp_path, hostvars: dict):
    host = unreachable_windows_host(**{"base_server_region": "ha_noi", **hostvars})
    inventory = {"all": {"children": {"base_servers": {"hosts": {HOST: host}}}}}
    return run_ansible_playbook("base_servers.yml", inventory, tmp_path, "--check")


def test_good_input_gets_as_far_as_the_host(tmp_path):
    result = run_playbook(tmp_path, {})
    assert result.returncode != 0
    assert "unreachable=1" in result.stdout, result.stdout
    assert "WinRM is unreachable" in result.stdout


@pytest.mark.fault
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
    assert NEVER_SENT not in result.stdout + result.stderr
