"""The HTML report in a real browser: Debian's headless Chromium loads the one offline file, its script
runs without an error, the counts it shows are the report's, the English switch works, and a
screenshot of each language is kept as a test artifact under build/test-artifacts/.

Chromium is one of the Debian packages `./run test` installs (tasks.py, DEBIAN_PACKAGES).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import health_report as hr
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.health_checks import Check

from tests.support.fixture_files import ROOT

pytestmark = pytest.mark.slow
TEMPLATES = ROOT / "roles" / "health_check" / "templates"
SCHEMA = ROOT / "roles" / "health_check" / "files" / "health_report.schema.json"
ARTIFACTS = ROOT / "build" / "test-artifacts"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone(timedelta(hours=7)))


def chromium() -> str:
    found = shutil.which("chromium")
    assert found, "Debian's chromium is not installed: `./run test` installs it (tasks.py DEBIAN_PACKAGES)"
    return found


def browse(url: str, profile: Path, *flags: str) -> subprocess.CompletedProcess:
    """Headless Chromium on `url`, no network, a throwaway profile; root needs --no-sandbox."""
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1366,2200",
        *flags,
        url,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def check(check_id: str, status: str, item: str = "", observed: str = "") -> dict:
    return Check(check_id, status, item, observed).as_dict()


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> tuple[dict, Path]:
    hosts = [
        {
            "name": "tien-son",
            "kind": "dhcp_server",
            "department": "Cục Hải quan Bắc Ninh",
            "site": "Chi cục Hải quan Tiên Sơn",
            "region": "tong_cuc",
            "address": "198.18.5.10",
            "result": {
                "checks": [
                    check("dhcp.service_running", "fail", "DHCPServer", "STOPPED"),
                    check("dhcp.scope_usage", "warn", "198.18.6.0", "85% used"),
                    check("dhcp.service_automatic", "pass", "DHCPServer", "AUTO_START"),
                ]
            },
        },
        {
            "name": "base-tong-cuc",
            "kind": "base_server",
            "department": "TỔNG CỤC HẢI QUAN",
            "site": "Base server TỔNG CỤC HẢI QUAN",
            "region": "tong_cuc",
            "address": "198.19.48.6",
            "result": {
                "checks": [check("host.reachable", "fail"), check("base.client_staged", "not_checked")]
            },
        },
        {
            "name": "ts-hq01",
            "kind": "workstation",
            "department": "Cục Hải quan Bắc Ninh",
            "site": "Chi cục Hải quan Tiên Sơn",
            "region": "tong_cuc",
            "address": "198.18.6.60",
            "result": {"checks": [check("workstation.dhcp_lease", "pass", "198.18.6.60")]},
        },
    ]
    stations = [
        {
            "name": "ts-hq01",
            "terminal_id": "1BTS001",
            "department": "Cục Hải quan Bắc Ninh",
            "site": "Tiên Sơn",
        },
        {
            "name": "ts-hq02",
            "terminal_id": "1BTS001",
            "department": "Cục Hải quan Bắc Ninh",
            "site": "Tiên Sơn",
        },
    ]
    report = hr.build_report("audit", hosts, NOW, stations=stations)
    paths = hr.write_report(report, tmp_path_factory.mktemp("reports"), TEMPLATES, SCHEMA)
    return report, Path(paths["html"])


def attribute(dom: str, name: str) -> str | None:
    match = re.search(rf'<body[^>]*\s{name}="([^"]*)"', dom)
    return match.group(1) if match else None


def text_of(dom: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', dom)
    assert match, f"no element #{element_id} in the page"
    return match.group(1).strip()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_chromium_loads_the_report_without_script_errors_and_shows_its_counts(
    report_file, tmp_path, language
):
    report, html = report_file
    url = html.as_uri() + ("?lang=en" if language == "en" else "")
    shown = browse(url, tmp_path / "profile", "--dump-dom")
    assert shown.returncode == 0, shown.stderr[-3000:]
    dom = shown.stdout
    assert attribute(dom, "data-ready") == "1", "the page's script did not finish"
    assert attribute(dom, "data-script-errors") is None, text_of(dom, "script-errors")
    assert not re.search(r"Uncaught|SyntaxError|ReferenceError|TypeError", shown.stderr), shown.stderr[-3000:]
    assert attribute(dom, "data-lang") == language
    assert attribute(dom, "data-rows") == str(sum(len(item["checks"]) for item in report["hosts"]))
    summary = report["summary"]
    assert text_of(dom, "summary-hosts") == str(summary["hosts"])
    assert text_of(dom, "summary-failed") == str(summary["checks"]["fail"])
    assert text_of(dom, "summary-warnings") == str(summary["checks"]["warn"])
    assert text_of(dom, "summary-findings") == str(summary["findings"]["total"])
    assert text_of(dom, "summary-critical") == str(summary["findings"]["critical"])
    assert text_of(dom, "comparison-new") == str(len(report["comparison"]["new"]))
    switch = text_of(dom, "toggle-language")
    assert switch == ("English" if language == "vi" else "Tiếng Việt")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_screenshot_of_the_report_is_kept(report_file, tmp_path, language):
    _, html = report_file
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"health-report-{language}.png"
    target.unlink(missing_ok=True)
    url = html.as_uri() + ("?lang=en" if language == "en" else "")
    shot = browse(url, tmp_path / "profile", f"--screenshot={target}")
    assert shot.returncode == 0, shot.stderr[-3000:]
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
