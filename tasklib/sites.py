"""Invoke tasks for the site data: `inventory` (validate, record, snapshot) and the address plan."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from invoke import task

from tasklib.playbooks import ansible_env, parse_inventory_json

ROOT = Path(__file__).resolve().parent.parent
INVENTORY = ROOT / "inventory"
sys.path.insert(0, str(ROOT / "collections"))

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.sitedata import (  # noqa: E402
    Paths,
    SiteDataError,
    build_inventory,
    load_site_data,
    write_ledger,
)

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
