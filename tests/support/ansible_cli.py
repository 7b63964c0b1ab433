"""Run Ansible's commands (ansible-playbook, ansible-inventory, ansible-doc) as an admin runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.fixture_files import ROOT

# The commands of the virtual environment the tests run in.
BIN = Path(sys.executable).parent


def run_ansible(
    command: str, *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run `command` from the repository with its ansible.cfg, without colour, and with none of the
    caller's ANSIBLE_* or VNACCS_* settings (a developer's WinRM password must not leak in);
    `env` adds variables. Never raises on a failed run: the test reads `returncode`."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "VNACCS_"))}
    environment.update(ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1", **(env or {}))
    return subprocess.run(
        [str(BIN / command), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
