# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The department address pools, and giving every site its /24.

A site's subnet is its override, else its ledger entry, else the next /24 of its department's
pools that no site, VLAN or ledger entry holds. A recorded site never moves, and adding a site
moves no other.
"""

from __future__ import annotations

from pathlib import Path

from netaddr import AddrFormatError, IPNetwork

from .addresses import SUBNET_PREFIX, parse_subnet
from .fields import POOLS_FILE_FIELDS
from .loading import read_section, read_yaml
from .problems import ProblemCollector
from .records import Department, Paths, Site


def load_pools(paths: Paths, departments: list[Department], problems: ProblemCollector):
    """Each department's pools by slug, in list order; overlapping pools are refused."""
    raw = read_yaml(paths.pools, problems, POOLS_FILE_FIELDS, needed=("pools",))
    pools: dict[str, list[IPNetwork]] = {}
    known = {department.slug for department in departments}
    seen: list[tuple[IPNetwork, str]] = []
    for slug, cidrs in read_section(raw, "pools", paths.pools, problems).items():
        label = f"pool {slug}"
        if slug not in known:
            if departments:  # else sites.yml could not be read, and was reported
                problems.add(paths.pools, label, None, "unknown department slug")
            continue
        if isinstance(cidrs, str):
            cidrs = [cidrs]
        elif cidrs is not None and not isinstance(cidrs, list):
            problems.add(paths.pools, label, "pools", f"{cidrs!r} is not a network or a list of networks")
            continue
        for cidr in cidrs or []:
            if not isinstance(cidr, str):
                problems.add(
                    paths.pools, label, "pools", f"{cidr!r} is not a CIDR network such as 10.20.0.0/21"
                )
                continue
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


def allocate(sites: list[Site], pools, ledger: dict[str, str], paths: Paths, problems: ProblemCollector):
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
            network = parse_subnet(site.settings["subnet"], paths.overrides, site.host, "subnet", problems)
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
