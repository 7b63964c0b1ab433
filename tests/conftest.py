"""Shared pytest fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

# Assertions in the shared helpers explain themselves as the tests' own do.
pytest.register_assert_rewrite("tests.support")

# Every shared fixture, registered once for the whole suite: winlab's (winlab_factory,
# winlab_inventory) and the helpers' (tests/support).
pytest_plugins = ["winlab.pytest_plugin", "tests.support.lab", "tests.support.msi", "tests.support.switches"]

ROOT = Path(__file__).resolve().parent.parent
# The tests' own inventory: frozen copies of what an admin fills in, so that no test depends on
# the values in inventory/ (see tests/fixtures/inventory/README.md).
FROZEN_INVENTORY = ROOT / "tests" / "fixtures" / "inventory"


@pytest.fixture(scope="session")
def frozen_inventory() -> Path:
    """tests/fixtures/inventory/, to read only: a test that changes it must use `inventory_copy`."""
    return FROZEN_INVENTORY


@pytest.fixture(autouse=True)
def private_controller_state(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test has its own controller state (the record of failed logons, account_guard.py).

    A test that fails a logon on purpose must not hold that account for the tests after it, nor
    touch the admin's own state folder.
    """
    state = tmp_path_factory.mktemp("controller-state")
    monkeypatch.setenv("VNACCS_STATE_DIR", str(state))
    return state


@pytest.fixture
def inventory_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the tests' inventory (data, overrides, plugin config) that a test may break.

    The test runs inside it, so messages name files as an admin sees them from there
    ("site_overrides.yml", "data/sites.yml").
    """
    target = tmp_path / "inventory"
    shutil.copytree(FROZEN_INVENTORY, target)  # the linked transcriptions become copies
    monkeypatch.chdir(target)
    return target
