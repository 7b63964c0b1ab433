"""Every modeled command over pywinrm, on both server profiles, read back with the roles' parsers."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import windows_output as wo

from tests.support.lab import Client

SERVERS = ["2003", "2008"]
ANSWER_FILE = [
    "echo [Components]> C:\\oc.txt",
    "echo NetOC = On>> C:\\oc.txt",
    "echo iis_common = On>> C:\\oc.txt",
    "echo iis_ftp = On>> C:\\oc.txt",
    "echo [NetOptionalComponents]>> C:\\oc.txt",
    "echo DHCPServer = 1 >> C:\\oc.txt",
]


@pytest.fixture
def fresh(winlab_factory, request):
    """A new host of the profile the test is parametrized with, and a pywinrm client for it.

    Started services run at once here (service_start_delay 0): these tests check command layouts;
    test_winlab_service_start.py checks the START_PENDING a service goes through first.
    """
    profile = request.param
    lab = winlab_factory({f"host-{profile}": profile}, service_start_delay=0)
    return Client(lab, f"host-{profile}"), profile


def install(client: Client, profile: str, component: str = "dhcp") -> None:
    if profile == "2003":
        for line in ANSWER_FILE:
            client.ok(line)
        client.ok("start /wait sysocmgr /i:%windir%\\inf\\sysoc.inf /u:C:\\oc.txt /q /r")
    else:
        client.ok("servermanagercmd -install " + ("DHCP" if component == "dhcp" else "Web-Ftp-Server"))


def output(response) -> tuple[str, str, int]:
    return response.std_out.decode("cp437"), response.std_err.decode("cp437"), response.status_code


# -- DHCP Server component -----------------------------------------------------------------------------------
@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_dhcp_is_absent_until_installed(fresh):
    client, profile = fresh
    stdout, _, code = output(client.run("netsh dhcp server show scope"))
    assert code == 1
    assert wo.classify_error(stdout) is wo.ErrorKind.NETSH_COMMAND_NOT_FOUND
    assert wo.classify_error(*output(client.run("sc query DHCPServer"))) is wo.ErrorKind.SERVICE_NOT_INSTALLED
    install(client, profile)
    [status] = wo.parse_sc_query(client.ok("sc query DHCPServer"))
    assert status.running
    assert wo.parse_show_scope(client.ok("netsh dhcp server show scope")) == []


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_only_the_installer_of_the_version_exists(fresh):
    client, profile = fresh
    other = "servermanagercmd -install DHCP" if profile == "2003" else "sysocmgr /i:sysoc.inf /u:C:\\oc.txt"
    assert wo.classify_error(*output(client.run(other))) is wo.ErrorKind.NOT_RECOGNIZED


@pytest.mark.parametrize("fresh", ["2008"], indirect=True)
def test_servermanagercmd_exit_codes(fresh):
    client, _ = fresh
    stdout, _, code = output(client.run("servermanagercmd -install DHCP"))
    assert (code, "Success: Installation succeeded." in stdout) == (0, True)
    assert client.run("servermanagercmd -install DHCP").status_code == 1003
    assert client.run("servermanagercmd -install NoSuchRole").status_code == 4


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_branch_scope_round_trip(fresh):
    client, profile = fresh
    install(client, profile)
    scope = "netsh dhcp server scope 10.27.20.0"
    assert wo.netsh_succeeded(
        client.ok('netsh dhcp server add scope 10.27.20.0 255.255.255.0 "CC HQ Que Vo" "VLAN 20"')
    )
    changed = (
        "Changed the current scope context to 10.27.20.0 scope.\r\n\r\nCommand completed successfully.\r\n"
    )
    for command, expected in [
        (f"{scope} add iprange 10.27.20.50 10.27.20.254", changed),
        (f"{scope} add excluderange 10.27.20.50 10.27.20.52", "Command completed successfully.\r\n"),
        (f"{scope} set optionvalue 003 IPADDRESS 10.27.20.1", changed),
        (f"{scope} set optionvalue 006 IPADDRESS 10.27.20.5 10.27.1.10", changed),
        (f"{scope} set state 1", "Command completed successfully.\r\n"),
    ]:
        # The context line, or not, as the sourced samples of each command show (reference 1.9).
        assert client.ok(command) == expected
    [row] = wo.parse_show_scope(client.ok("netsh dhcp server show scope"))
    assert (row.address, row.name, row.comment, row.active) == ("10.27.20.0", "CC HQ Que Vo", "VLAN 20", True)
    assert wo.parse_show_iprange(client.ok(f"{scope} show iprange")) == [
        wo.IpRange("10.27.20.50", "10.27.20.254", "DHCP ONLY")
    ]
    assert wo.parse_show_excluderange(client.ok(f"{scope} show excluderange")) == [
        wo.ExcludeRange("10.27.20.50", "10.27.20.52")
    ]
    assert wo.parse_show_optionvalue(client.ok(f"{scope} show optionvalue")) == [
        wo.OptionValue(3, "IPADDRESS", ("10.27.20.1",)),
        wo.OptionValue(6, "IPADDRESS", ("10.27.20.5", "10.27.1.10")),
    ]
    dumped = wo.parse_dhcp_dump(client.ok("netsh dhcp server dump")).scopes["10.27.20.0"]
    assert (dumped.name, dumped.state, dumped.ranges, dumped.exclusions) == (
        "CC HQ Que Vo",
        1,
        [wo.IpRange("10.27.20.50", "10.27.20.254", "DHCP ONLY")],
        [wo.ExcludeRange("10.27.20.50", "10.27.20.52")],
    )
    assert set(dumped.options) == {3, 6}


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_dhcp_errors(fresh):
    client, profile = fresh
    install(client, profile)
    client.ok("netsh dhcp server add scope 10.27.30.0 255.255.255.0 Test")
    client.ok("netsh dhcp server scope 10.27.30.0 add iprange 10.27.30.50 10.27.30.254")
    cases = [
        ("netsh dhcp server add scope 10.27.30.0 255.255.255.0 Again", wo.ErrorKind.DHCP_SCOPE_EXISTS),
        ("netsh dhcp server add scope 10.27.30.128 255.255.255.128 Inside", wo.ErrorKind.DHCP_SCOPE_EXISTS),
        (
            "netsh dhcp server scope 10.27.30.0 add iprange 10.27.30.50 10.27.30.254",
            wo.ErrorKind.DHCP_RANGE_EXISTS,
        ),
        (
            "netsh dhcp server scope 10.27.30.0 add iprange 10.27.31.1 10.27.31.9",
            wo.ErrorKind.DHCP_RANGE_INVALID,
        ),
        (
            "netsh dhcp server scope 10.27.30.0 add excluderange 10.27.29.1 10.27.30.9",
            wo.ErrorKind.DHCP_RANGE_INVALID,
        ),
        ("netsh dhcp server scope 10.99.0.0 show iprange", wo.ErrorKind.DHCP_SCOPE_NOT_FOUND),
        ("netsh dhcp server delete scope 10.99.0.0 DHCPNOFORCE", wo.ErrorKind.DHCP_SCOPE_NOT_FOUND),
        (
            "netsh dhcp server scope 10.27.30.0 set optionvalue 3 IPADDRESS vendor=Thin 10.27.30.1",
            wo.ErrorKind.DHCP_CLASS_UNKNOWN,
        ),
    ]
    for command, kind in cases:
        stdout, stderr, code = output(client.run(command))
        assert not wo.netsh_succeeded(stdout), command
        assert wo.classify_error(stdout, stderr, code) is kind, command


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_delete_scope_with_leases_needs_force(fresh):
    client, profile = fresh
    install(client, profile)
    client.ok("netsh dhcp server add scope 10.27.40.0 255.255.255.0 Test")
    client.lab.add_lease(f"host-{profile}", "10.27.40.0", "10.27.40.60", "00-0c-29-00-00-01", "ws-1")
    leases = wo.parse_show_clients(client.ok("netsh dhcp server scope 10.27.40.0 show clients"))
    assert [lease.address for lease in leases] == ["10.27.40.60"]
    assert not wo.netsh_succeeded(
        client.run("netsh dhcp server delete scope 10.27.40.0 DHCPNOFORCE").std_out.decode()
    )
    assert wo.netsh_succeeded(client.ok("netsh dhcp server delete scope 10.27.40.0 DHCPFULLFORCE"))


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_authorization(fresh):
    client, profile = fresh
    install(client, profile)
    client.ok("netsh dhcp add server dhcp-que-vo.customs.gov.vn 10.27.20.5")
    assert wo.parse_show_server(client.ok("netsh dhcp show server")) == [
        wo.AuthorizedServer("dhcp-que-vo.customs.gov.vn", "10.27.20.5")
    ]
    again = output(client.run("netsh dhcp add server dhcp-que-vo.customs.gov.vn 10.27.20.5"))
    assert wo.classify_error(*again) is wo.ErrorKind.DHCP_SERVER_ALREADY_AUTHORIZED
    client.ok("netsh dhcp delete server dhcp-que-vo.customs.gov.vn 10.27.20.5")
    gone = output(client.run("netsh dhcp delete server dhcp-que-vo.customs.gov.vn 10.27.20.5"))
    assert wo.classify_error(*gone) is wo.ErrorKind.DHCP_SERVER_NOT_AUTHORIZED


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_netsh_exec_batch_and_dump_replay(fresh):
    client, profile = fresh
    install(client, profile)
    script = [
        'dhcp server add scope 10.27.50.0 255.255.255.0 "CC HQ Gia Binh"',
        "dhcp server scope 10.27.50.0 add iprange 10.27.50.50 10.27.50.254",
        "dhcp server scope 10.27.50.0 set optionvalue 3 IPADDRESS 10.27.50.1",
        "dhcp server scope 10.27.50.0 set state 1",
    ]
    client.ok(f"echo # branch scope> C:\\scope.txt & echo {script[0]}>> C:\\scope.txt")
    for line in script[1:]:
        # The space before >> matters: `state 1>>` would redirect handle 1 and drop the value.
        client.ok(f"echo {line} >> C:\\scope.txt")
    stdout = client.ok("netsh exec C:\\scope.txt")
    assert stdout.count("Command completed successfully.") == 4
    before = client.ok("netsh dhcp server show scope")
    client.ok("netsh dhcp server dump > C:\\dump.txt")
    client.ok("netsh dhcp server delete scope 10.27.50.0 DHCPFULLFORCE")
    assert wo.parse_show_scope(client.ok("netsh dhcp server show scope")) == []
    client.ok("netsh exec C:\\dump.txt")
    assert client.ok("netsh dhcp server show scope") == before
    # A failing line stops the batch.
    stdout, _, code = output(client.run("netsh exec C:\\dump.txt"))
    assert code == 1 and wo.classify_error(stdout) is wo.ErrorKind.DHCP_SCOPE_EXISTS


# -- services ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_sc_and_net_service_control(fresh):
    client, profile = fresh
    client.ok("sc config Spooler start= demand")
    assert wo.parse_sc_qc(client.ok("sc qc Spooler")).start_mode == "demand"
    client.ok("sc stop Spooler")
    assert wo.parse_sc_query(client.ok("sc query Spooler"))[0].state == "STOPPED"
    assert wo.classify_error(*output(client.run("sc stop Spooler"))) is wo.ErrorKind.SERVICE_NOT_STARTED
    assert client.ok("net start Spooler") == (
        "The Print Spooler service is starting.\r\n"
        "The Print Spooler service was started successfully.\r\n\r\n"
    )
    stdout, stderr, code = output(client.run('net start "Print Spooler"'))
    assert (stdout, code, wo.classify_error(stdout, stderr, code)) == (
        "",
        2,
        wo.ErrorKind.SERVICE_ALREADY_RUNNING,
    )
    assert wo.classify_error(*output(client.run("sc start Spooler"))) is wo.ErrorKind.SERVICE_ALREADY_RUNNING
    client.ok("sc config Spooler start= disabled")
    client.ok("net stop Spooler")
    assert wo.classify_error(*output(client.run("sc start Spooler"))) is wo.ErrorKind.SERVICE_DISABLED
    # sc needs a space after `start=`; without it the option is not understood.
    assert client.run("sc config Spooler start=auto").status_code != 0
    delayed = client.run("sc config Spooler start= delayed-auto")
    if profile == "2003":
        assert delayed.status_code == 87
    else:
        assert wo.parse_sc_qc(client.ok("sc qc Spooler")).start_mode == "delayed-auto"


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_sc_takes_key_names_only(fresh):
    client, _ = fresh
    assert client.run('sc query "Print Spooler"').status_code == 1060


# -- shares and files ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_net_share(fresh):
    client, profile = fresh
    client.ok("mkdir C:\\VNACCS\\Client")
    grant = client.run('net share VNACCS=C:\\VNACCS\\Client /GRANT:Everyone,READ /REMARK:"Bo cai dat"')
    if profile == "2003":
        # /GRANT arrived with Vista/2008.
        assert grant.status_code == 1
        assert wo.classify_error(*output(grant)) is wo.ErrorKind.NET_UNKNOWN_OPTION
        client.ok('net share VNACCS=C:\\VNACCS\\Client /REMARK:"Bo cai dat"')
    else:
        assert grant.status_code == 0
        assert "Everyone, READ" in client.ok("net share VNACCS")
    assert wo.Share("VNACCS", "C:\\VNACCS\\Client", "Bo cai dat") in wo.parse_net_share(
        client.ok("net share")
    )
    duplicate = output(client.run("net share VNACCS=C:\\VNACCS\\Client"))
    assert wo.classify_error(*duplicate) is wo.ErrorKind.SHARE_EXISTS
    assert client.ok("net share VNACCS /delete") == "VNACCS was deleted successfully.\r\n\r\n"
    assert wo.classify_error(*output(client.run("net share VNACCS /delete"))) is wo.ErrorKind.SHARE_NOT_FOUND
    assert client.run("net share X=C:\\NoSuchFolder").status_code == 2


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_files_and_checksums(fresh):
    client, profile = fresh
    client.ok("mkdir C:\\VNACCS\\4.2.1")
    client.ok("echo ProductVersion=4.2.1> C:\\VNACCS\\4.2.1\\client.msi")
    assert client.ok("type C:\\VNACCS\\4.2.1\\client.msi") == "ProductVersion=4.2.1\r\n"
    assert client.ok("copy /y C:\\VNACCS\\4.2.1\\client.msi C:\\VNACCS") == "        1 file(s) copied.\r\n"
    assert client.ok("dir /b C:\\VNACCS") == "4.2.1\r\nclient.msi\r\n"
    assert "1 File(s)" in client.ok("dir C:\\VNACCS\\4.2.1")
    assert client.run("mkdir C:\\VNACCS\\4.2.1").status_code == 1
    expected = hashlib.sha1(b"ProductVersion=4.2.1\r\n", usedforsecurity=False).hexdigest()
    hashed = client.run("certutil -hashfile C:\\VNACCS\\client.msi SHA1")
    if profile == "2008":
        lines = hashed.std_out.decode().splitlines()
        assert lines[1].replace(" ", "") == expected
        assert lines[2] == "CertUtil: -hashfile command completed successfully."
    else:
        # No -hashfile on 2003: fciv.exe (KB841290), once deployed, checksums there.
        assert hashed.status_code != 0
        assert client.run("fciv -sha1 C:\\VNACCS\\client.msi").status_code == 1
        client.ok("copy C:\\VNACCS\\client.msi %SystemRoot%\\system32\\fciv.exe")
        assert expected in client.ok("fciv -sha1 C:\\VNACCS\\client.msi")
    client.ok("del /f /q C:\\VNACCS\\client.msi")
    assert client.run("type C:\\VNACCS\\client.msi").status_code == 1


# -- IIS FTP and firewall ------------------------------------------------------------------------------------
@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_iisftp(fresh):
    client, profile = fresh
    script = "cscript //nologo %SystemRoot%\\system32\\iisftp.vbs"
    assert client.run(f"{script} /query").status_code == 1
    install(client, profile, component="ftp")
    assert wo.parse_sc_query(client.ok("sc query MSFTPSVC"))[0].running
    created = client.ok(f'{script} /create C:\\Inetpub\\ftproot\\EUC "EUC Reports" /b 2121 /dontstart')
    assert "Status        = STOPPED" in created
    sites = wo.parse_iisftp_query(client.ok(f"{script} /query"))
    assert [(site.name, site.port, site.status) for site in sites] == [
        ("Default FTP Site", 21, "STARTED"),
        ("EUC Reports", 2121, "STOPPED"),
    ]
    client.ok(f'{script} /delete "EUC Reports"')
    assert [site.name for site in wo.parse_iisftp_query(client.ok(f"{script} /query"))] == [
        "Default FTP Site"
    ]


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_firewall_contexts(fresh):
    client, profile = fresh
    rule = 'netsh advfirewall firewall add rule name="FTP (21)" dir=in action=allow protocol=TCP localport=21'
    old = "netsh firewall add portopening protocol=TCP port=21 name=FTP mode=ENABLE scope=ALL profile=ALL"
    if profile == "2003":
        assert wo.classify_error(*output(client.run(rule))) is wo.ErrorKind.NETSH_COMMAND_NOT_FOUND
        assert client.ok(old) == "Ok.\r\n\r\n"
        assert "21     TCP       Enable   FTP" in client.ok("netsh firewall show portopening")
        return
    assert client.ok(rule) == "Ok.\r\n\r\n"
    shown = client.ok('netsh advfirewall firewall show rule name="FTP (21)"')
    assert "LocalPort:                            21" in shown
    # add rule does not de-duplicate (reference 5.3): a second add makes a second rule.
    client.ok(rule)
    assert client.ok('netsh advfirewall firewall show rule name="FTP (21)"').count("Rule Name:") == 2
    client.ok('netsh advfirewall firewall delete rule name="FTP (21)"')
    assert client.run('netsh advfirewall firewall show rule name="FTP (21)"').status_code == 1
    assert client.ok(old) == "Ok.\r\n\r\n"  # 2008 (Vista) still answers the old context plainly


# -- scheduled tasks, reboots --------------------------------------------------------------------------------
@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_schtasks_time_format_and_life_cycle(fresh):
    client, profile = fresh
    initial = wo.parse_schtasks_csv(client.ok("schtasks /query /fo csv /v"))
    # A new 2003 host has no tasks; NT 6 has Windows' own, in their folders.
    assert [task["name"] for task in initial] == (
        [] if profile == "2003" else ["Microsoft\\Windows\\Defrag\\ScheduledDefrag"]
    )
    good, bad = ("03:00:00", "03:00") if profile == "2003" else ("03:00", "03:00:00")
    create = 'schtasks /create /sc daily /st {} /tn DailyReboot /tr "shutdown -r -f -t 60" /ru SYSTEM /f'
    refused = output(client.run(create.format(bad)))
    if profile == "2003":
        assert wo.classify_error(*refused) is wo.ErrorKind.TASK_INVALID_START_TIME
    else:
        # NT 6 words it "Invalid starttime value." on stderr (winlab/model/tasks.py cites the capture).
        assert refused == ("", "ERROR: Invalid starttime value.\r\n", 1)
    assert "successfully been created" in client.ok(create.format(good))
    [task] = [
        row
        for row in wo.parse_schtasks_csv(client.ok("schtasks /query /fo csv /v"))
        if row["name"] == "DailyReboot"
    ]
    assert (task["name"], task["Task To Run"], task["Run As User"]) == (
        "DailyReboot",
        "shutdown -r -f -t 60",
        "SYSTEM",
    )
    # 03:00:00 on 2003, 3:00:00 AM on NT 6 (en-US).
    assert wo.parse_task_start_time(task["Start Time"]) == datetime.time(3, 0)
    client.ok("schtasks /run /tn DailyReboot")
    # The task ran its command: a restart is now scheduled.
    assert (
        wo.classify_error(*output(client.run("shutdown -r -t 60"))) is wo.ErrorKind.SHUTDOWN_ALREADY_SCHEDULED
    )
    client.ok("shutdown -a")
    assert client.ok("schtasks /delete /tn DailyReboot /f") == (
        'SUCCESS: The scheduled task "DailyReboot" was successfully deleted.\r\n'
    )
    assert (
        wo.classify_error(*output(client.run("schtasks /delete /tn DailyReboot /f")))
        is wo.ErrorKind.TASK_NOT_FOUND
    )


@pytest.mark.parametrize("fresh", ["xp", "7"], indirect=True)
def test_schtasks_on_workstations(fresh):
    client, profile = fresh
    create = 'schtasks /create /sc daily /st {} /tn DailyReboot /tr "shutdown -r -f -t 60" /ru SYSTEM'
    if profile == "xp":
        # XP has no /F and wants seconds.
        assert (
            wo.classify_error(*output(client.run(create.format("01:30:00") + " /f")))
            is wo.ErrorKind.INVALID_OPTION
        )
        client.ok(create.format("01:30:00"))
    else:
        client.ok(create.format("01:30") + " /f")
    assert "DailyReboot" in [
        row["name"] for row in wo.parse_schtasks_csv(client.ok("schtasks /query /fo csv /v"))
    ]


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_shutdown(fresh):
    client, _ = fresh
    assert client.run("shutdown -r -f -t 600").status_code == 0
    assert (
        wo.classify_error(*output(client.run("shutdown -r -f -t 600")))
        is wo.ErrorKind.SHUTDOWN_ALREADY_SCHEDULED
    )
    assert client.run("shutdown -a").status_code == 0
    assert client.run("shutdown -a").status_code == 1116


# -- system information, registry, packages ------------------------------------------------------------------
@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_identity(fresh):
    client, profile = fresh
    assert wo.parse_ver(client.ok("ver")).family == profile
    assert client.ok("hostname") == f"HOST-{profile}\r\n"
    config = wo.parse_ipconfig_all(client.ok("ipconfig /all"))
    assert config.host_name == f"HOST-{profile}"
    assert config.adapters[0].ipv4_address.startswith("198.18.")
    info = client.ok("systeminfo")
    assert ("Server 2003" in info) == (profile == "2003")
    assert ("System Up Time" in info) == (profile == "2003")


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_registry(fresh):
    client, _ = fresh
    key = "HKLM\\SOFTWARE\\Customs\\VNACCS"
    assert wo.classify_error(*output(client.run(f"reg query {key}"))) is wo.ErrorKind.REGISTRY_NOT_FOUND
    client.ok(f"reg add {key} /v TerminalID /t REG_SZ /d 1A2B3C /f")
    client.ok(f"reg add {key} /v BaseServer /t REG_SZ /d 10.27.1.10 /f")
    values = wo.parse_reg_query(client.ok(f"reg query {key}"))[
        "HKEY_LOCAL_MACHINE\\SOFTWARE\\Customs\\VNACCS"
    ]
    assert values["terminalid"].data == "1A2B3C"
    assert values["baseserver"].data == "10.27.1.10"
    assert client.run(f"reg add {key} /v TerminalID /t REG_SZ /d 9Z /f").status_code == 0
    client.ok(f"reg delete {key} /v BaseServer /f")
    assert client.run(f"reg query {key} /v BaseServer").status_code == 1


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_msiexec_exit_codes(fresh):
    """Lab test packages (Key=Value text files); the real MSI files are test_winlab_msiexec.py's."""
    client, _ = fresh
    code = "{0C1B2A39-4D5E-4F60-8172-93A4B5C6D7E8}"
    client.ok(f"echo ProductCode={code}> C:\\ok.msi & echo ProductVersion=4.2.1>> C:\\ok.msi")
    client.ok(f"echo ProductCode={code}> C:\\reboot.msi & echo Result=3010>> C:\\reboot.msi")
    client.ok("echo Result=1603> C:\\broken.msi")
    client.ok("echo not a package> C:\\notes.msi")
    wait = 'start "" /wait msiexec'
    assert client.run(f"{wait} /i C:\\missing.msi /qn").status_code == 1619
    assert client.run(f"{wait} /i C:\\broken.msi /qn").status_code == 1603
    assert client.run(f"{wait} /i C:\\notes.msi /qn").status_code == 1620
    assert client.run(f"{wait} /i C:\\ok.msi /qn /norestart").status_code == 0
    uninstall = f"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{code}"
    [values] = wo.parse_reg_query(client.ok(f"reg query {uninstall} /v DisplayVersion")).values()
    assert values["displayversion"].data == "4.2.1"
    # The same ProductCode with another version: a minor upgrade needs REINSTALL, not /i (1638).
    assert client.run(f"{wait} /i C:\\reboot.msi /qn").status_code == 1638
    assert client.run(f"{wait} /x {code} /qn").status_code == 0
    assert client.run(f"{wait} /i C:\\reboot.msi /qn").status_code == 3010
    assert client.run(f"{wait} /x {code} /qn").status_code == 0
    assert client.run(f"{wait} /x {code} /qn").status_code == 1605
    assert client.run(f"{wait} /qn").status_code == 1639
    assert client.run(f"{wait} /i C:\\ok.msi /qn /l*v").status_code == 1639


# -- cmd.exe -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_cmd_behaviour(fresh):
    client, _ = fresh
    stdout, stderr, code = output(client.run("Get-Service"))
    assert (stdout, code) == ("", 1)
    assert stderr == (
        "'Get-Service' is not recognized as an internal or external command,\r\n"
        "operable program or batch file.\r\n"
    )
    assert client.ok("ver && hostname").endswith("\r\nHOST-" + fresh[1] + "\r\n")
    assert client.ok("sc query nothing || echo missing").endswith("missing\r\n")
    assert client.run("sc query nothing && echo never").std_out.decode().count("never") == 0
    assert client.ok("sc query nothing > nul & echo done") == "done\r\n"
    merged = client.run("net share nothing 2>&1")
    assert merged.std_err == b"" and b"NET HELPMSG 2310" in merged.std_out
    assert client.ok("cmd /c echo %COMPUTERNAME%") == f"HOST-{fresh[1]}\r\n"
    # cmd takes a digit right before '>' as a handle: the value is dropped, as on Windows.
    client.ok("echo Value = 1>> C:\\gotcha.txt")
    assert client.ok("type C:\\gotcha.txt") == "Value = \r\n"


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_icacls_on_both_servers(fresh):
    client, _ = fresh
    client.ok("mkdir C:\\VNACCS\\Client")
    granted = client.ok("icacls C:\\VNACCS\\Client /grant Everyone:(OI)(CI)RX /T")
    assert granted.endswith("Successfully processed 1 files; Failed processing 0 files\r\n")
    assert "Everyone:(OI)(CI)(RX)" in client.ok("icacls C:\\VNACCS\\Client")
    assert client.run("icacls C:\\Missing").status_code == 2


@pytest.mark.parametrize("fresh", ["xp"], indirect=True)
def test_xp_has_no_icacls(fresh):
    client, _ = fresh
    assert wo.classify_error(*output(client.run("icacls C:\\"))) is wo.ErrorKind.NOT_RECOGNIZED


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_telnet_is_no_reachability_test(fresh):
    client, profile = fresh
    stdout, stderr, code = output(client.run("telnet 10.27.1.10 21"))
    assert code == 1
    if profile == "2008":
        assert wo.classify_error(stdout, stderr, code) is wo.ErrorKind.NOT_RECOGNIZED
    else:
        assert "Could not open connection to the host, on port 21: Connect failed" in stdout


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_schtasks_2003_has_no_tasks_at_first(fresh):
    client, profile = fresh
    listed = client.ok("schtasks /query /fo csv /v")
    if profile == "2003":
        assert listed == "INFO: There are no scheduled tasks present in the system.\r\n"
    else:
        # The header comes again for every task folder.
        assert listed.count('"HostName","TaskName"') == 1
        client.ok(
            'schtasks /create /sc daily /st 01:30 /tn DailyReboot /tr "shutdown -r -f -t 60" /ru SYSTEM /f'
        )
        assert client.ok("schtasks /query /fo csv /v").count('"HostName","TaskName"') == 2


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_sc_query_all_states(fresh):
    client, _ = fresh
    running = {status.name for status in wo.parse_sc_query(client.ok("sc query"))}
    everything = {status.name for status in wo.parse_sc_query(client.ok("sc query type= service state= all"))}
    assert "LanmanServer" in running
    assert running <= everything
    client.ok("sc stop Spooler")
    assert "Spooler" not in {status.name for status in wo.parse_sc_query(client.ok("sc query"))}
    assert "Spooler" in {status.name for status in wo.parse_sc_query(client.ok("sc query state= all"))}


# The remaining forms, each once per server profile: (command, exit code, text expected in stdout).
REMAINING = [
    ("net start", 0, "These Windows services are started:"),
    ("net stop", 1, ""),
    ("mkdir C:\\Tmp\\A", 0, ""),
    ("rmdir C:\\Tmp", 145, ""),
    ("rmdir /s /q C:\\Tmp", 0, ""),
    ("echo VkFBQ1M=> C:\\b64.txt", 0, ""),
    ("certutil -decode C:\\b64.txt C:\\decoded.txt", 0, "CertUtil: -decode command completed successfully."),
    ("type C:\\decoded.txt", 0, "VAACS"),
    (
        "netsh dhcp server scope 10.27.60.0 delete excluderange 10.27.60.50 10.27.60.52",
        0,
        "Command completed",
    ),
    ("netsh dhcp server scope 10.27.60.0 delete optionvalue 3", 0, "Command completed successfully."),
    ("netsh dhcp server scope 10.27.60.0 delete optionvalue 3", 1, "The specified option does not exist"),
    ('netsh dhcp server scope 10.27.60.0 set comment "VLAN 60"', 0, "Command completed successfully."),
    ('netsh dhcp server scope 10.27.60.0 set name "CC HQ Thuan Thanh"', 0, "Command completed successfully."),
    ("netsh dhcp server scope 10.27.60.0 show state", 0, "Disabled"),
    ("netsh dhcp server scope 10.27.60.0 delete iprange 10.27.60.50 10.27.60.254", 0, "Command completed"),
    ("netsh dhcp server show scope", 0, "-CC HQ Thuan Thanh    -VLAN 60"),
    ("netsh dhcp server scope 10.27.60.0 set optionvalue 51 STRING 691200", 1, "The parameter is incorrect."),
    (
        "netsh dhcp server scope 10.27.60.0 set optionvalue 3 IPADDRESS 10.27.60.999",
        1,
        "The parameter is incorrect.",
    ),
    ("netsh dhcp server scope 10.27.60.0 set state 7", 1, "The parameter is incorrect."),
    ("netsh dhcp server delete scope 10.27.60.0 DHCPNOFORCE", 0, "Command completed successfully."),
    ("netsh dhcp bogus", 1, "The following command was not found: dhcp bogus."),
    ("netsh firewall delete portopening protocol=TCP port=2121", 1, ""),
    ("netsh firewall add portopening protocol=TCP port=2121 name=FTP-EUC", 0, "Ok."),
    ("netsh firewall delete portopening protocol=TCP port=2121", 0, "Ok."),
    (
        'schtasks /create /sc daily /st {time} /tn Cleanup /tr "del /q C:\\Tmp\\*.log" /ru SYSTEM',
        0,
        "SUCCESS",
    ),
    ("schtasks /query /fo list /v", 0, "Cleanup"),
    ("schtasks /query", 0, "Cleanup"),
    ("schtasks /query /fo csv /nh", 0, "Cleanup"),
    ("systeminfo", 0, "Windows Directory:"),
    ("ipconfig", 0, "Subnet Mask . . . . . . . . . . . : 255.255.255.0"),
]


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_remaining_forms(fresh):
    client, profile = fresh
    install(client, profile)
    client.ok("netsh dhcp server add scope 10.27.60.0 255.255.255.0 Test")
    client.ok("netsh dhcp server scope 10.27.60.0 add iprange 10.27.60.50 10.27.60.254")
    client.ok("netsh dhcp server scope 10.27.60.0 add excluderange 10.27.60.50 10.27.60.52")
    client.ok("netsh dhcp server scope 10.27.60.0 set optionvalue 3 IPADDRESS 10.27.60.1")
    start_time = "02:00:00" if profile == "2003" else "02:00"
    for command, code, expected in REMAINING:
        response = client.run(command.format(time=start_time))
        assert response.status_code == code, (command, response.std_out, response.std_err)
        assert expected in response.std_out.decode("cp437"), (command, response.std_out)


@pytest.mark.parametrize("fresh", ["2008"], indirect=True)
def test_servermanagercmd_query_and_remove(fresh):
    client, _ = fresh
    assert "[ ] DHCP Server  [DHCP]" in client.ok("servermanagercmd -query")
    client.ok("servermanagercmd -install DHCP")
    assert "[X] DHCP Server  [DHCP]" in client.ok("servermanagercmd -query")
    assert "Success: Removal succeeded." in client.ok("servermanagercmd -remove DHCP")
    assert client.run("sc query DHCPServer").status_code == 1060


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_iisftp_start_and_stop(fresh):
    client, profile = fresh
    install(client, profile, component="ftp")
    script = "cscript //nologo %SystemRoot%\\system32\\iisftp.vbs"
    client.ok(f'{script} /stop "Default FTP Site"')
    assert wo.parse_iisftp_query(client.ok(f"{script} /query"))[0].status == "STOPPED"
    client.ok(f"{script} /start MSFTPSVC/1")
    assert wo.parse_iisftp_query(client.ok(f"{script} /query MSFTPSVC/1"))[0].status == "STARTED"
    # IIsFtp.vbs DeleteFtpSite exits 0 when nothing matched; /start exits 1.
    assert client.run(f"{script} /delete NoSuchSite").status_code == 0
    assert client.run(f"{script} /start NoSuchSite").status_code == 1


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_schtasks_create_messages(fresh):
    client, _ = fresh
    as_system = client.ok(
        'schtasks /create /sc daily /st {} /tn A /tr "ver" /ru SYSTEM'.format(
            "03:00:00" if fresh[1] == "2003" else "03:00"
        )
    )
    # The sourced `/ru System` sample: an INFO line, then SUCCESS with a capital S (reference 6.1).
    assert as_system == (
        "INFO: The task will be created under user name (NT AUTHORITY\\SYSTEM).\r\n"
        "SUCCESS: The Scheduled task A has successfully been created.\r\n"
    )


@pytest.mark.parametrize("fresh", SERVERS, indirect=True)
def test_netsh_dhcp_needs_the_service_running(fresh):
    client, profile = fresh
    install(client, profile)
    client.ok("net stop DHCPServer")
    stdout, stderr, code = output(client.run("netsh dhcp server show scope"))
    assert code == 1
    assert wo.classify_error(stdout, stderr, code) is wo.ErrorKind.DHCP_SERVER_UNAVAILABLE
    # Authorization lives in Active Directory, not in the service: it still answers.
    assert wo.netsh_succeeded(client.ok("netsh dhcp show server"))
    client.ok("net start DHCPServer")
    assert wo.netsh_succeeded(client.ok("netsh dhcp server show scope"))
