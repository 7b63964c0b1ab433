"""The demo's Ecus6 step: the shortcut previewed and run twice, the switch-over and the return run
twice each; the commands it runs and how it judges them."""

from __future__ import annotations

import pytest
from invoke import MockContext, Result

from tasklib.ecus6 import run_ecus6_demo

STATIONS = ("bac-ninh-cchq-tien-son-ts-hq01", "bac-ninh-cchq-tien-son-ts-hq02")
BASE = "ansible-playbook -i /lab/inventory "


def recap_of(changed: dict[str, int]) -> Result:
    lines = [f"{host} : ok=3    changed={n}    unreachable=0    failed=0" for host, n in changed.items()]
    return Result(stdout="PLAY RECAP ***\n" + "\n".join(lines) + "\n")


def runs(second_return: Result) -> dict[str, list[Result]]:
    once, none = recap_of(dict.fromkeys(STATIONS, 1)), recap_of(dict.fromkeys(STATIONS, 0))
    recorded = recap_of({**dict.fromkeys(STATIONS, 1), "localhost": 1})
    return {
        BASE + "playbooks/ecus6.yml --check --diff -l cuc_bac_ninh": [once],
        BASE + "playbooks/ecus6.yml -l cuc_bac_ninh": [once, none],
        BASE + "playbooks/contingency.yml -l cuc_bac_ninh:localhost -e mode=ecus6": [recorded, none],
        BASE + "playbooks/contingency.yml -l cuc_bac_ninh:localhost -e mode=vnaccs": [
            recorded,
            second_return,
        ],
    }


def test_the_step_gives_three_rows_of_workstations(capsys):
    c = MockContext(run=runs(recap_of(dict.fromkeys(STATIONS, 0))), repeat=False)
    rows = run_ecus6_demo(c, "/lab/inventory", "cuc_bac_ninh")
    assert [title for title, _, _ in rows] == ["Ecus6 shortcut", "Switch to Ecus6", "Back to VNACCS"]
    for _, first, second in rows:
        # The controller, where the runbook records the switch, is not a row's host.
        assert sorted(first.hosts) == sorted(second.hosts) == list(STATIONS)
        assert first.hosts_with("changed") == list(STATIONS) and second.hosts_with("changed") == []


def test_a_return_that_changes_twice_stops_the_demo(capsys):
    c = MockContext(run=runs(recap_of({STATIONS[0]: 1, STATIONS[1]: 0})), repeat=False)
    with pytest.raises(
        SystemExit, match=f"Back to VNACCS: the second run was not idempotent: changed on {STATIONS[0]}"
    ):
        run_ecus6_demo(c, "/lab/inventory", "cuc_bac_ninh")
