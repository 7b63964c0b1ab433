"""The base_server plan on fixture outputs: what it reads, and the commands it chooses per version."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import base_server_plan as bp
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import windows_output as wo
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import PlanError, Step

from tests.support.fixture_files import windows_output

FORMS_2003 = bp.choose_forms({}, "2003")
FORMS_2008 = bp.choose_forms({}, "2008")
ARGS = {
    "root": "C:\\VNACCS\\Base",
    "folders": ["ClientUpgrades", "EUCReports"],
    "readers": ["Everyone"],
    "writers": ["BUILTIN\\Administrators"],
    "shares": [{"name": "VNACCS_EUC", "folder": "EUCReports", "remark": "VCIS-EUC reports"}],
    "ftp": {"site_name": "VNACCS Base Server", "port": 21},
    "services": ["LanmanServer"],
}


def commands(steps: list[Step]) -> list[str]:
    return [command.line for step in steps for command in step.commands]


def wanted_for(args: dict, forms: bp.Forms) -> bp.Wanted:
    return replace(bp.wanted_state(args), forms=forms)


def test_forms_by_version_and_override():
    assert bp.Forms(False, "netsh_firewall", "sysocmgr") == FORMS_2003
    assert bp.Forms(True, "advfirewall", "servermanagercmd") == FORMS_2008
    assert bp.choose_forms({"share_grant": False, "firewall": "auto"}, "2008").share_grant is False
    with pytest.raises(PlanError, match=r"forms\.share_grant"):
        bp.choose_forms({}, "xp")


def test_wanted_state_adds_share_folders_and_the_ftp_service():
    wanted = wanted_for({**ARGS, "shares": [{"name": "X", "folder": "Other/Sub"}]}, FORMS_2008)
    assert "C:\\VNACCS\\Base\\Other\\Sub" in wanted.folders
    assert wanted.services == ("LanmanServer", "MSFTPSVC")
    assert wanted.shares[0].grants == (("Everyone", "READ"), ("BUILTIN\\Administrators", "CHANGE"))


def test_a_writer_is_not_also_a_reader():
    wanted = wanted_for({**ARGS, "readers": ["Everyone", "Admins"], "writers": ["admins"]}, FORMS_2008)
    assert wanted.readers == ("Everyone",)


def test_probe_is_one_command_line_with_the_version_firewall_query():
    line_2003 = bp.probe_command(wanted_for(ARGS, FORMS_2003))
    line_2008 = bp.probe_command(wanted_for(ARGS, FORMS_2008))
    assert "\n" not in line_2003
    assert "netsh firewall show portopening" in line_2003 and "advfirewall" not in line_2003
    assert 'netsh advfirewall firewall show rule name="VNACCS base server FTP"' in line_2008


def probe_output(sections: dict[str, str]) -> str:
    out = ["BASE-HA-NOI"]
    for key, text in sections.items():
        out += [wo.PROBE_MARK.format(key), text]
    return "\r\n".join(out)


def test_parse_probe_reads_every_section_from_fixtures():
    wanted = wanted_for(ARGS, FORMS_2008)
    stdout = probe_output(
        {
            "qc0": windows_output("sc_qc_2003.txt"),
            "query0": windows_output("sc_query_running_2008.txt"),
            "qc1": windows_output("sc_query_missing.txt"),
            "acl0": windows_output("icacls_show_2003.txt"),
            "share0": windows_output("net_share_detail_2008.txt"),
            "firewall": windows_output("advfirewall_show_rule_2008.txt"),
        }
    )
    state = bp.parse_probe(stdout, wanted)
    assert state.computer_name == "BASE-HA-NOI"
    assert state.service_config["LanmanServer"] is not None
    assert state.ftp_installed is False
    assert state.acls["C:\\VNACCS\\Base"][1] == wo.AccessEntry("Everyone", "(OI)(CI)", "RX")
    assert state.acls["C:\\VNACCS\\Base\\ClientUpgrades"] is None
    assert state.shares["VNACCS_EUC"].permissions[1] == ("BUILTIN\\Administrators", "CHANGE")
    assert state.firewall_rules[0].local_port == "21"


def test_fresh_2003_plan_installs_with_sysocmgr_and_never_grants():
    wanted = wanted_for(ARGS, FORMS_2003)
    steps = bp.plan(wanted, bp.HostState(), "C:\\WINDOWS\\Temp\\a.txt")
    assert steps[0].file.lines == tuple(bp.FTP_ANSWER_FILE)
    lines = commands(steps)
    assert lines[0].startswith("start /wait sysocmgr")
    assert "mkdir C:\\VNACCS\\Base\\ClientUpgrades" in lines
    assert "mkdir C:\\VNACCS\\Base" not in lines  # made with its subfolders
    assert 'net share VNACCS_EUC=C:\\VNACCS\\Base\\EUCReports /UNLIMITED /REMARK:"VCIS-EUC reports"' in lines
    assert not any("/GRANT" in line for line in lines)
    assert "cscript //nologo %SystemRoot%\\system32\\iisftp.vbs /stop MSFTPSVC/1" in lines
    assert lines[-1].startswith("netsh firewall add portopening protocol=TCP port=21")


def test_fresh_2008_plan_grants_and_uses_advfirewall():
    lines = commands(bp.plan(wanted_for(ARGS, FORMS_2008), bp.HostState(), "x"))
    assert lines[0] == "servermanagercmd -install Web-Ftp-Server"
    assert any("/GRANT:Everyone,READ /GRANT:BUILTIN\\Administrators,CHANGE" in line for line in lines)
    assert lines[-1].startswith('netsh advfirewall firewall add rule name="VNACCS base server FTP" dir=in')


def test_writer_with_full_control_is_left_alone_and_a_wider_reader_is_narrowed():
    wanted = wanted_for(ARGS, FORMS_2008)
    state = bp.HostState(
        acls={
            wanted.root: [
                wo.AccessEntry("BUILTIN\\Administrators", "(OI)(CI)", "F"),
                wo.AccessEntry("Everyone", "(OI)(CI)", "M"),
            ]
        }
    )
    step = bp.acl_step(wanted, state)
    assert step is not None
    assert [c.line for c in step.commands] == ["icacls C:\\VNACCS\\Base /grant:r Everyone:(OI)(CI)(RX)"]


def test_principal_with_a_space_is_quoted():
    wanted = wanted_for({**ARGS, "readers": ["NT AUTHORITY\\Authenticated Users"]}, FORMS_2008)
    step = bp.acl_step(wanted, bp.HostState())
    assert step.commands[0].line.endswith('"NT AUTHORITY\\Authenticated Users:(OI)(CI)(RX)"')
    create = bp.share_create_command(wanted.shares[0], FORMS_2008)
    assert '"/GRANT:NT AUTHORITY\\Authenticated Users,READ"' in create


@pytest.mark.parametrize(
    ("present", "drift"),
    [
        (None, ["absent"]),
        (wo.ShareDetails("VNACCS_EUC", "C:\\Other", "VCIS-EUC reports", None), ["path C:\\Other"]),
        (
            wo.ShareDetails("VNACCS_EUC", "c:\\vnaccs\\base\\eucreports", "VCIS-EUC reports", 10),
            ["limited to 10 users"],
        ),
        (wo.ShareDetails("VNACCS_EUC", "C:\\VNACCS\\Base\\EUCReports", "old", None), ['remark "old"']),
    ],
)
def test_share_drift_2003(present, drift):
    wanted = wanted_for(ARGS, FORMS_2003)
    assert bp.share_drift(wanted.shares[0], present, FORMS_2003) == drift


def test_share_permission_drift_only_where_grant_exists():
    wanted = wanted_for(ARGS, FORMS_2008)
    present = wo.ShareDetails(
        "VNACCS_EUC", wanted.shares[0].path, "VCIS-EUC reports", None, (("Everyone", "FULL"),)
    )
    assert bp.share_drift(wanted.shares[0], present, FORMS_2008) == ["permissions Everyone FULL"]
    assert bp.share_drift(wanted.shares[0], present, FORMS_2003) == []


def test_doubled_advfirewall_rule_is_replaced_and_a_single_good_one_kept():
    wanted = wanted_for(ARGS, FORMS_2008)
    good = wo.FirewallRule("VNACCS base server FTP", True, "In", "TCP", "21", "Allow")
    assert bp.firewall_step(wanted, bp.HostState(firewall_rules=[good])) is None
    step = bp.firewall_step(wanted, bp.HostState(firewall_rules=[good, good]))
    assert step.commands[0].line == 'netsh advfirewall firewall delete rule name="VNACCS base server FTP"'


def test_disabled_port_opening_is_set_enabled():
    wanted = wanted_for(ARGS, FORMS_2003)
    state = bp.HostState(port_openings=[wo.PortOpening(21, "TCP", False, "FTP", "Domain")])
    step = bp.firewall_step(wanted, state)
    assert step.commands[0].line.startswith("netsh firewall set portopening protocol=TCP port=21")


def test_ftp_site_on_another_port_is_recreated():
    wanted = wanted_for(ARGS, FORMS_2003)
    state = bp.HostState(
        ftp_installed=True, ftp_sites=[wo.FtpSite("VNACCS Base Server", "MSFTPSVC/7", "STARTED", "", 2121)]
    )
    lines = commands(bp.ftp_steps(wanted, state, assume_absent=False))
    assert lines[0].endswith("/delete MSFTPSVC/7")
    assert lines[1].endswith('/create C:\\VNACCS\\Base "VNACCS Base Server" /b 21')


def test_nothing_to_do_renders_the_same_before_and_after():
    wanted = wanted_for(ARGS, FORMS_2008)
    after = bp.render_wanted(wanted)
    assert "share VNACCS_EUC: C:\\VNACCS\\Base\\EUCReports" in after
    assert "ftp site VNACCS Base Server: port 21 STARTED" in after


@pytest.mark.fault
@pytest.mark.parametrize("forms", [FORMS_2003, FORMS_2008])
def test_the_ftp_installer_gets_the_jobs_deadline(forms):
    steps = bp.plan(wanted_for({**ARGS, "install_timeout": 2400}, forms), bp.HostState(), "x")
    assert steps[0].commands[0].timeout == 2400
    assert {command.timeout for step in steps[1:] for command in step.commands} == {None}
    assert bp.plan(wanted_for(ARGS, forms), bp.HostState(), "x")[0].commands[0].timeout == 1800
    with pytest.raises(PlanError, match="install_timeout: 0 "):
        bp.wanted_state({**ARGS, "install_timeout": 0})
