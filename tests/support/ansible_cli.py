"""Run Ansible's commands (ansible-playbook, ansible-inventory, ansible-doc) as an admin runs them,
and the hosts a playbook run must not reach."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import yaml

from tests.support.fixture_files import ROOT

# The commands of the virtual environment the tests run in.
BIN = Path(sys.executable).parent
# The controller state (held accounts) each test has of its own: tests/conftest.py.
PASSED_ON = ("VNACCS_STATE_DIR",)


def run_ansible(
    command: str, *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run `command` from the repository with its ansible.cfg, without colour, and with none of the
    caller's ANSIBLE_* or VNACCS_* settings (a developer's WinRM password must not leak in) but
    the test's own controller state folder; `env` adds variables. Never raises on a failed run:
    the test reads `returncode`."""
    return subprocess.run(
        [str(BIN / command), *args],
        cwd=cwd,
        env=ansible_environment(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def ansible_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment `run_ansible` gives its command (see there), with `env` added."""
    environment = {
        k: v for k, v in os.environ.items() if k in PASSED_ON or not k.startswith(("ANSIBLE_", "VNACCS_"))
    }
    environment.update(ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1", **(env or {}))
    return environment


def start_ansible_playbook(playbook: str, inventory: dict, directory: Path, *args: str) -> subprocess.Popen:
    """`run_ansible_playbook` in the background (to interrupt it: `kill_run`)."""
    path = write_inventory(inventory, directory)
    return subprocess.Popen(
        [str(BIN / "ansible-playbook"), "-i", str(path), *args, str(ROOT / "playbooks" / playbook)],
        cwd=ROOT,
        env=ansible_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_run(run: subprocess.Popen) -> None:
    """Kill a run as a power cut would: ansible-playbook and its workers at once (SIGKILL). The
    workers are its children, each in a session of its own (Ansible's WorkerProcess calls setsid)."""

    def parent(stat: Path) -> int:
        try:
            return int(stat.read_text().rpartition(")")[2].split()[1])
        except (OSError, IndexError, ValueError):
            return 0

    workers = [int(stat.parent.name) for stat in Path("/proc").glob("[0-9]*/stat") if parent(stat) == run.pid]
    for pid in (run.pid, *workers):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    run.wait(30)


def run_ansible_playbook(
    playbook: str,
    inventory: dict,
    directory: Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess:
    """Run playbooks/`playbook` on `inventory` (a dict, written to `directory`/inventory.yml)."""
    path = write_inventory(inventory, directory)
    return run_ansible(
        "ansible-playbook",
        "-i",
        str(path),
        *args,
        str(ROOT / "playbooks" / playbook),
        env=env,
        timeout=timeout,
    )


def write_inventory(inventory: dict, directory: Path) -> Path:
    path = directory / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory, allow_unicode=True), encoding="utf-8")
    return path


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class WatchedPort:
    """A loopback port that listens and counts who connects (without ever answering).

    For tests that a run contacts no host: `with WatchedPort() as port: ...; assert port.contacts() == 0`.
    """

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.setblocking(False)
        self.number = self._sock.getsockname()[1]
        self._seen = 0

    def contacts(self) -> int:
        """How many connections were made to the port so far."""
        while True:
            try:
                connection, _address = self._sock.accept()
            except BlockingIOError:
                return self._seen
            connection.close()
            self._seen += 1

    def __enter__(self) -> WatchedPort:
        return self

    def __exit__(self, *_exc) -> None:
        self._sock.close()


# The password of a host no run may reach: it must never appear in the output.
NEVER_SENT = "Lab-never-sent"


def unreachable_windows_host(**hostvars) -> dict:
    """A Windows Server 2003 host at a closed port: a run that gets past its checks ends unreachable."""
    return {
        "ansible_host": "127.0.0.1",
        "ansible_port": closed_port(),
        "ansible_user": "Administrator",
        "ansible_password": NEVER_SENT,
        "windows_version": "2003",
        **hostvars,
    }
