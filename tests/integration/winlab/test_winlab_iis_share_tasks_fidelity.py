"""winlab's iisftp.vbs, `net share NAME` and `schtasks /create /st` against their sources.

iisftp.vbs: Microsoft's IIsFtp.vbs and IIsScHlp.wsc as shipped with IIS 6.0 on Server 2003; only
the script's message strings are in a citable public copy (winlab/model/iis.py), so the tests of
its layout and exit codes are marked `assumption`; each test names the routine.
`net share NAME`: the NT 6 capture in rchateauneu/survol,
survol/sources_types/smbshr/smbshare_netshare.py. schtasks: the XP product
documentation and the Vista/2008 `schtasks /create /?` text (reference 6.1), the Windows 10 error
captured in chef-boneyard/chef-client issue 523. Tests of a behaviour winlab assumes ([U] in the
code) are marked `assumption`.

The hosts are driven in-process (Host.run runs a command line as the WinRM shell does);
test_winlab_fixtures.py checks the same output over pywinrm byte for byte.
"""

from __future__ import annotations

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import windows_output as wo

from winlab.model.host import Host

SCRIPT = "cscript //nologo %SystemRoot%\\system32\\iisftp.vbs"
USER = "Administrator"
CONNECTING = "Connecting to server ...Done."
HEADER = "Site Name (Metabase Path)                     Status    IP              Port"
RULE = "=" * 78


def _host(profile: str) -> Host:
    return Host(f"host-{profile}", profile)


def run(host: Host, line: str) -> tuple[list[str], str, int]:
    result = host.run(line, USER)
    assert result.stdout.endswith("\r\n") or not result.stdout
    return result.stdout.split("\r\n")[:-1], result.stderr, result.exit_code


@pytest.fixture
def ftp_host() -> Host:
    """A Server 2003 host with IIS FTP installed (its Default FTP Site, MSFTPSVC/1, started on 21)."""
    host = _host("2003")
    for line in (
        "echo [Components]> C:\\oc.txt",
        "echo iis_common = On>> C:\\oc.txt",
        "echo iis_ftp = On>> C:\\oc.txt",
        "start /wait sysocmgr /i:%windir%\\inf\\sysoc.inf /u:C:\\oc.txt /q /r",
    ):
        assert host.run(line, USER).exit_code == 0
    return host


def _site_path(host: Host, name: str) -> str:
    return next(f"MSFTPSVC/{i}" for i, s in host.state["ftp_sites"].items() if s["name"] == name)


# -- iisftp.vbs /query (QueryFtpSite, WMIConnect) ---------------------------------------------------------
@pytest.mark.assumption  # the script's layout and exit codes: [U], only its strings are cited
def test_query_prints_connecting_header_rule_and_fixed_columns(ftp_host):
    out, _, code = run(ftp_host, f"{SCRIPT} /query")
    assert code == 0
    assert out == [
        CONNECTING,
        HEADER,
        RULE,
        "Default FTP Site (MSFTPSVC/1)                 STARTED   ALL             21",
    ]
    # Status in column 46, IP in 56, Port in 72: Space(40 - Len + 3), Space(10 - Len), Space(16 - Len).
    assert out[3].index("STARTED") == HEADER.index("Status") == 46
    assert out[3].index("ALL") == HEADER.index("IP") == 56
    assert out[3].index("21") == HEADER.index("Port") == 72


@pytest.mark.assumption  # the script's layout and exit codes: [U], only its strings are cited
def test_query_with_no_match_prints_sites_not_found_and_exits_0(ftp_host):
    # QueryFtpSite never sets its return value: WScript.Quit(Empty) is 0.
    assert run(ftp_host, f'{SCRIPT} /query "No Such Site"') == ([CONNECTING, "Site(s) not found."], "", 0)


@pytest.mark.assumption  # the script's layout and exit codes: [U], only its strings are cited
def test_query_takes_a_name_or_a_metabase_path(ftp_host):
    by_name, _, _ = run(ftp_host, f'{SCRIPT} /query "Default FTP Site"')
    by_path, _, _ = run(ftp_host, f"{SCRIPT} /query MSFTPSVC/1")
    assert by_name == by_path
    assert wo.parse_iisftp_query("\r\n".join(by_name)) == [
        wo.FtpSite("Default FTP Site", "MSFTPSVC/1", "STARTED", "", 21)
    ]


@pytest.mark.assumption  # the script's layout and exit codes: [U], only its strings are cited
def test_long_site_name_keeps_one_space_before_the_state(ftp_host):
    name = "VNACCS Base Server for the Customs Department"
    run(ftp_host, f'{SCRIPT} /create C:\\Inetpub\\ftproot\\Long "{name}" /b 2121 /dontstart')
    out, _, _ = run(ftp_host, f'{SCRIPT} /query "{name}"')
    # firstLen = 40 - Len(comment & name) + 3, at least 1.
    assert out[3].startswith(f"{name} ({_site_path(ftp_host, name)}) STOPPED   ALL             2121")
    [site] = wo.parse_iisftp_query("\r\n".join(out))
    assert (site.name, site.status, site.ip, site.port) == (name, "STOPPED", "", 2121)


@pytest.mark.assumption
def test_query_row_of_a_site_bound_to_an_address_has_no_trustworthy_ip(ftp_host):
    # QueryFtpSite assigns `strIP = bindings(i)`, the object, not its .IP: taken to fail under On
    # Error Resume Next, so strIP keeps its previous value (empty before the first row) [U].
    address = ftp_host.state["network"]["address"]
    ftp_host.state["ftp_sites"].clear()
    run(ftp_host, f'{SCRIPT} /create C:\\Inetpub\\ftproot\\A "Bound" /i {address} /b 2121')
    out, _, _ = run(ftp_host, f"{SCRIPT} /query")
    assert out[3].endswith("STARTED   " + " " * 16 + "2121")
    [site] = wo.parse_iisftp_query("\r\n".join(out))
    assert site.ip is None


# -- iisftp.vbs /create (CreateFtpSite, IsValidPortNumber, IsValidIPAddress, CreateFSDir) ------------------
@pytest.mark.assumption  # the script's layout and exit codes: [U], only its strings are cited
def test_create_prints_the_summary_with_labels_padded_to_14(ftp_host):
    out, _, code = run(ftp_host, f'{SCRIPT} /create C:\\Inetpub\\ftproot\\EUC "EUC Reports" /b 2121')
    assert code == 0
    path = _site_path(ftp_host, "EUC Reports")
    assert out == [
        CONNECTING,
        "Server        = HOST-2003",
        "Site Name     = EUC Reports",
        f"Metabase Path = {path}",
        "IP            = ALL UNASSIGNED",
        "Port          = 2121",
        "Root          = C:\\Inetpub\\ftproot\\EUC",
        "IsoMode       = None",
        "Status        = STARTED",
    ]
    assert run(ftp_host, "dir /b C:\\Inetpub\\ftproot")[0] == ["EUC"]


@pytest.mark.assumption  # the script's layout and exit codes: [U], only its strings are cited
def test_create_root_is_printed_as_typed_and_isolation_as_given(ftp_host):
    out, _, _ = run(
        ftp_host, f'{SCRIPT} /create c:\\inetpub\\FTPROOT\\x "Iso" /b 2122 /isolation Local /dontstart'
    )
    assert "Root          = c:\\inetpub\\FTPROOT\\x" in out
    assert "IsoMode       = Local" in out
    assert "Status        = STOPPED" in out


@pytest.mark.assumption  # the script's layout and exit codes: [U], only its strings are cited
def test_create_on_a_held_port_reports_a_binding_conflict_and_exits_0(ftp_host):
    out, _, code = run(ftp_host, f'{SCRIPT} /create C:\\Inetpub\\ftproot\\B "Second" /b 21')
    assert code == 0  # CreateFtpSite returns the global intResult, 0 after InitAuthentication
    assert out[-1] == "Status        = STOPPED (ERROR: BINDING CONFLICT)"
    sites = wo.parse_iisftp_query("\r\n".join(run(ftp_host, f"{SCRIPT} /query")[0]))
    assert [(s.name, s.status) for s in sites] == [("Default FTP Site", "STARTED"), ("Second", "STOPPED")]


@pytest.mark.assumption  # the script's layout and exit codes: [U], only its strings are cited
def test_create_refuses_port_65535_and_a_foreign_address(ftp_host):
    # IsValidPortNumber: intPort > 0 And intPort < 65535.
    assert run(ftp_host, f'{SCRIPT} /create C:\\x "P" /b 65535') == (["Invalid port number."], "", 1)
    assert run(ftp_host, f'{SCRIPT} /create C:\\x "P" /b 0')[2] == 1
    assert run(ftp_host, f'{SCRIPT} /create C:\\x "P" /b 65534')[2] == 0
    # IsValidIPAddress: the address must belong to one of the host's adapters.
    assert run(ftp_host, f'{SCRIPT} /create C:\\y "Q" /i 192.0.2.7') == (
        [
            "Invalid IP Address. Please check if it is well formated and",
            "belongs to this machine.",
        ],
        "",
        1,
    )


@pytest.mark.assumption
def test_create_refuses_a_root_without_a_drive(ftp_host):
    # CreateFSDir raises &H8007000C when Mid(strRoot, 2, 2) <> ":\"; the script quits with it. How WinRM
    # reports an exit code above 2^31 is [U].
    out, _, code = run(ftp_host, f'{SCRIPT} /create Inetpub\\ftproot "R"')
    assert out == [
        "Root directory format unknown. Please use the",
        "'<drive>:\\<path>' format.",
        "Type IIsFtp /create /? for help.",
    ]
    assert code == 0x8007000C


@pytest.mark.assumption  # the script's layout and exit codes: [U], only its strings are cited
def test_create_a_second_site_of_a_name_in_use(ftp_host):
    # IIsFtpService.CreateNewSite (IIS 6.0 SDK, ms524591): a ServerComment in use is not refused.
    run(ftp_host, f'{SCRIPT} /create C:\\a "Twin" /b 2121 /dontstart')
    assert run(ftp_host, f'{SCRIPT} /create C:\\b "Twin" /b 2122 /dontstart')[2] == 0
    names = [s["name"] for s in ftp_host.state["ftp_sites"].values()]
    assert names.count("Twin") == 2


# -- the command line (ParseCmdLineOptions, Main) -----------------------------------------------------------
@pytest.mark.assumption  # the script's layout and exit codes: [U], only its strings are cited
@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ("", ["Not enough parameters.", "Type IIsFtp /? for help."]),
        ("/b 21 /create C:\\x Name", ["Invalid switch: b", "Type IIsFtp /? for help."]),
        ("/frobnicate", ["Invalid switch: frobnicate", "Type IIsFtp /? for help."]),
        ("/create", ["Not enough parameters.", "Type IIsFtp /create /? for help."]),
        ("/create C:\\x", ["Not enough parameters.", "Type IIsFtp /create /? for help."]),
        ("/start", ["Not enough parameters.", "Type IIsFtp /start /? for help."]),
        ("/delete", ["Not enough parameters.", "Type IIsFtp /delete /? for help."]),
        (
            "/query /start MSFTPSVC/1",
            ["Please specify only one operation at a time.", "Type IIsFtp /? for help."],
        ),
        (
            '"Default FTP Site"',
            ["Please specify an operation before the arguments.", "Type IIsFtp /? for help."],
        ),
        ("/s localhost /p secret /query", ["Please specify /u switch before using /p."]),
    ],
)
def test_command_line_errors(ftp_host, arguments, expected):
    assert run(ftp_host, f"{SCRIPT} {arguments}".rstrip()) == (expected, "", 1)


@pytest.mark.assumption  # the script's layout and exit codes: [U], only its strings are cited
def test_credentials_for_the_local_machine_are_ignored_with_a_warning(ftp_host):
    out, _, code = run(ftp_host, f"{SCRIPT} /s HOST-2003 /u Administrator /p x /query")
    assert code == 0
    assert out[:2] == [
        "WARNING: Using local machine will cause supplied credentials to be ignored.",
        CONNECTING,
    ]


# -- /start, /stop, /pause (ChangeFtpSiteStatus), /delete (DeleteFtpSite) ------------------------------
@pytest.mark.assumption  # the script's layout and exit codes: [U], only its strings are cited
def test_status_changes_name_the_metabase_path(ftp_host):
    site = '"Default FTP Site"'
    assert run(ftp_host, f"{SCRIPT} /start {site}") == (
        [CONNECTING, "Server MSFTPSVC/1 is already STARTED"],
        "",
        0,
    )
    assert run(ftp_host, f"{SCRIPT} /pause {site}")[0][1] == "Server MSFTPSVC/1 has been PAUSED"
    assert run(ftp_host, f"{SCRIPT} /stop {site}") == (
        [CONNECTING, "Server cannot be stopped in its current state", "(MSFTPSVC/1 server is paused)"],
        "",
        0,
    )
    assert run(ftp_host, f"{SCRIPT} /start {site}")[0][1] == "Server MSFTPSVC/1 has been CONTINUED"
    assert run(ftp_host, f"{SCRIPT} /stop MSFTPSVC/1")[0][1] == "Server MSFTPSVC/1 has been STOPPED"
    assert run(ftp_host, f"{SCRIPT} /pause MSFTPSVC/1")[0][1:] == [
        "Server cannot be paused in its current state",
        "(MSFTPSVC/1 server is stopped)",
    ]
    assert run(ftp_host, f"{SCRIPT} /stop msftpsvc/1")[0][1] == "Server MSFTPSVC/1 is already STOPPED"
    assert run(ftp_host, f"{SCRIPT} /start MSFTPSVC/1")[0][1] == "Server MSFTPSVC/1 has been STARTED"


@pytest.mark.assumption  # the script's layout and exit codes: [U], only its strings are cited
def test_not_found_exits_1_for_start_and_0_for_delete(ftp_host):
    assert run(ftp_host, f"{SCRIPT} /stop NoSuchSite") == ([CONNECTING, "Site(s) not found."], "", 1)
    # DeleteFtpSite sets intResult (a global it never returns) and ends with DeleteFtpSite = ERR_OK.
    assert run(ftp_host, f"{SCRIPT} /delete NoSuchSite") == ([CONNECTING, "Site(s) not found."], "", 0)


@pytest.mark.assumption  # the script's layout and exit codes: [U], only its strings are cited
def test_delete_prints_has_been_deleted(ftp_host):
    run(ftp_host, f'{SCRIPT} /create C:\\d "Gone" /b 2121')
    path = _site_path(ftp_host, "Gone")
    assert run(ftp_host, f'{SCRIPT} /delete "Gone"') == (
        [CONNECTING, f"Server {path} has been DELETED"],
        "",
        0,
    )
    assert run(ftp_host, f'{SCRIPT} /query "Gone"')[0] == [CONNECTING, "Site(s) not found."]


@pytest.mark.assumption  # the script's layout and exit codes: [U], only its strings are cited
def test_a_shared_name_lists_the_sites_and_changes_nothing(ftp_host):
    # FindSite: a site name (not a metabase path) that several sites share.
    run(ftp_host, f'{SCRIPT} /create C:\\a "Twin" /b 2121 /dontstart')
    run(ftp_host, f'{SCRIPT} /create C:\\b "Twin" /b 2122 /dontstart')
    first, second = sorted((int(i) for i, s in ftp_host.state["ftp_sites"].items() if s["name"] == "Twin"))
    out, _, code = run(ftp_host, f'{SCRIPT} /start "Twin"')
    assert code == 0  # ChangeFtpSiteStatus returns its intResult, still 0
    assert out == [
        CONNECTING,
        "The following site names are not unique. Please use the Metabase Paths to",
        "identify these sites:",
        "",
        "Site Name                    Metabase Path",
        "=" * 65,
        f"Twin{' ' * 25}MSFTPSVC/{first}",
        f"Twin{' ' * 25}MSFTPSVC/{second}",
    ]
    assert {s["state"] for s in ftp_host.state["ftp_sites"].values() if s["name"] == "Twin"} == {"STOPPED"}
    assert (
        run(ftp_host, f"{SCRIPT} /start MSFTPSVC/{first}")[0][1]
        == f"Server MSFTPSVC/{first} has been STARTED"
    )


@pytest.mark.assumption
def test_start_on_a_held_binding_fails_with_the_empty_site_name(ftp_host):
    # ChangeFtpSiteStatus prints strSite (the empty global), then Error &H<code>; which of the three
    # conflict codes IIS returns, and its text, are [U].
    run(ftp_host, f'{SCRIPT} /create C:\\c "Clash" /b 21')
    out, _, code = run(ftp_host, f'{SCRIPT} /start "Clash"')
    assert out == [
        CONNECTING,
        "Failed to change status of server ",
        "Error &H80070020: The process cannot access the file because it is being used by another process.",
    ]
    assert code == 0x80070020


@pytest.mark.assumption
def test_server_2008_runs_the_same_script():
    # The 2008 copy of iisftp.vbs is in no source; winlab runs the 2003 script there [U].
    host = _host("2008")
    assert host.run("servermanagercmd -install Web-Ftp-Server", USER).exit_code == 0
    out, _, code = run(host, f"{SCRIPT} /query")
    assert (code, out[1:3]) == (0, [HEADER, RULE])
    assert wo.parse_iisftp_query("\r\n".join(out)) == [
        wo.FtpSite("Default FTP Site", "MSFTPSVC/1", "STARTED", "", 21)
    ]


# -- net share NAME ---------------------------------------------------------------------------------------
def _share_host(profile: str) -> Host:
    host = _host(profile)
    assert host.run("mkdir C:\\VNACCS\\EUC", USER).exit_code == 0
    grant = " /GRANT:Everyone,READ" if profile == "2008" else ""
    assert host.run(f'net share EUC=C:\\VNACCS\\EUC{grant} /REMARK:"EUC reports"', USER).exit_code == 0
    return host


def test_net_share_details_end_with_a_blank_line_then_the_closing_line_on_nt6():
    # The `net share C$` capture of a Windows 7+ host in rchateauneu/survol smbshare_netshare.py.
    out, _, code = run(_share_host("2008"), "net share EUC")
    assert code == 0
    assert out[out.index("Permission        Everyone, READ") + 1 :] == [
        "",
        "The command completed successfully.",
        "",
    ]
    details = wo.parse_net_share_details("\r\n".join(out) + "\r\n")
    assert details == wo.ShareDetails("EUC", "C:\\VNACCS\\EUC", "EUC reports", None, (("Everyone", "READ"),))


@pytest.mark.assumption
def test_net_share_details_on_2003_take_the_same_closing_layout():
    # No XP/2003 capture of `net share NAME` was found: the NT 6 layout is assumed [U].
    out, _, _ = run(_share_host("2003"), "net share EUC")
    assert out[out.index("Caching           Manual caching of documents") + 1 :] == [
        "",
        "The command completed successfully.",
        "",
    ]
    assert wo.parse_net_share_details("\r\n".join(out)) == wo.ShareDetails(
        "EUC", "C:\\VNACCS\\EUC", "EUC reports", None
    )


# -- schtasks /create /st ---------------------------------------------------------------------------------
def _create_task(profile: str, start: str) -> tuple[list[str], str, int]:
    line = f'schtasks /create /sc daily /st {start} /tn Nightly /tr "shutdown -r -f -t 60" /ru SYSTEM'
    return run(_host(profile), line)


@pytest.mark.parametrize("profile", ["xp", "2003"])
def test_nt5_takes_hh_mm_ss(profile):
    # XP documentation: "in HH:MM:SS 24-hour format" [V] (2003's form is [U], see the next test).
    out, _, code = _create_task(profile, "01:30:00")
    assert code == 0
    assert out[-1] == "SUCCESS: The Scheduled task Nightly has successfully been created."


@pytest.mark.assumption
@pytest.mark.parametrize("profile", ["xp", "2003"])
def test_nt5_refuses_hh_mm(profile):
    # No source shows XP or 2003 refusing HH:MM, nor its wording: the stricter choice [U].
    assert _create_task(profile, "01:30") == (
        ["ERROR: Invalid Start Time value.", 'Type "SCHTASKS /CREATE /?" for usage.'],
        "",
        1,
    )


@pytest.mark.parametrize("profile", ["2008", "7"])
def test_nt6_takes_hh_mm(profile):
    # Vista/2008 `schtasks /create /?`: "The time format is HH:mm (24 hour time)" [D].
    out, _, code = _create_task(profile, "01:30")
    assert code == 0
    assert out[-1] == "SUCCESS: The Scheduled task Nightly has successfully been created."


@pytest.mark.assumption
@pytest.mark.parametrize("profile", ["2008", "7"])
def test_nt6_refuses_hh_mm_ss_on_stderr(profile):
    # Refusing seconds is the stricter choice [U]; the line and its stream are Windows 10's, captured in
    # chef-boneyard/chef-client issue 523 (there with exit code 0x80004005; 1 is assumed).
    assert _create_task(profile, "01:30:00") == ([], "ERROR: Invalid starttime value.\r\n", 1)


def test_nt6_defaults_the_start_time_when_st_is_omitted():
    # "Defaults to current time if /ST is not specified." [D]
    host = _host("2008")
    assert run(host, 'schtasks /create /sc daily /tn Nightly /tr "shutdown -r -f -t 60" /ru SYSTEM')[2] == 0
    assert host.state["tasks"]["nightly"]["start"]
