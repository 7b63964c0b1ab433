"""Verify a dhcp_server scenario from outside the role: pytest-testinfra's winrm backend (NTLM over
pywinrm), plain console commands, and small regexes written here (not the toolkit's parsers).

Expected values are the scenario's inventory host vars in its molecule.yml; connection details come
from Molecule's instance configuration and the VNACCS_WINRM_* environment variables.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

import pytest
import testinfra
import yaml

SCENARIO = Path(os.environ["MOLECULE_SCENARIO_DIRECTORY"])
MOLECULE_YML = yaml.safe_load((SCENARIO / "molecule.yml").read_text(encoding="utf-8"))
HOST_VARS = MOLECULE_YML["provisioner"]["inventory"]["host_vars"]
INSTANCES = {
    item["instance"]: item
    for item in yaml.safe_load(Path(os.environ["MOLECULE_INSTANCE_CONFIG"]).read_text(encoding="utf-8"))
}


def windows_host(name: str):
    instance = INSTANCES[name]
    user = quote(os.environ["VNACCS_WINRM_USER"], safe="")
    password = quote(os.environ["VNACCS_WINRM_PASSWORD"], safe="")
    return testinfra.get_host(
        f"winrm://{user}:{password}@{instance['address']}:{instance['port']}?no_ssl=true&no_verify_ssl=true"
    )


def wanted_scopes(host_vars: dict) -> list[dict]:
    """The scopes the site's variables call for: the site /24 and each other VLAN /24, .50 to .254."""
    prefix = host_vars["site_subnet"].rsplit(".", 1)[0]
    scopes = [
        {
            "address": f"{prefix}.0",
            "start": host_vars["dhcp_range_start"],
            "end": host_vars["dhcp_range_end"],
            "router": host_vars["dhcp_router"],
            "name": host_vars["expected_scope_name"],
            "exclusions": [(item["start"], item["end"]) for item in host_vars.get("dhcp_exclusions", [])],
        }
    ]
    for vlan in host_vars.get("site_vlans", []):
        if vlan["subnet"] != host_vars["site_subnet"]:
            vlan_prefix = vlan["subnet"].split("/")[0].rsplit(".", 1)[0]
            scopes.append(
                {
                    "address": f"{vlan_prefix}.0",
                    "start": f"{vlan_prefix}.50",
                    "end": f"{vlan_prefix}.254",
                    "router": vlan["gateway"],
                    "name": f"{host_vars['expected_scope_name']} VLAN {vlan['id']}",
                    "exclusions": [],
                }
            )
    return scopes


CASES = [(name, scope) for name in sorted(INSTANCES) for scope in wanted_scopes(HOST_VARS[name])]
IDS = [f"{name}-{scope['address']}" for name, scope in CASES]


def run(host, command: str) -> str:
    result = host.run(command)
    assert result.rc == 0, (command, result.stdout, result.stderr)
    return result.stdout


def option_values(text: str, code: int) -> list[str]:
    """Values of one option in `show optionvalue` output: the lines after `OptionId : N`."""
    block = re.search(rf"OptionId : {code}\r?\n(.*?)(?=OptionId :|Command completed)", text, re.S)
    return re.findall(r"Option Element Value = (\S+)", block.group(1)) if block else []


@pytest.mark.parametrize(("name", "scope"), CASES, ids=IDS)
def test_scope_is_active_with_a_24_mask_and_its_name(name, scope):
    text = run(windows_host(name), "netsh dhcp server show scope")
    row = re.search(rf"^\s*{re.escape(scope['address'])}\s*-\s*(\S+)\s*-(\w+)\s*-(.{{0,21}})-", text, re.M)
    assert row, text
    assert row.group(1) == "255.255.255.0"
    assert row.group(2) == "Active"
    # The name column is 21 characters wide and cuts longer names (reference 1.3).
    assert row.group(3).rstrip() == scope["name"][:21].rstrip()


@pytest.mark.parametrize(("name", "scope"), CASES, ids=IDS)
def test_range_is_50_to_254(name, scope):
    text = run(windows_host(name), f"netsh dhcp server scope {scope['address']} show iprange")
    ranges = re.findall(r"^\s*(\d+\.\d+\.\d+\.\d+)\s+-\s+(\d+\.\d+\.\d+\.\d+)\s+-", text, re.M)
    assert ranges == [(scope["start"], scope["end"])]
    assert scope["start"].endswith(".50") and scope["end"].endswith(".254")


@pytest.mark.parametrize(("name", "scope"), CASES, ids=IDS)
def test_exclusions(name, scope):
    text = run(windows_host(name), f"netsh dhcp server scope {scope['address']} show excluderange")
    found = re.findall(r"^\s*(\d+\.\d+\.\d+\.\d+)\s+-\s+(\d+\.\d+\.\d+\.\d+)\s*$", text, re.M)
    assert found == scope["exclusions"]


@pytest.mark.parametrize(("name", "scope"), CASES, ids=IDS)
def test_router_and_dns_options(name, scope):
    text = run(windows_host(name), f"netsh dhcp server scope {scope['address']} show optionvalue")
    assert option_values(text, 3) == [scope["router"]]
    assert option_values(text, 6) == HOST_VARS[name]["dhcp_dns_servers"]
    domain = HOST_VARS[name].get("dhcp_domain_name")
    assert option_values(text, 15) == ([domain] if domain else [])


@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_service_is_automatic_and_running(name):
    host = windows_host(name)
    assert re.search(r"START_TYPE\s*:\s*2\s+AUTO_START", run(host, "sc qc DHCPServer"))
    assert re.search(r"STATE\s*:\s*4\s+RUNNING", run(host, "sc query DHCPServer"))


def test_every_host_of_the_scenario_has_its_expectations():
    # An empty instance list or scope list would make every parametrized check below vacuous.
    assert INSTANCES and sorted(INSTANCES) == sorted(HOST_VARS)
    for name in INSTANCES:
        # The scopes derived from the site values are those the scenario's inventory hands the role.
        wanted = [scope["address"] for scope in wanted_scopes(HOST_VARS[name])]
        assert wanted == [scope["address"] for scope in HOST_VARS[name]["dhcp_scopes"]], name
        # Each scenario names the scopes it leaves to the role's care, an empty list included.
        assert isinstance(HOST_VARS[name]["expected_unmanaged_scopes"], list), name


@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_scopes_the_role_does_not_manage_are_left_alone(name):
    host_vars = HOST_VARS[name]
    unmanaged = set(host_vars["expected_unmanaged_scopes"])
    wanted = {scope["address"] for scope in wanted_scopes(host_vars)}
    # The scenario's starting state creates exactly the unmanaged scopes it names, besides wanted ones.
    created = {
        address
        for command in host_vars.get("winlab_setup", [])
        for address in re.findall(r"\badd scope (\d+\.\d+\.\d+\.\d+)", command)
    }
    assert created - wanted == unmanaged
    # The server lists the wanted scopes and the unmanaged ones, and nothing else.
    text = run(windows_host(name), "netsh dhcp server show scope")
    listed = re.findall(r"^\s*(\d+\.\d+\.\d+\.\d+)\s*-\s*\d", text, re.M)
    assert sorted(listed) == sorted(wanted | unmanaged), text
    assert re.search(rf"Total No\. of Scopes = {len(wanted | unmanaged)}\b", text), text


@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_authorized_in_the_departments_domain_or_not_at_all(name):
    host = windows_host(name)
    text = run(host, "netsh dhcp show server")
    found = re.findall(r"Server \[([^\]]+)\]\s+Address \[([^\]]+)\]", text)
    domain = HOST_VARS[name].get("department_ad_domain")
    if domain:
        assert [(server.lower().endswith("." + domain), address) for server, address in found] == [
            (True, HOST_VARS[name]["dhcp_server_ip"])
        ]
    else:
        assert found == []
