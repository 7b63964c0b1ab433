"""Invoke tasks for the branch DHCP servers: `dhcp` (run playbooks/dhcp.yml) and the lab demo.

    ./run dhcp -l cuc_bac_ninh --check     preview one department (with --diff: the netsh commands)
    ./run dhcp -l cuc_bac_ninh             apply it
    ./run dhcp-demo                        start the lab, create every site's scopes, run again: changed=0

`run_dhcp_demo(c, lab_inventory_path)` is what `./run demo` calls for its DHCP step.
"""

from __future__ import annotations

from pathlib import Path

from invoke import task

from tasklib.playbooks import Recap, apply_playbook, converge_twice

ROOT = Path(__file__).resolve().parent.parent
PLAYBOOK = ROOT / "playbooks" / "dhcp.yml"


def run_dhcp_demo(c, lab_inventory_path: str | Path) -> Recap:
    """Run playbooks/dhcp.yml twice against the lab inventory; the second run must change nothing."""
    _, again = converge_twice(c, "DHCP servers", PLAYBOOK.relative_to(ROOT), [lab_inventory_path])
    print(f"==> DHCP: {len(again.hosts)} DHCP server(s) as wanted; the second run changed nothing")
    return again


@task(
    help={
        "limit": "Ansible host pattern, e.g. a department group such as cuc_bac_ninh.",
        "check": "Change nothing; report what would change.",
        "diff": "Show the state before and after and the exact netsh commands.",
        "inventory": "Inventory to use instead of the site inventory (e.g. the lab's).",
    }
)
def dhcp(c, limit="", check=False, diff=False, inventory=""):
    """Create or repair the branch DHCP scopes (playbooks/dhcp.yml)."""
    apply_playbook(c, PLAYBOOK, limit, check, diff, inventory)


@task(name="dhcp-demo")
def dhcp_demo(c):
    """Start the lab, create every site's DHCP scopes on it, then run again and show changed=0."""
    from tasklib.lab import LAB_DIR, lab

    lab(c)
    run_dhcp_demo(c, LAB_DIR / "inventory")
