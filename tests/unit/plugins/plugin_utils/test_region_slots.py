"""Per-region fetch slots: no more than K workstations of one region fetch at once."""

from __future__ import annotations

import contextlib

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.region_slots import (
    DEFAULT_FETCH_SLOTS,
    RegionBusy,
    RegionSlots,
    RegionSlotsError,
    fetch_slots,
)

from tests.support.clock import FakeClock


@pytest.fixture
def slots(tmp_path) -> tuple[RegionSlots, FakeClock]:
    clock = FakeClock()
    return RegionSlots(tmp_path, clock=clock, sleep=clock.sleep), clock


def test_k_fetches_of_a_region_run_and_the_next_one_waits_then_gives_up(slots):
    region_slots, clock = slots
    with contextlib.ExitStack() as held:
        numbers = [held.enter_context(region_slots.hold("da_nang", 3, timeout=0)) for _ in range(3)]
        assert numbers == [1, 2, 3]
        assert region_slots.busy("da_nang", 3) == 3
        busy = r"region da_nang: all 3 fetch slot\(s\) stayed taken for 5 s"
        with pytest.raises(RegionBusy, match=busy), region_slots.hold("da_nang", 3, timeout=5, poll=1):
            pass
        assert clock.sleeps == [1, 1, 1, 1, 1]
    assert region_slots.busy("da_nang", 3) == 0


def test_a_freed_slot_goes_to_the_next_fetch(slots):
    region_slots, _ = slots
    with region_slots.hold("ha_noi", 2, timeout=0) as first:
        with region_slots.hold("ha_noi", 2, timeout=0) as second:
            assert (first, second) == (1, 2)
        with region_slots.hold("ha_noi", 2, timeout=0) as third:
            assert third == 2
    with region_slots.hold("ha_noi", 2, timeout=0) as again:
        assert again == 1


def test_regions_do_not_share_slots(slots):
    region_slots, _ = slots
    with region_slots.hold("ha_noi", 1, timeout=0), region_slots.hold("lang_son", 1, timeout=0) as other:
        assert other == 1
        with pytest.raises(RegionBusy), region_slots.hold("ha_noi", 1, timeout=0):
            pass


def test_the_slot_files_are_private_and_kept_in_the_state_folder(slots, tmp_path):
    region_slots, _ = slots
    with region_slots.hold("tong_cuc", 2, timeout=0):
        pass
    lock = tmp_path / "region-slots" / "tong_cuc.1.lock"
    assert lock.exists()
    assert lock.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "region-slots").stat().st_mode & 0o777 == 0o700


def test_the_state_folder_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("VNACCS_STATE_DIR", str(tmp_path / "state"))
    assert RegionSlots().folder == tmp_path / "state" / "region-slots"


@pytest.mark.parametrize("region", ["Ha Noi", "../etc", "", "ha-noi"])
def test_a_region_name_that_is_not_a_slug_is_refused(slots, region):
    region_slots, _ = slots
    with pytest.raises(RegionSlotsError, match="a region name is"), region_slots.hold(region, 2):
        pass


def test_the_setting_per_region_then_the_default_then_the_built_in_value():
    by_region = {"tong_cuc": 10, "lang_son": "1"}
    assert fetch_slots("tong_cuc", 3, by_region) == 10
    assert fetch_slots("lang_son", 3, by_region) == 1
    assert fetch_slots("da_nang", 3, by_region) == 3
    assert fetch_slots("da_nang", None, None) == DEFAULT_FETCH_SLOTS
    assert fetch_slots("da_nang", "6") == 6


@pytest.mark.parametrize(
    ("default", "by_region", "message"),
    [
        (0, None, r"rollout_slots: must be at least 1 \(one fetch at a time\), not 0"),
        ("many", None, r"rollout_slots: must be a whole number of slots, at least 1, not 'many'"),
        (True, None, r"rollout_slots: must be a whole number"),
        (2.5, None, r"rollout_slots: must be a whole number"),
        (2, {"ha_noi": -1}, r"rollout_slots_by_region\['ha_noi'\]: must be at least 1"),
        (2, ["ha_noi"], r"rollout_slots_by_region: must map region names to slots"),
    ],
)
def test_a_bad_setting_names_the_variable_and_the_region(default, by_region, message):
    with pytest.raises(RegionSlotsError, match=message):
        fetch_slots("ha_noi", default, by_region, "rollout_slots", "rollout_slots_by_region")
