# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory model: hosts, their variables and groups, built from validated site data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from netaddr import IPNetwork

from .addresses import (
    DEFAULT_DHCP_SERVER_OFFSET,
    DEFAULT_ROUTER_OFFSET,
    RANGE_END_OFFSET,
    RANGE_START_OFFSET,
    SUBNET_MASK,
)
from .records import SiteData
from .slugs import slugify


@dataclass
class InventoryModel:
    hosts: dict[str, dict[str, Any]]
    groups: dict[str, list[str]]  # group -> host names, in a stable order
    children: dict[str, list[str]]  # group -> child groups


def site_group(host: str) -> str:
    """The group of a site's hosts: `site_` and the site's host name with `_` for `-` (a group name
    must not equal a host name, and Ansible warns of `-` in one)."""
    return "site_" + host.replace("-", "_")


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
        # One group per site: its DHCP server, its switch and its workstations.
        "sites": [site_group(site.host) for site in data.sites],
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
        # Where the site's hosts reach their base server (the workstations fetch the client from it).
        region_ip = data.base_server_settings.get(region.slug, {}).get("ip")
        if region_ip:
            common["base_server_address"] = str(region_ip)
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
        # Set only when chosen: without it the roles keep their Windows and IOS backends.
        if "dhcp_backend" in settings:
            site_vars["dhcp_backend"] = settings["dhcp_backend"]
        site_vars["dhcp_scopes"] = dhcp_scopes(site_vars)
        add(site.host, site_vars, "dhcp_servers", department.group, region.group, site_group(site.host))
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
                    **relay_backend_vars(settings),
                },
                "switches",
                department.group,
                region.group,
                site_group(site.host),
            )
        for station in settings.get("workstations") or []:
            station_vars = {**common, "workstation_name": station["name"]}
            if "ip" in station:
                station_vars["ansible_host"] = station["ip"]
            # Written as the client stores them: without surrounding blanks (see validation).
            for key in ("terminal_id", "user_id"):
                if station.get(key):
                    station_vars[key] = station[key].strip()
            if station.get("os") is not None:
                station_vars["windows_version"] = str(station["os"])
            add(
                f"{site.host}-{slugify(station['name'], abbreviate=False)}",
                station_vars,
                "workstations",
                department.group,
                region.group,
                site_group(site.host),
            )
    return InventoryModel(hosts=hosts, groups=groups, children=children)


def relay_backend_vars(settings: dict[str, Any]) -> dict[str, Any]:
    """The relay host's variables for a site's `relay_backend`; none for the default (IOS).

    A Linux relay is a Debian host managed over SSH: its connection replaces the switches' group
    default (network_cli).
    """
    if "relay_backend" not in settings:
        return {}
    backend = settings["relay_backend"]
    extra: dict[str, Any] = {"relay_backend": backend}
    if backend == "linux":
        extra["ansible_connection"] = "ansible.builtin.ssh"
    return extra


def vlan_scope_name(site_name: str, vlan_id: int) -> str:
    """The name of the scope a site's DHCP server serves for one of its VLANs."""
    return f"{site_name} VLAN {vlan_id}"


def dhcp_scopes(site_vars: dict[str, Any]) -> list[dict[str, Any]]:
    """Every scope a site's DHCP server serves, from the site host's other variables.

    The site's own scope first, then one per VLAN whose subnet is not the site subnet (those reach
    the server through the switch's relay), in VLAN order: .50 to .254 of the VLAN's /24 (Appendix
    IV, section II), the VLAN's gateway as router, no exclusions. Every scope hands out the site's
    DNS servers and domain. Each scope gets lists of its own, so that none is shared between
    scopes or with the other variables.
    """
    site_network = IPNetwork(site_vars["site_subnet"])

    def scope(network, name, range_start, range_end, exclusions, router) -> dict[str, Any]:
        return {
            "address": str(network.network),
            "mask": SUBNET_MASK,
            "name": name,
            "comment": site_vars["department_name_vi"],
            "range_start": range_start,
            "range_end": range_end,
            "exclusions": exclusions,
            "router": router,
            "dns_servers": list(site_vars["dhcp_dns_servers"]),
            "domain_name": site_vars.get("dhcp_domain_name", ""),
        }

    scopes = [
        scope(
            site_network,
            site_vars["site_name_vi"],
            site_vars["dhcp_range_start"],
            site_vars["dhcp_range_end"],
            [dict(item) for item in site_vars["dhcp_exclusions"]],
            site_vars["dhcp_router"],
        )
    ]
    for vlan in site_vars["site_vlans"]:
        network = IPNetwork(vlan["subnet"])
        if network == site_network:
            continue  # the server is on this VLAN itself: the site scope serves it
        scopes.append(
            scope(
                network,
                vlan_scope_name(site_vars["site_name_vi"], vlan["id"]),
                str(network[RANGE_START_OFFSET]),
                str(network[RANGE_END_OFFSET]),
                [],
                vlan["gateway"],
            )
        )
    return scopes
