"""The baseline reads what the daily check reads, one command per item."""

from __future__ import annotations

import pytest

from benchmarks import baseline


@pytest.mark.parametrize(
    ("group", "name", "family"),
    [
        ("dhcp_servers", "dhcp-a", "2003"),
        ("base_servers", "base-ha-noi", "2008"),
        ("workstations", "ws-a-01", "xp"),
        ("workstations", "ws-a-02", "7"),
    ],
)
def test_the_baseline_runs_each_item_of_the_daily_checks_probe_alone(group, name, family):
    commands = baseline.items(group, name, family)
    probe = baseline.plan(group, name, family).probe_command()
    assert commands[0] == "hostname"
    assert len(commands) >= 3
    for command in commands:
        assert command in probe


def test_a_workstations_items_include_its_restart_task():
    commands = baseline.items("workstations", "ws-a-01", "7")
    assert any(command.startswith("schtasks /query") for command in commands)
