"""The benchmarks' statistics: summaries, run-by-run ratios, per-host counters, growth verdicts."""

from __future__ import annotations

import math

import pytest

from benchmarks import stats


def test_summary_of_runs():
    assert stats.summary([3.0, 1.0, 2.0]) == {"min": 1.0, "median": 2.0, "max": 3.0, "n": 3}
    assert stats.summary([4, 1, 2, 3])["median"] == 2.5
    with pytest.raises(ValueError, match="no values"):
        stats.summary([])


def test_ratios_are_paired_run_by_run():
    # A machine twice as slow in the second pair moves both halves: the ratio stays.
    assert stats.paired_ratios([10.0, 20.0], [2.0, 4.0]) == [5.0, 5.0]
    with pytest.raises(ValueError, match="pair them"):
        stats.paired_ratios([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="positive"):
        stats.paired_ratios([1.0], [0.0])


def _counters(commands: int, requests: int, sent: int = 100, shells: int = 0) -> dict:
    return {
        "requests": requests,
        "operations": {"Command": commands, "Create": 1} if commands else {},
        "bytes_sent": sent,
        "bytes_received": 2 * sent,
        "connections": 1 if requests else 0,
        "open_shells": shells,
    }


def test_per_group_counts_only_the_hosts_the_run_reached():
    counters = {
        "dhcp-a": _counters(1, 8, 1000),
        "dhcp-b": _counters(2, 11, 3000, shells=1),
        "dhcp-c": _counters(0, 0, 0),  # not in the run's limit
        "ws-a": _counters(1, 8, 500),
        "stray": _counters(5, 40),  # in no group
    }
    groups = {
        "dhcp-a": "dhcp_servers",
        "dhcp-b": "dhcp_servers",
        "dhcp-c": "dhcp_servers",
        "ws-a": "workstations",
    }
    result = stats.per_group(counters, groups)
    assert set(result) == {"dhcp_servers", "workstations"}
    dhcp = result["dhcp_servers"]
    assert dhcp["hosts"] == 2
    assert dhcp["commands"] == {"min": 1, "median": 1.5, "max": 2, "n": 2, "total": 3}
    assert dhcp["requests"]["max"] == 11
    assert dhcp["bytes_sent"]["total"] == 4000
    assert dhcp["bytes_received"]["median"] == 4000
    assert dhcp["open_shells"]["total"] == 1
    assert result["workstations"]["commands"]["total"] == 1


def test_linear_growth_is_linear_and_quadratic_is_not():
    linear = stats.growth([100, 400, 1600], [1.0, 4.1, 15.5])
    assert linear["size_ratio"] == 16
    assert math.isclose(linear["exponent"], math.log(15.5) / math.log(16))
    assert stats.at_most_linear(linear)
    quadratic = stats.growth([100, 400, 1600], [1.0, 16.0, 256.0])
    assert math.isclose(quadratic["exponent"], 2.0)
    assert not stats.at_most_linear(quadratic)
    # Sizes in any order; what grows slower than the fleet is fine.
    assert stats.at_most_linear(stats.growth([1600, 100], [2.0, 1.0]))


@pytest.mark.parametrize(
    ("sizes", "values"), [([1], [1.0]), ([1, 1], [1.0, 2.0]), ([1, 2], [0.0, 1.0]), ([1, 2], [1.0])]
)
def test_growth_needs_two_distinct_sizes_and_a_positive_start(sizes, values):
    with pytest.raises(ValueError):
        stats.growth(sizes, values)
