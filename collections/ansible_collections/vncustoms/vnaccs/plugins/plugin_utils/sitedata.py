# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Site data: load, validate, allocate addresses, and build the inventory model.

The input files live under ``inventory/`` (see the README there):

* ``data/sites.yml``          Appendix IV: departments and their sites (transcription)
* ``data/base_servers.yml``   Appendix III: which regional base server serves each department
* ``data/address_pools.yml``  per-department address pools for automatic /24 allocation
* ``data/address_ledger.yml`` committed record of the /24 given to each site
* ``site_overrides.yml``      what an admin fills in per site (subnet, VLANs, switch, ...)

Everything is validated before anything is returned: :func:`load_site_data` raises
:class:`SiteDataError` listing every problem, each naming the file, the site and the field.
This module is shared by the ``vncustoms.vnaccs.sites`` inventory plugin and ``tasks.py``; it
runs on the controller only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from netaddr import AddrFormatError, IPAddress, IPNetwork

# Host offsets inside a branch /24 (Appendix IV, section II: scope 50-254, length 24).
RANGE_START_OFFSET = 50
RANGE_END_OFFSET = 254
SUBNET_PREFIX = 24
SUBNET_MASK = "255.255.255.0"
# Defaults for what a site does not set: the VLAN gateway convention .1 and an application
# server at .10, both below the DHCP range so that the range never hands them out.
DEFAULT_ROUTER_OFFSET = 1
DEFAULT_DHCP_SERVER_OFFSET = 10

WINDOWS_SERVER_VERSIONS = ("2003", "2008")
WORKSTATION_VERSIONS = ("xp", "7", "10")
SWITCH_TRANSPORTS = ("ssh", "telnet")

# Fields an admin may set per site (or per department, or under `defaults`), with a one-line
# meaning shown in errors about unknown fields.
SITE_FIELDS = {
    "subnet": "the site's /24 (CIDR); without it the site gets one from its department's pool",
    "router": "default gateway handed out as option 003 (default: .1)",
    "dhcp_server_ip": "address of the Windows server that runs the DHCP service (default: .10)",
    "dhcp_range_start": "first address of the DHCP range (default: .50)",
    "dhcp_range_end": "last address of the DHCP range (default: .254)",
    "dns_servers": "DNS servers handed out as option 006",
    "domain_name": "DNS domain handed out as option 015",
    "exclusions": "address ranges inside the DHCP range never handed out ({start, end})",
    "windows_version": "Windows Server version of the DHCP server: 2003 or 2008",
    "vlans": "VLANs the branch switch routes ({id, subnet, gateway, interface})",
    "vlans_exclusive": "remove helper addresses the inventory does not list from the VLANs",
    "stale_helpers": "helper addresses to remove from the VLAN interfaces",
    "switch": "the branch switch that is the VLANs' gateway ({ip, transport})",
    "workstations": "customs workstations ({name, ip, terminal_id, os})",
}
LAYER_FIELDS = {"dns_servers", "domain_name", "windows_version", "vlans_exclusive"}
VLAN_FIELDS = {"id", "subnet", "gateway", "interface"}
SWITCH_FIELDS = {"ip", "transport"}
WORKSTATION_FIELDS = {"name", "ip", "terminal_id", "os"}
BASE_SERVER_FIELDS = {"ip", "windows_version"}

# Common words shortened in host names, so that names stay readable in `-l` and reports; applied
# to the ASCII-folded lower-case text, longest first.
SLUG_ABBREVIATIONS = (
    ("chi cuc hai quan", "cchq"),
    ("chi cuc hq", "cchq"),
    ("cua khau", "ck"),
    ("hai quan", "hq"),
)

_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")


def ascii_fold(text: str) -> str:
    """Vietnamese text without diacritics: 'Đồng Tháp' -> 'Dong Thap'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def slugify(text: str, sep: str = "-", abbreviate: bool = True) -> str:
    """A stable ASCII slug: 'Chi cục Hải quan cửa khẩu Tà lùng' -> 'cchq-ck-ta-lung'."""
    words = " ".join(_SLUG_UNSAFE.sub(" ", ascii_fold(text).lower()).split())
    if abbreviate:
        for long, short in SLUG_ABBREVIATIONS:
            words = re.sub(rf"\b{long}\b", short, words)
    return sep.join(words.split())


class SiteDataError(ValueError):
    """Bad site data; ``problems`` lists every one found, each naming file, site and field."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = [f"{len(problems)} problem(s) in the site data; nothing was changed:"]
        lines += [f"  - {problem}" for problem in problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Problem:
    file: str
    site: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.site:
            where.append(f"site {self.site}")
        if self.field:
            where.append(f"field '{self.field}'")
        return f"{': '.join(where)}: {self.message}"


@dataclass
class Department:
    number: int
    name_vi: str
    slug: str
    truncated_in_source: bool
    region: str | None = None
    appendix_iii_name_vi: str | None = None

    @property
    def group(self) -> str:
        return f"cuc_{self.slug}"


@dataclass
class Region:
    slug: str
    data_centre_vi: str
    departments: list[str]

    @property
    def group(self) -> str:
        return f"region_{self.slug}"

    @property
    def host(self) -> str:
        return f"base-{self.slug.replace('_', '-')}"


@dataclass
class Site:
    host: str
    name_vi: str
    department: Department
    index: int
    settings: dict[str, Any] = field(default_factory=dict)
    subnet: IPNetwork | None = None
    subnet_source: str = ""


@dataclass
class Paths:
    """The input files; every path is absolute or relative to the current directory."""

    sites: Path
    base_servers: Path
    pools: Path
    ledger: Path
    overrides: Path

    @classmethod
    def from_data_dir(cls, data_dir: Path | str, overrides: Path | str) -> Paths:
        """The standard file names inside `data_dir`, and the overrides file."""
        data = Path(data_dir)
        return cls(
            sites=data / "sites.yml",
            base_servers=data / "base_servers.yml",
            pools=data / "address_pools.yml",
            ledger=data / "address_ledger.yml",
            overrides=Path(overrides),
        )

    @classmethod
    def in_inventory_dir(cls, inventory_dir: Path | str) -> Paths:
        """The repository layout: `inventory/data/*.yml` and `inventory/site_overrides.yml`."""
        base = Path(inventory_dir)
        return cls.from_data_dir(base / "data", base / "site_overrides.yml")


@dataclass
class SiteData:
    departments: list[Department]
    regions: list[Region]
    sites: list[Site]
    base_server_settings: dict[str, dict[str, Any]]
    ledger: dict[str, str]
    new_allocations: dict[str, str]
    orphaned_allocations: dict[str, str]
    paths: Paths

    def ledger_after_allocation(self) -> dict[str, str]:
        """The ledger to write: every recorded allocation kept, new ones added."""
        merged = dict(self.ledger)
        merged.update(self.new_allocations)
        return merged


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: Path, site: str | None, field_name: str | None, message: str) -> None:
        self.problems.append(Problem(_display(path), site, field_name, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise SiteDataError(self.problems)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read_yaml(path: Path, problems: _Collector, required: bool = True) -> dict[str, Any]:
    if not path.exists():
        if required:
            problems.add(path, None, None, "file not found")
        return {}
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        problems.add(path, None, None, f"not valid YAML: {exc}")
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.add(path, None, None, "must be a YAML mapping at the top level")
        return {}
    return data


def _network(value: Any, path: Path, site: str | None, name: str, problems: _Collector):
    """A /24 IPNetwork from `value`, or None after recording why not."""
    if not isinstance(value, str):
        problems.add(path, site, name, f"{value!r} is not a CIDR subnet such as 10.20.1.0/24")
        return None
    try:
        network = IPNetwork(value)
    except (AddrFormatError, ValueError, TypeError):
        problems.add(path, site, name, f"{value!r} is not a valid CIDR subnet such as 10.20.1.0/24")
        return None
    if network.version != 4 or "/" not in value:
        problems.add(path, site, name, f"{value!r} is not an IPv4 subnet written as address/prefix")
        return None
    if network.prefixlen != SUBNET_PREFIX:
        problems.add(path, site, name, f"{value} is a /{network.prefixlen}; branch subnets must be /24")
        return None
    if network.ip != network.network:
        problems.add(path, site, name, f"{value} has host bits set; did you mean {network.cidr}?")
        return None
    return network


def _address(value: Any, path: Path, site: str | None, name: str, problems: _Collector):
    """An IPv4 IPAddress from `value`, or None after recording why not."""
    if not isinstance(value, str):
        problems.add(path, site, name, f"{value!r} is not an IPv4 address")
        return None
    try:
        address = IPAddress(value, flags=0)
    except (AddrFormatError, ValueError, TypeError):
        problems.add(path, site, name, f"{value!r} is not a valid IPv4 address")
        return None
    if address.version != 4 or str(address) != value.strip():
        problems.add(path, site, name, f"{value!r} is not a dotted-quad IPv4 address")
        return None
    return address


def _host_address_in(address, network, path, site, name, problems, what="the site's subnet") -> bool:
    if address not in network:
        problems.add(path, site, name, f"{address} is outside {what} {network}")
        return False
    if address in (network.network, network.broadcast):
        problems.add(path, site, name, f"{address} is the network or broadcast address of {network}")
        return False
    return True


# --------------------------------------------------------------------------------------------
# Loading the transcriptions


def _load_departments(paths: Paths, problems: _Collector) -> list[Department]:
    raw = _read_yaml(paths.sites, problems)
    departments: list[Department] = []
    seen_slugs: dict[str, str] = {}
    for position, entry in enumerate(raw.get("departments") or [], 1):
        label = f"department #{position}"
        if not isinstance(entry, dict):
            problems.add(paths.sites, label, None, "each department must be a mapping")
            continue
        name = entry.get("name_vi")
        slug = entry.get("slug")
        if not isinstance(name, str) or not name.strip():
            problems.add(paths.sites, label, "name_vi", "missing department name")
            continue
        if not isinstance(slug, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", slug):
            problems.add(paths.sites, name, "slug", f"{slug!r} must be lower-case ASCII with underscores")
            continue
        if slug in seen_slugs:
            problems.add(paths.sites, name, "slug", f"duplicate slug {slug!r} (also {seen_slugs[slug]})")
            continue
        seen_slugs[slug] = name
        if not isinstance(entry.get("sites"), list) or not entry["sites"]:
            problems.add(paths.sites, name, "sites", "a department needs a non-empty list of sites")
        departments.append(
            Department(
                number=entry.get("number", position),
                name_vi=name,
                slug=slug,
                truncated_in_source=bool(entry.get("truncated_in_source", False)),
            )
        )
    if not departments and not problems.problems:
        problems.add(paths.sites, None, "departments", "no departments found")
    return departments


def _load_sites(paths: Paths, departments: list[Department], problems: _Collector) -> list[Site]:
    raw = _read_yaml(paths.sites, _Collector())  # read errors were reported by _load_departments
    by_slug = {department.slug: department for department in departments}
    sites: list[Site] = []
    hosts: dict[str, str] = {}
    for entry in raw.get("departments") or []:
        department = by_slug.get(entry.get("slug")) if isinstance(entry, dict) else None
        if department is None or not isinstance(entry.get("sites"), list):
            continue
        for index, site_entry in enumerate(entry["sites"], 1):
            if isinstance(site_entry, str):
                name, host_slug = site_entry, slugify(site_entry)
            elif isinstance(site_entry, dict) and isinstance(site_entry.get("name_vi"), str):
                # A site may pin its host name explicitly: {name_vi: ..., slug: ...}
                name, host_slug = (
                    site_entry["name_vi"],
                    site_entry.get("slug") or slugify(site_entry["name_vi"]),
                )
            else:
                problems.add(paths.sites, f"{department.name_vi} #{index}", "name_vi", "missing site name")
                continue
            host = f"{department.slug.replace('_', '-')}-{host_slug}"
            if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", host):
                problems.add(paths.sites, name, "slug", f"host name {host!r} is not a lower-case ASCII slug")
                continue
            if host in hosts:
                problems.add(
                    paths.sites,
                    f"{host} ({name})",
                    "slug",
                    f"duplicate host name {host!r}: also used by {hosts[host]!r}; "
                    "give one of them an explicit slug",
                )
                continue
            hosts[host] = name
            sites.append(Site(host=host, name_vi=name, department=department, index=index))
    return sites


def _load_regions(paths: Paths, departments: list[Department], problems: _Collector) -> list[Region]:
    raw = _read_yaml(paths.base_servers, problems)
    by_slug = {department.slug: department for department in departments}
    regions: list[Region] = []
    for entry in raw.get("regions") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("slug"), str):
            problems.add(paths.base_servers, None, "slug", f"region without a slug: {entry!r}")
            continue
        region = Region(slug=entry["slug"], data_centre_vi=entry.get("data_centre_vi", ""), departments=[])
        for row in entry.get("rows") or []:
            row_name = row.get("name_vi") if isinstance(row, dict) else None
            target = row.get("department") if isinstance(row, dict) else None
            if target is None:
                continue  # a department that already has DHCP servers: nothing to place
            department = by_slug.get(target)
            if department is None:
                problems.add(
                    paths.base_servers,
                    row_name,
                    "department",
                    f"unknown department {target!r}: no Appendix IV department has this slug",
                )
                continue
            if department.region is not None:
                problems.add(
                    paths.base_servers,
                    row_name,
                    "department",
                    f"{department.name_vi} is already served by region {department.region!r}",
                )
                continue
            department.region = region.slug
            department.appendix_iii_name_vi = row_name
            region.departments.append(department.slug)
        regions.append(region)
    for department in departments:
        if department.region is None:
            problems.add(
                paths.base_servers,
                department.name_vi,
                "department",
                f"cannot place department {department.slug!r} in any base-server region: "
                "add its Appendix III row (with an alias if Appendix III names it differently)",
            )
    return regions


# --------------------------------------------------------------------------------------------
# Overrides


def _merge_layers(*layers: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update(layer or {})
    return merged


def _check_fields(mapping, allowed, path, site, prefix, problems) -> bool:
    if not isinstance(mapping, dict):
        problems.add(path, site, prefix or None, f"must be a mapping, not {type(mapping).__name__}")
        return False
    ok = True
    for key in mapping:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            problems.add(path, site, f"{prefix}{key}", f"unknown field (known: {known})")
            ok = False
    return ok


def _load_overrides(paths, departments, sites, regions, problems):
    raw = _read_yaml(paths.overrides, problems, required=False)
    defaults = raw.get("defaults") or {}
    _check_fields(defaults, LAYER_FIELDS, paths.overrides, "defaults", "", problems)
    department_layers = raw.get("departments") or {}
    known_departments = {department.slug for department in departments}
    for slug, layer in department_layers.items():
        if slug not in known_departments:
            problems.add(paths.overrides, f"department {slug}", None, "unknown department slug")
        else:
            _check_fields(layer, LAYER_FIELDS, paths.overrides, f"department {slug}", "", problems)
    site_layers = raw.get("sites") or {}
    by_host = {site.host: site for site in sites}
    for host, layer in site_layers.items():
        if host not in by_host:
            problems.add(paths.overrides, host, None, "unknown site host name (see `./run inventory`)")
        else:
            _check_fields(layer, SITE_FIELDS, paths.overrides, host, "", problems)
    for site in sites:
        site.settings = _merge_layers(
            defaults if isinstance(defaults, dict) else {},
            department_layers.get(site.department.slug) or {},
            site_layers.get(site.host) or {},
        )
    base_servers = raw.get("base_servers") or {}
    known_regions = {region.slug for region in regions}
    for slug, settings in base_servers.items():
        label = f"base server {slug}"
        if slug not in known_regions:
            problems.add(paths.overrides, label, None, "unknown base-server region")
            continue
        if not _check_fields(settings, BASE_SERVER_FIELDS, paths.overrides, label, "", problems):
            continue
        if "ip" in settings:
            _address(settings["ip"], paths.overrides, label, "ip", problems)
        version = settings.get("windows_version")
        if version is not None and str(version) not in WINDOWS_SERVER_VERSIONS:
            problems.add(paths.overrides, label, "windows_version", f"{version!r} is not 2003 or 2008")
    return {slug: settings for slug, settings in base_servers.items() if isinstance(settings, dict)}


# --------------------------------------------------------------------------------------------
# Addresses


def _load_pools(paths: Paths, departments: list[Department], problems: _Collector):
    raw = _read_yaml(paths.pools, problems)
    pools: dict[str, list[IPNetwork]] = {}
    known = {department.slug for department in departments}
    seen: list[tuple[IPNetwork, str]] = []
    for slug, cidrs in (raw.get("pools") or {}).items():
        label = f"pool {slug}"
        if slug not in known:
            problems.add(paths.pools, label, None, "unknown department slug")
            continue
        if isinstance(cidrs, str):
            cidrs = [cidrs]
        for cidr in cidrs or []:
            try:
                network = IPNetwork(cidr)
            except (AddrFormatError, ValueError, TypeError):
                problems.add(paths.pools, label, "pools", f"{cidr!r} is not a valid CIDR network")
                continue
            if network.prefixlen > SUBNET_PREFIX or network.ip != network.network:
                problems.add(paths.pools, label, "pools", f"{cidr} must be a network of /24 or larger")
                continue
            for other, owner in seen:
                if network in other or other in network:
                    problems.add(paths.pools, label, "pools", f"{cidr} overlaps {other} of pool {owner}")
            seen.append((network, slug))
            pools.setdefault(slug, []).append(network)
    return pools


def _load_ledger(paths: Paths, problems: _Collector) -> dict[str, str]:
    raw = _read_yaml(paths.ledger, problems, required=False)
    ledger: dict[str, str] = {}
    for host, cidr in (raw.get("allocations") or {}).items():
        if _network(cidr, paths.ledger, host, "allocations", problems) is not None:
            ledger[host] = cidr
    return ledger


def _allocate(sites, pools, ledger, paths, problems):
    """Give every site its subnet: override, else ledger, else the next free /24 of its pool."""
    claimed: dict[IPNetwork, str] = {}

    def claim(network: IPNetwork, owner: str, path: Path, site: str, name: str) -> bool:
        if network in claimed and claimed[network] != owner:
            problems.add(path, site, name, f"{network} overlaps the subnet of {claimed[network]}")
            return False
        claimed[network] = owner
        return True

    by_host = {site.host: site for site in sites}
    # Overrides first: an admin's explicit subnet outranks any recorded allocation.
    for site in sites:
        if "subnet" in site.settings:
            network = _network(site.settings["subnet"], paths.overrides, site.host, "subnet", problems)
            if network is not None and claim(network, site.host, paths.overrides, site.host, "subnet"):
                site.subnet, site.subnet_source = network, "override"
    orphaned: dict[str, str] = {}
    for host, cidr in ledger.items():
        network = IPNetwork(cidr)
        site = by_host.get(host)
        if site is None:
            # A site that left the list keeps its /24 reserved until someone removes the entry.
            orphaned[host] = cidr
            claim(network, host, paths.ledger, host, "allocations")
        elif site.subnet is None and claim(network, host, paths.ledger, host, "allocations"):
            site.subnet, site.subnet_source = network, "ledger"
    new: dict[str, str] = {}
    # VLAN subnets are taken too, so that no automatic allocation lands on one. A VLAN may be
    # the site's own subnet (the DHCP server is then on it, and needs no relay).
    for site in sites:
        for position, vlan in enumerate(site.settings.get("vlans") or []):
            if not isinstance(vlan, dict) or not isinstance(vlan.get("subnet"), str):
                continue
            try:
                network = IPNetwork(vlan["subnet"])
            except (AddrFormatError, ValueError):
                continue  # reported by the VLAN checks
            if network != site.subnet:
                claim(network, site.host, paths.overrides, site.host, f"vlans[{position}].subnet")
    for site in sites:
        if site.subnet is not None or "subnet" in site.settings:
            continue
        department_pools = pools.get(site.department.slug)
        if not department_pools:
            problems.add(
                paths.pools,
                site.host,
                "pools",
                f"no subnet set and no address pool for department {site.department.slug!r}",
            )
            continue
        free = next(
            (
                candidate
                for pool in department_pools
                for candidate in pool.subnet(SUBNET_PREFIX)
                if not any(candidate in taken or taken in candidate for taken in claimed)
            ),
            None,
        )
        if free is None:
            pools_text = ", ".join(str(pool) for pool in department_pools)
            problems.add(paths.pools, site.host, "pools", f"pool {pools_text} has no free /24 left")
            continue
        claimed[free] = site.host
        site.subnet, site.subnet_source = free, "new"
        new[site.host] = str(free)
    return new, orphaned


# --------------------------------------------------------------------------------------------
# Per-site checks of what an admin filled in


def _check_site(site: Site, paths: Paths, problems: _Collector, terminal_ids: dict[str, str]) -> None:
    path, host, settings, network = paths.overrides, site.host, site.settings, site.subnet
    if network is None:
        return
    start = end = None
    for name, offset in (("dhcp_range_start", RANGE_START_OFFSET), ("dhcp_range_end", RANGE_END_OFFSET)):
        value = settings.get(name, str(network[offset]))
        address = _address(value, path, host, name, problems)
        if address is not None and _host_address_in(address, network, path, host, name, problems):
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
        address = _address(settings.get(name, str(network[offset])), path, host, name, problems)
        if (
            name == "router"
            and address is not None
            and _host_address_in(address, network, path, host, name, problems)
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
            _address(value, path, host, f"dns_servers[{position}]", problems)
    domain = settings.get("domain_name")
    if domain is not None and not (
        isinstance(domain, str) and re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?", domain)
    ):
        problems.add(path, host, "domain_name", f"{domain!r} is not a DNS domain name")
    version = settings.get("windows_version")
    if version is not None and str(version) not in WINDOWS_SERVER_VERSIONS:
        problems.add(path, host, "windows_version", f"{version!r} is not one of 2003, 2008")
    for position, exclusion in enumerate(settings.get("exclusions") or []):
        label = f"exclusions[{position}]"
        if not _check_fields(exclusion, {"start", "end"}, path, host, f"{label}.", problems):
            continue
        bounds = [
            _address(exclusion.get(key), path, host, f"{label}.{key}", problems) for key in ("start", "end")
        ]
        if None in bounds:
            continue
        low, high = bounds
        if low > high:
            problems.add(path, host, label, f"start {low} is after end {high}")
        elif not (in_range(low) and in_range(high)):
            problems.add(path, host, label, f"{low}-{high} is not inside the DHCP range {start}-{end}")
    _check_vlans(site, paths, problems)
    switch = settings.get("switch")
    if switch is not None and _check_fields(switch, SWITCH_FIELDS, path, host, "switch.", problems):
        _address(switch.get("ip"), path, host, "switch.ip", problems)
        if switch.get("transport", "ssh") not in SWITCH_TRANSPORTS:
            problems.add(path, host, "switch.transport", f"{switch.get('transport')!r} is not ssh or telnet")
    if settings.get("vlans") and switch is None:
        problems.add(path, host, "switch", "VLANs are listed but no switch says where to relay them")
    for position, value in enumerate(settings.get("stale_helpers") or []):
        _address(value, path, host, f"stale_helpers[{position}]", problems)
    _check_workstations(site, paths, problems, terminal_ids)


def _check_vlans(site: Site, paths: Paths, problems: _Collector) -> None:
    path, host = paths.overrides, site.host
    seen_ids: set[int] = set()
    for position, vlan in enumerate(site.settings.get("vlans") or []):
        label = f"vlans[{position}]"
        if not _check_fields(vlan, VLAN_FIELDS, path, host, f"{label}.", problems):
            continue
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
        network = _network(vlan.get("subnet"), path, host, f"{label}.subnet", problems)
        gateway = _address(vlan.get("gateway"), path, host, f"{label}.gateway", problems)
        if network is not None and gateway is not None:
            _host_address_in(gateway, network, path, host, f"{label}.gateway", problems, "the VLAN's subnet")


def _check_workstations(site, paths, problems, terminal_ids) -> None:
    path, host = paths.overrides, site.host
    names: set[str] = set()
    for position, station in enumerate(site.settings.get("workstations") or []):
        label = f"workstations[{position}]"
        if not _check_fields(station, WORKSTATION_FIELDS, path, host, f"{label}.", problems):
            continue
        name = station.get("name")
        if not isinstance(name, str) or not slugify(name, abbreviate=False):
            problems.add(path, host, f"{label}.name", f"{name!r} is not a workstation name")
            continue
        if slugify(name, abbreviate=False) in names:
            problems.add(path, host, f"{label}.name", f"workstation {name!r} is listed twice")
        names.add(slugify(name, abbreviate=False))
        if "ip" in station:
            _address(station["ip"], path, host, f"{label}.ip", problems)
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


def load_site_data(paths: Paths) -> SiteData:
    """Load and validate everything; raise SiteDataError listing every problem found."""
    problems = _Collector()
    departments = _load_departments(paths, problems)
    sites = _load_sites(paths, departments, problems)
    regions = _load_regions(paths, departments, problems)
    base_server_settings = _load_overrides(paths, departments, sites, regions, problems)
    pools = _load_pools(paths, departments, problems)
    ledger = _load_ledger(paths, problems)
    problems.raise_if_any()  # allocation needs clean input
    new, orphaned = _allocate(sites, pools, ledger, paths, problems)
    terminal_ids: dict[str, str] = {}
    for site in sites:
        _check_site(site, paths, problems, terminal_ids)
    problems.raise_if_any()
    return SiteData(
        departments=departments,
        regions=regions,
        sites=sites,
        base_server_settings=base_server_settings,
        ledger=ledger,
        new_allocations=new,
        orphaned_allocations=orphaned,
        paths=paths,
    )


# --------------------------------------------------------------------------------------------
# The inventory model


@dataclass
class InventoryModel:
    hosts: dict[str, dict[str, Any]]
    groups: dict[str, list[str]]  # group -> host names, in a stable order
    children: dict[str, list[str]]  # group -> child groups


def build_inventory(data: SiteData) -> InventoryModel:
    """Hosts, their variables and groups, from validated site data."""
    hosts: dict[str, dict[str, Any]] = {}
    groups: dict[str, list[str]] = {
        "dhcp_servers": [],
        "switches": [],
        "base_servers": [],
        "workstations": [],
    }
    children: dict[str, list[str]] = {
        "windows": ["dhcp_servers", "base_servers", "workstations"],
        "departments": [department.group for department in data.departments],
        "regions": [region.group for region in data.regions],
    }
    regions = {region.slug: region for region in data.regions}

    def add(host: str, host_vars: dict[str, Any], *group_names: str) -> None:
        hosts[host] = host_vars
        for group in group_names:
            groups.setdefault(group, []).append(host)

    for region in data.regions:
        settings = data.base_server_settings.get(region.slug, {})
        host_vars: dict[str, Any] = {
            "base_server_region": region.slug,
            "base_server_name_vi": region.data_centre_vi,
            "base_server_departments": list(region.departments),
        }
        if "ip" in settings:
            host_vars["ansible_host"] = settings["ip"]
        if "windows_version" in settings:
            host_vars["windows_version"] = str(settings["windows_version"])
        add(region.host, host_vars, "base_servers", region.group)
    for department in data.departments:
        groups.setdefault(department.group, [])
    for site in data.sites:
        settings, network, department = site.settings, site.subnet, site.department
        region = regions[department.region]
        vlans = [
            {
                "id": vlan["id"],
                "interface": vlan.get("interface", f"Vlan{vlan['id']}"),
                "subnet": vlan["subnet"],
                "gateway": vlan["gateway"],
            }
            for vlan in settings.get("vlans") or []
        ]
        dhcp_server_ip = settings.get("dhcp_server_ip", str(network[DEFAULT_DHCP_SERVER_OFFSET]))
        common = {
            "site_name_vi": site.name_vi,
            "site_host": site.host,
            "department_name_vi": department.name_vi,
            "department_slug": department.slug,
            "base_server_region": region.slug,
            "base_server_host": region.host,
        }
        site_vars = {
            **common,
            "ansible_host": dhcp_server_ip,
            "site_subnet": str(network.cidr),
            # "pool" whether or not the ledger has recorded it yet, so that recording changes nothing
            "site_subnet_source": "override" if site.subnet_source == "override" else "pool",
            "dhcp_server_ip": dhcp_server_ip,
            "dhcp_range_start": settings.get("dhcp_range_start", str(network[RANGE_START_OFFSET])),
            "dhcp_range_end": settings.get("dhcp_range_end", str(network[RANGE_END_OFFSET])),
            "dhcp_subnet_mask": SUBNET_MASK,
            "dhcp_router": settings.get("router", str(network[DEFAULT_ROUTER_OFFSET])),
            "dhcp_dns_servers": list(settings.get("dns_servers", [])),
            "dhcp_exclusions": [dict(item) for item in settings.get("exclusions") or []],
            "site_vlans": vlans,
        }
        if settings.get("domain_name"):
            site_vars["dhcp_domain_name"] = settings["domain_name"]
        if settings.get("windows_version") is not None:
            site_vars["windows_version"] = str(settings["windows_version"])
        add(site.host, site_vars, "dhcp_servers", department.group, region.group)
        switch = settings.get("switch")
        if switch:
            add(
                f"{site.host}-sw",
                {
                    **common,
                    "ansible_host": switch["ip"],
                    "switch_transport": switch.get("transport", "ssh"),
                    "dhcp_server_ip": dhcp_server_ip,
                    "site_vlans": vlans,
                    "site_vlans_exclusive": bool(settings.get("vlans_exclusive", False)),
                    "site_stale_helpers": list(settings.get("stale_helpers") or []),
                },
                "switches",
                department.group,
                region.group,
            )
        for station in settings.get("workstations") or []:
            station_vars = {**common, "workstation_name": station["name"]}
            if "ip" in station:
                station_vars["ansible_host"] = station["ip"]
            if station.get("terminal_id"):
                station_vars["terminal_id"] = station["terminal_id"]
            if station.get("os") is not None:
                station_vars["windows_version"] = str(station["os"])
            add(
                f"{site.host}-{slugify(station['name'], abbreviate=False)}",
                station_vars,
                "workstations",
                department.group,
                region.group,
            )
    return InventoryModel(hosts=hosts, groups=groups, children=children)


def write_ledger(data: SiteData, path: Path | None = None) -> bool:
    """Write the ledger with new allocations added; return whether the file changed."""
    path = path or data.paths.ledger
    order = {site.host: position for position, site in enumerate(data.sites)}
    merged = data.ledger_after_allocation()
    hosts = sorted(merged, key=lambda host: (order.get(host, len(order)), host))
    lines = [
        "---",
        "# Address ledger: the /24 given to each site that has no subnet in site_overrides.yml.",
        "# Written by `./run inventory`; commit it. An entry is never moved or reused by the",
        "# allocator; delete one by hand only when that site's subnet is really given back.",
        "allocations:",
    ]
    lines += [f"  {host}: {merged[host]}" for host in hosts] if hosts else ["  {}"]
    text = "\n".join(lines) + "\n"
    if hosts == []:
        text = text.replace("allocations:\n  {}", "allocations: {}")
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if old == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
