"""`./run daily-reboot` and the demo's daily-reboot step: the commands they run and how they judge them."""

from __future__ import annotations

import re

import pytest
from invoke import MockContext, Result

from tasklib import demo
from tasklib.reboot import daily_reboot, run_daily_reboot_demo

PLAYBOOK = "playbooks/daily_reboot.yml"
COMMAND = f"ansible-playbook -i /lab/inventory {PLAYBOOK}"
WORKSTATIONS = ("bac-ninh-cchq-tien-son-ts-hq01", "bac-ninh-cchq-tien-son-ts-hq02")


def recap_of(changed: dict[str, int]) -> Result:
    lines = [f"{host} : ok=3    changed={n}    unreachable=0    failed=0" for host, n in changed.items()]
    return Result(stdout="PLAY RECAP ***\n" + "\n".join(lines) + "\n")


def test_the_demo_has_a_row_for_the_daily_reboot():
    assert ("Daily reboot", PLAYBOOK) in demo.JOBS


def test_the_demo_step_wants_the_second_run_unchanged(capsys):
    first = recap_of(dict.fromkeys(WORKSTATIONS, 1))
    second = recap_of(dict.fromkeys(WORKSTATIONS, 0))
    c = MockContext(run={COMMAND: [first, second]}, repeat=False)
    assert sorted(run_daily_reboot_demo(c, "/lab/inventory").hosts) == list(WORKSTATIONS)
    assert "2 workstation(s) restart daily" in capsys.readouterr().out

    changed_again = recap_of({WORKSTATIONS[0]: 0, WORKSTATIONS[1]: 1})
    c = MockContext(run={COMMAND: [first, changed_again]}, repeat=False)
    with pytest.raises(SystemExit, match=f"changed on {WORKSTATIONS[1]}"):
        run_daily_reboot_demo(c, "/lab/inventory")


def test_check_only_is_the_daily_check_and_never_a_change():
    # MockContext answers only the command it expects: any other command line fails the test.
    expected = f"{PLAYBOOK} -l cuc_bac_ninh -e daily_reboot_check_only=true"
    c = MockContext(run={re.compile(f".*{re.escape(expected)}$"): Result()}, repeat=False)
    daily_reboot(c, limit="cuc_bac_ninh", check_only=True)
    [call] = c.run.call_args_list
    assert call.args[0].endswith(expected) and "--check" not in call.args[0]
