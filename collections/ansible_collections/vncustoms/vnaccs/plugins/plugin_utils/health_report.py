"""The health-check report: one JSON document per run, and what is rendered from it.

The JSON document is the source of truth (schema `vnaccs-health-report`, version SCHEMA_VERSION,
described by roles/health_check/files/health_report.schema.json). It holds every host checked with
every check, and every finding a failed or warning check makes, with the rule of Decision 833 it
comes from, its severity, its impact (Vietnamese and English), the department that owns it and a due
date computed from the severity (Article 24: "the report lists each problem, its impact and the
time by which it must be fixed"). An audit is compared with the previous audit: new findings, fixed
ones, and those still open past their due date.

Rendered from it, in one dated folder (`<root>/<YYYY-MM-DD>/<kind>-<HHMMSS>/`): `report.html` (one
offline file, Vietnamese labels with an English switch, per department then per site, failures first),
`checks.csv` and `findings.csv` (UTF-8 with a byte order mark, as spreadsheets on Windows read it; the
VCIS data files of Appendix I are CSV in UTF-8 with BOM too) and `junit.xml` (one test suite per host,
one test case per check) for CI. Reports of partial runs (one department, one region each) merge into
one (:func:`merge_reports`); `./run report` re-renders and merges them.

Standard library and Jinja2 only (the HTML is a Jinja2 template; nothing here builds HTML by hand);
jsonschema validates a report before it is written.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.health_catalogue import (
    article_of,
    meaning,
    name,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.health_checks import (
    FAIL,
    NOT_CHECKED,
    PASS,
    STATUSES,
    WARN,
    Check,
    switch_checks,
)

SCHEMA_NAME = "vnaccs-health-report"
SCHEMA_VERSION = 1
REPORT_KINDS = ("daily_check", "audit")
SEVERITIES = ("critical", "high", "medium", "low")
# Days from the day a finding is first seen to its due date, by severity (admins may set their own).
DUE_DAYS = {"critical": 1, "high": 3, "medium": 14, "low": 30}
STATUS_ORDER = {FAIL: 0, WARN: 1, NOT_CHECKED: 2, PASS: 3}
HOST_KINDS = ("dhcp_server", "base_server", "workstation", "switch")
FILES = {
    "json": "report.json",
    "html": "report.html",
    "checks_csv": "checks.csv",
    "findings_csv": "findings.csv",
    "junit": "junit.xml",
}


class ReportError(Exception):
    """A report cannot be built, merged or read; the message names the file or the field."""


# -- building ------------------------------------------------------------------------------------------
def _check_entry(check: dict[str, Any], kind: str) -> dict[str, Any]:
    status = check.get("status")
    if status not in STATUSES:
        raise ReportError(f"check {check.get('id')!r}: unknown status {status!r}")
    return {
        "id": str(check["id"]),
        "item": str(check.get("item", "")),
        "status": status,
        "title": name(str(check["id"])),
        "article": article_of(str(check["id"]), kind),
        "observed": str(check.get("observed", "")),
        "expected": str(check.get("expected", "")),
        "detail": str(check.get("detail", "")),
    }


def host_checks(host: dict[str, Any]) -> list[dict[str, Any]]:
    """The checks of one host entry as the role hands it over: a Windows plugin's `result.checks`, or
    a switch's relay result read by `health_checks.switch_checks`; a result without checks (the
    plugin refused its input) is one failed `host.check_error`."""
    result = host.get("result") or {}
    if host["kind"] == "switch":
        return [check.as_dict() for check in switch_checks(result, str(host.get("helper", "")))]
    if result.get("checks"):
        return list(result["checks"])
    message = str(result.get("msg") or "the check returned nothing")
    return [
        Check("host.check_error", FAIL, observed="not checked", expected="checked", detail=message).as_dict()
    ]


def _host_entry(host: dict[str, Any]) -> dict[str, Any]:
    kind = host.get("kind")
    if kind not in HOST_KINDS:
        raise ReportError(f"host {host.get('name')!r}: unknown kind {kind!r}")
    checks = [_check_entry(check, kind) for check in host_checks(host)]
    reachable = not any(
        check["id"] in ("host.reachable", "switch.reachable") and check["status"] == FAIL for check in checks
    )
    return {
        "name": str(host["name"]),
        "kind": kind,
        "department": str(host.get("department") or ""),
        "site": str(host.get("site") or ""),
        "region": str(host.get("region") or ""),
        "address": str(host.get("address") or ""),
        "reachable": reachable,
        "checks": checks,
    }


def terminal_id_checks(stations: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """`audit.terminal_id_unique` for every workstation of the inventory (Article 15: never duplicated),
    by host name. A workstation without a Terminal ID in the inventory is not checked."""
    users: dict[str, list[str]] = {}
    for station in stations:
        terminal = str(station.get("terminal_id") or "").strip()
        if terminal:
            users.setdefault(terminal.upper(), []).append(str(station["name"]))
    checks: dict[str, list[dict[str, Any]]] = {}
    for station in stations:
        name, terminal = str(station["name"]), str(station.get("terminal_id") or "").strip()
        if not terminal:
            check = Check("audit.terminal_id_unique", NOT_CHECKED, detail="no Terminal ID in the inventory")
        else:
            others = [other for other in users[terminal.upper()] if other != name]
            if others:
                check = Check(
                    "audit.terminal_id_unique",
                    FAIL,
                    terminal,
                    f"also used by {', '.join(sorted(others))}",
                    "unique in the whole inventory",
                )
            else:
                check = Check(
                    "audit.terminal_id_unique", PASS, terminal, "unique", "unique in the whole inventory"
                )
        checks.setdefault(name, []).append(check.as_dict())
    return checks


def finding_key(check_id: str, host: str, item: str) -> str:
    return f"{check_id}|{host}|{item}"


def _findings(hosts: list[dict[str, Any]], today: date, due_days: dict[str, int], seen: dict[str, str]):
    findings = []
    for host in hosts:
        for check in host["checks"]:
            if check["status"] not in (FAIL, WARN):
                continue
            entry = meaning(check["id"], host["kind"])
            if entry is None:
                raise ReportError(f"check {check['id']!r} ({host['kind']}) has no entry in the catalogue")
            severity = entry["severity"] if check["status"] == FAIL else entry["warning_severity"]
            if severity is None:
                raise ReportError(
                    f"check {check['id']!r} warned, but the catalogue gives no warning severity"
                )
            key = finding_key(check["id"], host["name"], check["item"])
            first_seen = date.fromisoformat(seen.get(key, today.isoformat()))
            due = first_seen + timedelta(days=int(due_days[severity]))
            findings.append(
                {
                    "key": key,
                    "check": check["id"],
                    "kind": host["kind"],
                    "host": host["name"],
                    "item": check["item"],
                    "department": host["department"],
                    "site": host["site"],
                    "severity": severity,
                    "article": article_of(check["id"], host["kind"]),
                    "title": dict(entry["title"]),
                    "impact": dict(entry["impact"]),
                    "observed": check["observed"],
                    "expected": check["expected"],
                    "detail": check["detail"],
                    "first_seen": first_seen.isoformat(),
                    "due": due.isoformat(),
                    "status": "past_due" if today > due else "open",
                }
            )
    order = {severity: index for index, severity in enumerate(SEVERITIES)}
    findings.sort(key=lambda item: (order[item["severity"]], item["due"], item["department"], item["key"]))
    return findings


def build_report(
    kind: str,
    hosts: list[dict[str, Any]],
    now: datetime,
    stations: Iterable[dict[str, Any]] = (),
    previous: dict[str, Any] | None = None,
    previous_path: str = "",
    due_days: dict[str, int] | None = None,
    run: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The report of one run. `hosts`: what the role gathered per host (name, kind, department, site,
    region, address, and the plugin's `result`; a switch also its `helper`). `stations`: every
    workstation of the inventory with its Terminal ID, for the audit's fleet-wide check. `previous`:
    the previous audit's report, to compare with (its findings keep their first day and due date)."""
    if kind not in REPORT_KINDS:
        raise ReportError(f"kind must be one of {', '.join(REPORT_KINDS)}, not {kind!r}")
    days = {**DUE_DAYS, **(due_days or {})}
    entries = {}
    for host in hosts:
        entry = _host_entry(host)
        entries[entry["name"]] = entry
    if kind == "audit":
        by_name = {str(station["name"]): station for station in stations}
        for name, checks in terminal_id_checks(by_name.values()).items():
            if name not in entries:
                # Checked from the inventory only: a workstation this run did not contact.
                entries[name] = {
                    **_host_entry({**by_name[name], "kind": "workstation", "result": {}}),
                    "checks": [],
                }
            entries[name]["checks"] += [_check_entry(check, "workstation") for check in checks]
    ordered = sorted(entries.values(), key=lambda item: (item["department"], item["site"], item["name"]))
    today = now.date()
    seen = {item["key"]: item["first_seen"] for item in (previous or {}).get("findings", [])}
    report = {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "kind": kind,
        "generated_at": now.isoformat(timespec="seconds"),
        "runs": [
            {
                "id": now.strftime("%Y%m%dT%H%M%S"),
                "generated_at": now.isoformat(timespec="seconds"),
                **(run or {}),
            }
        ],
        "hosts": ordered,
        "findings": _findings(ordered, today, days, seen if kind == "audit" else {}),
        "comparison": None,
    }
    if kind == "audit":
        report["comparison"] = compare(report, previous, previous_path)
    report["summary"] = summarize(report)
    return report


def compare(
    report: dict[str, Any], previous: dict[str, Any] | None, previous_path: str = ""
) -> dict[str, Any]:
    """New findings, fixed ones (on hosts checked again), those still open, and those open past due."""
    current = {item["key"]: item for item in report["findings"]}
    before = {item["key"]: item for item in (previous or {}).get("findings", [])}
    checked = {host["name"] for host in report["hosts"]}
    fixed = [before[key] for key in sorted(before) if key not in current and before[key]["host"] in checked]
    return {
        "previous": (
            [{"path": previous_path, "generated_at": previous.get("generated_at", "")}] if previous else []
        ),
        "new": sorted(key for key in current if key not in before),
        "still_open": sorted(key for key in current if key in before),
        "past_due": sorted(key for key, item in current.items() if item["status"] == "past_due"),
        "fixed": [
            {
                name: item[name]
                for name in ("key", "check", "host", "item", "department", "site", "severity", "title")
            }
            for item in fixed
        ],
        "not_rechecked": sorted(
            key for key in before if key not in current and before[key]["host"] not in checked
        ),
    }


def summarize(report: dict[str, Any]) -> dict[str, Any]:
    counts = dict.fromkeys(STATUSES, 0)
    for host in report["hosts"]:
        for check in host["checks"]:
            counts[check["status"]] += 1
    findings = dict.fromkeys(SEVERITIES, 0)
    for item in report["findings"]:
        findings[item["severity"]] += 1
    return {
        "hosts": len(report["hosts"]),
        "unreachable": sum(1 for host in report["hosts"] if not host["reachable"]),
        "departments": len({host["department"] for host in report["hosts"]}),
        "checks": counts,
        "findings": {
            "total": len(report["findings"]),
            **findings,
            "past_due": sum(1 for item in report["findings"] if item["status"] == "past_due"),
        },
    }


# -- merging, reading, validating --------------------------------------------------------------------
def merge_reports(reports: list[dict[str, Any]], now: datetime | None = None) -> dict[str, Any]:
    """One report from the reports of partial runs of the same kind: every host once (from the newest
    report that checked it), its findings with it, the runs listed, the comparisons combined."""
    if not reports:
        raise ReportError("no report to merge")
    kinds = {report["kind"] for report in reports}
    if len(kinds) > 1:
        raise ReportError(f"cannot merge reports of different kinds: {', '.join(sorted(kinds))}")
    ordered = sorted(reports, key=lambda report: report["generated_at"])
    hosts: dict[str, dict[str, Any]] = {}
    # Each host's findings, from the newest report that checked it (indexed by host, so that merging
    # costs the same per host however large the fleet).
    host_findings: dict[str, dict[str, dict[str, Any]]] = {}
    runs = []
    for report in ordered:
        runs += report["runs"]
        in_report: dict[str, dict[str, dict[str, Any]]] = {}
        for item in report["findings"]:
            in_report.setdefault(item["host"], {})[item["key"]] = item
        for host in report["hosts"]:
            hosts[host["name"]] = host
            host_findings[host["name"]] = in_report.get(host["name"], {})
    findings = {key: item for items in host_findings.values() for key, item in items.items()}
    merged = {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "kind": ordered[-1]["kind"],
        "generated_at": (now or datetime.now().astimezone()).isoformat(timespec="seconds"),
        "runs": runs,
        "hosts": sorted(hosts.values(), key=lambda item: (item["department"], item["site"], item["name"])),
        "findings": sorted(
            findings.values(),
            key=lambda item: (
                SEVERITIES.index(item["severity"]),
                item["due"],
                item["department"],
                item["key"],
            ),
        ),
        "comparison": None,
    }
    comparisons = [report["comparison"] for report in ordered if report.get("comparison")]
    if comparisons:
        keys = set(findings)
        merged["comparison"] = {
            "previous": [item for comparison in comparisons for item in comparison["previous"]],
            "new": sorted({key for c in comparisons for key in c["new"]} & keys),
            "still_open": sorted({key for c in comparisons for key in c["still_open"]} & keys),
            "past_due": sorted(key for key, item in findings.items() if item["status"] == "past_due"),
            "fixed": list({item["key"]: item for c in comparisons for item in c["fixed"]}.values()),
            "not_rechecked": sorted({key for c in comparisons for key in c["not_rechecked"]} - set(hosts)),
        }
    merged["summary"] = summarize(merged)
    return merged


def read_report(path: Path) -> dict[str, Any]:
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ReportError(f"{path}: cannot read a report: {error}") from None
    if not isinstance(report, dict) or report.get("schema") != SCHEMA_NAME:
        raise ReportError(f"{path}: not a {SCHEMA_NAME} document")
    if report.get("schema_version") != SCHEMA_VERSION:
        raise ReportError(
            f"{path}: schema version {report.get('schema_version')!r}; "
            f"this toolkit reads version {SCHEMA_VERSION}"
        )
    return report


def validate(report: dict[str, Any], schema_path: Path) -> None:
    """Raise ReportError naming the first place where the report does not match its JSON Schema."""
    import jsonschema

    schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(report))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(top)"
        raise ReportError(f"the report does not match {schema_path} at {where}: {error.message}")


def latest_report(root: Path, kind: str, before: str = "") -> Path | None:
    """The newest report.json of `kind` under `root` (generated before `before`, an ISO time), or None."""
    found = []
    for path in Path(root).glob(f"*/{kind}-*/{FILES['json']}"):
        try:
            report = read_report(path)
        except ReportError:
            continue
        if report["kind"] == kind and (not before or report["generated_at"] < before):
            found.append((report["generated_at"], path))
    return max(found)[1] if found else None


# -- rendering -----------------------------------------------------------------------------------------
def _ordered(checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(checks, key=lambda check: (STATUS_ORDER[check["status"]], check["id"], check["item"]))


def _worst(checks: list[dict[str, Any]]) -> int:
    return min((STATUS_ORDER[check["status"]] for check in checks), default=STATUS_ORDER[PASS])


def _gravest(findings: list[dict[str, Any]]) -> int:
    """The index in SEVERITIES of the gravest finding; past the end for none."""
    return min((SEVERITIES.index(item["severity"]) for item in findings), default=len(SEVERITIES))


def departments(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The hosts grouped per department, then per site, failures first at every level (for the HTML)."""
    findings_by_host: dict[str, list[dict[str, Any]]] = {}
    for item in report["findings"]:
        findings_by_host.setdefault(item["host"], []).append(item)
    tree: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for host in report["hosts"]:
        tree.setdefault(host["department"], {}).setdefault(host["site"], []).append(host)
    result = []
    for department, sites in tree.items():
        site_list = []
        for site, hosts in sites.items():
            shown = [
                {
                    **host,
                    "checks": _ordered(host["checks"]),
                    "findings": findings_by_host.get(host["name"], []),
                }
                for host in hosts
            ]
            shown.sort(key=lambda host: (_worst(host["checks"]), host["name"]))
            site_list.append(
                {
                    "name": site,
                    "hosts": shown,
                    "findings": [item for host in shown for item in host["findings"]],
                    "worst": min((_worst(host["checks"]) for host in shown), default=3),
                }
            )
        site_list.sort(
            key=lambda site: (_gravest(site["findings"]), site["worst"], -len(site["findings"]), site["name"])
        )
        findings = [item for site in site_list for item in site["findings"]]
        result.append(
            {
                "name": department,
                "sites": site_list,
                "findings": findings,
                "hosts": sum(len(site["hosts"]) for site in site_list),
                "worst": min((site["worst"] for site in site_list), default=3),
                "counts": {
                    severity: sum(1 for item in findings if item["severity"] == severity)
                    for severity in SEVERITIES
                },
            }
        )
    result.sort(
        key=lambda item: (_gravest(item["findings"]), item["worst"], -len(item["findings"]), item["name"])
    )
    return result


def render_html(report: dict[str, Any], template_dir: Path) -> str:
    """report.html from roles/health_check/templates/report.html.j2: one file, no external resource."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = environment.get_template("report.html.j2")
    by_key = {item["key"]: item for item in report["findings"]}
    past_due = [by_key[key] for key in (report.get("comparison") or {}).get("past_due", []) if key in by_key]
    return template.render(report=report, departments=departments(report), past_due_findings=past_due)


# Where a row is and what it is about, then what each file says of it.
_WHERE = ("department", "site", "host", "kind", "check", "title_vi", "title_en", "item")
CHECK_COLUMNS = (*_WHERE, "status", "observed", "expected", "detail", "article_vi", "article_en")
FINDING_COLUMNS = (
    "severity",
    *_WHERE,
    "article_vi",
    "article_en",
    "impact_vi",
    "impact_en",
    "observed",
    "expected",
    "first_seen",
    "due",
    "status",
)


def _csv(rows: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in columns})
    return "\ufeff" + buffer.getvalue()


def _row(entry: dict[str, Any], columns: tuple[str, ...], **more: Any) -> dict[str, str]:
    """A CSV row: the entry's plain values, and each Vietnamese/English pair as `<name>_vi`, `<name>_en`."""
    values = {**entry, **more}
    row = {}
    for column in columns:
        name, _, language = column.rpartition("_")
        if language in ("vi", "en") and isinstance(values.get(name), dict | type(None)):
            row[column] = (values.get(name) or {}).get(language, "")
        else:
            row[column] = values.get(column, "")
    return row


def checks_csv(report: dict[str, Any]) -> str:
    rows = [
        _row(
            check,
            CHECK_COLUMNS,
            department=host["department"],
            site=host["site"],
            host=host["name"],
            kind=host["kind"],
            check=check["id"],
        )
        for host in report["hosts"]
        for check in host["checks"]
    ]
    return _csv(rows, CHECK_COLUMNS)


def findings_csv(report: dict[str, Any]) -> str:
    return _csv((_row(item, FINDING_COLUMNS) for item in report["findings"]), FINDING_COLUMNS)


def junit_xml(report: dict[str, Any]) -> str:
    """One test suite per host, one test case per check: fail is a failure, not_checked is skipped, a
    warning passes with the warning in its system-out."""
    suites = ElementTree.Element("testsuites", name=f"vnaccs {report['kind']}")
    for host in report["hosts"]:
        checks = host["checks"]
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            name=host["name"],
            tests=str(len(checks)),
            failures=str(sum(1 for check in checks if check["status"] == FAIL)),
            skipped=str(sum(1 for check in checks if check["status"] == NOT_CHECKED)),
            errors="0",
            timestamp=report["generated_at"],
        )
        for check in checks:
            name = check["id"] + (f" [{check['item']}]" if check["item"] else "")
            case = ElementTree.SubElement(
                suite, "testcase", classname=f"{host['kind']}.{host['name']}", name=name
            )
            text = f"observed: {check['observed']}; expected: {check['expected']}; {check['detail']}".strip(
                "; "
            )
            if check["status"] == FAIL:
                ElementTree.SubElement(
                    case, "failure", message=check["title"]["en"], type=check["id"]
                ).text = text
            elif check["status"] == NOT_CHECKED:
                ElementTree.SubElement(case, "skipped", message=check["detail"] or "not checked")
            elif check["status"] == WARN:
                ElementTree.SubElement(case, "system-out").text = f"WARNING: {check['title']['en']}: {text}"
    ElementTree.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"
    )


def report_folder(root: Path, report: dict[str, Any]) -> Path:
    """`<root>/<YYYY-MM-DD>/<kind>-<HHMMSS>`, from the report's time (a second one gets a suffix)."""
    generated = datetime.fromisoformat(report["generated_at"])
    base = Path(root) / generated.strftime("%Y-%m-%d") / f"{report['kind']}-{generated:%H%M%S}"
    folder, number = base, 1
    while folder.exists():
        number += 1
        folder = base.with_name(f"{base.name}-{number}")
    return folder


def write_report(report: dict[str, Any], root: Path, template_dir: Path, schema_path: Path) -> dict[str, str]:
    """Validate the report, then write it and what is rendered from it into a new dated folder."""
    validate(report, schema_path)
    folder = report_folder(root, report)
    folder.mkdir(parents=True)
    contents = {
        "json": json.dumps(report, ensure_ascii=False, indent=2) + "\n",
        "html": render_html(report, template_dir),
        "checks_csv": checks_csv(report),
        "findings_csv": findings_csv(report),
        "junit": junit_xml(report),
    }
    paths = {}
    for key, text in contents.items():
        path = folder / FILES[key]
        path.write_text(text, encoding="utf-8", newline="")
        paths[key] = str(path)
    paths["folder"] = str(folder)
    return paths


def summary_text(report: dict[str, Any]) -> str:
    """The summary an admin reads on screen: the departments with findings or unreachable hosts, with
    their hosts and findings by severity, the others counted on one line; then the totals."""
    columns = ("hosts", *SEVERITIES, "unreachable")
    lines = [f"{'department':<32}" + "".join(f" {column}" for column in columns)]
    clean = []
    for department in departments(report):
        hosts = [host for site in department["sites"] for host in site["hosts"]]
        unreachable = sum(1 for host in hosts if not host["reachable"])
        if not department["findings"] and not unreachable:
            clean.append(department)
            continue
        values = [
            department["hosts"],
            *(department["counts"][severity] for severity in SEVERITIES),
            unreachable,
        ]
        cells = "".join(f" {value:>{len(column)}}" for column, value in zip(columns, values, strict=True))
        lines.append(f"{department['name'][:32]:<32}{cells}")
    if len(lines) == 1:
        lines = []  # no department to list: no header either
    if clean:
        hosts = sum(department["hosts"] for department in clean)
        lines.append(f"{len(clean)} department(s) with no finding ({hosts} host(s))")
    summary = report["summary"]
    checks = summary["checks"]
    lines.append(
        f"{summary['hosts']} host(s), {summary['unreachable']} unreachable; checks: {checks[PASS]} passed, "
        f"{checks[WARN]} warnings, {checks[FAIL]} failed, {checks[NOT_CHECKED]} not checked; "
        f"{summary['findings']['total']} finding(s), {summary['findings']['past_due']} past due"
    )
    modes = fleet_modes(report)
    if modes:
        lines.append(
            "clearance mode (letter 497/CHQ-CNTT): "
            + ", ".join(f"{count} workstation(s) on {mode}" for mode, count in sorted(modes.items()))
        )
    return "\n".join(lines)


def fleet_modes(report: dict[str, Any]) -> dict[str, int]:
    """How many workstations are in each clearance mode (`vnaccs`, `ecus6`), from their `ecus6.mode`
    checks: which system the fleet is sending declarations to."""
    modes: dict[str, int] = {}
    for host in report["hosts"]:
        for check in host["checks"]:
            if check["id"] == "ecus6.mode" and check["item"]:
                modes[check["item"]] = modes.get(check["item"], 0) + 1
    return modes
