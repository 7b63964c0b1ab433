"""Switch configuration backups hold the device's secrets: readable by their owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.action.ios_helper_address import ActionModule


@pytest.mark.fault
def test_a_backup_and_its_folders_are_for_the_owner_only(tmp_path):
    folder = tmp_path / "backups" / "sw-lao-cai"
    result: dict = {}
    ActionModule._write_backup(str(folder), "sw-lao-cai", "enable secret 5 $1$abc\n", result)
    path = result["backup_path"]
    assert Path(path).read_text(encoding="utf-8") == "enable secret 5 $1$abc\n"
    assert stat.S_IMODE((tmp_path / "backups").stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.fault
def test_a_folder_made_by_someone_else_is_narrowed(tmp_path):
    folder = tmp_path / "sw"
    folder.mkdir(mode=0o755)
    ActionModule._write_backup(str(folder), "sw", "x", {})
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
