# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""When disruptive work (a restart, an install on a workstation) may happen: the one copy of the rule.

Decision 833/QĐ-TCHQ sets the periods that must stay quiet, in Vietnam's time:

* Article 22: the peak hours, 09:00-12:00 and 14:00-17:00 every day;
* Article 20: the weekly VNACCS/VCIS maintenance, Sunday 03:00-06:00.

Everything here is judged in :data:`TIME_ZONE` (Asia/Ho_Chi_Minh, UTC+07:00 all year: Vietnam has
kept no daylight saving time since 1975), whatever the controller's own zone is. A clock is always
passed in or taken explicitly (:func:`now`), so that a test can say what time it is.

* :func:`conflicts_at` judges one moment (a rollout about to install now);
* :func:`daily_conflicts` judges a window that recurs every day at the same time of day (the daily
  restart task): a daily task also runs on Sunday, so Sunday's maintenance blocks it too;
* :func:`spread_offset` is a host's stable place within a spread window (computed from its name).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone, tzinfo

TIME_ZONE = "Asia/Ho_Chi_Minh"
MINUTES_PER_DAY = 24 * 60
SUNDAY = 6  # datetime.weekday()


def zone() -> tzinfo:
    """Asia/Ho_Chi_Minh from the system's time zone data; a fixed UTC+07:00 where there is none."""
    try:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(TIME_ZONE)
        except ZoneInfoNotFoundError:
            pass
    except ImportError:  # pragma: no cover - Python 3.9+ always has zoneinfo
        pass
    return timezone(timedelta(hours=7), "ICT")


def now(clock: datetime | None = None) -> datetime:
    """The time in Asia/Ho_Chi_Minh: `clock` (an aware datetime, or a naive one taken to be in that
    zone) or the current time."""
    if clock is None:
        return datetime.now(zone())
    if clock.tzinfo is None:
        return clock.replace(tzinfo=zone())
    return clock.astimezone(zone())


@dataclass(frozen=True)
class QuietPeriod:
    """A daily period (or one on `weekday` only) when nothing disruptive may happen."""

    name: str
    start: time
    end: time
    article: str
    weekday: int | None = None  # None: every day

    def label(self) -> str:
        day = "Sunday " if self.weekday == SUNDAY else ""
        return f"{self.name} ({day}{self.start:%H:%M}-{self.end:%H:%M}, Decision 833 {self.article})"

    def minutes(self) -> tuple[int, int]:
        return _minute(self.start), _minute(self.end)


QUIET_PERIODS = (
    QuietPeriod("peak hours", time(9, 0), time(12, 0), "Article 22"),
    QuietPeriod("peak hours", time(14, 0), time(17, 0), "Article 22"),
    QuietPeriod("VNACCS maintenance", time(3, 0), time(6, 0), "Article 20", weekday=SUNDAY),
)


def _minute(value: time) -> int:
    return value.hour * 60 + value.minute


def conflicts_at(moment: datetime, periods: tuple[QuietPeriod, ...] = QUIET_PERIODS) -> list[QuietPeriod]:
    """The quiet periods `moment` falls in (judged in Asia/Ho_Chi_Minh); empty when it may go ahead."""
    local = now(moment)
    minute = local.hour * 60 + local.minute
    found = []
    for period in periods:
        if period.weekday is not None and local.weekday() != period.weekday:
            continue
        start, end = period.minutes()
        if start <= minute < end:
            found.append(period)
    return found


def daily_conflicts(
    start: time, length_minutes: int, periods: tuple[QuietPeriod, ...] = QUIET_PERIODS
) -> list[QuietPeriod]:
    """The quiet periods a window of `length_minutes` starting at `start` every day overlaps.

    The window may run past midnight. A period of one weekday counts as daily: a daily task runs
    on that day too.
    """
    begin = _minute(start)
    end = begin + max(length_minutes, 1)
    found = []
    for period in periods:
        low, high = period.minutes()
        # The window against the period on the same day and on the next (for a window past midnight).
        if any(begin < high + shift and low + shift < end for shift in (0, MINUTES_PER_DAY)):
            found.append(period)
    return found


_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_time_of_day(text: str) -> time | None:
    """`HH:MM` (24-hour) as a time, or None."""
    match = _TIME.match(str(text).strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


def add_minutes(value: time, minutes: int) -> time:
    total = (_minute(value) + minutes) % MINUTES_PER_DAY
    return time(total // 60, total % 60)


def spread_offset(host: str, spread_minutes: int) -> int:
    """A host's minute within a spread window of `spread_minutes` (0 to spread_minutes - 1).

    From a hash of the lower-case host name: the same on every run and every controller, and spread
    evenly, so a site's workstations do not all restart (and fetch the client update from their
    base server) in the same minute.
    """
    if spread_minutes <= 1:
        return 0
    digest = hashlib.sha256(host.strip().lower().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % spread_minutes


def describe(periods: list[QuietPeriod]) -> str:
    return ", ".join(period.label() for period in periods)
