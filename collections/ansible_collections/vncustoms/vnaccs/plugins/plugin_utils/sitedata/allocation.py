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


class TakenSpace:
    """The IPv4 networks claimed so far, indexed so that whether a candidate overlaps any of them
    costs one look-up per prefix length, not a scan of every claim (a fleet of thousands of sites
    would make the allocation quadratic)."""

    def __init__(self) -> None:
        # (first, last) of each claimed network, by prefix length.
        self._by_prefix: dict[int, set[tuple[int, int]]] = {}

    def add(self, network: IPNetwork) -> None:
        if network.version == 4:
            self._by_prefix.setdefault(network.prefixlen, set()).add((network.first, network.last))

    def overlaps(self, candidate: IPNetwork) -> bool:
        """Whether `candidate` holds, or lies in, a claimed network: two aligned networks overlap
        only so."""
        if candidate.version != 4:
            return False
        for prefix, spans in self._by_prefix.items():
            if prefix <= candidate.prefixlen:
                # A claimed network as large or larger: the candidate's supernet of that length.
                mask = (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF
                first = candidate.first & mask
                if (first, first | (~mask & 0xFFFFFFFF)) in spans:
                    return True
            elif any(candidate.first <= first and last <= candidate.last for first, last in spans):
                # Smaller claimed networks (a /25 and below: none in valid data) are few.
                return True
        return False


def allocate(sites: list[Site], pools, ledger: dict[str, str], paths: Paths, problems: ProblemCollector):
    """Give every site its subnet: override, else ledger, else the next free /24 of its pool."""
    claimed: dict[IPNetwork, str] = {}
    taken = TakenSpace()

    def claim(network: IPNetwork, owner: str, path: Path, site: str, name: str) -> bool:
        if network in claimed and claimed[network] != owner:
            problems.add(path, site, name, f"{network} overlaps the subnet of {claimed[network]}")
            return False
        claimed[network] = owner
        taken.add(network)
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
                if not taken.overlaps(candidate)
            ),
            None,
        )
        if free is None:
            pools_text = ", ".join(str(pool) for pool in department_pools)
            problems.add(paths.pools, site.host, "pools", f"pool {pools_text} has no free /24 left")
            continue
        claimed[free] = site.host
        taken.add(free)
        site.subnet, site.subnet_source = free, "new"
        new[site.host] = str(free)
    return new, orphaned
