"""Region slots hold across processes, as Ansible's forks are: at most K fetch at once."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.region_slots import RegionSlots

SLOTS = 2


def fetch(state_dir: str, log: str) -> None:
    with RegionSlots(Path(state_dir)).hold("da_nang", SLOTS, timeout=30, poll=0.02):
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"start {time.monotonic()}\n")
        time.sleep(0.3)
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"end {time.monotonic()}\n")


def test_no_more_than_k_processes_of_a_region_fetch_at_once(tmp_path):
    log = tmp_path / "log"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=fetch, args=(str(tmp_path), str(log))) for _ in range(5)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    events = sorted(
        (float(stamp), kind) for kind, stamp in (line.split() for line in log.read_text().splitlines())
    )
    running = peak = 0
    for _stamp, kind in events:
        running += 1 if kind == "start" else -1
        peak = max(peak, running)
    assert len(events) == 10
    assert peak == SLOTS
