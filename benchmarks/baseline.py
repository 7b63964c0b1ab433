"""The baseline of the daily check: the same items read the straightforward way, one WinRM shell and
one command per item (pywinrm `Session.run_cmd`, a new session each time, as a hand-written script
or one Ansible task per check does), with as many hosts at once as Ansible's forks.

    python -m benchmarks.baseline --inventory build/bench/lab/inventory --limit PATTERN [--forks 20]

Prints one JSON line: the hosts checked, the commands run and the hosts where one exited non-zero.
The items are the daily check's own (the sections of its plans in plugin_utils/health_checks.py, and
`hostname`), so the two read the same; the baseline only reads them, it judges nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "collections"))

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.health_checks import (  # noqa: E402
    AuditOptions,
    BaseHealthPlan,
    DhcpHealthPlan,
    HostHealthPlan,
    WorkstationHealthPlan,
    WorkstationWanted,
    base_wanted,
    reboot_plan,
)

from tasklib.playbooks import ansible_env, parse_inventory_json  # noqa: E402
from winlab.inventory import group_hosts  # noqa: E402

# The daily check's restart task settings (roles/health_check/defaults/main.yml, the daily_reboot
# role's defaults), which a workstation's probe reads as the daily check does.
REBOOT = {"name": "VNACCS-DailyRestart", "time": "12:15", "spread_minutes": 30, "warning_seconds": 300}


def plan(group: str, name: str, family: str) -> HostHealthPlan:
    """The daily check's plan of a host of `group`, as the fleet benchmark's daily check runs it (no
    client release given, so no client sections)."""
    if group == "dhcp_servers":
        # The DHCP plan reads the same sections whatever its scopes (they are judged, not read).
        return DhcpHealthPlan(None, AuditOptions())
    if group == "base_servers":
        return BaseHealthPlan(base_wanted({}), AuditOptions())
    reboot = reboot_plan(REBOOT, name, family)
    return WorkstationHealthPlan(WorkstationWanted(()), AuditOptions(), None, "", *reboot)


KINDS = ("dhcp_servers", "base_servers", "workstations")


def items(group: str, name: str = "", family: str = "") -> list[str]:
    """The commands the daily check reads on a host of `group`, one per item."""
    return ["hostname", *(command for _, command in plan(group, name, family).read_items())]


def check_host(variables: dict, commands: list[str]) -> tuple[int, bool]:
    """Run each command in a session of its own; (commands run, whether all exited 0: a service
    that is not installed answers 1060, which is a finding to the daily check, not an error)."""
    import winrm

    url = f"http://{variables['ansible_host']}:{variables['ansible_port']}/wsman"
    ok = True
    for command in commands:
        session = winrm.Session(
            url,
            auth=(variables["ansible_user"], variables["ansible_password"]),
            transport="ntlm",
            server_cert_validation="ignore",
        )
        ok = session.run_cmd(command).status_code == 0 and ok
    return len(commands), ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inventory", required=True)
    parser.add_argument("--limit", default="all")
    parser.add_argument("--forks", type=int, default=20)
    args = parser.parse_args(argv)
    listed = subprocess.run(
        ["ansible-inventory", "-i", args.inventory, "--list", "--limit", args.limit],
        cwd=ROOT,
        env=ansible_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    data = parse_inventory_json(listed.stdout)
    hostvars = data["_meta"]["hostvars"]
    work = [
        (name, group)
        for group in KINDS
        for name in sorted(set(group_hosts(data, group)))
        if "ansible_port" in hostvars.get(name, {})
    ]
    with ThreadPoolExecutor(max_workers=args.forks) as pool:
        results = list(
            pool.map(
                lambda job: check_host(
                    hostvars[job[0]],
                    items(job[1], job[0], str(hostvars[job[0]].get("windows_version", "")).lower()),
                ),
                work,
            )
        )
    nonzero = [name for (name, _), (_, ok) in zip(work, results, strict=True) if not ok]
    print(
        json.dumps({"hosts": len(work), "commands": sum(count for count, _ in results), "nonzero": nonzero})
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
