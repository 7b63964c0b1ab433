# Copyright: VNACCS/VCIS site-infrastructure team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""DHCP relay on Cisco IOS: read `ip helper-address` lines, plan the change, apply it.

Used by the `vncustoms.vnaccs.ios_helper_address` action plugin for both of its transports
(`network_cli` over SSH, Telnet through netmiko), so both follow the same rules:

* `check_request` checks the VLANs and helper addresses before the switch is contacted, and sets
  aside the VLANs whose subnet holds the DHCP server (their clients reach it without a relay).
* `parse_interfaces` reads the interface blocks of `show running-config [interface X]` output.
* `plan_interface` decides which lines an interface needs: add each wanted helper it lacks, remove
  each stale helper it has, and (only when the list is exclusive) every other helper.
* `converge` runs the whole job on one switch through a `CliSession`: read, check, plan, back up,
  apply, re-read to confirm, save. In check mode it stops after planning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from netaddr import INET_PTON, AddrFormatError, IPAddress, IPNetwork, valid_ipv4

_INTERFACE_RE = re.compile(r"^interface\s+(\S+)\s*$")
_ADDRESS_RE = re.compile(r"^ip address\s+(\d+\.\d+\.\d+\.\d+)\s+(\d+\.\d+\.\d+\.\d+)(\s+secondary)?\s*$")
_HELPER_RE = re.compile(r"^ip helper-address\s+(?:(?:vrf\s+\S+|global)\s+)?(\d+\.\d+\.\d+\.\d+)\s*$")


class RelayError(Exception):
    """The switch is not in a state the role may change (or it refused a command)."""


@dataclass
class InterfaceState:
    """What the running configuration says about one interface."""

    name: str
    addresses: list[IPNetwork] = field(default_factory=list)  # primary first
    helper_lines: dict[str, str] = field(default_factory=dict)  # helper address -> its line

    @property
    def helpers(self) -> list[str]:
        return list(self.helper_lines)

    @property
    def primary(self) -> IPNetwork | None:
        return self.addresses[0] if self.addresses else None


def parse_interfaces(text: str) -> dict[str, InterfaceState]:
    """The interface blocks of IOS configuration text, by interface name (as the switch spells it)."""
    interfaces: dict[str, InterfaceState] = {}
    current: InterfaceState | None = None
    for raw in text.splitlines():
        line = raw.rstrip()
        match = _INTERFACE_RE.match(line)
        if match:
            current = interfaces.setdefault(match.group(1), InterfaceState(match.group(1)))
            continue
        if not line.startswith(" "):
            current = None
            continue
        if current is None:
            continue
        body = line.strip()
        address = _ADDRESS_RE.match(body)
        if address:
            value = IPNetwork(f"{address.group(1)}/{address.group(2)}")
            if address.group(3):
                current.addresses.append(value)
            else:
                current.addresses.insert(0, value)
            continue
        helper = _HELPER_RE.match(body)
        if helper:
            current.helper_lines[helper.group(1)] = body
    return interfaces


def plan_interface(state: InterfaceState, wanted: list[str], stale: list[str], exclusive: bool) -> list[str]:
    """Lines to send under `interface <name>` (empty when nothing needs to change). Removals first."""
    remove = [
        line
        for address, line in state.helper_lines.items()
        if address in stale or (exclusive and address not in wanted)
    ]
    add = [f"ip helper-address {address}" for address in wanted if address not in state.helper_lines]
    return [f"no {line}" for line in remove] + add


def render_helpers(name: str, helpers: list[str]) -> str:
    """An interface's helper lines as they appear in the running configuration (for --diff)."""
    return "\n".join([f"interface {name}"] + [f" ip helper-address {h}" for h in helpers]) + "\n"


class CliSession(Protocol):
    """What `converge` needs from a connection to a switch in privileged EXEC mode."""

    def show(self, command: str) -> str: ...

    def configure(self, lines: list[str]) -> None: ...

    def save(self) -> str: ...


@dataclass
class InterfaceRequest:
    name: str  # e.g. Vlan10
    gateway: str | None = None  # the address the inventory says the interface has


@dataclass
class RelayRequest:
    """A checked request: the interfaces to relay, and those left alone because the server is local."""

    relayed: list[InterfaceRequest] = field(default_factory=list)
    local: list[str] = field(default_factory=list)


# How messages name the request's parts; a caller (a role) may name its own variables instead.
DEFAULT_LABELS = {"vlans": "vlans", "helpers": "helpers", "stale": "stale"}


def _host_address_problem(value: str) -> str | None:
    """Why VALUE cannot be a helper address (a DHCP server), or None."""
    if not valid_ipv4(value, INET_PTON):
        return "it must be an IPv4 address (a.b.c.d)"
    address = IPAddress(value)
    if address.is_loopback() or address.is_multicast() or address.is_reserved():
        return "it must be an IPv4 host address (not loopback, multicast, reserved or 0.0.0.0)"
    return None


def _vlan_problems(vlan: dict) -> list[str]:
    problems = []
    vlan_id, interface = vlan.get("id"), vlan["interface"]
    if vlan_id is not None:
        if not 1 <= vlan_id <= 4094:
            problems.append(f"the id must be 1-4094 (is {vlan_id})")
        elif interface.lower() != f"vlan{vlan_id}":
            problems.append(f"the interface must be Vlan{vlan_id} (is {interface})")
    subnet = vlan.get("subnet")
    network = None
    if subnet is not None:
        try:
            network = IPNetwork(subnet, version=4)
        except (AddrFormatError, ValueError, TypeError):
            network = None
        if network is None or "/" not in subnet or str(network.cidr) != subnet:
            problems.append(
                f"the subnet must be an IPv4 network in CIDR form, e.g. 10.20.10.0/24 (is {subnet})"
            )
            network = None
    gateway = vlan.get("gateway")
    if gateway is not None:
        if not valid_ipv4(gateway, INET_PTON):
            problems.append(f"the gateway must be an IPv4 address (is {gateway})")
        elif network is not None and (
            IPAddress(gateway) not in network or IPAddress(gateway) in (network.network, network.broadcast)
        ):
            problems.append(f"the gateway must be a usable address inside {subnet} (is {gateway})")
    return problems


def check_request(
    vlans: list[dict], helpers: list[str], stale: list[str], labels: dict[str, str] | None = None
) -> RelayRequest:
    """Check a relay request before any switch is contacted; raise RelayError naming every problem.

    VLANs are dicts with `interface` and optionally `id`, `subnet`, `gateway` (the site inventory's
    form). A VLAN whose subnet holds one of the helpers is left out of the relay (`local`).
    """
    names = {**DEFAULT_LABELS, **(labels or {})}
    problems = []
    for helper in helpers:
        problem = _host_address_problem(helper)
        if problem:
            problems.append(f"{names['helpers']} is {helper!r}; {problem}.")
    bad_stale = [address for address in stale if not valid_ipv4(address, INET_PTON)]
    if bad_stale or set(helpers) & set(stale):
        problems.append(
            f"{names['stale']} is {list(stale)}; each entry must be an IPv4 address, and a DHCP server "
            f"({', '.join(helpers)}) cannot be both wanted and stale."
        )
    ids = [vlan["id"] for vlan in vlans if vlan.get("id") is not None]
    interfaces = [vlan["interface"].lower() for vlan in vlans]
    if len(set(ids)) != len(ids) or len(set(interfaces)) != len(interfaces):
        listed = ", ".join(vlan["interface"] for vlan in vlans)
        problems.append(f"{names['vlans']} lists a VLAN id or interface twice: {listed}.")
    for vlan in vlans:
        found = _vlan_problems(vlan)
        if found:
            what = f"VLAN {vlan['id']}" if vlan.get("id") is not None else vlan["interface"]
            problems.append(f"{names['vlans']} entry for {what}: {'; '.join(found)}.")
    if problems:
        raise RelayError(" ".join(problems) + " Nothing was sent to the switch.")

    request = RelayRequest()
    servers = [IPAddress(helper) for helper in helpers]
    for vlan in vlans:
        subnet = vlan.get("subnet")
        if subnet is not None and any(server in IPNetwork(subnet) for server in servers):
            request.local.append(vlan["interface"])
        else:
            request.relayed.append(InterfaceRequest(vlan["interface"], vlan.get("gateway")))
    return request


@dataclass
class RelayResult:
    changed: bool = False
    commands: list[str] = field(default_factory=list)
    interfaces: dict[str, dict] = field(default_factory=dict)
    diff: dict = field(default_factory=dict)
    backup_config: str | None = None
    saved: bool = False


def read_interface(session: CliSession, name: str) -> InterfaceState:
    """Read one interface with `show running-config interface NAME`; fail if the switch lacks it."""
    output = session.show(f"show running-config interface {name}")
    found = parse_interfaces(output)
    for found_name, state in found.items():
        if found_name.lower() == name.lower():
            return state
    raise RelayError(
        f"interface {name} is not in the running configuration: this switch is not that VLAN's "
        f"gateway (or the SVI was never created); nothing was changed"
    )


def converge(
    session: CliSession,
    interfaces: list[InterfaceRequest],
    helpers: list[str],
    stale: list[str],
    exclusive: bool,
    check_mode: bool,
    save: bool = True,
    backup: bool = True,
    on_backup: Callable[[str], None] | None = None,
) -> RelayResult:
    """Bring every interface's helpers to the wanted state (see the module docstring)."""
    result = RelayResult()
    states = {request.name: read_interface(session, request.name) for request in interfaces}

    # Refuse to touch a switch whose SVI addresses contradict the inventory: the change would
    # land on the wrong device or VLAN.
    for request in interfaces:
        primary = states[request.name].primary
        if request.gateway and (primary is None or str(primary.ip) != request.gateway):
            raise RelayError(
                f"interface {request.name} has address {primary.ip if primary else 'none'}, but the "
                f"inventory says the VLAN's gateway is {request.gateway}; nothing was changed"
            )

    before, after = [], []
    for request in interfaces:
        state = states[request.name]
        lines = plan_interface(state, helpers, stale, exclusive)
        planned = [h for h in state.helpers if f"no {state.helper_lines[h]}" not in lines]
        planned += [h for h in helpers if h not in state.helper_lines]
        result.interfaces[request.name] = {"before": state.helpers, "after": planned, "commands": lines}
        before.append(render_helpers(request.name, state.helpers))
        after.append(render_helpers(request.name, planned))
        if lines:
            result.commands += [f"interface {request.name}", *(f" {line}" for line in lines)]

    if not result.commands:
        return result
    result.changed = True
    if save:
        result.commands.append("write memory")
    result.diff = {
        "before_header": "running-config (helper lines)",
        "after_header": "planned",
        "before": "".join(before),
        "after": "".join(after),
        "prepared": "\n".join(result.commands) + "\n",
    }
    if check_mode:
        return result

    if backup:
        result.backup_config = session.show("show running-config")
        if "interface" not in result.backup_config:
            raise RelayError("the running configuration read for the backup looks empty; nothing was changed")
        if on_backup is not None:
            on_backup(result.backup_config)

    config_lines = []
    for request in interfaces:
        lines = result.interfaces[request.name]["commands"]
        if lines:
            config_lines += [f"interface {request.name}", *lines]
    session.configure(config_lines)

    for request in interfaces:
        expected = result.interfaces[request.name]["after"]
        now = read_interface(session, request.name).helpers
        if sorted(now) != sorted(expected):
            raise RelayError(
                f"interface {request.name} has helpers {now} after the change, expected {expected}; "
                f"the running configuration was not saved"
            )

    if save:
        output = session.save()
        if "OK" not in output:
            raise RelayError(f"write memory did not confirm the save: {output.strip()!r}")
        result.saved = True
    return result
