"""The health-check report: built from what the role gathered, checked against its JSON Schema, compared
with the previous audit, merged from partial runs, and rendered as HTML, CSV and JUnit XML."""

from __future__ import annotations

import copy
import csv
import io
import json
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import health_catalogue, health_checks
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import health_report as hr

from tests.support.fixture_files import ROOT

TEMPLATES = ROOT / "roles" / "health_check" / "templates"
SCHEMA = ROOT / "roles" / "health_check" / "files" / "health_report.schema.json"
NOW = datetime(2026, 12, 1, 7, 30, tzinfo=timezone(timedelta(hours=7)))
BAC_NINH, LAO_CAI, HA_NOI = "Cục Hải quan Bắc Ninh", "Cục Hải quan Lào Cai", "Cục HQ TP Hà Nội"


def check(check_id: str, status: str, item: str = "", observed: str = "", expected: str = "") -> dict:
    return health_checks.Check(check_id, status, item, observed, expected).as_dict()


def host(name: str, kind: str, department: str, site: str, *checks: dict, **extra) -> dict:
    return {
        "name": name,
        "kind": kind,
        "department": department,
        "site": site,
        "region": "tong_cuc",
        "address": "198.18.5.10",
        "result": {"checks": list(checks)},
        **extra,
    }


CLEAN_STATION = host(
    "ts-hq01", "workstation", BAC_NINH, "Chi cục Hải quan Tiên Sơn", check("workstation.dhcp_lease", "pass")
)


def hosts() -> list[dict]:
    return [
        host(
            "tien-son",
            "dhcp_server",
            BAC_NINH,
            "Chi cục Hải quan Tiên Sơn",
            check("dhcp.service_running", "fail", "DHCPServer", "STOPPED", "RUNNING"),
            check("dhcp.scope_usage", "warn", "198.18.6.0", "85% used"),
            check("dhcp.scope_present", "pass", "198.18.5.0"),
        ),
        host(
            "tien-son-sw",
            "switch",
            BAC_NINH,
            "Chi cục Hải quan Tiên Sơn",
            helper="198.18.5.10",
            result={
                "changed": True,
                "interfaces": {
                    "Vlan10": {
                        "before": ["198.18.5.99"],
                        "after": [],
                        "commands": ["ip helper-address 198.18.5.10"],
                    },
                    "Vlan20": {"before": ["198.18.5.10", "10.9.9.9"], "after": [], "commands": []},
                },
            },
        ),
        host(
            "base-ha-noi",
            "base_server",
            HA_NOI,
            "Base server Cục HQ TP Hà Nội",
            check("host.reachable", "fail", observed="not reached"),
            check("base.client_staged", "not_checked"),
            check("base.ftp_port", "fail", observed="no FTP greeting"),
        ),
        host(
            "bat-xat",
            "dhcp_server",
            LAO_CAI,
            "Chi cục Hải quan cửa khẩu Bát Xát",
            result={"failed": True, "msg": "bad"},
        ),
        copy.deepcopy(CLEAN_STATION),
    ]


STATIONS = [
    {
        "name": "ts-hq01",
        "terminal_id": "1BTS001",
        "department": BAC_NINH,
        "site": "Chi cục Hải quan Tiên Sơn",
    },
    {
        "name": "ts-hq02",
        "terminal_id": "1bts001",
        "department": BAC_NINH,
        "site": "Chi cục Hải quan Tiên Sơn",
    },
    {
        "name": "ts-hq03",
        "terminal_id": "1BTS003",
        "department": BAC_NINH,
        "site": "Chi cục Hải quan Tiên Sơn",
    },
    {"name": "ts-hq04", "terminal_id": "", "department": BAC_NINH, "site": "Chi cục Hải quan Tiên Sơn"},
]


def findings(report: dict) -> dict[str, dict]:
    return {item["key"]: item for item in report["findings"]}


# -- the catalogue ---------------------------------------------------------------------------------------
PRODUCED = {
    "dhcp_server": [
        "host.reachable",
        "host.check_error",
        "dhcp.service_running",
        "dhcp.service_automatic",
        "dhcp.scope_present",
        "dhcp.scope_active",
        "dhcp.scope_settings",
        "dhcp.scope_usage",
        "audit.os_service_pack",
    ],
    "base_server": [
        "host.reachable",
        "base.share",
        "base.ftp_service_running",
        "base.ftp_service_automatic",
        "base.ftp_port",
        "base.disk_free",
        "base.client_staged",
        "audit.os_service_pack",
    ],
    "workstation": [
        "host.reachable",
        "workstation.dhcp_lease",
        "workstation.client_version",
        "workstation.terminal_id",
        "workstation.reboot_task",
        "workstation.last_boot",
        "audit.terminal_id_unique",
        "audit.os_service_pack",
        "audit.restart_outside_peak",
    ],
    "switch": ["switch.reachable", "switch.helper_address"],
}


@pytest.mark.parametrize("kind", sorted(PRODUCED))
def test_every_check_that_can_fail_has_a_rule_a_severity_and_an_impact(kind):
    for check_id in PRODUCED[kind]:
        entry = health_catalogue.meaning(check_id, kind)
        assert entry is not None, check_id
        assert entry["article"] in health_catalogue.ARTICLES and entry["severity"] in hr.SEVERITIES
        assert entry["warning_severity"] in (None, *hr.SEVERITIES)
        assert (
            entry["impact"]["vi"] and entry["impact"]["en"] and entry["title"]["vi"] != entry["title"]["en"]
        )
        assert health_catalogue.name(check_id)["vi"] != check_id


def test_every_check_named_in_the_catalogue_makes_a_finding_when_it_fails():
    # A check with a name but no catalogue entry would fail silently: no finding, no deadline.
    kinds = (*health_checks.KINDS, "switch")
    for check_id in health_catalogue.NAMES:
        assert any(health_catalogue.meaning(check_id, kind) for kind in kinds), check_id
    report = hr.build_report(
        "daily_check",
        [host("ts-hq01", "workstation", BAC_NINH, "Tiên Sơn", check("workstation.client_version", "fail"))],
        NOW,
    )
    assert list(findings(report)) == ["workstation.client_version|ts-hq01|"]


# -- building --------------------------------------------------------------------------------------------
def test_a_failed_check_is_a_finding_with_its_rule_severity_impact_owner_and_due_date():
    report = hr.build_report("daily_check", hosts(), NOW)
    stopped = findings(report)["dhcp.service_running|tien-son|DHCPServer"]
    assert stopped["article"] == {"ref": "appendix-iii", "vi": "Phụ lục III", "en": "Appendix III"}
    assert stopped["severity"] == "critical"
    assert stopped["department"] == BAC_NINH and stopped["site"] == "Chi cục Hải quan Tiên Sơn"
    assert stopped["impact"]["vi"].startswith("Máy trạm tại Chi cục không nhận được địa chỉ IP")
    assert (stopped["first_seen"], stopped["due"], stopped["status"]) == ("2026-12-01", "2026-12-02", "open")
    usage = findings(report)["dhcp.scope_usage|tien-son|198.18.6.0"]
    assert (usage["severity"], usage["due"]) == ("medium", "2026-12-15")  # a warning's severity
    assert "dhcp.scope_present|tien-son|198.18.5.0" not in findings(report)


def test_the_article_of_an_unreachable_host_depends_on_what_it_is():
    report = hr.build_report("daily_check", hosts(), NOW)
    down = findings(report)["host.reachable|base-ha-noi|"]
    assert (down["article"]["vi"], down["severity"], down["department"]) == ("Điều 9", "critical", HA_NOI)
    assert next(item for item in report["hosts"] if item["name"] == "base-ha-noi")["reachable"] is False


def test_the_switch_relay_result_becomes_checks():
    report = hr.build_report("daily_check", hosts(), NOW)
    switch = next(item for item in report["hosts"] if item["name"] == "tien-son-sw")
    statuses = {(c["id"], c["item"]): c["status"] for c in switch["checks"]}
    assert statuses == {
        ("switch.reachable", ""): "pass",
        ("switch.helper_address", "Vlan10"): "fail",
        ("switch.helper_address", "Vlan20"): "warn",  # the DHCP server and another helper
    }
    wrong = findings(report)["switch.helper_address|tien-son-sw|Vlan10"]
    assert (wrong["severity"], wrong["article"]["en"], wrong["observed"]) == (
        "high",
        "Appendix IV, section II",
        "198.18.5.99",
    )
    assert findings(report)["switch.helper_address|tien-son-sw|Vlan20"]["severity"] == "low"


def test_a_host_the_plugin_refused_is_a_check_error():
    report = hr.build_report("daily_check", hosts(), NOW)
    refused = findings(report)["host.check_error|bat-xat|"]
    assert (refused["severity"], refused["detail"], refused["department"]) == ("high", "bad", LAO_CAI)


def test_the_audit_finds_terminal_ids_used_twice_in_the_whole_inventory():
    report = hr.build_report("audit", hosts(), NOW, stations=STATIONS)
    twice = {
        key: item for key, item in findings(report).items() if item["check"] == "audit.terminal_id_unique"
    }
    assert set(twice) == {
        "audit.terminal_id_unique|ts-hq01|1BTS001",
        "audit.terminal_id_unique|ts-hq02|1bts001",
    }
    assert {item["article"]["vi"] for item in twice.values()} == {"Điều 15"}
    assert twice["audit.terminal_id_unique|ts-hq01|1BTS001"]["observed"] == "also used by ts-hq02"
    # Workstations this run did not contact are in the report with that check only.
    listed = {item["name"]: item for item in report["hosts"]}
    assert [c["id"] for c in listed["ts-hq02"]["checks"]] == ["audit.terminal_id_unique"]
    assert {c["status"] for c in listed["ts-hq03"]["checks"]} == {"pass"}
    assert {c["status"] for c in listed["ts-hq04"]["checks"]} == {"not_checked"}
    assert hr.build_report("daily_check", hosts(), NOW, stations=STATIONS)["comparison"] is None


def test_the_summary_counts_checks_and_findings():
    summary = hr.build_report("daily_check", hosts(), NOW)["summary"]
    assert summary["hosts"] == 5 and summary["unreachable"] == 1 and summary["departments"] == 3
    assert summary["checks"] == {"pass": 3, "warn": 2, "fail": 5, "not_checked": 1}
    assert summary["findings"] == {"total": 7, "critical": 2, "high": 3, "medium": 1, "low": 1, "past_due": 0}


def test_due_days_are_the_admins(tmp_path):
    report = hr.build_report("daily_check", hosts(), NOW, due_days={"critical": 0})
    assert findings(report)["dhcp.service_running|tien-son|DHCPServer"]["due"] == "2026-12-01"


def test_an_unknown_status_or_kind_is_refused():
    with pytest.raises(hr.ReportError, match="unknown status 'maybe'"):
        hr.build_report(
            "daily_check", [host("x", "workstation", "", "", check("host.reachable", "maybe"))], NOW
        )
    with pytest.raises(hr.ReportError, match="unknown kind 'printer'"):
        hr.build_report("daily_check", [host("x", "printer", "", "")], NOW)


# -- the schema ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", hr.REPORT_KINDS)
def test_a_built_report_matches_the_schema(kind):
    report = hr.build_report(kind, hosts(), NOW, stations=STATIONS)
    hr.validate(report, SCHEMA)
    assert report["schema"] == "vnaccs-health-report" and report["schema_version"] == hr.SCHEMA_VERSION


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda report: report["findings"][0].pop("due"), "findings/0"),
        (lambda report: report["hosts"][0]["checks"][0].update(status="ok"), "hosts/0/checks/0/status"),
        (lambda report: report["findings"][0]["article"].update(ref="article-99"), "findings/0/article/ref"),
        (lambda report: report.update(schema_version=2), "schema_version"),
        (lambda report: report["summary"]["findings"].pop("past_due"), "summary/findings"),
    ],
    ids=["finding-without-due-date", "unknown-status", "unknown-article", "other-version", "summary"],
)
def test_the_schema_refuses_a_report_that_breaks_it(change, where):
    report = hr.build_report("audit", hosts(), NOW, stations=STATIONS)
    change(report)
    with pytest.raises(hr.ReportError, match=f"at {where}"):
        hr.validate(report, SCHEMA)


# -- comparing audits ------------------------------------------------------------------------------------
def previous_audit() -> dict:
    earlier = NOW - timedelta(days=40)
    old_hosts = hosts()
    old_hosts[4]["result"]["checks"] = [check("workstation.dhcp_lease", "fail", "", "169.254.1.1")]
    old_hosts.append(
        host(
            "base-da-nang",
            "base_server",
            "Cục HQ Đà Nẵng",
            "Base server",
            check("base.share", "fail", "VNACCS_EUC"),
        )
    )
    return hr.build_report("audit", old_hosts, earlier, stations=STATIONS)


def test_an_audit_is_compared_with_the_previous_one():
    before = previous_audit()
    now_hosts = hosts()
    now_hosts[0]["result"]["checks"][1] = check("dhcp.scope_usage", "pass", "198.18.6.0")  # fixed
    now_hosts[0]["result"]["checks"].append(check("dhcp.scope_active", "fail", "198.18.5.0"))  # new
    report = hr.build_report(
        "audit", now_hosts, NOW, stations=STATIONS, previous=before, previous_path="/r/old.json"
    )
    comparison = report["comparison"]
    assert comparison["previous"] == [{"path": "/r/old.json", "generated_at": before["generated_at"]}]
    assert comparison["new"] == ["dhcp.scope_active|tien-son|198.18.5.0"]
    assert {item["key"] for item in comparison["fixed"]} == {
        "dhcp.scope_usage|tien-son|198.18.6.0",
        "workstation.dhcp_lease|ts-hq01|",
    }
    # A host this audit did not check: its old finding is not called fixed.
    assert comparison["not_rechecked"] == ["base.share|base-da-nang|VNACCS_EUC"]
    # Still open, first seen 40 days ago: past due (critical: 1 day, low: 30); the new one is open.
    stopped = findings(report)["dhcp.service_running|tien-son|DHCPServer"]
    assert (stopped["first_seen"], stopped["due"], stopped["status"]) == (
        "2026-10-22",
        "2026-10-23",
        "past_due",
    )
    assert "dhcp.service_running|tien-son|DHCPServer" in comparison["still_open"]
    assert findings(report)["switch.helper_address|tien-son-sw|Vlan20"]["status"] == "past_due"
    assert findings(report)["dhcp.scope_active|tien-son|198.18.5.0"]["status"] == "open"
    assert "dhcp.service_running|tien-son|DHCPServer" in comparison["past_due"]
    assert report["summary"]["findings"]["past_due"] == len(comparison["past_due"]) > 0
    hr.validate(report, SCHEMA)


def test_a_first_audit_has_nothing_to_compare_with():
    comparison = hr.build_report("audit", hosts(), NOW, stations=STATIONS)["comparison"]
    assert comparison["previous"] == [] and comparison["fixed"] == [] and comparison["past_due"] == []
    assert len(comparison["new"]) == 9


# -- merging partial runs --------------------------------------------------------------------------------
def test_partial_runs_merge_into_one_report():
    everything = hosts()
    first = hr.build_report(
        "daily_check", everything[:3], NOW - timedelta(hours=1), run={"limit": "cuc_bac_ninh"}
    )
    second = hr.build_report("daily_check", everything[3:], NOW, run={"limit": "cuc_lao_cai"})
    # The second run checked tien-son again, and found it fixed.
    second_again = hr.build_report(
        "daily_check",
        [
            host(
                "tien-son",
                "dhcp_server",
                BAC_NINH,
                "Chi cục Hải quan Tiên Sơn",
                check("dhcp.service_running", "pass", "DHCPServer"),
            )
        ],
        NOW,
    )
    merged = hr.merge_reports([second, first, second_again], now=NOW)
    hr.validate(merged, SCHEMA)
    assert [run["limit"] for run in merged["runs"] if "limit" in run] == ["cuc_bac_ninh", "cuc_lao_cai"]
    assert len(merged["runs"]) == 3
    assert sorted(item["name"] for item in merged["hosts"]) == sorted(item["name"] for item in everything)
    keys = set(findings(merged))
    assert "dhcp.service_running|tien-son|DHCPServer" not in keys and "host.check_error|bat-xat|" in keys
    assert merged["summary"]["hosts"] == 5
    assert merged["summary"]["findings"]["total"] == len(merged["findings"])


def test_reports_of_different_kinds_do_not_merge():
    with pytest.raises(hr.ReportError, match="different kinds"):
        hr.merge_reports([hr.build_report("daily_check", [], NOW), hr.build_report("audit", [], NOW)])


def test_merged_audits_keep_their_comparisons():
    before = previous_audit()
    part = hr.build_report(
        "audit", hosts()[:2], NOW, stations=STATIONS, previous=before, previous_path="/old.json"
    )
    other = hr.build_report(
        "audit", hosts()[2:], NOW, stations=STATIONS, previous=before, previous_path="/old.json"
    )
    merged = hr.merge_reports([part, other], now=NOW)
    hr.validate(merged, SCHEMA)
    assert merged["comparison"]["past_due"] == sorted(
        k for k, v in findings(merged).items() if v["status"] == "past_due"
    )


# -- rendering -------------------------------------------------------------------------------------------
class Page(HTMLParser):
    """The ids and texts of an HTML page, and every URL it loads."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, str] = {}
        self.loads: list[str] = []
        self.open_id: list[str | None] = []
        self.rows: list[str] = []
        self.spans: dict[str, list[str]] = {"vi": [], "en": []}
        self._lang: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if attrs.get(name) and not attrs[name].startswith("#"):
                self.loads.append(attrs[name])
        if tag == "tr" and "data-key" in attrs:
            self.rows.append(attrs["data-key"])
        self._lang = attrs.get("lang") if tag == "span" else None
        if attrs.get("id"):
            self.ids.setdefault(attrs["id"], "")
        self.open_id.append(attrs.get("id"))

    def handle_endtag(self, tag):
        if self.open_id:
            self.open_id.pop()

    def handle_data(self, data):
        if self.open_id and self.open_id[-1] and not self.ids[self.open_id[-1]]:
            self.ids[self.open_id[-1]] = data.strip()
        if self._lang in self.spans and data.strip():
            self.spans[self._lang].append(data.strip())


def test_the_html_shows_the_counts_in_both_languages_and_loads_nothing():
    report = hr.build_report("audit", hosts(), NOW, stations=STATIONS, previous=previous_audit())
    page = Page()
    page.feed(hr.render_html(report, TEMPLATES))
    summary = report["summary"]
    assert page.ids["summary-hosts"] == str(summary["hosts"])
    assert page.ids["summary-failed"] == str(summary["checks"]["fail"])
    assert page.ids["summary-findings"] == str(summary["findings"]["total"])
    assert page.ids["summary-critical"] == str(summary["findings"]["critical"])
    assert page.ids["comparison-fixed"] == str(len(report["comparison"]["fixed"]))
    assert page.ids["comparison-past-due"] == str(len(report["comparison"]["past_due"])) != "0"
    assert page.loads == []  # one offline file
    assert "Tóm tắt" in page.spans["vi"] and "Summary" in page.spans["en"]
    assert "Hạn hoàn tất xử lý" in page.spans["vi"] and "Due date" in page.spans["en"]
    # The findings list, gravest first: the 9 of this run, then the past-due table repeats some.
    assert page.rows[: len(report["findings"])] == [item["key"] for item in report["findings"]]


def test_the_html_lists_departments_with_failures_first():
    report = hr.build_report("daily_check", hosts(), NOW)
    names = [department["name"] for department in hr.departments(report)]
    assert names == [BAC_NINH, HA_NOI, LAO_CAI]  # critical ones first, the one with more findings first
    sites = hr.departments(report)[0]["sites"]
    assert sites[0]["hosts"][0]["name"] in ("tien-son", "tien-son-sw")
    assert sites[0]["hosts"][-1]["name"] == "ts-hq01"  # a clean host last
    checks = sites[0]["hosts"][0]["checks"]
    assert [c["status"] for c in checks] == sorted((c["status"] for c in checks), key=hr.STATUS_ORDER.get)


def test_a_clean_report_says_so():
    clean = [copy.deepcopy(CLEAN_STATION)]
    page = Page()
    page.feed(hr.render_html(hr.build_report("daily_check", clean, NOW), TEMPLATES))
    assert page.ids["summary-findings"] == "0" and "no-findings" in page.ids


def test_the_csv_files_have_a_bom_and_one_row_per_check_or_finding():
    report = hr.build_report("audit", hosts(), NOW, stations=STATIONS)
    text = hr.checks_csv(report)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert len(rows) == sum(len(item["checks"]) for item in report["hosts"])
    assert set(rows[0]) == set(hr.CHECK_COLUMNS)
    rows = list(csv.DictReader(io.StringIO(hr.findings_csv(report)[1:])))
    assert [row["severity"] for row in rows] == [item["severity"] for item in report["findings"]]
    stopped = next(row for row in rows if row["check"] == "dhcp.service_running")
    assert (stopped["article_vi"], stopped["due"], stopped["department"]) == (
        "Phụ lục III",
        "2026-12-02",
        BAC_NINH,
    )
    assert stopped["impact_en"].startswith("Workstations at the branch get no IP address")


def test_the_junit_xml_has_a_suite_per_host_and_a_case_per_check():
    report = hr.build_report("daily_check", hosts(), NOW)
    suites = ElementTree.fromstring(hr.junit_xml(report).encode("utf-8"))
    assert [suite.get("name") for suite in suites] == [item["name"] for item in report["hosts"]]
    failures = sum(int(suite.get("failures")) for suite in suites)
    skipped = sum(int(suite.get("skipped")) for suite in suites)
    assert (failures, skipped) == (
        report["summary"]["checks"]["fail"],
        report["summary"]["checks"]["not_checked"],
    )
    stopped = suites.find(
        "testsuite[@name='tien-son']/testcase[@name='dhcp.service_running [DHCPServer]']/failure"
    )
    assert stopped is not None and "observed: STOPPED" in stopped.text


# -- writing ---------------------------------------------------------------------------------------------
def test_a_report_is_written_to_a_dated_folder(tmp_path):
    report = hr.build_report("daily_check", hosts(), NOW)
    paths = hr.write_report(report, tmp_path, TEMPLATES, SCHEMA)
    folder = Path(paths["folder"])
    assert folder == tmp_path / "2026-12-01" / "daily_check-073000"
    assert sorted(path.name for path in folder.iterdir()) == sorted(hr.FILES.values())
    assert hr.read_report(Path(paths["json"])) == json.loads(json.dumps(report))
    again = hr.write_report(report, tmp_path, TEMPLATES, SCHEMA)
    assert Path(again["folder"]).name == "daily_check-073000-2"


def test_a_report_that_breaks_its_schema_is_not_written(tmp_path):
    report = hr.build_report("daily_check", hosts(), NOW)
    broken = copy.deepcopy(report)
    broken["findings"][0]["severity"] = "urgent"
    with pytest.raises(hr.ReportError, match="findings/0/severity"):
        hr.write_report(broken, tmp_path, TEMPLATES, SCHEMA)
    assert list(tmp_path.iterdir()) == []


def test_the_latest_audit_is_found(tmp_path):
    older = hr.build_report("audit", hosts(), NOW - timedelta(days=180))
    newer = hr.build_report("audit", hosts(), NOW - timedelta(days=1))
    daily = hr.build_report("daily_check", hosts(), NOW)
    for report in (older, newer, daily):
        hr.write_report(report, tmp_path, TEMPLATES, SCHEMA)
    found = hr.latest_report(tmp_path, "audit")
    assert hr.read_report(found)["generated_at"] == newer["generated_at"]
    assert hr.latest_report(tmp_path / "none", "audit") is None


def test_a_file_that_is_not_a_report_is_named(tmp_path):
    path = tmp_path / "report.json"
    path.write_text('{"schema": "something else"}', encoding="utf-8")
    with pytest.raises(hr.ReportError, match=f"{path}: not a vnaccs-health-report document"):
        hr.read_report(path)


def test_the_summary_text_lists_each_department():
    text = hr.summary_text(hr.build_report("daily_check", hosts(), NOW))
    lines = text.splitlines()
    assert lines[0].split() == ["department", "hosts", "critical", "high", "medium", "low", "unreachable"]
    assert lines[1].startswith(BAC_NINH) and lines[1].split()[-6:] == ["3", "1", "1", "1", "1", "0"]
    assert lines[-1].startswith("5 host(s), 1 unreachable;")
    clean = hr.build_report("daily_check", [copy.deepcopy(CLEAN_STATION)], NOW)
    assert hr.summary_text(clean).splitlines() == [
        "1 department(s) with no finding (1 host(s))",
        "1 host(s), 0 unreachable; checks: 1 passed, 0 warnings, 0 failed, 0 not checked; "
        "0 finding(s), 0 past due",
    ]


def test_the_summary_says_which_clearance_mode_the_fleet_is_in():
    stations = [
        host(f"ts-hq0{n}", "workstation", BAC_NINH, "Tiên Sơn", check("ecus6.mode", "pass", mode, mode))
        for n, mode in enumerate(("vnaccs", "ecus6", "ecus6"), 1)
    ]
    report = hr.build_report("daily_check", stations, NOW)
    assert hr.fleet_modes(report) == {"ecus6": 2, "vnaccs": 1}
    assert hr.summary_text(report).splitlines()[-1] == (
        "clearance mode (letter 497/CHQ-CNTT): 2 workstation(s) on ecus6, 1 workstation(s) on vnaccs"
    )
    assert "clearance mode" not in hr.summary_text(hr.build_report("daily_check", hosts(), NOW))
