"""The roles' parsers on real console output (tests/fixtures/windows/real, sources in its index.yml).

The fixtures one level up were written by the project; these were copied from public repositories, so
they check the parsers against Windows itself. The values asserted are read from the captures.
"""

from __future__ import annotations

import datetime

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import health_checks
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import windows_output as wo

from tests.support.fixture_files import REAL_CAPTURES, real_capture, real_capture_index
from winlab.model import defaults
from winlab.model.host import Host

INDEX = real_capture_index()


# -- the index -------------------------------------------------------------------------------------
def test_every_capture_is_in_the_index_with_its_source():
    files = sorted(path.name for path in REAL_CAPTURES.glob("*.txt"))
    assert sorted(entry["file"] for entry in INDEX) == files
    for entry in INDEX:
        assert entry["command"] and entry["windows"] and entry["licence"] and entry["taken"], entry["file"]
        source = entry["source"]
        assert source["repository"].count("/") == 1 and source["path"], entry["file"]
        assert len(source["commit"]) == 40, entry["file"]


def test_at_least_one_capture_per_parser():
    commands = " ".join(entry["command"] for entry in INDEX)
    for command in (
        "show scope",
        "OptionValue",
        "show client",
        "dump",
        "ipconfig /all",
        "net share",
        "sc qc",
        "show reservedip",
        "schtasks /query /fo csv",
        "schtasks /query /fo list",
    ):
        assert command in commands
    assert "sc query" in commands and "reg query" in commands


# -- netsh dhcp ------------------------------------------------------------------------------------
def test_show_scope():
    text = real_capture("smartproxy_show_scope.txt")
    scopes = wo.parse_show_scope(text)
    assert [scope.address for scope in scopes] == [
        "172.24.166.0",
        "172.24.230.0",
        "172.29.204.0",
        "172.29.205.0",
        "172.29.205.128",
        "172.29.216.0",
    ]
    assert scopes[0] == wo.DhcpScope(
        "172.24.166.0", "255.255.255.128", "Active", "WLAN SMW Clients BRS", "WLAN range SMW"
    )
    # A 21-character name runs into the separator; the comment column is cut at 14.
    assert (scopes[4].name, scopes[4].comment) == ("Management VLAN Scope", "DC Standardiza")
    assert (scopes[5].mask, scopes[5].name, scopes[5].comment) == ("255.255.254.0", "DC BRS", "")
    assert all(scope.active for scope in scopes)
    assert wo.scope_count(text) == 6
    assert wo.netsh_succeeded(text)


def test_show_optionvalue():
    text = real_capture("smartproxy_show_optionvalue.txt")
    assert wo.parse_show_optionvalue(text) == [
        wo.OptionValue(81, "DWORD", ("0",)),
        wo.OptionValue(51, "DWORD", ("691200",)),
        wo.OptionValue(3, "IPADDRESS", ("172.29.205.1",)),
    ]
    assert wo.netsh_succeeded(text)  # the literal ends with the indentation of its closing line


def test_show_optionvalue_vendor_class_block():
    assert wo.parse_show_optionvalue(real_capture("smartproxy_show_optionvalue_vendor_class.txt")) == [
        wo.OptionValue(81, "DWORD", ("0",)),
        wo.OptionValue(51, "DWORD", ("691200",)),
        wo.OptionValue(3, "IPADDRESS", ("192.168.205.1",), "SPARC-Enterprise-T5120"),
    ]


def test_show_reservedoptionvalue_has_the_optionvalue_layout():
    assert wo.parse_show_optionvalue(real_capture("smartproxy_show_reservedoptionvalue.txt")) == [
        wo.OptionValue(66, "STRING", ("brsla025.brs.someware.com",)),
        wo.OptionValue(67, "STRING", ("gi-install/pxelinux.0",)),
        wo.OptionValue(12, "STRING", ("brslcs25",)),
    ]


def test_show_clients():
    text = real_capture("smartproxy_show_clients.txt")
    leases = wo.parse_show_clients(text)
    assert len(leases) == 12
    # A reservation: no space after the dash before the unique ID, and type U.
    assert leases[0] == wo.DhcpLease(
        "192.168.216.25",
        "255.255.254.0",
        "e4-11-5b-ad-a5-da",
        "NEVER EXPIRES",
        "U",
        "BRSSVM01L.brs.someware.com",
    )
    assert leases[1] == wo.DhcpLease(
        "192.168.217.5",
        "255.255.254.0",
        "64-51-06-a1-66-b5",
        "6/13/2016 7:29:13 AM",
        "D",
        "BRSNCNU4309QH3.eu.someware.com",
    )
    assert leases[-1].address == "192.168.217.148"
    assert leases[-1].expires == "6/13/2016 9:52:27 AM"
    assert [lease.address for lease in leases if lease.type == "U"] == [
        "192.168.216.25",
        "192.168.217.14",
        "192.168.217.141",
    ]
    assert wo.netsh_succeeded(text)


def test_dump_fragment_keeps_vendor_class_values_apart():
    dump = wo.parse_dhcp_dump(real_capture("smartproxy_dump_fragment.txt"))
    assert dump.server == "172.29.216.54"
    assert list(dump.scopes) == ["172.29.205.0"]
    scope = dump.scopes["172.29.205.0"]
    assert scope.mask == "" and scope.ranges == []  # the fragment has no `add scope` or range line
    assert scope.options == {
        51: wo.OptionValue(51, "DWORD", ("691200",)),
        3: wo.OptionValue(3, "IPADDRESS", ("172.29.205.1",)),
        66: wo.OptionValue(66, "STRING", ("tftp",)),
    }
    assert list(scope.reservations) == ["172.29.205.32", "172.29.205.42"]
    first = scope.reservations["172.29.205.32"]
    assert (first.unique_id, first.name, first.comment, first.kind) == (
        "000c296485f0",
        "brsla032.brs.someware.com",
        "DHCP",
        "DHCP",
    )
    assert sorted(first.options) == [12, 66, 67]
    assert first.options[67].values == ("gi-install/pxelinux.0",)
    sparc = scope.reservations["172.29.205.42"]
    assert (sparc.unique_id, sparc.comment) == ("0003ba05517d", "")
    # Option 12 is set twice: for the vendor class Fire-V240, then for the default class.
    assert sparc.options[12] == wo.OptionValue(12, "STRING", ("brsucs02.brs.infineon.com",))
    vendor = sparc.class_options[(None, "Fire-V240")]
    assert vendor[12] == wo.OptionValue(12, "STRING", ("/vol/s02/5.8/sol8_0204_sparc",), "Fire-V240")
    assert sorted(vendor) == [2, 3, 4, 10, 11, 12, 13, 14]
    assert sorted(sparc.options) == [12, 66, 67]


def test_dump_2008():
    dump = wo.parse_dhcp_dump(real_capture("vvelox_dhcp_dump_2008.txt"))
    assert dump.server == "winboot"
    assert list(dump.scopes) == [
        "10.40.10.0",
        "10.31.129.248",
        "10.31.133.112",
        "10.31.145.160",
        "10.31.145.176",
        "10.31.148.216",
        "10.31.110.0",
    ]
    assert dump.options == {
        15: wo.OptionValue(15, "STRING", ("foo.bar",)),
        6: wo.OptionValue(6, "IPADDRESS", ("10.202.97.1", "10.202.97.2")),
        66: wo.OptionValue(66, "STRING", ("10.93.192.10",)),
        67: wo.OptionValue(67, "STRING", ("linux",)),
        60: wo.OptionValue(60, "STRING", ("PXEClient",)),
    }
    assert dump.class_options == {}
    it = dump.scopes["10.40.10.0"]
    assert (it.mask, it.name, it.comment, it.state, it.nap_state) == ("255.255.254.0", "it.ord", "", 1, "Off")
    assert it.ranges == [wo.IpRange("10.40.51.3", "10.40.51.254", "DHCP BOOTP")]
    assert it.exclusions == [] and it.reservations == {} and it.delay_offer is None
    # The lease time of the BOOTP user class comes first; the scope's own value is the default one.
    assert it.options == {
        51: wo.OptionValue(51, "DWORD", ("1800",)),
        3: wo.OptionValue(3, "IPADDRESS", ("10.40.10.1",)),
    }
    assert it.class_options == {("Default BOOTP Class", None): {51: wo.OptionValue(51, "DWORD", ("1800",))}}
    kvm = dump.scopes["10.31.129.248"]
    assert kvm.comment == "The NEW ipkvm.sjc after 10.93.180.216/29 was swiped"
    assert kvm.ranges == [wo.IpRange("10.31.129.251", "10.31.129.254", "DHCP ONLY")]
    assert kvm.options[51].values == ("900",)
    assert dump.scopes["10.31.145.176"].options[6].values == ("10.202.97.1", "10.202.97.2")
    assert all(scope.state == 1 and scope.nap_state == "Off" for scope in dump.scopes.values())
    assert [scope.comment for scope in dump.scopes.values()].count("") == 3


def test_show_reservedip_is_not_read_as_ip_ranges():
    text = real_capture("smartproxy_show_reservedip.txt")
    assert wo.netsh_succeeded(text)
    # `address - unique-id-` rows: neither IP ranges nor exclusions.
    assert wo.parse_show_iprange(text) == [] and wo.parse_show_excluderange(text) == []
    assert "No of ReservedIPs : 57 in the Scope : 172.29.205.0." in text


# -- ipconfig --------------------------------------------------------------------------------------
def test_ipconfig_all_xp():
    config = wo.parse_ipconfig_all(real_capture("jc_ipconfig_all_xp.txt"))
    assert (config.host_name, config.primary_dns_suffix) == ("DESKTOP-PC4", "somecompany.corp")
    [adapter] = config.adapters
    assert adapter.name == "Local Area Connection"
    assert adapter.ipv4_address == "192.168.22.135"  # NT 5 says `IP Address`
    assert adapter.dhcp_enabled
    assert adapter.get("Subnet Mask") == "255.255.255.0"
    assert adapter.get("Default Gateway") == "192.168.22.1"
    assert adapter.dns_servers == ["192.168.22.151"]
    assert adapter.get("Lease Expires") == "Sunday, September 22, 2024 10:31:26 PM"


def test_ipconfig_all_7():
    config = wo.parse_ipconfig_all(real_capture("jc_ipconfig_all_7.txt"))
    assert config.host_name == "DESKTOP-WIN7"
    lan, isatap = config.adapters
    assert (lan.name, lan.ipv4_address, lan.dhcp_enabled) == ("Local Area Connection", "192.168.22.33", True)
    assert lan.get("DHCP Server") == "192.168.22.1"
    assert lan.get("Physical Address") == "00-0C-29-37-3B-4E"
    assert isatap.name == "isatap.{E24F3EA8-436E-3B26-8BB9-CED33928744B}"
    assert isatap.get("Media State") == "Media disconnected"
    assert isatap.ipv4_address == ""


def test_ipconfig_all_2008():
    config = wo.parse_ipconfig_all(real_capture("jc_ipconfig_all_2008.txt"))
    assert (config.host_name, config.primary_dns_suffix) == ("WIN-SERVER8", "")
    lan = config.adapters[0]
    assert (lan.ipv4_address, lan.dhcp_enabled, lan.dns_servers) == (
        "192.168.23.154",
        False,
        ["192.168.23.151"],
    )
    assert lan.get("Default Gateway") == "192.168.23.1"


def test_ipconfig_all_from_winrm_with_mixed_line_ends():
    config = wo.parse_ipconfig_all(real_capture("pywinrm_ipconfig_all.txt"))
    assert config.host_name == "WINDOWS-HOST"
    assert [adapter.name for adapter in config.adapters] == [
        "Local Area Connection",
        "Local Area Connection* 9",
        "isatap.{AA426B37-3695-4EB8-990F-4CFAC845FD17}",
        "Teredo Tunneling Pseudo-Interface",
        "6TO4 Adapter",
        "isatap.{BA160FC5-7028-4B1F-A04B-1AC802B0FF5A}",
    ]
    lan = config.adapters[0]
    assert lan.ipv4_address == "173.185.153.93"  # `(Preferred) ` with its trailing space
    assert lan.get("Subnet Mask") == "255.255.255.248"
    assert lan.dns_servers == ["207.91.5.32", "208.67.222.222"]
    six_to_four = config.adapters[4]
    assert six_to_four.fields["default gateway"] == ["2002:c058:6301::c058:6301", "2002:c058:6301::1"]


def test_ipconfig_all_2008_pwnwiki():
    config = wo.parse_ipconfig_all(real_capture("pwnwiki_ipconfig_all_2008.txt"))
    assert (config.host_name, config.primary_dns_suffix) == ("WIN-0P19ULL2NB6", "lab.sky.net")
    lan, tunnel = config.adapters
    assert (lan.ipv4_address, lan.dhcp_enabled) == ("192.168.10.34", False)
    assert lan.dns_servers == ["::1", "127.0.0.1"]
    assert tunnel.name == "Local Area Connection* 8"


def test_ipconfig_all_2016():
    config = wo.parse_ipconfig_all(real_capture("jc_ipconfig_all_2016.txt"))
    assert (config.host_name, config.primary_dns_suffix) == ("WIN-SERVER16", "somecompany.corp")
    lan, isatap = config.adapters
    assert (lan.name, lan.ipv4_address, lan.dhcp_enabled) == ("Ethernet0", "192.168.22.153", False)
    assert lan.dns_servers == ["192.168.22.151"]
    assert lan.get("DHCPv6 IAID") == "50334761"
    assert isatap.get("Media State") == "Media disconnected"


# -- net share -------------------------------------------------------------------------------------
def test_net_share_2008_with_a_long_resource():
    assert wo.parse_net_share(real_capture("pwnwiki_net_share_2008.txt")) == [
        wo.Share("C$", "C:\\", "Default share"),
        wo.Share("IPC$", "", "Remote IPC"),
        wo.Share("ADMIN$", "C:\\Windows", "Remote Admin"),
        wo.Share("NETLOGON", "C:\\Windows\\SYSVOL\\sysvol\\lab.sky.net\\SCRIPTS", "Logon server share"),
        wo.Share("SYSVOL", "C:\\Windows\\SYSVOL\\sysvol", "Logon server share"),
    ]


# -- sc --------------------------------------------------------------------------------------------
def test_sc_query_2008_stopped():
    assert wo.parse_sc_query(real_capture("pwnwiki_sc_query_2008.txt")) == [
        wo.ServiceStatus("browser", 1, "STOPPED", 0x20, 1077)
    ]


def test_sc_queryex_2008_reads_as_query():
    [status] = wo.parse_sc_query(real_capture("pwnwiki_sc_queryex_2008.txt"))
    assert (status.name, status.state, status.running, status.win32_exit_code) == (
        "browser",
        "STOPPED",
        False,
        1077,
    )


def test_sc_qc_2008():
    config = wo.parse_sc_qc(real_capture("pwnwiki_sc_qc_2008.txt"))
    assert config == wo.ServiceConfig(
        name="browser",
        start_type_code=4,
        start_type="DISABLED",
        delayed=False,
        binary_path="C:\\Windows\\System32\\svchost.exe -k netsvcs",
        display_name="Computer Browser",
        start_name="LocalSystem",
    )
    assert config.start_mode == "disabled"


# -- reg query -------------------------------------------------------------------------------------
def test_reg_query_xp_banner():
    keys = wo.parse_reg_query(real_capture("psdocs_reg_query_xp.txt"))
    assert keys == {
        "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion": {
            "devicepath": wo.RegistryValue("DevicePath", "REG_EXPAND_SZ", "%SystemRoot%\\inf")
        }
    }


def test_reg_query_2008_value_lines_need_their_key():
    text = real_capture("pwnwiki_reg_query_2008.txt")
    # `find` left no key line: no value is attributed to a key the output does not name.
    assert wo.parse_reg_query(text) == {}
    under_a_key = wo.parse_reg_query("HKEY_LOCAL_MACHINE\\SOFTWARE\r\n" + text)
    values = under_a_key["HKEY_LOCAL_MACHINE\\SOFTWARE"]
    # The NT 6 layout: four spaces around the type; later lines of one name replace earlier ones.
    assert values["(default)"].type == "REG_SZ"
    assert values["localizedstring"] == wo.RegistryValue(
        "LocalizedString", "REG_SZ", "@C:\\Program Files\\VMware\\VMware Tools\\VMwareHostOpen.exe,-1008"
    )
    assert values["627bf46a150af194a92056aae2efa363"].data.endswith("\\vss\\comreg.exe")


# -- schtasks --------------------------------------------------------------------------------------
def test_schtasks_csv_nt6():
    rows = wo.parse_schtasks_csv(real_capture("resticprofile_schtasks_query_csv_v.txt"))
    assert len(rows) == 2  # one row per trigger
    first = rows[0]
    assert first["name"] == "resticprofile backup\\self backup"
    assert (first["Status"], first["Last Result"], first["Schedule Type"], first["Start Time"]) == (
        "Ready",
        "-2147024894",
        "Weekly",
        "17:15:00",
    )
    assert rows[1]["Days"] == "SUN, SAT"
    assert len(first) == 28 + 1  # the 28 NT 6 columns and `name`


def _list_labels(text: str) -> list[str]:
    """The labels of the first task block of `schtasks /query /fo list /v`, without `Folder:`."""
    labels = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            if labels:
                break
            continue
        if not line.startswith("Folder:"):
            # Values start at column 39 on NT 6; labels may hold colons (`Repeat: Every:`).
            labels.append(line[:38].rstrip().removesuffix(":"))
    return labels


@pytest.mark.parametrize("profile", ["2008", "7"])
def test_winlab_schtasks_csv_has_the_nt6_columns(profile):
    host = Host("winlab-task", profile)
    command = 'schtasks /create /sc daily /st 01:30 /tn DailyReboot /tr "shutdown -r -f -t 60" /ru SYSTEM'
    assert host.run(command).exit_code == 0
    emulated = wo.parse_schtasks_csv(host.run("schtasks /query /fo csv /v").stdout)
    real = wo.parse_schtasks_csv(real_capture("resticprofile_schtasks_query_csv_v.txt"))
    assert list(emulated[0]) == list(real[0])
    assert next(row for row in emulated if row["name"] == "DailyReboot")["TaskName"] == "\\DailyReboot"


def test_winlab_schtasks_list_has_the_nt6_labels():
    host = Host("winlab-task", "2008")
    command = 'schtasks /create /sc daily /st 01:30 /tn DailyReboot /tr "shutdown -r -f -t 60" /ru SYSTEM'
    assert host.run(command).exit_code == 0
    real = _list_labels(real_capture("resticprofile_schtasks_query_list_v.txt"))
    emulated = _list_labels(host.run("schtasks /query /fo list /v").stdout)
    assert len(real) == 28
    # The same 28 labels; winlab prints them in the XP order, the capture in the NT 6 (CSV) order.
    assert sorted(emulated) == sorted(real)


@pytest.mark.parametrize("entry", INDEX, ids=[entry["file"] for entry in INDEX])
def test_no_capture_is_classified_as_an_error(entry):
    assert wo.classify_error(real_capture(entry["file"])) is None


# -- winlab against the captures -------------------------------------------------------------------
# winlab, set up like the captured 2008 host, must print what parses to the same structure; for sc
# query it prints the very lines of the capture.
def winlab_2008() -> Host:
    host = Host("winlab-dc-2008", "2008")
    # The captured host's Computer Browser: disabled and never started.
    browser = r"C:\Windows\System32\svchost.exe -k netsvcs"
    host.state["services"]["browser"] = defaults.service("Computer Browser", browser, start=4, state=1)
    return host


def body(text: str, first: str) -> list[str]:
    """The lines of `text` from the line that starts with `first`, without trailing empty lines."""
    found = text.replace("\r\n", "\n").split("\n")
    found = found[next(i for i, line in enumerate(found) if line.startswith(first)) :]
    while found and not found[-1].strip():
        found.pop()
    return found


def test_winlab_sc_query_prints_the_2008_capture():
    real = real_capture("pwnwiki_sc_query_2008.txt")
    emulated = winlab_2008().run("sc query browser")
    assert emulated.exit_code == 0
    assert wo.parse_sc_query(emulated.stdout) == wo.parse_sc_query(real)
    # Stopped on NT 6: no controls-accepted line, and two spaces before the hexadecimal exit code.
    assert body(emulated.stdout, "SERVICE_NAME") == body(real, "SERVICE_NAME")


def test_winlab_sc_qc_parses_like_the_2008_capture():
    emulated = winlab_2008().run("sc qc browser")
    assert wo.parse_sc_qc(emulated.stdout) == wo.parse_sc_qc(real_capture("pwnwiki_sc_qc_2008.txt"))


def _scope_block(text: str, scope: str, server: str) -> list[str]:
    """One scope's lines of a dump, from its `add scope` line to the end of its reservations block,
    with the server named SERVER and each option line's values dropped (the order Windows lists
    option values in is not sourced; winlab lists them by code)."""
    found = body(text, f"Dhcp Server \\\\{server} add scope {scope} ")
    end = next(i for i, line in enumerate(found) if line.startswith("   #  End   Add ReservedIp"))
    block = []
    for line in found[: end + 2]:
        line = line.replace(f"\\\\{server}", "SERVER").replace(f"Server : {server}", "Server : SERVER")
        line = line.replace(f"Server {server}", "Server SERVER")
        if " set optionvalue " in line:
            line = line.split(" set optionvalue ")[0] + " set optionvalue ..."
        block.append(line)
    return block


def test_winlab_dump_writes_a_scope_as_the_2008_capture():
    host = winlab_2008()
    assert host.run("servermanagercmd -install DHCP").exit_code == 0
    for command in (
        'netsh dhcp server add scope 10.31.129.248 255.255.255.248 "ipkvm.sjc"'
        ' "The NEW ipkvm.sjc after 10.93.180.216/29 was swiped"',
        "netsh dhcp server scope 10.31.129.248 add iprange 10.31.129.251 10.31.129.254",
        "netsh dhcp server scope 10.31.129.248 set optionvalue 51 DWORD 900",
        "netsh dhcp server scope 10.31.129.248 set optionvalue 3 IPADDRESS 10.31.129.249",
        "netsh dhcp server scope 10.31.129.248 set state 1",
    ):
        assert host.run(command).exit_code == 0, command
    emulated = host.run("netsh dhcp server dump").stdout
    real = real_capture("vvelox_dhcp_dump_2008.txt")
    address = host.state["network"]["address"]
    assert _scope_block(emulated, "10.31.129.248", address) == _scope_block(real, "10.31.129.248", "winboot")
    mine = wo.parse_dhcp_dump(emulated).scopes["10.31.129.248"]
    theirs = wo.parse_dhcp_dump(real).scopes["10.31.129.248"]
    assert mine == theirs
    # The banners around the scopes, trailing spaces included, are those of the capture.
    for banner in ("#     Add Scope                        ", "#     Add MScope End                   "):
        assert banner in body(emulated, "") and banner in body(real, "")


@pytest.mark.assumption
def test_winlab_net_share_parses_like_the_2008_capture():
    host = winlab_2008()
    scripts = r"C:\Windows\SYSVOL\sysvol\lab.sky.net\SCRIPTS"
    for command in (
        f"mkdir {scripts}",
        f'net share NETLOGON={scripts} /REMARK:"Logon server share"',
        r'net share SYSVOL=C:\Windows\SYSVOL\sysvol /REMARK:"Logon server share"',
    ):
        assert host.run(command).exit_code == 0, command
    emulated = host.run("net share")
    # winlab puts the remark of the long NETLOGON resource on the next line [U]; the capture has it on
    # the same line. Both read as the same shares.
    assert wo.parse_net_share(emulated.stdout) == wo.parse_net_share(
        real_capture("pwnwiki_net_share_2008.txt")
    )


# -- schtasks ----------------------------------------------------------------------------------------
def test_schtasks_csv_with_a_quote_inside_a_field():
    text = real_capture("metasploit_schtasks_query_csv_v.txt")
    [row] = wo.parse_schtasks_csv(text)
    assert len(row) == 29  # the 28 NT 6 columns and `name`
    assert row["Task To Run"] == (
        'reg query "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\Tree'
        '\\DGvtFiFtnZQVmtY" /v "SD"'
    )
    task = wo.find_scheduled_task(text, "\\fzuZbSwfXc")
    assert (task.name, task.run_as, task.enabled, task.status) == ("fzuZbSwfXc", "SYSTEM", True, "Ready")
    assert task.start == datetime.time(0, 0) and task.schedule_type == "one time only"
    assert task.last_result == 267011 and task.has_run is False


# -- the health check's parsers ----------------------------------------------------------------------
def test_show_mibinfo():
    usage = wo.parse_dhcp_mibinfo(real_capture("checkmk_dhcp_show_mibinfo.txt"))
    assert usage is not None
    assert usage.server_start_time == "Sunday, May 25, 2008 12:38:06 PM"
    assert usage.counters == {
        "Discovers": 0,
        "Offers": 0,
        "Requests": 0,
        "Acks": 1,
        "Naks": 0,
        "Declines": 0,
        "Releases": 0,
        "Scopes": 1,
    }
    assert usage.scopes == {"172.16.11.0": wo.ScopeUsage("172.16.11.0", in_use=1, free=23, pending=0)}
    assert usage.scopes["172.16.11.0"].size == 24
    assert round(usage.scopes["172.16.11.0"].used_percent, 1) == 4.2


def test_winlab_show_mibinfo_has_the_captured_layout():
    host = Host("winlab-dhcp-2003", "2003", address="172.16.11.5", service_start_delay=0)
    for command in (
        r"echo [NetOptionalComponents]> C:\dhcp.txt",
        r"echo DHCPServer = 1 >> C:\dhcp.txt",
        r"start /wait sysocmgr /i:%windir%\inf\sysoc.inf /u:C:\dhcp.txt /q /r",
        'netsh dhcp server add scope 172.16.11.0 255.255.255.0 "Lab" ""',
        "netsh dhcp server scope 172.16.11.0 add iprange 172.16.11.200 172.16.11.223",
    ):
        assert host.run(command).exit_code == 0, command
    host.state["dhcp"]["scopes"]["172.16.11.0"]["leases"].append(
        {"ip": "172.16.11.201", "mac": "00-0c-29-00-00-01", "name": "ws", "expires": "NEVER EXPIRES"}
    )
    emulated = host.run("netsh dhcp server show mibinfo").stdout
    real = real_capture("checkmk_dhcp_show_mibinfo.txt")
    assert wo.parse_dhcp_mibinfo(emulated).scopes == wo.parse_dhcp_mibinfo(real).scopes

    def shape(text: str) -> list[str]:
        # Each line's indentation and label, the values left out.
        return [line.split("=")[0] for line in text.replace("\r\n", "\n").split("\n") if line.strip()]

    assert [line for line in shape(emulated) if "ServerStartTime" not in line] == [
        line for line in shape(real) if "ServerStartTime" not in line
    ]


def test_systeminfo():
    info = wo.parse_systeminfo(real_capture("jc_systeminfo_7.txt"))
    assert info is not None
    assert info.get("OS Name") == "Microsoft Windows 7 Professional"
    assert info.get("os version") == "6.1.7601 Service Pack 1 Build 7601"
    assert (info.version, info.service_pack) == ("6.1.7601", 1)
    assert info.get("System Boot Time") == "3/22/2021, 1:15:51 PM"
    # Labels with a colon of their own, and continuation lines left out.
    assert info.get("Virtual Memory: Max Size") == "16,149 MB"
    assert info.get("Hotfix(s)") == "302 Hotfix(s) Installed."
    assert not any(label.startswith("[") for label in info.fields)


def test_winlab_systeminfo_reads_like_the_capture():
    for profile, pack in (("2003", 2), ("2008", 2), ("xp", 3), ("7", 1)):
        info = wo.parse_systeminfo(Host(f"winlab-{profile}", profile).run("systeminfo").stdout)
        assert info is not None and info.service_pack == pack, profile
        assert info.get("OS Name") and info.version


# -- systeminfo's Hotfix(s) ----------------------------------------------------------------------------
def test_hotfixes_of_a_2003_sp2():
    text = real_capture("blankshiro_systeminfo_2003.txt")
    assert wo.parse_hotfixes(text) == (1, ("Q147222",))
    info = wo.parse_systeminfo(text)
    assert info is not None and info.service_pack == 2 and info.get("Hotfix(s)") == "1 Hotfix(s) Installed."


def test_hotfixes_of_a_7_list_cut_short_of_its_count():
    count, ids = wo.parse_hotfixes(real_capture("jc_systeminfo_7.txt"))
    # The capture says 302 and lists 245, then a bare `[246]`: the list is short, not complete.
    assert (count, len(ids)) == (302, 245)
    assert ids[0] == "KB2849697" and ids[-1] == "KB3088195"


def test_a_baseline_kb_missing_from_a_short_list_is_not_checked():
    text = real_capture("jc_systeminfo_7.txt")
    checks = health_checks.hotfix_checks(text, {"7": ("KB2849697", "KB4012215")})
    assert [(check.item, check.status) for check in checks] == [
        ("KB2849697", "pass"),
        ("KB4012215", "not_checked"),
    ]
    assert "listed 245 of 302" in checks[1].detail


def test_a_baseline_kb_missing_from_a_whole_list_fails():
    text = real_capture("blankshiro_systeminfo_2003.txt")
    checks = health_checks.hotfix_checks(text, {"2003": ("Q147222", "KB958644")})
    assert [(check.item, check.status) for check in checks] == [("Q147222", "pass"), ("KB958644", "fail")]


def test_winlab_systeminfo_lists_hotfixes_like_the_captures():
    real = [line for line in real_capture("blankshiro_systeminfo_2003.txt").splitlines() if "Hotfix" in line]
    for profile in ("2003", "2008", "xp", "7"):
        text = Host(f"winlab-{profile}", profile).run("systeminfo").stdout
        count, ids = wo.parse_hotfixes(text)
        assert count == len(ids) >= 1, profile
        emulated = [line for line in text.splitlines() if "Hotfix" in line]
        assert [line[:27] for line in emulated] == [line[:27] for line in real]
        assert emulated[0].endswith(" Hotfix(s) Installed.")
