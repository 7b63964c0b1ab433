"""The customs client's plan on a workstation: what it reads, what it would run, and why it refuses."""

from __future__ import annotations

from datetime import datetime

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_release import Release
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_software_plan import (
    ClientSoftwarePlan,
    ClientWanted,
    check_wanted,
    ftp_transcript_problem,
    msi_code_text,
    msi_judge,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import PlanError
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import CommandResult

OLD = Release("4.2.0", "VNACCS-Client-4.2.0.msi", 1000, "a" * 64, "{11111111-1111-1111-1111-111111111111}")
NEW = Release("4.3.0", "VNACCS-Client-4.3.0.msi", 2000, "b" * 64, "{22222222-2222-2222-2222-222222222222}")
UNINSTALL = r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
OUTSIDE = datetime(2026, 12, 1, 12, 30)  # a Tuesday, in the lunch break
PEAK = datetime(2026, 12, 1, 10, 0)


def wanted(release=NEW, **changes) -> ClientWanted:
    values = {
        "release": release,
        "known": (OLD, NEW),
        "base_server": "198.19.48.1",
        "ftp_path": f"/ClientUpgrades/{release.version}/{release.file}",
        "terminal_id": "1BTS001",
        "at": OUTSIDE,
        **changes,
    }
    return check_wanted(ClientWanted(**values))


def probe_output(plan: ClientSoftwarePlan, installed: dict[str, str], settings: dict[str, str], nt5=False):
    """What the probe prints, section by section, as reg.exe of XP (tabs, banner) or 7 (spaces)."""
    sep = "\t" if nt5 else "    "
    banner = "! REG.EXE VERSION 3.0\r\n\r\n" if nt5 else "\r\n"
    out = ["WS-01"]
    for name, command in plan._sections():
        out.append(f"==vnaccs:{name}==")
        if name == "settings" and settings:
            out.append(banner + r"HKEY_LOCAL_MACHINE\SOFTWARE\TCHQ\VNACCS Client")
            out += [f"{sep}{key}{sep}REG_SZ{sep}{value}" for key, value in settings.items()]
        for code, version in installed.items():
            if code in command and "Wow6432Node" not in command:
                out.append(banner + f"{UNINSTALL}\\{code}")
                out.append(f"{sep}DisplayVersion{sep}REG_SZ{sep}{version}")
    return "\r\n".join(out) + "\r\n"


def state_of(plan, installed, settings, nt5=False):
    return plan.parse_probe(probe_output(plan, installed, settings, nt5))


SETTINGS = {"TerminalID": "1BTS001", "BaseServer": "198.19.48.1"}


@pytest.mark.parametrize("nt5", [True, False], ids=["xp", "7"])
def test_the_probe_reads_every_known_release_and_the_settings(nt5):
    plan = ClientSoftwarePlan(wanted(), "xp" if nt5 else "7")
    command = plan.probe_command()
    assert OLD.product_code in command and NEW.product_code in command and "Wow6432Node" in command
    state = state_of(plan, {OLD.product_code: "4.2.0"}, SETTINGS, nt5)
    assert state.installed == {OLD.product_code: "4.2.0"}
    assert state.settings == SETTINGS


def test_nothing_is_planned_when_the_version_and_settings_are_there():
    plan = ClientSoftwarePlan(wanted(), "7")
    state = state_of(plan, {NEW.product_code: "4.3.0"}, SETTINGS)
    assert plan.steps(state) == []
    assert plan.render(state) == plan.render_wanted()


def test_an_older_version_is_fetched_from_the_base_server_and_upgraded():
    plan = ClientSoftwarePlan(wanted(), "xp")
    steps = plan.steps(state_of(plan, {OLD.product_code: "4.2.0"}, {}))
    assert [step.what.split(" ")[0] for step in steps] == ["fetch", "install", "set", "set"]
    fetch, install = steps[0], steps[1]
    assert fetch.file.lines[0] == "open 198.19.48.1"
    assert (
        fetch.file.lines[3]
        == r"get /ClientUpgrades/4.3.0/VNACCS-Client-4.3.0.msi C:\VNACCS\ClientSetup\VNACCS-Client-4.3.0.msi"
    )
    assert fetch.commands[-1].line == r"ftp -n -i -s:%SystemRoot%\Temp\vnaccs-fetch.txt"
    line = install.commands[0].line
    assert line.startswith(
        'start "" /wait msiexec /i C:\\VNACCS\\ClientSetup\\VNACCS-Client-4.3.0.msi /qn /norestart /l*v '
    )
    assert install.commands[0].busy_exit == (1618,) and install.reprobe
    assert not any("\\\\" in command.line for step in steps for command in step.commands), "no UNC path"


def test_a_newer_version_is_left_unless_a_rollback_is_asked():
    plan = ClientSoftwarePlan(wanted(OLD), "7")
    steps = plan.steps(state_of(plan, {NEW.product_code: "4.3.0"}, SETTINGS))
    assert [step.is_note for step in steps] == [True]
    assert plan.result(state_of(plan, {NEW.product_code: "4.3.0"}, SETTINGS), steps)["newer_kept"] is True
    rollback = ClientSoftwarePlan(wanted(OLD, rollback=True), "7")
    steps = rollback.steps(state_of(rollback, {NEW.product_code: "4.3.0"}, SETTINGS))
    assert [step.what for step in steps][:1] == ["remove version 4.3.0 (rollback)"]
    assert (
        steps[0].commands[0].line.startswith(f'start "" /wait msiexec /x {NEW.product_code} /qn /norestart')
    )


def test_a_real_run_refuses_to_install_in_peak_hours_and_check_mode_or_force_does_not():
    installed = {OLD.product_code: "4.2.0"}
    plan = ClientSoftwarePlan(wanted(at=PEAK), "7")
    with pytest.raises(
        PlanError, match=r"refused: it is now Tue 10:00 .*peak hours.*client_software_force_window"
    ):
        plan.steps(state_of(plan, installed, SETTINGS))
    for changes in ({"check_mode": True}, {"force": True}):
        plan = ClientSoftwarePlan(wanted(at=PEAK, **changes), "7")
        assert plan.steps(state_of(plan, installed, SETTINGS))
    # Nothing to change: no refusal, whatever the time.
    plan = ClientSoftwarePlan(wanted(at=PEAK), "7")
    assert plan.steps(state_of(plan, {NEW.product_code: "4.3.0"}, SETTINGS)) == []


def test_the_sunday_maintenance_window_is_refused_too():
    plan = ClientSoftwarePlan(wanted(at=datetime(2026, 12, 6, 4, 0)), "7")
    with pytest.raises(PlanError, match="VNACCS maintenance"):
        plan.steps(state_of(plan, {}, SETTINGS))


def test_a_fetch_password_stays_out_of_the_commands():
    plan = ClientSoftwarePlan(wanted(fetch_user="clientro", fetch_password="S3cret-pw"), "7")
    fetch = plan.steps(state_of(plan, {}, SETTINGS))[0]
    assert fetch.file.secret and "user clientro S3cret-pw" in fetch.file.lines
    assert not any("S3cret-pw" in line for line in fetch.command_lines() + fetch.preview())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"terminal_id": ""}, "terminal_id: '' is not a Terminal ID"),
        ({"base_server": "bad host"}, "base_server: 'bad host'"),
        ({"download_dir": r"C:\Program Files\x"}, "download_dir"),
        ({"ftp_path": "/a/../b.msi"}, "ftp_path"),
        ({"fetch_user": "two words"}, "fetch_user"),
    ],
)
def test_bad_arguments_are_refused_naming_them(changes, message):
    with pytest.raises(PlanError, match=message.replace("(", r"\(")):
        wanted(**changes)


def ftp(stdout: str) -> CommandResult:
    return CommandResult("ftp", stdout, "", 0)


def test_the_ftp_transcript_is_judged_not_the_exit_code():
    whole = (
        "220 Microsoft FTP Service\r\n230 User logged in.\r\n150 Opening\r\n226 Transfer complete.\r\n"
        "ftp: 2000 bytes received in 0.01Seconds 200.00Kbytes/sec.\r\n"
    )
    assert ftp_transcript_problem(ftp(whole), 2000) is None
    assert "1999 bytes arrived" in ftp_transcript_problem(
        ftp(whole.replace("2000 bytes", "1999 bytes")), 2000
    )
    refused = "220 Microsoft FTP Service\r\n530 User cannot log in.\r\nLogin failed.\r\n"
    assert ftp_transcript_problem(ftp(refused), 2000) == "the base server answered '530 User cannot log in.'"
    missing = (
        "230 User logged in.\r\n550 /ClientUpgrades/x.msi: The system cannot find the file specified.\r\n"
    )
    assert "550" in ftp_transcript_problem(ftp(missing), 2000)
    assert "no transfer was completed" in ftp_transcript_problem(ftp("Unknown host 198.19.48.1.\r\n"), 2000)


@pytest.mark.parametrize(
    ("code", "fails"), [(0, False), (3010, False), (1641, False), (1603, True), (1620, True)]
)
def test_msiexec_exit_codes(code, fails):
    problem = msi_judge(CommandResult("msiexec", "", "", code))
    assert (problem is not None) == fails
    if fails:
        assert msi_code_text(code) in problem
    assert "not a code" in msi_code_text(4242)
