"""switchlab for tests: a switch spec with the lab login, and simulated switches that run while a
test needs them (the `switch_lab` fixture, registered by tests/conftest.py).

    state = switch_lab(switch_spec("tien-son-sw", [SviSpec(id=10, address="10.20.10.1/24")]))
    port = state["switches"][0]["telnet_port"]
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from switchlab import lab
from switchlab.server import SviSpec, SwitchSpec
from tests.support.credentials import SWITCH_ENABLE_SECRET, SWITCH_PASSWORD, SWITCH_USER


def switch_spec(hostname: str, svis: Iterable[SviSpec], **options: Any) -> SwitchSpec:
    """A switch with the lab login and enable secret, on ports chosen free when it starts."""
    values = {
        "username": SWITCH_USER,
        "password": SWITCH_PASSWORD,
        "enable_password": SWITCH_ENABLE_SECRET,
        **options,
    }
    return SwitchSpec(hostname=hostname, ssh_port=0, svis=list(svis), **values)


@contextlib.contextmanager
def running_switches(specs: Iterable[SwitchSpec], state_file: Path) -> Iterator[dict]:
    """Run `specs` in a background switchlab process; yield its state (ports, log); stop it after."""
    state = lab.start(list(specs), state_file)
    try:
        yield state
    finally:
        stopped = lab.stop(state_file)
    assert stopped, f"the switch lab had already exited; see {state['log']}"


@pytest.fixture
def switch_lab(tmp_path) -> Iterator[Callable[..., dict]]:
    """Start simulated switches for one test: `state = switch_lab(spec, ...)`; stopped after it."""
    with contextlib.ExitStack() as labs:
        count = 0

        def start(*specs: SwitchSpec) -> dict:
            nonlocal count
            count += 1
            return labs.enter_context(running_switches(specs, tmp_path / f"switchlab-{count}" / "state.json"))

        yield start
