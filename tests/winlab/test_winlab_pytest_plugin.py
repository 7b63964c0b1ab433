"""The pytest plugin other test suites load to get emulated hosts."""

from __future__ import annotations

from winlab.testing import winlab_session

pytest_plugins = ["winlab.pytest_plugin"]


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
