"""`./run demo`: the whole job on the built-in lab, from the site data to the report.

1. validate the site data and print the per-site address plan (the inventory plugin);
2. start a fresh lab: one emulated Windows host per DHCP server, base server and workstation
   (winlab), one simulated Cisco IOS switch per switch with VLANs (switchlab);
3. run each job's playbook against the lab twice (the DHCP scopes, the relay, the base servers,
   the workstations' daily restart task): the first run configures, the second must change nothing;
4. roll the customs client out (playbooks/client_rollout.yml): build the test MSI packages, put
   4.2.0 on the department's workstations, then stage 4.3.0 on the base servers and upgrade them in
   waves, one workstation of each wave failing with 1603 on purpose and one answering 1618 first;
   a second run resumes (only the failed ones change); adoption per region is printed;
5. the Ecus6 contingency (tasklib/ecus6.py): the shortcut on the department's workstations, the
   switch-over to Ecus6 and the return, each run twice;
6. print a report: per job, the hosts, what changed on each run, and failures;
7. run the daily check (playbooks/daily_check.yml, Decision 833 Appendix III), which changes
   nothing: its summary per department, and the path of its HTML report.

The lab has a few workstations per site (`./run lab`, tasklib/sites.py lab_workstations), some 450
in all. To keep the demo to a few minutes on two cores, the daily reboot, the client rollout and
the daily check take the workstations of one department only (DEMO_WORKSTATIONS, the one whose
workstations the admin's overrides list); every DHCP server, base server and switch is still
checked. The whole
fleet: `./run lab`, then `ansible-playbook -i build/lab/inventory playbooks/daily_check.yml`.

The lab keeps running afterwards so that it can be inspected; `./run lab --down` stops it.
"""

from __future__ import annotations

import shutil
import sys
import time

from invoke import task

from tasklib.ecus6 import run_ecus6_demo
from tasklib.lab import LAB_DIR, LAB_OVERRIDES, SITES_CONFIG, lab
from tasklib.msi import BUILD_DIR as MSI_DIR
from tasklib.playbooks import Recap, converge_twice, run_playbook
from tasklib.report import run_daily_check
from tasklib.rollout import REPORT_DIR, run_rollout_demo
from tasklib.sites import (
    build_inventory,
    load_or_exit,
    load_site_data,
    plugin_paths,
    print_address_plan,
    summary_line,
)

LAB_INVENTORY = LAB_DIR / "inventory"
# The department whose workstations the demo's daily reboot and daily check take (see above).
DEMO_WORKSTATIONS = "cuc_bac_ninh"
# The hosts each job's runs are limited to ("": the playbook's own hosts).
LIMITS = {"playbooks/daily_reboot.yml": DEMO_WORKSTATIONS}
# The client versions of the rollout: the fleet's, then the upgrade (tasklib/msi.py builds both).
ROLLOUT_VERSIONS = ("4.2.0", "4.3.0")
DAILY_CHECK_LIMIT = f"dhcp_servers:base_servers:switches:{DEMO_WORKSTATIONS}"
# (title, playbook), in the order an admin sets a site up
JOBS = [
    ("DHCP servers", "playbooks/dhcp.yml"),
    ("DHCP relay", "playbooks/relay.yml"),
    ("Base servers", "playbooks/base_servers.yml"),
    ("Daily reboot", "playbooks/daily_reboot.yml"),
]


def step(number: int, total: int, text: str) -> None:
    print(f"\n==> [{number}/{total}] {text}", flush=True)


@task
def demo(c):
    """The main job on the built-in lab: inventory, lab, every job run twice, then the report."""
    started = time.monotonic()
    total = 6 + len(JOBS)
    data = load_or_exit()
    step(1, total, f"Site inventory: {summary_line(data)}")
    if data.new_allocations:
        print(f"    {len(data.new_allocations)} site(s) get a subnet now; `./run inventory` records them")
    print_address_plan(c)
    step(2, total, "Starting a fresh lab (winlab for the Windows hosts, switchlab for the switches)")
    # Every demo starts from hosts that have never been configured, so the first run shows it all.
    lab(c, down=True)
    shutil.rmtree(LAB_DIR / "state", ignore_errors=True)
    lab(c)
    stations = lab_workstations_in("workstations")
    print(
        f"    the lab has {len(stations)} workstation(s); the daily reboot and the daily check take "
        f"the {len(lab_workstations_in(DEMO_WORKSTATIONS))} of {DEMO_WORKSTATIONS}"
    )
    results: list[tuple[str, Recap, Recap]] = []
    for number, (title, playbook) in enumerate(JOBS, 3):
        step(number, total, title)
        limit = f" -l {LIMITS[playbook]}" if playbook in LIMITS else ""
        # What an admin runs first: the preview. The first real run below still finds every
        # change to make, which shows the preview made none.
        preview_run = run_playbook(c, playbook, [LAB_INVENTORY], f" --check --diff{limit}")
        preview = Recap.parse(preview_run.stdout)
        print(f"    preview (--check --diff): {preview.summary()}", flush=True)
        if not preview_run.ok or preview.hosts_with("failed") or preview.hosts_with("unreachable"):
            print(preview_run.stdout[-5000:], preview_run.stderr[-2000:], sep="\n", file=sys.stderr)
            sys.exit(f"{title}: the preview failed")
        first, second = converge_twice(c, title, playbook, [LAB_INVENTORY], limit)
        results.append((title, first, second))
    step(
        total - 3,
        total,
        f"Client rollout: stage {ROLLOUT_VERSIONS[1]} on the base servers, then the workstations of "
        f"{DEMO_WORKSTATIONS} in waves (playbooks/client_rollout.yml)",
    )
    upgrade, resume, rollout = run_rollout_demo(
        c, LAB_INVENTORY, LAB_DIR, DEMO_WORKSTATIONS, ROLLOUT_VERSIONS
    )
    results.append(("Client rollout", upgrade, resume))
    step(
        total - 2,
        total,
        f"Ecus6 contingency on the workstations of {DEMO_WORKSTATIONS}: the shortcut, the switch to "
        "Ecus6 and back (playbooks/ecus6.yml, playbooks/contingency.yml)",
    )
    results += run_ecus6_demo(c, LAB_INVENTORY, DEMO_WORKSTATIONS)
    step(total - 1, total, "Report")
    print(f"{'job':<16} {'hosts':>6} {'changed, 1st run':>17} {'changed, 2nd run':>17} {'failed':>7}")
    for title, first, second in results:
        print(
            f"{title:<16} {len(second.hosts):>6} {len(first.hosts_with('changed')):>17} "
            f"{len(second.hosts_with('changed')):>17} {len(second.hosts_with('failed')):>7}"
        )
    step(
        total,
        total,
        f"Daily check of every server and switch and the workstations of {DEMO_WORKSTATIONS} "
        "(playbooks/daily_check.yml; changes nothing)",
    )
    # The client checks compare with the release the rollout left (its result names the version).
    daily = run_daily_check(
        c, [LAB_INVENTORY], DAILY_CHECK_LIMIT, f" -e health_check_client_release_dir={MSI_DIR}"
    )
    summary = rollout["summary"]
    print(
        f"    client {rollout['version']}: {summary['adopted']}/{summary['workstations']} workstations "
        f"({summary['percent']:g}%); rollout result: {REPORT_DIR / 'client-rollout-latest.json'}"
    )
    minutes, seconds = divmod(int(time.monotonic() - started), 60)
    print(f"\n==> Done in {minutes} min {seconds} s: {summary_line(data)}")
    print("    The lab is still running for a closer look: `./run lab --down` stops it.")
    print(f"    Daily check report: {daily.parent / 'report.html'}")


def lab_workstations_in(group: str) -> list[str]:
    """The lab inventory's workstations (from the lab's copy of the overrides) that `group` also holds."""
    model = build_inventory(load_site_data(plugin_paths(SITES_CONFIG, LAB_OVERRIDES)))
    return [host for host in model.groups["workstations"] if host in set(model.groups.get(group, []))]
