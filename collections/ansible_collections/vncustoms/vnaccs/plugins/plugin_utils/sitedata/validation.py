# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The per-site checks of what an admin filled in, run once every site has its subnet."""

from __future__ import annotations

import re

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.text import is_domain_name

from .addresses import (
    DEFAULT_DHCP_SERVER_OFFSET,
    DEFAULT_ROUTER_OFFSET,
    RANGE_END_OFFSET,
    RANGE_START_OFFSET,
    check_host_address,
    parse_address,
    parse_subnet,
)
from .fields import (
    EXCLUSION_FIELDS,
    SWITCH_FIELDS,
    SWITCH_TRANSPORTS,
    VLAN_FIELDS,
    WINDOWS_SERVER_VERSIONS,
    WORKSTATION_FIELDS,
    WORKSTATION_VERSIONS,
    check_fields,
)
from .problems import ProblemCollector
from .records import Paths, Site
from .slugs import slugify


def check_site(site: Site, paths: Paths, problems: ProblemCollector, terminal_ids: dict[str, str]) -> None:
    """Check one site's settings; `terminal_ids` collects Terminal IDs across all sites."""
    path, host, settings, network = paths.overrides, site.host, site.settings, site.subnet
    if network is None:
        return
    start = end = None
    for name, offset in (("dhcp_range_start", RANGE_START_OFFSET), ("dhcp_range_end", RANGE_END_OFFSET)):
        value = settings.get(name, str(network[offset]))
        address = parse_address(value, path, host, name, problems)
        if address is not None and check_host_address(address, network, path, host, name, problems):
            if name == "dhcp_range_start":
                start = address
            else:
                end = address
    if start is not None and end is not None and start > end:
        problems.add(path, host, "dhcp_range_start", f"range start {start} is after range end {end}")
        start = end = None

    def in_range(address) -> bool:
        return start is not None and end is not None and start <= address <= end

    for name, offset in (("router", DEFAULT_ROUTER_OFFSET), ("dhcp_server_ip", DEFAULT_DHCP_SERVER_OFFSET)):
        address = parse_address(settings.get(name, str(network[offset])), path, host, name, problems)
        if (
            name == "router"
            and address is not None
            and check_host_address(address, network, path, host, name, problems)
            and in_range(address)
        ):
            problems.add(path, host, name, f"{address} lies inside the DHCP range {start}-{end}")
        if name == "dhcp_server_ip" and address is not None and in_range(address):
            problems.add(path, host, name, f"{address} lies inside the DHCP range {start}-{end}")
    dns = settings.get("dns_servers", [])
    if not isinstance(dns, list):
        problems.add(path, host, "dns_servers", "must be a list of addresses")
    else:
        for position, value in enumerate(dns):
            parse_address(value, path, host, f"dns_servers[{position}]", problems)
    domain = settings.get("domain_name")
    if domain is not None and not is_domain_name(domain):
        problems.add(path, host, "domain_name", f"{domain!r} is not a DNS domain name")
    version = settings.get("windows_version")
    if version is not None and str(version) not in WINDOWS_SERVER_VERSIONS:
        problems.add(path, host, "windows_version", f"{version!r} is not one of 2003, 2008")
    if not isinstance(settings.get("vlans_exclusive", False), bool):
        problems.add(path, host, "vlans_exclusive", f"{settings['vlans_exclusive']!r} is not true or false")
    for position, exclusion in enumerate(settings.get("exclusions") or []):
        label = f"exclusions[{position}]"
        if not check_fields(exclusion, EXCLUSION_FIELDS, path, host, f"{label}.", problems):
            continue
        bounds = [
            parse_address(exclusion.get(key), path, host, f"{label}.{key}", problems)
            for key in ("start", "end")
        ]
        if None in bounds:
            continue
        low, high = bounds
        if low > high:
            problems.add(path, host, label, f"start {low} is after end {high}")
        elif not (in_range(low) and in_range(high)):
            problems.add(path, host, label, f"{low}-{high} is not inside the DHCP range {start}-{end}")
    check_vlans(site, paths, problems)
    switch = settings.get("switch")
    if switch is not None and check_fields(switch, SWITCH_FIELDS, path, host, "switch.", problems):
        parse_address(switch.get("ip"), path, host, "switch.ip", problems)
        if switch.get("transport", "ssh") not in SWITCH_TRANSPORTS:
            problems.add(path, host, "switch.transport", f"{switch.get('transport')!r} is not ssh or telnet")
    if settings.get("vlans") and switch is None:
        problems.add(path, host, "switch", "VLANs are listed but no switch says where to relay them")
    for position, value in enumerate(settings.get("stale_helpers") or []):
        parse_address(value, path, host, f"stale_helpers[{position}]", problems)
    check_workstations(site, paths, problems, terminal_ids)


def entries(site: Site, key: str, fields, paths: Paths, problems: ProblemCollector):
    """(label, entry) for each entry of a site's list field whose keys are all known ones."""
    for position, entry in enumerate(site.settings.get(key) or []):
        label = f"{key}[{position}]"
        if check_fields(entry, fields, paths.overrides, site.host, f"{label}.", problems):
            yield label, entry


def check_vlans(site: Site, paths: Paths, problems: ProblemCollector) -> None:
    """Each VLAN: a unique id, an SVI name, a /24 and a gateway inside it."""
    path, host = paths.overrides, site.host
    seen_ids: set[int] = set()
    for label, vlan in entries(site, "vlans", VLAN_FIELDS, paths, problems):
        vlan_id = vlan.get("id")
        if not isinstance(vlan_id, int) or isinstance(vlan_id, bool) or not 1 <= vlan_id <= 4094:
            problems.add(path, host, f"{label}.id", f"{vlan_id!r} is not a VLAN id (1-4094)")
        elif vlan_id in seen_ids:
            problems.add(path, host, f"{label}.id", f"VLAN {vlan_id} is listed twice")
        else:
            seen_ids.add(vlan_id)
        interface = vlan.get("interface", f"Vlan{vlan_id}")
        if not isinstance(interface, str) or not re.fullmatch(r"Vlan\d+", interface):
            problems.add(path, host, f"{label}.interface", f"{interface!r} is not an SVI name such as Vlan10")
        network = parse_subnet(vlan.get("subnet"), path, host, f"{label}.subnet", problems)
        gateway = parse_address(vlan.get("gateway"), path, host, f"{label}.gateway", problems)
        if network is not None and gateway is not None:
            check_host_address(
                gateway, network, path, host, f"{label}.gateway", problems, "the VLAN's subnet"
            )


def check_workstations(
    site: Site, paths: Paths, problems: ProblemCollector, terminal_ids: dict[str, str]
) -> None:
    path, host = paths.overrides, site.host
    names: set[str] = set()
    for label, station in entries(site, "workstations", WORKSTATION_FIELDS, paths, problems):
        name = station.get("name")
        if not isinstance(name, str) or not slugify(name, abbreviate=False):
            problems.add(path, host, f"{label}.name", f"{name!r} is not a workstation name")
            continue
        if slugify(name, abbreviate=False) in names:
            problems.add(path, host, f"{label}.name", f"workstation {name!r} is listed twice")
        names.add(slugify(name, abbreviate=False))
        if "ip" in station:
            parse_address(station["ip"], path, host, f"{label}.ip", problems)
        terminal = station.get("terminal_id")
        if terminal is not None:
            # Article 15: connection parameters (Terminal ID included) must never be duplicated.
            if not isinstance(terminal, str) or not terminal.strip():
                problems.add(path, host, f"{label}.terminal_id", f"{terminal!r} is not a Terminal ID")
            elif terminal in terminal_ids:
                problems.add(
                    path,
                    host,
                    f"{label}.terminal_id",
                    f"Terminal ID {terminal!r} is already used by {terminal_ids[terminal]} (Article 15)",
                )
            else:
                terminal_ids[terminal] = f"{host} {name}"
        version = station.get("os")
        if version is not None and str(version) not in WORKSTATION_VERSIONS:
            problems.add(path, host, f"{label}.os", f"{version!r} is not one of xp, 7, 10")
