"""Invoke tasks for the site data: `inventory` (validate, record, snapshot) and the address plan."""

from __future__ import annotations

import copy
import itertools
import sys
from pathlib import Path

import yaml
from invoke import task
from netaddr import IPAddress, IPRange

from tasklib.playbooks import ansible_env, parse_inventory_json
from winlab.inventory import choose_profile, plain_value

ROOT = Path(__file__).resolve().parent.parent
INVENTORY = ROOT / "inventory"
sys.path.insert(0, str(ROOT / "collections"))

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.sitedata import (  # noqa: E402
    Paths,
    SiteDataError,
    build_inventory,
    load_site_data,
    slugify,
    write_ledger,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.sitedata.validation import id_key  # noqa: E402

ROLE_GROUPS = ("dhcp_servers", "switches", "base_servers", "workstations")


def load_or_exit(paths: Paths | None = None):
    """Validated site data, or exit 1 after printing every problem; warnings are printed too."""
    try:
        data = load_site_data(paths or Paths.in_inventory_dir(INVENTORY))
    except SiteDataError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
    for warning in data.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return data


class _IndentedDumper(yaml.SafeDumper):
    """Indents lists under their key, as yamllint's default style wants."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def snapshot_text(data) -> str:
    """The inventory as a static Ansible YAML inventory, for review and diff."""
    model = build_inventory(data)
    children: dict[str, dict] = {}
    for group in ROLE_GROUPS:
        children[group] = {"hosts": {host: model.hosts[host] for host in model.groups[group]}}
    for parent, members in model.children.items():
        node = children.setdefault(parent, {})
        node.setdefault("children", {})
        for child in members:
            if child not in ROLE_GROUPS:
                hosts = model.groups.get(child, [])
                node["children"][child] = {"hosts": {host: None for host in hosts}} if hosts else None
            else:
                node["children"][child] = None
    header = (
        "# Static snapshot of the site inventory, for review and diff; written by `./run inventory`\n"
        "# from inventory/data/ and inventory/site_overrides.yml. Do not edit: edit those files.\n"
        "# It is a valid YAML inventory: ansible-inventory -i inventory/snapshot.yml --graph\n"
    )
    body = yaml.dump(
        {"all": {"children": children}},
        Dumper=_IndentedDumper,
        allow_unicode=True,
        sort_keys=False,
        width=200,
    )
    return header + "---\n" + body


@task(help={"check": "Change nothing; fail if the ledger or the snapshot is out of date (CI)."})
def inventory(c, check=False):
    """Validate the site data, record new subnets in the ledger, and write inventory/snapshot.yml."""
    refresh_inventory(INVENTORY, check=check)


def refresh_inventory(inventory_dir: Path, check: bool = False) -> None:
    """Validate; then (unless `check`) record new allocations and rewrite the snapshot.

    Exits 1 without writing anything when the data is invalid, or in check mode when the ledger
    or the snapshot is out of date.
    """
    data = load_or_exit(Paths.in_inventory_dir(inventory_dir))
    snapshot_path = inventory_dir / "snapshot.yml"
    snapshot = snapshot_text(data)
    snapshot_current = snapshot_path.exists() and snapshot_path.read_text(encoding="utf-8") == snapshot
    if check:
        stale = []
        if data.new_allocations:
            stale.append(f"{len(data.new_allocations)} site(s) without a recorded subnet")
        if not snapshot_current:
            stale.append(f"{snapshot_path.name} is not current")
        if stale:
            print("Out of date: " + "; ".join(stale) + ". Run `./run inventory` and commit.", file=sys.stderr)
            sys.exit(1)
        print("Site data valid; ledger and snapshot are current.")
        return
    if write_ledger(data):
        for host, cidr in data.new_allocations.items():
            print(f"  allocated {cidr:<18} {host}")
        print(f"Recorded {len(data.new_allocations)} new allocation(s) in {data.paths.ledger}")
    if not snapshot_current:
        snapshot_path.write_text(snapshot, encoding="utf-8")
        print(f"Wrote {snapshot_path}")
    print(summary_line(data))


def summary_line(data) -> str:
    model = build_inventory(data)
    sources: dict[str, int] = {}
    for site in data.sites:
        sources[site.subnet_source] = sources.get(site.subnet_source, 0) + 1
    truncated = [department.name_vi for department in data.departments if department.truncated_in_source]
    text = (
        f"{len(data.departments)} departments, {len(data.sites)} sites, "
        f"{len(data.regions)} base-server regions, "
        f"{len(model.groups['switches'])} switches, {len(model.groups['workstations'])} workstations; "
        "subnets: " + ", ".join(f"{count} {source}" for source, count in sorted(sources.items()))
    )
    if truncated:
        text += f". Source list cut off for: {', '.join(truncated)}"
    return text


def print_address_plan(c, inventory_source: Path = INVENTORY) -> None:
    """Print the per-site address plan, read back through `ansible-inventory` (the real plugin)."""
    result = c.run(f"ansible-inventory -i {inventory_source} --list", hide="out", env=ansible_env())
    listing = parse_inventory_json(result.stdout)
    hostvars = listing["_meta"]["hostvars"]
    departments = listing["departments"]["children"]
    switch_of = {hostvars[h]["site_host"]: h for h in listing.get("switches", {}).get("hosts", [])}
    print(f"{'site host':<48} {'subnet':<17} {'DHCP range':<27} {'router':<14} {'DHCP server':<14} relay")
    for group in departments:
        hosts = [h for h in listing.get(group, {}).get("hosts", []) if h in listing["dhcp_servers"]["hosts"]]
        if not hosts:
            continue
        first = hostvars[hosts[0]]
        print(f"\n{first['department_name_vi']} ({group}) - base server {first['base_server_host']}")
        for host in hosts:
            v = hostvars[host]
            relay = ""
            if host in switch_of:
                vlans = ",".join(str(vlan["id"]) for vlan in v["site_vlans"])
                relay = f"VLAN {vlans} via {hostvars[switch_of[host]]['ansible_host']}"
            line = (
                f"{host:<48} {v['site_subnet']:<17} {v['dhcp_range_start'] + '-' + v['dhcp_range_end']:<27} "
                f"{v['dhcp_router']:<14} {v['dhcp_server_ip']:<14} {relay}"
            )
            print(line.rstrip())
            print(f"    {v['site_name_vi']}")


@task
def plan(c):
    """Print the per-site address plan (department, site, subnet, DHCP range, router, relay)."""
    data = load_or_exit()
    print_address_plan(c)
    print("\n" + summary_line(data))


# -- the lab's workstations ------------------------------------------------------------------------
# How many workstations `./run lab` gives each site whose overrides list none (`--workstations`).
LAB_WORKSTATIONS_PER_SITE = 3
# The lab's Terminal IDs: "LB" and a five-digit serial, skipping any the admin's data already uses.
LAB_TERMINAL_ID = "LB{:05d}"
LAB_OVERRIDES_HEADER = (
    "# Written by `./run lab`: the admin's site overrides with lab workstations added to every site\n"
    "# that lists none (tasklib/sites.py, lab_workstations). The lab inventory reads this copy; the\n"
    "# admin's file and inventory/data/ are never written. Do not edit: it is rewritten on every start.\n"
)


class _PlainDumper(_IndentedDumper):
    """No anchors or aliases: the site data loader refuses them."""

    def ignore_aliases(self, data):
        return True


def plugin_paths(sites_config: Path, overrides: Path | None = None) -> Paths:
    """The data files a site plugin configuration reads (its `data_dir` and `overrides_file`, relative
    to the configuration), with `overrides` in place of its overrides file when given."""
    config = yaml.safe_load(sites_config.read_text(encoding="utf-8")) or {}
    base = sites_config.parent
    data_dir = base / config.get("data_dir", "data")
    overrides = overrides or base / config.get("overrides_file", "site_overrides.yml")
    return Paths.from_data_dir(data_dir, overrides)


def lab_workstations(listed: dict, overrides: dict, per_site: int = LAB_WORKSTATIONS_PER_SITE) -> dict:
    """The admin's `overrides` (site_overrides.yml, as loaded) plus `per_site` lab workstations for
    every site (DHCP-server host of `listed`, `ansible-inventory --list` of the real inventory) whose
    overrides list none. A copy: `overrides` is not changed.

    Each workstation gets a Windows computer name made of the site host's initials and a number
    (at most 15 characters, unique over the fleet, the admin's names included), the next free
    addresses of the site's DHCP range (outside its exclusions and every address the inventory
    already gives a device), a Terminal ID no other workstation has (LAB_TERMINAL_ID), and `os` xp
    or 7 by a hash of its name. No User ID: the officers are not the lab's to invent. The same
    input always gives the same workstations.
    """
    if not 0 <= per_site <= 99:
        raise ValueError(f"lab workstations per site must be 0 to 99, not {per_site}")
    hostvars = {host: plain_value(variables) for host, variables in listed["_meta"]["hostvars"].items()}
    result = copy.deepcopy(overrides) if overrides else {}
    if not isinstance(result.get("sites"), dict):
        result["sites"] = {}
    sites = result["sites"]
    admin_stations = [
        station
        for settings in sites.values()
        if isinstance(settings, dict)
        for station in settings.get("workstations") or []
        if isinstance(station, dict)
    ]
    names = {str(station.get("name", "")).casefold() for station in admin_stations}
    terminal_ids = {id_key(str(item["terminal_id"])) for item in admin_stations if item.get("terminal_id")}
    terminal_ids |= {id_key(str(item["terminal_id"])) for item in hostvars.values() if "terminal_id" in item}
    taken: set[IPAddress] = set()
    for variables in hostvars.values():
        values = [variables.get(key) for key in ("ansible_host", "dhcp_router", "dhcp_server_ip")]
        values += [vlan.get("gateway") for vlan in variables.get("site_vlans") or []]
        taken |= {IPAddress(value) for value in values if isinstance(value, str) and _is_ipv4(value)}
    serials = (LAB_TERMINAL_ID.format(n) for n in itertools.count(1))
    prefixes: set[str] = set()
    dhcp_servers = {host for host in listed.get("dhcp_servers", {}).get("hosts", [])}
    for site in sorted(dhcp_servers):
        variables = hostvars[site]
        settings = sites.get(site)
        if per_site == 0 or (isinstance(settings, dict) and settings.get("workstations")):
            continue
        chosen = _station_names(site, per_site, names, prefixes, set(hostvars))
        addresses = _free_addresses(variables, taken, per_site)
        stations = []
        for name, address in zip(chosen, addresses, strict=True):
            terminal = next(serial for serial in serials if id_key(serial) not in terminal_ids)
            stations.append(
                {
                    "name": name,
                    "ip": str(address),
                    "terminal_id": terminal,
                    "os": choose_profile(name, "workstations", None),
                }
            )
            taken.add(address)
            names.add(name.casefold())
            terminal_ids.add(id_key(terminal))
        if isinstance(settings, dict):
            settings["workstations"] = stations
        else:
            sites[site] = {"workstations": stations}
    return result


def _is_ipv4(value: str) -> bool:
    try:
        IPAddress(value, 4)
    except Exception:  # netaddr raises several kinds for a bad address
        return False
    return True


def _station_names(site: str, count: int, names: set[str], prefixes: set[str], hosts: set[str]) -> list[str]:
    """`count` computer names for a site: its host's initials (at most 9), "-" and a number; a digit
    replaces the last letters while another site has the same initials or a name is taken."""
    initials = "".join(word[0] for word in site.split("-") if word).upper()[:9]
    for attempt in itertools.count():
        prefix = initials if attempt == 0 else f"{initials[: 9 - len(str(attempt))]}{attempt}"
        chosen = [f"{prefix}-{number:02d}" for number in range(1, count + 1)]
        clash = any(
            name.casefold() in names or f"{site}-{slugify(name, abbreviate=False)}" in hosts
            for name in chosen
        )
        if prefix not in prefixes and not clash:
            prefixes.add(prefix)
            return chosen
    raise AssertionError("unreachable")


def _free_addresses(variables: dict, taken: set[IPAddress], count: int) -> list[IPAddress]:
    """The first `count` addresses of a site's DHCP range that no exclusion holds and no device has."""
    excluded = [IPRange(item["start"], item["end"]) for item in variables.get("dhcp_exclusions") or []]
    free = []
    for address in IPRange(variables["dhcp_range_start"], variables["dhcp_range_end"]):
        if address not in taken and not any(address in item for item in excluded):
            free.append(address)
            if len(free) == count:
                return free
    raise ValueError(
        f"site {variables['site_host']}: its DHCP range {variables['dhcp_range_start']}-"
        f"{variables['dhcp_range_end']} has fewer than {count} free addresses for lab workstations"
    )


def write_lab_overrides(
    listed: dict, sites_config: Path, target: Path, per_site: int = LAB_WORKSTATIONS_PER_SITE
):
    """Write `target`, the lab's copy of the overrides (`lab_workstations`), and return the site data
    read from it and the real data files, validated as the inventory plugin validates them.

    Raises SiteDataError when the copy does not pass; only `target` is written.
    """
    admin = plugin_paths(sites_config)
    overrides = {}
    if admin.overrides.exists():
        overrides = yaml.safe_load(admin.overrides.read_text(encoding="utf-8"))
    text = LAB_OVERRIDES_HEADER + "---\n"
    text += yaml.dump(
        lab_workstations(listed, overrides or {}, per_site),
        Dumper=_PlainDumper,
        allow_unicode=True,
        sort_keys=False,
        width=200,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return load_site_data(plugin_paths(sites_config, target))


def model_listing(data) -> dict:
    """The site data's hosts in the shape of `ansible-inventory --list` (groups and hostvars)."""
    model = build_inventory(data)
    listing: dict = {"_meta": {"hostvars": model.hosts}}
    for group, hosts in model.groups.items():
        listing[group] = {"hosts": list(hosts)}
    for group, children in model.children.items():
        listing.setdefault(group, {})["children"] = list(children)
    return listing


# -- synthetic fleets for the benchmarks ------------------------------------------------------------
# Where the synthetic copies of the departments take their subnets: 100.64.0.0/10 (RFC 6598), a /20
# per copy (no department has more than 16 sites). These are modeled addresses only: the lab listens
# on loopback and the lab inventory points every Windows host there.
SCALED_POOL_SPACE = "100.64.0.0/10"
SCALED_POOL_PREFIX = 20


def scaled_site_data(sites: dict, base_servers: dict, pools: dict, factor: int) -> tuple[dict, dict, dict]:
    """The data files (`sites.yml`, `base_servers.yml`, `address_pools.yml`, as loaded) with every
    department there `factor` times: the real ones, then copies `<slug>_s2` ... `<slug>_s<factor>`
    with the same sites (so the same site names and host names under a new department slug), each
    in its original's base-server region, with a pool of its own in SCALED_POOL_SPACE. Copies."""
    from netaddr import IPNetwork

    if not 1 <= factor <= 64:
        raise ValueError(f"the scale factor must be 1 to 64, not {factor}")
    sites, base_servers, pools = copy.deepcopy(sites), copy.deepcopy(base_servers), copy.deepcopy(pools)
    originals = list(sites["departments"])
    blocks = IPNetwork(SCALED_POOL_SPACE).subnet(SCALED_POOL_PREFIX)
    region_of = {
        row["department"]: region
        for region in base_servers["regions"]
        for row in region["rows"]
        if row["department"]
    }
    number = max(department["number"] for department in originals)
    row_number = max(row["number"] for region in base_servers["regions"] for row in region["rows"])
    for copy_index in range(2, factor + 1):
        for department in originals:
            number += 1
            row_number += 1
            slug = f"{department['slug']}_s{copy_index}"
            clone = {**copy.deepcopy(department), "number": number, "slug": slug}
            clone["name_vi"] = f"{department['name_vi']} (bản sao {copy_index})"
            clone.pop("truncated_in_source", None)
            sites["departments"].append(clone)
            region_of[department["slug"]]["rows"].append(
                {"number": row_number, "name_vi": clone["name_vi"], "department": slug}
            )
            pools["pools"][slug] = [str(next(blocks))]
    return sites, base_servers, pools


def write_scaled_sites(factor: int, directory: Path, inventory_dir: Path = INVENTORY) -> Path:
    """Write a site inventory of `factor` times the real departments into `directory` (a plugin
    configuration, `vnaccs.sites.yml`, its `data/` and the admin's overrides and ledger, copied, and
    the real group variables, linked) and return the configuration's path. The real files are only
    read. The result is validated as the plugin validates the real data (SiteDataError if not)."""
    data_dir = directory / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    source = inventory_dir / "data"
    loaded = {
        name: yaml.safe_load((source / name).read_text(encoding="utf-8"))
        for name in ("sites.yml", "base_servers.yml", "address_pools.yml")
    }
    scaled = scaled_site_data(
        loaded["sites.yml"], loaded["base_servers.yml"], loaded["address_pools.yml"], factor
    )
    header = f"# Written by the benchmarks: the real data with every department {factor} times.\n---\n"
    for name, content in zip(("sites.yml", "base_servers.yml", "address_pools.yml"), scaled, strict=True):
        text = yaml.dump(content, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, width=200)
        (data_dir / name).write_text(header + text, encoding="utf-8")
    (data_dir / "address_ledger.yml").write_text((source / "address_ledger.yml").read_text(encoding="utf-8"))
    overrides = inventory_dir / "site_overrides.yml"
    (directory / "site_overrides.yml").write_text(overrides.read_text(encoding="utf-8"), encoding="utf-8")
    config = yaml.safe_load((inventory_dir / "vnaccs.sites.yml").read_text(encoding="utf-8"))
    config.update({"data_dir": "data", "overrides_file": "site_overrides.yml"})
    config_path = directory / "vnaccs.sites.yml"
    config_path.write_text("---\n" + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    group_vars = directory / "group_vars"
    if group_vars.is_symlink() or group_vars.exists():
        group_vars.unlink()
    group_vars.symlink_to((inventory_dir / "group_vars").resolve())
    load_site_data(plugin_paths(config_path))
    return config_path
