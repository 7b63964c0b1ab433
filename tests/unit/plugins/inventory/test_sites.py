"""The vncustoms.vnaccs.sites inventory plugin, run through ansible-inventory as Ansible runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[4]
BIN = Path(sys.executable).parent


def ansible(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"}
    return subprocess.run(
        [str(BIN / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def plain(node: dict):
    return node["__ansible_unsafe"] if set(node) == {"__ansible_unsafe"} else node


def listing(source: Path) -> dict:
    result = ansible("ansible-inventory", "-i", str(source), "--list")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout, object_hook=plain)


@pytest.fixture(scope="module")
def inventory(frozen_inventory) -> dict:
    return listing(frozen_inventory)


def hosts_of(inventory: dict, group: str) -> list[str]:
    return inventory.get(group, {}).get("hosts", [])


def test_role_groups(inventory):
    assert len(hosts_of(inventory, "dhcp_servers")) == 152
    assert len(hosts_of(inventory, "base_servers")) == 10
    assert hosts_of(inventory, "switches") == ["bac-ninh-cchq-tien-son-sw", "dong-thap-cchq-ck-so-thuong-sw"]
    assert hosts_of(inventory, "workstations") == [
        "bac-ninh-cchq-tien-son-ts-hq01",
        "bac-ninh-cchq-tien-son-ts-hq02",
    ]
    assert set(inventory["windows"]["children"]) == {"dhcp_servers", "base_servers", "workstations"}


def test_department_and_region_groups(inventory):
    departments = inventory["departments"]["children"]
    assert (
        len(departments) == 34 and departments[0] == "cuc_bac_ninh" and departments[-1] == "cuc_ho_chi_minh"
    )
    regions = inventory["regions"]["children"]
    assert len(regions) == 10
    assert hosts_of(inventory, "cuc_lang_son") == ["lang-son-doi-nghiep-vu-co-sau"]
    assert "lang-son-doi-nghiep-vu-co-sau" in hosts_of(inventory, "region_lang_son")
    assert "base-lang-son" in hosts_of(inventory, "region_lang_son")
    # Điện Biên is placed through the Lai Châu alias of Appendix III.
    assert set(hosts_of(inventory, "cuc_dien_bien")) <= set(hosts_of(inventory, "region_tong_cuc"))


def test_site_host_variables(inventory):
    host = inventory["_meta"]["hostvars"]["tay-ninh-cchq-linh-trung-3"]
    assert host["site_name_vi"] == "Chi cục Hải quan Linh Trung 3"
    assert host["department_name_vi"] == "Cục Hải quan Tây Ninh"
    assert host["base_server_region"] == "binh_duong"
    subnet = host["site_subnet"]
    prefix = subnet.rsplit(".", 1)[0]
    assert subnet == f"{prefix}.0/24"
    assert host["dhcp_range_start"] == f"{prefix}.50"
    assert host["dhcp_range_end"] == f"{prefix}.254"
    assert host["dhcp_subnet_mask"] == "255.255.255.0"
    assert host["dhcp_router"] == f"{prefix}.1"
    assert host["ansible_host"] == host["dhcp_server_ip"] == f"{prefix}.10"
    assert host["dhcp_scopes"] == [
        {
            "address": f"{prefix}.0",
            "mask": "255.255.255.0",
            "name": "Chi cục Hải quan Linh Trung 3",
            "comment": "Cục Hải quan Tây Ninh",
            "range_start": f"{prefix}.50",
            "range_end": f"{prefix}.254",
            "exclusions": host["dhcp_exclusions"],
            "router": f"{prefix}.1",
            "dns_servers": host["dhcp_dns_servers"],
            "domain_name": host.get("dhcp_domain_name", ""),
        }
    ]


def test_switch_host_carries_vlans_and_the_helper_address(inventory):
    switch = inventory["_meta"]["hostvars"]["bac-ninh-cchq-tien-son-sw"]
    assert switch["ansible_host"] == "198.18.5.2"
    assert switch["dhcp_server_ip"] == "198.18.5.10"
    assert [vlan["interface"] for vlan in switch["site_vlans"]] == ["Vlan10", "Vlan20"]
    assert switch["ansible_network_os"] == "cisco.ios.ios"  # from group_vars/switches.yml


def test_constructed_keyed_groups(inventory):
    assert "bac-ninh-cchq-tien-son" in hosts_of(inventory, "windows_2003")
    assert "dong-thap-cchq-ck-so-thuong" in hosts_of(inventory, "windows_2008")


def test_snapshot_is_the_same_inventory(inventory, frozen_inventory):
    snapshot = listing(frozen_inventory / "snapshot.yml")
    assert snapshot["_meta"]["hostvars"] == inventory["_meta"]["hostvars"]
    for group in (
        "dhcp_servers",
        "switches",
        "base_servers",
        "workstations",
        "cuc_cao_bang",
        "region_da_nang",
    ):
        assert sorted(hosts_of(snapshot, group)) == sorted(hosts_of(inventory, group))


@pytest.mark.fault
def test_bad_data_fails_with_file_site_and_field(inventory_copy):
    overrides = inventory_copy / "site_overrides.yml"
    data = yaml.safe_load(overrides.read_text(encoding="utf-8"))
    data["sites"]["lao-cai-cchq-ck-bat-xat"] = {"subnet": "10.1.0.0/16"}
    overrides.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = ansible("ansible-inventory", "-i", str(inventory_copy), "--list", cwd=inventory_copy)
    assert result.returncode != 0
    assert (
        "site_overrides.yml: site lao-cai-cchq-ck-bat-xat: field 'subnet': "
        "10.1.0.0/16 is a /16; branch subnets must be /24"
    ) in result.stderr


@pytest.mark.fault
def test_an_empty_overrides_file_fails_without_a_traceback(inventory_copy):
    ledger = inventory_copy / "data" / "address_ledger.yml"
    before = ledger.read_text(encoding="utf-8")
    (inventory_copy / "site_overrides.yml").write_text("", encoding="utf-8")
    result = ansible("ansible-inventory", "-i", str(inventory_copy), "--list", cwd=inventory_copy)
    assert result.returncode != 0
    assert "site_overrides.yml: the file is empty" in result.stderr
    assert "Traceback" not in result.stderr
    assert ledger.read_text(encoding="utf-8") == before


def lab_config(tmp_path: Path, overlay: dict, inventory: Path) -> Path:
    (tmp_path / "overlay.yml").write_text(yaml.safe_dump(overlay), encoding="utf-8")
    config = tmp_path / "lab.sites.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "plugin": "vncustoms.vnaccs.sites",
                "data_dir": str(inventory / "data"),
                "overrides_file": str(inventory / "site_overrides.yml"),
                "host_vars_overlay": "overlay.yml",
            }
        ),
        encoding="utf-8",
    )
    return config


def test_overlay_adds_connection_variables(tmp_path, frozen_inventory):
    overlay = {"base-da-nang": {"ansible_host": "127.0.0.1", "ansible_port": 25985, "winlab_profile": "2008"}}
    result = listing(lab_config(tmp_path, overlay, frozen_inventory))
    host = result["_meta"]["hostvars"]["base-da-nang"]
    assert host["ansible_host"] == "127.0.0.1" and host["ansible_port"] == 25985
    assert host["base_server_region"] == "da_nang"


@pytest.mark.fault
def test_overlay_with_an_unknown_host_is_refused(tmp_path, frozen_inventory):
    config = lab_config(tmp_path, {"base-hue": {"ansible_port": 1}}, frozen_inventory)
    result = ansible("ansible-inventory", "-i", str(config), "--list")
    assert result.returncode != 0
    assert "unknown host(s) base-hue" in result.stderr


def test_plugin_documentation_is_readable():
    result = ansible("ansible-doc", "-t", "inventory", "vncustoms.vnaccs.sites")
    assert result.returncode == 0, result.stderr
    for option in ("data_dir", "overrides_file", "host_vars_overlay", "keyed_groups"):
        assert option in result.stdout


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("vnaccs.sites.yml", True),
        ("lab.sites.yaml", True),
        ("site_overrides.yml", False),
        ("hosts.yml", False),
    ],
)
def test_verify_file_accepts_only_sites_configs(tmp_path, name, accepted):
    from ansible_collections.vncustoms.vnaccs.plugins.inventory.sites import InventoryModule

    path = tmp_path / name
    path.write_text("plugin: vncustoms.vnaccs.sites\n", encoding="utf-8")
    assert InventoryModule().verify_file(str(path)) is accepted


# -- the plugin's own code in this process (Ansible's reading of its options stood in for) -----------


def parse_in_process(inventory: Path, monkeypatch, **options):
    """Run InventoryModule.parse on `inventory` with its default options, warnings collected."""
    from ansible.inventory.data import InventoryData
    from ansible.parsing.dataloader import DataLoader
    from ansible_collections.vncustoms.vnaccs.plugins.inventory import sites

    settings = {
        "data_dir": "data",
        "overrides_file": "site_overrides.yml",
        "host_vars_overlay": None,
        "strict": False,
        "compose": {},
        "groups": {},
        "keyed_groups": [],
        **options,
    }
    warnings: list[str] = []
    monkeypatch.setattr(sites.display, "warning", warnings.append)
    plugin = sites.InventoryModule()
    monkeypatch.setattr(plugin, "_read_config_data", lambda path: None)
    monkeypatch.setattr(plugin, "get_option", settings.__getitem__)
    data = InventoryData()
    plugin.parse(data, DataLoader(), str(inventory / "vnaccs.sites.yml"), cache=False)
    return data, warnings


def test_the_plugin_builds_the_frozen_inventory_in_process(frozen_inventory, monkeypatch):
    data, warnings = parse_in_process(frozen_inventory, monkeypatch)
    assert len(data.groups["dhcp_servers"].hosts) == 152 and warnings == []


@pytest.mark.fault
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "site_overrides.yml: the file is empty"),
        ("site:\n  bac-ninh-cchq-tien-son: {subnet: 198.18.5.0/24}\n", "field 'site': unknown field"),
        ("sites:\n  bac-ninh-cchq-tien-son: {}\n  bac-ninh-cchq-tien-son: {}\n", "is written twice"),
        ("sites: [bac-ninh-cchq-tien-son]\n", "field 'sites': must be a mapping, not a list"),
    ],
    ids=["empty", "misspelt section", "site twice", "sites a list"],
)
def test_the_plugin_refuses_bad_overrides_and_writes_nothing(inventory_copy, monkeypatch, text, expected):
    from ansible.errors import AnsibleParserError

    ledger = inventory_copy / "data" / "address_ledger.yml"
    before = ledger.read_text(encoding="utf-8")
    (inventory_copy / "site_overrides.yml").write_text(text, encoding="utf-8")
    with pytest.raises(AnsibleParserError) as refused:
        parse_in_process(inventory_copy, monkeypatch)
    assert "nothing was changed" in str(refused.value) and expected in str(refused.value)
    assert ledger.read_text(encoding="utf-8") == before


@pytest.mark.fault
def test_the_plugin_shows_each_warning(inventory_copy, monkeypatch):
    overrides = inventory_copy / "site_overrides.yml"
    overrides.write_text(
        overrides.read_text(encoding="utf-8").replace("ip: 198.18.5.2,", "ip: 10.255.0.5,"), encoding="utf-8"
    )
    data, warnings = parse_in_process(inventory_copy, monkeypatch)
    assert len(warnings) == 1 and "field 'switch.ip': 10.255.0.5 is outside every subnet" in warnings[0]
    assert data.get_host("bac-ninh-cchq-tien-son-sw").vars["ansible_host"] == "10.255.0.5"


@pytest.mark.fault
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "base-da-nang: {ansible_port: 1}\nbase-da-nang: {ansible_port: 2}\n",
            "key 'base-da-nang' is written twice",
        ),
        ("a: &port {ansible_port: 1}\nbase-da-nang: *port\n", "the alias *port repeats a value"),
    ],
    ids=["host twice", "alias"],
)
def test_the_overlay_is_read_by_the_same_loader(tmp_path, frozen_inventory, monkeypatch, text, expected):
    from ansible.errors import AnsibleParserError

    (tmp_path / "overlay.yml").write_text(text, encoding="utf-8")
    with pytest.raises(AnsibleParserError, match="cannot read the host variables overlay") as refused:
        parse_in_process(frozen_inventory, monkeypatch, host_vars_overlay=str(tmp_path / "overlay.yml"))
    assert expected in str(refused.value)
