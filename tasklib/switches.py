"""`invoke switches`: the switch lab for an inventory (simulated Cisco IOS switches on loopback).

One simulated switch (switchlab, a test fixture) per host of the `switches` group that has VLANs,
started with the VLAN interfaces (SVIs) the inventory gives it and the stale helpers it lists (so
a demo run has something to remove). Its SSH and Telnet ports, lab-only credentials and the
host's transport are written to `build/lab/switch_overlay.yml`, a YAML inventory to pass after
the real one so that it overrides the connection settings:

    ansible-playbook -i inventory -i build/lab/switch_overlay.yml playbooks/relay.yml

`run_relay(c)` runs exactly that (for `invoke demo`).
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import yaml
from invoke import task

from tasklib.playbooks import parse_inventory_json

ROOT = Path(__file__).resolve().parent.parent
LAB_DIR = ROOT / "build" / "lab"
STATE_FILE = LAB_DIR / "switches.json"
OVERLAY_FILE = LAB_DIR / "switch_overlay.yml"


def switch_hosts(inventory: Path) -> dict[str, dict]:
    """Host vars of every host in group `switches`, read with ansible-inventory."""
    listing = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-inventory"),
            "-i",
            str(inventory),
            "--list",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**_clean_env(), "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")},
    )
    data = parse_inventory_json(listing.stdout)
    hostvars = data.get("_meta", {}).get("hostvars", {})
    names = _group_hosts(data, "switches")
    return {name: hostvars.get(name, {}) for name in sorted(names)}


def _group_hosts(data: dict, group: str) -> set[str]:
    hosts = set(data.get(group, {}).get("hosts", []))
    for child in data.get(group, {}).get("children", []):
        hosts |= _group_hosts(data, child)
    return hosts


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}


def lab_specs(hosts: dict[str, dict]):
    """SwitchSpecs for the hosts that have VLANs (lab credentials are made up per run)."""
    from switchlab.server import SviSpec, SwitchSpec

    specs = []
    for name, hostvars in hosts.items():
        vlans = hostvars.get("site_vlans") or []
        if not vlans:
            continue
        stale = list(hostvars.get("site_stale_helpers") or [])
        svis = [
            SviSpec(id=int(v["id"]), address=f"{v['gateway']}/{v['subnet'].split('/')[1]}", helpers=stale)
            for v in vlans
        ]
        specs.append(
            SwitchSpec(
                hostname=name,
                ssh_port=0,
                username="netops",
                password=secrets.token_urlsafe(12),
                enable_password=secrets.token_urlsafe(12),
                svis=svis,
            )
        )
    return specs


def overlay(state: dict, hosts: dict[str, dict]) -> dict:
    """The YAML inventory that points each switch host at its simulated switch."""
    overlay_hosts = {}
    for switch in state["switches"]:
        transport = hosts[switch["hostname"]].get("switch_transport", "ssh")
        overlay_hosts[switch["hostname"]] = {
            "ansible_host": "127.0.0.1",
            "ansible_port": switch["telnet_port"] if transport == "telnet" else switch["ssh_port"],
            "ansible_user": switch["username"],
            "ansible_password": switch["password"],
            "ansible_become_password": switch["enable_password"],
            "switch_transport": transport,
        }
    return {"all": {"hosts": overlay_hosts}}


@task(help={"inventory": "inventory to read (default: the repository's)", "down": "stop the switches"})
def switches(c, inventory="inventory", down=False):
    """Start one simulated Cisco IOS switch per switch host with VLANs; write build/lab/switch_overlay.yml."""
    from switchlab import lab

    if down:
        stopped = lab.stop(STATE_FILE)
        OVERLAY_FILE.unlink(missing_ok=True)
        print("==> Switch lab stopped" if stopped else "==> Switch lab was not running", flush=True)
        return
    hosts = switch_hosts(ROOT / inventory)
    specs = lab_specs(hosts)
    skipped = sorted(set(hosts) - {spec.hostname for spec in specs})
    if skipped:
        print(f"==> No VLANs, no simulated switch: {', '.join(skipped)}", flush=True)
    if not specs:
        print("==> No switch host with VLANs in the inventory: nothing to start", flush=True)
        return
    state = lab.start(specs, STATE_FILE)
    LAB_DIR.mkdir(parents=True, exist_ok=True)
    OVERLAY_FILE.write_text(
        "# Written by `invoke switches`: the switch lab's connection settings (lab-only credentials).\n"
        + yaml.safe_dump(overlay(state, hosts), sort_keys=True, allow_unicode=True),
        encoding="utf-8",
    )
    OVERLAY_FILE.chmod(0o600)
    print(f"==> {len(specs)} simulated switch(es) running (log: {state['log']})", flush=True)
    print(OVERLAY_FILE, flush=True)


def run_relay(c, inventory: str = "inventory", check: bool = False) -> None:
    """Run playbooks/relay.yml on the switch lab started by `switches` (with --check --diff if `check`)."""
    if not OVERLAY_FILE.exists():
        sys.exit("No switch lab is running: start it with `./run switches` first.")
    flags = " --check --diff" if check else " --diff"
    with c.cd(str(ROOT)):
        c.run(
            f"ansible-playbook -i {inventory} -i {OVERLAY_FILE.relative_to(ROOT)} playbooks/relay.yml{flags}",
            env={"ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")},
        )
