"""Slugs, address allocation and the ledger, and every validator error."""

from __future__ import annotations

import copy
import re
import threading
import time
from pathlib import Path

import pytest
import yaml
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.sitedata import (
    Paths,
    SiteDataError,
    build_inventory,
    load_site_data,
    slugify,
    write_ledger,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.text import ascii_fold


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems_of(inventory: Path) -> list[str]:
    with pytest.raises(SiteDataError) as caught:
        load_site_data(Paths.in_inventory_dir(inventory))
    return [str(problem) for problem in caught.value.problems]


def only_problem(inventory: Path) -> str:
    found = problems_of(inventory)
    assert len(found) == 1, found
    return found[0]


def set_site(inventory: Path, host: str, **settings) -> None:
    def change(data):
        data.setdefault("sites", {}).setdefault(host, {}).update(settings)

    edit_yaml(inventory / "site_overrides.yml", change)


# ------------------------------------------------------------------------------------------ slugs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đồng Tháp", "Dong Thap"),
        ("Cục Hải quan Thừa thiên - Huế", "Cuc Hai quan Thua thien - Hue"),
        ("Buprăng Xăm Pun Huổi Puốc", "Buprang Xam Pun Huoi Puoc"),
        ("ĐN-ĐN", "DN-DN"),
    ],
)
def test_ascii_fold_removes_diacritics_and_maps_d_bar(text, expected):
    assert ascii_fold(text) == expected


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Chi cục Hải quan cửa khẩu Tà lùng", "cchq-ck-ta-lung"),
        ("Trạm KS Km6 Bản Phiệt (Kim Thành cũ)", "tram-ks-km6-ban-phiet-kim-thanh-cu"),
        ("Chi cục HQ cảng CSG KV4-ICD Phước Long 3", "cchq-cang-csg-kv4-icd-phuoc-long-3"),
        ("Đội Kiểm soát Hải quan số 1", "doi-kiem-soat-hq-so-1"),
        ("Chi cục Hải quan KCN-ĐN-ĐN", "cchq-kcn-dn-dn"),
    ],
)
def test_slugify_gives_readable_ascii(name, slug):
    assert slugify(name) == slug


def test_host_names_are_unique_ascii_and_prefixed_by_department(inventory_copy):
    data = load_site_data(Paths.in_inventory_dir(inventory_copy))
    hosts = [site.host for site in data.sites]
    assert len(hosts) == len(set(hosts)) == 152
    for site in data.sites:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", site.host)
        assert site.host.startswith(site.department.slug.replace("_", "-") + "-")
    # The same name in different departments gives different hosts.
    assert {"lao-cai-doi-kiem-soat-hq", "ha-giang-doi-kiem-soat-hq", "binh-dinh-doi-kiem-soat-hq"} <= set(
        hosts
    )


# ------------------------------------------------------------------------------- allocation


def regenerate(inventory: Path) -> str:
    data = load_site_data(Paths.in_inventory_dir(inventory))
    write_ledger(data)
    return (inventory / "data" / "address_ledger.yml").read_text(encoding="utf-8")


def subnets(inventory: Path) -> dict[str, str]:
    data = load_site_data(Paths.in_inventory_dir(inventory))
    return {site.host: str(site.subnet) for site in data.sites}


def test_committed_ledger_covers_every_site_without_an_override(inventory_copy):
    data = load_site_data(Paths.in_inventory_dir(inventory_copy))
    assert data.new_allocations == {}
    assert not write_ledger(data)


def test_regenerating_from_scratch_twice_is_identical(inventory_copy):
    (inventory_copy / "data" / "address_ledger.yml").unlink()
    first = regenerate(inventory_copy)
    second = regenerate(inventory_copy)
    assert first == second
    assert len(yaml.safe_load(first)["allocations"]) == 151


def test_adding_a_site_moves_no_other_site(inventory_copy):
    before = subnets(inventory_copy)

    def add_site(data):
        bac_ninh = data["departments"][0]
        bac_ninh["sites"].insert(1, "Chi cục Hải quan Mới")

    edit_yaml(inventory_copy / "data" / "sites.yml", add_site)
    data = load_site_data(Paths.in_inventory_dir(inventory_copy))
    assert list(data.new_allocations) == ["bac-ninh-cchq-moi"]
    after = {site.host: str(site.subnet) for site in data.sites}
    assert {host: after[host] for host in before} == before
    new_subnet = data.new_allocations["bac-ninh-cchq-moi"]
    assert new_subnet not in before.values()
    assert new_subnet.startswith("198.18.")  # inside Bắc Ninh's pool 198.18.0.0/21
    write_ledger(data)
    assert load_site_data(Paths.in_inventory_dir(inventory_copy)).new_allocations == {}


def test_a_removed_site_keeps_its_subnet_reserved(inventory_copy):
    before = subnets(inventory_copy)

    def remove_first_site(data):
        data["departments"][0]["sites"].pop(0)
        data["departments"][0]["sites"].append("Chi cục Hải quan Thay Thế")

    edit_yaml(inventory_copy / "data" / "sites.yml", remove_first_site)
    data = load_site_data(Paths.in_inventory_dir(inventory_copy))
    assert data.orphaned_allocations == {"bac-ninh-cchq-bac-ninh": before["bac-ninh-cchq-bac-ninh"]}
    assert data.new_allocations["bac-ninh-cchq-thay-the"] != before["bac-ninh-cchq-bac-ninh"]


def test_an_override_outranks_the_ledger_and_frees_nothing_else(inventory_copy):
    before = subnets(inventory_copy)
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", subnet="198.18.15.0/24")
    after = subnets(inventory_copy)
    assert after["lao-cai-cchq-ck-bat-xat"] == "198.18.15.0/24"
    assert {h: s for h, s in after.items() if h != "lao-cai-cchq-ck-bat-xat"} == {
        h: s for h, s in before.items() if h != "lao-cai-cchq-ck-bat-xat"
    }


@pytest.mark.fault
def test_an_exhausted_pool_names_the_site(inventory_copy):
    (inventory_copy / "data" / "address_ledger.yml").unlink()
    edit_yaml(
        inventory_copy / "data" / "address_pools.yml", lambda d: d["pools"].update(an_giang=["10.9.0.0/22"])
    )
    found = problems_of(inventory_copy)
    # 10.9.0.0/22 holds four /24s; An Giang has eleven sites: the other seven are named.
    assert len(found) == 7
    assert found[0] == (
        "data/address_pools.yml: site an-giang-cchq-ck-tinh-bien-tram-kiem-soat-lien-hop-ck: "
        "field 'pools': pool 10.9.0.0/22 has no free /24 left"
    )
    assert all(p.startswith("data/address_pools.yml: site an-giang-") for p in found)


def test_default_values_follow_appendix_iv(inventory_copy):
    data = load_site_data(Paths.in_inventory_dir(inventory_copy))
    model = build_inventory(data)
    host = model.hosts["lao-cai-cchq-ck-muong-khuong"]
    assert host["site_subnet"] == "198.18.8.0/24"
    assert host["dhcp_range_start"] == "198.18.8.50"
    assert host["dhcp_range_end"] == "198.18.8.254"
    assert host["dhcp_subnet_mask"] == "255.255.255.0"
    assert host["dhcp_router"] == "198.18.8.1"
    assert host["site_name_vi"] == "Chi cục Hải quan cửa khẩu Mường Khương"
    assert host["department_name_vi"] == "Cục Hải quan Lào Cai"
    assert host["base_server_region"] == "tong_cuc"


# ------------------------------------------------------------------------------ DHCP scopes

SCOPE_SITE = "lao-cai-cchq-ck-bat-xat"  # Chi cục Hải quan cửa khẩu Bát Xát, Cục Hải quan Lào Cai
SCOPE_SITE_NAME = "Chi cục Hải quan cửa khẩu Bát Xát"
SCOPE_DEPARTMENT_NAME = "Cục Hải quan Lào Cai"


def scopes_of(inventory: Path, **settings) -> list[dict]:
    """The dhcp_scopes of SCOPE_SITE after giving it `settings` (its own subnet and DNS server)."""
    set_site(inventory, SCOPE_SITE, subnet="10.20.0.0/24", dns_servers=["10.20.0.53"], **settings)
    return build_inventory(load_site_data(Paths.in_inventory_dir(inventory))).hosts[SCOPE_SITE]["dhcp_scopes"]


def expected_scope(prefix: str, name: str, router: str, **changes) -> dict:
    scope = {
        "address": f"{prefix}.0",
        "mask": "255.255.255.0",
        "name": name,
        "comment": SCOPE_DEPARTMENT_NAME,
        "range_start": f"{prefix}.50",
        "range_end": f"{prefix}.254",
        "exclusions": [],
        "router": router,
        "dns_servers": ["10.20.0.53"],
        "domain_name": "",
    }
    scope.update(changes)
    return scope


def test_a_site_without_vlans_serves_its_own_scope_only(inventory_copy):
    scopes = scopes_of(
        inventory_copy,
        domain_name="laocai.customs.gov.vn",
        exclusions=[{"start": "10.20.0.50", "end": "10.20.0.59"}],
    )
    assert scopes == [
        expected_scope(
            "10.20.0",
            SCOPE_SITE_NAME,
            "10.20.0.1",
            exclusions=[{"start": "10.20.0.50", "end": "10.20.0.59"}],
            domain_name="laocai.customs.gov.vn",
        )
    ]


def test_each_relayed_vlan_gets_a_scope_after_the_sites(inventory_copy):
    scopes = scopes_of(
        inventory_copy,
        router="10.20.0.30",
        exclusions=[{"start": "10.20.0.50", "end": "10.20.0.59"}],
        switch={"ip": "10.20.0.2"},
        vlans=[
            {"id": 10, "subnet": "10.20.1.0/24", "gateway": "10.20.1.1"},
            {"id": 20, "subnet": "10.20.2.0/24", "gateway": "10.20.2.254", "interface": "Vlan200"},
        ],
    )
    assert scopes == [
        expected_scope(
            "10.20.0",
            SCOPE_SITE_NAME,
            "10.20.0.30",
            exclusions=[{"start": "10.20.0.50", "end": "10.20.0.59"}],
        ),
        expected_scope("10.20.1", f"{SCOPE_SITE_NAME} VLAN 10", "10.20.1.1"),
        expected_scope("10.20.2", f"{SCOPE_SITE_NAME} VLAN 20", "10.20.2.254"),
    ]


def test_a_vlan_on_the_site_subnet_is_served_by_the_site_scope_alone(inventory_copy):
    scopes = scopes_of(
        inventory_copy,
        switch={"ip": "10.20.0.2"},
        vlans=[
            {"id": 10, "subnet": "10.20.0.0/24", "gateway": "10.20.0.1"},
            {"id": 20, "subnet": "10.20.2.0/24", "gateway": "10.20.2.1"},
        ],
    )
    assert [scope["address"] for scope in scopes] == ["10.20.0.0", "10.20.2.0"]
    assert scopes[0] == expected_scope("10.20.0", SCOPE_SITE_NAME, "10.20.0.1")
    assert scopes[1]["name"] == f"{SCOPE_SITE_NAME} VLAN 20"


def test_an_overridden_range_changes_the_site_scope_only(inventory_copy):
    scopes = scopes_of(
        inventory_copy,
        dhcp_range_start="10.20.0.100",
        dhcp_range_end="10.20.0.200",
        switch={"ip": "10.20.0.2"},
        vlans=[{"id": 10, "subnet": "10.20.1.0/24", "gateway": "10.20.1.1"}],
    )
    assert scopes == [
        expected_scope(
            "10.20.0", SCOPE_SITE_NAME, "10.20.0.1", range_start="10.20.0.100", range_end="10.20.0.200"
        ),
        expected_scope("10.20.1", f"{SCOPE_SITE_NAME} VLAN 10", "10.20.1.1"),
    ]


def test_scopes_share_no_list_with_each_other_or_the_other_variables(inventory_copy):
    # A shared list would be written as a YAML alias in the snapshot, and one edit would change all.
    scopes_of(
        inventory_copy,
        exclusions=[{"start": "10.20.0.50", "end": "10.20.0.59"}],
        switch={"ip": "10.20.0.2"},
        vlans=[{"id": 10, "subnet": "10.20.1.0/24", "gateway": "10.20.1.1"}],
    )
    host = build_inventory(load_site_data(Paths.in_inventory_dir(inventory_copy))).hosts[SCOPE_SITE]
    site_scope, vlan_scope = host["dhcp_scopes"]
    lists = [host["dhcp_dns_servers"], host["dhcp_exclusions"], *host["dhcp_exclusions"]]
    lists += [site_scope["dns_servers"], site_scope["exclusions"], *site_scope["exclusions"]]
    lists += [vlan_scope["dns_servers"], vlan_scope["exclusions"]]
    assert len({id(value) for value in lists}) == len(lists)


def test_only_dhcp_servers_get_scopes(inventory_copy):
    set_site(
        inventory_copy,
        SCOPE_SITE,
        switch={"ip": "198.18.9.2"},
        workstations=[{"name": "PC09", "ip": "198.18.9.60"}],
    )
    model = build_inventory(load_site_data(Paths.in_inventory_dir(inventory_copy)))
    assert all("dhcp_scopes" in model.hosts[host] for host in model.groups["dhcp_servers"])
    for group in ("switches", "workstations", "base_servers"):
        assert model.groups[group]
        assert not any("dhcp_scopes" in model.hosts[host] for host in model.groups[group]), group


def test_a_site_group_holds_the_sites_dhcp_server_switch_and_workstations(inventory_copy):
    set_site(
        inventory_copy,
        SCOPE_SITE,
        switch={"ip": "198.18.9.2"},
        workstations=[{"name": "PC09", "ip": "198.18.9.60", "terminal_id": "9ZZ001"}],
    )
    model = build_inventory(load_site_data(Paths.in_inventory_dir(inventory_copy)))
    group = "site_" + SCOPE_SITE.replace("-", "_")
    assert group in model.children["sites"]
    assert model.groups[group] == [SCOPE_SITE, f"{SCOPE_SITE}-sw", f"{SCOPE_SITE}-pc09"]
    assert not set(model.children["sites"]) & set(model.hosts), "a group name equals a host name"


# ------------------------------------------------------------------------------- the validator


@pytest.mark.fault
def test_duplicate_department_slug(inventory_copy):
    edit_yaml(inventory_copy / "data" / "sites.yml", lambda d: d["departments"][1].update(slug="bac_ninh"))
    found = problems_of(inventory_copy)
    assert any(
        p.startswith("data/sites.yml: site Cục Hải quan Lào Cai: field 'slug': duplicate slug 'bac_ninh'")
        for p in found
    ), found


@pytest.mark.fault
def test_duplicate_site_host_name(inventory_copy):
    edit_yaml(
        inventory_copy / "data" / "sites.yml",
        lambda d: d["departments"][0]["sites"].append("Chi cục HẢI QUAN Tiên Sơn"),
    )
    problem = only_problem(inventory_copy)
    assert problem.startswith("data/sites.yml: site bac-ninh-cchq-tien-son (Chi cục HẢI QUAN Tiên Sơn)")
    assert "field 'slug'" in problem and "duplicate host name" in problem


@pytest.mark.fault
def test_unknown_department_in_appendix_iii(inventory_copy):
    edit_yaml(
        inventory_copy / "data" / "base_servers.yml",
        lambda d: d["regions"][0]["rows"][0].update(department="ha_noi_moi"),
    )
    found = problems_of(inventory_copy)
    assert (
        "data/base_servers.yml: site Cục HQ TP Hà Nội: field 'department': unknown department 'ha_noi_moi': "
        "no Appendix IV department has this slug"
    ) in found
    # ... and the department that row should have placed is reported as unplaced.
    assert any("cannot place department 'ha_noi'" in p for p in found)


@pytest.mark.fault
def test_department_without_a_region_is_reported(inventory_copy):
    def drop_alias(data):
        for region in data["regions"]:
            region["rows"] = [row for row in region["rows"] if row["name_vi"] != "Cục HQ Lai Châu"]

    edit_yaml(inventory_copy / "data" / "base_servers.yml", drop_alias)
    problem = only_problem(inventory_copy)
    assert problem.startswith("data/base_servers.yml: site Cục Hải quan Điện Biên: field 'department'")
    assert "cannot place department 'dien_bien'" in problem


@pytest.mark.fault
def test_unknown_site_and_department_in_overrides(inventory_copy):
    def change(data):
        data["sites"]["bac-ninh-cchq-tien-sonn"] = {"subnet": "198.18.9.0/24"}
        data["departments"]["bac_nin"] = {"dns_servers": ["198.19.48.53"]}

    edit_yaml(inventory_copy / "site_overrides.yml", change)
    found = problems_of(inventory_copy)
    assert (
        "site_overrides.yml: site bac-ninh-cchq-tien-sonn: unknown site host name (see `./run inventory`)"
        in found
    )
    assert "site_overrides.yml: site department bac_nin: unknown department slug" in found


@pytest.mark.fault
def test_unknown_field_is_refused(inventory_copy):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", subnett="198.18.9.0/24")
    problem = only_problem(inventory_copy)
    assert problem.startswith(
        "site_overrides.yml: site lao-cai-cchq-ck-bat-xat: field 'subnett': unknown field"
    )


@pytest.mark.fault
def test_non_24_subnet(inventory_copy):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", subnet="10.20.0.0/23")
    assert only_problem(inventory_copy) == (
        "site_overrides.yml: site lao-cai-cchq-ck-bat-xat: field 'subnet': "
        "10.20.0.0/23 is a /23; branch subnets must be /24"
    )


@pytest.mark.fault
def test_subnet_with_host_bits(inventory_copy):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", subnet="10.20.0.7/24")
    assert "did you mean 10.20.0.0/24?" in only_problem(inventory_copy)


@pytest.mark.fault
def test_overlapping_subnets_between_overrides(inventory_copy):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", subnet="10.20.0.0/24")
    set_site(inventory_copy, "ha-giang-cchq-xi-man", subnet="10.20.0.0/24")
    problem = only_problem(inventory_copy)
    assert problem == (
        "site_overrides.yml: site ha-giang-cchq-xi-man: field 'subnet': "
        "10.20.0.0/24 overlaps the subnet of lao-cai-cchq-ck-bat-xat"
    )


@pytest.mark.fault
def test_override_overlapping_another_sites_ledger_entry(inventory_copy):
    taken = subnets(inventory_copy)["lao-cai-cchq-ck-muong-khuong"]
    set_site(inventory_copy, "ha-giang-cchq-xi-man", subnet=taken)
    problem = only_problem(inventory_copy)
    assert problem == (
        "data/address_ledger.yml: site lao-cai-cchq-ck-muong-khuong: field 'allocations': "
        f"{taken} overlaps the subnet of ha-giang-cchq-xi-man"
    )


@pytest.mark.fault
def test_dhcp_range_outside_subnet(inventory_copy):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", subnet="10.20.0.0/24", dhcp_range_end="10.20.1.20")
    assert only_problem(inventory_copy) == (
        "site_overrides.yml: site lao-cai-cchq-ck-bat-xat: field 'dhcp_range_end': "
        "10.20.1.20 is outside the site's subnet 10.20.0.0/24"
    )


@pytest.mark.fault
def test_dhcp_range_backwards(inventory_copy):
    set_site(
        inventory_copy,
        "lao-cai-cchq-ck-bat-xat",
        subnet="10.20.0.0/24",
        dhcp_range_start="10.20.0.200",
        dhcp_range_end="10.20.0.100",
    )
    assert "range start 10.20.0.200 is after range end 10.20.0.100" in only_problem(inventory_copy)


@pytest.mark.fault
def test_router_inside_the_range(inventory_copy):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", subnet="10.20.0.0/24", router="10.20.0.60")
    assert only_problem(inventory_copy).endswith(
        "field 'router': 10.20.0.60 lies inside the DHCP range 10.20.0.50-10.20.0.254"
    )


@pytest.mark.fault
@pytest.mark.parametrize("bad", ["198.18.9.300", "198.18.9", "gateway", "198.018.9.1"])
def test_malformed_address(inventory_copy, bad):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", router=bad)
    problem = only_problem(inventory_copy)
    assert problem.startswith("site_overrides.yml: site lao-cai-cchq-ck-bat-xat: field 'router': ")
    assert repr(bad) in problem


@pytest.mark.fault
def test_malformed_dns_server_names_its_position(inventory_copy):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", dns_servers=["198.19.48.53", "8.8.8"])
    assert "field 'dns_servers[1]': '8.8.8' is not a valid IPv4 address" in only_problem(inventory_copy)


@pytest.mark.fault
def test_exclusion_outside_range(inventory_copy):
    set_site(
        inventory_copy,
        "lao-cai-cchq-ck-bat-xat",
        subnet="10.20.0.0/24",
        exclusions=[{"start": "10.20.0.20", "end": "10.20.0.60"}],
    )
    assert "field 'exclusions[0]': 10.20.0.20-10.20.0.60 is not inside the DHCP range" in only_problem(
        inventory_copy
    )


@pytest.mark.fault
def test_vlan_gateway_outside_its_subnet(inventory_copy):
    set_site(
        inventory_copy,
        "lao-cai-cchq-ck-bat-xat",
        switch={"ip": "198.18.9.2"},
        vlans=[{"id": 10, "subnet": "10.30.0.0/24", "gateway": "10.30.1.1"}],
    )
    assert only_problem(inventory_copy).endswith(
        "field 'vlans[0].gateway': 10.30.1.1 is outside the VLAN's subnet 10.30.0.0/24"
    )


@pytest.mark.fault
def test_vlan_subnet_overlapping_a_site_is_refused(inventory_copy):
    taken = subnets(inventory_copy)["lao-cai-cchq-ck-muong-khuong"]
    set_site(
        inventory_copy,
        "ha-giang-cchq-xi-man",
        switch={"ip": "198.18.9.2"},
        vlans=[{"id": 10, "subnet": taken, "gateway": taken.replace(".0/24", ".1")}],
    )
    problem = only_problem(inventory_copy)
    assert "site ha-giang-cchq-xi-man: field 'vlans[0].subnet'" in problem
    assert "overlaps the subnet of lao-cai-cchq-ck-muong-khuong" in problem


@pytest.mark.fault
def test_vlans_without_a_switch(inventory_copy):
    set_site(
        inventory_copy,
        "lao-cai-cchq-ck-bat-xat",
        vlans=[{"id": 10, "subnet": "10.30.0.0/24", "gateway": "10.30.0.1"}],
    )
    assert only_problem(inventory_copy).endswith(
        "field 'switch': VLANs are listed but no switch says where to relay them"
    )


@pytest.mark.fault
def test_duplicate_terminal_id_is_refused(inventory_copy):
    set_site(
        inventory_copy,
        "lao-cai-cchq-ck-bat-xat",
        workstations=[{"name": "PC01", "terminal_id": "1BTS001"}],
    )
    problem = only_problem(inventory_copy)
    assert problem.startswith(
        "site_overrides.yml: site lao-cai-cchq-ck-bat-xat: field 'workstations[0].terminal_id'"
    )
    assert (
        "Terminal ID '1BTS001' of workstation 'PC01' of site lao-cai-cchq-ck-bat-xat is already used by "
        "workstation 'TS-HQ01' of site bac-ninh-cchq-tien-son (Article 15"
    ) in problem


@pytest.mark.fault
def test_every_problem_is_reported_at_once(inventory_copy):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", subnet="10.20.0.0/24", router="10.20.9.1")
    set_site(inventory_copy, "ha-giang-cchq-xi-man", windows_version="2012")
    found = problems_of(inventory_copy)
    assert len(found) == 2
    assert any("field 'router'" in p for p in found) and any("field 'windows_version'" in p for p in found)


# ------------------------------------------------------------------- values of the wrong shape


@pytest.mark.fault
@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        (
            "site_overrides.yml",
            lambda d: d.update(sites=["lao-cai-cchq-ck-bat-xat"]),
            "site_overrides.yml: field 'sites': must be a mapping, not a list",
        ),
        (
            "site_overrides.yml",
            lambda d: d.update(departments=["lao_cai"]),
            "site_overrides.yml: field 'departments': must be a mapping, not a list",
        ),
        (
            "site_overrides.yml",
            lambda d: d.update(base_servers=["ha_noi"]),
            "site_overrides.yml: field 'base_servers': must be a mapping, not a list",
        ),
        (
            "site_overrides.yml",
            lambda d: d["sites"].update({"lao-cai-cchq-ck-bat-xat": "10.20.0.0/24"}),
            "site_overrides.yml: site lao-cai-cchq-ck-bat-xat: must be a mapping, not text",
        ),
        (
            "site_overrides.yml",
            lambda d: d["sites"].update(
                {"lao-cai-cchq-ck-bat-xat": {"vlans": 10, "switch": {"ip": "10.0.0.2"}}}
            ),
            "site_overrides.yml: site lao-cai-cchq-ck-bat-xat: field 'vlans': must be a list, not a number",
        ),
        (
            "site_overrides.yml",
            lambda d: d["sites"].update({"lao-cai-cchq-ck-bat-xat": {"stale_helpers": "10.0.0.9"}}),
            "site_overrides.yml: site lao-cai-cchq-ck-bat-xat: "
            "field 'stale_helpers': must be a list, not text",
        ),
        (
            "site_overrides.yml",
            lambda d: d["sites"].update({"lao-cai-cchq-ck-bat-xat": {"vlans_exclusive": "yes"}}),
            "site_overrides.yml: site lao-cai-cchq-ck-bat-xat: "
            "field 'vlans_exclusive': 'yes' is not true or false",
        ),
        (
            "data/address_pools.yml",
            lambda d: d.update(pools=["10.0.0.0/8"]),
            "data/address_pools.yml: field 'pools': must be a mapping, not a list",
        ),
        (
            "data/address_pools.yml",
            lambda d: d["pools"].update(an_giang=10),
            "data/address_pools.yml: site pool an_giang: "
            "field 'pools': 10 is not a network or a list of networks",
        ),
        (
            "data/address_ledger.yml",
            lambda d: d.update(allocations=["10.0.0.0/24"]),
            "data/address_ledger.yml: field 'allocations': must be a mapping, not a list",
        ),
        (
            "data/base_servers.yml",
            lambda d: d["regions"][0]["rows"][0].update(department=["ha_noi"]),
            "data/base_servers.yml: site Cục HQ TP Hà Nội: "
            "field 'department': ['ha_noi'] is not a department slug",
        ),
        (
            "data/base_servers.yml",
            lambda d: d["regions"].append({"slug": d["regions"][0]["slug"], "rows": []}),
            "data/base_servers.yml: field 'slug': duplicate region slug 'ha_noi'",
        ),
        (
            "data/sites.yml",
            lambda d: d.update(departments=5),
            "data/sites.yml: field 'departments': must be a list, not a number",
        ),
        (
            "data/sites.yml",
            lambda d: d["departments"][0].update(truncated_in_source="no"),
            "data/sites.yml: site Cục Hải quan Bắc Ninh: field 'truncated_in_source': "
            "'no' is not true or false",
        ),
        (
            "data/sites.yml",
            lambda d: d["departments"][0].update(site=d["departments"][0].pop("sites")),
            "data/sites.yml: site Cục Hải quan Bắc Ninh: field 'site': unknown field "
            "(known: name_vi, number, sites, slug, truncated_in_source)",
        ),
        (
            "data/base_servers.yml",
            lambda d: d.update(regions=5),
            "data/base_servers.yml: field 'regions': must be a list, not a number",
        ),
        (
            "data/base_servers.yml",
            lambda d: d["regions"][0].update(rows={"ha_noi": "Cục HQ TP Hà Nội"}),
            "data/base_servers.yml: site region ha_noi: field 'rows': must be a list, not a mapping",
        ),
        (
            "data/base_servers.yml",
            lambda d: d["regions"][0].update(slug="Ha_Noi"),
            "data/base_servers.yml: site region #1: field 'slug': "
            "'Ha_Noi' is not a region slug (lower-case ASCII with underscores)",
        ),
        (
            "data/address_pools.yml",
            lambda d: d["pools"].update(an_giang=[10]),
            "data/address_pools.yml: site pool an_giang: field 'pools': "
            "10 is not a CIDR network such as 10.20.0.0/21",
        ),
        (
            "data/address_ledger.yml",
            lambda d: d["allocations"].update({"bac-ninh-cchq-bac-ninh": ["198.18.0.0/24"]}),
            "data/address_ledger.yml: site bac-ninh-cchq-bac-ninh: field 'allocations': "
            "['198.18.0.0/24'] is not a CIDR subnet such as 10.20.1.0/24",
        ),
        (
            "data/address_ledger.yml",
            lambda d: d["allocations"].update({7: "198.18.99.0/24"}),
            "data/address_ledger.yml: site 7: field 'allocations': 7 is not a site host name",
        ),
        (
            "site_overrides.yml",
            lambda d: d.update(defaults=["dns_servers"]),
            "site_overrides.yml: field 'defaults': must be a mapping, not a list",
        ),
        (
            "site_overrides.yml",
            lambda d: d["departments"].update(lao_cai=["198.19.48.53"]),
            "site_overrides.yml: site department lao_cai: must be a mapping, not a list",
        ),
        (
            "site_overrides.yml",
            lambda d: d["sites"].update({"lao-cai-cchq-ck-bat-xat": None}),
            "site_overrides.yml: site lao-cai-cchq-ck-bat-xat: must be a mapping, not empty",
        ),
        (
            "site_overrides.yml",
            lambda d: d["sites"]["bac-ninh-cchq-tien-son"].update(switch="198.18.5.2"),
            "site_overrides.yml: site bac-ninh-cchq-tien-son: field 'switch': must be a mapping, not text",
        ),
        (
            "site_overrides.yml",
            lambda d: d["sites"]["bac-ninh-cchq-tien-son"].update(exclusions={"start": "198.18.5.50"}),
            "site_overrides.yml: site bac-ninh-cchq-tien-son: field 'exclusions': "
            "must be a list, not a mapping",
        ),
        (
            "site_overrides.yml",
            lambda d: d["sites"]["bac-ninh-cchq-tien-son"]["workstations"].append(["PC03"]),
            "site_overrides.yml: site bac-ninh-cchq-tien-son: field 'workstations[2]': "
            "must be a mapping, not a list",
        ),
        (
            "site_overrides.yml",
            lambda d: d["sites"]["bac-ninh-cchq-tien-son"]["vlans"][0].update(id="10"),
            "site_overrides.yml: site bac-ninh-cchq-tien-son: field 'vlans[0].id': "
            "'10' is not a VLAN id (1-4094)",
        ),
        (
            "site_overrides.yml",
            lambda d: d["base_servers"].update(ha_noi="198.19.48.1"),
            "site_overrides.yml: site base server ha_noi: must be a mapping, not text",
        ),
    ],
    ids=[
        "sites a list",
        "departments a list",
        "base servers a list",
        "site layer a string",
        "vlans a number",
        "stale helpers a string",
        "vlans_exclusive a string",
        "pools a list",
        "a pool a number",
        "allocations a list",
        "region row department a list",
        "region slug twice",
        "departments a number",
        "truncated_in_source a string",
        "department key misspelt",
        "regions a number",
        "region rows a mapping",
        "region slug in capitals",
        "pool network a number",
        "ledger subnet a list",
        "ledger host a number",
        "defaults a list",
        "department layer a list",
        "site layer empty",
        "switch a string",
        "exclusions a mapping",
        "workstation a list",
        "vlan id a string",
        "base server a string",
    ],
)
def test_a_value_of_the_wrong_shape_is_reported_not_raised(inventory_copy, file, change, expected):
    edit_yaml(inventory_copy / file, change)
    assert expected in problems_of(inventory_copy)


@pytest.mark.fault
def test_a_bad_default_is_reported_once_in_its_own_layer(inventory_copy):
    # Not once for each of the 152 sites that inherit it.
    edit_yaml(
        inventory_copy / "site_overrides.yml", lambda d: d["defaults"].update(dns_servers="198.19.48.53")
    )
    assert only_problem(inventory_copy) == (
        "site_overrides.yml: site defaults: field 'dns_servers': must be a list of addresses, not text"
    )


DATA_FILES = (
    "site_overrides.yml",
    "data/sites.yml",
    "data/base_servers.yml",
    "data/address_pools.yml",
    "data/address_ledger.yml",
)


# Top-level mappings keyed by host or slug, whose entries all have one shape: one entry is walked.
ENTRY_MAPPINGS = {"allocations", "pools", "base_servers"}


def shapes(node, path=()):
    """The path of every node: every key of a mapping, the first item of a list."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from shapes(value, (*path, key))
            if path and path[-1] in ENTRY_MAPPINGS and len(path) == 1:
                break
    elif isinstance(node, list) and node:
        yield from shapes(node[0], (*path, 0))


def substitute_for(value):
    """A value of another kind: a list for a mapping, a number for a list, a mapping for a scalar."""
    if isinstance(value, dict):
        return ["x"]
    if isinstance(value, list):
        return 7
    return {"x": 1}


@pytest.mark.fault
@pytest.mark.parametrize("file", DATA_FILES)
def test_a_value_of_another_type_anywhere_is_reported_never_raised(inventory_copy, file):
    path = inventory_copy / file
    original = path.read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    accepted = []
    places = list(shapes(data))
    assert len(places) >= 3
    for place in places:
        changed = copy.deepcopy(data)
        if place:
            parent = changed
            for key in place[:-1]:
                parent = parent[key]
            parent[place[-1]] = substitute_for(parent[place[-1]])
        else:
            changed = substitute_for(changed)
        path.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
        try:
            load_site_data(Paths.in_inventory_dir(inventory_copy))
        except SiteDataError as exc:
            assert any(problem.file == file for problem in exc.problems), (place, exc)
        else:
            accepted.append(place)
    path.write_text(original, encoding="utf-8")
    # Only the transcriptions' free description of their source may hold anything.
    assert all(place[0] == "source" for place in accepted), accepted


# --------------------------------------------------------------- the loader: keys written twice


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return text


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """The 1-based number of the line holding `fragment` for the `occurrence`-th time."""
    found = [number for number, line in enumerate(text.splitlines(), 1) if fragment in line]
    return found[occurrence - 1]


@pytest.mark.fault
def test_a_site_listed_twice_is_refused_with_the_line_of_each_copy(inventory_copy):
    overrides = inventory_copy / "site_overrides.yml"
    text = write(
        overrides,
        read(overrides).replace(
            "\nbase_servers:", "  bac-ninh-cchq-tien-son:\n    subnet: 198.18.9.0/24\n\nbase_servers:"
        ),
    )
    first, second = (line_of(text, "  bac-ninh-cchq-tien-son:", n) for n in (1, 2))
    assert only_problem(inventory_copy) == (
        "site_overrides.yml: site bac-ninh-cchq-tien-son: key 'bac-ninh-cchq-tien-son' is written twice, "
        f"on line {first} and line {second}; YAML would keep only the second, so remove or merge one"
    )


@pytest.mark.fault
@pytest.mark.parametrize(
    ("old", "new", "where", "key"),
    [
        (
            "switch: {ip: 198.18.5.2, transport: ssh}",
            "switch: {ip: 198.18.5.2, transport: ssh, ip: 198.18.5.3}",
            "site bac-ninh-cchq-tien-son: field 'switch.ip'",
            "ip",
        ),
        (
            "{id: 20, subnet: 198.18.7.0/24, gateway: 198.18.7.1}",
            "{id: 20, subnet: 198.18.7.0/24, gateway: 198.18.7.1, id: 21}",
            "site bac-ninh-cchq-tien-son: field 'vlans[1].id'",
            "id",
        ),
        (
            "  dns_servers: [198.19.48.53]\n",
            "  dns_servers: [198.19.48.53]\n  dns_servers: [198.19.48.54]\n",
            "site defaults: field 'dns_servers'",
            "dns_servers",
        ),
        ("\nbase_servers:\n", "\nsites: {}\n\nbase_servers:\n", "field 'sites'", "sites"),
    ],
    ids=["flow mapping", "list entry", "block mapping", "top level"],
)
def test_a_key_written_twice_anywhere_names_its_path_and_lines(inventory_copy, old, new, where, key):
    overrides = inventory_copy / "site_overrides.yml"
    assert old in read(overrides)
    text = write(overrides, read(overrides).replace(old, new))
    problem = only_problem(inventory_copy)
    assert problem.startswith(f"site_overrides.yml: {where}: key '{key}' is written twice, on line ")
    lines = [int(number) for number in re.findall(r"line (\d+)", problem)]
    for number in lines:
        assert re.match(rf"\s*(- )?{key}:|.*[{{,] {key}:", text.splitlines()[number - 1]), (number, text)


@pytest.mark.fault
@pytest.mark.parametrize(
    ("file", "append", "where", "key"),
    [
        (
            "data/address_ledger.yml",
            "  bac-ninh-cchq-bac-ninh: 198.18.99.0/24\n",
            "site bac-ninh-cchq-bac-ninh",
            "bac-ninh-cchq-bac-ninh",
        ),
        ("data/address_pools.yml", "  bac_ninh: [10.99.0.0/16]\n", "site pool bac_ninh", "bac_ninh"),
        ("data/sites.yml", "source: {}\n", "field 'source'", "source"),
        ("data/base_servers.yml", "source: {}\n", "field 'source'", "source"),
    ],
)
def test_a_key_written_twice_in_any_data_file_is_refused(inventory_copy, file, append, where, key):
    path = inventory_copy / file
    text = write(path, read(path) + append)
    first, second = line_of(text, f"{key}:"), len(text.splitlines())
    assert only_problem(inventory_copy) == (
        f"{file}: {where}: key '{key}' is written twice, on line {first} and line {second}; "
        "YAML would keep only the second, so remove or merge one"
    )


@pytest.mark.fault
def test_keys_written_twice_in_several_files_are_all_reported(inventory_copy):
    ledger = inventory_copy / "data" / "address_ledger.yml"
    write(ledger, read(ledger) + "  bac-ninh-cchq-bac-ninh: 198.18.99.0/24\n")
    overrides = inventory_copy / "site_overrides.yml"
    write(
        overrides,
        read(overrides).replace(
            'windows_version: "2008"\n', 'windows_version: "2008"\n    windows_version: "2003"\n'
        ),
    )
    found = problems_of(inventory_copy)
    assert [problem.split(":")[0] for problem in found] == ["site_overrides.yml", "data/address_ledger.yml"]


# --------------------------------------------------------- the loader: aliases, empty files, typos


def billion_laughs(levels: int = 9) -> str:
    """An overrides file whose DNS list expands to 10**levels addresses through aliases."""
    lines = ["defaults:", '  dns_servers: &lol0 ["198.19.48.53"]', "departments:"]
    for level in range(1, levels + 1):
        lines.append(f"  lol{level}: &lol{level} [{', '.join([f'*lol{level - 1}'] * 10)}]")
    lines += ["sites:", "  bac-ninh-cchq-tien-son:", f"    dns_servers: *lol{levels}", ""]
    return "\n".join(lines)


@pytest.mark.fault
def test_a_billion_laughs_file_is_refused_at_once(inventory_copy):
    write(inventory_copy / "site_overrides.yml", billion_laughs())
    outcome: list = []

    def load():
        try:
            load_site_data(Paths.in_inventory_dir(inventory_copy))
        except SiteDataError as exc:
            outcome.append(exc)

    started = time.perf_counter()
    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(timeout=20)
    elapsed = time.perf_counter() - started
    assert not worker.is_alive(), "the loader expanded the aliases"
    assert elapsed < 2, elapsed  # the whole inventory loads in a tenth of that
    assert [str(problem) for problem in outcome[0].problems] == [
        "site_overrides.yml: line 4: the alias *lol0 repeats a value (anchored on line 2); aliases are "
        "not accepted in the site data (91 in this file): write each value out"
    ]


@pytest.mark.fault
def test_a_merge_key_is_refused(inventory_copy):
    overrides = inventory_copy / "site_overrides.yml"
    write(
        overrides,
        read(overrides).replace('    windows_version: "2008"\n', '    <<: {windows_version: "2008"}\n'),
    )
    problem = only_problem(inventory_copy)
    assert problem.startswith("site_overrides.yml: site dong-thap-cchq-ck-so-thuong: line ")
    assert problem.endswith("merge keys (<<) are not accepted in the site data; write the values out")


@pytest.mark.fault
@pytest.mark.parametrize("file", DATA_FILES)
@pytest.mark.parametrize("text", ["", "---\n", "---\n# every line commented out\n# sites:\n"])
def test_an_empty_file_is_refused(inventory_copy, file, text):
    write(inventory_copy / file, text)
    assert (
        f"{file}: the file is empty; nothing in it can be read (was it cut short or cleared?)"
    ) in problems_of(inventory_copy)


@pytest.mark.fault
def test_a_missing_overrides_file_is_refused(inventory_copy):
    (inventory_copy / "site_overrides.yml").unlink()
    assert only_problem(inventory_copy) == "site_overrides.yml: file not found"


@pytest.mark.fault
@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "site_overrides.yml",
            "\nsites:\n",
            "\nsite:\n",
            [
                "site_overrides.yml: field 'site': "
                "unknown field (known: base_servers, defaults, departments, sites)"
            ],
        ),
        (
            "data/address_ledger.yml",
            "\nallocations:\n",
            "\nallocation:\n",
            [
                "data/address_ledger.yml: field 'allocation': unknown field (known: allocations)",
                "data/address_ledger.yml: field 'allocations': missing: the file must have this key",
            ],
        ),
        (
            "data/address_pools.yml",
            "\npools:\n",
            "\npool:\n",
            [
                "data/address_pools.yml: field 'pool': unknown field (known: pools)",
                "data/address_pools.yml: field 'pools': missing: the file must have this key",
            ],
        ),
    ],
    ids=["overrides", "ledger", "pools"],
)
def test_a_misspelt_top_level_key_is_refused(inventory_copy, file, old, new, expected):
    path = inventory_copy / file
    assert old in read(path)
    write(path, read(path).replace(old, new))
    assert problems_of(inventory_copy)[: len(expected)] == expected


@pytest.mark.fault
def test_a_file_that_is_not_utf8_is_refused(inventory_copy):
    overrides = inventory_copy / "site_overrides.yml"
    overrides.write_bytes(read(overrides).encode("cp1258", errors="replace") + b"# Ti\xeau S\xf5n\n")
    assert only_problem(inventory_copy).startswith("site_overrides.yml: not UTF-8 text (byte ")


# ---------------------------------------------------------------- host names, Terminal and User IDs


TIEN_SON = "bac-ninh-cchq-tien-son"  # 198.18.5.0/24, VLANs 10 (198.18.6.0/24) and 20 (198.18.7.0/24)


def add_workstations(inventory: Path, host: str, *stations: dict) -> None:
    def change(data):
        data["sites"].setdefault(host, {}).setdefault("workstations", []).extend(stations)

    edit_yaml(inventory / "site_overrides.yml", change)


@pytest.mark.fault
@pytest.mark.parametrize(
    ("site", "name", "field", "host", "other"),
    [
        *(
            (TIEN_SON, name, "workstations[2].name", f"{TIEN_SON}-sw", f"the switch of site {TIEN_SON}")
            for name in ("SW", "sw", "Sw")
        ),
        (
            "bac-ninh-cchq-bac-ninh",
            "QUE-VO",
            "workstations[0].name",
            "bac-ninh-cchq-bac-ninh-que-vo",
            "the DHCP server of site bac-ninh-cchq-bac-ninh-que-vo",
        ),
        (
            TIEN_SON,
            "ts-hq01",
            "workstations[2].name",
            f"{TIEN_SON}-ts-hq01",
            f"workstation 'TS-HQ01' of site {TIEN_SON}",
        ),
    ],
    ids=["SW", "sw", "Sw", "another site's DHCP server", "a workstation in another case"],
)
def test_a_workstation_whose_host_name_another_host_has_is_refused(
    inventory_copy, site, name, field, host, other
):
    # A workstation named SW would otherwise become the site's switch host.
    add_workstations(inventory_copy, site, {"name": name})
    assert only_problem(inventory_copy) == (
        f"site_overrides.yml: site {site}: field '{field}': host name '{host}' of workstation {name!r} "
        f"of site {site} is already the host name of {other}; rename one of them"
    )


@pytest.mark.fault
@pytest.mark.parametrize("copy_of", ["1BTS001", "1bts001", " 1BTS001 ", "1Bts001\t"])
def test_a_terminal_id_differing_only_in_case_or_blanks_is_a_duplicate(inventory_copy, copy_of):
    add_workstations(inventory_copy, "lao-cai-cchq-ck-bat-xat", {"name": "PC01", "terminal_id": copy_of})
    assert only_problem(inventory_copy) == (
        "site_overrides.yml: site lao-cai-cchq-ck-bat-xat: field 'workstations[0].terminal_id': "
        f"Terminal ID {copy_of!r} of workstation 'PC01' of site lao-cai-cchq-ck-bat-xat is already used by "
        "workstation 'TS-HQ01' of site bac-ninh-cchq-tien-son (Article 15: connection parameters are never "
        "duplicated)"
    )


@pytest.mark.fault
def test_a_user_id_used_on_two_workstations_is_refused(inventory_copy):
    add_workstations(inventory_copy, "lao-cai-cchq-ck-bat-xat", {"name": "PC01", "user_id": "02AB0001"})
    add_workstations(inventory_copy, "ha-giang-cchq-xi-man", {"name": "PC01", "user_id": " 02ab0001"})
    assert only_problem(inventory_copy) == (
        "site_overrides.yml: site ha-giang-cchq-xi-man: field 'workstations[0].user_id': User ID ' 02ab0001' "
        "of workstation 'PC01' of site ha-giang-cchq-xi-man is already used by workstation 'PC01' of site "
        "lao-cai-cchq-ck-bat-xat (Article 15: connection parameters are never duplicated)"
    )


def test_ids_reach_the_host_variables_without_blanks(inventory_copy):
    add_workstations(
        inventory_copy,
        "lao-cai-cchq-ck-bat-xat",
        {"name": "PC01", "terminal_id": " 2LCT001 ", "user_id": "02AB0001 "},
    )
    host = build_inventory(load_site_data(Paths.in_inventory_dir(inventory_copy))).hosts[
        "lao-cai-cchq-ck-bat-xat-pc01"
    ]
    assert (host["terminal_id"], host["user_id"]) == ("2LCT001", "02AB0001")


@pytest.mark.fault
@pytest.mark.parametrize(
    ("station", "field", "message"),
    [
        (
            {"name": "TS-HQ-PHUOCLONG3"},
            "name",
            "'TS-HQ-PHUOCLONG3' is 16 characters long; a Windows computer name has at most 15",
        ),
        (
            {"name": "Máy-01"},
            "name",
            "'Máy-01' has letters outside ASCII; a Windows computer name is written without diacritics",
        ),
        ({"name": "PC*01"}, "name", "'PC*01' has characters a Windows computer name may not contain: '*'"),
        (
            {"name": "2024"},
            "name",
            "'2024' is only digits, which a member of an Active Directory domain may not be named",
        ),
        ({"name": ".PC01"}, "name", "'.PC01' begins with a period"),
        (
            {"name": "PC01", "terminal_id": "1BTSƯ01"},
            "terminal_id",
            "'1BTSƯ01' has letters outside ASCII, which the customs client cannot store",
        ),
        ({"name": "PC01", "terminal_id": 1001}, "terminal_id", "1001 is not a Terminal ID (quote it)"),
        (
            {"name": "PC01", "user_id": "02AB0-001"},
            "user_id",
            "'02AB0-001' is not a User ID: 8 letters or digits, the 5-character User Code and the "
            "3-character User Identification (Appendix II)",
        ),
    ],
    ids=[
        "name too long",
        "name not ascii",
        "name with a star",
        "name only digits",
        "name with a period first",
        "terminal id not ascii",
        "terminal id a number",
        "user id with a dash",
    ],
)
def test_names_and_ids_windows_or_the_client_cannot_store_are_refused(
    inventory_copy, station, field, message
):
    add_workstations(inventory_copy, "lao-cai-cchq-ck-bat-xat", station)
    assert only_problem(inventory_copy) == (
        f"site_overrides.yml: site lao-cai-cchq-ck-bat-xat: field 'workstations[0].{field}': {message}"
    )


def test_a_fifteen_character_ascii_name_is_a_computer_name(inventory_copy):
    add_workstations(
        inventory_copy, "lao-cai-cchq-ck-bat-xat", {"name": "TS-HQ-PHUOCLON3", "user_id": "02AB0001"}
    )
    model = build_inventory(load_site_data(Paths.in_inventory_dir(inventory_copy)))
    assert model.hosts["lao-cai-cchq-ck-bat-xat-ts-hq-phuoclon3"]["workstation_name"] == "TS-HQ-PHUOCLON3"


# ------------------------------------------------------------------------ addresses on the site


@pytest.mark.fault
@pytest.mark.parametrize(
    ("ip", "message"),
    [
        (
            "198.18.8.60",
            "198.18.8.60 is outside every subnet of the site (198.18.5.0/24, 198.18.6.0/24, 198.18.7.0/24)",
        ),
        ("198.18.5.10", "198.18.5.10 is already the address of the DHCP server (dhcp_server_ip)"),
        ("198.18.5.1", "198.18.5.1 is already the address of the router (router)"),
        ("198.18.6.1", "198.18.6.1 is already the address of the gateway of VLAN 10 (vlans[0].gateway)"),
        ("198.18.5.2", "198.18.5.2 is already the address of the switch (switch.ip)"),
        ("198.18.6.60", "198.18.6.60 is already the address of workstation 'TS-HQ01' (workstations[0].ip)"),
        ("198.18.7.255", "198.18.7.255 is the network or broadcast address of 198.18.7.0/24"),
    ],
    ids=["outside", "dhcp server", "router", "vlan gateway", "switch", "other workstation", "broadcast"],
)
def test_a_workstation_address_that_cannot_be_its_own_is_refused(inventory_copy, ip, message):
    add_workstations(inventory_copy, TIEN_SON, {"name": "TS-HQ03", "ip": ip})
    assert (
        only_problem(inventory_copy)
        == f"site_overrides.yml: site {TIEN_SON}: field 'workstations[2].ip': {message}"
    )


def set_switch(inventory: Path, ip: str) -> None:
    edit_yaml(inventory / "site_overrides.yml", lambda d: d["sites"][TIEN_SON]["switch"].update(ip=ip))


@pytest.mark.fault
def test_a_switch_at_the_dhcp_servers_address_is_refused(inventory_copy):
    set_switch(inventory_copy, "198.18.5.10")
    assert only_problem(inventory_copy) == (
        f"site_overrides.yml: site {TIEN_SON}: field 'switch.ip': "
        "198.18.5.10 is the address of the DHCP server (dhcp_server_ip); the switch needs its own"
    )


@pytest.mark.fault
def test_a_switch_outside_every_subnet_of_the_site_is_a_warning(inventory_copy):
    set_switch(inventory_copy, "10.255.0.5")
    data = load_site_data(Paths.in_inventory_dir(inventory_copy))
    assert [str(warning) for warning in data.warnings] == [
        f"site_overrides.yml: site {TIEN_SON}: field 'switch.ip': 10.255.0.5 is outside every subnet of the "
        "site (198.18.5.0/24, 198.18.6.0/24, 198.18.7.0/24); right only if the switch is managed from a "
        "network of its own"
    ]
    assert build_inventory(data).hosts[f"{TIEN_SON}-sw"]["ansible_host"] == "10.255.0.5"


@pytest.mark.parametrize("ip", ["198.18.5.1", "198.18.6.1", "198.18.7.2"])
def test_a_switch_on_the_site_may_be_the_router_or_a_gateway(inventory_copy, ip):
    # The switch is the VLANs' gateway: it has those addresses.
    set_switch(inventory_copy, ip)
    assert load_site_data(Paths.in_inventory_dir(inventory_copy)).warnings == []


@pytest.mark.fault
def test_a_bad_vlan_id_is_one_problem(inventory_copy):
    edit_yaml(
        inventory_copy / "site_overrides.yml", lambda d: d["sites"][TIEN_SON]["vlans"][0].update(id=5000)
    )
    assert only_problem(inventory_copy) == (
        f"site_overrides.yml: site {TIEN_SON}: field 'vlans[0].id': 5000 is not a VLAN id (1-4094)"
    )


@pytest.mark.fault
def test_two_vlans_with_one_subnet_are_refused(inventory_copy):
    edit_yaml(
        inventory_copy / "site_overrides.yml",
        lambda d: d["sites"][TIEN_SON]["vlans"][1].update(subnet="198.18.6.0/24", gateway="198.18.6.254"),
    )
    assert only_problem(inventory_copy) == (
        f"site_overrides.yml: site {TIEN_SON}: field 'vlans[1].subnet': 198.18.6.0/24 is already the subnet "
        "of VLAN 10 (vlans[0]); each VLAN has a subnet of its own"
    )


# -------------------------------------------------------------------------------- size limits


@pytest.mark.fault
@pytest.mark.parametrize(
    ("domain", "message"),
    [
        (".".join(["a" * 63] * 4), "is 255 characters long; a DNS domain name has at most 253"),
        (
            "b" * 64 + ".customs.gov.vn",
            "has a label of 64 characters (bbbbbbbbbbbbbbbbbbbb...); a DNS label has at most 63",
        ),
        ("lao-cai..customs.gov.vn", "is not a DNS domain name of letters, digits, hyphens and dots"),
        ("-laocai.customs.gov.vn", "is not a DNS domain name of letters, digits, hyphens and dots"),
        ("hảiquan.vn", "has letters outside ASCII; a DNS domain name is written without diacritics"),
    ],
    ids=["name over 253", "label over 63", "empty label", "label starting with a hyphen", "not ascii"],
)
def test_a_domain_name_dns_cannot_hold_is_refused(inventory_copy, domain, message):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", domain_name=domain)
    assert only_problem(inventory_copy) == (
        f"site_overrides.yml: site lao-cai-cchq-ck-bat-xat: field 'domain_name': {domain!r} {message}"
    )


def test_a_domain_name_of_253_characters_is_accepted(inventory_copy):
    domain = ".".join(["a" * 63] * 3 + ["b" * 61])
    assert len(domain) == 253
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", domain_name=domain)
    assert (
        build_inventory(load_site_data(Paths.in_inventory_dir(inventory_copy))).hosts[
            "lao-cai-cchq-ck-bat-xat"
        ]["dhcp_domain_name"]
        == domain
    )


def rename_first_site(inventory: Path, name: str) -> None:
    # An explicit slug keeps the host name (and its ledger entry) whatever the name.
    edit_yaml(
        inventory / "data" / "sites.yml",
        lambda d: d["departments"][0]["sites"].__setitem__(0, {"name_vi": name, "slug": "cchq-bac-ninh"}),
    )


@pytest.mark.fault
@pytest.mark.assumption
def test_a_scope_name_longer_than_the_toolkit_writes_is_refused_before_any_host(inventory_copy):
    # [U] no source gives netsh's limit; text.py's SCOPE_TEXT_MAX_LENGTH is the toolkit's own.
    rename_first_site(inventory_copy, "Chi cục Hải quan " + "Bắc Ninh " * 13)
    assert only_problem(inventory_copy).startswith(
        "data/sites.yml: site bac-ninh-cchq-bac-ninh: field 'name_vi': "
        "as a DHCP scope name ('Chi cuc Hai quan "
    )
    assert only_problem(inventory_copy).endswith(
        "the name is 134 characters long; the toolkit writes at most 128"
    )


@pytest.mark.fault
@pytest.mark.assumption
def test_a_vlan_scope_name_is_measured_with_its_suffix(inventory_copy):
    rename_first_site(inventory_copy, "Chi cục Hải quan " + "x" * 103)
    load_site_data(Paths.in_inventory_dir(inventory_copy))  # the site's own scope name, 120, fits
    vlan = {"id": 100, "subnet": "10.40.0.0/24", "gateway": "10.40.0.1"}
    set_site(inventory_copy, "bac-ninh-cchq-bac-ninh", switch={"ip": "198.18.0.2"}, vlans=[vlan])
    # " VLAN 100" makes the VLAN's scope name 129.
    assert only_problem(inventory_copy).endswith(
        "xxxx VLAN 100'), the name is 129 characters long; the toolkit writes at most 128"
    )


@pytest.mark.fault
def test_a_name_netsh_cannot_quote_is_refused_before_any_host(inventory_copy):
    edit_yaml(
        inventory_copy / "data" / "sites.yml",
        lambda d: d["departments"][0].update(name_vi='Cục Hải quan "Bắc Ninh"'),
    )
    found = problems_of(inventory_copy)
    assert (
        "data/sites.yml: site Cục Hải quan \"Bắc Ninh\": field 'name_vi': as a DHCP scope comment, the name "
        "may not contain double quotes, % or line breaks"
    ) in found


# ------------------------------------------------------------------------ DHCP and relay backends

BACKEND_SITE = "bac-ninh-cchq-tien-son"  # has a switch and VLANs in the frozen overrides


def hosts_of(inventory: Path) -> dict:
    return build_inventory(load_site_data(Paths.in_inventory_dir(inventory))).hosts


def test_without_a_backend_the_sites_keep_windows_and_ios(frozen_inventory):
    hosts = hosts_of(frozen_inventory)
    assert "dhcp_backend" not in hosts[BACKEND_SITE]
    assert "relay_backend" not in hosts[f"{BACKEND_SITE}-sw"]
    assert "ansible_connection" not in hosts[f"{BACKEND_SITE}-sw"]


def test_a_site_chooses_kea_and_a_linux_relay(inventory_copy):
    set_site(inventory_copy, BACKEND_SITE, dhcp_backend="kea", relay_backend="linux")
    hosts = hosts_of(inventory_copy)
    assert hosts[BACKEND_SITE]["dhcp_backend"] == "kea"
    relay = hosts[f"{BACKEND_SITE}-sw"]
    assert relay["relay_backend"] == "linux"
    # A Debian router over SSH, not the switches' network_cli.
    assert relay["ansible_connection"] == "ansible.builtin.ssh"
    other = hosts["dong-thap-cchq-ck-so-thuong"]
    assert "dhcp_backend" not in other


def test_a_department_chooses_the_backend_for_its_sites_and_a_site_may_differ(inventory_copy):
    def change(data):
        data["departments"] = {"bac_ninh": {"dhcp_backend": "kea", "relay_backend": "linux"}}
        data["sites"][BACKEND_SITE]["dhcp_backend"] = "windows"

    edit_yaml(inventory_copy / "site_overrides.yml", change)
    hosts = hosts_of(inventory_copy)
    assert hosts[BACKEND_SITE]["dhcp_backend"] == "windows"
    assert hosts[f"{BACKEND_SITE}-sw"]["relay_backend"] == "linux"
    bac_ninh = [
        host
        for host, host_vars in hosts.items()
        if host_vars.get("department_slug") == "bac_ninh" and "dhcp_scopes" in host_vars
    ]
    assert len(bac_ninh) > 1
    assert {hosts[host]["dhcp_backend"] for host in bac_ninh if host != BACKEND_SITE} == {"kea"}


@pytest.mark.fault
@pytest.mark.parametrize(
    ("field_name", "value", "choices"),
    [
        ("dhcp_backend", "isc-dhcpd", "windows, kea"),
        ("dhcp_backend", "Kea", "windows, kea"),
        ("relay_backend", "cisco", "ios, linux"),
        ("relay_backend", True, "ios, linux"),
    ],
)
def test_an_unknown_backend_is_refused_naming_site_and_field(inventory_copy, field_name, value, choices):
    set_site(inventory_copy, BACKEND_SITE, **{field_name: value})
    problem = only_problem(inventory_copy)
    assert problem.startswith(f"site_overrides.yml: site {BACKEND_SITE}: field '{field_name}'")
    assert f"{value!r} is not one of {choices}" in problem


@pytest.mark.fault
def test_an_unknown_backend_in_a_department_is_refused_naming_it(inventory_copy):
    edit_yaml(
        inventory_copy / "site_overrides.yml",
        lambda d: d.update(departments={"bac_ninh": {"dhcp_backend": "dnsmasq"}}),
    )
    problem = only_problem(inventory_copy)
    assert problem.startswith("site_overrides.yml: site department bac_ninh: field 'dhcp_backend'")
