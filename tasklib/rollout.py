"""Invoke tasks for the customs client rollout: `rollout` (playbooks/client_rollout.yml) and `rollout-report`.

./run rollout --version 4.3.0 --check --diff      preview: what each base server and workstation would get
./run rollout --version 4.3.0                     stage, canaries, batches; the result at the end
./run rollout --version 4.2.0 --rollback          reinstall the kept previous version
./run rollout --version 4.3.0 -l cuc_bac_ninh     one department (its base server is staged too)
./run rollout-report --version 4.3.0              write the rollout result again from the records

The result (JSON: the version of each workstation, adoption per site, department and region, the
failures with their codes) is written after every batch, and once more by `./run rollout` when
the playbook ends, also when a batch failed past the threshold and Ansible stopped the rollout.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from invoke import task

from tasklib.playbooks import parse_inventory_json, run_playbook
from winlab.inventory import group_hosts

ROOT = Path(__file__).resolve().parent.parent
PLAYBOOK = ROOT / "playbooks" / "client_rollout.yml"
SITES_INVENTORY = ROOT / "inventory" / "vnaccs.sites.yml"
REPORT_DIR = ROOT / "build" / "reports" / "rollout"
TITLE = "Client rollout"


def _collection_path() -> None:
    collections = str(ROOT / "collections")
    if collections not in sys.path:
        sys.path.insert(0, collections)


def workstations_of(c, inventory: str | Path, limit: str = "") -> dict[str, dict[str, str]]:
    """host -> {site, department, region} of the inventory's workstations (within `limit`)."""
    pattern = f"{limit}:&workstations" if limit else "workstations"
    listed = c.run(f"ansible-inventory -i {inventory} --list --limit '{pattern}'", hide=True, warn=True)
    if not listed.ok:
        sys.exit(f"ansible-inventory failed:\n{listed.stderr}")
    data = parse_inventory_json(listed.stdout)
    hostvars = data.get("_meta", {}).get("hostvars", {})
    names = sorted(set(group_hosts(data, "workstations")))
    return {
        name: {
            "site": str(hostvars.get(name, {}).get("site_host", "")),
            "department": str(hostvars.get(name, {}).get("department_slug", "")),
            "region": str(hostvars.get(name, {}).get("base_server_region", "")),
        }
        for name in names
    }


def write_rollout_report(
    c, version: str, inventory: str | Path, limit: str = "", directory: Path = REPORT_DIR, state_dir: str = ""
) -> dict:
    """The rollout result from the workstations' records, written to `directory`; printed."""
    _collection_path()
    from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import change_window
    from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_rollout import (
        RolloutState,
        rollout_result,
        summary_lines,
        write_result,
    )

    where = workstations_of(c, inventory, limit)
    records = RolloutState(state_dir or None).records(list(where))
    result = rollout_result(version, records, where, change_window.now().isoformat(timespec="seconds"))
    path = write_result(result, directory)
    for line in summary_lines(result):
        print(line)
    print(f"==> rollout result: {path}")
    return result


def rollout_extra(version: str, rollback: bool = False, force: bool = False, extra: str = "") -> str:
    options = f" -e client_software_version={version}"
    options += " -e client_software_rollback=true" if rollback else ""
    options += " -e client_software_force_window=true" if force else ""
    return options + (f" {extra}" if extra else "")


@task(
    help={
        "version": "The client version to roll out (a folder of the release folder, e.g. 4.3.0).",
        "limit": "Ansible host pattern, e.g. a department group such as cuc_bac_ninh.",
        "check": "Change nothing; report what would change.",
        "diff": "Show each host's before and after and the exact commands.",
        "rollback": "Remove a newer installed version and install this one.",
        "force": "Install inside the peak hours or the Sunday maintenance window.",
        "inventory": "Inventory to use instead of the site inventory (e.g. the lab's).",
    },
)
def rollout(c, version, limit="", check=False, diff=False, rollback=False, force=False, inventory=""):
    """Stage a client release on the base servers and install it on the workstations, in waves."""
    inventory = inventory or str(SITES_INVENTORY)
    hosts = f" -e client_rollout_hosts='{limit}'" if limit else ""
    extra = rollout_extra(version, rollback, force) + hosts
    extra += (" --check" if check else "") + (" --diff" if diff else "")
    result = run_playbook(c, PLAYBOOK, [inventory], extra, hide=False)
    if not check:
        write_rollout_report(c, version, inventory, limit)
    if not result.ok:
        sys.exit(result.exited)


@task(
    name="rollout-report",
    help={
        "version": "The client version whose adoption is counted.",
        "limit": "Ansible host pattern of the workstations to count.",
        "inventory": "Inventory to use instead of the site inventory.",
    },
)
def rollout_report(c, version, limit="", inventory=""):
    """Write the rollout result again from the workstations' records."""
    write_rollout_report(c, version, inventory or str(SITES_INVENTORY), limit)


# -- on the lab ------------------------------------------------------------------------------------
def lab_fault(control_url: str, host: str, **faults) -> None:
    """Set winlab faults on one emulated host through the lab's control interface."""
    import urllib.request

    request = urllib.request.Request(
        f"{control_url}/hosts/{host}/faults", data=json.dumps(faults).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def run_rollout_demo(c, lab_inventory: Path, lab_dir: Path, hosts: str, versions: tuple[str, str]) -> tuple:
    """Stage `versions[1]` and roll it out to the lab workstations of `hosts` in waves: the first
    version is installed on all of them first (the fleet as it stands), then the upgrade runs with
    one workstation of every wave failing with 1603 and one answering 1618 first; a second run
    resumes (only the failed ones change). Returns the (upgrade, resume) recaps and the result."""
    from tasklib.msi import BUILD_DIR, build_client_packages
    from tasklib.playbooks import Recap

    build_client_packages(BUILD_DIR, versions)
    runtime = json.loads((lab_dir / "runtime.json").read_text(encoding="utf-8"))
    where = workstations_of(c, lab_inventory, hosts)
    names = sorted(where)
    common = (
        f" -e client_software_release_dir={BUILD_DIR} -e client_rollout_hosts={hosts}"
        " -e client_software_force_window=true"
        """ -e '{"client_software_busy_pauses": [1, 2], "client_rollout_batches": ["34%", "50%", "100%"]}'"""
        " -e client_rollout_max_fail_percentage=34"
    )
    old, new = versions
    print(
        f"==> {TITLE}: the fleet as it stands: {old} on the {len(names)} workstation(s) of {hosts}",
        flush=True,
    )
    base = run_playbook(c, PLAYBOOK, [lab_inventory], rollout_extra(old) + common)
    if not base.ok:
        print(base.stdout[-5000:], file=sys.stderr)
        sys.exit(f"{TITLE}: installing {old} failed")
    # Head office stages the release on every base server first (no install: client_rollout_install).
    staged = run_playbook(
        c,
        PLAYBOOK,
        [lab_inventory],
        rollout_extra(new)
        + common.replace(f" -e client_rollout_hosts={hosts}", " -e client_rollout_hosts=workstations")
        + " -e client_rollout_install=false",
    )
    print(f"    staged {new} on every base server: {Recap.parse(staged.stdout).summary()}", flush=True)
    if not staged.ok:
        print(staged.stdout[-5000:], file=sys.stderr)
        sys.exit(f"{TITLE}: staging {new} failed")
    # The canaries (the first workstation of each region) stay clean. The other workstations go in
    # batches of 34%, 50% and the rest, by name (the play's `order: sorted`), as Ansible cuts
    # `serial` percentages (int(share * hosts), at least 1): one failure in each wave of three or more.
    firsts = {}
    for name in names:
        firsts.setdefault(where[name]["region"], name)
    others = [name for name in names if name not in firsts.values()]
    first, second = max(1, int(0.34 * len(others))), max(1, int(0.5 * len(others)))
    waves = [others[:first], others[first : first + second], others[first + second :]]
    failing = [wave[len(wave) // 2] for wave in waves if len(wave) >= 3]
    busy = waves[0][0] if waves[0] else ""
    for name in failing:
        lab_fault(runtime["control_url"], name, msi_fail=1)
    if busy:
        lab_fault(runtime["control_url"], busy, msi_busy=1)
    print(
        f"==> {TITLE}: upgrade to {new} in waves; 1603 on purpose on {', '.join(failing) or 'none'}, "
        f"1618 first on {busy or 'none'}",
        flush=True,
    )
    upgrade_run = run_playbook(c, PLAYBOOK, [lab_inventory], rollout_extra(new) + common)
    upgrade = Recap.parse(upgrade_run.stdout)
    # Each batch's progress line (the report task's summary), however the callback wraps it.
    pattern = re.compile(
        rf"client {re.escape(new)}: (\d+/\d+ workstations \([\d.]+%\), \d+ failed, \d+ not reached)"
    )
    for number, found in enumerate(pattern.findall(upgrade_run.stdout), 1):
        print(f"    after batch {number}: {found}")
    print(f"    upgrade: {upgrade.summary()}", flush=True)
    if sorted(upgrade.hosts_with("failed")) != sorted(failing):
        print(upgrade_run.stdout[-6000:], file=sys.stderr)
        sys.exit(f"{TITLE}: expected exactly {failing} to fail")
    print(f"==> {TITLE}: running again; only the failed workstations change", flush=True)
    resume_run = run_playbook(c, PLAYBOOK, [lab_inventory], rollout_extra(new) + common)
    resume = Recap.parse(resume_run.stdout)
    print(f"    again: {resume.summary()}", flush=True)
    if (
        not resume_run.ok
        or resume.hosts_with("failed")
        or sorted(resume.hosts_with("changed")) != sorted(failing)
    ):
        print(resume_run.stdout[-6000:], file=sys.stderr)
        sys.exit(f"{TITLE}: the re-run did not resume")
    result = write_rollout_report(c, new, lab_inventory, hosts)
    return upgrade, resume, result
