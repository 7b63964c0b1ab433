"""The rollout's record and result: per-workstation files, adoption per site, department and region."""

from __future__ import annotations

import json

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.filter.canaries import canaries
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_rollout import (
    HostRecord,
    RolloutState,
    rollout_result,
    summary_lines,
    write_result,
)

WHERE = {
    "ws-a1": {"site": "site-a", "department": "cuc_a", "region": "north"},
    "ws-a2": {"site": "site-a", "department": "cuc_a", "region": "north"},
    "ws-b1": {"site": "site-b", "department": "cuc_b", "region": "south"},
    "ws-b2": {"site": "site-b", "department": "cuc_b", "region": "south"},
}


def record(host, status, version, exit_code=None, reboot=False):
    where = WHERE[host]
    return HostRecord(
        host,
        where["site"],
        where["department"],
        where["region"],
        "4.3.0",
        version,
        "4.2.0",
        status,
        exit_code,
        "1603 (ERROR_INSTALL_FAILURE)" if exit_code else "",
        "",
        reboot,
    )


def test_records_are_kept_one_file_per_host_and_a_rerun_replaces_them(tmp_path):
    state = RolloutState(tmp_path)
    state.write(record("ws-a1", "failed", "4.2.0", 1603))
    state.write(record("ws-a1", "changed", "4.3.0"))
    state.write(record("ws-b1", "current", "4.3.0"))
    (state.folder / "junk.json").write_text("{not json")
    assert [(r.host, r.status) for r in state.records()] == [("ws-a1", "changed"), ("ws-b1", "current")]
    assert [r.host for r in state.records(["ws-b1"])] == ["ws-b1"]


def test_adoption_per_region_counts_failures_and_hosts_not_reached():
    records = [
        record("ws-a1", "changed", "4.3.0", reboot=True),
        record("ws-a2", "failed", "4.2.0", 1603),
        record("ws-b1", "current", "4.3.0"),
    ]
    result = rollout_result("4.3.0", records, WHERE, "2026-12-01T12:30:00+07:00")
    assert result["summary"] == {
        "workstations": 4,
        "adopted": 2,
        "failed": 1,
        "not_reached": 1,
        "reboot_pending": 1,
        "percent": 50.0,
    }
    regions = {row["region"]: row for row in result["regions"]}
    assert (regions["north"]["adopted"], regions["north"]["failed"]) == (1, 1)
    assert (regions["south"]["adopted"], regions["south"]["not_reached"]) == (1, 1)
    assert result["versions"] == {"4.2.0": 1, "4.3.0": 2, "unknown": 1}
    assert [f["host"] for f in result["failures"]] == ["ws-a2"] and result["failures"][0]["exit_code"] == 1603
    lines = summary_lines(result)
    assert lines[0].startswith("client 4.3.0: 2/4 workstations (50%), 1 failed, 1 not reached")
    assert any(line.startswith("  FAILED ws-a2 (site-a): failed: 1603") for line in lines)


def test_a_record_outside_the_scope_is_not_counted():
    result = rollout_result("4.3.0", [record("ws-a1", "changed", "4.3.0")], {"ws-b1": WHERE["ws-b1"]}, "t")
    assert result["summary"]["adopted"] == 0 and result["summary"]["not_reached"] == 1


def test_the_result_is_written_dated_and_as_latest(tmp_path):
    result = rollout_result("4.3.0", [], WHERE, "2026-12-01T12:30:05+07:00")
    path = write_result(result, tmp_path)
    assert path.name == "client-rollout-4.3.0-20261201T123005.json"
    assert json.loads((tmp_path / "client-rollout-latest.json").read_text()) == json.loads(path.read_text())


def test_canaries_are_the_first_hosts_of_each_region():
    hostvars = {host: {"base_server_region": where["region"]} for host, where in WHERE.items()}
    assert canaries(list(WHERE), hostvars) == ["ws-a1", "ws-b1"]
    assert canaries(["ws-b2", "ws-a2", "ws-b1"], hostvars, 2) == ["ws-a2", "ws-b1", "ws-b2"]
    with pytest.raises(ValueError, match="per_region"):
        canaries(list(WHERE), hostvars, 0)


def test_a_record_of_an_earlier_rollout_counts_as_not_reached_yet_with_its_version():
    earlier = HostRecord("ws-a1", "site-a", "cuc_a", "north", "4.2.0", "4.2.0", None, "changed")
    result = rollout_result("4.3.0", [earlier], {"ws-a1": WHERE["ws-a1"]}, "t")
    assert result["summary"]["adopted"] == 0 and result["summary"]["not_reached"] == 1
    assert result["versions"] == {"4.2.0": 1}
