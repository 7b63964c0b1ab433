"""The roles' parsers on the project's fixtures (tests/fixtures/windows, layouts cited in index.yml)."""

from __future__ import annotations

import datetime

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import windows_output as wo

from tests.support.fixture_files import windows_output

UNINSTALL = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall"


def test_show_scope_2003_layout():
    scopes = wo.parse_show_scope(windows_output("dhcp_show_scope_2003.txt"))
    assert scopes == [
        wo.DhcpScope("10.27.10.0", "255.255.255.0", "Active", "CC HQ Bac Ninh", "VNACCS VLAN 10"),
        # The name is cut at 21 characters and runs into the separator; the comment is cut at 14.
        wo.DhcpScope("10.27.11.0", "255.255.255.0", "Disabled", "CC HQ Quan ly KCN Tie", "Khu cong nghie"),
    ]
    assert scopes[0].active and not scopes[1].active
    assert wo.scope_count(windows_output("dhcp_show_scope_2003.txt")) == 2


def test_show_scope_2008_layout():
    scopes = wo.parse_show_scope(windows_output("dhcp_show_scope_2008.txt"))
    assert scopes == [
        wo.DhcpScope("10.31.10.0", "255.255.255.0", "Active", "CC HQ KV3 Hai Phong", "VNACCS VLAN 10")
    ]


@pytest.mark.assumption
def test_show_scope_empty_comment_and_switched_state():
    text = " 10.1.2.0         - 255.255.255.0  -Active(Switched)-Chi cuc              -\r\n"
    assert wo.parse_show_scope(text) == [
        wo.DhcpScope("10.1.2.0", "255.255.255.0", "Active", "Chi cuc", "", switched=True)
    ]


def test_show_iprange():
    assert wo.parse_show_iprange(windows_output("dhcp_show_iprange.txt")) == [
        wo.IpRange("10.27.10.50", "10.27.10.254", "DHCP ONLY")
    ]


@pytest.mark.assumption
def test_show_excluderange():
    assert wo.parse_show_excluderange(windows_output("dhcp_show_excluderange.txt")) == [
        wo.ExcludeRange("10.27.10.50", "10.27.10.59")
    ]


@pytest.mark.assumption
def test_show_optionvalue_multi_element():
    options = wo.parse_show_optionvalue(windows_output("dhcp_show_optionvalue.txt"))
    assert options == [
        wo.OptionValue(3, "IPADDRESS", ("10.27.10.1",)),
        wo.OptionValue(6, "IPADDRESS", ("10.27.10.5", "10.27.1.10")),
        wo.OptionValue(15, "STRING", ("bacninh.customs.gov.vn",)),
        wo.OptionValue(51, "DWORD", ("691200",)),
    ]


def test_show_optionvalue_vendor_class_block():
    text = (
        "        OptionId : 51\r\n                Option Element Type = DWORD\r\n"
        "                Option Element Value = 691200\r\n        For vendor class [Customs-Thin-Client]:\r\n"
        "        OptionId : 3\r\n                Option Element Type = IPADDRESS\r\n"
        "                Option Element Value = 10.0.0.1\r\n"
    )
    assert wo.parse_show_optionvalue(text) == [
        wo.OptionValue(51, "DWORD", ("691200",)),
        wo.OptionValue(3, "IPADDRESS", ("10.0.0.1",), "Customs-Thin-Client"),
    ]


def test_show_clients_both_row_shapes():
    leases = wo.parse_show_clients(windows_output("dhcp_show_clients.txt"))
    assert leases == [
        wo.DhcpLease("10.27.10.60", "255.255.255.0", "00-0c-29-4a-7b-00", "NEVER EXPIRES", "U", "may-in-bn"),
        wo.DhcpLease(
            "10.27.10.61",
            "255.255.255.0",
            "00-0c-29-4a-7b-01",
            "12/3/2026 9:15:00 AM",
            "D",
            "ws-bn-01.bacninh.customs.gov.vn",
        ),
    ]
    assert leases[1].mac == "00-0c-29-4a-7b-01"


def test_show_server():
    assert wo.parse_show_server(windows_output("dhcp_show_server.txt")) == [
        wo.AuthorizedServer("dhcp-bac-ninh.customs.gov.vn", "10.27.10.5")
    ]


@pytest.mark.assumption
def test_dump_reads_scope_ranges_exclusions_and_options():
    dump = wo.parse_dhcp_dump(windows_output("dhcp_dump_2008.txt"))
    assert dump.server == "10.31.10.5"
    assert list(dump.scopes) == ["10.31.10.0"]
    scope = dump.scopes["10.31.10.0"]
    assert (scope.mask, scope.name, scope.comment, scope.state) == (
        "255.255.255.0",
        "CC HQ KV3 Hai Phong",
        "VNACCS VLAN 10",
        1,
    )
    assert scope.ranges == [wo.IpRange("10.31.10.50", "10.31.10.254", "DHCP ONLY")]
    assert scope.exclusions == [wo.ExcludeRange("10.31.10.50", "10.31.10.59")]
    assert scope.options == {
        3: wo.OptionValue(3, "IPADDRESS", ("10.31.10.1",)),
        6: wo.OptionValue(6, "IPADDRESS", ("10.31.10.5", "10.31.1.10")),
    }


@pytest.mark.assumption
def test_dump_2003_has_no_napstate_and_the_same_scope_lines():
    dump = wo.parse_dhcp_dump(windows_output("dhcp_dump_2003.txt"))
    assert dump.server == "10.27.10.5"
    assert list(dump.scopes) == ["10.27.10.0", "10.27.11.0"]
    bac_ninh, tien_son = dump.scopes.values()
    assert (bac_ninh.state, bac_ninh.nap_state, tien_son.state, tien_son.comment) == (
        1,
        None,
        0,
        "Khu cong nghiep Tien Son",
    )
    assert bac_ninh.ranges == [wo.IpRange("10.27.10.50", "10.27.10.254", "DHCP ONLY")]
    assert sorted(bac_ninh.options) == [3, 6, 15, 51]
    assert wo.parse_dhcp_dump(windows_output("dhcp_dump_2008.txt")).scopes["10.31.10.0"].nap_state == "Off"


# The order of a 2008 R2 or later dump (endavisw/notes, infoblox_standard_migrations/Lab_4_notes.md,
# whose diff of two dumps shows the lines in file order): every `add scope` first, then each scope's
# block, which sets its state last, after `set delayoffer` and `set napstate`. The lines are the
# project's, in that order.
GROUPED_DUMP = (
    'Dhcp Server \\\\10.0.0.5 add scope 10.0.1.0 255.255.255.0 "Tang 1" ""\r\n'
    'Dhcp Server \\\\10.0.0.5 add scope 10.0.2.0 255.255.255.0 "Tang 2" "vl102"\r\n'
    "Dhcp Server \\\\10.0.0.5 Scope 10.0.1.0 Add iprange 10.0.1.1 10.0.1.254 \r\n"
    "Dhcp Server \\\\10.0.0.5 Scope 10.0.1.0 set delayoffer 0\r\n"
    "Dhcp Server \\\\10.0.0.5 scope 10.0.1.0 set napstate Off\r\n"
    'Dhcp Server \\\\10.0.0.5 Scope 10.0.1.0 set optionvalue 3 IPADDRESS "10.0.1.1" \r\n'
    "Dhcp Server \\\\10.0.0.5 Scope 10.0.1.0 set state 1\r\n"
    "Dhcp Server \\\\10.0.0.5 Scope 10.0.2.0 Add iprange 10.0.2.1 10.0.2.254 \r\n"
    "Dhcp Server \\\\10.0.0.5 Scope 10.0.2.0 set delayoffer 250\r\n"
    "Dhcp Server \\\\10.0.0.5 Scope 10.0.2.0 set state 0\r\n"
)


def test_dump_with_the_scopes_first_and_the_state_last():
    dump = wo.parse_dhcp_dump(GROUPED_DUMP)
    assert list(dump.scopes) == ["10.0.1.0", "10.0.2.0"]
    first, second = dump.scopes.values()
    assert (first.name, first.comment, first.state, first.delay_offer, first.nap_state) == (
        "Tang 1",
        "",
        1,
        0,
        "Off",
    )
    assert first.ranges == [wo.IpRange("10.0.1.1", "10.0.1.254", "DHCP ONLY")]
    assert first.options == {3: wo.OptionValue(3, "IPADDRESS", ("10.0.1.1",))}
    assert (second.comment, second.state, second.delay_offer, second.nap_state) == ("vl102", 0, 250, None)


def test_dump_server_named_by_a_bare_address():
    # The undated dump of logicminds/msdhcpdump (sampledump.txt) names the server without backslashes.
    text = (
        'Dhcp Server 192.0.2.54 add scope 192.0.2.0 255.255.255.0 "Desktops" ""\r\n'
        "Dhcp Server 192.0.2.54 Scope 192.0.2.0 set state 1\r\n"
        "Dhcp Server 192.0.2.54 Scope 192.0.2.0 Add iprange 192.0.2.1 192.0.2.254 BOTH\r\n"
    )
    dump = wo.parse_dhcp_dump(text)
    assert dump.server == "192.0.2.54"
    assert dump.scopes["192.0.2.0"].state == 1
    assert dump.scopes["192.0.2.0"].ranges == [wo.IpRange("192.0.2.1", "192.0.2.254", "DHCP BOOTP")]


def test_dump_option_line_of_the_reference_shape():
    line = 'Dhcp Server \\\\10.0.0.5 Scope 10.0.0.0 set optionvalue 66 STRING "tftp"\r\n'
    assert wo.parse_dhcp_dump(line).scopes["10.0.0.0"].options[66] == wo.OptionValue(66, "STRING", ("tftp",))


def test_dump_keeps_class_values_apart_from_the_scope_option():
    text = (
        'Dhcp Server \\\\10.0.0.5 Scope 10.0.0.0 set optionvalue 3 IPADDRESS "10.0.0.1"\r\n'
        'Dhcp Server \\\\10.0.0.5 Scope 10.0.0.0 set optionvalue 3 IPADDRESS vendor="Customs Thin Client"'
        ' "10.0.0.254"\r\n'
        'Dhcp Server \\\\10.0.0.5 Scope 10.0.0.0 set optionvalue 51 DWORD user="Default BOOTP Class"'
        ' "1800"\r\n'
        'Dhcp Server \\\\10.0.0.5 Scope 10.0.0.0 set optionvalue 51 DWORD user="Lab" vendor="Thin" "60"\r\n'
    )
    scope = wo.parse_dhcp_dump(text).scopes["10.0.0.0"]
    assert scope.options == {3: wo.OptionValue(3, "IPADDRESS", ("10.0.0.1",))}
    assert scope.class_options == {
        (None, "Customs Thin Client"): {
            3: wo.OptionValue(3, "IPADDRESS", ("10.0.0.254",), "Customs Thin Client")
        },
        ("Default BOOTP Class", None): {51: wo.OptionValue(51, "DWORD", ("1800",))},
        ("Lab", "Thin"): {51: wo.OptionValue(51, "DWORD", ("60",), "Thin")},
    }


def test_dump_class_value_before_the_default_one_does_not_replace_it():
    text = (
        'Dhcp Server \\\\10.0.0.5 Scope 10.0.0.0 set optionvalue 3 IPADDRESS vendor="V1" "10.0.0.254"\r\n'
        'Dhcp Server \\\\10.0.0.5 Scope 10.0.0.0 set optionvalue 3 IPADDRESS "10.0.0.1"\r\n'
    )
    scope = wo.parse_dhcp_dump(text).scopes["10.0.0.0"]
    assert scope.options[3].values == ("10.0.0.1",)
    assert scope.options[3].vendor_class is None
    assert scope.class_options[(None, "V1")][3].values == ("10.0.0.254",)


def test_dump_quoted_value_that_looks_like_a_tag_stays_a_value():
    text = 'Dhcp Server \\\\10.0.0.5 Scope 10.0.0.0 set optionvalue 66 STRING "user=tftp"\r\n'
    scope = wo.parse_dhcp_dump(text).scopes["10.0.0.0"]
    assert scope.options == {66: wo.OptionValue(66, "STRING", ("user=tftp",))}
    assert scope.class_options == {}


def test_dump_server_options_delayoffer_napstate_and_reservations():
    text = (
        'Dhcp Server \\\\dhcp1 set optionvalue 6 IPADDRESS "10.0.1.10" "10.0.1.11"\r\n'
        'Dhcp Server \\\\dhcp1 set optionvalue 60 STRING vendor="PXE" "PXEClient"\r\n'
        'Dhcp Server \\\\dhcp1 add scope 10.0.0.0 255.255.255.0 "Lab" ""\r\n'
        "Dhcp Server \\\\dhcp1 Scope 10.0.0.0 set delayoffer 0\r\n"
        "Dhcp Server \\\\dhcp1 scope 10.0.0.0 set napstate Off\r\n"
        'Dhcp Server \\\\dhcp1 Scope 10.0.0.0 Add reservedip 10.0.0.9 000C29AABBCC "pr-01" "" "DHCP"\r\n'
        'Dhcp Server \\\\dhcp1 Scope 10.0.0.0 set reservedoptionvalue 10.0.0.9 12 STRING "pr-01"\r\n'
        "Dhcp Server \\\\dhcp1 Scope 10.0.0.0 set reservedoptionvalue 10.0.0.9 2 IPADDRESS"
        ' vendor="Fire" "10.0.0.5"\r\n'
        "Dhcp Server \\\\dhcp1 Scope 10.0.0.0 set state 1\r\n"
    )
    dump = wo.parse_dhcp_dump(text)
    assert dump.server == "dhcp1"
    assert dump.options == {6: wo.OptionValue(6, "IPADDRESS", ("10.0.1.10", "10.0.1.11"))}
    assert dump.class_options == {(None, "PXE"): {60: wo.OptionValue(60, "STRING", ("PXEClient",), "PXE")}}
    scope = dump.scopes["10.0.0.0"]
    assert (scope.name, scope.comment, scope.state, scope.delay_offer, scope.nap_state) == (
        "Lab",
        "",
        1,
        0,
        "Off",
    )
    assert scope.options == {}
    reservation = scope.reservations["10.0.0.9"]
    assert (reservation.unique_id, reservation.name, reservation.comment, reservation.kind) == (
        "000c29aabbcc",
        "pr-01",
        "",
        "DHCP",
    )
    assert reservation.options == {12: wo.OptionValue(12, "STRING", ("pr-01",))}
    assert reservation.class_options == {
        (None, "Fire"): {2: wo.OptionValue(2, "IPADDRESS", ("10.0.0.5",), "Fire")}
    }


def test_netsh_success_is_read_from_the_text():
    assert wo.netsh_succeeded(windows_output("dhcp_show_iprange.txt"))
    assert not wo.netsh_succeeded("Changed the current scope context to 10.0.0.0 scope.\r\n\r\n")
    batch = "Command completed successfully.\r\nThe specified subnet already exists on the DHCP server.\r\n"
    assert not wo.netsh_succeeded(batch)


def test_sc_query_running_nt6():
    [status] = wo.parse_sc_query(windows_output("sc_query_running_2008.txt"))
    assert status == wo.ServiceStatus("DHCPServer", 4, "RUNNING", 0x20, 0)
    assert status.running


def test_sc_query_stopped_nt5():
    [status] = wo.parse_sc_query(windows_output("sc_query_stopped_2003.txt"))
    assert status == wo.ServiceStatus("TlntSvr", 1, "STOPPED", 0x10, 1077)
    assert not status.running


def test_sc_query_missing_service():
    assert wo.parse_sc_query(windows_output("sc_query_missing.txt")) == []
    assert (
        wo.classify_error(windows_output("sc_query_missing.txt"), "", 1060)
        is wo.ErrorKind.SERVICE_NOT_INSTALLED
    )


def test_sc_qc():
    config = wo.parse_sc_qc(windows_output("sc_qc_2003.txt"))
    assert config == wo.ServiceConfig(
        name="LanmanServer",
        start_type_code=2,
        start_type="AUTO_START",
        delayed=False,
        binary_path="C:\\WINDOWS\\system32\\svchost.exe -k netsvcs",
        display_name="Server",
        start_name="LocalSystem",
    )
    assert config.start_mode == "auto"
    assert wo.parse_sc_qc(windows_output("sc_query_missing.txt")) is None


@pytest.mark.assumption
def test_net_share_with_a_wrapped_long_name():
    shares = wo.parse_net_share(windows_output("net_share_2003.txt"))
    assert shares == [
        wo.Share("C$", "C:\\", "Default share"),
        wo.Share("IPC$", "", "Remote IPC"),
        wo.Share("ADMIN$", "C:\\WINDOWS", "Remote Admin"),
        wo.Share("BAOCAO-EUC-2026", "C:\\Inetpub\\ftproot\\EUC", ""),
        wo.Share("VNACCS", "C:\\VNACCS\\Client", "Bo cai dat VNACCS"),
    ]
    assert [share.name for share in shares if not share.special] == ["BAOCAO-EUC-2026", "VNACCS"]


@pytest.mark.assumption
def test_net_share_long_resource_with_its_remark_on_the_next_line():
    # A resource longer than its 32 columns pushes the remark onto the next line (blank when empty).
    text = (
        "Share name   Resource                        Remark\r\n\r\n" + "-" * 79 + "\r\n"
        "Shared Folder\r\n"
        "             C:\\Users\\Juan\\Desktop\\Shared Folder\r\n"
        "\r\n"
        "NETLOGON     C:\\Windows\\SYSVOL\\sysvol\\lab.sky.net\\SCRIPTS\r\n"
        "                                             Logon server share\r\n"
        "test         C:\\Users\\Juan\\Test\r\n"
        "The command completed successfully.\r\n"
    )
    assert wo.parse_net_share(text) == [
        wo.Share("Shared Folder", "C:\\Users\\Juan\\Desktop\\Shared Folder", ""),
        wo.Share("NETLOGON", "C:\\Windows\\SYSVOL\\sysvol\\lab.sky.net\\SCRIPTS", "Logon server share"),
        wo.Share("test", "C:\\Users\\Juan\\Test", ""),
    ]


@pytest.mark.assumption
def test_net_share_missing_is_classified():
    assert wo.classify_error("", windows_output("net_share_missing.txt"), 2) is wo.ErrorKind.SHARE_NOT_FOUND


@pytest.mark.assumption
def test_schtasks_csv_2003():
    [task] = wo.parse_schtasks_csv(windows_output("schtasks_query_csv_v_2003.txt"))
    assert task["name"] == "DailyReboot"
    assert task["Task To Run"] == "shutdown -r -f -t 60"
    assert task["Start Time"] == "01:30:00"
    assert task["Scheduled Type"] == "Daily "
    assert task["Run As User"] == "SYSTEM"
    assert len(task) == 29  # 28 columns of the 2003 layout plus `name`


@pytest.mark.assumption
def test_schtasks_csv_2008_folders():
    tasks = wo.parse_schtasks_csv(windows_output("schtasks_query_csv_v_2008.txt"))
    assert [task["name"] for task in tasks] == ["DailyReboot", "Microsoft\\Windows\\Defrag\\ScheduledDefrag"]
    assert tasks[0]["TaskName"] == "\\DailyReboot"
    assert tasks[0]["Schedule Type"] == "Daily"
    assert tasks[0]["Start Time"] == "1:30:00 AM"  # en-US NT 6 (the metasploit spec's row)
    assert len(tasks[0]) == 29


def test_schtasks_csv_skips_repeated_headers_and_leading_backslash():
    header = '"HostName","TaskName","Next Run Time","Status"\r\n'
    text = (
        f"\r\n{header}"
        + '"WS01","\\DailyReboot","N/A","Ready"\r\n'
        + f"\r\n{header}"
        + '"WS01","\\Other","N/A","Ready"\r\n'
    )
    assert [row["name"] for row in wo.parse_schtasks_csv(text)] == ["DailyReboot", "Other"]
    assert wo.parse_schtasks_csv("INFO: There are no scheduled tasks present in the system.\r\n") == []


@pytest.mark.parametrize(
    ("name", "address", "host"),
    [
        ("ipconfig_all_2003.txt", "10.27.10.5", "DHCP-BAC-NINH"),
        ("ipconfig_all_2008.txt", "10.31.10.5", "DHCP-HAI-PHONG"),
    ],
)
def test_ipconfig_all(name, address, host):
    config = wo.parse_ipconfig_all(windows_output(name))
    assert config.host_name == host
    assert config.primary_dns_suffix == "customs.gov.vn"
    [adapter] = config.adapters
    assert adapter.name == "Local Area Connection"
    assert adapter.ipv4_address == address
    assert adapter.get("Subnet Mask") == "255.255.255.0"
    assert not adapter.dhcp_enabled
    assert adapter.dns_servers == [address.rsplit(".", 1)[0] + ".2"]


def test_ipconfig_continuation_lines_and_lowercase_labels():
    text = (
        "\r\nWindows IP Configuration\r\n\r\n"
        "        Host Name . . . . . . . . . . . . : WS01\r\n\r\n"
        "Ethernet adapter Local Area Connection:\r\n\r\n"
        "        Dhcp Enabled. . . . . . . . . . . : Yes\r\n"
        "        IP Address. . . . . . . . . . . . : 10.27.10.61\r\n"
        "        DNS Servers . . . . . . . . . . . : 10.27.10.5\r\n"
        "                                            10.27.1.10\r\n"
    )
    config = wo.parse_ipconfig_all(text)
    assert config.host_name == "WS01"
    assert config.adapters[0].dhcp_enabled
    assert config.adapters[0].dns_servers == ["10.27.10.5", "10.27.1.10"]


@pytest.mark.assumption
def test_iisftp_query():
    assert wo.parse_iisftp_query(windows_output("iisftp_query_2003.txt")) == [
        wo.FtpSite("Default FTP Site", "MSFTPSVC/1", "STARTED", "", 21)
    ]


@pytest.mark.assumption
@pytest.mark.parametrize(
    ("name", "version", "family"),
    [("ver_2003.txt", "5.2.3790", "2003"), ("ver_2008.txt", "6.0.6002", "2008")],
)
def test_ver(name, version, family):
    parsed = wo.parse_ver(windows_output(name))
    assert (parsed.version, parsed.family) == (version, family)


def test_ver_xp():
    assert wo.parse_ver("\r\nMicrosoft Windows XP [Version 5.1.2600]\r\n").family == "xp"
    assert wo.parse_ver("no banner") is None


@pytest.mark.assumption
@pytest.mark.parametrize("name", ["reg_query_2003.txt", "reg_query_2008.txt"])
def test_reg_query_both_separators(name):
    keys = wo.parse_reg_query(windows_output(name))
    key = UNINSTALL + "\\{5A3C1D2E-7B4F-4E21-9C6A-2F0D8B1E4C77}"
    assert keys[key]["displayversion"] == wo.RegistryValue("DisplayVersion", "REG_SZ", "4.2.1")


@pytest.mark.parametrize(
    ("name", "stream", "code", "kind"),
    [
        pytest.param(
            "not_recognized.txt", "stderr", 1, wo.ErrorKind.NOT_RECOGNIZED, marks=pytest.mark.assumption
        ),
        ("advfirewall_not_found_2003.txt", "stdout", 1, wo.ErrorKind.NETSH_COMMAND_NOT_FOUND),
        ("sc_config_success.txt", "stdout", 0, None),
        ("firewall_deprecated_7.txt", "stdout", 0, None),
    ],
)
def test_classify_fixture_outputs(name, stream, code, kind):
    text = windows_output(name)
    stdout, stderr = (text, "") if stream == "stdout" else ("", text)
    assert wo.classify_error(stdout, stderr, code) is kind


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (0, None),
        (3010, None),
        (1603, wo.ErrorKind.MSI_INSTALL_FAILURE),
        (1618, wo.ErrorKind.MSI_ALREADY_RUNNING),
        (1605, wo.ErrorKind.MSI_UNKNOWN_PRODUCT),
    ],
)
def test_msiexec_is_judged_by_exit_code(code, kind):
    assert wo.classify_error("", "", code, msiexec=True) is kind


# schtasks error texts as their sources print them (windows_output._ERROR_TEXTS names each source).
@pytest.mark.parametrize(
    ("stdout", "stderr", "kind"),
    [
        ("", "ERROR: Invalid starttime value.\r\n", wo.ErrorKind.TASK_INVALID_START_TIME),
        ("ERROR: The system cannot find the file specified.\r\n", "", wo.ErrorKind.TASK_NOT_FOUND),
        ("ERROR: The system cannot find the path specified.\r\n", "", wo.ErrorKind.TASK_NOT_FOUND),
        (
            'ERROR: The specified task name "\\VNACCS\\DailyReboot" does not exist in the system.\r\n',
            "",
            wo.ErrorKind.TASK_NOT_FOUND,
        ),
        ("ERROR: Cannot create a file when that file already exists.\r\n", "", wo.ErrorKind.TASK_EXISTS),
        (
            "ERROR: The filename, directory name, or volume label syntax is incorrect.\r\n",
            "",
            wo.ErrorKind.TASK_INVALID_NAME,
        ),
        ("ERROR: Access is denied.\r\n", "", wo.ErrorKind.ACCESS_DENIED),
        (
            "SUCCESS: The scheduled task DailyReboot has successfully been created.\r\n\r\n"
            "WARNING: The Scheduled task DailyReboot has been created, but may not run because\r\n"
            "the account information could not be set.\r\n",
            "",
            wo.ErrorKind.TASK_ACCOUNT_NOT_SET,
        ),
        ("ERROR: Invalid argument/option - '/tn'.\r\n", "", wo.ErrorKind.INVALID_OPTION),
    ],
)
def test_classify_schtasks_errors(stdout, stderr, kind):
    assert wo.classify_error(stdout, stderr, 1) is kind


@pytest.mark.assumption
@pytest.mark.parametrize("profile", ["2008", "7"])
def test_classify_winlab_schtasks_refusals_nt6(profile):
    # What winlab prints on NT 6 for a bad /ST [U: Windows 10's text], a missing task, and a /create or
    # /delete without /F (a question nobody answers under WinRM) [U].
    from winlab.model.host import Host

    host = Host("winlab-task", profile)
    create = 'schtasks /create /sc daily /tn DailyReboot /tr "shutdown -r -f -t 60" /ru SYSTEM'
    bad = host.run(f"{create} /st 01:30:00")
    assert wo.classify_error(bad.stdout, bad.stderr, bad.exit_code) is wo.ErrorKind.TASK_INVALID_START_TIME
    missing = host.run("schtasks /query /tn DailyReboot")
    assert wo.classify_error(missing.stdout, missing.stderr, missing.exit_code) is wo.ErrorKind.TASK_NOT_FOUND
    assert wo.classify_error(*_out(host.run(f"{create} /st 01:30"))) is None
    again = host.run(f"{create} /st 01:30")
    assert wo.classify_error(*_out(again)) is wo.ErrorKind.TASK_NEEDS_CONFIRMATION
    ask = host.run("schtasks /delete /tn DailyReboot")
    assert wo.classify_error(*_out(ask)) is wo.ErrorKind.TASK_NEEDS_CONFIRMATION
    assert wo.classify_error(*_out(host.run("schtasks /delete /tn DailyReboot /f"))) is None


@pytest.mark.assumption
@pytest.mark.parametrize("profile", ["2003", "xp"])
def test_classify_winlab_schtasks_refusals_nt5(profile):
    from winlab.model.host import Host

    host = Host("winlab-task", profile)
    create = 'schtasks /create /sc daily /tn DailyReboot /tr "shutdown -r -f -t 60" /ru SYSTEM'
    assert wo.classify_error(*_out(host.run(f"{create} /st 01:30"))) is wo.ErrorKind.TASK_INVALID_START_TIME
    assert wo.classify_error(*_out(host.run(f"{create} /st 01:30:00"))) is None
    assert wo.classify_error(*_out(host.run(f"{create} /st 01:30:00"))) is wo.ErrorKind.TASK_EXISTS
    force = " /f" if profile == "2003" else ""  # XP has no /F (reference 6.1)
    missing = host.run(f"schtasks /delete /tn Nothing{force}")
    assert wo.classify_error(*_out(missing)) is wo.ErrorKind.TASK_NOT_FOUND


def _out(result) -> tuple[str, str, int]:
    return result.stdout, result.stderr, result.exit_code


def test_unknown_failure_is_still_a_failure():
    assert wo.classify_error("something odd", "", 5) is wo.ErrorKind.UNKNOWN


@pytest.mark.assumption
def test_net_share_details_2008_lists_share_permissions():
    details = wo.parse_net_share_details(windows_output("net_share_detail_2008.txt"))
    assert details == wo.ShareDetails(
        name="VNACCS_EUC",
        path="C:\\VNACCS\\Base\\EUCReports",
        remark="VCIS-EUC reports",
        max_users=None,
        permissions=(("Everyone", "READ"), ("BUILTIN\\Administrators", "CHANGE")),
    )


@pytest.mark.assumption
def test_net_share_details_2003_has_no_permissions():
    details = wo.parse_net_share_details(windows_output("net_share_detail_2003.txt"))
    assert details is not None
    assert (details.name, details.path, details.remark) == (
        "VNACCS_CLIENT",
        "C:\\VNACCS\\Base\\ClientUpgrades",
        "VNACCS client upgrades",
    )
    assert details.permissions == ()


def test_net_share_details_of_a_missing_share_is_none():
    assert wo.parse_net_share_details(windows_output("net_share_missing.txt")) is None


@pytest.mark.assumption
def test_icacls_lists_each_entry_with_its_inheritance():
    entries = wo.parse_icacls(windows_output("icacls_show_2003.txt"), "C:\\VNACCS\\Base")
    assert entries == [
        wo.AccessEntry("NT AUTHORITY\\SYSTEM", "(OI)(CI)", "F"),
        wo.AccessEntry("Everyone", "(OI)(CI)", "RX"),
        wo.AccessEntry("BUILTIN\\Administrators", "(OI)(CI)", "M"),
    ]


def test_icacls_of_a_missing_path_is_none():
    text = (
        "C:\\VNACCS\\Nowhere: The system cannot find the file specified.\r\n"
        "Successfully processed 0 files; Failed processing 1 files\r\n"
    )
    assert wo.parse_icacls(text, "C:\\VNACCS\\Nowhere") is None


@pytest.mark.assumption
def test_firewall_portopening_one_row_per_profile():
    openings = wo.parse_firewall_portopening(windows_output("firewall_show_portopening_2003.txt"))
    assert openings == [
        wo.PortOpening(21, "TCP", True, "VNACCS base server FTP", "Domain"),
        wo.PortOpening(21, "TCP", True, "VNACCS base server FTP", "Standard"),
    ]


@pytest.mark.assumption
def test_advfirewall_show_rule():
    assert wo.parse_advfirewall_rules(windows_output("advfirewall_show_rule_2008.txt")) == [
        wo.FirewallRule("VNACCS base server FTP", True, "In", "TCP", "21", "Allow")
    ]


@pytest.mark.assumption
def test_advfirewall_no_matching_rule_is_empty():
    assert wo.parse_advfirewall_rules(windows_output("advfirewall_show_rule_missing_2008.txt")) == []


@pytest.mark.parametrize(
    ("name", "address"), [("ipconfig_all_xp.txt", "10.27.10.61"), ("ipconfig_all_7.txt", "10.31.10.61")]
)
def test_ipconfig_all_leased_workstations(name, address):
    [adapter] = wo.parse_ipconfig_all(windows_output(name)).adapters
    assert adapter.ipv4_address == address
    assert adapter.dhcp_enabled
    assert adapter.get("DHCP Server") == address.rsplit(".", 1)[0] + ".5"
    assert adapter.get("Lease Expires") == "Tuesday, December 8, 2026 8:00:00 AM"


# What the dhcp_server plugin relies on: a dump of a scope left half done by hand, and the error
# texts a failed `netsh exec` line prints (reference 1.8, 1.9).
DAMAGED_DUMP = (
    'Dhcp Server \\\\10.27.40.10 add scope 10.27.40.0 255.255.255.0 "DHCP Thai Nguyen" ""\r\n'
    "Dhcp Server \\\\10.27.40.10 Scope 10.27.40.0 set state 0\r\n"
    "Dhcp Server \\\\10.27.40.10 Scope 10.27.40.0 Add iprange 10.27.40.100 10.27.40.200 BOTH 0\r\n"
    "Dhcp Server \\\\10.27.40.10 Scope 10.27.40.0 set optionvalue 6 IPADDRESS"
    ' "10.27.1.10" "10.27.1.11" "10.27.1.12"\r\n'
    'Dhcp Server \\\\10.27.40.10 Scope 10.27.40.0 set optionvalue 15 STRING "thainguyen.customs.gov.vn"\r\n'
)


def test_dump_of_an_inactive_hand_made_scope():
    scope = wo.parse_dhcp_dump(DAMAGED_DUMP).scopes["10.27.40.0"]
    assert (scope.name, scope.comment, scope.state) == ("DHCP Thai Nguyen", "", 0)
    assert scope.ranges == [wo.IpRange("10.27.40.100", "10.27.40.200", "DHCP BOOTP")]
    assert scope.options[6].values == ("10.27.1.10", "10.27.1.11", "10.27.1.12")
    assert scope.options[15] == wo.OptionValue(15, "STRING", ("thainguyen.customs.gov.vn",))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "The specified IP address range either overlaps with an existing range or is invalid.",
            wo.ErrorKind.DHCP_RANGE_INVALID,
        ),
        ("The specified subnet does not exist.", wo.ErrorKind.DHCP_SCOPE_NOT_FOUND),
        ("The command needs a valid Scope IP Address.", wo.ErrorKind.DHCP_SCOPE_NOT_FOUND),
        ("The specified subnet already exists on the DHCP server.", wo.ErrorKind.DHCP_SCOPE_EXISTS),
        ("The following command was not found: dhcp server dump.", wo.ErrorKind.NETSH_COMMAND_NOT_FOUND),
    ],
)
def test_netsh_dhcp_error_texts(text, kind):
    output = f"Changed the current scope context to 10.27.40.0 scope.\r\n\r\n{text}\r\n"
    assert wo.classify_error(output, "", 1) is kind
    assert not wo.netsh_succeeded(output)


def test_dhcp_service_not_running_is_told_apart_from_a_missing_helper():
    text = (
        "Unable to determine the DHCP Server version for the Server 10.27.10.5.\r\n"
        "The following command was not found: dhcp server show scope.\r\n"
    )
    assert wo.classify_error(text, "", 1) is wo.ErrorKind.DHCP_SERVER_UNAVAILABLE
    assert (
        wo.classify_error(windows_output("advfirewall_not_found_2003.txt"), "", 1)
        is wo.ErrorKind.NETSH_COMMAND_NOT_FOUND
    )


def test_probe_sections_round_trip_through_cmd_output():
    from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_output import (
        probe_section,
        split_sections,
    )

    assert probe_section("qc", "sc qc DHCPServer") == ["echo ==vnaccs:qc==", "sc qc DHCPServer"]
    output = "BRANCH-DHCP\r\n==vnaccs:qc==\r\n[SC] QueryServiceConfig SUCCESS\r\n==vnaccs:dump== \r\n\r\n"
    sections = split_sections(output)
    assert sections["head"] == "BRANCH-DHCP"
    assert sections["qc"] == "[SC] QueryServiceConfig SUCCESS"
    assert sections["dump"] == "\n"


# -- the daily restart task and the last start --------------------------------------------------------
@pytest.mark.parametrize(
    ("file", "start", "switch"),
    [("schtasks_query_csv_v_xp.txt", "12:32:00", "-"), ("schtasks_query_csv_v_7.txt", "12:29:00", "/")],
)
def test_scheduled_task_on_both_layouts(file, start, switch):
    task = wo.find_scheduled_task(windows_output(file), "VNACCS-DailyRestart")
    assert task.name == "VNACCS-DailyRestart"
    assert task.run == (
        f"shutdown {switch}r {switch}t 300 {switch}d p:4:1 {switch}c "
        '"May tram se khoi dong lai sau 5 phut de cap nhat phan mem hai quan. Vui long luu cong viec."'
    )
    assert task.start.strftime("%H:%M:%S") == start
    assert (task.schedule_type, task.run_as, task.enabled) == ("daily", "SYSTEM", True)
    assert task.has_run is False
    assert wo.find_scheduled_task(windows_output(file), "Other") is None


def test_scheduled_task_never_run_results_per_version():
    assert (
        wo.find_scheduled_task(
            windows_output("schtasks_query_csv_v_xp.txt"), "VNACCS-DailyRestart"
        ).last_result
        == 0
    )
    seven = wo.find_scheduled_task(windows_output("schtasks_query_csv_v_7.txt"), "\\VNACCS-DailyRestart")
    assert (seven.last_result, seven.status, seven.next_run) == (267011, "Ready", "11/30/2026 12:29:00 PM")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05:00:00", (5, 0, 0)),
        ("12:00:00 AM", (0, 0, 0)),
        ("12:35:00 PM", (12, 35, 0)),
        ("1:30:00 AM", (1, 30, 0)),
        ("11:59 pm", (23, 59, 0)),
        ("N/A", None),
        ("25:00:00", None),
    ],
)
def test_task_start_time_layouts(text, expected):
    parsed = wo.parse_task_start_time(text)
    assert (None if parsed is None else (parsed.hour, parsed.minute, parsed.second)) == expected


def test_schtasks_csv_fields_keep_quotes_inside_a_field():
    assert wo.schtasks_csv_fields('"a","b "c" d","e"') == ["a", 'b "c" d', "e"]
    assert wo.schtasks_csv_fields("a,b") == ["a", "b"]


@pytest.mark.parametrize("file", ["net_statistics_workstation_xp.txt", "net_statistics_workstation_7.txt"])
def test_statistics_since(file):
    since = wo.parse_statistics_since(windows_output(file))
    assert since.text == "11/30/2026 7:00:00 AM"
    assert since.at == datetime.datetime(2026, 11, 30, 7, 0, 0)


def test_statistics_since_other_layouts():
    assert wo.parse_statistics_since("Statistics since 1/1/2021 6:08:25 PM\r\n").at == datetime.datetime(
        2021, 1, 1, 18, 8, 25
    )
    assert wo.parse_statistics_since("Statistics since 22.05.2017 14:47:53\r\n").at == datetime.datetime(
        2017, 5, 22, 14, 47, 53
    )
    unknown = wo.parse_statistics_since("Statistics since 31/1/2018 12:46:10 μμ\r\n")
    assert (unknown.text, unknown.at) == ("31/1/2018 12:46:10 μμ", None)
    assert wo.parse_statistics_since("System error 2184 has occurred.\r\n") is None
