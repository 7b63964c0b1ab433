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

import sys
from pathlib import Path

from invoke import task

from tasklib.playbooks import parse_inventory_json, run_playbook

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
    names = _hosts(data, "workstations")
    return {
        name: {
            "site": str(hostvars.get(name, {}).get("site_host", "")),
            "department": str(hostvars.get(name, {}).get("department_slug", "")),
            "region": str(hostvars.get(name, {}).get("base_server_region", "")),
        }
        for name in names
    }


def _hosts(data: dict, group: str, seen: set[str] | None = None) -> list[str]:
    seen = seen if seen is not None else set()
    if group in seen or group not in data:
        return []
    seen.add(group)
    names = list(data[group].get("hosts", []))
    for child in data[group].get("children", []):
        names += _hosts(data, child, seen)
    return sorted(set(names))


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
