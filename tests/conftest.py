"""Shared pytest fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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
    """A private copy of inventory/ (data, overrides, plugin config) that a test may break.

    The test runs inside it, so messages name files as an admin sees them from there
    ("site_overrides.yml", "data/sites.yml").
    """
    target = tmp_path / "inventory"
    shutil.copytree(ROOT / "inventory", target)
    monkeypatch.chdir(target)
    return target
