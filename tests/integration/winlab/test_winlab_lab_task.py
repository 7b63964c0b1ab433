"""The lab inventory (winlab.inventory) and the `lab` invoke task's background process."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests
import winrm
import yaml
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import windows_output as wo
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.sitedata import Paths, load_site_data
from netaddr import IPAddress, IPRange

from tasklib import lab as lab_task
from tasklib.sites import model_listing, write_lab_overrides
from tests.support.ansible_cli import run_ansible
from tests.support.fixture_files import ROOT
from winlab import inventory

INVENTORY_LIST = {
    "_meta": {
        "hostvars": {
            "dhcp-bac-ninh": {"windows_version": "2003", "ansible_host": "10.27.10.5"},
            "dhcp-hai-phong": {"windows_version": "2008"},
            "dhcp-lang-son": {},
            "base-ha-noi": {},
            "ws-bac-ninh-01": {"windows_version": "xp"},
            "ws-bac-ninh-02": {},
            "sw-bac-ninh": {},
        }
    },
    "all": {"children": ["windows", "switches", "ungrouped"]},
    "windows": {"children": ["dhcp_servers", "base_servers", "workstations"]},
    "dhcp_servers": {"hosts": ["dhcp-bac-ninh", "dhcp-hai-phong", "dhcp-lang-son"]},
    "base_servers": {"hosts": ["base-ha-noi"]},
    "workstations": {"hosts": ["ws-bac-ninh-01", "ws-bac-ninh-02"]},
    "switches": {"hosts": ["sw-bac-ninh"]},
}


def test_windows_hosts_from_the_inventory():
    hosts = {host.name: host for host in inventory.windows_hosts(INVENTORY_LIST)}
    assert set(hosts) == {
        "dhcp-bac-ninh",
        "dhcp-hai-phong",
        "dhcp-lang-son",
        "base-ha-noi",
        "ws-bac-ninh-01",
        "ws-bac-ninh-02",
    }
    assert hosts["dhcp-bac-ninh"].profile == "2003"
    assert hosts["dhcp-hai-phong"].profile == "2008"
    assert hosts["ws-bac-ninh-01"].profile == "xp"
    assert hosts["ws-bac-ninh-02"].profile in ("xp", "7")
    assert hosts["base-ha-noi"].group == "base_servers"
    # The site address becomes the emulated card's address; a host without one gets a lab address.
    assert hosts["dhcp-bac-ninh"].address == "10.27.10.5"
    assert hosts["base-ha-noi"].address is None
    config = inventory.lab_config(list(hosts.values()), Path("/tmp/lab"), "pw")
    assert {"name": "dhcp-bac-ninh", "profile": "2003", "address": "10.27.10.5"} in config["hosts"]


def test_profiles_alternate_deterministically():
    names = [f"dhcp-site-{index}" for index in range(40)]
    profiles = [inventory.choose_profile(name, "dhcp_servers", None) for name in names]
    assert set(profiles) == {"2003", "2008"}
    assert profiles == [inventory.choose_profile(name, "dhcp_servers", None) for name in names]
    assert {inventory.choose_profile(name, "workstations", None) for name in names} == {"xp", "7"}


RUNTIME = {
    "control_url": "http://127.0.0.1:40000",
    "hosts": {
        "dhcp-bac-ninh": {"address": "127.0.0.1", "http_port": 40001, "https_port": 40002, "profile": "2003"},
        "ws-bac-ninh-01": {"address": "127.0.0.1", "http_port": 40003, "https_port": 40004, "profile": "xp"},
    },
}


def test_inventory_with_the_site_plugin(tmp_path):
    data = tmp_path / "inventory"
    data.mkdir()
    (data / "sites.yml").write_text("---\n[]\n")
    sites_config = data / "vnaccs.sites.yml"
    sites_config.write_text("---\nplugin: vncustoms.vnaccs.sites\nsites_file: sites.yml\nstrict: true\n")
    directory = inventory.write_inventory(tmp_path / "lab" / "inventory", RUNTIME, "pw", sites_config)
    config = yaml.safe_load((directory / "lab.sites.yml").read_text())
    assert config["plugin"] == "vncustoms.vnaccs.sites"
    assert config["sites_file"] == str(data / "sites.yml")  # relative data paths made absolute
    assert config["strict"] is True
    overlay = yaml.safe_load(Path(config["host_vars_overlay"]).read_text())
    assert overlay["dhcp-bac-ninh"] == {
        "ansible_host": "127.0.0.1",
        "ansible_port": 40001,
        "ansible_user": "Administrator",
        "ansible_password": "pw",
        "ansible_winrm_transport": "ntlm",
        "ansible_winrm_scheme": "http",
        "winlab_profile": "2003",
        "winlab_https_port": 40002,
        "winlab_control_url": "http://127.0.0.1:40000",
    }
    # Only the plugin configuration, host_vars and group_vars sit inside the directory Ansible reads;
    # group_vars holds the lab's own Ecus6 portal even when the site inventory has no group_vars.
    assert sorted(path.name for path in directory.iterdir()) == ["group_vars", "host_vars", "lab.sites.yml"]
    lab_vars = yaml.safe_load((directory / "group_vars" / "all" / "zz-lab.yml").read_text())
    assert lab_vars == {"ecus6_officer_url": inventory.NO_PORTAL, "ecus6_admin_url": inventory.NO_PORTAL}
    assert (
        yaml.safe_load((directory / "host_vars" / "ws-bac-ninh-01.yml").read_text())["winlab_profile"] == "xp"
    )
    assert oct(Path(config["host_vars_overlay"]).stat().st_mode & 0o777) == "0o600"


def test_static_inventory_without_the_site_plugin(tmp_path):
    runtime = json.loads(json.dumps(RUNTIME))
    runtime["hosts"]["dhcp-bac-ninh"]["group"] = "dhcp_servers"
    runtime["hosts"]["ws-bac-ninh-01"]["group"] = "workstations"
    directory = inventory.write_inventory(tmp_path / "inventory", runtime, "pw", None)
    listed = run_ansible("ansible-inventory", "-i", str(directory), "--list")
    assert listed.returncode == 0, listed.stderr
    parsed = json.loads(listed.stdout)
    assert parsed["dhcp_servers"]["hosts"] == ["dhcp-bac-ninh"]
    assert parsed["_meta"]["hostvars"]["ws-bac-ninh-01"]["ansible_port"] == 40003


@pytest.mark.slow
def test_background_process_starts_and_stops(tmp_path):
    hosts = [inventory.LabHost("dhcp-bac-ninh", "dhcp_servers", "2003")]
    config_path = tmp_path / "winlab.json"
    config_path.write_text(json.dumps(inventory.lab_config(hosts, tmp_path, "Pw-123")))
    runtime = lab_task.start_daemon(config_path, tmp_path)
    try:
        pid = lab_task.running_pid(tmp_path / "winlab.pid")
        assert pid is not None
        port = runtime["hosts"]["dhcp-bac-ninh"]["http_port"]
        session = winrm.Session(
            f"http://127.0.0.1:{port}/wsman", auth=("Administrator", "Pw-123"), transport="ntlm"
        )
        assert session.run_cmd("hostname").std_out == b"DHCP-BAC-NINH\r\n"
    finally:
        assert lab_task.stop_daemon(tmp_path)
    assert lab_task.running_pid(tmp_path / "winlab.pid") is None
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(f"http://127.0.0.1:{port}/wsman", timeout=5)
    assert (tmp_path / "state" / "dhcp-bac-ninh.json").exists()
    assert not lab_task.stop_daemon(tmp_path)


def lab_runtime(hosts, **extra) -> dict:
    """A runtime description of a lab of `hosts` (as Lab.describe() gives it), with `extra` keys."""
    return {
        "control_url": "http://127.0.0.1:40000",
        **extra,
        "hosts": {
            host.name: {
                "address": "127.0.0.1",
                "http_port": 41000 + number,
                "https_port": 0,
                "profile": host.profile,
                "group": host.group,
            }
            for number, host in enumerate(hosts)
        },
    }


def test_the_lab_inventory_reads_the_lab_copy_of_the_overrides(frozen_inventory, tmp_path):
    # Every Windows host of the frozen inventory with the lab's workstations: the inventory Ansible
    # reads from the lab directory has the same hosts, and points at the emulated hosts.
    listed = model_listing(load_site_data(Paths.in_inventory_dir(frozen_inventory)))
    overrides = tmp_path / "lab" / "site_overrides.yml"
    hosts = inventory.windows_hosts(
        model_listing(write_lab_overrides(listed, frozen_inventory / "vnaccs.sites.yml", overrides))
    )
    runtime = lab_runtime(hosts)
    sites_config = frozen_inventory / "vnaccs.sites.yml"
    directory = inventory.write_inventory(
        tmp_path / "lab" / "inventory", runtime, "pw", sites_config, overrides
    )
    assert yaml.safe_load((directory / "lab.sites.yml").read_text())["overrides_file"] == str(overrides)
    listed_lab = run_ansible("ansible-inventory", "-i", str(directory), "--list")
    assert listed_lab.returncode == 0, listed_lab.stderr
    parsed = json.loads(listed_lab.stdout)
    stations = parsed["workstations"]["hosts"]
    assert len(stations) == sum(host.group == "workstations" for host in hosts) >= 400
    station = parsed["_meta"]["hostvars"][stations[-1]]
    assert station["ansible_host"] == "127.0.0.1" and station["workstation_name"]
    assert "ansible_password" in station  # the lab's connection variables reach every host


def test_a_lab_workstation_shows_a_lease_from_its_sites_dhcp_server(frozen_inventory, tmp_path):
    listed = model_listing(load_site_data(Paths.in_inventory_dir(frozen_inventory)))
    data = write_lab_overrides(listed, frozen_inventory / "vnaccs.sites.yml", tmp_path / "site_overrides.yml")
    site = "lao-cai-cchq-ck-bat-xat"
    site_vars = listed["_meta"]["hostvars"][site]
    hosts = [
        host
        for host in inventory.windows_hosts(model_listing(data))
        if host.name.startswith(f"{site}-") and host.group == "workstations"
    ]
    assert {host.profile for host in hosts} <= {"xp", "7"} and len(hosts) == 3
    with inventory.running_lab(tmp_path / "lab", hosts, "pw") as (lab, _directory):
        for host in hosts:
            config = wo.parse_ipconfig_all(lab.runtimes[host.name].host.run("ipconfig /all").stdout)
            assert config.host_name == host.computer_name
            adapter = config.adapters[0]
            assert adapter.ipv4_address == host.address
            assert IPAddress(adapter.ipv4_address) in IPRange(
                site_vars["dhcp_range_start"], site_vars["dhcp_range_end"]
            )
            assert adapter.dhcp_enabled
            assert adapter.get("DHCP Server") == site_vars["dhcp_server_ip"]


def test_the_lab_dhcp_servers_answer_relayed_discovers_and_the_inventory_says_where(tmp_path):
    from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import dhcp_probe

    listed = json.loads(json.dumps(INVENTORY_LIST))
    scopes = [
        {"address": "10.27.10.0", "router": "10.27.10.1"},
        {"address": "10.27.20.0", "router": "10.27.20.1"},
    ]
    listed["_meta"]["hostvars"]["dhcp-bac-ninh"]["dhcp_scopes"] = scopes
    listed["_meta"]["hostvars"]["dhcp-hai-phong"]["dhcp_scopes"] = [{"address": "10.27.30.0", "router": ""}]
    hosts = {host.name: host for host in inventory.windows_hosts(listed)}
    assert hosts["dhcp-bac-ninh"].routers == ("10.27.10.1", "10.27.20.1")
    assert hosts["dhcp-hai-phong"].routers == () and hosts["ws-bac-ninh-01"].routers == ()
    config = inventory.lab_config(list(hosts.values()), tmp_path, "pw")
    assert config["dhcp_relay_agents"] == {"10.27.10.1": "127.1.0.1", "10.27.20.1": "127.1.0.2"}
    ports = {host["name"]: host.get("dhcp_port") for host in config["hosts"]}
    assert ports["dhcp-bac-ninh"] == 0 and ports["dhcp-hai-phong"] is None  # no router, no listener
    with inventory.running_lab(tmp_path / "lab", list(hosts.values()), "pw") as (lab, directory):
        variables = yaml.safe_load((directory / "host_vars" / "dhcp-bac-ninh.yml").read_text())
        assert variables["health_check_dhcp_probe_bind"] == {
            "10.27.10.1": "127.1.0.1",
            "10.27.20.1": "127.1.0.2",
        }
        assert variables["health_check_dhcp_probe_allow"] == ["127.0.0.0/8"]
        assert "health_check_dhcp_probe_port" not in yaml.safe_load(
            (directory / "host_vars" / "dhcp-hai-phong.yml").read_text()
        )
        host = lab.host("dhcp-bac-ninh")
        for line in (
            r"echo [NetOptionalComponents]> C:\dhcp.txt",
            r"echo DHCPServer = 1 >> C:\dhcp.txt",
            r"start /wait sysocmgr /i:%windir%\inf\sysoc.inf /u:C:\dhcp.txt /q /r",
            'netsh dhcp server add scope 10.27.20.0 255.255.255.0 "VLAN 20" ""',
            "netsh dhcp server scope 10.27.20.0 add iprange 10.27.20.50 10.27.20.254",
            "netsh dhcp server scope 10.27.20.0 set optionvalue 3 IPADDRESS 10.27.20.1",
            "netsh dhcp server scope 10.27.20.0 set state 1",
        ):
            assert host.run(line).exit_code == 0, line
        result = dhcp_probe.probe(
            "127.0.0.1",
            "10.27.20.1",
            timeout=2,
            bind=variables["health_check_dhcp_probe_bind"]["10.27.20.1"],
            allowed=variables["health_check_dhcp_probe_allow"],
            port=variables["health_check_dhcp_probe_port"],
        )
        assert (result.offer, result.address, result.router) == (True, "10.27.20.50", "10.27.20.1")


LAB_NETWORKS = (IPRange("127.0.0.0", "127.255.255.255"), IPRange("198.18.0.0", "198.19.255.255"))
_IPV4 = re.compile(r"(?<![\d.])(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?![\d.])")


def _addresses(value):
    """Every IPv4 address written anywhere in a host variable (URLs, lists, mappings); subnet masks
    are not addresses."""
    if isinstance(value, str):
        yield from _IPV4.findall(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not str(key).endswith("mask"):
                yield from _addresses(item)
    elif isinstance(value, list):
        for item in value:
            yield from _addresses(item)


def test_the_lab_inventory_has_no_address_outside_the_lab_networks(inventory_copy, tmp_path):
    # The toolkit's group variables (the Ecus6 portals of letter 497/CHQ-CNTT, real addresses) over
    # the tests' site data: the lab inventory must override every one of them.
    (inventory_copy / "group_vars" / "all.yml").write_text(
        (ROOT / "inventory" / "group_vars" / "all.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    listed = model_listing(load_site_data(Paths.in_inventory_dir(inventory_copy)))
    hosts = inventory.windows_hosts(listed)
    runtime = lab_runtime(
        hosts,
        portal_url="http://127.0.0.1:40099/",
        portal_admin_url="http://127.0.0.1:40099/gdc_ktx_iam_ui",
    )
    directory = inventory.write_inventory(
        tmp_path / "lab" / "inventory", runtime, "pw", inventory_copy / "vnaccs.sites.yml"
    )
    listed_lab = run_ansible("ansible-inventory", "-i", str(directory), "--list")
    assert listed_lab.returncode == 0, listed_lab.stderr
    hostvars = json.loads(listed_lab.stdout)["_meta"]["hostvars"]
    stations = [host.name for host in hosts if host.group == "workstations"]
    assert stations and all(hostvars[name]["ecus6_officer_url"] == runtime["portal_url"] for name in stations)
    outside = {
        (host, address)
        for host, variables in hostvars.items()
        for address in _addresses(variables)
        if not any(IPAddress(address) in network for network in LAB_NETWORKS)
    }
    assert outside == set()
    # The test can fail: the real portal is in the toolkit's data, which the lab hides.
    assert "10.224.128.226" in (inventory_copy / "group_vars" / "all.yml").read_text(encoding="utf-8")
