# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one apply engine of the collection's Windows action plugins.

Every Windows plugin runs the same algorithm: probe the host in one command, parse the output with
the one parser module (`plugin_utils/windows_output.py`), plan, apply the plan in one batch, read
the host back and fail on leftover drift. A plugin writes only what is its own, as a
:class:`WindowsPlan`: its probe command, how to parse it, the steps that turn a state into the
wanted one, and how a state reads in ``--diff``. This module does the rest, once for every plugin:
check mode, the diff, running the steps and judging their exit codes, planning again after an
installer, the read-back, the reboot warning and the failure messages.

A plan is a list of :class:`Step`; a step is a list of :class:`Command`, each knowing the exit codes
it accepts, the failures that mean "already so" (classified by `windows_output.classify_error`,
which knows "service already running"), and what a restart request looks like. A step with no
commands is a note: shown in ``--diff``, never run, never a change.

A plugin that only reads (the health check) writes a :class:`ReadOnlyPlan` (a probe and what it
makes of the state, no steps) and runs it with :func:`inspect_host`: the probe and nothing else.

Errors: a plan raises :class:`PlanError` for a wanted state the host cannot take (a DHCP server on
a workstation, a component missing with install off); nothing else is caught here, so that a bug
surfaces as a bug (a traceback with ``-vvv``).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_output import (
    ErrorKind,
    classify_error,
    parse_sc_query,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import (
    CommandResult,
    WindowsSession,
    WinRMCommandError,
    WinRMCommandLayerError,
    WinRMCommandTimeoutError,
    WinRMUnreachableError,
    echo_file_commands,
    last_line,
)

# Article 22 (peak hours) and Article 20 (the Sunday VNACCS maintenance window): when a restart
# that a command asked for must not be planned.
RESTART_ADVICE = (
    "nothing was restarted. Plan one outside peak hours (09:00-12:00, 14:00-17:00) and the Sunday "
    "03:00-06:00 maintenance window"
)
# `sc start` returns at once with START_PENDING; the service runs a moment later (its WAIT_HINT),
# and until then nothing can talk to it. How long a start may take, and how often to ask.
SERVICE_START_TIMEOUT = 60.0
SERVICE_POLL_INTERVAL = 1.0
# An installer may run for many minutes (sysocmgr copies from the i386 source): its deadline, by
# default; each job sets its own (the plugins' install_timeout).
INSTALL_TIMEOUT = 1800.0
# One run changes a host at a time: a real run that has changes to make holds this folder on the
# host (mkdir is atomic) with its owner and start time inside; a lock older than the stale time is
# taken over (its run died without releasing it), and so is one whose owner was a run on this
# controller that has ended (its process is gone).
HOST_LOCK = r"%SystemRoot%\Temp\vnaccs.lock"
HOST_LOCK_STALE = 30 * 60.0
ENV_LOCK_STALE_MINUTES = "VNACCS_HOST_LOCK_STALE_MINUTES"
# The line a real run's probe prints between the lock's holder (if a run holds it) and the plan's
# own probe output.
PROBE_MARK = "==vnaccs:probe=="


class PlanError(Exception):
    """A wanted state that cannot be applied to this host; the message names the field or the reason."""


def install_timeout(args: dict[str, Any]) -> float:
    """The installer deadline a plugin's `install_timeout` argument gives (seconds, above 0)."""
    value = args.get("install_timeout")
    if value is None:
        return INSTALL_TIMEOUT
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise PlanError(f"install_timeout: {value!r} is not a number of seconds above 0")
    return float(value)


# -- what a plan is made of -------------------------------------------------------------------------
@dataclass(frozen=True)
class Command:
    """One command line of a step, and how its result is judged."""

    line: str
    # Exit codes that mean success.
    ok_exit: tuple[int, ...] = (0,)
    # Failures that mean the wanted state is already there (e.g. sc start on a running service).
    already: frozenset[ErrorKind] = frozenset()
    # Exit codes that mean success, with Windows asking for a restart (3010).
    restart_exit: tuple[int, ...] = ()
    # For tools whose exit code says nothing (netsh exec): returns why it failed, or None.
    judge: Callable[[CommandResult], str | None] | None = None
    # A service this command starts: the step waits until `sc query` shows it RUNNING.
    starts_service: str = ""
    # How long it may run (seconds); None: the host's command_timeout.
    timeout: float | None = None
    # Exit codes that mean "busy, try again later" (msiexec's 1618: another installation is in
    # progress): the command is run again after each pause in turn, then judged as any other code.
    busy_exit: tuple[int, ...] = ()
    busy_pauses: tuple[float, ...] = ()
    # A command run when this one fails, whose output's last lines join the failure message (the
    # installer log's tail); nothing is run for a success.
    diagnose: str = ""
    diagnose_lines: int = 15

    def failure(self, result: CommandResult) -> str | None:
        """Why `result` is a failure of this command, or None."""
        if self.judge is not None:
            return self.judge(result)
        if result.exit_code in self.ok_exit or result.exit_code in self.restart_exit:
            return None
        kind = classify_error(result.stdout, result.stderr, result.exit_code)
        if kind in self.already:
            return None
        return f"exit code {result.exit_code}: {last_line(result.output)}"

    def asks_restart(self, result: CommandResult) -> bool:
        return result.exit_code in self.restart_exit


@dataclass(frozen=True)
class TextFile:
    """A file a step writes with cmd.exe's echo before its commands run, and deletes afterwards."""

    path: str
    lines: tuple[str, ...]
    # How --diff shows the write; by default the path and the lines joined.
    shown: str = ""
    # The lines hold a secret (a password): `commands`, --diff and failure messages show only the
    # path; the file is deleted after the step, as every step file is.
    secret: bool = False

    def preview(self) -> str:
        if self.shown:
            return self.shown
        if self.secret:
            return f"(write {self.path}: {len(self.lines)} lines, not shown: they hold a password)"
        return f"(write {self.path}: {'; '.join(line for line in self.lines if line)})"


@dataclass(frozen=True)
class Step:
    """One part of a plan: what it changes (its --diff header) and the commands that do it."""

    what: str
    commands: tuple[Command, ...] = ()
    file: TextFile | None = None
    # Lines --diff shows in place of the command lines (the netsh script a step runs).
    shown: tuple[str, ...] | None = None
    # The step changes the host in ways the plan cannot foresee (an installer): after it, the host
    # is probed and the rest planned again from what it really left.
    reprobe: bool = False
    # Added to the failure message when the step ran but the host does not show its effect.
    hint: str = ""
    # A context held while the step runs (a region's fetch slot: region_slots.py); it may raise
    # PlanError, which fails the host with its message.
    hold: Callable[[], contextlib.AbstractContextManager] | None = None

    @property
    def is_note(self) -> bool:
        return not self.commands

    def command_lines(self) -> list[str]:
        """Every command line the step runs, file writes and clean-up included (a secret file's
        writes as its preview)."""
        if self.file and self.file.secret:
            lines = [self.file.preview()]
        else:
            lines = echo_file_commands(self.file.path, self.file.lines) if self.file else []
        lines += [command.line for command in self.commands]
        if self.file:
            lines.append(f"del {self.file.path}")
        return lines

    def preview(self) -> list[str]:
        lines = [f"# {self.what}"]
        if self.file:
            lines.append(self.file.preview())
        lines += list(self.shown) if self.shown is not None else [c.line for c in self.commands]
        return lines


# -- the commands several plugins share ---------------------------------------------------------
def sc_config(service: str, start_mode: str) -> Command:
    return Command(f"sc config {service} start= {start_mode}")


def sc_start(service: str) -> Command:
    # 1056 "An instance of the service is already running" is what was wanted (reference 3.2).
    return Command(
        f"sc start {service}", already=frozenset({ErrorKind.SERVICE_ALREADY_RUNNING}), starts_service=service
    )


def sc_stop(service: str) -> Command:
    # 1062 "The service has not been started" is what was wanted (reference 3.2).
    return Command(f"sc stop {service}", already=frozenset({ErrorKind.SERVICE_NOT_STARTED}))


def sysocmgr_install(
    what: str,
    answer_path: str,
    answer_lines: tuple[str, ...],
    hint: str = "",
    timeout: float = INSTALL_TIMEOUT,
) -> Step:
    """Install Windows Server 2003 components from a sysocmgr answer file (reference 2.1).

    sysocmgr is a GUI program: `start /wait` makes cmd wait for it; /r suppresses its reboot.
    Success is judged by probing the host again, not by its exit code. `timeout`: its deadline.
    """
    command = Command(
        f"start /wait sysocmgr /i:%windir%\\inf\\sysoc.inf /u:{answer_path} /q /r", timeout=timeout
    )
    return Step(what, (command,), file=TextFile(answer_path, answer_lines), reprobe=True, hint=hint)


def servermanagercmd_install(
    what: str, role_id: str, hint: str = "", timeout: float = INSTALL_TIMEOUT
) -> Step:
    """Install a Windows Server 2008 role or feature (reference 2.2).

    Exit codes: 0 installed, 1003 nothing to do (already installed), 3010 installed and a restart
    is needed. `timeout`: its deadline.
    """
    command = Command(
        f"servermanagercmd -install {role_id}",
        ok_exit=(0, 1003),
        restart_exit=(3010,),
        timeout=timeout,
    )
    return Step(what, (command,), reprobe=True, hint=hint)


# -- what a plugin writes -----------------------------------------------------------------------
class WindowsPlan(ABC):
    """A plugin's probe and plan for one host; the engine runs it (see :func:`apply_plan`)."""

    # The task's message when nothing needs changing.
    unchanged_msg = "the host is as wanted"
    # How long a service this plan starts may take to reach RUNNING (seconds).
    service_start_timeout = SERVICE_START_TIMEOUT

    @abstractmethod
    def probe_command(self) -> str:
        """One command line that reads everything the plan needs (one WinRM round trip)."""

    @abstractmethod
    def parse_probe(self, stdout: str) -> Any:
        """The host's state, from the probe's output, through the parser module."""

    @abstractmethod
    def steps(self, state: Any) -> list[Step]:
        """Every step that turns `state` into the wanted state, in order; empty when they agree.

        Raise PlanError when the host cannot be brought there.
        """

    @abstractmethod
    def render(self, state: Any) -> str:
        """The state as --diff shows it (judged as `steps` judges it: no drift, no difference)."""

    @abstractmethod
    def render_wanted(self) -> str:
        """The wanted state, in the form of `render`."""

    def result(self, state: Any, steps: list[Step]) -> dict[str, Any]:
        """Values the task returns besides the engine's, from the state the plan was made on."""
        return {}

    def temporary_files(self) -> list[str]:
        """Files its steps may write; a real run deletes any left behind by an interrupted one."""
        return []


class ReadOnlyPlan(WindowsPlan):
    """A plan that only reads the host (the health check): a probe and what it makes of the state.

    It has no steps, so nothing is ever run but the probe; run it with :func:`inspect_host`, not
    `apply_plan`. A subclass writes `probe_command`, `parse_probe` and `result`.
    """

    def steps(self, state: Any) -> list[Step]:
        return []

    def render(self, state: Any) -> str:
        return ""

    def render_wanted(self) -> str:
        return ""


@dataclass
class WindowsOutcome:
    """What a Windows action did (or would do in check mode)."""

    changed: bool = False
    commands: list[str] = field(default_factory=list)
    before: str = ""
    after: str = ""
    failed: bool = False
    msg: str = ""
    warnings: list[str] = field(default_factory=list)
    # What --diff shows as the commands (readable form); `commands` when empty.
    preview: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


# -- the engine -----------------------------------------------------------------------------------
def probe(session: WindowsSession, plan: WindowsPlan, clean_up: bool = False) -> Any:
    """Read the host with the plan's probe; with clean_up (the caller holds the host lock), delete
    the temporary files an interrupted run left first, in the same round trip (`del` says that a
    file is missing on stderr only, so the probe's output is unchanged)."""
    command = plan.probe_command()
    if clean_up and plan.temporary_files():
        command = f"del {' '.join(plan.temporary_files())} 2>nul&{command}"
    return plan.parse_probe(session.run(command).stdout)


def _probe_unlocked(session: WindowsSession, plan: WindowsPlan) -> tuple[Any, str]:
    """A real run's first probe: (the state, the lock's holder line or "").

    The files an interrupted run left are deleted in the same round trip, unless a run holds the
    host lock: those may be the files of a live run. Then the holder is returned, to judge.
    """
    files = plan.temporary_files()
    if not files:
        return probe(session, plan), ""
    command = (
        f"type {HOST_LOCK}\\owner.txt 2>nul||del {' '.join(files)} 2>nul"
        f"&echo {PROBE_MARK}&{plan.probe_command()}"
    )
    stdout = session.run(command).stdout
    holder, marked, rest = stdout.partition(f"{PROBE_MARK}\r\n")
    if not marked:
        holder, rest = "", stdout
    return plan.parse_probe(rest), holder.strip()


def inspect_host(session: WindowsSession, plan: WindowsPlan) -> dict[str, Any]:
    """Read the host with the plan's probe and return what the plan makes of it (`plan.result`).

    The read-only entry point: one round trip, no temporary files cleaned, no lock taken, nothing
    run but the probe, the same in check mode. A plan that plans a change here is refused before
    anything else is sent.
    """
    state = probe(session, plan)
    steps = [step for step in plan.steps(state) if not step.is_note]
    if steps:
        raise PlanError(f"a read-only plan planned changes ({'; '.join(step.what for step in steps)})")
    return plan.result(state, [])


def apply_plan(
    session: WindowsSession,
    plan: WindowsPlan,
    check_mode: bool,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> WindowsOutcome:
    """Probe, plan, and (outside check mode) apply and read back. See the module's docstring.

    `sleep` and `clock` pace the wait for a starting service (tests pass fakes).
    """
    if check_mode:
        return _unapplied(plan, *_plan(plan, probe(session, plan)))
    state, holder = _probe_unlocked(session, plan)
    outcome, steps = _plan(plan, state)
    lock = _HostLock(session)
    if not outcome.changed:
        if holder:
            lock.clear_left(holder, plan.temporary_files(), outcome)
        return _unapplied(plan, outcome, steps)

    refusal = lock.acquire(outcome)
    if refusal:
        outcome.changed = False
        return _failed(outcome, refusal)
    try:
        # Another run may have changed the host between the probe and the lock: plan from what it
        # left. Holding the lock, any temporary file is a leftover: deleted.
        warnings = outcome.warnings
        outcome, steps = _plan(plan, probe(session, plan, clean_up=True))
        outcome.warnings = warnings
        if not outcome.changed:
            return _unapplied(plan, outcome, steps)
        return _apply(session, plan, steps, outcome, sleep, clock)
    except (WinRMCommandError, WinRMUnreachableError) as error:
        return _interrupted(session, plan, outcome, error)
    finally:
        lock.release()


def _plan(plan: WindowsPlan, state: Any) -> tuple[WindowsOutcome, list[Step]]:
    """The steps from a probed state, and the outcome they would have."""
    steps = plan.steps(state)
    outcome = WindowsOutcome(before=plan.render(state), after=plan.render_wanted())
    outcome.extra = {"reboot_required": False, "steps": [], **plan.result(state, steps)}
    outcome.changed = any(not step.is_note for step in steps)
    return outcome, steps


def _unapplied(plan: WindowsPlan, outcome: WindowsOutcome, steps: list[Step]) -> WindowsOutcome:
    """Check mode, or nothing to change: the plan is shown, not run."""
    for step in steps:
        _record(step, outcome)
    outcome.msg = "changed" if outcome.changed else plan.unchanged_msg
    return outcome


def _apply(
    session: WindowsSession,
    plan: WindowsPlan,
    steps: list[Step],
    outcome: WindowsOutcome,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> WindowsOutcome:
    host = session.host
    pending = list(steps)
    while pending:
        step = pending.pop(0)
        if step.is_note:
            continue
        _record(step, outcome)
        if not _run(session, step, outcome, _ServiceWait(plan.service_start_timeout, sleep, clock)):
            return outcome
        if step.reprobe and pending:
            state = probe(session, plan)
            pending = plan.steps(state)
            outcome.extra.update(plan.result(state, pending))
            if pending and pending[0].what == step.what:
                return _failed(outcome, f"{host}: {step.what}: it ran, but the host does not show it", step)

    # Read back: the change must show, or the task says so instead of claiming success.
    left = [step for step in plan.steps(probe(session, plan)) if not step.is_note]
    if left:
        return _failed(
            outcome, f"{host}: after applying, the host still differs: {'; '.join(s.what for s in left)}"
        )
    outcome.msg = "changed"
    return outcome


class _HostLock:
    """The per-host lock of a real run (HOST_LOCK): acquired in one round trip, released in one."""

    def __init__(self, session: WindowsSession) -> None:
        self.session = session
        self.held = False
        try:
            self.stale = float(os.environ[ENV_LOCK_STALE_MINUTES]) * 60.0
        except (KeyError, ValueError):
            self.stale = HOST_LOCK_STALE
        name = re.sub(r"[^A-Za-z0-9._-]", "", socket.gethostname()) or "controller"
        self.owner = f"{name}-pid{os.getpid()}"

    def _take(self) -> str:
        # time.time(), not the monotonic clock: another controller must be able to judge it.
        return f">{HOST_LOCK}\\owner.txt echo {time.time():.0f} {self.owner}"

    def acquire(self, outcome: WindowsOutcome) -> str:
        """Take the lock; the refusal message when another live run holds it, else ""."""
        command = f"mkdir {HOST_LOCK} && {self._take()} || type {HOST_LOCK}\\owner.txt"
        result = self.session.run(command)
        if not result.stdout.strip():
            self.held = True
            return ""
        who, at, dead = self._judge(result.stdout)
        if not dead:
            return (
                f"{self.session.host}: another run ({who}, since {at}) is changing this host; nothing was "
                f"changed. Run again when it has finished (a lock older than {self.stale / 60:g} minutes "
                f"counts as stale; the lock is the folder {HOST_LOCK} on the host)"
            )
        self.session.run(self._take(), check=True)
        self.held = True
        outcome.warnings.append(f"{self.session.host}: took over a stale lock of {who} (since {at}); {dead}")
        return ""

    def clear_left(self, holder: str, files: list[str], outcome: WindowsOutcome) -> None:
        """A run with nothing to change found the lock: if its run is gone, remove it and its files."""
        who, at, dead = self._judge(holder)
        if dead:
            self.session.run(f"del {' '.join(files)} 2>nul&rmdir /s /q {HOST_LOCK}")
            outcome.warnings.append(
                f"{self.session.host}: removed the lock and the temporary files of {who} (since {at}); {dead}"
            )

    def _judge(self, holder: str) -> tuple[str, str, str]:
        """(who holds the lock, since when, why it counts as dead, or "" while it may be alive)."""
        words = holder.strip().split()
        try:
            since = float(words[0])
        except (IndexError, ValueError):
            since = 0.0  # unreadable: treated as stale
        who = " ".join(words[1:2]) or "an unknown run"
        at = time.strftime("%Y-%m-%d %H:%M", time.localtime(since))
        if self._ended(who):
            return who, at, "that run has ended"
        if time.time() - since >= self.stale:
            return who, at, "that run did not finish"
        return who, at, ""

    def _ended(self, owner: str) -> bool:
        """Whether `owner` was a run on this controller whose process is gone (killed, interrupted)."""
        name, _, pid = owner.rpartition("-pid")
        if name != self.owner.rpartition("-pid")[0] or not pid.isdigit():
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return _is_zombie(int(pid))

    def release(self) -> None:
        if self.held:
            with contextlib.suppress(WinRMCommandLayerError):
                self.session.run(f"rmdir /s /q {HOST_LOCK}")
            self.held = False


def _is_zombie(pid: int) -> bool:
    """Whether PID has exited but was not reaped yet (a killed run's worker whose parent died too
    lingers so until init reaps it); False where /proc cannot tell."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _record(step: Step, outcome: WindowsOutcome) -> None:
    if not step.is_note:
        outcome.commands += step.command_lines()
        outcome.extra["steps"].append(step.what)
    outcome.preview += step.preview()


@dataclass(frozen=True)
class _ServiceWait:
    timeout: float
    sleep: Callable[[float], None]
    clock: Callable[[], float]

    def until_running(self, session: WindowsSession, service: str) -> str | None:
        """Poll `sc query` until the service is RUNNING; why not, or None."""
        deadline = self.clock() + self.timeout
        while True:
            result = session.run(f"sc query {service}")
            statuses = parse_sc_query(result.stdout)
            status = statuses[0] if statuses else None
            if status is not None and status.running:
                return None
            if status is None:
                return f"`sc query {service}` shows no status: {last_line(result.output)}"
            if status.state == "STOPPED":
                return (
                    f"the service {service} stopped while starting (WIN32_EXIT_CODE {status.win32_exit_code})"
                )
            if self.clock() >= deadline:
                return f"the service {service} is still {status.state} after {self.timeout:g} s"
            self.sleep(SERVICE_POLL_INTERVAL)


def _run(session: WindowsSession, step: Step, outcome: WindowsOutcome, wait: _ServiceWait) -> bool:
    """Run one step; False (with the outcome marked failed) when a command failed."""
    with step.hold() if step.hold is not None else contextlib.nullcontext():
        return _run_held(session, step, outcome, wait)


def _run_held(session: WindowsSession, step: Step, outcome: WindowsOutcome, wait: _ServiceWait) -> bool:
    host = session.host
    try:
        if step.file:
            session.write_text_file(step.file.path, step.file.lines)
        for command in step.commands:
            result = _run_command(session, command, outcome, wait.sleep)
            problem = command.failure(result)
            if problem is not None:
                problem += _diagnosis(session, command)
                _failed(outcome, f"{host}: {step.what}: `{command.line}` failed: {problem}")
                outcome.extra.update(
                    command=result.command, stdout=result.stdout, stderr=result.stderr, rc=result.exit_code
                )
                return False
            if command.asks_restart(result):
                outcome.extra["reboot_required"] = True
                outcome.warnings.append(f"{host}: `{command.line}` asks for a restart; {RESTART_ADVICE}")
            if command.starts_service:
                problem = wait.until_running(session, command.starts_service)
                if problem is not None:
                    _failed(outcome, f"{host}: {step.what}: `{command.line}` did not bring it up: {problem}")
                    return False
    finally:
        if step.file:
            # If the host stopped answering, this fails too: the next run's probe deletes the file.
            with contextlib.suppress(WinRMCommandLayerError):
                session.run(f"del {step.file.path}")
    return True


def _run_command(
    session: WindowsSession, command: Command, outcome: WindowsOutcome, sleep: Callable[[float], None]
) -> CommandResult:
    """Run a command; while it answers one of its busy codes, pause and run it again (each pause of
    `busy_pauses` once), noting every busy answer in the warnings."""
    result = session.run(command.line, timeout=command.timeout)
    for pause in command.busy_pauses:
        if result.exit_code not in command.busy_exit:
            break
        outcome.warnings.append(
            f"{session.host}: `{command.line}` answered {result.exit_code} (busy); "
            f"trying again in {pause:g} s"
        )
        outcome.extra.setdefault("busy_retries", 0)
        outcome.extra["busy_retries"] += 1
        sleep(pause)
        result = session.run(command.line, timeout=command.timeout)
    return result


def _diagnosis(session: WindowsSession, command: Command) -> str:
    """The last lines of the command's diagnosis (its log), to add to a failure message."""
    if not command.diagnose:
        return ""
    try:
        shown = session.run(command.diagnose, timeout=command.timeout)
    except WinRMCommandLayerError as error:
        return f"; its log could not be read ({error})"
    lines = [line.rstrip() for line in shown.stdout.splitlines() if line.strip()]
    if not lines:
        return "; its log is empty or missing"
    return "; the log ends:\n" + "\n".join(lines[-command.diagnose_lines :])


def _interrupted(
    session: WindowsSession,
    plan: WindowsPlan,
    outcome: WindowsOutcome,
    error: WinRMCommandError | WinRMUnreachableError,
) -> WindowsOutcome:
    """A reply was lost mid-plan: a new probe, on a new connection, decides whether the host changed
    (and deletes the temporary files the plan left). A host that stopped answering is not asked again."""
    if isinstance(error, WinRMCommandTimeoutError):
        outcome.changed = True  # unknown (the message says so) rather than claim nothing happened
        return _failed(outcome, str(error))
    try:
        session.reconnect()
        now = plan.render(probe(session, plan, clean_up=True))
    except WinRMCommandLayerError:
        outcome.changed = True  # unknown: say so rather than claim nothing happened
        return _failed(outcome, f"{error}; the host cannot be read back now, so it may have changed")
    outcome.changed = now != outcome.before
    what = "the host has changed" if outcome.changed else "the host has not changed"
    return _failed(outcome, f"{error}; read again, {what}")


def _failed(outcome: WindowsOutcome, msg: str, step: Step | None = None) -> WindowsOutcome:
    outcome.failed = True
    outcome.msg = f"{msg} ({step.hint})" if step is not None and step.hint else msg
    return outcome
