"""The dhcp_server plan: wanted-state checks, the one-round-trip probe, and the netsh script it writes.

Host outputs come from tests/fixtures/windows (written in the layouts of the project's Windows
reference, sections 1.8 and 3.2-3.3).
"""

from __future__ import annotations

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.dhcp_plan import (
    DhcpServerPlan,
    PlanError,
    ServerState,
    authorization_script,
    install_step,
    parse_probe,
    probe_command,
    scope_script,
    script_failure,
    service_commands,
    wanted_scope,
    wanted_server,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.text import ascii_fold
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_output import (
    DumpScope,
    ExcludeRange,
    IpRange,
    OptionValue,
)

from tests.support.fixture_files import windows_output

SPEC = {
    "address": "10.31.10.0",
    "mask": "255.255.255.0",
    "name": "Chi cục Hải quan Đình Vũ",
    "comment": "Cục Hải quan Hải Phòng",
    "range_start": "10.31.10.50",
    "range_end": "10.31.10.254",
    "exclusions": [{"start": "10.31.10.50", "end": "10.31.10.59"}],
    "router": "10.31.10.1",
    "dns_servers": ["10.31.10.5", "10.31.1.10"],
    "domain_name": "",
    "state": "active",
}


def wanted(**changes):
    return wanted_scope({**SPEC, **changes}, 0)


# -- names ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Chi cục Hải quan Tiên Sơn", "Chi cuc Hai quan Tien Son"),
        ("Cục Hải quan Đồng Tháp", "Cuc Hai quan Dong Thap"),
        ("Đội Kiểm soát Hải quan số 2", "Doi Kiem soat Hai quan so 2"),
        ("Bà Rịa - Vũng Tàu", "Ba Ria - Vung Tau"),
    ],
)
def test_vietnamese_names_are_folded_to_ascii(text, folded):
    assert ascii_fold(text) == folded


def test_a_name_code_page_437_cannot_carry_is_refused_when_folding_is_off():
    with pytest.raises(PlanError, match=r"scopes\[0\]\.name"):
        wanted_scope(SPEC, 0, fold_names=False)


# -- wanted-state checks (each message names the field) ------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mask": "255.255.254.0"}, r"scopes\[0\]\.mask"),
        ({"address": "10.31.10.7"}, r"scopes\[0\]\.address"),
        ({"range_start": "10.31.11.50"}, r"scopes\[0\]\.range_start"),
        ({"range_end": "10.31.10.255"}, r"scopes\[0\]\.range_end"),
        ({"range_start": "10.31.10.200", "range_end": "10.31.10.100"}, r"scopes\[0\]\.range_start"),
        ({"router": "10.31.9.1"}, r"scopes\[0\]\.router"),
        ({"exclusions": [{"start": "10.31.10.60", "end": "10.32.0.1"}]}, r"exclusions\[0\]\.end"),
        ({"dns_servers": ["dns.local"]}, r"scopes\[0\]\.dns_servers"),
        ({"domain_name": "bad domain"}, r"scopes\[0\]\.domain_name"),
        ({"name": 'CC "HQ"'}, r"scopes\[0\]\.name"),
    ],
)
def test_bad_values_fail_naming_the_field(changes, field):
    with pytest.raises(PlanError, match=field):
        wanted(**changes)


def test_wanted_options_follow_the_values_given():
    scope = wanted(domain_name="haiphong.customs.gov.vn")
    assert scope.options == {
        3: OptionValue(3, "IPADDRESS", ("10.31.10.1",)),
        6: OptionValue(6, "IPADDRESS", ("10.31.10.5", "10.31.1.10")),
        15: OptionValue(15, "STRING", ("haiphong.customs.gov.vn",)),
    }
    assert wanted(router="", dns_servers=[]).options == {}


# -- probe ------------------------------------------------------------------------------------------
def probe_output(*sections: tuple[str, str], head: str = "DHCP-HP\r\n") -> str:
    return head + "".join(f"==vnaccs:{name}==\r\n{text}" for name, text in sections)


def test_the_probe_is_one_command_line():
    command = probe_command(read_authorization=True)
    assert command.count("&") == 8
    assert "netsh dhcp server dump" in command and "netsh dhcp show server" in command
    assert "show server" not in probe_command(read_authorization=False)


def test_probe_of_an_installed_2008_server():
    text = probe_output(
        ("qc", windows_output("sc_qc_2003.txt").replace("LanmanServer", "DHCPServer")),
        ("query", windows_output("sc_query_running_2008.txt")),
        ("dump", windows_output("dhcp_dump_2008.txt")),
    )
    state = parse_probe(text)
    assert state.computer_name == "DHCP-HP"
    assert (state.installed, state.start_mode, state.running) == (True, "auto", True)
    scope = state.scopes["10.31.10.0"]
    assert (scope.name, scope.state) == ("CC HQ KV3 Hai Phong", 1)
    assert scope.ranges == [IpRange("10.31.10.50", "10.31.10.254", "DHCP ONLY")]
    assert scope.options[6].values == ("10.31.10.5", "10.31.1.10")
    assert state.authorized is None


def test_probe_of_a_server_without_the_component():
    missing = windows_output("sc_query_missing.txt")
    text = probe_output(
        ("qc", missing.replace("EnumQueryServicesStatus:", "")),
        ("query", missing),
        ("dump", "The following command was not found: dhcp server dump.\r\n"),
        ("servers", "The following command was not found: dhcp show server.\r\n"),
    )
    state = parse_probe(text)
    assert (state.installed, state.running, state.scopes, state.authorized) == (False, False, {}, [])


def test_probe_reads_the_authorized_servers():
    text = probe_output(
        ("qc", windows_output("sc_qc_2003.txt").replace("LanmanServer", "DHCPServer")),
        ("query", windows_output("sc_query_stopped_2003.txt")),
        ("dump", ""),
        ("servers", windows_output("dhcp_show_server.txt")),
    )
    state = parse_probe(text)
    assert state.running is False
    assert [server.address for server in state.authorized] == ["10.27.10.5"]


# -- plan -------------------------------------------------------------------------------------------
def present(**changes) -> DumpScope:
    scope = DumpScope(
        address="10.31.10.0",
        mask="255.255.255.0",
        name="Chi cuc Hai quan Dinh Vu",
        comment="Cuc Hai quan Hai Phong",
        state=1,
        ranges=[IpRange("10.31.10.50", "10.31.10.254")],
        exclusions=[ExcludeRange("10.31.10.50", "10.31.10.59")],
        options={
            3: OptionValue(3, "IPADDRESS", ("10.31.10.1",)),
            6: OptionValue(6, "IPADDRESS", ("10.31.10.5", "10.31.1.10")),
            51: OptionValue(51, "DWORD", ("691200",)),
        },
    )
    for key, value in changes.items():
        setattr(scope, key, value)
    return scope


def test_a_missing_scope_is_created_whole_and_activated():
    assert scope_script(wanted(), None) == [
        'dhcp server add scope 10.31.10.0 255.255.255.0 "Chi cuc Hai quan Dinh Vu" "Cuc Hai quan Hai Phong"',
        "dhcp server scope 10.31.10.0 add iprange 10.31.10.50 10.31.10.254",
        "dhcp server scope 10.31.10.0 add excluderange 10.31.10.50 10.31.10.59",
        "dhcp server scope 10.31.10.0 set optionvalue 3 IPADDRESS 10.31.10.1",
        "dhcp server scope 10.31.10.0 set optionvalue 6 IPADDRESS 10.31.10.5 10.31.1.10",
        "dhcp server scope 10.31.10.0 set state 1",
    ]


def test_a_scope_as_wanted_needs_nothing_and_unmanaged_options_stay():
    assert scope_script(wanted(), present()) == []


def test_a_wrong_range_and_inactive_scope_is_repaired():
    have = present(ranges=[IpRange("10.31.10.100", "10.31.10.200")], state=0)
    assert scope_script(wanted(), have) == [
        "dhcp server scope 10.31.10.0 delete iprange 10.31.10.100 10.31.10.200",
        "dhcp server scope 10.31.10.0 add iprange 10.31.10.50 10.31.10.254",
        "dhcp server scope 10.31.10.0 set state 1",
    ]


def test_names_exclusions_and_options_are_corrected():
    have = present(
        name="old",
        comment="",
        exclusions=[ExcludeRange("10.31.10.60", "10.31.10.70")],
        options={
            3: OptionValue(3, "IPADDRESS", ("10.31.10.254",)),
            6: OptionValue(6, "IPADDRESS", ("10.31.10.5", "10.31.1.10")),
            15: OptionValue(15, "STRING", ("old.local",)),
        },
    )
    assert scope_script(wanted(), have) == [
        'dhcp server scope 10.31.10.0 set name "Chi cuc Hai quan Dinh Vu"',
        'dhcp server scope 10.31.10.0 set comment "Cuc Hai quan Hai Phong"',
        "dhcp server scope 10.31.10.0 delete excluderange 10.31.10.60 10.31.10.70",
        "dhcp server scope 10.31.10.0 add excluderange 10.31.10.50 10.31.10.59",
        "dhcp server scope 10.31.10.0 set optionvalue 3 IPADDRESS 10.31.10.1",
        "dhcp server scope 10.31.10.0 delete optionvalue 15",
    ]


def test_the_domain_option_is_quoted():
    lines = scope_script(wanted(domain_name="haiphong.customs.gov.vn"), present())
    assert lines == ['dhcp server scope 10.31.10.0 set optionvalue 15 STRING "haiphong.customs.gov.vn"']


def test_a_scope_with_another_mask_is_recreated_without_force():
    lines = scope_script(wanted(), present(mask="255.255.254.0"))
    assert lines[0] == "dhcp server delete scope 10.31.10.0 DHCPNOFORCE"
    assert lines[1].startswith("dhcp server add scope 10.31.10.0 255.255.255.0")


def test_an_inactive_scope_is_wanted_inactive():
    assert scope_script(wanted(state="inactive"), present()) == ["dhcp server scope 10.31.10.0 set state 0"]


def test_authorization_only_when_the_address_is_missing():
    state = ServerState(authorized=[])
    assert authorization_script(state, "dhcp-hp.customs.local", "10.31.10.5") == [
        "dhcp add server dhcp-hp.customs.local 10.31.10.5"
    ]
    from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_output import AuthorizedServer

    state.authorized = [AuthorizedServer("dhcp-hp.customs.local", "10.31.10.5")]
    assert authorization_script(state, "dhcp-hp.customs.local", "10.31.10.5") == []


def test_service_commands():
    stopped_manual = ServerState(installed=True, start_mode="demand", running=False)
    assert [c.line for c in service_commands(stopped_manual, "auto", True)] == [
        "sc config DHCPServer start= auto",
        "sc start DHCPServer",
    ]
    fine = ServerState(installed=True, start_mode="auto", running=True)
    assert service_commands(fine, "auto", True) == []


def test_install_step_per_version():
    step = install_step("2003", r"C:\WINDOWS\Temp\a.txt")
    assert "DHCPServer = 1" in step.file.lines and "NetOC = On" in step.file.lines
    assert [c.line for c in step.commands] == [
        r"start /wait sysocmgr /i:%windir%\inf\sysoc.inf /u:C:\WINDOWS\Temp\a.txt /q /r"
    ]
    assert step.reprobe
    assert [c.line for c in install_step("2008", "x").commands] == ["servermanagercmd -install DHCP"]
    with pytest.raises(PlanError):
        install_step("xp", "x")


def test_plan_on_a_host_without_the_component_installs_then_plans_for_a_fresh_server():
    plan = DhcpServerPlan(wanted_server({"scopes": [SPEC]}), "2008")
    steps = plan.steps(ServerState(computer_name="DHCP01", installed=False))
    assert [step.what for step in steps] == [
        "install the DHCP Server role (servermanagercmd)",
        "set DHCPServer Automatic and running",
        "make the authorization and the scopes match, in one netsh exec script",
    ]
    assert any("add scope 10.31.10.0" in line for line in steps[2].shown)


def test_plan_refuses_to_install_when_install_is_false():
    plan = DhcpServerPlan(wanted_server({"scopes": [SPEC], "install": False}), "2003")
    with pytest.raises(PlanError, match="not installed and install is false"):
        plan.steps(ServerState(installed=False))


def test_plan_with_the_service_stopped_starts_it_and_plans_the_scopes_after_a_new_probe():
    plan = DhcpServerPlan(wanted_server({"scopes": [SPEC]}), "2003")
    steps = plan.steps(ServerState(installed=True, start_mode="auto", running=False, scopes=None))
    assert steps[0].reprobe and [c.line for c in steps[0].commands] == ["sc start DHCPServer"]
    assert steps[1].is_note and "cannot be read" in steps[1].what
    assert plan.result(ServerState(installed=True, scopes=None), steps)["scopes_read"] is False


def test_plan_fails_when_netsh_cannot_read_the_scopes_of_a_running_server():
    plan = DhcpServerPlan(wanted_server({"scopes": [SPEC]}), "2003")
    with pytest.raises(PlanError, match="cannot read the scopes"):
        plan.steps(ServerState(installed=True, start_mode="auto", running=True, scopes=None))


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"scopes": [SPEC, SPEC]}, "listed more than once"),
        ({"scopes": [SPEC], "ad_domain": "customs.local", "server_ip": "x"}, "server_ip"),
        ({"scopes": [SPEC], "ad_domain": "bad domain", "server_ip": "10.31.10.5"}, "ad_domain"),
    ],
)
def test_wanted_server_refuses_bad_arguments(args, field):
    with pytest.raises(PlanError, match=field):
        wanted_server(args)


def test_script_failure_is_judged_by_text():
    ok = "Changed the current scope context to 10.31.10.0 scope.\r\n\r\nCommand completed successfully.\r\n"
    assert script_failure(ok * 2, 2) is None
    failed = ok + "The specified IP address range either overlaps with an existing range or is invalid.\r\n"
    problem = script_failure(failed, 2)
    assert problem.startswith("1 of 2 netsh commands succeeded; dhcp_range_invalid")


def test_probe_with_the_service_stopped_cannot_read_the_scopes():
    text = probe_output(
        ("qc", windows_output("sc_qc_2003.txt").replace("LanmanServer", "DHCPServer")),
        ("query", windows_output("sc_query_stopped_2003.txt")),
        (
            "dump",
            "Unable to determine the DHCP Server version for the Server 10.27.40.10.\r\n"
            "The following command was not found: dhcp server dump.\r\n",
        ),
    )
    state = parse_probe(text)
    assert (state.installed, state.running, state.scopes) == (True, False, None)


@pytest.mark.parametrize(
    "exclusion",
    [{"start": "10.31.10.20", "end": "10.31.10.60"}, {"start": "10.31.10.250", "end": "10.31.10.255"}],
)
def test_an_exclusion_outside_the_range_is_refused(exclusion):
    with pytest.raises(PlanError, match=r"scopes\[0\]\.exclusions\[0\]"):
        wanted(exclusions=[exclusion])


def test_an_exclusion_inside_the_range_is_kept():
    assert wanted(exclusions=[{"start": "10.31.10.60", "end": "10.31.10.69"}]).exclusions == (
        ("10.31.10.60", "10.31.10.69"),
    )


@pytest.mark.fault
@pytest.mark.parametrize("family", ["2003", "2008"])
def test_the_installer_gets_the_jobs_deadline(family):
    plan = DhcpServerPlan(wanted_server({"scopes": [SPEC], "install_timeout": 2400}), family)
    install = plan.steps(ServerState(computer_name="DHCP01", installed=False))[0]
    assert [command.timeout for command in install.commands] == [2400]
    default = DhcpServerPlan(wanted_server({"scopes": [SPEC]}), family)
    assert default.steps(ServerState(installed=False))[0].commands[0].timeout == 1800
    # Every other command has the host's deadline (None: vnaccs_winrm_command_timeout_sec).
    service = plan.steps(ServerState(installed=True, start_mode="demand", running=False, scopes={}))[0]
    assert {command.timeout for command in service.commands} == {None}


@pytest.mark.fault
@pytest.mark.parametrize("value", [0, -5, True, "30"])
def test_a_bad_installer_deadline_is_refused_before_the_host_is_contacted(value):
    with pytest.raises(PlanError, match="install_timeout: "):
        wanted_server({"scopes": [SPEC], "install_timeout": value})
