"""Invoke tasks for the regional base servers: `base-servers` (playbooks/base_servers.yml) and the demo.

    ./run base-servers -l region_tong_cuc --check --diff   preview one region (the exact commands)
    ./run base-servers -l region_tong_cuc                  apply it
    ./run base-servers-demo     start the lab, set up every base server, run again: changed=0

`run_base_server_demo(c, lab_inventory_path)` is what `./run demo` calls for its base-server step.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from invoke import task

from tasklib.dhcp import Recap

ROOT = Path(__file__).resolve().parent.parent
PLAYBOOK = ROOT / "playbooks" / "base_servers.yml"


def _env() -> dict[str, str]:
    venv_bin = str(ROOT / ".venv" / "bin")
    return {
        "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def run_playbook(c, inventory: str | Path | None, extra: str = "", hide: bool = True):
    source = f" -i {inventory}" if inventory else ""
    with c.cd(str(ROOT)):
        return c.run(f"ansible-playbook{source} {PLAYBOOK}{extra}", env=_env(), hide=hide, warn=True)


def run_base_server_demo(c, lab_inventory_path: str | Path) -> Recap:
    """Run playbooks/base_servers.yml twice against the lab inventory; the second run must change nothing.

    Prints each run's summary and the second run's PLAY RECAP; exits 1 when a run fails or the
    second run reports a change.
    """
    print(
        f"==> Base servers: folders, shares, FTP and firewall on the lab ({lab_inventory_path})", flush=True
    )
    first = run_playbook(c, lab_inventory_path)
    recap = Recap.parse(first.stdout)
    print(f"    first run: {recap.summary()}", flush=True)
    if not first.ok or not recap.hosts or recap.hosts_with("failed") or recap.hosts_with("unreachable"):
        print(first.stdout[-5000:], file=sys.stderr)
        sys.exit("Base server demo: the first run failed")
    print("==> Base servers: running again; every host must report changed=0", flush=True)
    second = run_playbook(c, lab_inventory_path)
    again = Recap.parse(second.stdout)
    print(again.text, flush=True)
    print(f"    second run: {again.summary()}", flush=True)
    if (
        not second.ok
        or again.total("changed")
        or again.hosts_with("failed")
        or again.hosts_with("unreachable")
    ):
        changed = ", ".join(again.hosts_with("changed"))
        sys.exit(f"Base server demo: the second run was not idempotent: changed on {changed}")
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
    extra = (f" -l {limit}" if limit else "") + (" --check" if check else "") + (" --diff" if diff else "")
    result = run_playbook(c, inventory or None, extra, hide=False)
    if not result.ok:
        sys.exit(result.exited)


@task(name="base-servers-demo")
def base_servers_demo(c):
    """Start the lab, set up every base server on it, then run again and show changed=0."""
    from tasklib.lab import LAB_DIR, lab

    lab(c)
    run_base_server_demo(c, LAB_DIR / "inventory")
