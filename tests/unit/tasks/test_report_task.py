"""`./run report FILE...`: render one report again in its folder, or merge the reports of partial runs
into a new one; and the `run` script hands the files to invoke as the task's remainder."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import health_report as hr
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.health_checks import Check
from invoke import Context

from tasklib import report as task
from tests.support.fixture_files import ROOT

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone(timedelta(hours=7)))


def written(directory: Path, name: str, department: str, status: str, when: datetime) -> Path:
    host = {
        "name": name,
        "kind": "dhcp_server",
        "department": department,
        "site": f"Chi cục {name}",
        "region": "tong_cuc",
        "address": "198.18.5.10",
        "result": {"checks": [Check("dhcp.service_running", status, "DHCPServer").as_dict()]},
    }
    report = hr.build_report("daily_check", [host], when, run={"limit": department})
    return Path(hr.write_report(report, directory, task.TEMPLATES, task.SCHEMA)["json"])


def context(*files: Path) -> Context:
    return Context(remainder=" ".join(str(path) for path in files))


def test_one_report_is_rendered_again_in_its_folder(tmp_path, capsys):
    path = written(tmp_path, "tien-son", "Cục Hải quan Bắc Ninh", "fail", NOW)
    (path.parent / "report.html").write_text("old", encoding="utf-8")
    before = path.read_bytes()
    task.report.body(context(path))
    assert path.read_bytes() == before  # the JSON is the source: never rewritten
    assert "Dịch vụ DHCP Server không chạy" in (path.parent / "report.html").read_text(encoding="utf-8")
    assert f"HTML report: {path.parent / 'report.html'}" in capsys.readouterr().out


def test_partial_runs_merge_into_a_new_dated_report(tmp_path, capsys):
    first = written(tmp_path / "a", "tien-son", "Cục Hải quan Bắc Ninh", "fail", NOW - timedelta(hours=1))
    second = written(tmp_path / "b", "bat-xat", "Cục Hải quan Lào Cai", "pass", NOW)
    task.report.body(context(first, second), output=str(tmp_path / "merged"))
    (merged,) = (tmp_path / "merged").glob("*/daily_check-*/report.json")
    report = json.loads(merged.read_text(encoding="utf-8"))
    hr.validate(report, task.SCHEMA)
    assert sorted(host["name"] for host in report["hosts"]) == ["bat-xat", "tien-son"]
    assert [run["limit"] for run in report["runs"]] == ["Cục Hải quan Bắc Ninh", "Cục Hải quan Lào Cai"]
    out = capsys.readouterr().out
    assert "2 host(s), 0 unreachable" in out and "1 finding(s)" in out


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ((), "Name the report.json file"),
        ((Path("/nowhere/report.json"),), "No such report: /nowhere/report.json"),
    ],
    ids=["none", "missing"],
)
def test_without_a_readable_report_it_says_what_is_wrong(files, message):
    with pytest.raises(SystemExit, match=message):
        task.report.body(context(*files))


def test_a_file_that_is_not_a_report_is_named(tmp_path):
    path = tmp_path / "report.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(SystemExit, match=f"{path}: not a vnaccs-health-report document"):
        task.report.body(context(path))


def test_the_run_script_passes_the_files_after_the_options():
    # What the run script's argument rewriting hands invoke, with the exec replaced by an echo.
    script = (ROOT / "run").read_text(encoding="utf-8")
    rewrite = script[script.index('if [ "${1:-}" = report ]') : script.index('exec "$venv/bin/invoke"')]
    shell = rewrite + 'printf "%s\\n" "$@"'
    result = subprocess.run(
        ["bash", "-c", shell, "run", "report", "a.json", "--output=out", "b c.json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines() == ["report", "--output=out", "--", "a.json", "b c.json"]


@pytest.mark.parametrize(
    ("limit", "passed"),
    [
        ("", ""),
        ("cuc_bac_ninh", "cuc_bac_ninh:localhost"),
        ("dhcp_servers:cuc_lao_cai", "dhcp_servers:cuc_lao_cai:localhost"),
        ("cuc_bac_ninh:localhost", "cuc_bac_ninh:localhost"),
    ],
)
def test_a_limit_keeps_the_controller_where_the_report_is_written(limit, passed):
    # The report play runs on localhost: a limit without it would check the hosts and write nothing.
    assert task.with_controller(limit) == passed
