"""Hung and slow hosts over a whole run: a host that stops answering fails at its deadline, naming
the command, and holds up nobody else; an installer has a longer deadline than the other commands.

winlab's fault `command_delay` makes a host answer its commands that late (its Receives time out
and are retried, as on a host that stopped answering); it is set at the moment a chosen command
arrives (tests.support.lab_runs.on_command).
"""

from __future__ import annotations

import time

import pytest

from tests.support.ansible_cli import run_ansible_playbook
from tests.support.credentials import PASSWORD, USER
from tests.support.lab_runs import dhcp_inventory, errors, on_command, outcome, recap, running_lab, temp_files

pytestmark = [pytest.mark.slow, pytest.mark.fault]

DEADLINE = 4
# Short WinRM timeouts, so that the deadline is checked often (each Receive waits 1 s at most).
DEADLINE_VARS = {
    "vnaccs_winrm_command_timeout_sec": DEADLINE,
    "ansible_winrm_operation_timeout_sec": 1,
    "ansible_winrm_read_timeout_sec": 5,
}
PLAN_SCRIPT = r"netsh exec %SystemRoot%\Temp\vnaccs_dhcp_plan.txt"


def test_a_host_that_stops_answering_fails_at_its_deadline_naming_the_command_and_the_others_finish(
    tmp_path,
):
    hosts = {"dhcp-a": "2003", "dhcp-hung": "2008", "dhcp-c": "2003"}
    with running_lab(tmp_path, hosts, {USER: PASSWORD}) as lab:
        inventory = dhcp_inventory(lab, hosts, USER, PASSWORD, **DEADLINE_VARS)
        hung_at: list[float] = []

        def stop_answering(command: str) -> None:
            hung_at.append(time.monotonic())
            lab.set_fault("dhcp-hung", command_delay=3600)

        with on_command(lab, "dhcp-hung", lambda line: line == PLAN_SCRIPT, stop_answering):
            run = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        ended = time.monotonic()

        counts = recap(run).hosts
        assert counts["dhcp-hung"]["failed"] == 1, run.stdout
        assert (
            outcome(counts["dhcp-a"])
            == outcome(counts["dhcp-c"])
            == {"changed": 1, "unreachable": 0, "failed": 0}
        )
        (message,) = errors(run, "dhcp-hung")
        assert message.startswith(f"dhcp-hung: `{PLAN_SCRIPT}` did not finish within {DEADLINE} s; ")
        assert "may have changed" in message
        # At the deadline (checked between 1 s Receives), not after one more deadline for each clean-up
        # command (the plan file, the read-back, the lock): the host is sent nothing more.
        assert ended - hung_at[0] < 2 * DEADLINE, ended - hung_at[0]

        # The host answers again: the next run converges and removes what the hung one left.
        lab.clear_faults("dhcp-hung")
        again = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        assert recap(again).total("failed") == 0, again.stdout
        assert temp_files(lab, "dhcp-hung") == []
        warnings = again.stderr
        assert "dhcp-hung: removed the lock and the temporary files of " in warnings, warnings
        assert "that run has ended" in warnings
        repeat = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        assert recap(repeat).total("changed") == 0 and recap(repeat).total("failed") == 0


def test_an_installer_has_the_jobs_deadline_which_is_longer_than_the_other_commands(tmp_path):
    hosts = {"dhcp-short": "2003", "dhcp-long": "2003"}
    with running_lab(tmp_path, hosts, {USER: PASSWORD}) as lab:
        inventory = dhcp_inventory(lab, hosts, USER, PASSWORD, **DEADLINE_VARS)
        servers = inventory["all"]["children"]["dhcp_servers"]["hosts"]
        servers["dhcp-short"]["dhcp_server_install_timeout"] = DEADLINE
        servers["dhcp-long"]["dhcp_server_install_timeout"] = 30

        def installer_takes_long(name: str):
            # sysocmgr takes twice the command deadline; every other command answers at once.
            def act(command: str) -> None:
                if command.startswith("start /wait sysocmgr "):
                    lab.set_fault(name, command_delay=2 * DEADLINE)
                elif lab.runtime(name).faults:
                    lab.clear_faults(name)

            return on_command(lab, name, lambda line: True, act)

        with installer_takes_long("dhcp-short"), installer_takes_long("dhcp-long"):
            run = run_ansible_playbook("dhcp.yml", inventory, tmp_path)

        counts = recap(run).hosts
        assert outcome(counts["dhcp-long"]) == {"changed": 1, "unreachable": 0, "failed": 0}, run.stdout
        assert lab.host("dhcp-long").snapshot()["dhcp"]["scopes"]["10.40.11.0"]["state"] == 1
        assert counts["dhcp-short"]["failed"] == 1
        (message,) = errors(run, "dhcp-short")
        assert message.startswith("dhcp-short: `start /wait sysocmgr ")
        assert f"did not finish within {DEADLINE} s" in message


def test_a_slow_host_finishes_and_holds_up_nobody(tmp_path):
    hosts = {"dhcp-a": "2003", "dhcp-slow": "2008"}
    with running_lab(tmp_path, hosts, {USER: PASSWORD}) as lab:
        lab.set_fault("dhcp-slow", slow=0.05)
        inventory = dhcp_inventory(lab, hosts, USER, PASSWORD)
        run = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        assert recap(run).total("failed") == 0 and recap(run).total("changed") == 2, run.stdout
        assert lab.host("dhcp-slow").snapshot()["dhcp"]["scopes"]["10.40.11.0"]["state"] == 1
        repeat = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        assert recap(repeat).total("changed") == 0 and recap(repeat).total("failed") == 0
