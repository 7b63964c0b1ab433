"""The shared WinRM command layer, against a fake pywinrm Protocol (no network)."""

from __future__ import annotations

import json

import pytest
import requests
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.account_guard import AccountGuard
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import (
    CMD_LINE_LIMIT,
    ConnectionSettings,
    FamilyMemory,
    WindowsSession,
    WinRMAccountHeldError,
    WinRMAuthenticationError,
    WinRMCommandError,
    WinRMCommandTimeoutError,
    WinRMFamilyChangedError,
    WinRMSettingsError,
    WinRMUnreachableError,
    cmd_escape,
    echo_file_commands,
    script_run_command,
)
from winrm.exceptions import (
    InvalidCredentialsError,
    WinRMOperationTimeoutError,
    WinRMTransportError,
    WSManFaultError,
)

from tests.support.action import FakeProtocol

PASSWORD = "S3cret-Pass"
HOST_VARS = {"ansible_host": "10.27.10.5", "ansible_user": "HQ\\dhcpadmin", "ansible_password": PASSWORD}


def session_with(protocol: FakeProtocol, **kwargs) -> WindowsSession:
    settings = ConnectionSettings.from_host_vars("bac-ninh-cchq-tien-son", HOST_VARS)
    return WindowsSession(settings, protocol_factory=lambda _settings: protocol, **kwargs)


# -- settings ---------------------------------------------------------------------------------------
def test_settings_default_to_ntlm_over_http_on_5985():
    settings = ConnectionSettings.from_host_vars("h", HOST_VARS)
    assert (settings.transport, settings.scheme, settings.port) == ("ntlm", "http", 5985)
    assert settings.endpoint == "http://10.27.10.5:5985/wsman"
    assert settings.validate_certs is True


def test_settings_https_defaults_to_5986_and_reads_cert_validation():
    settings = ConnectionSettings.from_host_vars(
        "h", {**HOST_VARS, "ansible_winrm_scheme": "https", "ansible_winrm_server_cert_validation": "ignore"}
    )
    assert settings.endpoint == "https://10.27.10.5:5986/wsman"
    assert settings.validate_certs is False


def test_settings_take_port_and_transport_from_host_vars():
    settings = ConnectionSettings.from_host_vars(
        "h", {**HOST_VARS, "ansible_port": "15985", "ansible_winrm_transport": "basic"}
    )
    assert (settings.port, settings.transport) == (15985, "basic")


def test_credentials_fall_back_to_the_environment():
    environ = {"VNACCS_WINRM_USER": "envuser", "VNACCS_WINRM_PASSWORD": "envpass"}
    settings = ConnectionSettings.from_host_vars("h", {"ansible_host": "10.0.0.1"}, environ=environ)
    assert (settings.user, settings.password) == ("envuser", "envpass")


def test_missing_credentials_name_the_host_and_both_sources():
    with pytest.raises(WinRMSettingsError) as error:
        ConnectionSettings.from_host_vars("lao-cai-cchq", {"ansible_host": "10.0.0.1"}, environ={})
    assert "lao-cai-cchq" in str(error.value)
    assert "VNACCS_WINRM_PASSWORD" in str(error.value)


@pytest.mark.parametrize(
    ("extra", "word"),
    [
        ({"ansible_winrm_transport": "telnet"}, "ansible_winrm_transport"),
        ({"ansible_port": "x"}, "ansible_port"),
    ],
)
def test_bad_settings_are_refused(extra, word):
    with pytest.raises(WinRMSettingsError, match=word):
        ConnectionSettings.from_host_vars("h", {**HOST_VARS, **extra})


@pytest.mark.fault
def test_repr_of_settings_hides_the_password():
    assert PASSWORD not in repr(ConnectionSettings.from_host_vars("h", HOST_VARS))


# -- one shell, several commands --------------------------------------------------------------------
def test_one_shell_in_code_page_437_serves_several_commands():
    protocol = FakeProtocol({"hostname": (b"DHCP01\r\n", b"", 0), "ver": (b"x", b"", 0)})
    with session_with(protocol) as session:
        assert session.run("hostname").stdout == "DHCP01\r\n"
        session.run("ver")
    assert protocol.steps("open_shell") == [("open_shell", 437)]
    assert len(protocol.steps("run_command")) == 2
    assert len(protocol.steps("cleanup_command")) == 2
    assert protocol.steps("close_shell") == [("close_shell", "SHELL-1")]


def test_output_is_decoded_from_code_page_437():
    protocol = FakeProtocol({"type f": (b"Caf\x82 \x84\r\n", b"Acc\x82s\r\n", 3)})
    result = session_with(protocol).run("type f")
    assert (result.stdout, result.stderr, result.exit_code) == ("Café ä\r\n", "Accés\r\n", 3)
    assert not result.ok


def test_check_raises_with_the_result_attached():
    protocol = FakeProtocol({"sc start X": (b"[SC] StartService FAILED 1058:\r\n", b"", 1058)})
    with pytest.raises(WinRMCommandError) as error:
        session_with(protocol).run("sc start X", check=True)
    assert error.value.result.exit_code == 1058
    assert "FAILED 1058" in str(error.value)


def test_a_command_over_the_cmd_line_limit_is_refused_before_sending():
    protocol = FakeProtocol()
    with pytest.raises(WinRMCommandError, match="8191"):
        session_with(protocol).run("echo " + "x" * CMD_LINE_LIMIT)
    assert protocol.calls == []


# -- typed errors -----------------------------------------------------------------------------------
@pytest.mark.fault
def test_authentication_failure_is_raised_at_once_and_never_retried():
    protocol = FakeProtocol(fail_on="open_shell", error=InvalidCredentialsError("rejected"))
    session = session_with(protocol)
    with pytest.raises(WinRMAuthenticationError) as error:
        session.run("hostname")
    assert len(protocol.steps("open_shell")) == 1
    assert protocol.steps("run_command") == []
    message = str(error.value)
    assert "bac-ninh-cchq-tien-son" in message and "Article 18" in message
    assert "for user 'HQ\\dhcpadmin'" in message  # as the inventory spells it
    assert PASSWORD not in message


@pytest.mark.fault
def test_http_401_from_the_transport_is_an_authentication_failure():
    protocol = FakeProtocol(fail_on="run_command", error=WinRMTransportError("http", 401, "denied"))
    with pytest.raises(WinRMAuthenticationError):
        session_with(protocol).run("hostname")
    assert len(protocol.steps("run_command")) == 1


@pytest.mark.fault
def test_refused_connection_is_unreachable_and_names_the_host():
    protocol = FakeProtocol(fail_on="open_shell", error=requests.exceptions.ConnectionError("refused"))
    with pytest.raises(WinRMUnreachableError) as error:
        session_with(protocol).run("hostname")
    assert "bac-ninh-cchq-tien-son" in str(error.value)
    assert "10.27.10.5:5985" in str(error.value)


def test_a_wsman_fault_is_a_command_error():
    fault = WSManFaultError(code=500, message="fault", response="", reason="The shell was not found")
    protocol = FakeProtocol(fail_on="get_command_output_raw", error=fault)
    with pytest.raises(WinRMCommandError, match="could not read"):
        session_with(protocol).run("hostname")
    assert len(protocol.steps("cleanup_command")) == 1


# -- version detection ------------------------------------------------------------------------------
VER_2003 = b"\r\nMicrosoft Windows [Version 5.2.3790]\r\n"
VER_6 = b"\r\nMicrosoft Windows [Version 6.0.6002]\r\n"
OS_2008 = b"OS Name:                   Microsoft Windows Server 2008 Standard\r\n"


@pytest.mark.parametrize(
    ("answers", "family", "commands"),
    [
        ({"ver": (VER_2003, b"", 0)}, "2003", ["ver"]),
        ({"ver": (b"\r\nMicrosoft Windows XP [Version 5.1.2600]\r\n", b"", 0)}, "xp", ["ver"]),
        (
            {
                "ver": (VER_6, b"", 0),
                "systeminfo": (OS_2008, b"", 0),
            },
            "2008",
            ["ver", "systeminfo"],
        ),
        (
            {
                "ver": (b"\r\nMicrosoft Windows [Version 6.1.7601]\r\n", b"", 0),
                "systeminfo": (b"OS Name:                   Microsoft Windows 7 Professional\r\n", b"", 0),
            },
            "7",
            ["ver", "systeminfo"],
        ),
    ],
)
def test_version_is_detected_once_per_session(answers, family, commands):
    protocol = FakeProtocol(answers)
    session = session_with(protocol)
    assert session.windows_family() == family
    assert session.windows_family() == family
    assert [call[2] for call in protocol.steps("run_command")] == commands


def test_the_inventory_version_settles_nt6_without_systeminfo():
    protocol = FakeProtocol({"ver": (VER_6, b"", 0), "hostname": b"DHCP01\r\n"})
    session = session_with(protocol, windows_version="2008")
    assert session.windows_family() == "2008"
    assert session.run("hostname").stdout == "DHCP01\r\n"
    assert protocol.commands == ["ver&echo ==vnaccs:ver==&hostname"]


def test_an_inventory_version_is_confirmed_by_the_next_command_in_the_same_round_trip():
    protocol = FakeProtocol({"ver": (VER_2003, b"", 0), "probe": (b"state\r\n", b"warn", 3)})
    session = session_with(protocol, windows_version="2003")
    assert session.windows_family() == "2003"
    assert protocol.commands == []  # no round trip for the family itself
    result = session.run("probe")
    assert (result.command, result.stdout, result.stderr, result.exit_code) == (
        "probe",
        "state\r\n",
        "warn",
        3,
    )
    session.run("probe")
    assert protocol.commands == ["ver&echo ==vnaccs:ver==&probe", "probe"]


def test_a_command_too_long_to_carry_ver_is_preceded_by_it():
    protocol = FakeProtocol({"ver": (VER_2003, b"", 0)})
    session = session_with(protocol, windows_version="2003")
    session.windows_family()
    long_line = "echo " + "x" * (CMD_LINE_LIMIT - 10)
    session.run(long_line)
    assert protocol.commands == ["ver", long_line]


@pytest.mark.fault
@pytest.mark.parametrize(
    ("hint", "ver"), [("2003", VER_6), ("2008", VER_2003), ("xp", VER_2003), ("7", b"junk")]
)
def test_an_inventory_version_that_contradicts_ver_fails_the_command_carrying_it(hint, ver):
    protocol = FakeProtocol({"ver": (ver, b"", 0), "probe": b"state\r\n"})
    session = session_with(protocol, windows_version=hint)
    assert session.windows_family() == hint
    with pytest.raises(WinRMCommandError, match=f"windows_version={hint}|Windows version"):
        session.run("probe")
    with pytest.raises(WinRMCommandError, match="was not sent"):
        session.run("netsh dhcp server add scope")
    assert len(protocol.commands) == 1  # nothing sent after it


@pytest.mark.fault
def test_an_unknown_inventory_version_is_checked_with_ver_at_once():
    protocol = FakeProtocol({"ver": (VER_2003, b"", 0)})
    with pytest.raises(WinRMCommandError, match="windows_version=2012"):
        session_with(protocol, windows_version="2012").windows_family()
    assert protocol.commands == ["ver"]


# The endpoint of session_with's host (HOST_VARS).
ENDPOINT = "http://10.27.10.5:5985/wsman"
VER_7 = b"\r\nMicrosoft Windows [Version 6.1.7601]\r\n"
OS_7 = b"OS Name:                   Microsoft Windows 7 Professional\r\n"


def test_a_detected_family_is_remembered_and_the_next_session_carries_ver(tmp_path):
    memory = FamilyMemory(tmp_path)
    answers = {"ver": (VER_6, b"", 0), "systeminfo": (OS_2008, b"", 0), "probe": b"state\r\n"}
    first = FakeProtocol(answers)
    session = session_with(first, memory=memory)
    assert session.windows_family() == "2008"
    session.run("probe")
    assert first.commands == ["ver", "systeminfo", "probe"]
    assert memory.recall("bac-ninh-cchq-tien-son", ENDPOINT) == "2008"

    again = FakeProtocol(answers)
    session = session_with(again, memory=FamilyMemory(tmp_path))
    assert session.windows_family() == "2008"
    assert session.run("probe").stdout == "state\r\n"
    assert again.commands == ["ver&echo ==vnaccs:ver==&probe"]  # one round trip, ver confirms it


def test_the_inventory_version_wins_over_the_memory_and_is_not_written_to_it(tmp_path):
    memory = FamilyMemory(tmp_path)
    memory.remember("bac-ninh-cchq-tien-son", ENDPOINT, "2003", "5.2.3790")
    protocol = FakeProtocol({"ver": (VER_6, b"", 0)})
    session = session_with(protocol, windows_version="2008", memory=memory)
    assert session.windows_family() == "2008"
    session.run("probe")
    assert memory.recall("bac-ninh-cchq-tien-son", ENDPOINT) == "2003"


@pytest.mark.fault
@pytest.mark.parametrize(
    ("remembered", "ver", "answers", "family", "detection"),
    [
        ("2003", VER_6, {"systeminfo": (OS_2008, b"", 0)}, "2008", ["systeminfo"]),
        ("2008", VER_2003, {}, "2003", []),
        ("7", b"junk", {"systeminfo": (OS_7, b"", 0)}, "7", ["ver", "systeminfo"]),
    ],
    ids=["upgraded", "reinstalled-older", "ver-unreadable"],
)
def test_a_host_that_no_longer_runs_the_remembered_family_is_read_again(
    tmp_path, remembered, ver, answers, family, detection
):
    memory = FamilyMemory(tmp_path)
    memory.remember("bac-ninh-cchq-tien-son", ENDPOINT, remembered, "old")
    vers = [ver, VER_7]  # the carried `ver`'s output, then a plain `ver`'s, if one is sent

    def answer(command: str):
        if command == "ver":
            return vers.pop(0), b"", 0
        return answers.get(command, (b"", b"", 0))

    protocol = FakeProtocol(answer)
    session = session_with(protocol, memory=memory)
    assert session.windows_family() == remembered
    with pytest.raises(WinRMFamilyChangedError, match=f"no longer runs {remembered}"):
        session.run("probe")
    assert memory.recall("bac-ninh-cchq-tien-son", ENDPOINT) is None
    # The work is done again: the family is read afresh (the carried `ver` is not asked twice).
    assert session.windows_family() == family
    session.run("probe")
    assert protocol.commands == ["ver&echo ==vnaccs:ver==&probe", *detection, "probe"]
    assert memory.recall("bac-ninh-cchq-tien-son", ENDPOINT) == family


def test_a_record_holds_for_the_same_endpoint_only(tmp_path):
    memory = FamilyMemory(tmp_path)
    memory.remember("dhcp-a", "http://127.0.0.1:10001/wsman", "2003", "5.2.3790")
    # The lab's host of that name does not stand for the real one, nor the real one for the lab's.
    assert memory.recall("dhcp-a", "http://10.27.10.5:5985/wsman") is None
    assert memory.recall("dhcp-a", "http://127.0.0.1:10001/wsman") == "2003"


def test_an_unreadable_or_foreign_memory_file_is_ignored(tmp_path):
    memory = FamilyMemory(tmp_path)
    memory.remember("dhcp-a", ENDPOINT, "2003", "5.2.3790")
    memory._path("dhcp-a").write_text("{not json", encoding="utf-8")
    assert memory.recall("dhcp-a", ENDPOINT) is None
    memory._path("dhcp-b").write_text(
        json.dumps({"host": "dhcp-a", "endpoint": ENDPOINT, "family": "2003"}), encoding="utf-8"
    )
    assert memory.recall("dhcp-b", ENDPOINT) is None  # a file that names another host
    memory.remember("odd/name", ENDPOINT, "xp", "5.1.2600")
    assert memory.recall("odd/name", ENDPOINT) == "xp"
    assert memory._path("odd/name").stat().st_mode & 0o777 == 0o600  # the user's alone
    assert all(path.parent == memory.folder for path in memory.folder.iterdir())


def test_unreadable_ver_output_is_an_error():
    with pytest.raises(WinRMCommandError, match="Windows version"):
        session_with(FakeProtocol({"ver": (b"garbage", b"", 0)})).windows_family()


# -- writing files with echo ------------------------------------------------------------------------
def test_specials_are_escaped_outside_quotes_only():
    assert cmd_escape("a & b | c < d > e (f) 50% ^g") == "a ^& b ^| c ^< d ^> e ^(f^) 50^% ^^g"
    assert cmd_escape('add scope 1.2.3.0 "A & B (C)"') == 'add scope 1.2.3.0 "A & B (C)"'


@pytest.mark.parametrize("text", ['name "50%"', "Chi cục", "two\nlines"])
def test_lines_cmd_cannot_echo_faithfully_are_refused(text):
    with pytest.raises(ValueError):
        cmd_escape(text)


def test_echo_puts_the_redirection_first_and_truncates_once():
    commands = echo_file_commands(r"C:\WINDOWS\Temp\plan.txt", ["set state 1", "", "second"])
    assert commands == [
        r">C:\WINDOWS\Temp\plan.txt echo set state 1&>>C:\WINDOWS\Temp\plan.txt echo."
        r"&>>C:\WINDOWS\Temp\plan.txt echo second"
    ]


def test_echo_commands_are_chunked_under_the_budget():
    lines = [f"dhcp server scope 10.0.{n}.0 set state 1" for n in range(200)]
    commands = echo_file_commands(r"%SystemRoot%\Temp\p.txt", lines, budget=500)
    assert len(commands) > 1
    assert all(len(command) <= 500 for command in commands)
    assert commands[0].startswith(r">%SystemRoot%\Temp\p.txt echo ")
    assert all(command.startswith(">>") for command in commands[1:])
    assert sum(command.count(" echo ") for command in commands) == 200


def test_an_empty_file_is_still_written():
    assert echo_file_commands(r"C:\t.txt", []) == [r"type nul>C:\t.txt"]


@pytest.mark.parametrize("path", [r"C:\Program Files\x.txt", r"C:\a&b.txt", 'C:\\"x".txt'])
def test_paths_cmd_would_split_are_refused(path):
    with pytest.raises(ValueError):
        echo_file_commands(path, ["x"])


# -- faults: deadlines and locked accounts -------------------------------------------------------------
class HangingProtocol(FakeProtocol):
    """A host that stops answering `hangs`: every Receive of it times out, as WinRM's do (reference 10.5)."""

    def __init__(self, hangs: str) -> None:
        super().__init__()
        self.hangs = hangs
        self.current = ""

    def run_command(self, shell_id, command, args=()):
        self.current = command
        return super().run_command(shell_id, command, args)

    def get_command_output_raw(self, shell_id, command_id):
        if self.current == self.hangs:
            self._record("get_command_output_raw", shell_id, command_id)
            raise WinRMOperationTimeoutError()
        return super().get_command_output_raw(shell_id, command_id)


@pytest.mark.fault
def test_the_command_deadline_comes_from_the_host_variable():
    settings = ConnectionSettings.from_host_vars("h", {**HOST_VARS, "vnaccs_winrm_command_timeout_sec": "45"})
    assert settings.command_timeout == 45
    assert ConnectionSettings.from_host_vars("h", HOST_VARS).command_timeout == 300


@pytest.mark.fault
def test_a_command_past_its_deadline_is_named_and_nothing_more_is_sent_until_reconnected():
    protocol = HangingProtocol("netsh exec plan.txt")
    session = session_with(protocol)
    with pytest.raises(WinRMCommandTimeoutError) as error:
        session.run("netsh exec plan.txt", timeout=0)
    assert str(error.value).startswith(
        "bac-ninh-cchq-tien-son: `netsh exec plan.txt` did not finish within 0 s"
    )
    assert len(protocol.steps("cleanup_command")) == 1  # the command is abandoned on the host
    sent = len(protocol.calls)
    with pytest.raises(
        WinRMCommandTimeoutError, match=r"`del plan\.txt` was not sent: the host stopped answering"
    ):
        session.run("del plan.txt")
    assert len(protocol.calls) == sent
    session.reconnect()
    assert session.run("hostname").ok
    assert protocol.shells == 2 and protocol.steps("close_shell") == [("close_shell", "SHELL-1")]


def guarded_session(tmp_path, protocol: FakeProtocol, address: str) -> WindowsSession:
    settings = ConnectionSettings.from_host_vars(f"dhcp-{address}", {**HOST_VARS, "ansible_host": address})
    return WindowsSession(settings, protocol_factory=lambda _s: protocol, guard=AccountGuard(tmp_path))


@pytest.mark.fault
def test_a_password_that_worked_and_is_now_refused_is_reported_as_a_locked_account(tmp_path):
    with guarded_session(tmp_path, FakeProtocol(), "10.27.10.5") as session:
        session.run("hostname")
    refused = FakeProtocol(fail_on="open_shell", error=InvalidCredentialsError("rejected"))
    with pytest.raises(WinRMAuthenticationError) as error:
        guarded_session(tmp_path, refused, "10.27.10.6").open()
    message = str(error.value)
    assert error.value.locked is True and refused.shells == 1
    assert message.startswith("dhcp-10.27.10.6: the account 'hq\\dhcpadmin' is locked: ")
    assert "(on dhcp-10.27.10.5)" in message and "./run accounts --clear 'hq\\dhcpadmin'" in message
    assert "Check the password" not in message and PASSWORD not in message
    # Every other host with the account is not tried, and is told that it is locked.
    untouched = FakeProtocol()
    with pytest.raises(WinRMAccountHeldError, match=r"'hq\\dhcpadmin' is locked") as held:
        guarded_session(tmp_path, untouched, "10.27.10.7").open()
    assert held.value.locked is True and untouched.calls == []


@pytest.mark.fault
def test_a_first_refusal_says_the_password_may_be_wrong_or_the_account_locked(tmp_path):
    refused = FakeProtocol(fail_on="open_shell", error=InvalidCredentialsError("rejected"))
    with pytest.raises(WinRMAuthenticationError) as error:
        guarded_session(tmp_path, refused, "10.27.10.5").open()
    assert error.value.locked is False
    assert "Check the password" in str(error.value) and "the account is locked" in str(error.value)


@pytest.mark.fault
def test_a_connection_lost_before_the_reply_names_the_command_that_may_have_run():
    error = requests.exceptions.ConnectionError("Connection aborted")
    protocol = FakeProtocol(fail_on="get_command_output_raw", error=error)
    with pytest.raises(WinRMUnreachableError) as lost:
        session_with(protocol).run("netsh exec plan.txt")
    assert str(lost.value) == (
        "bac-ninh-cchq-tien-son: the reply to `netsh exec plan.txt` was lost (WinRM is unreachable at "
        "http://10.27.10.5:5985/wsman: could not read a command's output (ConnectionError))"
    )


def test_a_script_run_command_writes_the_script_runs_it_and_deletes_it_in_one_line():
    line = script_run_command(r"%SystemRoot%\Temp\probe.txt", ["open 10.0.0.6", "bye"], "ftp -n -s:X")
    assert line == (
        r">%SystemRoot%\Temp\probe.txt echo open 10.0.0.6&>>%SystemRoot%\Temp\probe.txt echo bye"
        r"&ftp -n -s:X&del %SystemRoot%\Temp\probe.txt"
    )
