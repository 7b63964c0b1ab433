"""Start and stop a background switch lab process (test fixture; see the package docstring).

`start` picks free loopback ports for switches that have none, runs `python -m switchlab serve`
in its own process group, waits until every port answers, and writes a state file (JSON: the
process id, the log file and each switch with its ports and credentials). `stop` ends that
process. Molecule's create/destroy playbooks and `invoke switches` both use these two.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from switchlab.server import SwitchSpec, free_port, wait_for_port

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def start(specs: list[SwitchSpec], state_file: Path, telnet: bool = True) -> dict:
    """Run `specs` in a background process; return (and write to `state_file`) the lab state."""
    state_file = state_file.resolve()
    stop(state_file)
    for spec in specs:
        spec.ssh_port = spec.ssh_port or free_port()
        if telnet and not spec.telnet_port:
            spec.telnet_port = free_port()
    state_file.parent.mkdir(parents=True, exist_ok=True)
    spec_file = state_file.with_suffix(".spec.json")
    log_file = state_file.with_suffix(".log")
    spec_file.write_text(json.dumps({"switches": [asdict(s) for s in specs]}, indent=2), encoding="utf-8")
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "switchlab", "serve", "--spec", str(spec_file)],
            cwd=PACKAGE_ROOT,
            env={**os.environ, "PYTHONPATH": str(PACKAGE_ROOT)},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    state = {"pid": process.pid, "log": str(log_file), "switches": [asdict(s) for s in specs]}
    state_file.write_text(json.dumps(state, indent=2), encoding="utf-8")
    try:
        for spec in specs:
            for port in (spec.ssh_port, spec.telnet_port):
                if port:
                    if process.poll() is not None:
                        raise RuntimeError(f"the switch lab exited; see {log_file}")
                    wait_for_port(port)
    except (TimeoutError, RuntimeError):
        stop(state_file)
        raise
    return state


def stop(state_file: Path) -> bool:
    """Stop the lab recorded in `state_file` (if it still runs); True if one was stopped."""
    if not state_file.exists():
        return False
    pid = json.loads(state_file.read_text(encoding="utf-8")).get("pid")
    state_file.unlink()
    if not pid:
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        with contextlib.suppress(ChildProcessError):  # reap it if it is our child
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.1)
    return True
