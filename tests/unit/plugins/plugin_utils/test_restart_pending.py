"""The controller's restart-pending list: recorded by a job, listed, cleared after the host restarts."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.restart_pending import RestartPending

AT = datetime(2026, 11, 30, 10, 5)


def test_record_get_and_clear(tmp_path):
    pending = RestartPending(tmp_path / "state" / "restart_pending.json")
    assert pending.get("ws-01") is None and pending.entries() == []
    pending.record("ws-01", 3010, "client 5.1.0 installed", "client_rollout", at=AT)
    pending.record("ws-02", 1641, "client 5.1.0 installed", "client_rollout", at=AT)
    entry = pending.get("ws-01")
    assert (entry.exit_code, entry.reason, entry.by) == (3010, "client 5.1.0 installed", "client_rollout")
    assert entry.since.isoformat() == "2026-11-30T10:05:00+07:00"
    assert [e.host for e in pending.entries()] == ["ws-01", "ws-02"]
    saved = json.loads((tmp_path / "state" / "restart_pending.json").read_text())
    assert saved["hosts"]["ws-02"] == {
        "since": "2026-11-30T10:05:00+07:00",
        "exit_code": 1641,
        "reason": "client 5.1.0 installed",
        "by": "client_rollout",
    }
    assert pending.clear("ws-02") is True and pending.clear("ws-02") is False


def test_cleared_only_by_a_start_after_the_record(tmp_path):
    pending = RestartPending(tmp_path / "pending.json")
    pending.record("ws-01", 3010, "x", "client_rollout", at=AT)
    assert pending.clear_if_restarted("ws-01", None) is False
    assert pending.clear_if_restarted("ws-01", datetime(2026, 11, 30, 7, 0)) is False  # started before
    assert pending.get("ws-01") is not None
    assert pending.clear_if_restarted("ws-01", datetime(2026, 11, 30, 12, 31)) is True
    assert pending.get("ws-01") is None
    assert pending.clear_if_restarted("ws-01", datetime(2026, 11, 30, 12, 31)) is False


@pytest.mark.fault
def test_a_broken_file_is_named(tmp_path):
    path = tmp_path / "pending.json"
    path.write_text("[1, 2]")
    with pytest.raises(ValueError, match=r"pending\.json: not a restart-pending list"):
        RestartPending(path).get("ws-01")
