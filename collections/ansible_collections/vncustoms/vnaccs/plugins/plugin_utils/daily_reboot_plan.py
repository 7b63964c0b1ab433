# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The daily restart task of a workstation (Decision 833, Article 23): wanted state, probe, plan.

Controller-side logic of the `vncustoms.vnaccs.daily_reboot_task` action plugin: a scheduled task,
run as SYSTEM every day at the host's time, that restarts the host after warning the logged-on user
(`shutdown` with a delay, a comment and a planned reason code for the event log), so that the customs
client checks its base server at start-up and updates itself. The one Windows apply engine
(`windows_engine.py`) runs the plan; host output is read through `windows_output.py` only.

What differs between the versions is data: one YAML file per version in `restart_task_forms/`
(`xp.yml`, `2003.yml`, `2008.yml`, `7.yml`), read as :class:`Forms` for the version the host reports.
When the rules about time come in (peak hours, the Sunday maintenance window), they come from
`change_window.py`, the one copy of them.

The host's time is its configured `time` plus a stable offset within `spread_minutes` computed from
its inventory name, so a site's workstations do not all restart in the same minute. The whole window
the restarts of all hosts may take (the spread, the warning delay and the time a restart and the
client's update take) must lie outside the quiet periods; this is checked before any host is
contacted, against the limits of the host's version when the inventory names it, else of every version.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from pathlib import Path
from typing import Any

import yaml
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import change_window
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import windows_engine as engine
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.text import ascii_fold
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_output import (
    ScheduledTask,
    StatisticsSince,
    find_scheduled_task,
    parse_statistics_since,
    probe_head,
    probe_section,
    split_sections,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import FAMILIES, CommandResult

FORMS_DIR = Path(__file__).resolve().parent / "restart_task_forms"
DEFAULT_TASK_NAME = "VNACCS-DailyRestart"
# Said to the logged-on user (Article 23 gives the reason). Written without diacritics on the host:
# the WinRM shell runs in code page 437, which has no Vietnamese letters (see fold_text).
DEFAULT_MESSAGE = (
    "Máy trạm sẽ khởi động lại sau {minutes} phút để cập nhật phần mềm hải quan. Vui lòng lưu công việc."
)
# "Application: Maintenance (Planned)", the planned reason for the event log (p:major:minor).
DEFAULT_REASON = "p:4:1"
DEFAULT_SETTLE_MINUTES = 10
DEFAULT_MAX_HOURS_SINCE_BOOT = 26
ACCOUNT = "SYSTEM"


# -- the versions' forms (data: restart_task_forms/*.yml) -------------------------------------------
@dataclass(frozen=True)
class Forms:
    family: str
    title: str
    start_time_format: str
    overwrite_switch: str
    query_by_name: bool
    delete_switches: tuple[str, ...]
    switch_prefix: str
    max_delay_seconds: int
    max_comment_characters: int
    force: bool
    max_task_run_characters: int

    def start_time(self, value: time) -> str:
        return value.strftime(self.start_time_format)


@functools.cache
def load_forms(family: str) -> Forms:
    """The forms of one version, from its file in restart_task_forms/."""
    if family not in FAMILIES:
        raise engine.PlanError(
            f"the daily restart task is made for Windows XP, 7, Server 2003 and 2008, not {family!r}"
        )
    data = yaml.safe_load((FORMS_DIR / f"{family}.yml").read_text(encoding="utf-8"))
    schtasks, shutdown = data["schtasks"], data["shutdown"]
    return Forms(
        family=str(data["family"]),
        title=str(data["title"]),
        start_time_format=str(schtasks["start_time_format"]),
        overwrite_switch=str(schtasks["overwrite_switch"] or ""),
        query_by_name=bool(schtasks["query_by_name"]),
        delete_switches=tuple(str(s) for s in schtasks["delete_switches"]),
        switch_prefix=str(shutdown["switch_prefix"]),
        max_delay_seconds=int(shutdown["max_delay_seconds"]),
        max_comment_characters=int(shutdown["max_comment_characters"]),
        force=bool(shutdown["force"]),
        max_task_run_characters=int(data["max_task_run_characters"]),
    )


# -- wanted state -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Wanted:
    host: str
    name: str
    present: bool
    # The configured time, and this host's (the configured time plus its spread offset).
    base_time: time | None = None
    spread_minutes: int = 0
    offset_minutes: int = 0
    host_time: time | None = None
    warning_seconds: int = 300
    settle_minutes: int = DEFAULT_SETTLE_MINUTES
    message: str = ""
    reason: str = DEFAULT_REASON
    forced: bool = False
    # Quiet periods the window overlaps (only when forced: otherwise it was refused).
    conflicts: tuple[str, ...] = ()
    check_only: bool = False
    max_hours_since_boot: int = DEFAULT_MAX_HOURS_SINCE_BOOT
    reference_time: datetime | None = None
    families: tuple[str, ...] = FAMILIES

    @property
    def window_minutes(self) -> int:
        """How long the restarts of every host may take, from the configured time."""
        return self.spread_minutes + math.ceil(self.warning_seconds / 60) + self.settle_minutes


# What wanted_task accepts.
_TASK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
# What can stand in the warning without quoting trouble: the comment sits inside `\"...\"` in the
# /TR value, which cmd.exe sees as unquoted text, so & | < > ^ % ( ) and quotes are left out.
_MESSAGE = re.compile(r"^[A-Za-z0-9 .,:;!?'/-]+$")
_REASON = re.compile(r"^p:(\d{1,3}):(\d{1,5})$")


def _int(args: dict[str, Any], key: str, default: int) -> int:
    value = args.get(key)
    return default if value is None else int(value)


def _warning_minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def wanted_task(args: dict[str, Any], host: str, family: str | None = None) -> Wanted:
    """Check the arguments and build the wanted state; errors name the argument.

    Run before the host is contacted. `family` is the version the inventory gives the host; the
    limits of every version apply when it is unknown.
    """
    name = str(args.get("name") or DEFAULT_TASK_NAME)
    if not _TASK_NAME.match(name):
        raise engine.PlanError(f"name: {name!r} must be 1-64 letters, digits, _ . - (no spaces or folders)")
    families = (family,) if family in FAMILIES else FAMILIES
    if family is not None and family not in FAMILIES:
        load_forms(family)  # raises: the host's version is not one the task is made for
    present = args.get("state", "present") == "present"
    check_only = bool(args.get("check_only"))
    max_hours = int(args.get("max_hours_since_boot") or DEFAULT_MAX_HOURS_SINCE_BOOT)
    reference = _reference_time(args.get("reference_time"))
    if not present:
        return Wanted(
            host,
            name,
            False,
            check_only=check_only,
            max_hours_since_boot=max_hours,
            reference_time=reference,
            families=families,
        )
    text = args.get("time")
    base = change_window.parse_time_of_day(text) if text is not None else None
    if base is None:
        raise engine.PlanError(
            f"time: {text!r} must be a time of day HH:MM (24-hour, {change_window.TIME_ZONE} time)"
        )
    spread = int(args.get("spread_minutes") or 0)
    if not 0 <= spread <= 240:
        raise engine.PlanError(f"spread_minutes: {spread} must be from 0 to 240")
    warning = _int(args, "warning_seconds", 300)
    settle = _int(args, "settle_minutes", DEFAULT_SETTLE_MINUTES)
    if settle < 0:
        raise engine.PlanError(f"settle_minutes: {settle} must not be negative")
    for candidate in families:
        forms = load_forms(candidate)
        if not 0 <= warning <= forms.max_delay_seconds:
            raise engine.PlanError(
                f"warning_seconds: {warning} must be from 0 to {forms.max_delay_seconds} "
                f"(the longest delay `shutdown` takes on {forms.title})"
            )
    message = _message(args, warning)
    reason = str(args.get("reason") or DEFAULT_REASON)
    match = _REASON.match(reason)
    if not match or int(match.group(1)) > 255 or int(match.group(2)) > 65535:
        raise engine.PlanError(
            f"reason: {reason!r} must be a planned reason p:MAJOR:MINOR (major below 256, minor below 65536)"
        )
    offset = change_window.spread_offset(host, spread)
    wanted = Wanted(
        host=host,
        name=name,
        present=True,
        base_time=base,
        spread_minutes=spread,
        offset_minutes=offset,
        host_time=change_window.add_minutes(base, offset),
        warning_seconds=warning,
        settle_minutes=settle,
        message=message,
        reason=reason,
        forced=bool(args.get("force")),
        check_only=check_only,
        max_hours_since_boot=max_hours,
        reference_time=reference,
        families=families,
    )
    conflicts = change_window.daily_conflicts(base, wanted.window_minutes)
    if conflicts and not wanted.forced:
        end = change_window.add_minutes(base, wanted.window_minutes)
        raise engine.PlanError(
            f"time: {base:%H:%M} with spread_minutes={spread}, warning_seconds={warning} and "
            f"settle_minutes={settle} restarts hosts from {base:%H:%M} to {end:%H:%M} "
            f"({change_window.TIME_ZONE}), which overlaps the {change_window.describe(conflicts)}; "
            "choose a time whose whole window lies outside them (force: true overrides)"
        )
    for candidate in families:
        forms = load_forms(candidate)
        if len(message) > forms.max_comment_characters:
            raise engine.PlanError(
                f"message: {len(message)} characters; `shutdown` on {forms.title} takes at most "
                f"{forms.max_comment_characters}"
            )
        length = len(task_run(wanted, forms))
        if length > forms.max_task_run_characters:
            raise engine.PlanError(
                f"message: the task's command would be {length} characters; schtasks on {forms.title} "
                f"takes at most {forms.max_task_run_characters} (shorten the message)"
            )
    return replace(wanted, conflicts=tuple(period.label() for period in conflicts))


def _message(args: dict[str, Any], warning: int) -> str:
    given = args.get("message")
    text = str(given) if given else DEFAULT_MESSAGE.format(minutes=_warning_minutes(warning))
    if args.get("fold_text", True):
        text = ascii_fold(text)
    text = " ".join(text.split())
    if not text:
        raise engine.PlanError("message: must not be empty")
    if not _MESSAGE.match(text):
        raise engine.PlanError(
            f"message: {text!r} may hold only letters, digits, spaces and . , : ; ! ? ' / - (ASCII: the "
            "WinRM shell runs in code page 437; with fold_text Vietnamese is written without diacritics)"
        )
    return text


def _reference_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return change_window.now(datetime.fromisoformat(str(value)))
    except ValueError:
        raise engine.PlanError(
            f"reference_time: {value!r} must be an ISO date and time (2026-11-30T10:00:00)"
        ) from None


# -- the commands ------------------------------------------------------------------------------------
def shutdown_command(wanted: Wanted, forms: Forms) -> str:
    """What the task runs: restart after the warning delay, with the comment and the planned reason."""
    p = forms.switch_prefix
    force = f" {p}f" if forms.force else ""
    return f'shutdown {p}r{force} {p}t {wanted.warning_seconds} {p}d {wanted.reason} {p}c "{wanted.message}"'


def task_run(wanted: Wanted, forms: Forms) -> str:
    """The /TR value as schtasks stores it (the quotes of the comment included)."""
    return shutdown_command(wanted, forms)


def create_command(wanted: Wanted, forms: Forms, overwrite: bool) -> str:
    # Inside the quoted /TR value the comment's quotes are escaped as \" (the C runtime's rule for
    # command-line arguments, which schtasks parses its command line with) [D].
    run = task_run(wanted, forms).replace('"', '\\"')
    line = (
        f'schtasks /create /tn {wanted.name} /tr "{run}" /sc DAILY '
        f"/st {forms.start_time(wanted.host_time)} /ru {ACCOUNT}"
    )
    if overwrite and forms.overwrite_switch:
        line += f" {forms.overwrite_switch}"
    return line


def delete_command(wanted: Wanted, forms: Forms) -> str:
    return " ".join(["schtasks /delete /tn", wanted.name, *forms.delete_switches])


def query_command(wanted: Wanted, forms: Forms) -> str:
    line = "schtasks /query /fo csv /v"
    return f"{line} /tn {wanted.name}" if forms.query_by_name else line


def _schtasks_judge(result: CommandResult) -> str | None:
    """schtasks says ERROR: (exit 1) or, for an account it could not set, WARNING: with exit 0."""
    text = f"{result.stdout}\n{result.stderr}"
    for line in text.splitlines():
        if line.strip().upper().startswith(("ERROR:", "WARNING:")):
            return f"exit code {result.exit_code}: {line.strip()}"
    if result.exit_code != 0:
        return f"exit code {result.exit_code}"
    return None


def _command(line: str) -> engine.Command:
    return engine.Command(line, judge=_schtasks_judge)


# -- what is on the host ----------------------------------------------------------------------------
@dataclass
class HostState:
    computer_name: str = ""
    task: ScheduledTask | None = None
    boot: StatisticsSince | None = None
    drift: list[str] = field(default_factory=list)


def _program(command: str) -> tuple[str, str]:
    """(program name without folder or .exe, lower case; the rest), for comparing commands."""
    words = " ".join(command.split())
    program, _, rest = words.partition(" ")
    name = program.strip('"').replace("/", "\\").rpartition("\\")[2].lower()
    return name.removesuffix(".exe"), rest


def _account(value: str) -> str:
    return value.strip().upper().removeprefix("NT AUTHORITY\\")


def task_drift(wanted: Wanted, forms: Forms, task: ScheduledTask | None) -> list[str]:
    """How the task on the host differs from the wanted one (empty: it is as wanted)."""
    if task is None:
        return ["absent"] if wanted.present else []
    if not wanted.present:
        return ["present"]
    drift = []
    if task.schedule_type != "daily":
        drift.append(f"schedule {task.schedule_type or 'unknown'}")
    wanted_minute = (wanted.host_time.hour, wanted.host_time.minute)
    if task.start is None or (task.start.hour, task.start.minute) != wanted_minute:
        drift.append(f"time {task.start:%H:%M}" if task.start else "time unknown")
    if _program(task.run) != _program(task_run(wanted, forms)):
        drift.append(f"command {task.run}")
    if _account(task.run_as) != ACCOUNT:
        drift.append(f"account {task.run_as or 'unknown'}")
    if not task.enabled:
        drift.append("disabled")
    return drift


# -- the plugin's plan, for the apply engine --------------------------------------------------------
class DailyRebootPlan(engine.WindowsPlan):
    """The daily restart task on one host, and what the daily check reads: the task and the boot time."""

    unchanged_msg = "the daily restart task is as wanted"

    def __init__(self, wanted: Wanted, forms: Forms) -> None:
        if forms.family not in wanted.families:
            # The version the host reports is not the one the inventory names.
            raise engine.PlanError(f"the host runs {forms.title}, not what the inventory says")
        self.wanted = wanted
        self.forms = forms

    def sections(self) -> list[tuple[str, str]]:
        """(section name, command) of what the probe reads: the task and the host's last start (the
        daily check reads them in its own probe, `health_checks.py`)."""
        return [
            ("task", f"{query_command(self.wanted, self.forms)} 2>&1"),
            ("boot", "net statistics workstation"),
        ]

    def probe_command(self) -> str:
        parts = ["hostname"]
        for name, command in self.sections():
            parts += probe_section(name, command)
        return "&".join(parts)

    def parse_probe(self, stdout: str) -> HostState:
        return self.state_from(split_sections(stdout))

    def state_from(self, sections: dict[str, str]) -> HostState:
        """The host's state from the probe's sections (those of `sections`)."""
        state = HostState(computer_name=probe_head(sections))
        state.task = find_scheduled_task(sections.get("task", ""), self.wanted.name)
        state.boot = parse_statistics_since(sections.get("boot", ""))
        state.drift = task_drift(self.wanted, self.forms, state.task)
        return state

    def steps(self, state: HostState) -> list[engine.Step]:
        wanted, forms = self.wanted, self.forms
        drift = task_drift(wanted, forms, state.task)
        if wanted.check_only or not drift:
            return []
        if not wanted.present:
            return [engine.Step(f"delete task {wanted.name}", (_command(delete_command(wanted, forms)),))]
        when = f"daily at {wanted.host_time:%H:%M}"
        if state.task is None:
            return [
                engine.Step(
                    f"create task {wanted.name} ({when})",
                    (_command(create_command(wanted, forms, overwrite=False)),),
                )
            ]
        if forms.overwrite_switch:
            commands = (_command(create_command(wanted, forms, overwrite=True)),)
        else:
            # No /F on this version: replace the task, deleting it first (only because it differs).
            commands = (
                _command(delete_command(wanted, forms)),
                _command(create_command(wanted, forms, overwrite=False)),
            )
        return [engine.Step(f"update task {wanted.name} to {when} ({'; '.join(drift)})", commands)]

    def result(self, state: HostState, steps: list[engine.Step]) -> dict[str, Any]:
        wanted = self.wanted
        task = state.task
        moment = wanted.reference_time or change_window.now()
        boot_at = state.boot.at if state.boot else None
        hours = None
        if boot_at is not None:
            # The host's clock is taken to be in Asia/Ho_Chi_Minh time, as the branches' are.
            hours = round((moment - change_window.now(boot_at)).total_seconds() / 3600, 2)
        return {
            "task_name": wanted.name,
            "restart_time": f"{wanted.host_time:%H:%M}" if wanted.host_time else "",
            "spread_offset_minutes": wanted.offset_minutes,
            "time_zone": change_window.TIME_ZONE,
            "forms": self.forms.family,
            "task": {
                "present": task is not None,
                "as_wanted": not task_drift(wanted, self.forms, task),
                "drift": task_drift(wanted, self.forms, task),
                "start_time": f"{task.start:%H:%M}" if task and task.start else "",
                "command": task.run if task else "",
                "run_as": task.run_as if task else "",
                "enabled": bool(task and task.enabled),
                "status": task.status if task else "",
                "last_result": task.last_result if task else None,
                "last_run": task.last_run if task and task.has_run else "",
                "next_run": task.next_run if task else "",
            },
            "last_boot": boot_at.isoformat() if boot_at else "",
            "last_boot_text": state.boot.text if state.boot else "",
            "hours_since_boot": hours,
            "restarted_recently": hours is not None and 0 <= hours <= wanted.max_hours_since_boot,
            "window_conflicts": list(wanted.conflicts),
        }

    def render(self, state: HostState) -> str:
        return render_task(self.wanted, self.forms, state.task)

    def render_wanted(self) -> str:
        wanted = self.wanted
        if not wanted.present:
            return render_task(wanted, self.forms, None)
        return _render_as_wanted(wanted, self.forms)


def render_task(wanted: Wanted, forms: Forms, task: ScheduledTask | None) -> str:
    """The task as --diff shows it; a task with no drift reads exactly as render_wanted."""
    if task is None:
        return f"task {wanted.name}: absent\n"
    if wanted.present and not task_drift(wanted, forms, task):
        return _render_as_wanted(wanted, forms)
    start = f"{task.start:%H:%M}" if task.start else "unknown time"
    state = "enabled" if task.enabled else "disabled"
    return (
        f"task {task.name}: {task.schedule_type or 'unknown'} at {start} as {task.run_as or 'unknown'}, "
        f"{state}\n  runs: {task.run}\n"
    )


def _render_as_wanted(wanted: Wanted, forms: Forms) -> str:
    return (
        f"task {wanted.name}: daily at {wanted.host_time:%H:%M} as {ACCOUNT}, enabled\n"
        f"  runs: {task_run(wanted, forms)}\n"
    )
