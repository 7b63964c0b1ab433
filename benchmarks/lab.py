"""The benchmarks' lab: winlab in this process, for the hosts of a site inventory (the real one or a
synthetic one made by tasklib/sites.py), with the lab inventory that points Ansible at it.

It is built as `./run lab` builds its lab (the lab's workstations, the inventory plugin's data,
`winlab.inventory.write_inventory`), but in build/bench/, with no switch lab (the benchmarks leave
the two switches out) and only the hosts asked for, so that a slice of the fleet starts in seconds.
The lab runs in this process so that its counters are read directly and its CPU time is this
process's own (`harness.measure`'s `lab_cpu`), apart from the controller's.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tasklib.lab import SERVICE_START_DELAY
from tasklib.playbooks import ansible_env, parse_inventory_json
from tasklib.sites import LAB_WORKSTATIONS_PER_SITE, model_listing, write_lab_overrides
from winlab.inventory import LAB_USER, LabHost, group_hosts, lab_config, windows_hosts, write_inventory
from winlab.lab import Lab, LabConfig

ROOT = Path(__file__).resolve().parent.parent


def inventory_listing(sites_config: Path) -> dict:
    """`ansible-inventory --list` of a site inventory (its plugin configuration file)."""
    result = subprocess.run(
        ["ansible-inventory", "-i", str(sites_config), "--list"],
        cwd=ROOT,
        env=ansible_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return parse_inventory_json(result.stdout)


@dataclass
class LabFleet:
    """What a benchmark needs of the site inventory: the lab's hosts, each host's role group, and
    the lab's copy of the overrides (with its workstations)."""

    sites_config: Path
    overrides: Path
    hosts: list[LabHost]
    groups: dict[str, str] = field(default_factory=dict)
    departments: dict[str, list[str]] = field(default_factory=dict)

    def select(self, names: Iterable[str]) -> list[LabHost]:
        wanted = set(names)
        return [host for host in self.hosts if host.name in wanted]


def lab_fleet(sites_config: Path, work: Path, workstations: int = LAB_WORKSTATIONS_PER_SITE) -> LabFleet:
    """The lab's hosts for a site inventory: its Windows hosts plus `workstations` lab workstations
    per site that lists none (written to `work`/site_overrides.yml, validated)."""
    listed = inventory_listing(sites_config)
    overrides = work / "site_overrides.yml"
    data = write_lab_overrides(listed, sites_config, overrides, workstations)
    listing = model_listing(data)
    hosts = windows_hosts(listing)
    departments = {
        group: sorted(group_hosts(listing, group))
        for group in listing
        if group.startswith("cuc_") and group != "cuc_"
    }
    return LabFleet(sites_config, overrides, hosts, {host.name: host.group for host in hosts}, departments)


class BenchLab:
    """A fresh lab of `hosts` (state wiped), plain HTTP, in this process; `inventory` is its lab
    inventory directory. `with BenchLab(...) as lab:`."""

    def __init__(self, fleet: LabFleet, hosts: list[LabHost], directory: Path, reply_delay: float = 0.0):
        self.fleet = fleet
        self.hosts = hosts
        self.directory = directory
        self.reply_delay = reply_delay
        self.lab: Lab | None = None
        self.inventory = directory / "inventory"

    def __enter__(self) -> Lab:
        shutil.rmtree(self.directory / "state", ignore_errors=True)
        self.directory.mkdir(parents=True, exist_ok=True)
        password = "Lab-" + secrets.token_urlsafe(12)
        config = lab_config(self.hosts, self.directory, password, service_start_delay=SERVICE_START_DELAY)
        config.update(https=False, reply_delay=self.reply_delay)
        self.lab = Lab(LabConfig.from_dict(config, self.directory)).start()
        runtime = self.lab.describe()
        for host in self.hosts:
            runtime["hosts"][host.name]["group"] = host.group
        write_inventory(self.inventory, runtime, password, self.fleet.sites_config, self.fleet.overrides)
        return self.lab

    def __exit__(self, *exc) -> None:
        if self.lab is not None:
            self.lab.stop()
            self.lab = None


__all__ = ["LAB_USER", "BenchLab", "LabFleet", "inventory_listing", "lab_fleet"]
