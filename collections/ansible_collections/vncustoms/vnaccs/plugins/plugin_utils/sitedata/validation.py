# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks of what an admin filled in: one place for each rule.

* :func:`check_layer`: the values any layer of site_overrides.yml may set (defaults, a
  department, a site), checked in the layer that sets them;
* :func:`check_site`: one site's settings, once it has its subnet;
* :func:`check_fleet`: what must be unique across every site: host names, Terminal IDs, User IDs,
  and the DHCP scope texts made from the transcribed names.

Refused values are problems; values that can be right are warnings (`ProblemCollector.warn`).
inventory/README.md lists which is which.
"""

from __future__ import annotations

import re

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.text import (
    ascii_fold,
    domain_name_problem,
    is_ascii,
    netbios_name_problem,
    scope_text_problem,
)
from netaddr import IPAddress, IPNetwork

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
    DHCP_BACKENDS,
    EXCLUSION_FIELDS,
    RELAY_BACKENDS,
    SWITCH_FIELDS,
    SWITCH_TRANSPORTS,
    VLAN_FIELDS,
    WINDOWS_SERVER_VERSIONS,
    WORKSTATION_FIELDS,
    WORKSTATION_VERSIONS,
    check_fields,
    type_name,
)
from .model import vlan_scope_name
from .problems import ProblemCollector
from .records import Department, Paths, Region, Site
from .slugs import slugify

# Appendix II: a User ID is 8 characters, a 5-character User Code (department, branch, "0") and a
# 3-character User Identification (000 ... ZZZ), letters and digits.
_USER_ID = re.compile(r"[A-Za-z0-9]{8}")


def check_layer(layer: dict, path, label: str, problems: ProblemCollector) -> None:
    """The values that `defaults`, a department and a site may all set, where `layer` sets them."""
    if "dns_servers" in layer:
        dns = layer["dns_servers"]
        if not isinstance(dns, list):
            problems.add(path, label, "dns_servers", f"must be a list of addresses, not {type_name(dns)}")
        else:
            for position, value in enumerate(dns):
                parse_address(value, path, label, f"dns_servers[{position}]", problems)
    domain = layer.get("domain_name")
    if domain is not None:
        problem = domain_name_problem(domain)
        if problem:
            problems.add(path, label, "domain_name", f"{domain!r} {problem}")
    version = layer.get("windows_version")
    if version is not None and str(version) not in WINDOWS_SERVER_VERSIONS:
        problems.add(path, label, "windows_version", f"{version!r} is not one of 2003, 2008")
    for name, choices in (("dhcp_backend", DHCP_BACKENDS), ("relay_backend", RELAY_BACKENDS)):
        if name in layer and layer[name] not in choices:
            problems.add(path, label, name, f"{layer[name]!r} is not one of {', '.join(choices)}")
    if "vlans_exclusive" in layer and not isinstance(layer["vlans_exclusive"], bool):
        problems.add(path, label, "vlans_exclusive", f"{layer['vlans_exclusive']!r} is not true or false")


def check_site(site: Site, paths: Paths, problems: ProblemCollector) -> None:
    """Check one site's own settings (the layer values are checked by `check_layer`)."""
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

    # Addresses that belong to one device each: what a workstation or the switch may not also have.
    owners: dict[IPAddress, str] = {}
    router = parse_address(
        settings.get("router", str(network[DEFAULT_ROUTER_OFFSET])), path, host, "router", problems
    )
    if router is not None and check_host_address(router, network, path, host, "router", problems):
        if in_range(router):
            problems.add(path, host, "router", f"{router} lies inside the DHCP range {start}-{end}")
        owners[router] = "the router (router)"
    server_value = settings.get("dhcp_server_ip", str(network[DEFAULT_DHCP_SERVER_OFFSET]))
    server = parse_address(server_value, path, host, "dhcp_server_ip", problems)
    if server is not None:
        if in_range(server):
            problems.add(path, host, "dhcp_server_ip", f"{server} lies inside the DHCP range {start}-{end}")
        owners[server] = "the DHCP server (dhcp_server_ip)"
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
    vlans = check_vlans(site, paths, problems, owners)
    subnets = [network] + [subnet for subnet in vlans if subnet != network]
    check_switch(site, paths, problems, subnets, owners, server)
    for position, value in enumerate(settings.get("stale_helpers") or []):
        parse_address(value, path, host, f"stale_helpers[{position}]", problems)
    check_workstations(site, paths, problems, subnets, owners)


def entries(site: Site, key: str, fields, paths: Paths, problems: ProblemCollector):
    """(label, entry) for each entry of a site's list field whose keys are all known ones."""
    for position, entry in enumerate(site.settings.get(key) or []):
        label = f"{key}[{position}]"
        if check_fields(entry, fields, paths.overrides, site.host, f"{label}.", problems):
            yield label, entry


def check_vlans(site: Site, paths: Paths, problems: ProblemCollector, owners: dict) -> list[IPNetwork]:
    """Each VLAN: a unique id, an SVI name, a /24 of its own and a gateway inside it.

    Returns the VLANs' subnets; records each gateway in `owners`.
    """
    path, host = paths.overrides, site.host
    seen_ids: set[int] = set()
    seen_subnets: dict[IPNetwork, str] = {}
    valid: list[IPNetwork] = []
    for label, vlan in entries(site, "vlans", VLAN_FIELDS, paths, problems):
        vlan_id = vlan.get("id")
        if not isinstance(vlan_id, int) or isinstance(vlan_id, bool) or not 1 <= vlan_id <= 4094:
            problems.add(path, host, f"{label}.id", f"{vlan_id!r} is not a VLAN id (1-4094)")
            vlan_id = None
        elif vlan_id in seen_ids:
            problems.add(path, host, f"{label}.id", f"VLAN {vlan_id} is listed twice")
        else:
            seen_ids.add(vlan_id)
        interface = vlan.get("interface")  # the default, Vlan<id>, is right for any good id
        if "interface" in vlan and (
            not isinstance(interface, str) or not re.fullmatch(r"Vlan\d+", interface)
        ):
            problems.add(path, host, f"{label}.interface", f"{interface!r} is not an SVI name such as Vlan10")
        network = parse_subnet(vlan.get("subnet"), path, host, f"{label}.subnet", problems)
        if network is not None:
            if network in seen_subnets:
                # One subnet is one broadcast domain: two SVIs cannot both be its gateway.
                problems.add(
                    path,
                    host,
                    f"{label}.subnet",
                    f"{network} is already the subnet of {seen_subnets[network]}; "
                    "each VLAN has a subnet of its own",
                )
            else:
                seen_subnets[network] = f"VLAN {vlan_id} ({label})"
        gateway = parse_address(vlan.get("gateway"), path, host, f"{label}.gateway", problems)
        if (
            network is not None
            and gateway is not None
            and check_host_address(
                gateway, network, path, host, f"{label}.gateway", problems, "the VLAN's subnet"
            )
        ):
            owners.setdefault(gateway, f"the gateway of VLAN {vlan_id} ({label}.gateway)")
        if network is not None:
            valid.append(network)
    return valid


def check_switch(site: Site, paths: Paths, problems: ProblemCollector, subnets, owners: dict, server) -> None:
    """The switch: an address of its own, normally on one of the site's subnets."""
    path, host, settings = paths.overrides, site.host, site.settings
    switch = settings.get("switch")
    if settings.get("vlans") and switch is None:
        problems.add(path, host, "switch", "VLANs are listed but no switch says where to relay them")
    if switch is None or not check_fields(switch, SWITCH_FIELDS, path, host, "switch.", problems):
        return
    if "ip" not in switch:
        problems.add(path, host, "switch.ip", "missing: the address the toolkit reaches the switch at")
    else:
        address = parse_address(switch["ip"], path, host, "switch.ip", problems)
        if address is not None:
            if address == server:
                problems.add(
                    path,
                    host,
                    "switch.ip",
                    f"{address} is the address of the DHCP server (dhcp_server_ip); the switch needs its own",
                )
            elif not any(address in subnet for subnet in subnets):
                # A switch managed from a network of its own (out of band) is a legitimate design.
                problems.warn(
                    path,
                    host,
                    "switch.ip",
                    f"{address} is outside every subnet of the site ({', '.join(map(str, subnets))}); "
                    "right only if the switch is managed from a network of its own",
                )
            # The switch is the VLANs' gateway: it may well have the router's or a gateway's address.
            owners.setdefault(address, "the switch (switch.ip)")
    transport = switch.get("transport", "ssh")
    if not isinstance(transport, str) or transport not in SWITCH_TRANSPORTS:
        problems.add(path, host, "switch.transport", f"{transport!r} is not ssh or telnet")


def check_workstations(site: Site, paths: Paths, problems: ProblemCollector, subnets, owners: dict) -> None:
    """Each workstation: a name Windows can take, an address on the site, IDs the client can store."""
    path, host = paths.overrides, site.host
    for label, station in entries(site, "workstations", WORKSTATION_FIELDS, paths, problems):
        name = station.get("name")
        problem = netbios_name_problem(name)
        if problem is None and not slugify(name, abbreviate=False):
            problem = "has no letter or digit to make a host name of"
        if problem:
            problems.add(path, host, f"{label}.name", f"{name!r} {problem}")
        if "ip" in station:
            address = parse_address(station["ip"], path, host, f"{label}.ip", problems)
            if address is not None:
                check_workstation_address(address, subnets, owners, path, host, f"{label}.ip", problems)
                owners.setdefault(address, f"workstation {name!r} ({label}.ip)")
        terminal = station.get("terminal_id")
        if terminal is not None and not (isinstance(terminal, str) and terminal.strip()):
            problems.add(path, host, f"{label}.terminal_id", f"{terminal!r} is not a Terminal ID (quote it)")
        elif terminal is not None and not is_ascii(terminal):
            problems.add(
                path,
                host,
                f"{label}.terminal_id",
                f"{terminal!r} has letters outside ASCII, which the customs client cannot store",
            )
        user_id = station.get("user_id")
        if user_id is not None and not (isinstance(user_id, str) and _USER_ID.fullmatch(user_id.strip())):
            problems.add(
                path,
                host,
                f"{label}.user_id",
                f"{user_id!r} is not a User ID: 8 letters or digits, the 5-character User Code and the "
                "3-character User Identification (Appendix II)",
            )
        version = station.get("os")
        if version is not None and str(version) not in WORKSTATION_VERSIONS:
            problems.add(path, host, f"{label}.os", f"{version!r} is not one of xp, 7, 10")


def check_workstation_address(address, subnets, owners, path, host, name, problems: ProblemCollector) -> None:
    """A workstation is on the site's subnet or one of its VLANs', at an address no other device has."""
    subnet = next((subnet for subnet in subnets if address in subnet), None)
    if subnet is None:
        problems.add(
            path,
            host,
            name,
            f"{address} is outside every subnet of the site ({', '.join(map(str, subnets))})",
        )
    elif not check_host_address(address, subnet, path, host, name, problems):
        return
    elif address in owners:
        problems.add(path, host, name, f"{address} is already the address of {owners[address]}")


def id_key(value: str) -> str:
    """How the client and Windows tell two IDs apart: not by case, nor by surrounding blanks.

    No public source says how the customs client compares Terminal IDs or User IDs; ignoring case
    and blanks is the stricter reading: it refuses more duplicates, never fewer.
    """
    return value.strip().upper()


def check_fleet(
    departments: list[Department],
    regions: list[Region],
    sites: list[Site],
    paths: Paths,
    problems: ProblemCollector,
) -> None:
    """What must hold across all sites: unique host names and IDs, scope texts netsh can take."""
    check_host_names(regions, sites, paths, problems)
    check_workstation_ids(sites, paths, problems)
    check_scope_texts(departments, sites, paths, problems)


def check_host_names(
    regions: list[Region], sites: list[Site], paths: Paths, problems: ProblemCollector
) -> None:
    """No two hosts of any kind share a name, compared without case as Windows compares names."""
    seen: dict[str, str] = {}

    def claim(name: str, what: str, path, site: str, field_name: str) -> None:
        key = name.casefold()
        if key in seen:
            problems.add(
                path,
                site,
                field_name,
                f"host name {name!r} of {what} is already the host name of {seen[key]}; rename one of them",
            )
        else:
            seen[key] = what

    for region in regions:
        claim(
            region.host,
            f"the base server of region {region.slug}",
            paths.base_servers,
            f"region {region.slug}",
            "slug",
        )
    for site in sites:
        claim(site.host, f"the DHCP server of site {site.host}", paths.sites, site.host, "name_vi")
    for site in sites:
        if isinstance(site.settings.get("switch"), dict):
            claim(f"{site.host}-sw", f"the switch of site {site.host}", paths.overrides, site.host, "switch")
    for site in sites:
        for position, station in enumerate(site.settings.get("workstations") or []):
            name = station.get("name") if isinstance(station, dict) else None
            if isinstance(name, str) and slugify(name, abbreviate=False):
                claim(
                    f"{site.host}-{slugify(name, abbreviate=False)}",
                    f"workstation {name!r} of site {site.host}",
                    paths.overrides,
                    site.host,
                    f"workstations[{position}].name",
                )


def check_workstation_ids(sites: list[Site], paths: Paths, problems: ProblemCollector) -> None:
    """Article 15: Terminal IDs and User IDs are never duplicated, anywhere in the fleet."""
    for key, what in (("terminal_id", "Terminal ID"), ("user_id", "User ID")):
        seen: dict[str, str] = {}
        for site in sites:
            for position, station in enumerate(site.settings.get("workstations") or []):
                value = station.get(key) if isinstance(station, dict) else None
                if not isinstance(value, str) or not value.strip():
                    continue  # reported by check_workstations
                owner = f"workstation {station.get('name')!r} of site {site.host}"
                if id_key(value) in seen:
                    problems.add(
                        paths.overrides,
                        site.host,
                        f"workstations[{position}].{key}",
                        f"{what} {value!r} of {owner} is already used by {seen[id_key(value)]} "
                        "(Article 15: connection parameters are never duplicated)",
                    )
                else:
                    seen[id_key(value)] = owner


def check_scope_texts(
    departments: list[Department], sites: list[Site], paths: Paths, problems: ProblemCollector
) -> None:
    """The scope names (site names) and comments (department names) as netsh will be given them."""
    for department in departments:
        problem = scope_text_problem(ascii_fold(department.name_vi))
        if problem:
            problems.add(
                paths.sites, department.name_vi, "name_vi", f"as a DHCP scope comment, the name {problem}"
            )
    for site in sites:
        ids = [vlan.get("id") for vlan in site.settings.get("vlans") or [] if isinstance(vlan, dict)]
        longest = max(
            [ascii_fold(site.name_vi)]
            + [
                vlan_scope_name(ascii_fold(site.name_vi), vlan_id)
                for vlan_id in ids
                if isinstance(vlan_id, int)
            ],
            key=len,
        )
        problem = scope_text_problem(longest)
        if problem:
            problems.add(
                paths.sites, site.host, "name_vi", f"as a DHCP scope name ({longest!r}), the name {problem}"
            )
