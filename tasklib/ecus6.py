"""The demo's Ecus6 contingency step (letter 497/CHQ-CNTT) on one department's workstations.

1. the shortcut (playbooks/ecus6.yml): previewed, placed, then a second run that changes nothing;
2. the switch-over (playbooks/contingency.yml -e mode=ecus6) and the return (-e mode=vnaccs), each
   run twice: every workstation changes once, then none.

The reachability check (`ecus6.reachable`, from the first workstation of each branch to the lab's
emulated portal) is part of the daily check that ends the demo.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tasklib.playbooks import Recap, converge_twice, run_playbook

SHORTCUT = "playbooks/ecus6.yml"
RUNBOOK = "playbooks/contingency.yml"


def workstations_only(recap: Recap) -> Recap:
    """The run's recap without the controller (the runbook's record of the switch is written there)."""
    return Recap({name: counts for name, counts in recap.hosts.items() if name != "localhost"}, recap.text)


def run_ecus6_demo(c, inventory: Path, department: str) -> list[tuple[str, Recap, Recap]]:
    """The step's rows for the demo's closing table: (title, first run, second run)."""
    limit = f" -l {department}"
    preview_run = run_playbook(c, SHORTCUT, [inventory], f" --check --diff{limit}")
    preview = Recap.parse(preview_run.stdout)
    print(f"    preview (--check --diff): {preview.summary()}", flush=True)
    if not preview_run.ok or preview.hosts_with("failed") or preview.hosts_with("unreachable"):
        print(preview_run.stdout[-5000:], preview_run.stderr[-2000:], sep="\n", file=sys.stderr)
        sys.exit("Ecus6 shortcut: the preview failed")
    rows = [("Ecus6 shortcut", *converge_twice(c, "Ecus6 shortcut", SHORTCUT, [inventory], limit))]
    for title, mode in (("Switch to Ecus6", "ecus6"), ("Back to VNACCS", "vnaccs")):
        first, second = converge_twice(
            c, title, RUNBOOK, [inventory], f" -l {department}:localhost -e mode={mode}"
        )
        rows.append((title, workstations_only(first), workstations_only(second)))
    return rows
