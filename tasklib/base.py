"""Invoke tasks for the regional base servers: `base-servers` (playbooks/base_servers.yml) and the demo.

    ./run base-servers -l region_tong_cuc --check --diff   preview one region (the exact commands)
    ./run base-servers -l region_tong_cuc                  apply it
    ./run base-servers-demo     start the lab, set up every base server, run again: changed=0

`run_base_server_demo(c, lab_inventory_path)` runs the base-server step of `./run demo` on its own.
"""

from __future__ import annotations

from pathlib import Path

from invoke import task

from tasklib.playbooks import Recap, apply_playbook, converge_twice

ROOT = Path(__file__).resolve().parent.parent
PLAYBOOK = ROOT / "playbooks" / "base_servers.yml"


def run_base_server_demo(c, lab_inventory_path: str | Path) -> Recap:
    """Run playbooks/base_servers.yml twice against the lab inventory; the second run must change nothing.

    Prints each run's summary and the second run's PLAY RECAP; exits 1 when a run fails or the
    second run reports a change.
    """
    _, again = converge_twice(c, "Base servers", PLAYBOOK.relative_to(ROOT), [lab_inventory_path])
    print(again.text, flush=True)
    print(f"==> Base servers: {len(again.hosts)} base server(s) as wanted; the second run changed nothing")
    return again


@task(
    name="base-servers",
    help={
        "limit": "Ansible host pattern, e.g. a region group such as region_tong_cuc.",
        "check": "Change nothing; report what would change.",
        "diff": "Show the state before and after and the exact commands.",
        "inventory": "Inventory to use instead of the site inventory (e.g. the lab's).",
    },
)
def base_servers(c, limit="", check=False, diff=False, inventory=""):
    """Set up or repair the regional base servers (playbooks/base_servers.yml)."""
    apply_playbook(c, PLAYBOOK, limit, check, diff, inventory)


@task(name="base-servers-demo")
def base_servers_demo(c):
    """Start the lab, set up every base server on it, then run again and show changed=0."""
    from tasklib.lab import LAB_DIR, lab

    lab(c)
    run_base_server_demo(c, LAB_DIR / "inventory")
