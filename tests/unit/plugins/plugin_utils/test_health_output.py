"""The parsers the health check adds to windows_output.py, on the project's fixtures and on the lines
of the layouts their sources show (show mibinfo, dir's summary line, systeminfo)."""

from __future__ import annotations

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import windows_output as wo

from tests.support.fixture_files import windows_output


def test_show_mibinfo_of_two_scopes():
    usage = wo.parse_dhcp_mibinfo(windows_output("dhcp_show_mibinfo.txt"))
    assert usage is not None
    assert usage.counters["Scopes"] == 2
    assert usage.server_start_time == "Sunday, November 29, 2026 10:00:00 AM"
    assert usage.scopes["10.27.10.0"] == wo.ScopeUsage("10.27.10.0", 2, 193, 0)
    # A scope with no IP range has nothing to lease: no percentage rather than a division by zero.
    assert usage.scopes["10.27.11.0"].size == 0 and usage.scopes["10.27.11.0"].used_percent is None


def test_show_mibinfo_counts_pending_offers_as_used():
    text = "MIBCounts:\n\tScopes = 1.\n\tSubnet = 10.0.0.0.\n\t\tNo. of Addresses in use = 6.\n"
    text += "\t\tNo. of free Addresses = 2.\n\t\tNo. of pending offers = 2.\n"
    usage = wo.parse_dhcp_mibinfo(text).scopes["10.0.0.0"]
    assert usage.size == 10 and usage.used_percent == 80.0


def test_show_mibinfo_of_a_server_netsh_cannot_reach():
    text = (
        "\r\nUnable to determine the DHCP Server version for the Server 10.27.10.5.\r\n"
        "Server may not function properly.\r\n"
        "The following command was not found: dhcp server show mibinfo.\r\n"
    )
    assert wo.parse_dhcp_mibinfo(text) is None


@pytest.mark.parametrize(
    ("line", "free"),
    [
        ("               5 Dir(s)  20,609,130,496 bytes free", 20609130496),
        ("               0 Dir(s)  214.832.959.488 bytes free", 214832959488),
        ("\t\t\t   5 Dir(s)  15,888,822,272 bytes free", 15888822272),
        ("               2 Dir(s)         123 bytes free", 123),
    ],
    ids=["comma", "dot-separator", "tabs", "small"],
)
def test_dir_free_bytes(line, free):
    text = (
        f" Volume in drive C has no label.\r\n\r\n               1 File(s)             24 bytes\r\n{line}\r\n"
    )
    assert wo.parse_dir_free_bytes(text) == free


def test_dir_of_a_missing_folder_has_no_free_bytes():
    assert wo.parse_dir_free_bytes("File Not Found\r\n") is None


def test_systeminfo_without_os_version_is_none():
    assert wo.parse_systeminfo("ERROR: Access denied\r\n") is None


@pytest.mark.parametrize(
    ("version", "pack"),
    [
        ("5.2.3790 Service Pack 2 Build 3790", 2),
        ("6.0.6002 Service Pack 2 Build 6002", 2),
        ("5.1.2600 Service Pack 3 Build 2600", 3),
        ("6.1.7600 N/A Build 7600", 0),
    ],
)
def test_systeminfo_service_pack(version, pack):
    info = wo.parse_systeminfo(
        f"\r\nHost Name:                 SRV\r\nOS Version:                {version}\r\n"
    )
    assert info.service_pack == pack
