"""Slugs, address allocation and the ledger, and every validator error."""

from __future__ import annotations

import re
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


# ------------------------------------------------------------------------------- the validator


def test_duplicate_department_slug(inventory_copy):
    edit_yaml(inventory_copy / "data" / "sites.yml", lambda d: d["departments"][1].update(slug="bac_ninh"))
    found = problems_of(inventory_copy)
    assert any(
        p.startswith("data/sites.yml: site Cục Hải quan Lào Cai: field 'slug': duplicate slug 'bac_ninh'")
        for p in found
    ), found


def test_duplicate_site_host_name(inventory_copy):
    edit_yaml(
        inventory_copy / "data" / "sites.yml",
        lambda d: d["departments"][0]["sites"].append("Chi cục HẢI QUAN Tiên Sơn"),
    )
    problem = only_problem(inventory_copy)
    assert problem.startswith("data/sites.yml: site bac-ninh-cchq-tien-son (Chi cục HẢI QUAN Tiên Sơn)")
    assert "field 'slug'" in problem and "duplicate host name" in problem


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


def test_department_without_a_region_is_reported(inventory_copy):
    def drop_alias(data):
        for region in data["regions"]:
            region["rows"] = [row for row in region["rows"] if row["name_vi"] != "Cục HQ Lai Châu"]

    edit_yaml(inventory_copy / "data" / "base_servers.yml", drop_alias)
    problem = only_problem(inventory_copy)
    assert problem.startswith("data/base_servers.yml: site Cục Hải quan Điện Biên: field 'department'")
    assert "cannot place department 'dien_bien'" in problem


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


def test_unknown_field_is_refused(inventory_copy):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", subnett="198.18.9.0/24")
    problem = only_problem(inventory_copy)
    assert problem.startswith(
        "site_overrides.yml: site lao-cai-cchq-ck-bat-xat: field 'subnett': unknown field"
    )


def test_non_24_subnet(inventory_copy):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", subnet="10.20.0.0/23")
    assert only_problem(inventory_copy) == (
        "site_overrides.yml: site lao-cai-cchq-ck-bat-xat: field 'subnet': "
        "10.20.0.0/23 is a /23; branch subnets must be /24"
    )


def test_subnet_with_host_bits(inventory_copy):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", subnet="10.20.0.7/24")
    assert "did you mean 10.20.0.0/24?" in only_problem(inventory_copy)


def test_overlapping_subnets_between_overrides(inventory_copy):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", subnet="10.20.0.0/24")
    set_site(inventory_copy, "ha-giang-cchq-xi-man", subnet="10.20.0.0/24")
    problem = only_problem(inventory_copy)
    assert problem == (
        "site_overrides.yml: site ha-giang-cchq-xi-man: field 'subnet': "
        "10.20.0.0/24 overlaps the subnet of lao-cai-cchq-ck-bat-xat"
    )


def test_override_overlapping_another_sites_ledger_entry(inventory_copy):
    taken = subnets(inventory_copy)["lao-cai-cchq-ck-muong-khuong"]
    set_site(inventory_copy, "ha-giang-cchq-xi-man", subnet=taken)
    problem = only_problem(inventory_copy)
    assert problem == (
        "data/address_ledger.yml: site lao-cai-cchq-ck-muong-khuong: field 'allocations': "
        f"{taken} overlaps the subnet of ha-giang-cchq-xi-man"
    )


def test_dhcp_range_outside_subnet(inventory_copy):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", subnet="10.20.0.0/24", dhcp_range_end="10.20.1.20")
    assert only_problem(inventory_copy) == (
        "site_overrides.yml: site lao-cai-cchq-ck-bat-xat: field 'dhcp_range_end': "
        "10.20.1.20 is outside the site's subnet 10.20.0.0/24"
    )


def test_dhcp_range_backwards(inventory_copy):
    set_site(
        inventory_copy,
        "lao-cai-cchq-ck-bat-xat",
        subnet="10.20.0.0/24",
        dhcp_range_start="10.20.0.200",
        dhcp_range_end="10.20.0.100",
    )
    assert "range start 10.20.0.200 is after range end 10.20.0.100" in only_problem(inventory_copy)


def test_router_inside_the_range(inventory_copy):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", subnet="10.20.0.0/24", router="10.20.0.60")
    assert only_problem(inventory_copy).endswith(
        "field 'router': 10.20.0.60 lies inside the DHCP range 10.20.0.50-10.20.0.254"
    )


@pytest.mark.parametrize("bad", ["198.18.9.300", "198.18.9", "gateway", "198.018.9.1"])
def test_malformed_address(inventory_copy, bad):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", router=bad)
    problem = only_problem(inventory_copy)
    assert problem.startswith("site_overrides.yml: site lao-cai-cchq-ck-bat-xat: field 'router': ")
    assert repr(bad) in problem


def test_malformed_dns_server_names_its_position(inventory_copy):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", dns_servers=["198.19.48.53", "8.8.8"])
    assert "field 'dns_servers[1]': '8.8.8' is not a valid IPv4 address" in only_problem(inventory_copy)


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


def test_vlans_without_a_switch(inventory_copy):
    set_site(
        inventory_copy,
        "lao-cai-cchq-ck-bat-xat",
        vlans=[{"id": 10, "subnet": "10.30.0.0/24", "gateway": "10.30.0.1"}],
    )
    assert only_problem(inventory_copy).endswith(
        "field 'switch': VLANs are listed but no switch says where to relay them"
    )


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


def test_every_problem_is_reported_at_once(inventory_copy):
    set_site(inventory_copy, "lao-cai-cchq-ck-bat-xat", subnet="10.20.0.0/24", router="10.20.9.1")
    set_site(inventory_copy, "ha-giang-cchq-xi-man", windows_version="2012")
    found = problems_of(inventory_copy)
    assert len(found) == 2
    assert any("field 'router'" in p for p in found) and any("field 'windows_version'" in p for p in found)


# ------------------------------------------------------------------- values of the wrong shape


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
    ],
)
def test_a_value_of_the_wrong_shape_is_reported_not_raised(inventory_copy, file, change, expected):
    edit_yaml(inventory_copy / file, change)
    assert expected in problems_of(inventory_copy)
