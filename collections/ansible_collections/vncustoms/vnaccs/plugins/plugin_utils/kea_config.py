# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The branch scopes as ISC Kea DHCPv4 subnets (the `kea` backend of the dhcp_server role).

The scopes are checked by the same rules as on Windows (`dhcp_plan.wanted_server`: a /24, the range,
router and exclusions inside it, no scope twice), so a site moves between the backends without its
data changing. Kea has no exclusion ranges: the range is split into pools around them. A scope
whose state is `inactive` hands out no address, so it gets no subnet.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.dhcp_plan import WantedScope, wanted_server
from netaddr import IPAddress, IPNetwork


def pools(range_start: str, range_end: str, exclusions: tuple[tuple[str, str], ...] = ()) -> list[str]:
    """The range less the exclusions, as Kea pool strings ("first - last"), in address order.

    The exclusions lie inside the range and do not overlap (checked by `wanted_scope`).
    """
    first, last = IPAddress(range_start), IPAddress(range_end)
    found: list[str] = []
    for low, high in sorted((IPAddress(start), IPAddress(end)) for start, end in exclusions):
        if low > first:
            found.append(f"{first} - {low - 1}")
        first = max(first, high + 1)
    if first <= last:
        found.append(f"{first} - {last}")
    return found


def subnet_id(address: str) -> int:
    """A subnet id that stays the same whatever the scopes' order: the /24's first three octets.

    Kea ties each lease to its subnet id, so a numbering by position would orphan the leases of
    every scope after one that is added or removed.
    """
    return int(IPAddress(address)) >> 8


def kea_subnet(scope: WantedScope) -> dict[str, Any]:
    """One scope as a Kea `subnet4` entry."""
    options: list[dict[str, str]] = []
    if scope.router:
        options.append({"name": "routers", "data": scope.router})
    if scope.dns_servers:
        options.append({"name": "domain-name-servers", "data": ", ".join(scope.dns_servers)})
    if scope.domain_name:
        options.append({"name": "domain-name", "data": scope.domain_name})
    network = IPNetwork(f"{scope.address}/{scope.mask}")
    return {
        "id": subnet_id(scope.address),
        "subnet": str(network.cidr),
        "pools": [{"pool": pool} for pool in pools(scope.range_start, scope.range_end, scope.exclusions)],
        "option-data": options,
        "user-context": {"name": scope.name, "comment": scope.comment},
    }


def kea_subnets(scopes: list[dict[str, Any]], fold_names: bool = True) -> list[dict[str, Any]]:
    """Every active scope as a Kea `subnet4` entry; raises `PlanError` naming the bad field."""
    wanted = wanted_server({"scopes": scopes, "fold_names": fold_names})
    return [kea_subnet(scope) for scope in wanted.scopes if scope.active]
