"""The pytest plugin other test suites load to get emulated hosts (loaded here by tests/conftest.py)."""

from __future__ import annotations

import json

import winrm

from tests.support.ansible_cli import run_ansible
from winlab.testing import winlab_session


def test_factory_starts_hosts_and_sessions_reach_them(winlab_factory):
    lab = winlab_factory({"dhcp-bac-ninh": "2003", "dhcp-hai-phong": "2008"})
    assert (
        winlab_session(lab, "dhcp-bac-ninh").run_cmd("ver").std_out
        == b"\r\nMicrosoft Windows [Version 5.2.3790]\r\n"
    )
    assert (
        winlab_session(lab, "dhcp-hai-phong", transport="basic").run_cmd("hostname").std_out
        == b"DHCP-HAI-PHONG\r\n"
    )


def test_inventory_fixture_points_ansible_at_the_emulated_hosts(winlab_inventory):
    lab, directory = winlab_inventory
    listed = run_ansible("ansible-inventory", "-i", str(directory), "--list")
    assert listed.returncode == 0, listed.stderr
    hostvars = json.loads(listed.stdout)["_meta"]["hostvars"]
    assert set(hostvars) == set(lab.runtimes)
    variables = hostvars["dhcp-sample-2003"]
    assert variables["winlab_profile"] == "2003"
    session = winrm.Session(
        f"http://{variables['ansible_host']}:{variables['ansible_port']}/wsman",
        auth=(variables["ansible_user"], variables["ansible_password"]),
        transport=variables["ansible_winrm_transport"],
        server_cert_validation="ignore",
    )
    assert session.run_cmd("hostname").std_out == b"DHCP-SAMPLE-200\r\n"  # NetBIOS names stop at 15
