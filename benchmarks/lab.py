"""The benchmarks' lab: winlab in this process, for the hosts of a site inventory (the real one or a
synthetic one made by tasklib/sites.py), with the lab inventory that points Ansible at it.

It is built as `./run lab` builds its lab (the lab's workstations, the inventory plugin's data,
`winlab.inventory.write_inventory`, the switch lab of tasklib/switches.py when asked for), but in
build/bench/ and with only the hosts asked for, so that a slice of the fleet starts in seconds.
Only the base servers get a stand-in for their FTP port 21 (the only hosts any job reaches on it;
`winlab.inventory.lab_config`'s `ftp_groups`), one socket per host fewer, so that a lab of 16 times
the fleet fits the open-file limit. The lab runs in this process so that its counters are read
directly and its CPU time is this process's own (`harness.measure`'s `lab_cpu`), apart from the
controller's; the switch lab runs in a process of its own (switchlab/lab.py).
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tasklib.lab import SERVICE_START_DELAY
from tasklib.playbooks import ansible_env, parse_inventory_json
from tasklib.sites import LAB_WORKSTATIONS_PER_SITE, model_listing, write_lab_overrides
from tasklib.switches import lab_specs, overlay
from winlab.inventory import LAB_USER, LabHost, group_hosts, lab_config, windows_hosts, write_inventory
from winlab.lab import Lab, LabConfig

ROOT = Path(__file__).resolve().parent.parent
# The hosts whose FTP port 21 the jobs reach: the base servers (the daily check, the rollout's staging
# and the workstations' fetches).
FTP_GROUPS = frozenset({"base_servers"})


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
    # The switch hosts' variables (group `switches`), for the switch lab.
    switches: dict[str, dict] = field(default_factory=dict)

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
    hostvars = listed.get("_meta", {}).get("hostvars", {})
    switches = {name: hostvars.get(name, {}) for name in sorted(group_hosts(listed, "switches"))}
    return LabFleet(
        sites_config, overrides, hosts, {host.name: host.group for host in hosts}, departments, switches
    )


class BenchLab:
    """A fresh lab of `hosts` (state wiped), plain HTTP, in this process; `inventory` is its lab
    inventory directory. With `switches`, the switch lab too: one simulated switch per switch host
    with VLANs, its connection settings in the inventory's `switches.yml`. `with BenchLab(...) as lab:`."""

    def __init__(
        self,
        fleet: LabFleet,
        hosts: list[LabHost],
        directory: Path,
        reply_delay: float = 0.0,
        switches: bool = False,
    ):
        self.fleet = fleet
        self.hosts = hosts
        self.directory = directory
        self.reply_delay = reply_delay
        self.switches = switches
        self.switch_state = directory / "switches.json"
        # The names of the switches started (empty without `switches`, or with no switch with VLANs).
        self.switch_names: list[str] = []
        self.lab: Lab | None = None
        self.inventory = directory / "inventory"

    def __enter__(self) -> Lab:
        shutil.rmtree(self.directory / "state", ignore_errors=True)
        self.directory.mkdir(parents=True, exist_ok=True)
        password = "Lab-" + secrets.token_urlsafe(12)
        config = lab_config(
            self.hosts,
            self.directory,
            password,
            service_start_delay=SERVICE_START_DELAY,
            ftp_groups=FTP_GROUPS,
        )
        config.update(https=False, reply_delay=self.reply_delay)
        self.lab = Lab(LabConfig.from_dict(config, self.directory)).start()
        try:
            runtime = self.lab.describe()
            for host in self.hosts:
                runtime["hosts"][host.name]["group"] = host.group
            write_inventory(self.inventory, runtime, password, self.fleet.sites_config, self.fleet.overrides)
            if self.switches:
                self._start_switches()
        except BaseException:
            # `with` calls no __exit__ when __enter__ fails: stop what was started here.
            self.__exit__(*sys.exc_info())
            raise
        return self.lab

    def _start_switches(self) -> None:
        from switchlab import lab as switch_lab

        specs = lab_specs(self.fleet.switches)
        if not specs:
            return
        state = switch_lab.start(specs, self.switch_state)
        self.switch_names = [spec.hostname for spec in specs]
        # Read after the site inventory (file names sort so): its connection settings win.
        path = self.inventory / "switches.yml"
        path.write_text(yaml.safe_dump(overlay(state, self.fleet.switches), sort_keys=True), encoding="utf-8")
        path.chmod(0o600)

    def __exit__(self, *exc) -> None:
        if self.switch_names:
            from switchlab import lab as switch_lab

            switch_lab.stop(self.switch_state)
            self.switch_names = []
        if self.lab is not None:
            self.lab.stop()
            self.lab = None


__all__ = ["LAB_USER", "BenchLab", "LabFleet", "inventory_listing", "lab_fleet"]
