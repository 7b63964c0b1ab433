"""Invoke tasks for the daily restart of the workstations: `daily-reboot` (playbooks/daily_reboot.yml).

./run daily-reboot -l cuc_bac_ninh --check --diff   preview one department (the exact schtasks commands)
./run daily-reboot -l cuc_bac_ninh                  apply it
./run daily-reboot -l cuc_bac_ninh --check-only     the daily check: each task and its host's last start
./run daily-reboot-demo     start the lab, set the task on every workstation, run again: changed=0
"""

from __future__ import annotations

from pathlib import Path

from invoke import task

from tasklib.playbooks import Recap, apply_playbook, converge_twice

ROOT = Path(__file__).resolve().parent.parent
PLAYBOOK = ROOT / "playbooks" / "daily_reboot.yml"
TITLE = "Daily reboot"


def run_daily_reboot_demo(c, lab_inventory_path: str | Path) -> Recap:
    """Run playbooks/daily_reboot.yml twice against the lab inventory; the second run must change nothing."""
    _, again = converge_twice(c, TITLE, PLAYBOOK.relative_to(ROOT), [lab_inventory_path])
    print(again.text, flush=True)
    print(f"==> {TITLE}: {len(again.hosts)} workstation(s) restart daily; the second run changed nothing")
    return again


@task(
    name="daily-reboot",
    help={
        "limit": "Ansible host pattern, e.g. a department group such as cuc_bac_ninh.",
        "check": "Change nothing; report what would change.",
        "diff": "Show the task before and after and the exact schtasks commands.",
        "check_only": "Only read each task and its host's last start (the daily check).",
        "inventory": "Inventory to use instead of the site inventory (e.g. the lab's).",
    },
)
def daily_reboot(c, limit="", check=False, diff=False, check_only=False, inventory=""):
    """Keep the daily restart task on the workstations (playbooks/daily_reboot.yml)."""
    extra_vars = "daily_reboot_check_only=true" if check_only else ""
    apply_playbook(c, PLAYBOOK, limit, check, diff, inventory, extra_vars)


@task(name="daily-reboot-demo")
def daily_reboot_demo(c):
    """Start the lab, set the daily restart task on every workstation, then run again: changed=0."""
    from tasklib.lab import LAB_DIR, lab

    lab(c)
    run_daily_reboot_demo(c, LAB_DIR / "inventory")
