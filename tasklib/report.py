"""Invoke tasks for the health-check reports: `report` (re-render, merge) and `daily-check` / `audit`.

    ./run daily-check -l cuc_bac_ninh          the daily checks of one department; the report's path last
    ./run audit                                the six-monthly audit of every host
    ./run report build/reports/2026-12-01/daily_check-083000/report.json
                                               render it again (HTML, CSV, JUnit XML), in its folder
    ./run report A/report.json B/report.json   merge partial runs (one department or region each) into
                                               one new report under build/reports/<date>/
    ./run report --output=DIR A.json B.json    ... under DIR

`run_daily_check(c, inventories)` runs the daily check for `./run demo` and returns the report's path.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from invoke import task

from tasklib.playbooks import apply_playbook, run_playbook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "collections"))

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import health_report  # noqa: E402

ROLE = ROOT / "roles" / "health_check"
TEMPLATES = ROLE / "templates"
SCHEMA = ROLE / "files" / "health_report.schema.json"
REPORTS = ROOT / "build" / "reports"


def rerender(paths: list[Path], output: Path | None = None) -> dict[str, str]:
    """Render one report again in its own folder (or under `output`), or merge several into a new one."""
    reports = [health_report.read_report(path) for path in paths]
    if len(reports) == 1 and output is None:
        report = reports[0]
        health_report.validate(report, SCHEMA)
        folder = paths[0].parent
        written = {"json": str(paths[0]), "folder": str(folder)}
        for key, text in (
            ("html", health_report.render_html(report, TEMPLATES)),
            ("checks_csv", health_report.checks_csv(report)),
            ("findings_csv", health_report.findings_csv(report)),
            ("junit", health_report.junit_xml(report)),
        ):
            target = folder / health_report.FILES[key]
            target.write_text(text, encoding="utf-8", newline="")
            written[key] = str(target)
        return written
    report = reports[0] if len(reports) == 1 else health_report.merge_reports(reports)
    return health_report.write_report(report, output or REPORTS, TEMPLATES, SCHEMA)


def print_summary(paths: dict[str, str]) -> None:
    report = health_report.read_report(Path(paths["json"]))
    print(health_report.summary_text(report), flush=True)
    print(f"HTML report: {paths['html']}", flush=True)


@task(
    help={
        "output": "folder for a merged report (default build/reports); with one report, render it there too",
    }
)
def report(c, output=""):
    """Render a health-check report.json again, or merge several (./run report FILE...)."""
    paths = [Path(item) for item in shlex.split(c.remainder or "")]
    if not paths:
        sys.exit("Name the report.json file(s): ./run report build/reports/DATE/KIND-TIME/report.json ...")
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        sys.exit(f"No such report: {', '.join(missing)}")
    try:
        written = rerender(paths, Path(output) if output else None)
    except health_report.ReportError as error:
        sys.exit(str(error))
    print_summary(written)


def _latest(kind: str, before: set[Path]) -> Path | None:
    written = sorted(set(REPORTS.glob(f"*/{kind}-*/report.json")) - before)
    return written[-1] if written else None


def with_controller(limit: str) -> str:
    """An Ansible `--limit` that keeps the controller: the report play runs on localhost, which a
    limit without it leaves out, so that no report would be written. "" stays "" (no limit)."""
    if not limit or "localhost" in limit.split(":"):
        return limit
    return f"{limit}:localhost"


def run_daily_check(c, inventories=(), limit: str = "", extra: str = "") -> Path:
    """Run playbooks/daily_check.yml on the inventories (on the hosts of `limit`, an Ansible host
    pattern, when given); print the summary and return the report's path.

    Exits 1 when the run fails or writes no report (findings are not a failure: they are the report).
    """
    before = set(REPORTS.glob("*/daily_check-*/report.json"))
    result = run_playbook(
        c,
        "playbooks/daily_check.yml",
        inventories,
        f" -e health_check_report_dir={REPORTS}" + (f" -l {with_controller(limit)}" if limit else "") + extra,
    )
    written = _latest("daily_check", before)
    if not result.ok or written is None:
        print(result.stdout[-5000:], result.stderr[-2000:], sep="\n", file=sys.stderr)
        sys.exit("Daily check: the run failed")
    folder = written.parent
    print_summary({"json": str(written), "html": str(folder / health_report.FILES["html"])})
    return written


HELP = {
    "limit": "Ansible host pattern, e.g. a department group such as cuc_bac_ninh.",
    "inventory": "Inventory to use instead of the site inventory (e.g. the lab's).",
}


@task(name="daily-check", help=HELP)
def daily_check(c, limit="", inventory=""):
    """The daily checks of Appendix III (playbooks/daily_check.yml); changes no host; writes the report."""
    apply_playbook(c, ROOT / "playbooks" / "daily_check.yml", with_controller(limit), False, False, inventory)


@task(help=HELP)
def audit(c, limit="", inventory=""):
    """The six-monthly audit of Article 24 (playbooks/audit.yml); changes no host; writes the report."""
    apply_playbook(c, ROOT / "playbooks" / "audit.yml", with_controller(limit), False, False, inventory)
