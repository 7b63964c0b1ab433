"""Invoke tasks for the branch DHCP servers: `dhcp` (run playbooks/dhcp.yml) and the lab demo.

    ./run dhcp -l cuc_bac_ninh --check     preview one department (with --diff: the netsh commands)
    ./run dhcp -l cuc_bac_ninh             apply it
    ./run dhcp-demo                        start the lab, create every site's scopes, run again: changed=0

`run_dhcp_demo(c, lab_inventory_path)` is what `./run demo` calls for its DHCP step.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent.parent
PLAYBOOK = ROOT / "playbooks" / "dhcp.yml"
RECAP_LINE = re.compile(r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


@dataclass
class Recap:
    """The PLAY RECAP of one ansible-playbook run, host by host."""

    hosts: dict[str, dict[str, int]] = field(default_factory=dict)
    text: str = ""

    @classmethod
    def parse(cls, output: str) -> Recap:
        recap = cls()
        start = output.rfind("PLAY RECAP")
        recap.text = output[start:].strip() if start >= 0 else ""
        for match in RECAP_LINE.finditer(recap.text):
            name, ok, changed, unreachable, failed = match.groups()
            recap.hosts[name] = {
                "ok": int(ok),
                "changed": int(changed),
                "unreachable": int(unreachable),
                "failed": int(failed),
            }
        return recap

    def total(self, key: str) -> int:
        return sum(counts[key] for counts in self.hosts.values())

    def hosts_with(self, key: str) -> list[str]:
        return sorted(name for name, counts in self.hosts.items() if counts[key])

    def summary(self) -> str:
        return (
            f"{len(self.hosts)} host(s): changed on {len(self.hosts_with('changed'))}, "
            f"failed on {len(self.hosts_with('failed'))}, unreachable {len(self.hosts_with('unreachable'))}"
        )


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


def run_dhcp_demo(c, lab_inventory_path: str | Path) -> Recap:
    """Run playbooks/dhcp.yml twice against the lab inventory; the second run must change nothing.

    Prints each run's summary and the second run's PLAY RECAP; exits 1 when a run fails or the
    second run reports a change.
    """
    print(f"==> DHCP: creating the scopes of every site on the lab ({lab_inventory_path})", flush=True)
    first = run_playbook(c, lab_inventory_path)
    recap = Recap.parse(first.stdout)
    print(f"    first run: {recap.summary()}", flush=True)
    if not first.ok or not recap.hosts or recap.hosts_with("failed") or recap.hosts_with("unreachable"):
        print(first.stdout[-5000:], file=sys.stderr)
        sys.exit("DHCP demo: the first run failed")
    print("==> DHCP: running again; every host must report changed=0", flush=True)
    second = run_playbook(c, lab_inventory_path)
    again = Recap.parse(second.stdout)
    print(again.text, flush=True)
    print(f"    second run: {again.summary()}", flush=True)
    if not second.ok or again.total("changed") or again.hosts_with("failed"):
        changed = ", ".join(again.hosts_with("changed"))
        sys.exit(f"DHCP demo: the second run was not idempotent: changed on {changed}")
    print(f"==> DHCP: {len(again.hosts)} DHCP server(s) as wanted; the second run changed nothing")
    return again


@task(
    help={
        "limit": "Ansible host pattern, e.g. a department group such as cuc_bac_ninh.",
        "check": "Change nothing; report what would change.",
        "diff": "Show the state before and after and the exact netsh commands.",
        "inventory": "Inventory to use instead of the site inventory (e.g. the lab's).",
    }
)
def dhcp(c, limit="", check=False, diff=False, inventory=""):
    """Create or repair the branch DHCP scopes (playbooks/dhcp.yml)."""
    extra = (f" -l {limit}" if limit else "") + (" --check" if check else "") + (" --diff" if diff else "")
    result = run_playbook(c, inventory or None, extra, hide=False)
    if not result.ok:
        sys.exit(result.exited)


@task(name="dhcp-demo")
def dhcp_demo(c):
    """Start the lab, create every site's DHCP scopes on it, then run again and show changed=0."""
    from tasklib.lab import LAB_DIR, lab

    lab(c)
    run_dhcp_demo(c, LAB_DIR / "inventory")
