"""The lab inventory: which profile each Windows host of the site inventory emulates, and the files
that point Ansible at the emulated hosts. Used by `invoke lab` and by the `winlab_inventory` pytest
fixture."""

from __future__ import annotations

import hashlib
import ipaddress
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from winlab.lab import Lab, LabConfig
from winlab.model import defaults

LAB_USER = "Administrator"
WINDOWS_GROUPS = ("dhcp_servers", "base_servers", "workstations")
# Used while the site inventory plugin is not available: one host of each kind.
SAMPLE_HOSTS = {
    "dhcp-sample-2003": ("dhcp_servers", "2003"),
    "dhcp-sample-2008": ("dhcp_servers", "2008"),
    "base-sample": ("base_servers", None),
    "ws-sample-1": ("workstations", None),
    "ws-sample-2": ("workstations", None),
}


@dataclass(frozen=True)
class LabHost:
    name: str
    group: str
    profile: str
    # The site address from the inventory: the emulated host's network card shows it.
    address: str | None = None
    # A workstation's Windows computer name (`workstation_name`), and the DHCP server its lease is
    # from (its site's `dhcp_server_ip`): what its `ipconfig /all` shows.
    computer_name: str | None = None
    dhcp_server: str | None = None
    # A DHCP server's scopes' routers (the giaddr of each scope's relay): the host answers relayed
    # DHCPDISCOVERs (winlab/dhcp.py) and the lab reaches each router at a loopback address of its own.
    routers: tuple[str, ...] = ()


# The loopback addresses that stand for the DHCP scopes' routers in the lab: 127.1.0.1 onwards.
RELAY_STAND_INS = ipaddress.IPv4Network("127.1.0.0/16")


def choose_profile(name: str, group: str, windows_version: str | None) -> str:
    """`windows_version` when the inventory sets it; otherwise alternate by a hash of the name, so
    both server versions (and both workstation versions) appear and a host keeps its profile."""
    if windows_version:
        return str(windows_version).lower()
    even = hashlib.sha256(name.encode("utf-8")).digest()[0] % 2 == 0
    if group == "workstations":
        return "xp" if even else "7"
    return "2003" if even else "2008"


def windows_hosts(inventory: dict) -> list[LabHost]:
    """Windows hosts from `ansible-inventory --list` output, with the profile each will emulate."""
    hostvars = inventory.get("_meta", {}).get("hostvars", {})
    hosts: dict[str, LabHost] = {}
    for group in (*WINDOWS_GROUPS, "windows"):
        for name in group_hosts(inventory, group):
            if name not in hosts:
                variables = plain_value(hostvars.get(name, {}))
                kind = group if group != "windows" else "base_servers"
                profile = choose_profile(name, kind, variables.get("windows_version"))
                site = plain_value(hostvars.get(str(variables.get("site_host")), {}))
                station = kind == "workstations"
                routers = (
                    tuple(
                        sorted(
                            {
                                router
                                for scope in variables.get("dhcp_scopes") or []
                                if (router := _ipv4(scope.get("router")))
                            }
                        )
                    )
                    if kind == "dhcp_servers"
                    else ()
                )
                hosts[name] = LabHost(
                    name,
                    kind,
                    profile,
                    _ipv4(variables.get("ansible_host")),
                    computer_name=variables.get("workstation_name") if station else None,
                    dhcp_server=_ipv4(site.get("dhcp_server_ip")) if station else None,
                    routers=routers,
                )
    return sorted(hosts.values(), key=lambda host: host.name)


def plain_value(value):
    """`ansible-inventory --list` in ansible-core 2.19 wraps strings as {"__ansible_unsafe": ...}:
    `value` with every such string unwrapped."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_value(item) for item in value]
    return value


def _ipv4(value) -> str | None:
    try:
        return str(ipaddress.IPv4Address(str(value)))
    except ValueError:
        return None


def group_hosts(inventory: dict, group: str, seen: set[str] | None = None) -> list[str]:
    """The hosts of `group` and of its children, in `ansible-inventory --list` output."""
    seen = seen if seen is not None else set()
    if group in seen or group not in inventory:
        return []
    seen.add(group)
    entry = inventory[group]
    names = list(entry.get("hosts", []))
    for child in entry.get("children", []):
        names += group_hosts(inventory, child, seen)
    return names


def sample_hosts() -> list[LabHost]:
    return [
        LabHost(name, group, choose_profile(name, group, version))
        for name, (group, version) in SAMPLE_HOSTS.items()
    ]


def relay_agents(hosts: list[LabHost]) -> dict[str, str]:
    """Each DHCP scope's router -> the loopback address that stands for it (RELAY_STAND_INS, in the
    routers' order): winlab sends the offers for that giaddr there, and the daily check's relay probe
    listens there (`health_check_dhcp_probe_bind`)."""
    routers = sorted({router for host in hosts for router in host.routers}, key=ipaddress.IPv4Address)
    if len(routers) > RELAY_STAND_INS.num_addresses - 2:
        raise ValueError(f"{len(routers)} routers: more than {RELAY_STAND_INS} holds")
    return {router: str(RELAY_STAND_INS[index + 1]) for index, router in enumerate(routers)}


def lab_config(
    hosts: list[LabHost],
    lab_dir: Path,
    password: str,
    service_start_delay: float = defaults.SERVICE_START_DELAY,
    ftp_groups: frozenset[str] | None = None,
) -> dict:
    """The lab configuration (winlab.lab.LabConfig.from_dict) for the hosts. `service_start_delay`:
    seconds a started service stays START_PENDING on every host before it runs. `ftp_groups`: the
    role groups whose hosts get a stand-in for their FTP port 21 (None: every host); the others' port
    21 refuses every connection."""
    return {
        "state_dir": str(lab_dir / "state"),
        "address": "127.0.0.1",
        "accounts": {LAB_USER: password},
        "https": True,
        "allow_basic": True,
        "service_start_delay": service_start_delay,
        "hosts": [
            {
                "name": host.name,
                "profile": host.profile,
                **({"address": host.address} if host.address else {}),
                **({"computer_name": host.computer_name} if host.computer_name else {}),
                **({"dhcp_server": host.dhcp_server} if host.dhcp_server else {}),
                # A DHCP server answers relayed DISCOVERs on a loopback port of its own.
                **({"dhcp_port": 0} if host.routers else {}),
                **({} if ftp_groups is None or host.group in ftp_groups else {"ftp_port": None}),
            }
            for host in hosts
        ],
        "dhcp_relay_agents": relay_agents(hosts),
    }


def overlay(runtime: dict, password: str) -> dict:
    """host name -> the connection variables of its emulated host."""
    result = {}
    for name, host in sorted(runtime["hosts"].items()):
        result[name] = {
            "ansible_host": host["address"],
            "ansible_port": host["http_port"],
            "ansible_user": LAB_USER,
            "ansible_password": password,
            "ansible_winrm_transport": "ntlm",
            "ansible_winrm_scheme": "http",
            "winlab_profile": host["profile"],
            "winlab_https_port": host["https_port"],
            "winlab_control_url": runtime["control_url"],
        }
        if host.get("group") == "base_servers" and host.get("ftp_port"):
            # Where the health check finds the base server's FTP port 21 from the controller: the
            # emulated host's stand-in listener (winlab/ftp.py).
            result[name]["health_check_ftp_port"] = host["ftp_port"]
        if host.get("group") == "dhcp_servers" and host.get("dhcp_port"):
            # Where the daily check's relay probe finds the server (its stand-in for UDP 67) and
            # listens for the offer: the loopback address that stands for each of its routers.
            agents = runtime.get("dhcp_relay_agents") or {}
            result[name].update(
                health_check_dhcp_probe_port=host["dhcp_port"],
                health_check_dhcp_probe_bind={
                    router: agents[router] for router in host.get("routers") or [] if router in agents
                },
                health_check_dhcp_probe_allow=["127.0.0.0/8"],
            )
    return result


def _absolute_options(config: dict, base: Path) -> dict:
    """The site plugin's options with every relative file path made absolute."""
    result = {}
    for key, value in config.items():
        if isinstance(value, str) and not os.path.isabs(value) and (base / value).exists():
            result[key] = str((base / value).resolve())
        else:
            result[key] = value
    return result


def write_inventory(
    directory: Path,
    runtime: dict,
    password: str,
    sites_config: Path | None,
    overrides_file: Path | None = None,
) -> Path:
    """Write the lab inventory directory and return its path.

    With the site plugin's configuration: `lab.sites.yml` (same plugin and data files, absolute
    paths, plus `host_vars_overlay` naming the overlay file; `overrides_file`, when given, in place
    of the configuration's: the lab's copy of the overrides, tasklib/sites.py write_lab_overrides).
    Without it: a static `lab.yml` of the
    emulated hosts. The overlay lives beside the directory, not in it, because Ansible would read
    any YAML file inside an inventory directory as an inventory of its own. The same variables are
    also written as `host_vars/<host>.yml`, which Ansible merges over any inventory source.
    """
    directory.mkdir(parents=True, exist_ok=True)
    for stale in ("lab.sites.yml", "lab.yml"):
        (directory / stale).unlink(missing_ok=True)
    data = overlay(runtime, password)
    overlay_path = directory.parent / "host_vars_overlay.yml"
    header = "---\n# Written by `invoke lab`: connection variables of the winlab hosts.\n"
    _write_private(overlay_path, header + yaml.safe_dump(data, sort_keys=True))
    host_vars = directory / "host_vars"
    if host_vars.exists():
        for stale in host_vars.glob("*.yml"):
            stale.unlink()
    host_vars.mkdir(exist_ok=True)
    for name, variables in data.items():
        _write_private(host_vars / f"{name}.yml", header + yaml.safe_dump(variables, sort_keys=True))
    if sites_config is not None and sites_config.exists():
        config = yaml.safe_load(sites_config.read_text(encoding="utf-8")) or {}
        # The plugin's file options default to paths beside its configuration; name them so that
        # they point at the site data from here.
        config.setdefault("data_dir", "data")
        config.setdefault("overrides_file", "site_overrides.yml")
        config = _absolute_options(config, sites_config.parent)
        if overrides_file is not None:
            config["overrides_file"] = str(Path(overrides_file).resolve())
        # The same group variables (connection settings per role group) as the site inventory,
        # with the lab's own addresses over the toolkit's real ones (lab_group_vars).
        write_group_vars(directory / "group_vars", sites_config.parent / "group_vars", runtime)
        config["host_vars_overlay"] = str(overlay_path)
        text = "---\n# Written by `invoke lab`: the site inventory with the lab's connection variables.\n"
        text += yaml.safe_dump(config, sort_keys=False)
        (directory / "lab.sites.yml").write_text(text, encoding="utf-8")
    else:
        groups: dict[str, dict] = {}
        for name in data:
            group = runtime["hosts"][name].get("group", "base_servers")
            groups.setdefault(group, {"hosts": {}})["hosts"][name] = None
        static = {"all": {"children": {"windows": {"children": groups}}}}
        text = "---\n# Written by `invoke lab` (no site inventory plugin configuration found).\n"
        (directory / "lab.yml").write_text(text + yaml.safe_dump(static, sort_keys=True), encoding="utf-8")
    return directory


# Where the lab points the Ecus6 portals when it serves none: the discard port on loopback.
NO_PORTAL = "http://127.0.0.1:9/"


def lab_group_vars(runtime: dict) -> dict:
    """Variables every lab host gets over the toolkit's group variables: the Ecus6 portals of
    letter 497/CHQ-CNTT (inventory/group_vars/all.yml) become the lab's emulated portal
    (winlab/portal.py) on loopback, so that nothing run against the lab reaches the real ones."""
    return {
        "ecus6_officer_url": runtime.get("portal_url") or NO_PORTAL,
        "ecus6_admin_url": runtime.get("portal_admin_url") or NO_PORTAL,
    }


def write_group_vars(target: Path, source: Path, runtime: dict) -> None:
    """The lab inventory's group_vars/: a link to each file of the site inventory's, the `all`
    group's as `all/00-toolkit.yml`, and `all/zz-lab.yml` (lab_group_vars), which Ansible reads
    after it and which wins."""
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.exists():
        shutil.rmtree(target)
    target.mkdir()
    everyone = target / "all"
    everyone.mkdir()
    if source.is_dir():
        for item in sorted(source.iterdir()):
            if item.stem == "all" and item.is_file():
                (everyone / "00-toolkit.yml").symlink_to(item.resolve())
            elif item.name == "all" and item.is_dir():
                for inner in sorted(item.iterdir()):
                    (everyone / f"00-{inner.name}").symlink_to(inner.resolve())
            else:
                (target / item.name).symlink_to(item.resolve())
    header = "---\n# Written by `invoke lab`: the lab's Ecus6 portal over the toolkit's real addresses.\n"
    (everyone / "zz-lab.yml").write_text(header + yaml.safe_dump(lab_group_vars(runtime)), encoding="utf-8")


@contextmanager
def running_lab(
    directory: Path, hosts: list[LabHost], password: str, sites_config: Path | None = None
) -> Iterator[tuple[Lab, Path]]:
    """A lab of `hosts` (plain HTTP, in this process) and its inventory, `directory`/inventory
    (`write_inventory`: with the site plugin's configuration when given); stopped on leaving."""
    config = lab_config(hosts, directory, password)
    lab = Lab(LabConfig.from_dict({**config, "https": False}, directory)).start()
    try:
        runtime = lab.describe()
        for host in hosts:
            runtime["hosts"][host.name].update(group=host.group, routers=list(host.routers))
        yield lab, write_inventory(directory / "inventory", runtime, password, sites_config)
    finally:
        lab.stop()


def _write_private(path: Path, text: str) -> None:
    # The files hold the lab password.
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
