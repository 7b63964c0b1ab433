"""netsh dhcp refuses what Windows refuses, with the texts netsh prints; each test names its source.

The host model is driven directly (the protocol is covered by test_winlab_commands.py). Tests that
assert a behaviour no public source backs carry the `assumption` marker; winlab marks the same
behaviour [U] in winlab/model/netsh.py and lists it in winlab/README.md.
"""

from __future__ import annotations

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import dhcp_plan
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import windows_output as wo

from winlab.model import Host, netsh

SERVERS = ["2003", "2008"]
ADDRESS = "10.27.70.5"
SCOPE = "netsh dhcp server scope 10.27.70.0"
ANSWER_FILE = [
    "echo [NetOptionalComponents]> C:\\dhcp.txt",
    "echo DHCPServer = 1 >> C:\\dhcp.txt",
]


def dhcp_server(profile: str, name: str = "dhcp-vinh-phuc", address: str = ADDRESS) -> Host:
    """A new server of the profile with the DHCP Server component installed and its service running."""
    host = Host(name, profile, address=address)
    if profile == "2003":
        for line in ANSWER_FILE:
            host.run(line)
        assert (
            host.run("start /wait sysocmgr /i:%windir%\\inf\\sysoc.inf /u:C:\\dhcp.txt /q /r").exit_code == 0
        )
    else:
        assert host.run("servermanagercmd -install DHCP").exit_code == 0
    return host


def ok(host: Host, command: str) -> str:
    result = host.run(command)
    assert result.exit_code == 0 and wo.netsh_succeeded(result.stdout), (command, result.stdout)
    return result.stdout


def refused(host: Host, command: str) -> str:
    result = host.run(command)
    assert result.exit_code == 1 and not wo.netsh_succeeded(result.stdout), (command, result.stdout)
    return result.stdout


def last_line(text: str) -> str:
    return [line for line in text.splitlines() if line.strip()][-1]


@pytest.fixture(params=SERVERS)
def server(request) -> Host:
    return dhcp_server(request.param)


@pytest.fixture
def scope(server) -> Host:
    """A server with the branch scope 10.27.70.0/24 and its IP range .50-.254."""
    ok(server, 'netsh dhcp server add scope 10.27.70.0 255.255.255.0 "CC HQ Vinh Phuc"')
    ok(server, f"{SCOPE} add iprange 10.27.70.50 10.27.70.254")
    return server


# -- which server `dhcp server <target>` names ---------------------------------------------------------------
# Syntax `netsh dhcp server [\\ServerName | ServerIP] <command>` (reference 1.1); "You may also specify the
# DHCP server by name. For example: \\DHCP-SVR01." (2000trainers.com, "Managing Changes to DHCP with
# NETSH"). The computer name is the one `hostname` prints; NetBIOS names are case-insensitive.
@pytest.mark.parametrize("target", ["\\\\DHCP-VINH-PHUC", "\\\\dhcp-vinh-phuc", ADDRESS, f"\\\\{ADDRESS}"])
def test_a_target_naming_this_host_is_this_dhcp_server(server, target):
    ok(server, f'netsh dhcp server {target} add scope 10.27.70.0 255.255.255.0 "CC HQ Vinh Phuc"')
    assert [row.address for row in wo.parse_show_scope(ok(server, "netsh dhcp server show scope"))] == [
        "10.27.70.0"
    ]


# DhcpWOL.ps1 (Jacob Sommerville, 2014) runs `netsh dhcp server \\ scope ... show clients` for the local
# server.
def test_a_bare_double_backslash_is_this_host(server):
    assert wo.parse_show_scope(ok(server, "netsh dhcp server \\\\ show scope")) == []


# The host's DNS name and the loopback forms reaching the local service: no capture.
@pytest.mark.assumption
@pytest.mark.parametrize(
    "target", ["\\\\dhcp-vinh-phuc.customs.gov.vn", "\\\\127.0.0.1", "127.0.0.1", "\\\\localhost"]
)
def test_the_dns_name_and_the_loopback_forms_name_this_host(server, target):
    assert wo.parse_show_scope(ok(server, f"netsh dhcp server {target} show scope")) == []


# Checkmk's win_dhcp_pools.bat filters "Unable to determine the DHCP Server version for the Server",
# "Server may not function properly." and the "...: dhcp server show mibinfo." line out of netsh's
# answer when it cannot reach the server; the mperry2 psm1 reports "Server may not function properly"
# as "$Server is inaccessible or is not a DHCP server.".
@pytest.mark.parametrize("target", ["\\\\DHCP-OTHER", "10.27.71.5", "\\\\10.27.71.5"])
def test_another_server_cannot_be_reached(server, target):
    before = server.snapshot()
    stdout = refused(server, f'netsh dhcp server {target} add scope 10.27.70.0 255.255.255.0 "Other"')
    lines = stdout.splitlines()
    assert any(
        line.startswith("Unable to determine the DHCP Server version for the Server ") for line in lines
    )
    assert "Server may not function properly." in lines
    assert lines[-1].endswith(f": dhcp server {target} add scope 10.27.70.0 255.255.255.0 Other.")
    assert wo.classify_error(stdout, "", 1) is wo.ErrorKind.DHCP_SERVER_UNAVAILABLE
    assert server.snapshot()["dhcp"] == before["dhcp"]


# A script reading `netsh dhcp server \\name show scope` (Graeme Wilkinson, 2017) finds the "Unable ..."
# line with an IPv4 pattern: netsh names the server by its address, also when it was given a name.
def test_an_unreachable_server_is_named_by_its_address(server):
    other = Host("dhcp-other", "2003", address="10.27.71.5")
    server.resolver = lambda name: other if name.lower() == "dhcp-other" else None
    stdout = refused(server, "netsh dhcp server \\\\dhcp-other show scope")
    assert "Unable to determine the DHCP Server version for the Server 10.27.71.5." in stdout.splitlines()


# A name that is no host of the lab is named as it was given: what netsh prints then is not captured.
@pytest.mark.assumption
def test_an_unknown_server_name_is_named_as_given(server):
    stdout = refused(server, "netsh dhcp server \\\\DHCP-NOWHERE show scope")
    assert "Unable to determine the DHCP Server version for the Server DHCP-NOWHERE." in stdout.splitlines()


# The leading blank line and the order of the lines are not in any capture; the psm1 reads "Server may
# not function properly" at line index 2.
@pytest.mark.assumption
def test_the_unreachable_answer_layout(server):
    assert server.run("netsh dhcp server 10.27.71.5 show scope").stdout == (
        "\r\n"
        "Unable to determine the DHCP Server version for the Server 10.27.71.5.\r\n"
        "Server may not function properly.\r\n"
        "The following command was not found: dhcp server 10.27.71.5 show scope.\r\n"
    )


# A dump names the server by its address in every line (reference 1.8), so it replays on the host it
# came from and not on another one.
def test_a_dump_replays_only_on_its_own_server(scope):
    dumped = scope.run("netsh dhcp server dump").stdout
    assert f"Dhcp Server \\\\{ADDRESS} add scope 10.27.70.0" in dumped
    ok(scope, "netsh dhcp server delete scope 10.27.70.0 DHCPFULLFORCE")
    other = dhcp_server("2008", name="dhcp-other", address="10.27.71.5")
    for line in dumped.splitlines():
        if line.startswith("Dhcp Server"):
            ok(scope, f"netsh {line}")
            assert not wo.netsh_succeeded(other.run(f"netsh {line}").stdout)
    assert [row.address for row in wo.parse_show_scope(ok(scope, "netsh dhcp server show scope"))] == [
        "10.27.70.0"
    ]
    assert wo.parse_show_scope(ok(other, "netsh dhcp server show scope")) == []


# -- the DHCP Server service stopped ----------------------------------------------------------------------
# The same lines as for a server that cannot be reached (Checkmk's filter runs on the DHCP server itself);
# the product reads them as "the service is not running" (reference 1.9) and does not read the scopes.
def test_with_the_service_stopped_netsh_cannot_reach_the_server(scope):
    ok(scope, f"{SCOPE} set state 1")
    assert scope.run("net stop DHCPServer").exit_code == 0
    stdout = refused(scope, "netsh dhcp server show scope")
    assert f"Unable to determine the DHCP Server version for the Server {ADDRESS}." in stdout.splitlines()
    assert "Server may not function properly." in stdout.splitlines()
    assert wo.classify_error(stdout, "", 1) is wo.ErrorKind.DHCP_SERVER_UNAVAILABLE
    probe = scope.run(dhcp_plan.probe_command(read_authorization=False))
    state = dhcp_plan.parse_probe(probe.stdout)
    assert (state.installed, state.running, state.scopes) == (True, False, None)


# -- scope contents ------------------------------------------------------------------------------------------
# The mperry2 psm1 (Add-DHCPExclusionRange) reports an answer containing "No items to display" as
# "$Scope must first have a defined IP range!".
def test_an_exclusion_needs_the_scope_to_have_an_ip_range(server):
    ok(server, 'netsh dhcp server add scope 10.27.70.0 255.255.255.0 "CC HQ Vinh Phuc"')
    stdout = refused(server, f"{SCOPE} add excluderange 10.27.70.50 10.27.70.59")
    assert "No items to display" in last_line(stdout)
    assert server.state["dhcp"]["scopes"]["10.27.70.0"]["exclusions"] == []


# The same sentence as a whole line is not in any capture.
@pytest.mark.assumption
def test_the_no_ip_range_answer_wording(server):
    ok(server, 'netsh dhcp server add scope 10.27.70.0 255.255.255.0 "CC HQ Vinh Phuc"')
    assert server.run(f"{SCOPE} add excluderange 10.27.70.50 10.27.70.59").stdout == (
        "Changed the current scope context to 10.27.70.0 scope.\r\n\r\nNo items to display.\r\n"
    )


# An exclusion inside the subnet but outside the scope's IP range: refused, inferred from the psm1's
# reading above (an exclusion belongs to the IP range).
@pytest.mark.assumption
def test_an_exclusion_outside_the_ip_range_is_refused(scope):
    stdout = refused(scope, f"{SCOPE} add excluderange 10.27.70.20 10.27.70.60")
    assert wo.classify_error(stdout, "", 1) is wo.ErrorKind.DHCP_RANGE_INVALID
    assert scope.state["dhcp"]["scopes"]["10.27.70.0"]["exclusions"] == []


# ERROR_DHCP_INVALID_RANGE "either overlaps with an existing range or is invalid" (error-code page).
def test_overlapping_exclusions_are_refused(scope):
    assert (
        ok(scope, f"{SCOPE} add excluderange 10.27.70.50 10.27.70.59")
        == "Command completed successfully.\r\n"
    )
    stdout = refused(scope, f"{SCOPE} add excluderange 10.27.70.55 10.27.70.60")
    assert wo.classify_error(stdout, "", 1) is wo.ErrorKind.DHCP_RANGE_INVALID


# No capture of Windows refusing a range that holds the subnet or broadcast address was found.
@pytest.mark.assumption
@pytest.mark.parametrize("bounds", ["10.27.70.0 10.27.70.100", "10.27.70.50 10.27.70.255"])
def test_an_ip_range_with_the_subnet_or_broadcast_address_is_refused(server, bounds):
    ok(server, 'netsh dhcp server add scope 10.27.70.0 255.255.255.0 "CC HQ Vinh Phuc"')
    stdout = refused(server, f"{SCOPE} add iprange {bounds}")
    assert wo.classify_error(stdout, "", 1) is wo.ErrorKind.DHCP_RANGE_INVALID
    assert server.state["dhcp"]["scopes"]["10.27.70.0"]["ranges"] == []


# -- option values -------------------------------------------------------------------------------------------
# The types netsh's help lists for `set optionvalue`, "BYTE | WORD | DWORD | STRING | IPADDRESS", on
# 2000, 2003 and 2008 (netsh's help strings, uitranslation.com); options 3/6 IPADDRESS lists, 15 STRING,
# 46 BYTE, 51 DWORD (RFC 2132; 3 and 51 as smart-proxy's captured `show optionvalue` shows them).
@pytest.mark.parametrize(
    "value",
    [
        "003 IPADDRESS 10.27.70.1",
        "006 IPADDRESS 10.27.70.5 10.27.1.10",
        '015 STRING "vinhphuc.customs.gov.vn"',
        "046 BYTE 8",
        "051 DWORD 691200",
    ],
)
def test_options_of_the_standard_class_take_their_type(scope, value):
    ok(scope, f"{SCOPE} set optionvalue {value}")


# Codes RFC 2132 does not define are not predefined options on Windows Server 2003 ("DHCP options",
# TechNet cc787895: all RFC 2132 options are predefined); DhcpSetOptionValue returns
# ERROR_DHCP_OPTION_NOT_PRESENT (20010) for an option that is not defined.
@pytest.mark.parametrize("code", ["200", "250"])
def test_an_option_that_is_not_defined_does_not_exist(scope, code):
    stdout = refused(scope, f"{SCOPE} set optionvalue {code} STRING x")
    assert last_line(stdout) == netsh.OPTION_MISSING[1]


# Option 1 comes from the scope's mask (NT 4.0 Resource Kit, table 13.1, for the console); that netsh
# refuses it too, and that winlab knows only a subset of RFC 2132, is not sourced.
@pytest.mark.assumption
@pytest.mark.parametrize("value", ["001 IPADDRESS 255.255.255.0", "002 DWORD 25200"])
def test_options_winlab_does_not_define_are_refused(scope, value):
    assert last_line(refused(scope, f"{SCOPE} set optionvalue {value}")) == netsh.OPTION_MISSING[1]


# Type and range refusals: no capture of what netsh prints for them.
@pytest.mark.assumption
@pytest.mark.parametrize(
    "value",
    [
        "003 STRING 10.27.70.1",  # the wrong type for a defined option
        "015 IPADDRESS 10.27.70.5",
        "051 STRING 691200",
        "046 BYTE 256",  # beyond the type's size
        "051 DWORD 4294967296",
        "046 BYTE -1",
        "003 IPADDRESS 10.27.70.256",
        "015 STRING a b",  # several values for a single-valued option
        "051 DWORDDWORD 691200",  # API types netsh's help does not list
        "043 BINARY 0102",
        "043 ENCAPSULATED 0102",
    ],
)
def test_option_values_of_the_wrong_type_or_out_of_range_are_refused(scope, value):
    assert last_line(refused(scope, f"{SCOPE} set optionvalue {value}")) == netsh.PARAMETER[1]
    assert scope.state["dhcp"]["scopes"]["10.27.70.0"]["options"] == {}


# The option types are the same on both versions (the help string names 2000, 2003 and 2008 alike).
def test_the_option_types_are_the_same_on_both_versions():
    assert netsh.OPTION_TYPES == ("BYTE", "WORD", "DWORD", "STRING", "IPADDRESS")


# -- error codes and texts -----------------------------------------------------------------------------------
# Codes and symbols of Microsoft's "DHCP Server Management API Error Codes" page; which call returns
# which code per [MS-DHCPM] (R_DhcpCreateSubnet: 20052 for an existing or overlapping scope;
# R_DhcpDeleteSubnet: 20007 with DhcpNoForce and a lease out).
def test_each_error_carries_its_api_code():
    assert {
        "SUBNET_MISSING": netsh.SUBNET_MISSING[0],
        "ELEMENT_CANT_REMOVE": netsh.ELEMENT_CANT_REMOVE[0],
        "OPTION_MISSING": netsh.OPTION_MISSING[0],
        "IPRANGE_EXISTS": netsh.IPRANGE_EXISTS[0],
        "INVALID_RANGE": netsh.INVALID_RANGE[0],
        "CLASS_UNKNOWN": netsh.CLASS_UNKNOWN[0],
        "SCOPE_CONFLICT": netsh.SCOPE_CONFLICT[0],
        "SERVER_PRESENT": netsh.SERVER_PRESENT[0],
        "SERVER_ABSENT": netsh.SERVER_ABSENT[0],
        "PARAMETER": netsh.PARAMETER[0],
    } == {
        "SUBNET_MISSING": 20005,
        "ELEMENT_CANT_REMOVE": 20007,
        "OPTION_MISSING": 20010,
        "IPRANGE_EXISTS": 20021,
        "INVALID_RANGE": 20023,
        "CLASS_UNKNOWN": 20044,
        "SCOPE_CONFLICT": 20052,
        "SERVER_PRESENT": 20079,
        "SERVER_ABSENT": 20080,
        "PARAMETER": 87,
    }


# R_DhcpCreateSubnet answers 20052 both for a scope that exists and one that overlaps it; the product
# reads "Either the scope already exists" (reference 1.9).
@pytest.mark.parametrize("again", ["10.27.70.0 255.255.255.0", "10.27.70.128 255.255.255.128"])
def test_a_scope_that_exists_or_overlaps_is_refused(scope, again):
    stdout = refused(scope, f"netsh dhcp server add scope {again} Again")
    assert last_line(stdout) == netsh.SCOPE_CONFLICT[1]
    assert wo.classify_error(stdout, "", 1) is wo.ErrorKind.DHCP_SCOPE_EXISTS


# The psm1 (Remove-DHCPScope) matches "cannot be removed" after `delete scope ... DHCPNOFORCE` on a scope
# with leases: ERROR_DHCP_ELEMENT_CANT_REMOVE (20007, not 20012, which is ERROR_DHCP_RANGE_FULL).
def test_a_scope_with_leases_cannot_be_removed_without_force(scope):
    scope.state["dhcp"]["scopes"]["10.27.70.0"]["leases"].append(
        {"ip": "10.27.70.60", "mac": "00-0c-29-70-00-01", "name": "ws-vp-01"}
    )
    stdout = refused(scope, "netsh dhcp server delete scope 10.27.70.0 DHCPNOFORCE")
    assert "cannot be removed" in last_line(stdout)
    assert last_line(stdout) == netsh.ELEMENT_CANT_REMOVE[1]
    ok(scope, "netsh dhcp server delete scope 10.27.70.0 DHCPFULLFORCE")


# R_DhcpRemoveSubnetElement ([MS-DHCPM] 3.1.4.7) answers 20007 for an exclusion range that is not there.
def test_deleting_an_exclusion_that_is_not_there(scope):
    stdout = refused(scope, f"{SCOPE} delete excluderange 10.27.70.60 10.27.70.61")
    assert last_line(stdout) == netsh.ELEMENT_CANT_REMOVE[1]


# Ericsson's netsh wording for 20005, and the psm1's for a scope netsh does not know.
def test_the_captured_netsh_wordings(scope):
    assert last_line(refused(scope, "netsh dhcp server delete scope 10.99.0.0 DHCPNOFORCE")) == (
        "The specified subnet does not exist."
    )
    assert last_line(refused(scope, "netsh dhcp server scope 10.99.0.0 show iprange")) == (
        "The command needs a valid Scope IP Address."
    )


# The texts of the other codes are the error-code page's, not netsh's (no capture).
@pytest.mark.assumption
def test_the_uncaptured_error_texts_are_the_api_page_texts(scope):
    assert last_line(refused(scope, f"{SCOPE} add iprange 10.27.70.50 10.27.70.254")) == (
        "The specified IP address range is already defined on the DHCP server."
    )
    assert last_line(refused(scope, f"{SCOPE} add iprange 10.27.70.60 10.27.70.70")) == (
        "The specified IP address range either overlaps with an existing range or is invalid."
    )
    assert last_line(refused(scope, f"{SCOPE} delete optionvalue 3")) == (
        "The specified option does not exist on the DHCP server."
    )


# -- the product against the stricter model ------------------------------------------------------------------
# The dhcp_server plan's netsh lines for a new branch scope, run one by one, all succeed.
def test_the_product_plan_for_a_new_scope_is_accepted(server):
    want = dhcp_plan.wanted_scope(
        {
            "address": "10.27.70.0",
            "name": "CC HQ Vinh Phuc",
            "range_start": "10.27.70.50",
            "range_end": "10.27.70.254",
            "exclusions": [{"start": "10.27.70.50", "end": "10.27.70.59"}],
            "router": "10.27.70.1",
            "dns_servers": ["10.27.70.5", "10.27.1.10"],
            "domain_name": "vinhphuc.customs.gov.vn",
        },
        0,
    )
    for line in dhcp_plan.scope_script(want, None):
        ok(server, f"netsh {line}")
    dumped = wo.parse_dhcp_dump(server.run("netsh dhcp server dump").stdout).scopes["10.27.70.0"]
    assert dhcp_plan.scope_script(want, dumped) == []
