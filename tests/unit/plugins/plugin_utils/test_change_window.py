"""The one rule of when disruptive work may happen (Decision 833, Articles 20 and 22), clock given."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import change_window as cw

ICT = timezone(timedelta(hours=7))


def names(periods) -> list[str]:
    return [f"{period.name} {period.start:%H:%M}" for period in periods]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 30, 8, 59, tzinfo=ICT), []),  # a Monday, just before the peak
        (datetime(2026, 11, 30, 9, 0, tzinfo=ICT), ["peak hours 09:00"]),
        (datetime(2026, 11, 30, 11, 59, tzinfo=ICT), ["peak hours 09:00"]),
        (datetime(2026, 11, 30, 12, 0, tzinfo=ICT), []),
        (datetime(2026, 11, 30, 16, 30, tzinfo=ICT), ["peak hours 14:00"]),
        (datetime(2026, 11, 30, 4, 0, tzinfo=ICT), []),  # 04:00 on a Monday is free
        (datetime(2026, 11, 29, 4, 0, tzinfo=ICT), ["VNACCS maintenance 03:00"]),  # a Sunday
        (datetime(2026, 11, 29, 6, 0, tzinfo=ICT), []),
    ],
)
def test_one_moment(moment, expected):
    assert names(cw.conflicts_at(moment)) == expected


def test_a_moment_is_judged_in_vietnams_time_whatever_its_zone():
    # 02:30 UTC is 09:30 in Hanoi: peak hours.
    assert names(cw.conflicts_at(datetime(2026, 11, 30, 2, 30, tzinfo=UTC))) == ["peak hours 09:00"]
    # A naive time is taken to be in Asia/Ho_Chi_Minh already.
    assert cw.conflicts_at(datetime(2026, 11, 30, 2, 30)) == []
    assert cw.now(datetime(2026, 11, 30, 2, 30, tzinfo=UTC)).hour == 9


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        (time(12, 15), 45, []),
        (time(12, 15), 106, ["peak hours 14:00"]),  # 12:15 + 106 min = 14:01
        (time(12, 15), 105, []),  # ends at 14:00 exactly
        (time(8, 30), 31, ["peak hours 09:00"]),
        (time(2, 30), 45, ["VNACCS maintenance 03:00"]),  # a daily task runs on Sunday too
        (time(6, 0), 180, []),
        (time(23, 40), 220, ["VNACCS maintenance 03:00"]),  # past midnight into 03:00
        (time(23, 40), 60, []),
        (time(17, 0), 0, []),
    ],
)
def test_a_daily_window(start, minutes, expected):
    assert names(cw.daily_conflicts(start, minutes)) == expected


def test_the_spread_offset_is_stable_within_the_window_and_spread():
    hosts = [f"bac-ninh-cchq-tien-son-ts-hq{number:02d}" for number in range(200)]
    offsets = [cw.spread_offset(host, 30) for host in hosts]
    assert offsets == [cw.spread_offset(host, 30) for host in hosts]  # the same on every run
    assert min(offsets) >= 0 and max(offsets) <= 29
    assert len(set(offsets)) > 20  # spread over the window, not bunched
    assert cw.spread_offset("TS-HQ01", 30) == cw.spread_offset("ts-hq01", 30)
    assert cw.spread_offset("any", 0) == cw.spread_offset("any", 1) == 0


def test_times_of_day():
    assert cw.parse_time_of_day("12:15") == time(12, 15)
    assert cw.parse_time_of_day("7:05") == time(7, 5)
    assert cw.parse_time_of_day("24:00") is None and cw.parse_time_of_day("12:15:00") is None
    assert cw.add_minutes(time(23, 50), 20) == time(0, 10)
    assert "Sunday 03:00-06:00" in cw.describe([cw.QUIET_PERIODS[2]])
