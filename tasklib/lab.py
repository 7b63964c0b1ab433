"""`invoke lab`: start winlab for every Windows host of the site inventory and write a lab inventory.

    ./run lab           start (or reuse) the lab in the background; the last line printed is the
                        lab inventory's path
    ./run lab --workstations N
                        N lab workstations (default 3) for every site whose overrides list none
    ./run lab --down    stop it

The lab is winlab (one emulated host per Windows host) and the switch lab (one simulated Cisco IOS
switch per switch host with VLANs, see tasklib/switches.py). The lab inventory
(build/lab/inventory/) is the site inventory built by the same plugin from the same data files,
except that it reads the lab's copy of the overrides, build/lab/site_overrides.yml: the admin's,
plus the lab's workstations (tasklib/sites.py lab_workstations; the admin's files and
inventory/data/ are only read), and with `host_vars_overlay.yml` merged over it: each Windows
host gets the loopback address and port of its emulated host, the lab account, and
`winlab_profile`; `switches.yml` in it (the switch lab's overlay) gives each switch its
simulator's ports and lab credentials.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from pathlib import Path

from invoke import task

from tasklib.playbooks import parse_inventory_json
from tasklib.sites import LAB_WORKSTATIONS_PER_SITE, SiteDataError, model_listing, write_lab_overrides
from tasklib.switches import OVERLAY_FILE as SWITCH_OVERLAY
from tasklib.switches import switches
from winlab.daemon import running_pid, start_daemon, stop_daemon
from winlab.inventory import LAB_USER, LabHost, lab_config, sample_hosts, windows_hosts, write_inventory

REGION_VARIABLE = "base_server_region"

ROOT = Path(__file__).resolve().parent.parent
LAB_DIR = ROOT / "build" / "lab"
SITES_CONFIG = ROOT / "inventory" / "vnaccs.sites.yml"
# The lab's copy of the site overrides: the admin's, plus the lab's workstations.
LAB_OVERRIDES = LAB_DIR / "site_overrides.yml"
# Seconds a service started on an emulated host stays START_PENDING before it runs, as on Windows,
# where `sc start` returns before the service is up (winlab/README.md): the lab makes the roles wait.
SERVICE_START_DELAY = 1.5


def inventory_hosts(c, workstations: int = LAB_WORKSTATIONS_PER_SITE) -> tuple[list[LabHost], Path | None]:
    """Windows hosts of the lab and the lab's copy of the overrides; the sample hosts (and None)
    while the site inventory's plugin is not available.

    The lab's hosts are the site inventory's, plus `workstations` lab workstations for every site
    whose overrides list none, written to LAB_OVERRIDES (tasklib/sites.py write_lab_overrides) from
    the real inventory's `ansible-inventory --list`; the admin's files are only read.
    """
    if SITES_CONFIG.exists():
        result = c.run(f"ansible-inventory -i {SITES_CONFIG} --list", hide=True, warn=True)
        if result.ok:
            try:
                data = write_lab_overrides(
                    parse_inventory_json(result.stdout), SITES_CONFIG, LAB_OVERRIDES, workstations
                )
            except SiteDataError as exc:
                sys.exit(f"==> the lab's copy of the overrides, {LAB_OVERRIDES}, does not validate:\n{exc}")
            return windows_hosts(model_listing(data)), LAB_OVERRIDES
        print(f"==> ansible-inventory failed; using the sample hosts:\n{result.stderr}", file=sys.stderr)
    return sample_hosts(), None


def region_sample(listed: dict, group: str, regions: int, per_region: int) -> list[LabHost]:
    """A small lab's hosts: the first `per_region` hosts (by name) of `group` in each of the first
    `regions` regions (by name) that have that many, from `ansible-inventory --list` output."""
    by_region: dict[str, list[str]] = {}
    hostvars = listed["_meta"]["hostvars"]
    for host in windows_hosts(listed):
        if host.group == group:
            by_region.setdefault(str(hostvars[host.name][REGION_VARIABLE]), []).append(host.name)
    chosen = [
        sorted(names)[:per_region] for _, names in sorted(by_region.items()) if len(names) >= per_region
    ]
    if len(chosen) < regions:
        raise ValueError(f"only {len(chosen)} region(s) have {per_region} host(s) of {group}")
    wanted = {name for names in chosen[:regions] for name in names}
    return [host for host in windows_hosts(listed) if host.name in wanted]


@task(
    help={
        "down": "Stop the lab.",
        "workstations": "Lab workstations per site whose overrides list none "
        f"(default {LAB_WORKSTATIONS_PER_SITE}).",
    }
)
def lab(c, down=False, workstations=LAB_WORKSTATIONS_PER_SITE):
    """Start winlab and the switch lab for the inventory and write the lab inventory; --down stops them."""
    LAB_DIR.mkdir(parents=True, exist_ok=True)
    if down:
        print("==> winlab stopped" if stop_daemon(LAB_DIR) else "==> winlab was not running")
        switches(c, down=True)
        return
    config_path = LAB_DIR / "winlab.json"
    previous = json.loads(config_path.read_text(encoding="utf-8")) if config_path.exists() else {}
    # Keep the lab password across restarts so inventories written earlier stay valid.
    password = previous.get("accounts", {}).get(LAB_USER) or "Lab-" + secrets.token_urlsafe(12)
    started = time.monotonic()
    hosts, overrides = inventory_hosts(c, int(workstations))
    config = lab_config(hosts, LAB_DIR, password, service_start_delay=SERVICE_START_DELAY)
    if running_pid(LAB_DIR / "winlab.pid") is not None:
        if previous == config and (LAB_DIR / "runtime.json").exists():
            runtime = json.loads((LAB_DIR / "runtime.json").read_text(encoding="utf-8"))
            print("==> winlab already running", flush=True)
        else:
            stop_daemon(LAB_DIR)
            runtime = None
    else:
        runtime = None
    if runtime is None:
        config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
        config_path.chmod(0o600)
        runtime = start_daemon(config_path, LAB_DIR)
        print(
            f"==> winlab: {len(runtime['hosts'])} emulated Windows host(s), control {runtime['control_url']}"
            f" (started in {time.monotonic() - started:.1f} s)"
        )
    for host in hosts:
        runtime["hosts"][host.name].update(group=host.group, routers=list(host.routers))
    stations = sum(host.group == "workstations" for host in hosts)
    print(f"==> the lab has {stations} workstation(s)" + (f" (site data: {overrides})" if overrides else ""))
    inventory = write_inventory(
        LAB_DIR / "inventory", runtime, password, SITES_CONFIG if SITES_CONFIG.exists() else None, overrides
    )
    switches(c)
    # Read after the site inventory (file names sort so), the overlay's connection settings win.
    switch_overlay = inventory / "switches.yml"
    switch_overlay.unlink(missing_ok=True)
    if SWITCH_OVERLAY.exists():
        switch_overlay.symlink_to(SWITCH_OVERLAY)
    print(inventory)
