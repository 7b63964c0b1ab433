"""Whether the run that holds a host lock is gone: a process that exited but was not reaped yet
(a zombie, as a killed run's worker is until init reaps it) counts as gone."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import _is_zombie


def test_an_exited_unreaped_process_is_a_zombie_and_a_live_one_is_not():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 10
        while not _is_zombie(child.pid) and time.monotonic() < deadline:
            time.sleep(0.05)  # not reaped: Popen.wait is not called until the end
        assert _is_zombie(child.pid)
        assert not _is_zombie(os.getpid())
    finally:
        child.wait()
    assert not _is_zombie(child.pid)  # reaped: no such process
