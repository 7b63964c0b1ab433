# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rollout's record: one JSON file per workstation, and the rollout result built from them.

Each workstation's task writes its outcome to the rollout state folder as it finishes
(`<state>/client/hosts/<host>.json`, replaced by the next run that reaches the host), so the
record survives a rollout stopped half-way (Ansible ends the playbook once a batch fails past
`max_fail_percentage`), a re-run resumes from it, and the daily check and the audit read it.
The rollout result (one JSON document, schema `vnaccs.client_rollout/1`) is built from the
folder: the version of each workstation, adoption of the wanted version per site, department and
region, and the failures with their codes.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.account_guard import default_state_dir

SCHEMA = "vnaccs.client_rollout/1"
STATUSES = ("current", "changed", "newer", "failed", "refused", "unreachable")
_NAME = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class HostRecord:
    host: str
    site: str
    department: str
    region: str
    wanted: str
    version: str | None
    before: str | None
    status: str
    exit_code: int | None = None
    reason: str = ""
    msg: str = ""
    reboot_required: bool = False
    at: str = ""

    def adopted(self, version: str) -> bool:
        """Whether the workstation is on `version`, as a run for that version left it."""
        return self.wanted == version and self.status in ("current", "changed") and self.version == version


class RolloutState:
    """The folder of per-workstation records."""

    def __init__(self, state_dir: Path | str | None = None) -> None:
        self.folder = Path(state_dir or default_state_dir()) / "client" / "hosts"

    def write(self, record: HostRecord) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{_NAME.sub('_', record.host)}.json"
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(asdict(record), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(temporary, path)
        return path

    def records(self, hosts: list[str] | None = None) -> list[HostRecord]:
        """The records (of `hosts` only, when given), by host name; unreadable files are skipped."""
        found = []
        wanted = set(hosts) if hosts is not None else None
        for path in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                record = HostRecord(**data)
            except (OSError, ValueError, TypeError):
                continue
            if wanted is None or record.host in wanted:
                found.append(record)
        return sorted(found, key=lambda record: record.host)


def _adoption(
    records: list[HostRecord], key: str, hosts_by_group: dict[str, list[str]], version: str
) -> list[dict[str, Any]]:
    by_name = {record.host: record for record in records}
    rows = []
    for group, hosts in sorted(hosts_by_group.items()):
        group_records = [by_name[host] for host in hosts if host in by_name]
        adopted = sum(1 for record in group_records if record.adopted(version))
        failed = sum(1 for record in group_records if record.status in ("failed", "refused", "unreachable"))
        rows.append(
            {
                key: group,
                "workstations": len(hosts),
                "adopted": adopted,
                "failed": failed,
                "not_reached": len(hosts) - len(group_records),
                "percent": round(100.0 * adopted / len(hosts), 1) if hosts else 0.0,
            }
        )
    return rows


def rollout_result(
    version: str, records: list[HostRecord], workstations: dict[str, dict[str, str]], generated: str
) -> dict[str, Any]:
    """The rollout result for `version` over `workstations` (host -> {site, department, region}).

    A workstation of the scope without a record (not reached yet: a later batch, or the rollout
    stopped) counts as not adopted.
    """
    known = {record.host: record for record in records if record.host in workstations}
    # A record of a run for another version says which version the host has, nothing of this rollout.
    scoped = [record for record in known.values() if record.wanted == version]
    by_host = {record.host: record for record in scoped}
    groups: dict[str, dict[str, list[str]]] = {"site": {}, "department": {}, "region": {}}
    for host, where in workstations.items():
        for key in groups:
            groups[key].setdefault(where.get(key, "") or "(none)", []).append(host)
    versions = Counter(
        (known[host].version or "none") if host in known else "unknown" for host in workstations
    )
    failures = [
        {
            "host": record.host,
            "site": record.site,
            "status": record.status,
            "exit_code": record.exit_code,
            "reason": record.reason,
            "msg": record.msg,
        }
        for record in scoped
        if record.status in ("failed", "refused", "unreachable")
    ]
    adopted = sum(1 for record in scoped if record.adopted(version))
    return {
        "schema": SCHEMA,
        "generated": generated,
        "version": version,
        "summary": {
            "workstations": len(workstations),
            "adopted": adopted,
            "failed": len(failures),
            "not_reached": len(workstations) - len(scoped),
            "reboot_pending": sum(
                1 for record in scoped if record.reboot_required and record.adopted(version)
            ),
            "percent": round(100.0 * adopted / len(workstations), 1) if workstations else 0.0,
        },
        "versions": dict(sorted(versions.items())),
        "regions": _adoption(scoped, "region", groups["region"], version),
        "departments": _adoption(scoped, "department", groups["department"], version),
        "sites": _adoption(scoped, "site", groups["site"], version),
        "failures": failures,
        "workstations": [
            asdict(by_host[host])
            if host in by_host
            else {
                "host": host,
                **where,
                "status": "not_reached",
                "version": getattr(known.get(host), "version", None),
            }
            for host, where in sorted(workstations.items())
        ],
    }


def summary_lines(result: dict[str, Any]) -> list[str]:
    """The lines a rollout prints at its end: adoption per region, then the failures."""
    total = result["summary"]
    lines = [
        f"client {result['version']}: {total['adopted']}/{total['workstations']} workstations "
        f"({total['percent']:g}%), {total['failed']} failed, {total['not_reached']} not reached, "
        f"{total['reboot_pending']} waiting for the daily restart"
    ]
    for row in result["regions"]:
        lines.append(
            f"  region {row['region']}: {row['adopted']}/{row['workstations']} ({row['percent']:g}%)"
            + (f", {row['failed']} failed" if row["failed"] else "")
        )
    for failure in result["failures"]:
        why = (
            failure["reason"] or failure["msg"].splitlines()[0] if failure["msg"] or failure["reason"] else ""
        )
        lines.append(f"  FAILED {failure['host']} ({failure['site']}): {failure['status']}: {why}")
    return lines


def write_result(result: dict[str, Any], directory: Path | str) -> Path:
    """Write the rollout result to `directory`/client-rollout-<version>-<time>.json and beside it
    `client-rollout-latest.json` (what the daily check and the audit read); the first path."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = re.sub(r"[^0-9T]", "", result["generated"])[:15]
    path = folder / f"client-rollout-{result['version']}-{stamp}.json"
    text = json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    for target in (path, folder / "client-rollout-latest.json"):
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    return path
