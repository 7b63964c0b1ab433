"""Pieces of the toolkit timed in a process of their own, for the growth benchmark (the process's
wall time, CPU and peak memory are measured from outside by `harness.measure`):

    python -m benchmarks.probe lab-start CONFIG.json     start a lab of CONFIG's hosts, then stop it
    python -m benchmarks.probe render REPORT.json N DIR  merge N renamed copies of a daily check
                                                         report and write it (JSON, HTML, CSV, JUnit)

Each prints one JSON line of its own timings.
"""

from __future__ import annotations

import copy
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "collections"))


def lab_start(config_path: Path) -> dict:
    from winlab.lab import Lab, LabConfig

    config = LabConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")), config_path.parent)
    started = time.perf_counter()
    lab = Lab(config).start()
    up = time.perf_counter() - started
    lab.stop()
    return {"hosts": len(config.hosts), "start": up, "stop": time.perf_counter() - started - up}


def copies(report: dict, count: int) -> list[dict]:
    """`count` copies of a report, copy k's hosts, departments and findings renamed with `-k`, as the
    reports of `count` partial runs of a fleet `count` times as large."""
    result = [report]
    for index in range(2, count + 1):
        clone = copy.deepcopy(report)
        for host in clone["hosts"]:
            host["name"] = f"{host['name']}-{index}"
            host["department"] = f"{host['department']}-{index}"
        for finding in clone["findings"]:
            finding["host"] = f"{finding['host']}-{index}"
            finding["key"] = f"{finding['key']}-{index}"
            finding["department"] = f"{finding['department']}-{index}"
        result.append(clone)
    return result


def render(report_path: Path, count: int, folder: Path) -> dict:
    from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import health_report

    role = ROOT / "roles" / "health_check"
    reports = copies(health_report.read_report(report_path), count)
    started = time.perf_counter()
    merged = health_report.merge_reports(reports)
    merge = time.perf_counter() - started
    health_report.write_report(
        merged, folder, role / "templates", role / "files" / "health_report.schema.json"
    )
    return {"hosts": len(merged["hosts"]), "merge": merge, "write": time.perf_counter() - started - merge}


def main(argv: list[str]) -> int:
    if argv[:1] == ["lab-start"] and len(argv) == 2:
        print(json.dumps(lab_start(Path(argv[1]))))
        return 0
    if argv[:1] == ["render"] and len(argv) == 4:
        print(json.dumps(render(Path(argv[1]), int(argv[2]), Path(argv[3]))))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
