"""Runs that lose a host or are cut short: a reply lost mid-batch, a host that is down, a run
killed while it changes a host, a service that crashed. Each ends with what an admin needs: the
failed host named, the others finished, the truth about what changed, nothing left in
%SystemRoot%\\Temp, and a re-run that converges.
"""

from __future__ import annotations

import signal

import pytest

from tests.support.ansible_cli import kill_run, run_ansible_playbook, start_ansible_playbook
from tests.support.credentials import PASSWORD, USER
from tests.support.lab_runs import dhcp_inventory, errors, on_command, outcome, recap, running_lab, temp_files

pytestmark = [pytest.mark.slow, pytest.mark.fault]

PLAN_SCRIPT = r"netsh exec %SystemRoot%\Temp\vnaccs_dhcp_plan.txt"
HOSTS = {"dhcp-a": "2003", "dhcp-b": "2008"}


def scope_state(lab, name: str, index: int):
    scope = lab.host(name).snapshot()["dhcp"]["scopes"].get(f"10.40.{index}.0")
    return None if scope is None else scope["state"]


def test_a_reply_lost_mid_batch_is_judged_by_a_new_probe_and_nothing_is_left_behind(tmp_path):
    with running_lab(tmp_path, HOSTS, {USER: PASSWORD}) as lab:
        inventory = dhcp_inventory(lab, HOSTS, USER, PASSWORD)
        # The connection drops before netsh's reply comes back; the script has run.
        lost = on_command(
            lab, "dhcp-b", lambda line: line == PLAN_SCRIPT, lambda _: lab.set_fault("dhcp-b", drop=1)
        )
        with lost:
            run = run_ansible_playbook("dhcp.yml", inventory, tmp_path)

        counts = recap(run).hosts
        assert outcome(counts["dhcp-a"]) == {"changed": 1, "unreachable": 0, "failed": 0}, run.stdout
        assert counts["dhcp-b"]["failed"] == 1 and counts["dhcp-b"]["unreachable"] == 0
        (message,) = errors(run, "dhcp-b")
        assert message.startswith(f"dhcp-b: the reply to `{PLAN_SCRIPT}` was lost (WinRM is unreachable at ")
        assert message.endswith("; read again, the host has changed")
        assert "changed: true" in run.stdout.split("fatal: [dhcp-b]")[1].split("PLAY RECAP")[0]
        assert scope_state(lab, "dhcp-b", 11) == 1
        # The new probe, on a new connection, deleted the plan file; the lock was released.
        assert temp_files(lab, "dhcp-b") == []

        again = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        assert recap(again).total("failed") == 0 and recap(again).total("changed") == 0, again.stdout


def test_a_host_that_is_down_is_unreachable_and_the_others_carry_on(tmp_path):
    hosts = {**HOSTS, "dhcp-down": "2003"}
    with running_lab(tmp_path, hosts, {USER: PASSWORD}) as lab:
        lab.set_fault("dhcp-down", down=True)
        inventory = dhcp_inventory(lab, hosts, USER, PASSWORD)
        run = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        counts = recap(run).hosts
        assert counts["dhcp-down"]["unreachable"] == 1, run.stdout
        assert counts["dhcp-a"]["changed"] == counts["dhcp-b"]["changed"] == 1
        assert recap(run).total("failed") == 0
        assert "dhcp-down: WinRM is unreachable at http://127.0.0.1:" in run.stdout

        lab.clear_faults("dhcp-down")
        again = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        assert recap(again).hosts_with("changed") == ["dhcp-down"], again.stdout
        assert scope_state(lab, "dhcp-down", 12) == 1


def test_a_run_killed_while_it_changes_a_host_is_cleaned_up_by_the_next_run(tmp_path):
    with running_lab(tmp_path, {"dhcp-a": "2003"}, {USER: PASSWORD}) as lab:
        inventory = dhcp_inventory(lab, ["dhcp-a"], USER, PASSWORD)
        killed = start_ansible_playbook("dhcp.yml", inventory, tmp_path)

        # The controller dies (power cut, kill -9) while the host runs the plan: nothing is released.
        with on_command(lab, "dhcp-a", lambda line: line == PLAN_SCRIPT, lambda _: kill_run(killed)):
            killed.communicate(timeout=120)
        assert killed.returncode == -signal.SIGKILL
        assert temp_files(lab, "dhcp-a") == ["vnaccs.lock", "vnaccs_dhcp_plan.txt"]

        again = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        assert recap(again).total("failed") == 0, again.stdout
        assert "that run has ended" in again.stderr, again.stderr
        assert temp_files(lab, "dhcp-a") == []
        assert scope_state(lab, "dhcp-a", 10) == 1
        repeat = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        assert recap(repeat).total("changed") == 0 and recap(repeat).total("failed") == 0
