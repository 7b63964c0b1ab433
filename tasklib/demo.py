"""`./run demo`: the whole job on the built-in lab, from the site data to the report.

1. validate the site data and print the per-site address plan (the inventory plugin);
2. start a fresh lab: one emulated Windows host per DHCP server, base server and workstation
   (winlab), one simulated Cisco IOS switch per switch with VLANs (switchlab);
3. run each job's playbook against the lab twice: the first run configures, the second must
   change nothing;
4. print a report: per job, the hosts, what changed on each run, and failures.

The lab keeps running afterwards so that it can be inspected; `./run lab --down` and
`./run switches --down` stop it.
"""

from __future__ import annotations

import shutil
import time

from invoke import task

from tasklib.lab import LAB_DIR, lab
from tasklib.playbooks import Recap, converge_twice, run_playbook
from tasklib.sites import load_or_exit, print_address_plan, summary_line
from tasklib.switches import OVERLAY_FILE, switches

LAB_INVENTORY = LAB_DIR / "inventory"
# (title, playbook, whether it needs the switch lab's connection settings)
JOBS = [
    ("DHCP servers", "playbooks/dhcp.yml", False),
    ("DHCP relay", "playbooks/relay.yml", True),
    ("Base servers", "playbooks/base_servers.yml", False),
]


def step(number: int, total: int, text: str) -> None:
    print(f"\n==> [{number}/{total}] {text}", flush=True)


@task
def demo(c):
    """The main job on the built-in lab: inventory, lab, every job run twice, then the report."""
    started = time.monotonic()
    total = 3 + len(JOBS)
    data = load_or_exit()
    step(1, total, f"Site inventory: {summary_line(data)}")
    if data.new_allocations:
        print(f"    {len(data.new_allocations)} site(s) get a subnet now; `./run inventory` records them")
    print_address_plan(c)
    step(2, total, "Starting a fresh lab (winlab for the Windows hosts, switchlab for the switches)")
    # Every demo starts from hosts that have never been configured, so the first run shows it all.
    lab(c, down=True)
    switches(c, down=True)
    shutil.rmtree(LAB_DIR / "state", ignore_errors=True)
    lab(c)
    switches(c)
    results: list[tuple[str, Recap, Recap]] = []
    for number, (title, playbook, needs_switches) in enumerate(JOBS, 3):
        step(number, total, title)
        inventories = [LAB_INVENTORY, OVERLAY_FILE] if needs_switches else [LAB_INVENTORY]
        if needs_switches:
            # What an admin runs first: the preview, which must change nothing.
            preview = run_playbook(c, playbook, inventories, " --check --diff")
            print(f"    preview (--check --diff): {Recap.parse(preview.stdout).summary()}", flush=True)
        first, second = converge_twice(c, title, playbook, inventories)
        results.append((title, first, second))
    step(total, total, "Report")
    print(f"{'job':<16} {'hosts':>6} {'changed, 1st run':>17} {'changed, 2nd run':>17} {'failed':>7}")
    for title, first, second in results:
        print(
            f"{title:<16} {len(second.hosts):>6} {len(first.hosts_with('changed')):>17} "
            f"{len(second.hosts_with('changed')):>17} {len(second.hosts_with('failed')):>7}"
        )
    minutes, seconds = divmod(int(time.monotonic() - started), 60)
    print(f"\n==> Done in {minutes} min {seconds} s: {summary_line(data)}")
    print("    The lab is still running: `./run lab --down` and `./run switches --down` stop it.")
