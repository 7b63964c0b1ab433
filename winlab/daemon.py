"""Run winlab in the background: start it detached, find it by its pid file, stop it.

The one implementation behind `./run lab`, `python -m winlab start|stop` and the Molecule
scenarios' create and destroy steps. The lab directory holds `winlab.pid`, `winlab.log` and the
runtime file (`runtime.json`: ports and control URL) that `serve` writes once every host listens.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

# The folder that holds the winlab package: the child process imports it from there.
PACKAGE_PARENT = Path(__file__).resolve().parent.parent


def running_pid(pidfile: Path) -> int | None:
    """The pid in `pidfile` if that process is alive, else None."""
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None
    try:
        # When this process started it, an exited lab is a zombie until reaped.
        if os.waitpid(pid, os.WNOHANG)[0]:
            return None
    except ChildProcessError:
        pass
    return pid


def start_daemon(config_path: Path, lab_dir: Path, timeout: float = 60) -> dict:
    """Run `python -m winlab serve` detached; wait for its runtime file and return it."""
    lab_dir.mkdir(parents=True, exist_ok=True)
    runtime_path = lab_dir / "runtime.json"
    runtime_path.unlink(missing_ok=True)
    log = open(lab_dir / "winlab.log", "ab")  # noqa: SIM115 (handed to the child, which outlives us)
    python_path = os.pathsep.join(filter(None, [str(PACKAGE_PARENT), os.environ.get("PYTHONPATH")]))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "winlab",
            "serve",
            "--config",
            str(config_path),
            "--runtime",
            str(runtime_path),
        ],
        cwd=PACKAGE_PARENT,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": python_path},
    )
    (lab_dir / "winlab.pid").write_text(f"{process.pid}\n")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"winlab exited with {process.returncode}; see {lab_dir / 'winlab.log'}")
        if runtime_path.exists():
            return json.loads(runtime_path.read_text(encoding="utf-8"))
        time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"winlab did not start within {timeout} s; see {lab_dir / 'winlab.log'}")


def stop_daemon(lab_dir: Path, timeout: float = 15) -> bool:
    """Stop the lab whose pid file is in `lab_dir`; return whether one was running."""
    pidfile = lab_dir / "winlab.pid"
    pid = running_pid(pidfile)
    if pid is None:
        pidfile.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and running_pid(pidfile) is not None:
        time.sleep(0.1)
    if running_pid(pidfile) is not None:
        os.kill(pid, signal.SIGKILL)
    pidfile.unlink(missing_ok=True)
    return True
