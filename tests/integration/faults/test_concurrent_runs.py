"""Two runs on one host: the second is refused with a clear message and changes nothing (the host
lock, %SystemRoot%\\Temp\\vnaccs.lock); a lock whose run died is taken over after the stale time.
"""

from __future__ import annotations

import time

import pytest

from tests.support.ansible_cli import run_ansible_playbook
from tests.support.credentials import PASSWORD, USER
from tests.support.lab_runs import dhcp_inventory, errors, on_command, outcome, recap, running_lab, temp_files

pytestmark = [pytest.mark.slow, pytest.mark.fault]

PLAN_SCRIPT = r"netsh exec %SystemRoot%\Temp\vnaccs_dhcp_plan.txt"
LOCK = r"%SystemRoot%\Temp\vnaccs.lock"
# The first run waits for the whole second run inside one command: room for a loaded machine.
PATIENT = {"ansible_winrm_operation_timeout_sec": 20, "ansible_winrm_read_timeout_sec": 180}


def test_a_second_run_on_a_host_that_a_run_is_changing_is_refused_and_changes_nothing(tmp_path):
    with running_lab(tmp_path, {"dhcp-a": "2003"}, {USER: PASSWORD}) as lab:
        inventory = dhcp_inventory(lab, ["dhcp-a"], USER, PASSWORD, **PATIENT)
        second_dir = tmp_path / "second"
        second_dir.mkdir()
        second = []

        def run_the_second(_command: str) -> None:
            # The first run holds the lock and is about to run its netsh script: the second starts now.
            if not second:
                second.append(run_ansible_playbook("dhcp.yml", inventory, second_dir))

        with on_command(lab, "dhcp-a", lambda line: line == PLAN_SCRIPT, run_the_second):
            first = run_ansible_playbook("dhcp.yml", inventory, tmp_path)

        assert outcome(recap(first).hosts["dhcp-a"]) == {"changed": 1, "unreachable": 0, "failed": 0}, (
            first.stdout
        )
        (refused,) = second
        assert recap(refused).hosts["dhcp-a"]["failed"] == 1, refused.stdout
        (message,) = errors(refused, "dhcp-a")
        assert (
            message.startswith("dhcp-a: another run (")
            and "is changing this host; nothing was changed" in message
        )
        assert LOCK in message
        # The second run deleted nothing of the first's (its plan file was still to run) and ran nothing.
        assert "changed: false" in refused.stdout.split("fatal: [dhcp-a]")[1]
        assert lab.host("dhcp-a").snapshot()["dhcp"]["scopes"]["10.40.10.0"]["state"] == 1
        assert temp_files(lab, "dhcp-a") == []

        again = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        assert recap(again).total("changed") == 0 and recap(again).total("failed") == 0, again.stdout


def test_a_lock_left_by_a_run_that_died_is_taken_over_after_the_stale_time(tmp_path):
    with running_lab(tmp_path, {"dhcp-a": "2008"}, {USER: PASSWORD}) as lab:
        host = lab.host("dhcp-a")

        def leave_lock(age: float) -> None:
            # What a run of another controller leaves when it dies holding the lock.
            host.run(f"rmdir /s /q {LOCK}")
            host.run(
                f"mkdir {LOCK} && >{LOCK}\\owner.txt echo {time.time() - age:.0f} other-controller-pid42"
            )

        inventory = dhcp_inventory(lab, ["dhcp-a"], USER, PASSWORD)
        leave_lock(age=0)
        refused = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        (message,) = errors(refused, "dhcp-a")
        assert message.startswith("dhcp-a: another run (other-controller-pid42, since ")
        assert "a lock older than 30 minutes counts as stale" in message
        assert host.snapshot()["components"]["dhcp"] is False

        leave_lock(age=120)
        taken = run_ansible_playbook(
            "dhcp.yml", inventory, tmp_path, env={"VNACCS_HOST_LOCK_STALE_MINUTES": "1"}
        )
        assert recap(taken).hosts["dhcp-a"]["changed"] == 1 and recap(taken).total("failed") == 0, (
            taken.stdout
        )
        assert "dhcp-a: took over a stale lock of other-controller-pid42" in taken.stderr, taken.stderr
        assert "that run did not finish" in taken.stderr
        assert temp_files(lab, "dhcp-a") == []
        repeat = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        assert recap(repeat).total("changed") == 0 and recap(repeat).total("failed") == 0
