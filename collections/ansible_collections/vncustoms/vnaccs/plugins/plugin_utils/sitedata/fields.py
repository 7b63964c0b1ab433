# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fields each data file may hold (site_overrides.yml above all), and the values some take.

A key that is not listed here is refused, at every level of every file: a misspelt key (`site:`
for `sites:`) would otherwise drop everything under it without a word.
"""

from __future__ import annotations

from .problems import ProblemCollector

WINDOWS_SERVER_VERSIONS = ("2003", "2008")
WORKSTATION_VERSIONS = ("xp", "7", "10")
SWITCH_TRANSPORTS = ("ssh", "telnet")
# The software that serves a site's DHCP scopes and relays its VLANs; the first is the default.
DHCP_BACKENDS = ("windows", "kea")
RELAY_BACKENDS = ("ios", "linux")

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
    "dhcp_backend": "what serves the site's DHCP scopes: windows (default) or kea (ISC Kea on Debian)",
    "relay_backend": "what relays the VLANs' DHCP: ios (the Cisco switch, default) or linux (isc-dhcp-relay)",
    "vlans": "VLANs the branch switch routes ({id, subnet, gateway, interface})",
    "vlans_exclusive": "remove helper addresses the inventory does not list from the VLANs",
    "stale_helpers": "helper addresses to remove from the VLAN interfaces",
    "switch": "the branch switch that is the VLANs' gateway ({ip, transport})",
    "workstations": "customs workstations ({name, ip, terminal_id, user_id, os})",
}
# Site fields whose value is a list of entries.
SITE_LIST_FIELDS = ("vlans", "exclusions", "workstations", "stale_helpers")
LAYER_FIELDS = {
    "dns_servers",
    "domain_name",
    "windows_version",
    "vlans_exclusive",
    "dhcp_backend",
    "relay_backend",
}
VLAN_FIELDS = {"id", "subnet", "gateway", "interface"}
SWITCH_FIELDS = {"ip", "transport"}
WORKSTATION_FIELDS = {"name", "ip", "terminal_id", "user_id", "os"}
EXCLUSION_FIELDS = {"start", "end"}
BASE_SERVER_FIELDS = {"ip", "windows_version"}

# The top level of each file, and what its entries hold.
OVERRIDES_SECTIONS = {"defaults", "departments", "sites", "base_servers"}
SITES_FILE_FIELDS = {"source", "departments"}
DEPARTMENT_FIELDS = {"number", "name_vi", "slug", "sites", "truncated_in_source"}
SITE_ENTRY_FIELDS = {"name_vi", "slug"}
BASE_SERVERS_FILE_FIELDS = {"source", "regions"}
REGION_FIELDS = {"slug", "data_centre_vi", "rows"}
REGION_ROW_FIELDS = {"number", "name_vi", "department", "alias"}
POOLS_FILE_FIELDS = {"pools"}
LEDGER_FILE_FIELDS = {"allocations"}
# How messages name an entry of the sections keyed by host, department, region or pool slug.
SECTION_LABELS = {
    "sites": "{key}",
    "departments": "department {key}",
    "base_servers": "base server {key}",
    "allocations": "{key}",
    "pools": "pool {key}",
}


def check_fields(mapping, allowed, path, site, prefix, problems: ProblemCollector) -> bool:
    """Whether `mapping` is a mapping of `allowed` keys only; records each unknown key."""
    if not isinstance(mapping, dict):
        problems.add(path, site, prefix.rstrip(".") or None, f"must be a mapping, not {type_name(mapping)}")
        return False
    ok = True
    for key in mapping:
        if not isinstance(key, str) or key not in allowed:
            known = ", ".join(sorted(allowed))
            problems.add(path, site, f"{prefix}{key}", f"unknown field (known: {known})")
            ok = False
    return ok


def type_name(value) -> str:
    """What an admin calls the YAML type of `value`: a list, a mapping, a number, ..."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
