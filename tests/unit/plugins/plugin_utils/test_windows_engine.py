"""The one Windows apply engine: check mode, exit codes, restarts, re-planning, read-back, failures."""

from __future__ import annotations

import contextlib
import os
import time
from typing import Any

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import windows_engine
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import (
    HOST_LOCK,
    PROBE_MARK,
    Command,
    PlanError,
    Step,
    TextFile,
    WindowsPlan,
    apply_plan,
    sc_start,
    servermanagercmd_install,
    sysocmgr_install,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import (
    CommandResult,
    WinRMCommandError,
    WinRMCommandTimeoutError,
    WinRMUnreachableError,
)

from tests.support.clock import FakeClock

PROBE = "probe"


def sc_query(state: str, code: int, exit_code: int = 0) -> tuple[str, int]:
    """`sc query Spooler` as Windows Server 2008 prints it (tests/fixtures/windows/sc_query_*)."""
    text = (
        "\r\nSERVICE_NAME: Spooler \r\n        TYPE               : 110  WIN32_OWN_PROCESS\r\n"
        f"        STATE              : {code}  {state}\r\n"
        f"        WIN32_EXIT_CODE    : {exit_code}  (0x{exit_code:x})\r\n"
    )
    return text, 0


RUNNING = {"sc query Spooler": sc_query("RUNNING", 4)}


class FakeSession:
    """Answers each command from a table; a command may change what the probe answers next."""

    host = "lao-cai-dhcp"

    def __init__(self, probe: str, answers: dict[str, tuple[str, int]] | None = None, effects=None):
        self.probe = probe
        self.answers = answers or {}
        self.effects = effects or {}
        self.ran: list[str] = []
        self.timeouts: dict[str, float | None] = {}  # the deadline each command was run with
        self.lost: set[str] = set()  # commands whose reply never comes
        self.lost_as: type[Exception] = WinRMCommandError  # how the layer reports the lost reply
        self.locks: list[str] = []
        self.lock_holder = ""  # what `type owner.txt` prints when another run holds the lock
        self.reconnects = 0

    def reconnect(self) -> FakeSession:
        self.reconnects += 1
        return self

    def run(self, command: str, check: bool = False, timeout: float | None = None) -> CommandResult:
        is_probe = command == PROBE or command.endswith(f"&{PROBE}")
        if HOST_LOCK in command and not is_probe:  # the per-host lock: kept apart, see the lock tests
            self.locks.append(command)
            return CommandResult(command, self.lock_holder if command.startswith("mkdir") else "", "", 0)
        self.ran.append(command)
        self.timeouts[command] = timeout
        if command in self.lost:
            self.probe = self.effects.get(command, self.probe)
            raise self.lost_as(f"{self.host}: `{command}` did not finish within 1 s", self.host)
        if is_probe and command.startswith(f"type {HOST_LOCK}"):
            # A real run's first probe: the lock's holder (when a run holds it), then the mark.
            return CommandResult(command, f"{self.lock_holder}{PROBE_MARK}\r\n{self.probe}", "", 0)
        if is_probe:
            return CommandResult(command, self.probe, "", 0)
        self.probe = self.effects.get(command, self.probe)
        answer = self.answers.get(command, ("", 0))
        if isinstance(answer, list):  # a sequence of answers, the last one repeated
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        stdout, code = answer
        return CommandResult(command, stdout, "", code)

    def write_text_file(self, path: str, lines) -> list[str]:
        self.ran.append(f"(write {path})")
        return []


class TablePlan(WindowsPlan):
    """The state is a word; each state maps to the steps that lead to "done"."""

    def __init__(self, steps_by_state: dict[str, list[Step]]) -> None:
        self.steps_by_state = steps_by_state

    def probe_command(self) -> str:
        return PROBE

    def parse_probe(self, stdout: str) -> str:
        return stdout

    def steps(self, state: str) -> list[Step]:
        if state == "impossible":
            raise PlanError("this host cannot be made so")
        return list(self.steps_by_state.get(state, []))

    def render(self, state: str) -> str:
        return f"state {state}\n"

    def render_wanted(self) -> str:
        return "state done\n"

    def result(self, state: str, steps: list[Step]) -> dict[str, Any]:
        return {"planned_on": state}

    def temporary_files(self) -> list[str]:
        return self.files


TablePlan.files = []


START = Step("start Spooler", (sc_start("Spooler"),))


def test_check_mode_runs_only_the_probe_and_lists_every_command_with_its_file():
    step = Step("configure", (Command("tool /apply a.txt"),), file=TextFile("a.txt", ("x=1", "y=2")))
    session = FakeSession("new")
    outcome = apply_plan(session, TablePlan({"new": [step]}), check_mode=True)
    assert session.ran == [PROBE]
    assert outcome.changed is True
    assert outcome.commands == [">a.txt echo x=1&>>a.txt echo y=2", "tool /apply a.txt", "del a.txt"]
    assert outcome.preview == ["# configure", "(write a.txt: x=1; y=2)", "tool /apply a.txt"]
    assert (outcome.before, outcome.after) == ("state new\n", "state done\n")
    assert outcome.extra["steps"] == ["configure"] and outcome.extra["planned_on"] == "new"


def test_nothing_to_do_runs_only_the_probe_and_is_not_changed():
    session = FakeSession("done")
    outcome = apply_plan(session, TablePlan({}), check_mode=False)
    assert (outcome.changed, outcome.commands, session.ran) == (False, [], [PROBE])
    assert outcome.msg == "the host is as wanted"


def test_a_real_run_applies_then_reads_back():
    session = FakeSession("stopped", dict(RUNNING), effects={"sc start Spooler": "done"})
    outcome = apply_plan(session, TablePlan({"stopped": [START]}), check_mode=False)
    # The probe, the probe again under the host lock, the start, the wait for RUNNING, the read-back.
    assert session.ran == [PROBE, PROBE, "sc start Spooler", "sc query Spooler", PROBE]
    assert (outcome.changed, outcome.failed, outcome.msg) == (True, False, "changed")


def test_already_running_is_what_was_wanted_and_not_a_failure():
    answers = {**RUNNING, "sc start Spooler": ("[SC] StartService FAILED 1056:\r\n\r\nAn instance ...", 1056)}
    session = FakeSession("stopped", answers, effects={"sc start Spooler": "done"})
    outcome = apply_plan(session, TablePlan({"stopped": [START]}), check_mode=False)
    assert not outcome.failed, outcome.msg


def test_a_failed_command_stops_the_plan_names_host_step_and_command_and_still_deletes_the_file():
    first = Step("write and run", (Command("tool a.txt"),), file=TextFile("a.txt", ("x",)))
    second = Step("never reached", (Command("other"),))
    session = FakeSession("new", {"tool a.txt": ("Access is denied.", 5)})
    outcome = apply_plan(session, TablePlan({"new": [first, second]}), check_mode=False)
    assert outcome.failed is True
    assert outcome.msg == "lao-cai-dhcp: write and run: `tool a.txt` failed: exit code 5: Access is denied."
    assert (outcome.extra["rc"], outcome.extra["command"]) == (5, "tool a.txt")
    assert session.ran == [PROBE, PROBE, "(write a.txt)", "tool a.txt", "del a.txt"]


def test_a_restart_request_is_a_warning_and_never_a_restart():
    install = servermanagercmd_install("install the role", "DHCP")
    session = FakeSession(
        "absent",
        {"servermanagercmd -install DHCP": ("Success: restart needed", 3010)},
        {"servermanagercmd -install DHCP": "done"},
    )
    outcome = apply_plan(session, TablePlan({"absent": [install]}), check_mode=False)
    assert not outcome.failed, outcome.msg
    assert outcome.extra["reboot_required"] is True
    assert len(outcome.warnings) == 1 and "peak hours" in outcome.warnings[0]
    assert not any("shutdown" in command for command in session.ran)


def test_servermanagercmd_already_installed_is_success():
    install = servermanagercmd_install("install the role", "DHCP")
    session = FakeSession(
        "absent", {"servermanagercmd -install DHCP": ("", 1003)}, {"servermanagercmd -install DHCP": "done"}
    )
    outcome = apply_plan(session, TablePlan({"absent": [install]}), check_mode=False)
    assert not outcome.failed and outcome.extra["reboot_required"] is False


def test_after_an_installer_the_rest_is_planned_from_a_new_probe():
    install = sysocmgr_install("install it", "ans.txt", ("[Components]",))
    planned_blind = Step("configure as guessed", (Command("guess"),))
    real = Step("configure as found", (Command("found"),))
    command = install.commands[0].line
    session = FakeSession("absent", effects={command: "installed", "found": "done"})
    plan = TablePlan({"absent": [install, planned_blind], "installed": [real]})
    outcome = apply_plan(session, plan, check_mode=False)
    assert not outcome.failed, outcome.msg
    assert "guess" not in session.ran and "found" in session.ran
    assert outcome.extra["steps"] == ["install it", "configure as found"]
    assert outcome.extra["planned_on"] == "installed"


def test_an_installer_that_leaves_no_trace_fails_with_its_hint():
    install = sysocmgr_install(
        "install it", "ans.txt", ("[Components]",), hint="the i386 files may be missing"
    )
    after = Step("configure", (Command("configure"),))
    session = FakeSession("absent")
    outcome = apply_plan(session, TablePlan({"absent": [install, after]}), check_mode=False)
    assert outcome.failed is True
    assert outcome.msg == (
        "lao-cai-dhcp: install it: it ran, but the host does not show it (the i386 files may be missing)"
    )
    assert "configure" not in session.ran


def test_leftover_drift_after_applying_fails_instead_of_claiming_success():
    session = FakeSession("stopped", dict(RUNNING))  # the plan's state does not change
    outcome = apply_plan(session, TablePlan({"stopped": [START]}), check_mode=False)
    assert outcome.failed is True
    assert outcome.msg == "lao-cai-dhcp: after applying, the host still differs: start Spooler"


def test_a_note_is_shown_but_never_run_and_is_no_change():
    note = Step("(cannot be read yet)")
    session = FakeSession("odd")
    outcome = apply_plan(session, TablePlan({"odd": [note]}), check_mode=False)
    assert outcome.changed is False and session.ran == [PROBE]
    assert "# (cannot be read yet)" in outcome.preview


def test_a_judge_decides_for_tools_whose_exit_code_says_nothing():
    def judge(result: CommandResult) -> str | None:
        return (
            None if result.stdout.strip().endswith("Command completed successfully.") else "no success line"
        )

    step = Step("netsh", (Command("netsh exec s.txt", judge=judge),))
    session = FakeSession("new", {"netsh exec s.txt": ("The command failed.", 0)})
    outcome = apply_plan(session, TablePlan({"new": [step]}), check_mode=False)
    assert outcome.failed and outcome.msg.endswith("failed: no success line")


def test_plan_errors_are_not_caught_by_the_engine():
    with pytest.raises(PlanError):
        apply_plan(FakeSession("impossible"), TablePlan({}), check_mode=True)


def test_a_started_service_is_waited_for_until_it_runs():
    pending = sc_query("START_PENDING", 2)
    answers = {"sc query Spooler": [pending, pending, sc_query("RUNNING", 4)]}
    session = FakeSession("stopped", answers, effects={"sc start Spooler": "done"})
    clock = FakeClock()
    outcome = apply_plan(session, TablePlan({"stopped": [START]}), False, sleep=clock.sleep, clock=clock)
    assert not outcome.failed, outcome.msg
    assert session.ran.count("sc query Spooler") == 3 and len(clock.sleeps) == 2


@pytest.mark.fault
def test_a_service_that_stays_pending_fails_at_the_deadline_and_stops_the_plan():
    after = Step("configure it", (Command("configure"),))
    session = FakeSession("stopped", {"sc query Spooler": sc_query("START_PENDING", 2)})
    clock = FakeClock()
    plan = TablePlan({"stopped": [START, after]})
    plan.service_start_timeout = 5
    outcome = apply_plan(session, plan, False, sleep=clock.sleep, clock=clock)
    assert outcome.failed is True
    assert outcome.msg == (
        "lao-cai-dhcp: start Spooler: `sc start Spooler` did not bring it up: the service Spooler is "
        "still START_PENDING after 5 s"
    )
    assert "configure" not in session.ran and clock.now >= 5


@pytest.mark.fault
def test_a_service_that_stops_while_starting_fails_with_its_exit_code():
    session = FakeSession("stopped", {"sc query Spooler": sc_query("STOPPED", 1, 1067)})
    clock = FakeClock()
    outcome = apply_plan(session, TablePlan({"stopped": [START]}), False, sleep=clock.sleep, clock=clock)
    assert outcome.failed and outcome.msg.endswith("stopped while starting (WIN32_EXIT_CODE 1067)")
    assert clock.sleeps == []


@pytest.mark.fault
@pytest.mark.parametrize("lost_as", [WinRMCommandError, WinRMUnreachableError])
def test_a_lost_reply_is_judged_by_a_new_probe_and_a_changed_host_says_changed(lost_as):
    step = Step("write and run", (Command("tool a.txt"),), file=TextFile("a.txt", ("x",)))
    plan = TablePlan({"new": [step]})
    plan.files = ["a.txt"]
    session = FakeSession("new", effects={"tool a.txt": "half"})
    session.lost, session.lost_as = {"tool a.txt", "del a.txt"}, lost_as
    outcome = apply_plan(session, plan, check_mode=False)
    assert outcome.failed and outcome.changed
    assert outcome.msg.endswith("did not finish within 1 s; read again, the host has changed")
    # A dropped connection is not the host being unreachable: a new connection reads it back, and
    # that probe deletes the file the step could not delete; the lock is released.
    assert session.reconnects == 1
    assert session.ran[-1] == "del a.txt 2>nul&probe"
    assert session.locks[-1] == f"rmdir /s /q {HOST_LOCK}"


@pytest.mark.fault
def test_a_command_past_its_deadline_fails_naming_it_and_the_host_is_not_asked_again():
    install = servermanagercmd_install("install the role", "DHCP", timeout=900)
    after = Step("configure", (Command("configure"),))
    command = install.commands[0].line
    session = FakeSession("absent", effects={command: "installed"})
    session.lost, session.lost_as = {command}, WinRMCommandTimeoutError
    outcome = apply_plan(session, TablePlan({"absent": [install, after]}), check_mode=False)
    assert outcome.failed is True and outcome.changed is True  # it may have changed: not claimed otherwise
    assert outcome.msg == f"lao-cai-dhcp: `{command}` did not finish within 1 s"
    assert session.ran[-1] == command and session.reconnects == 0


@pytest.mark.fault
def test_an_installer_gets_its_own_deadline_and_the_other_commands_the_hosts():
    install = sysocmgr_install("install it", "ans.txt", ("[Components]",), timeout=2400)
    command = install.commands[0].line
    session = FakeSession("absent", effects={command: "done"})
    outcome = apply_plan(session, TablePlan({"absent": [install]}), check_mode=False)
    assert not outcome.failed, outcome.msg
    assert session.timeouts[command] == 2400
    assert session.timeouts[PROBE] is None  # the host's vnaccs_winrm_command_timeout_sec
    assert servermanagercmd_install("x", "DHCP").commands[0].timeout == 1800


@pytest.mark.fault
def test_a_change_another_run_made_before_the_lock_is_not_made_again():
    class RacedSession(FakeSession):
        def run(self, command, check=False, timeout=None):
            if command.startswith("mkdir "):
                self.probe = "done"  # the other run finished while this one planned
            return super().run(command, check, timeout)

    session = RacedSession("stopped", dict(RUNNING))
    outcome = apply_plan(session, TablePlan({"stopped": [START]}), check_mode=False)
    assert (outcome.failed, outcome.changed, outcome.commands) == (False, False, [])
    assert session.ran == [PROBE, PROBE]  # the second one holding the lock
    assert outcome.before == "state done\n"
    assert session.locks[-1] == f"rmdir /s /q {HOST_LOCK}"


def controller_owner(pid: int) -> str:
    """How the host lock names the run of process `pid` on this controller."""
    name = windows_engine._HostLock(FakeSession("")).owner.rpartition("-pid")[0]
    return f"{name}-pid{pid}"


@pytest.mark.fault
def test_the_lock_of_an_ended_run_of_this_controller_is_taken_over_at_once_and_a_live_ones_is_not():
    dead_pid = 4194305  # above Linux's highest possible pid (PID_MAX_LIMIT, 2**22): no such process
    session = FakeSession("stopped", dict(RUNNING), effects={"sc start Spooler": "done"})
    session.lock_holder = f"{time.time() - 60:.0f} {controller_owner(dead_pid)}\r\n"
    outcome = apply_plan(session, TablePlan({"stopped": [START]}), check_mode=False)
    assert not outcome.failed, outcome.msg
    assert any(f"{controller_owner(dead_pid)} " in w and "that run has ended" in w for w in outcome.warnings)

    live = FakeSession("stopped", dict(RUNNING), effects={"sc start Spooler": "done"})
    live.lock_holder = f"{time.time() - 60:.0f} {controller_owner(os.getppid())}\r\n"
    refused = apply_plan(live, TablePlan({"stopped": [START]}), check_mode=False)
    assert refused.failed and "another run" in refused.msg and "sc start Spooler" not in live.ran


@pytest.mark.fault
def test_a_lost_reply_that_changed_nothing_says_so():
    session = FakeSession("stopped")
    session.lost = {"sc start Spooler"}
    outcome = apply_plan(session, TablePlan({"stopped": [START]}), check_mode=False)
    assert outcome.failed and not outcome.changed
    assert outcome.msg.endswith("read again, the host has not changed")


@pytest.mark.fault
def test_a_real_run_deletes_files_left_by_an_interrupted_one_in_the_probe_and_check_mode_does_not():
    plan = TablePlan({})
    plan.files = [r"C:\WINDOWS\Temp\plan.txt", r"C:\WINDOWS\Temp\answer.txt"]
    session = FakeSession("done")
    apply_plan(session, plan, check_mode=True)
    assert session.ran == [PROBE]
    session.ran.clear()
    outcome = apply_plan(session, plan, check_mode=False)
    # Unless a run holds the host lock (its files are its own), in the probe's round trip.
    assert session.ran == [
        f"type {HOST_LOCK}\\owner.txt 2>nul||del C:\\WINDOWS\\Temp\\plan.txt C:\\WINDOWS\\Temp\\answer.txt "
        f"2>nul&echo {PROBE_MARK}&probe"
    ]
    assert outcome.changed is False and session.locks == []


@pytest.mark.fault
def test_a_live_runs_lock_and_files_are_left_alone_by_a_run_with_nothing_to_change():
    plan = TablePlan({})
    plan.files = ["plan.txt"]
    session = FakeSession("done")
    session.lock_holder = f"{time.time() - 60:.0f} other-controller-pid7\r\n"
    outcome = apply_plan(session, plan, check_mode=False)
    assert (outcome.failed, outcome.changed, outcome.warnings) == (False, False, [])
    assert session.locks == []  # nothing deleted, nothing taken


@pytest.mark.fault
def test_the_lock_and_files_of_a_dead_run_are_removed_by_a_run_with_nothing_to_change():
    plan = TablePlan({})
    plan.files = ["plan.txt", "answer.txt"]
    session = FakeSession("done")
    since = round(time.time() - 7200)
    session.lock_holder = f"{since} dead-controller-pid9\r\n"
    outcome = apply_plan(session, plan, check_mode=False)
    assert (outcome.failed, outcome.changed) == (False, False)
    assert session.locks == [f"del plan.txt answer.txt 2>nul&rmdir /s /q {HOST_LOCK}"]
    assert outcome.warnings == [
        f"lao-cai-dhcp: removed the lock and the temporary files of dead-controller-pid9 (since "
        f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(since))}); that run did not finish"
    ]


@pytest.mark.fault
def test_a_real_run_holds_the_host_lock_while_it_changes_the_host_and_check_mode_does_not():
    session = FakeSession("stopped", dict(RUNNING), effects={"sc start Spooler": "done"})
    apply_plan(session, TablePlan({"stopped": [START]}), check_mode=True)
    assert session.locks == []
    outcome = apply_plan(session, TablePlan({"stopped": [START]}), check_mode=False)
    assert not outcome.failed, outcome.msg
    assert session.locks[0].startswith(f"mkdir {HOST_LOCK} && >{HOST_LOCK}\\owner.txt echo ")
    assert session.locks[-1] == f"rmdir /s /q {HOST_LOCK}"


@pytest.mark.fault
def test_a_host_that_another_run_is_changing_is_refused_and_nothing_is_changed():
    session = FakeSession("stopped", dict(RUNNING), effects={"sc start Spooler": "done"})
    session.lock_holder = f"{time.time() - 60:.0f} other-controller-pid7\r\n"
    outcome = apply_plan(session, TablePlan({"stopped": [START]}), check_mode=False)
    assert outcome.failed is True and outcome.changed is False
    assert "another run (other-controller-pid7, since " in outcome.msg
    assert "nothing was changed" in outcome.msg
    assert "sc start Spooler" not in session.ran
    assert not any(command.startswith("rmdir") for command in session.locks)  # not ours to remove


@pytest.mark.fault
def test_a_stale_lock_is_taken_over_with_a_warning():
    session = FakeSession("stopped", dict(RUNNING), effects={"sc start Spooler": "done"})
    session.lock_holder = f"{time.time() - 7200:.0f} dead-controller-pid9\r\n"
    outcome = apply_plan(session, TablePlan({"stopped": [START]}), check_mode=False)
    assert not outcome.failed, outcome.msg
    assert any("took over a stale lock of dead-controller-pid9" in w for w in outcome.warnings)
    assert session.locks[-1] == f"rmdir /s /q {HOST_LOCK}"


# -- busy exit codes, the failure's log, secret step files ---------------------------------------
def test_a_busy_answer_is_run_again_after_each_pause_then_succeeds():
    install = Command("msiexec /i x.msi", busy_exit=(1618,), busy_pauses=(1.0, 2.0, 4.0))
    session = FakeSession(
        "new", {"msiexec /i x.msi": [("", 1618), ("", 1618), ("", 0)]}, {"msiexec /i x.msi": "done"}
    )
    slept: list[float] = []
    outcome = apply_plan(
        session, TablePlan({"new": [Step("install", (install,))]}), False, sleep=slept.append
    )
    assert not outcome.failed, outcome.msg
    assert session.ran.count("msiexec /i x.msi") == 3
    assert slept == [1.0, 2.0]
    assert outcome.extra["busy_retries"] == 2
    assert sum("1618 (busy)" in warning for warning in outcome.warnings) == 2


def test_busy_past_the_last_pause_fails_with_the_code():
    install = Command("msiexec /i x.msi", busy_exit=(1618,), busy_pauses=(1.0,))
    session = FakeSession("new", {"msiexec /i x.msi": [("", 1618)]})
    slept: list[float] = []
    outcome = apply_plan(
        session, TablePlan({"new": [Step("install", (install,))]}), False, sleep=slept.append
    )
    assert outcome.failed and "exit code 1618" in outcome.msg
    assert session.ran.count("msiexec /i x.msi") == 2 and slept == [1.0]


def test_a_failure_adds_the_last_lines_of_its_diagnosis_and_a_success_runs_none():
    log = "\r\n".join(f"line {n}" for n in range(1, 31)) + "\r\n"
    failing = Command("msiexec /i x.msi", diagnose="type x.log", diagnose_lines=3)
    session = FakeSession("new", {"msiexec /i x.msi": ("", 1603), "type x.log": (log, 0)})
    outcome = apply_plan(session, TablePlan({"new": [Step("install", (failing,))]}), False)
    assert outcome.failed
    assert outcome.msg.endswith("the log ends:\nline 28\nline 29\nline 30")
    fine = FakeSession("new", {"msiexec /i x.msi": ("", 0)}, {"msiexec /i x.msi": "done"})
    apply_plan(fine, TablePlan({"new": [Step("install", (failing,))]}), False)
    assert "type x.log" not in fine.ran


def test_a_secret_step_file_is_written_but_never_listed():
    step = Step(
        "fetch", (Command("ftp -s:f.txt"),), file=TextFile("f.txt", ("user ro Pa55word",), secret=True)
    )
    outcome = apply_plan(FakeSession("new"), TablePlan({"new": [step]}), check_mode=True)
    assert not any("Pa55word" in line for line in outcome.commands + outcome.preview)
    assert "(write f.txt: 1 lines, not shown: they hold a password)" in outcome.commands


def test_a_step_runs_inside_its_hold_and_a_refused_hold_fails_before_its_commands():
    events: list[str] = []

    @contextlib.contextmanager
    def slot():
        events.append("enter")
        yield
        events.append("leave")

    class Session(FakeSession):
        def run(self, command, check=False, timeout=None):
            events.append(command)
            return super().run(command, check, timeout)

    step = Step("fetch", (Command("ftp -s:f.txt"),), hold=slot)
    outcome = apply_plan(Session("new", effects={"ftp -s:f.txt": "done"}), TablePlan({"new": [step]}), False)
    assert not outcome.failed, outcome.msg
    assert events[events.index("enter") + 1 : events.index("leave")] == ["ftp -s:f.txt"]

    def busy():
        raise PlanError("region north: all 4 fetch slot(s) stayed taken")

    session = FakeSession("new")
    with pytest.raises(PlanError, match="fetch slot"):
        apply_plan(session, TablePlan({"new": [Step("fetch", (Command("ftp -s:f.txt"),), hold=busy)]}), False)
    assert "ftp -s:f.txt" not in session.ran
