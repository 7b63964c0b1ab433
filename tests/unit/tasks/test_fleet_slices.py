"""`./run fleet`'s slices: whole base-server regions, balanced by host count, the same every time;
and how a run's stats become the merged report."""

from __future__ import annotations

import itertools
import random

import pytest

from tasklib.fleet import (
    FleetError,
    Slice,
    SliceRun,
    make_slices,
    merge,
    only_regions,
    parse_list_hosts,
    site_region_hosts,
    split_regions,
    stats_of,
)


@pytest.fixture(scope="module")
def dhcp_hosts(frozen_inventory) -> dict[str, str]:
    """host -> region of the DHCP job's hosts in the tests' inventory (all 152 sites)."""
    from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.sitedata import Paths

    return site_region_hosts(Paths.in_inventory_dir(frozen_inventory), "dhcp_servers")


@pytest.fixture(scope="module")
def all_hosts(frozen_inventory) -> dict[str, str]:
    """host -> region of every host of the tests' inventory (sites, switches, base servers, stations)."""
    from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.sitedata import Paths

    paths = Paths.in_inventory_dir(frozen_inventory)
    hosts: dict[str, str] = {}
    for group in ("dhcp_servers", "switches", "base_servers", "workstations"):
        hosts.update(site_region_hosts(paths, group))
    return hosts


def region_sizes(host_regions: dict[str, str]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for region in host_regions.values():
        sizes[region] = sizes.get(region, 0) + 1
    return sizes


def test_the_inventory_has_ten_regions(dhcp_hosts, all_hosts):
    # Appendix III: ten base servers; Appendix IV: 152 sites in 34 departments.
    assert len(set(dhcp_hosts.values())) == 10
    assert len(dhcp_hosts) == 152
    assert len(set(all_hosts.values())) == 10


@pytest.mark.parametrize("count", range(1, 11))
@pytest.mark.parametrize("which", ["dhcp_hosts", "all_hosts"])
def test_slices_are_whole_regions_balanced_within_the_largest_region(request, which, count):
    host_regions = request.getfixturevalue(which)
    sizes = region_sizes(host_regions)
    slices = make_slices(host_regions, count)

    assert len(slices) == count
    assert [piece.number for piece in slices] == list(range(1, count + 1))
    # Every region in exactly one slice, and every host in its region's slice only.
    regions = [region for piece in slices for region in piece.regions]
    assert sorted(regions) == sorted(sizes)
    for piece in slices:
        assert piece.regions, "a slice without a region"
        assert set(piece.hosts) == {host for host, region in host_regions.items() if region in piece.regions}
    assert sorted(host for piece in slices for host in piece.hosts) == sorted(host_regions)
    # Balanced: no slice more than the largest region above another.
    loads = [len(piece.hosts) for piece in slices]
    assert max(loads) - min(loads) <= max(sizes.values())


def test_two_slices_of_the_dhcp_job_are_as_even_as_whole_regions_allow(dhcp_hosts):
    sizes = region_sizes(dhcp_hosts)
    loads = sorted(len(piece.hosts) for piece in make_slices(dhcp_hosts, 2))
    # The best split of these regions into two, found by trying every one.
    best = min(
        abs(sum(sizes[r] for r in chosen) * 2 - sum(sizes.values()))
        for size in range(len(sizes) + 1)
        for chosen in itertools.combinations(sizes, size)
    )
    assert loads[1] - loads[0] == best


def test_slices_do_not_depend_on_the_order_hosts_come_in(dhcp_hosts):
    expected = make_slices(dhcp_hosts, 3)
    shuffled = list(dhcp_hosts.items())
    random.Random(833).shuffle(shuffled)
    assert make_slices(dict(shuffled), 3) == expected
    assert make_slices(dict(reversed(list(dhcp_hosts.items()))), 3) == expected


def test_slices_are_listed_by_region_name():
    assert split_regions({"b": 5, "a": 5, "c": 9, "d": 1}, 2) == [("a", "b"), ("c", "d")]
    assert split_regions({"b": 5, "a": 4, "c": 1}, 3) == [("a",), ("b",), ("c",)]
    assert split_regions({"x": 3}, 1) == [("x",)]


@pytest.mark.parametrize("count", [0, -1, 4])
def test_impossible_slice_counts_are_refused_with_the_regions_named(count):
    with pytest.raises(FleetError) as error:
        split_regions({"ha_noi": 3, "da_nang": 2, "lang_son": 1}, count)
    if count > 0:
        assert "4 slices" in str(error.value)
        assert "da_nang, ha_noi, lang_son" in str(error.value)


def test_regions_are_chosen_by_name_with_or_without_the_group_prefix():
    hosts = {"h1": "ha_noi", "h2": "da_nang", "h3": "ha_noi"}
    assert only_regions(hosts, ["region_ha_noi"]) == {"h1": "ha_noi", "h3": "ha_noi"}
    assert only_regions(hosts, ["da_nang", " "]) == {"h2": "da_nang"}
    with pytest.raises(FleetError, match=r"region\(s\) hue; its regions are da_nang, ha_noi"):
        only_regions(hosts, ["hue"])


LIST_HOSTS = """
playbook: playbooks/site.yml

  play #1 (dhcp_servers): Configure the DHCP servers	TAGS: []
    pattern: ['dhcp_servers']
    hosts (2):
      dhcp-a
      dhcp-b

  play #2 (switches): Configure the relay	TAGS: []
    pattern: ['switches']
    hosts (2):
      dhcp-b
      sw-a
"""


def test_the_hosts_of_every_play_are_listed_once():
    assert parse_list_hosts(LIST_HOSTS) == ["dhcp-a", "dhcp-b", "sw-a"]
    assert parse_list_hosts("playbook: x.yml\n") == []


STATS_EVENT = {
    "event": "playbook_on_stats",
    "event_data": {
        "processed": {"a": 1, "b": 1, "c": 1},
        "ok": {"a": 3, "b": 2, "c": 1},
        "changed": {"a": 1},
        "failures": {"b": 1},
        "dark": {"c": 1},
        "skipped": {"a": 2},
    },
}


def test_a_runs_stats_become_per_host_counts_in_the_report():
    run = SliceRun(Slice(1, ("ha_noi",), ("a", "b", "c", "d")), status="failed", rc=2)
    run.stats = stats_of([{"event": "runner_on_ok"}, STATS_EVENT])
    assert run.host_results == {
        "a": {"ok": 3, "changed": 1, "failed": 0, "unreachable": 0},
        "b": {"ok": 2, "changed": 0, "failed": 1, "unreachable": 0},
        "c": {"ok": 1, "changed": 0, "failed": 0, "unreachable": 1},
    }
    assert run.failed
    merged = merge([run], {"a": "ha_noi", "b": "ha_noi", "c": "ha_noi", "d": "ha_noi"})
    assert merged["regions"]["ha_noi"]["hosts"]["d"] is None  # no result: the run never got to it
    assert merged["totals"] == {"hosts": 4, "changed": 1, "failed": 1, "unreachable": 1, "no_result": 1}


def test_a_slice_without_a_recap_failed_and_the_merge_does_not_depend_on_the_slicing():
    recap = {
        "event": "playbook_on_stats",
        "event_data": {"processed": {"a": 1, "b": 1}, "ok": {"a": 2, "b": 2}, "changed": {"b": 1}},
    }
    whole = SliceRun(Slice(1, ("da_nang", "ha_noi"), ("a", "b")), status="successful", rc=0)
    whole.stats = stats_of([recap])
    assert not whole.failed
    first = SliceRun(Slice(1, ("ha_noi",), ("a",)), status="successful", rc=0)
    first.stats = stats_of([recap])
    second = SliceRun(Slice(2, ("da_nang",), ("b",)), status="successful", rc=0)
    second.stats = stats_of([recap])
    regions = {"a": "ha_noi", "b": "da_nang"}
    assert merge([first, second], regions) == merge([whole], regions)
    crashed = SliceRun(Slice(2, ("da_nang",), ("b",)), status="error", rc=None)
    assert crashed.failed and crashed.host_results == {}
