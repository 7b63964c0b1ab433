"""Playbook runs against winlab for the fault suite (tests/integration/faults): a lab with the
accounts a case needs, a DHCP-server inventory of its hosts, the run's PLAY RECAP, and a fault
set at the moment a given command reaches a host.

    with running_lab(tmp_path, {"dhcp-a": "2003", "dhcp-b": "2008"}, {DOMAIN_USER: DOMAIN_PASSWORD}) as lab:
        inventory = dhcp_inventory(lab, lab.runtimes, DOMAIN_USER, DOMAIN_PASSWORD)
        run = run_ansible_playbook("dhcp.yml", inventory, tmp_path)
        assert recap(run).hosts["dhcp-a"]["changed"] == 1
"""

from __future__ import annotations

import contextlib
import re
import subprocess
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from tasklib.playbooks import Recap
from winlab.lab import HostConfig, Lab, LabConfig

# A domain account that serves every DHCP server of a department, as the customs domain has them.
DOMAIN_USER = "HAIQUAN\\svc-vnaccs"
DOMAIN_PASSWORD = "Lab-Domain-Pa55"
# How the toolkit names that account (account_guard.account_name).
DOMAIN_ACCOUNT = "haiquan\\svc-vnaccs"


@contextlib.contextmanager
def running_lab(
    directory: Path, hosts: dict[str, str], accounts: dict[str, str], **options: Any
) -> Iterator[Lab]:
    """winlab with `hosts` ({name: profile}) and `accounts`, plain HTTP, started services running at
    once unless `options` says otherwise (LabConfig's fields)."""
    options = {"https": False, "service_start_delay": 0, **options}
    configs = [HostConfig(name, profile) for name, profile in hosts.items()]
    with Lab(LabConfig(directory / "winlab", configs, accounts, **options)) as lab:
        yield lab


def scope(index: int) -> dict[str, Any]:
    """A branch scope of its own for each host (dhcp_scopes, as the inventory computes them)."""
    return {
        "address": f"10.40.{index}.0",
        "mask": "255.255.255.0",
        "name": f"Chi cuc Hai quan Lab {index}",
        "comment": "Cuc Hai quan Lab",
        "range_start": f"10.40.{index}.50",
        "range_end": f"10.40.{index}.254",
        "exclusions": [],
        "router": f"10.40.{index}.1",
        "dns_servers": ["10.40.1.10"],
        "domain_name": "",
    }


def dhcp_inventory(lab: Lab, names: Iterable[str], user: str, password: str, **hostvars: Any) -> dict:
    """The dhcp_servers group of `lab`'s hosts `names`, each reached over NTLM with `user`."""
    hosts = {}
    for index, name in enumerate(names, start=10):
        runtime = lab.runtime(name)
        hosts[name] = {
            "ansible_host": "127.0.0.1",
            "ansible_port": runtime.http_port,
            "ansible_user": user,
            "ansible_password": password,
            "windows_version": runtime.host.profile.key,
            "dhcp_scopes": [scope(index)],
            **hostvars,
        }
    return {"all": {"children": {"dhcp_servers": {"hosts": hosts}}}}


def recap(run: subprocess.CompletedProcess) -> Recap:
    """The run's PLAY RECAP, host by host; fails the test with the output when there is none."""
    parsed = Recap.parse(run.stdout)
    assert parsed.hosts, f"no PLAY RECAP:\n{run.stdout}\n{run.stderr}"
    return parsed


def errors(run: subprocess.CompletedProcess, host: str) -> list[str]:
    """The messages of the tasks that failed on `host`, as Ansible prints them on one line."""
    pattern = re.compile(rf"^\[ERROR\]: Task failed: Action failed: ({re.escape(host)}: .*)$", re.M)
    return pattern.findall(run.stdout + run.stderr)


def mistype(lab: Lab, name: str, user: str, password: str, times: int) -> None:
    """`times` failed logons to host `name` with plain pywinrm: someone else mistyping the password."""
    import winrm
    from winrm.exceptions import InvalidCredentialsError

    url = f"http://127.0.0.1:{lab.runtime(name).http_port}/wsman"
    for _ in range(times):
        session = winrm.Session(url, auth=(user, password), transport="ntlm", server_cert_validation="ignore")
        try:
            session.run_cmd("hostname")
        except InvalidCredentialsError:
            continue
        raise AssertionError(f"{name} accepted {user} with a wrong password")


def requests(lab: Lab, name: str) -> int:
    """The HTTP requests host `name` has received (every logon attempt is at least one)."""
    return lab.runtime(name).counters()["requests"]


def temp_files(lab: Lab, name: str) -> list[str]:
    """What the toolkit left in the host's %SystemRoot%\\Temp (files and the lock folder)."""
    listing = lab.host(name).run(r"dir /b %SystemRoot%\Temp").stdout
    return sorted(line.strip() for line in listing.splitlines() if line.strip().lower().startswith("vnaccs"))


@contextlib.contextmanager
def on_command(lab: Lab, name: str, matches: Callable[[str], bool], action: Callable[[str], None]):
    """Call `action(command)` when a command that `matches` reaches host `name`, before the host
    runs it (to set a fault through the lab's control interface at that moment, or to wait)."""
    host = lab.host(name)
    run = host.run

    def watched(command_line: str, *args: Any, **kwargs: Any):
        if matches(command_line):
            action(command_line)
        return run(command_line, *args, **kwargs)

    host.run = watched
    try:
        yield
    finally:
        host.run = run


def outcome(counts: dict[str, int]) -> dict[str, int]:
    """A host's recap counts without `ok`, which counts every task the role ran (its argument check,
    its includes), not what happened to the host."""
    return {key: value for key, value in counts.items() if key != "ok"}
