# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The branch address rules of Appendix IV, and reading addresses and subnets out of the data.

The readers return a netaddr value, or None after recording in `problems` why the value is not
one, so that every bad address in the data is reported in one run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from netaddr import AddrFormatError, IPAddress, IPNetwork

from .problems import ProblemCollector

# Host offsets inside a branch /24 (Appendix IV, section II: scope 50-254, length 24).
RANGE_START_OFFSET = 50
RANGE_END_OFFSET = 254
SUBNET_PREFIX = 24
SUBNET_MASK = "255.255.255.0"
# Defaults for what a site does not set: the VLAN gateway convention .1 and an application
# server at .10, both below the DHCP range so that the range never hands them out.
DEFAULT_ROUTER_OFFSET = 1
DEFAULT_DHCP_SERVER_OFFSET = 10


def parse_subnet(value: Any, path: Path, site: str | None, name: str, problems: ProblemCollector):
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


def parse_address(value: Any, path: Path, site: str | None, name: str, problems: ProblemCollector):
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


def check_host_address(
    address, network, path, site, name, problems: ProblemCollector, what="the site's subnet"
) -> bool:
    """Whether `address` is a host address of `network`; records why not."""
    if address not in network:
        problems.add(path, site, name, f"{address} is outside {what} {network}")
        return False
    if address in (network.network, network.broadcast):
        problems.add(path, site, name, f"{address} is the network or broadcast address of {network}")
        return False
    return True
