"""The lab's workstations (tasklib/sites.py lab_workstations, write_lab_overrides), on the frozen
inventory: how many, unique names, addresses and Terminal IDs, inside each site's DHCP range, valid
for the inventory's own checks, the same every time, and never written into the admin's files."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import pytest
import yaml
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.sitedata import Paths, load_site_data
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.sitedata.validation import id_key
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.text import netbios_name_problem
from netaddr import IPAddress, IPRange

from tasklib.sites import (
    LAB_WORKSTATIONS_PER_SITE,
    lab_workstations,
    model_listing,
    write_lab_overrides,
)


def listing_of(inventory_dir: Path) -> dict:
    """The inventory as `ansible-inventory --list` shows it, built in this process."""
    return model_listing(load_site_data(Paths.in_inventory_dir(inventory_dir)))


def overrides_of(inventory_dir: Path) -> dict:
    return yaml.safe_load((inventory_dir / "site_overrides.yml").read_text(encoding="utf-8"))


def stations(overrides: dict) -> list[tuple[str, dict]]:
    return [
        (site, station)
        for site, settings in overrides["sites"].items()
        for station in settings.get("workstations") or []
    ]


def generated(result: dict, admin: dict) -> list[tuple[str, dict]]:
    admin_sites = {site for site, _ in stations(admin)}
    return [(site, station) for site, station in stations(result) if site not in admin_sites]


@pytest.fixture(scope="module")
def frozen(frozen_inventory):
    listed = listing_of(frozen_inventory)
    admin = overrides_of(frozen_inventory)
    return listed, admin, lab_workstations(listed, admin)


def test_every_site_without_workstations_gets_the_default_number(frozen):
    listed, admin, result = frozen
    sites = listed["dhcp_servers"]["hosts"]
    listing_some = {site for site, _ in stations(admin)}
    made = generated(result, admin)
    assert LAB_WORKSTATIONS_PER_SITE == 3
    assert len(made) == 3 * (len(sites) - len(listing_some))
    assert len(stations(result)) >= 400
    per_site = {site: sum(1 for s, _ in made if s == site) for site in sites if site not in listing_some}
    assert set(per_site.values()) == {3}
    # The admin's own workstations are kept as they are, and the admin's data is not changed.
    assert result["sites"]["bac-ninh-cchq-tien-son"] == admin["sites"]["bac-ninh-cchq-tien-son"]
    assert [s["name"] for _, s in stations(admin)] == ["TS-HQ01", "TS-HQ02"]


def test_the_number_per_site_is_a_setting(frozen):
    listed, admin, _ = frozen
    one = generated(lab_workstations(listed, admin, per_site=1), admin)
    assert len(one) == len(listed["dhcp_servers"]["hosts"]) - 1
    assert lab_workstations(listed, admin, per_site=0) == admin
    with pytest.raises(ValueError, match="0 to 99"):
        lab_workstations(listed, admin, per_site=100)


def test_names_are_windows_computer_names_unique_over_the_fleet(frozen):
    _, _, result = frozen
    names = [station["name"] for _, station in stations(result)]
    assert all(netbios_name_problem(name) is None and len(name) <= 15 and name.isascii() for name in names)
    assert len({name.casefold() for name in names}) == len(names)
    # Derived from the site: the initials of its host name.
    station = next(st for s, st in stations(result) if s == "lao-cai-cchq-ck-bat-xat")
    assert station["name"].startswith("LCCCBX")


def test_addresses_lie_in_the_sites_dhcp_range_and_belong_to_no_other_device(frozen):
    listed, admin, result = frozen
    hostvars = listed["_meta"]["hostvars"]
    devices = {IPAddress(v["ansible_host"]) for v in hostvars.values() if v.get("ansible_host")}
    devices |= {IPAddress(v["dhcp_router"]) for v in hostvars.values() if v.get("dhcp_router")}
    seen = set()
    for site, station in generated(result, admin):
        address = IPAddress(station["ip"])
        site_vars = hostvars[site]
        assert address in IPRange(site_vars["dhcp_range_start"], site_vars["dhcp_range_end"]), station
        assert not any(
            address in IPRange(item["start"], item["end"]) for item in site_vars["dhcp_exclusions"]
        ), station
        assert address not in devices and address not in seen, station
        seen.add(address)


def test_terminal_ids_are_unique_and_never_the_admins(frozen_inventory):
    listed = listing_of(frozen_inventory)
    admin = overrides_of(frozen_inventory)
    # The admin already uses the lab's first Terminal ID (in another case) and one of its names.
    admin["sites"]["bac-ninh-cchq-tien-son"]["workstations"][0]["terminal_id"] = "lb00001 "
    admin["sites"]["bac-ninh-cchq-tien-son"]["workstations"][1]["name"] = "AGCCBD-02"
    result = lab_workstations(listed, admin)
    ids = [id_key(station["terminal_id"]) for _, station in stations(result)]
    assert len(set(ids)) == len(ids)
    assert ids.count("LB00001") == 1  # the admin's, kept; the lab's start at LB00002
    names = [station["name"].casefold() for _, station in stations(result)]
    assert names.count("agccbd-02") == 1


def test_os_is_a_deterministic_mix_and_no_user_id_is_invented(frozen):
    listed, admin, result = frozen
    made = generated(result, admin)
    assert {station["os"] for _, station in made} == {"xp", "7"}
    assert all("user_id" not in station for _, station in made)
    snapshot = copy.deepcopy(admin)
    assert lab_workstations(listed, admin) == result
    assert admin == snapshot  # the admin's overrides, as loaded, are not changed


def test_a_site_whose_range_is_too_small_is_named(frozen_inventory):
    listed = listing_of(frozen_inventory)
    site = "lao-cai-cchq-ck-bat-xat"
    start = listed["_meta"]["hostvars"][site]["dhcp_range_end"]
    listed["_meta"]["hostvars"][site]["dhcp_range_start"] = start
    with pytest.raises(ValueError, match=f"site {site}: .* fewer than 3 free addresses"):
        lab_workstations(listed, overrides_of(frozen_inventory))


def digests(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def test_the_lab_copy_validates_and_leaves_the_admins_files_as_they_were(inventory_copy, tmp_path):
    # A site without a recorded subnet: the plugin gives it one in memory; the lab must not record it.
    ledger = inventory_copy / "data" / "address_ledger.yml"
    site = "lao-cai-cchq-ck-bat-xat"
    ledger.write_text(
        "".join(
            line for line in ledger.read_text(encoding="utf-8").splitlines(True) if f" {site}:" not in line
        ),
        encoding="utf-8",
    )
    listed = listing_of(inventory_copy)
    subnet = listed["_meta"]["hostvars"][site]["site_subnet"]
    before = digests(inventory_copy)
    target = tmp_path / "lab" / "site_overrides.yml"
    data = write_lab_overrides(listed, inventory_copy / "vnaccs.sites.yml", target)
    assert digests(inventory_copy) == before
    assert data.paths.overrides == target
    assert data.new_allocations == {site: subnet}  # the same subnet as the real inventory's, unrecorded
    lab_listing = model_listing(data)
    made = [
        host
        for host in lab_listing["workstations"]["hosts"]
        if lab_listing["_meta"]["hostvars"][host]["site_host"] == site
    ]
    assert len(made) == 3
    assert all(
        IPAddress(lab_listing["_meta"]["hostvars"][host]["ansible_host"])
        in IPRange(IPAddress(subnet.split("/")[0]) + 50, IPAddress(subnet.split("/")[0]) + 254)
        for host in made
    )
    # The file the lab inventory reads is what the loader accepts, and is written the same each time.
    text = target.read_text(encoding="utf-8")
    write_lab_overrides(listed, inventory_copy / "vnaccs.sites.yml", target)
    assert target.read_text(encoding="utf-8") == text
    assert "&" not in text and "*" not in text  # no YAML anchors or aliases, which the loader refuses
