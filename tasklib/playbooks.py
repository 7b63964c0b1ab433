"""What every task that runs Ansible shares: its environment, inventory listings, playbook runs
and their PLAY RECAP."""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECAP_LINE = re.compile(r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def ansible_env(**extra: str) -> dict[str, str]:
    """Environment for Ansible commands: the project's ansible.cfg and the virtual environment first."""
    venv_bin = str(ROOT / ".venv" / "bin")
    path = os.environ.get("PATH", "")
    return {
        "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
        "PATH": path if path.split(os.pathsep)[0] == venv_bin else f"{venv_bin}{os.pathsep}{path}",
        **extra,
    }


def parse_inventory_json(text: str) -> dict:
    """`ansible-inventory --list` output, with the plugin's values unwrapped.

    ansible-core 2.19 marks variables from inventory plugins as unsafe: {"__ansible_unsafe": v}.
    """

    def plain(node: dict):
        return node["__ansible_unsafe"] if set(node) == {"__ansible_unsafe"} else node

    return json.loads(text, object_hook=plain)


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


def run_playbook(c, playbook: str | Path, inventories=(), extra: str = "", hide: bool = True):
    """ansible-playbook PLAYBOOK with each inventory in turn (later ones override earlier ones)."""
    sources = "".join(f" -i {inventory}" for inventory in inventories)
    with c.cd(str(ROOT)):
        return c.run(
            f"ansible-playbook{sources} {playbook}{extra}",
            env=ansible_env(ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0"),
            hide=hide,
            warn=True,
        )


def apply_playbook(
    c, playbook: str | Path, limit="", check=False, diff=False, inventory="", extra_vars: str = ""
) -> None:
    """What an admin's `./run <job>` does: run the playbook in the foreground; exit with its code.
    `extra_vars` is passed on as `-e` (e.g. `daily_reboot_check_only=true`)."""
    extra = (f" -l {limit}" if limit else "") + (" --check" if check else "") + (" --diff" if diff else "")
    extra += f" -e {extra_vars}" if extra_vars else ""
    result = run_playbook(c, playbook, [inventory] if inventory else [], extra, hide=False)
    if not result.ok:
        sys.exit(result.exited)


def converge_twice(
    c, title: str, playbook: str | Path, inventories=(), extra: str = ""
) -> tuple[Recap, Recap]:
    """Run a playbook, then again: the first must succeed everywhere, the second change nothing.

    Prints each run's summary and the second run's PLAY RECAP; exits 1 on a failure or a change
    on the second run.
    """
    print(f"==> {title}: {playbook}", flush=True)
    first_run = run_playbook(c, playbook, inventories, extra)
    first = Recap.parse(first_run.stdout)
    print(f"    first run: {first.summary()}", flush=True)
    if not first_run.ok or not first.hosts or first.hosts_with("failed") or first.hosts_with("unreachable"):
        print(first_run.stdout[-5000:], first_run.stderr[-2000:], sep="\n", file=sys.stderr)
        sys.exit(f"{title}: the first run failed")
    print(f"==> {title}: running again; every host must report changed=0", flush=True)
    second_run = run_playbook(c, playbook, inventories, extra)
    second = Recap.parse(second_run.stdout)
    print(f"    second run: {second.summary()}", flush=True)
    if not second_run.ok or second.total("changed") or second.hosts_with("failed"):
        print(second.text, file=sys.stderr)
        changed = ", ".join(second.hosts_with("changed"))
        sys.exit(f"{title}: the second run was not idempotent: changed on {changed}")
    return first, second
