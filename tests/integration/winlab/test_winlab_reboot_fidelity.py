"""winlab's schtasks, shutdown and `net statistics workstation` per version, against their sources.

Sources (cited beside the code in winlab/model/tasks.py and net.py): the XP schtasks page
(learn.microsoft.com windows-xp bb490996) and the 2003 and Vista/2008 schtasks syntax (reference 6.1);
the NT 6 CSV row in rapid7/metasploit-framework's task_scheduler_spec.rb (quotes inside a field not
doubled, start time h:mm:ss AM/PM); XP's and 7's `shutdown /?` (pastebin.com/JNVFS7vE, 4mB3szRZ) and
ss64.com/nt/shutdown.html; public captures of `net statistics workstation`. Tests of a behaviour winlab
assumes ([U] in the code) are marked `assumption`.

The hosts are driven in-process (Host.run runs a command line as the WinRM shell does).
"""

from __future__ import annotations

import pytest

from winlab.model import tasks
from winlab.model.host import Host, split_args

USER = "Administrator"
RUN = 'shutdown -r -t 60 -d p:4:1 -c \\"Khoi dong lai\\"'


def _host(profile: str, clock: str | None = "2026-11-30T10:00:00") -> Host:
    host = Host(f"ws-{profile}", profile)
    host.state["clock"] = clock
    return host


def create(host: Host, extra: str = "", run: str = RUN, start: str | None = None) -> tuple[str, str, int]:
    start = start or ("12:15" if host.profile.nt6 else "12:15:00")
    result = host.run(
        f'schtasks /create /tn Restart /tr "{run}" /sc DAILY /st {start} /ru SYSTEM{extra}', USER
    )
    return result.stdout, result.stderr, result.exit_code


# -- schtasks /create: the switches each version has -----------------------------------------------------
@pytest.mark.parametrize("switch", ["/F", "/Z", "/IT", "/V1", "/RL HIGHEST", "/RI 10", "/DU 0001:00"])
def test_xp_refuses_the_create_switches_it_lacks(switch):
    host = _host("xp")
    out, _, code = create(host, f" {switch}")
    assert code == 1
    assert out.startswith(f"ERROR: Invalid argument/option - '{switch.split()[0]}'.")
    assert host.state["tasks"] == {}


@pytest.mark.parametrize(
    ("profile", "switch"), [("2003", "/F"), ("2003", "/Z"), ("2003", "/IT"), ("7", "/RL HIGHEST")]
)
def test_later_versions_take_their_switches(profile, switch):
    assert create(_host(profile), f" {switch}")[2] == 0


@pytest.mark.parametrize("switch", ["/V1", "/RL HIGHEST"])
def test_2003_refuses_the_vista_switches(switch):
    assert create(_host("2003"), f" {switch}")[2] == 1


@pytest.mark.assumption
def test_xp_cannot_create_over_an_existing_task():
    # XP has no /F; the wording of the refusal is [U].
    host = _host("xp")
    assert create(host)[2] == 0
    out, _, code = create(host)
    assert code == 1 and out.startswith("ERROR: ")


# -- schtasks: the task's command line --------------------------------------------------------------------
def test_escaped_quotes_reach_the_task_as_quotes():
    host = _host("7")
    assert create(host)[2] == 0
    assert host.state["tasks"]["restart"]["run"] == 'shutdown -r -t 60 -d p:4:1 -c "Khoi dong lai"'


def test_schtasks_arguments_follow_the_c_runtime_rules():
    def split(text: str) -> list[str]:
        return split_args(text, backslash_quotes=True)

    assert split(r'/tr "a \"b c\" d" /ru SYSTEM') == ["/tr", 'a "b c" d', "/ru", "SYSTEM"]
    assert split(r"C:\dir\ x") == ["C:\\dir\\", "x"]
    assert split(r'"C:\dir\\" y') == ["C:\\dir\\", "y"]
    # Without the rule (every other command), a backslash before a quote is just a backslash.
    assert split_args(r'"C:\dir\" y') == ["C:\\dir\\", "y"]


@pytest.mark.parametrize("profile", ["xp", "7"])
def test_a_task_command_over_261_characters_is_refused(profile):
    host = _host(profile)
    out, err, code = create(host, run="x" * 262)
    assert (out, err, code) == (
        "",
        "ERROR: Value for '/tr' option cannot be more than 261 character(s).\r\n",
        1,
    )
    assert create(host, run="x" * 261)[2] == 0


# -- schtasks /query /fo csv /v ------------------------------------------------------------------------------
def test_nt6_csv_keeps_quotes_inside_a_field_and_prints_the_start_time_in_12_hours():
    host = _host("7")
    create(host)
    text = host.run("schtasks /query /fo csv /v /tn Restart", USER).stdout
    row = text.split("\r\n")[2]
    assert ',"shutdown -r -t 60 -d p:4:1 -c "Khoi dong lai"","N/A",' in row
    assert ',"Daily","12:15:00 PM","11/30/2026",' in row


@pytest.mark.assumption
def test_nt5_csv_keeps_quotes_inside_a_field_too():
    host = _host("xp")
    create(host)
    row = host.run("schtasks /query /fo csv /v", USER).stdout.split("\r\n")[1]
    assert ',"shutdown -r -t 60 -d p:4:1 -c "Khoi dong lai"","N/A",' in row
    assert ',"Daily ","12:15:00","30-11-2026",' in row


# -- shutdown: the limits of each version ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("profile", "longest"), [("xp", 600), ("2003", 600), ("2008", 600), ("7", 315360000)]
)
def test_the_longest_delay_per_version(profile, longest):
    host = _host(profile)
    switch = "/" if host.profile.nt6 else "-"
    assert host.run(f"shutdown {switch}r {switch}t {longest + 1}", USER).exit_code != 0
    assert host.state["reboots"] == []
    assert host.run(f"shutdown {switch}r {switch}t {longest}", USER).exit_code == 0
    assert host.state["reboots"][0]["delay"] == longest


@pytest.mark.parametrize(("profile", "longest"), [("xp", 127), ("7", 512)])
def test_the_longest_comment_per_version(profile, longest):
    host = _host(profile)
    s = "/" if host.profile.nt6 else "-"
    too_long = host.run(f'shutdown {s}r {s}t 60 {s}d p:4:1 {s}c "{"a" * (longest + 1)}"', USER)
    assert too_long.exit_code != 0 and host.state["reboots"] == []
    fits = host.run(f'shutdown {s}r {s}t 60 {s}d p:4:1 {s}c "{"a" * longest}"', USER)
    assert fits.exit_code == 0
    assert host.state["reboots"][0]["comment"] == "a" * longest
    assert host.state["reboots"][0]["reason"] == "p:4:1"


def test_nt6_wants_a_reason_with_a_comment():
    # "You must first provide a reason by using the /d option." [D]
    host = _host("7")
    assert host.run('shutdown /r /t 60 /c "x"', USER).exit_code == 87
    assert host.run('shutdown /r /t 60 /d p:4:1 /c "x"', USER).exit_code == 0


@pytest.mark.parametrize("reason", ["p:256:1", "p:4:65536", "x"])
def test_a_reason_out_of_range_is_refused(reason):
    host = _host("xp")
    assert host.run(f"shutdown -r -t 60 -d {reason}", USER).exit_code != 0


@pytest.mark.assumption
def test_nt5_takes_only_dash_switches():
    # XP's and 2003's help list dash switches; refusing the slash form is the stricter choice [U].
    host = _host("xp")
    assert host.run("shutdown /r /t 60", USER).exit_code == 1
    assert host.run("shutdown -r -t 60", USER).exit_code == 0


# -- net statistics workstation: the last start -------------------------------------------------------------
@pytest.mark.parametrize("profile", ["xp", "7"])
def test_statistics_since_the_last_start(profile):
    host = _host(profile)
    lines = host.run("net statistics workstation", USER).stdout.split("\r\n")
    assert lines[:6] == [
        f"Workstation Statistics for \\\\WS-{profile.upper()}",
        "",
        "",
        "Statistics since 11/30/2026 7:00:00 AM",
        "",
        "",
    ]
    assert lines[6] == "  Bytes received                               8511138"
    assert lines[-3:] == ["The command completed successfully.", "", ""]
    # After a restart the line moves to its time.
    host.state["clock"] = "2026-11-30T12:31:05"
    tasks.complete_reboot(host)
    assert "Statistics since 11/30/2026 12:31:05 PM" in host.run("net statistics workstation", USER).stdout
