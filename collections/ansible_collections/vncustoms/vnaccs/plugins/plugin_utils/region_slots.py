# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-region concurrency limits for rollouts: no more than K workstations of one base-server
region fetch from its base server at once.

The workstations of a region fetch the client package from their own base server, over the branch
WAN links that region shares; a run with twenty forks (or several slices, or two admins) could
otherwise start twenty fetches on one link. A fetch holds one of its region's K *slots* while it
runs:

    slots = fetch_slots(region, default=task_vars.get(...), by_region=task_vars.get(...))
    with RegionSlots().hold(region, slots, timeout=600) as slot:
        ...  # the workstation fetches from its base server

A slot is an exclusive `flock` on one of K files in the controller's state folder
(`$VNACCS_STATE_DIR/region-slots/<region>.<n>.lock`, the folder account_guard.py keeps its record
in), so the limit holds across forks, plays, slices and runs on one controller; the lock goes with
the process that held it, so a killed run never leaves a slot taken. It does not hold across
controllers that do not share that folder (AWX execution nodes): there, run each region in one job
at a time (the workflow with one node per region, README), which keeps a region on one node.

The setting, which the rollout reads from its variables: a default number of slots for every region
and a mapping of region to slots for the regions whose links differ. `DEFAULT_FETCH_SLOTS` is a
starting point, not a measurement of any branch link: set the value per region from the link's
capacity and the package size. Staging to a region's base server holds the region's one staging
slot (`stage_<region>`, plugins/action/client_stage.py), so its paced upload is the only one on the
region's link.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.account_guard import default_state_dir

DEFAULT_FETCH_SLOTS = 4
# The names an inventory gives regions (sitedata slugs): also safe as file names.
_REGION = re.compile(r"[a-z0-9_]+")


class RegionSlotsError(ValueError):
    """A slot setting is not a whole number of slots of at least 1; the message names it."""


class RegionBusy(Exception):
    """Every slot of the region stayed taken until the timeout."""


def _slot_count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RegionSlotsError(f"{where}: must be a whole number of slots, at least 1, not {value!r}")
    try:
        count = int(value)
    except ValueError:
        raise RegionSlotsError(
            f"{where}: must be a whole number of slots, at least 1, not {value!r}"
        ) from None
    if count < 1:
        raise RegionSlotsError(f"{where}: must be at least 1 (one fetch at a time), not {count}")
    return count


def fetch_slots(
    region: str,
    default: Any = None,
    by_region: Mapping[str, Any] | None = None,
    default_name: str = "region_fetch_slots",
    by_region_name: str = "region_fetch_slots_by_region",
) -> int:
    """How many workstations of `region` may fetch at once: its entry in `by_region`, else `default`,
    else DEFAULT_FETCH_SLOTS. A bad value is an error naming the variable (`*_name`) and the region."""
    if by_region is not None and not isinstance(by_region, Mapping):
        raise RegionSlotsError(f"{by_region_name}: must map region names to slots, not {by_region!r}")
    if by_region and region in by_region:
        return _slot_count(by_region[region], f"{by_region_name}[{region!r}]")
    if default is None:
        return DEFAULT_FETCH_SLOTS
    return _slot_count(default, default_name)


class RegionSlots:
    """The slots of every region on this controller; see the module's docstring."""

    def __init__(
        self,
        state_dir: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.folder = (state_dir or default_state_dir()) / "region-slots"
        self.clock = clock
        self.sleep = sleep

    def _path(self, region: str, number: int) -> Path:
        return self.folder / f"{region}.{number}.lock"

    def _try(self, region: str, slots: int) -> tuple[int, int] | None:
        """(slot number, open descriptor) of the first free slot, or None."""
        for number in range(1, slots + 1):
            descriptor = os.open(self._path(region, number), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(descriptor)
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                    raise
                continue
            return number, descriptor
        return None

    @contextlib.contextmanager
    def hold(self, region: str, slots: int, timeout: float = 600.0, poll: float = 1.0) -> Iterator[int]:
        """Hold one of the `slots` slots of `region` (waiting up to `timeout` seconds for one to free);
        yields its number, from 1. Raises RegionBusy when none frees in time."""
        if not _REGION.fullmatch(region):
            raise RegionSlotsError(f"region {region!r}: a region name is lower-case letters, digits and _")
        _slot_count(slots, f"slots of region {region!r}")
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        deadline = self.clock() + timeout
        while (taken := self._try(region, slots)) is None:
            if self.clock() >= deadline:
                raise RegionBusy(
                    f"region {region}: all {slots} fetch slot(s) stayed taken for {timeout:g} s; nothing "
                    f"was fetched. Other workstations of the region are still fetching: run again later, "
                    f"or raise the region's slots if its link can carry more"
                )
            self.sleep(poll)
        number, descriptor = taken
        try:
            yield number
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)

    def busy(self, region: str, slots: int) -> int:
        """How many of the region's slots are held right now (for a report; racy by nature)."""
        held = 0
        for number in range(1, slots + 1):
            path = self._path(region, number)
            if not path.exists():
                continue
            with open(path, "rb") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    held += 1
                else:
                    fcntl.flock(handle, fcntl.LOCK_UN)
        return held
