"""Running one measured command: wall time, CPU time and peak memory of the process and of every
process it waited for (`os.wait4`, the kernel's accounting of the finished process)."""

from __future__ import annotations

import os
import resource
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Measurement:
    """One run: `wall` seconds; `cpu` seconds (user + system) of the command and its reaped
    children (Ansible's forks); `peak_kb` the largest resident set of any of them; `lab_cpu` the
    CPU seconds this process (the lab's threads) spent meanwhile; `rc`; the output's tail."""

    wall: float
    cpu: float
    peak_kb: int
    lab_cpu: float
    rc: int
    tail: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(
    command: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None, log: Path | None = None
) -> Measurement:
    """Run `command` to its end, its output into `log` (or kept in memory), and measure it."""
    started_cpu = _self_cpu()
    started = time.perf_counter()
    with open(log, "wb") if log else open(os.devnull, "wb") as sink:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdout=sink if log else subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        output = b""
        if not log:
            assert process.stdout is not None
            output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if log:
        output = log.read_bytes()
    return Measurement(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_kb=usage.ru_maxrss,
        lab_cpu=_self_cpu() - started_cpu,
        rc=process.returncode,
        tail=output[-3000:].decode("utf-8", "replace"),
    )
