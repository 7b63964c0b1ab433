"""daily_reboot refuses a restart time in the quiet periods, and other bad input, before it contacts
the host, naming the host and the role variable.

Each case runs playbooks/daily_reboot.yml in check mode on a one-workstation inventory whose WinRM
address is a closed loopback port: a run that got past the checks would end `unreachable` instead.
"""

from __future__ import annotations

import pytest

from tests.support.ansible_cli import NEVER_SENT, run_ansible_playbook, unreachable_windows_host

pytestmark = pytest.mark.slow

HOST = "bac-ninh-cchq-tien-son-ts-hq02"


def run_playbook(tmp_path, hostvars: dict, version: str = "xp"):
    host = unreachable_windows_host(windows_version=version, **hostvars)
    inventory = {"all": {"children": {"workstations": {"hosts": {HOST: host}}}}}
    return run_ansible_playbook("daily_reboot.yml", inventory, tmp_path, "--check")


def test_good_input_gets_as_far_as_the_host(tmp_path):
    result = run_playbook(tmp_path, {})
    assert result.returncode != 0
    assert "unreachable=1" in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("hostvars", "named"),
    [
        ({"daily_reboot_time": "10:30"}, "daily_reboot_time: 10:30 with"),
        ({"daily_reboot_time": "11:50"}, "(09:00-12:00, Decision 833 Article 22)"),
        ({"daily_reboot_time": "02:45"}, "(Sunday 03:00-06:00, Decision 833 Article 20)"),
        ({"daily_reboot_time": "13:50", "daily_reboot_spread_minutes": 0}, "(14:00-17:00, Decision"),
        ({"daily_reboot_time": "12:70"}, "daily_reboot_time must be HH:MM"),
        ({"daily_reboot_warning_seconds": 900}, "daily_reboot_warning_seconds: 900 must"),
        ({"daily_reboot_message": "x" * 130}, "daily_reboot_message: 130 characters"),
        ({"daily_reboot_reason": "u:1:1"}, "daily_reboot_reason: 'u:1:1'"),
        ({"daily_reboot_task_name": "a b"}, "daily_reboot_task_name: 'a b'"),
    ],
)
def test_bad_input_fails_before_the_host_is_contacted(tmp_path, hostvars, named):
    result = run_playbook(tmp_path, hostvars)
    assert result.returncode != 0
    assert "unreachable=0" in result.stdout and "failed=1" in result.stdout, result.stdout
    assert f"fatal: [{HOST}]" in result.stdout
    assert named in result.stdout, result.stdout
    assert NEVER_SENT not in result.stdout + result.stderr


def test_a_forced_window_gets_as_far_as_the_host(tmp_path):
    result = run_playbook(tmp_path, {"daily_reboot_time": "10:30", "daily_reboot_force_window": True})
    assert "unreachable=1" in result.stdout, result.stdout


def test_the_7_limits_apply_to_a_7_host(tmp_path):
    result = run_playbook(tmp_path, {"daily_reboot_warning_seconds": 900}, version="7")
    assert "unreachable=1" in result.stdout, result.stdout
