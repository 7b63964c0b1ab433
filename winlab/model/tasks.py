"""Scheduled tasks (`schtasks`) and restarts (`shutdown`). Reference section 6."""

from __future__ import annotations

import io
import re
import time
from datetime import datetime, timedelta

from winlab.model import msi
from winlab.model.host import Context, Host, Result, command, lines, slash_options, split_args


def _schtasks_error(message: str, usage: str = "") -> Result:
    out = [f"ERROR: {message}"]
    if usage:
        out.append(f'Type "SCHTASKS /{usage.upper()} /?" for usage.')
    return Result(stdout=lines(*out), exit_code=1)


def _start_time_ok(ctx: Context, start: str) -> bool:
    """Whether schtasks /create takes this /ST value.

    * XP: "Specifies the time of day that the task starts in HH:MM:SS 24-hour format" (the XP
      schtasks page of the Windows XP product documentation, reference 6.1) [V]. That XP refuses
      HH:MM is [U]: no source shows it either way; winlab refuses it (the stricter choice).
    * Server 2003: no source retrieved says which form it takes [U]. winlab holds it to XP's
      HH:MM:SS, the form its schtasks inherits, rather than accept both (the stricter choice).
    * Vista/2008 and later: "The time format is HH:mm (24 hour time) for example, 14:30 for 2:30
      PM." (their `schtasks /create /?` text; windowsserverdocs schtasks-create.md, reference 6.1)
      [D]. Whether they also take HH:mm:ss is [U]; winlab refuses it (the stricter choice).
    """
    if ctx.profile.nt6:
        return re.match(r"^([01]\d|2[0-3]):[0-5]\d$", start) is not None
    return re.match(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$", start) is not None


# The /create switches of each version. XP: "schtasks /create /tn TaskName /tr TaskRun /sc schedule
# [/mo modifier] [/d day] [/m month[,month...] [/i IdleTime] [/st StartTime] [/sd StartDate] [/ed
# EndDate] [/s computer [/u [domain\\]user /p password]] [/ru {[Domain\\]User | "System"} [/rp Password]]"
# (the XP schtasks page, learn.microsoft.com windows-xp bb490996) [V]: no /F, /Z, /IT, /RI, /ET, /DU, /K.
# Server 2003 adds "[/ri Interval] [{/et EndTime | /du Duration} [/k]] ... [/it] [/Z] [/F]" (its schtasks
# page, reference 6.1) [D]; Vista/2008/7 add /RL, /DELAY, /XML, /V1, /NP, /HRESULT
# (windowsserverdocs schtasks-create.md) [D].
SCHTASKS_CREATE_OPTIONS = {"sc", "mo", "d", "m", "i", "tn", "tr", "st", "sd", "ed", "ru", "rp", "s", "u", "p"}
SCHTASKS_CREATE_OPTIONS_2003 = SCHTASKS_CREATE_OPTIONS | {"ri", "et", "du", "k", "it", "z", "f"}
SCHTASKS_CREATE_OPTIONS_NT6 = SCHTASKS_CREATE_OPTIONS_2003 | {"rl", "delay", "xml", "v1", "np", "hresult"}
# "ERROR: Value for '/TR' option cannot be more than 261 character(s)." (quoted in many public
# projects that met it on NT 6 and later) [V-fixture]; NT 5's limit taken to be the same [U].
MAX_TASK_RUN = 261


def _create_options(ctx: Context) -> set[str]:
    if ctx.profile.nt6:
        return SCHTASKS_CREATE_OPTIONS_NT6
    return SCHTASKS_CREATE_OPTIONS if ctx.profile.key == "xp" else SCHTASKS_CREATE_OPTIONS_2003


@command("schtasks")
def schtasks(ctx: Context, argv: list[str], raw: str) -> Result:
    argv = split_args(raw, backslash_quotes=True)
    options, order = slash_options(argv)
    if not order:
        return schtasks(ctx, ["/query"], "/query")
    verb = order[0]
    tasks = ctx.state["tasks"]
    nt6 = ctx.profile.nt6
    if verb == "create":
        allowed = _create_options(ctx)
        typed = {arg[1:].lower(): arg for arg in argv if arg.startswith("/")}
        for key in order[1:]:
            if key not in allowed:
                # The switches the version lacks (above); the wording of the error [U].
                return _schtasks_error(f"Invalid argument/option - '{typed.get(key, '/' + key)}'.", "create")
        name, run, schedule = options.get("tn", ""), options.get("tr", ""), options.get("sc", "").upper()
        if len(run) > MAX_TASK_RUN:
            # The stream (stderr) and exit code 1 are those of schtasks' other NT 6 errors [U].
            return Result(
                stderr=lines(
                    f"ERROR: Value for '{typed.get('tr', '/TR')}' option cannot be more than "
                    f"{MAX_TASK_RUN} character(s)."
                ),
                exit_code=1,
            )
        if (
            not name
            or not run
            or schedule
            not in ("MINUTE", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "ONCE", "ONSTART", "ONLOGON", "ONIDLE")
        ):
            return _schtasks_error("Invalid syntax.", "create")
        start = options.get("st", "")
        if nt6 and not start and schedule not in ("ONCE", "ONSTART", "ONLOGON", "ONIDLE"):
            # "Defaults to current time if /ST is not specified. This option is required with /SC
            # ONCE." (the Vista/2008 `schtasks /create /?` text) [D]
            start = ctx.host.now().strftime("%H:%M")
        if schedule not in ("ONSTART", "ONLOGON", "ONIDLE") and not _start_time_ok(ctx, start):
            if nt6:
                # Windows 10's schtasks, refusing `/ST "12:44:00 PM"`: this line on stderr (captured in
                # chef-boneyard/chef-client issue 523) [V on Windows 10; taken for Vista/2008 [U]]. Its
                # exit code there was 0x80004005; 1 is taken for NT 6.0/6.1, as their other errors [U].
                return Result(stderr=lines("ERROR: Invalid starttime value."), exit_code=1)
            return _schtasks_error("Invalid Start Time value.", "create")  # [U] wording and stream
        key = name.lstrip("\\").lower()
        if key in tasks and "f" not in options:
            if nt6:
                return Result(
                    stdout=lines(
                        f'WARNING: The task name "{name}" already exists. Do you want to replace it (Y/N)? '
                    ),
                    exit_code=1,
                )  # [U]: no console to answer
            return _schtasks_error("Cannot create a file when that file already exists.")  # [U]
        user = options.get("ru", "")
        tasks[key] = {
            "name": name.lstrip("\\"),
            "run": run,
            "schedule": schedule,
            "start": start,
            "days": options.get("d", ""),
            "modifier": options.get("mo", ""),
            "user": user or ctx.user,
            "author": ctx.host.computer_name + "\\" + (ctx.user.rpartition("\\")[2] or "Administrator"),
            "created": ctx.host.now().strftime("%Y-%m-%dT%H:%M:%S"),
            "last_run": None,
            # A task that never ran: 0 on 2003, 267011 (SCHED_S_TASK_HAS_NOT_RUN) on NT 6 [U].
            "last_result": 267011 if nt6 else 0,
        }
        if user.upper() in ("SYSTEM", "NT AUTHORITY\\SYSTEM"):
            # Second sample of reference 6.1 [V] (the docs' `/ru System` example, Vista/2008 docs);
            # 2003 is taken to print the same [U].
            return Result(
                stdout=lines(
                    "INFO: The task will be created under user name (NT AUTHORITY\\SYSTEM).",
                    f"SUCCESS: The Scheduled task {name} has successfully been created.",
                )
            )
        return Result(stdout=lines(f"SUCCESS: The scheduled task {name} has successfully been created."))
    if verb == "delete":
        name = options.get("tn", "")
        if name == "*":
            tasks.clear()
            # Wording not sourced [U].
            return Result(stdout=lines("SUCCESS: The scheduled tasks were successfully deleted."))
        if name.lstrip("\\").lower() not in tasks:
            return _schtasks_error("The system cannot find the file specified.")
        if "f" not in options and ctx.profile.key != "xp":
            # Without /F schtasks asks for confirmation; a WinRM shell has no console to answer [U].
            return Result(stdout=lines(f'WARNING: Are you sure you want to remove the task "{name}" (Y/N)? '))
        del tasks[name.lstrip("\\").lower()]
        # reference 6.2 [V-fixture]
        return Result(stdout=lines(f'SUCCESS: The scheduled task "{name}" was successfully deleted.'))
    if verb == "run":
        name = options.get("tn", "")
        task = tasks.get(name.lstrip("\\").lower())
        if task is None:
            return _schtasks_error("The system cannot find the file specified.")
        task["last_run"] = ctx.host.now().strftime("%Y-%m-%dT%H:%M:%S")
        # The task's command runs (as the task's user); its output goes nowhere, its exit code is kept.
        task["last_result"] = ctx.host._run_line(task["run"], task["user"] or ctx.user).exit_code
        return Result(stdout=lines(f'SUCCESS: Attempted to run the scheduled task "{name}".'))  # [U]
    if verb == "query":
        return _query(ctx, options)
    return _schtasks_error(f"Invalid argument/option - '/{verb}'.")


NT5_COLUMNS = [
    "HostName",
    "TaskName",
    "Next Run Time",
    "Status",
    "Logon Mode",
    "Last Run Time",
    "Last Result",
    "Creator",
    "Schedule",
    "Task To Run",
    "Start In",
    "Comment",
    "Scheduled Task State",
    "Scheduled Type",
    "Start Time",
    "Start Date",
    "End Date",
    "Days",
    "Months",
    "Run As User",
    "Delete Task If Not Rescheduled",
    "Stop Task If Runs X Hours and X Mins",
    "Repeat: Every",
    "Repeat: Until: Time",
    "Repeat: Until: Duration",
    "Repeat: Stop If Still Running",
    "Idle Time",
    "Power Management",
]
NT6_COLUMNS = [
    "HostName",
    "TaskName",
    "Next Run Time",
    "Status",
    "Logon Mode",
    "Last Run Time",
    "Last Result",
    "Author",
    "Task To Run",
    "Start In",
    "Comment",
    "Scheduled Task State",
    "Idle Time",
    "Power Management",
    "Run As User",
    "Delete Task If Not Rescheduled",
    "Stop Task If Runs X Hours and X Mins",
    "Schedule",
    "Schedule Type",
    "Start Time",
    "Start Date",
    "End Date",
    "Days",
    "Months",
    "Repeat: Every",
    "Repeat: Until: Time",
    "Repeat: Until: Duration",
    "Repeat: Stop If Still Running",
]


def _task_row(ctx: Context, task: dict) -> dict[str, str]:
    nt6 = ctx.profile.nt6
    start = task["start"] if len(task["start"]) == 8 else (task["start"] + ":00" if task["start"] else "")
    created = datetime.strptime(task["created"], "%Y-%m-%dT%H:%M:%S")
    last = datetime.strptime(task["last_run"], "%Y-%m-%dT%H:%M:%S") if task["last_run"] else None
    if nt6:
        # Date format of the en-US locale on NT 6 [U].
        def stamp(value: datetime) -> str:
            return f"{value.month}/{value.day}/{value.year} {value.hour % 12 or 12}:{value:%M:%S %p}"

        schedule_type = task["schedule"].capitalize()
        never = "N/A"
    else:
        # "HH:MM:SS, DD-MM-YYYY" as in the 2003 sample (reference 6.2, locale dependent).
        def stamp(value: datetime) -> str:
            return value.strftime("%H:%M:%S, %d-%m-%Y")

        schedule_type = task["schedule"].capitalize() + " "  # trailing space as in the 2003 sample
        never = "Never"
    date_format = "%m/%d/%Y" if nt6 else "%d-%m-%Y"
    now = ctx.host.now()
    next_run = now.replace(hour=int(start[:2] or 0), minute=int(start[3:5] or 0), second=0) if start else None
    if next_run and next_run <= now:
        next_run += timedelta(days=1)
    weekdays = [day for day in task["days"].upper().split(",") if day in WEEKDAYS]
    while next_run and weekdays and WEEKDAYS[next_run.weekday()] not in weekdays:
        next_run += timedelta(days=1)
    if nt6 and start:
        # en-US NT 6 prints the start time as h:mm:ss AM/PM: "12:00:00 AM" in the metasploit spec's row
        # (see _CsvWriter) [V-fixture].
        at = datetime.strptime(start, "%H:%M:%S")
        start_column = f"{at.hour % 12 or 12}:{at:%M:%S %p}"
    else:
        start_column = start
    row = {
        "HostName": ctx.host.computer_name,
        "TaskName": ("\\" if nt6 else "") + task["name"],
        "Next Run Time": stamp(next_run) if next_run else "N/A",
        "Status": "Ready" if nt6 else "",
        "Logon Mode": "Interactive/Background",
        "Last Run Time": stamp(last) if last else never,
        "Last Result": str(task["last_result"]),
        "Creator": task["user"] or "SYSTEM",
        "Author": task.get("author") or ctx.host.computer_name + "\\Administrator",
        "Schedule": f"At {start[:5]} every day, starting {created.strftime(date_format)}"
        if task["schedule"] == "DAILY"
        else "Scheduling data is not available in this format.",
        "Task To Run": task["run"],
        "Start In": "N/A",
        "Comment": "N/A",
        "Scheduled Task State": "Enabled",
        "Scheduled Type": schedule_type,
        "Schedule Type": schedule_type,
        "Start Time": start_column,
        "Start Date": created.strftime(date_format),
        "End Date": "N/A",
        "Days": task["days"] or ("Everyday" if not nt6 else "Every 1 day(s)"),
        "Months": "N/A",
        "Run As User": "SYSTEM" if task["user"].upper().endswith("SYSTEM") else task["user"],
        "Delete Task If Not Rescheduled": "Disabled",
        "Stop Task If Runs X Hours and X Mins": "72:0" if not nt6 else "72:00:00",
        "Repeat: Every": "Disabled",
        "Repeat: Until: Time": "Disabled",
        "Repeat: Until: Duration": "Disabled",
        "Repeat: Stop If Still Running": "Disabled",
        "Idle Time": "Disabled",
        "Power Management": "No Start On Batteries, Stop On Battery Mode",
    }
    return row


WEEKDAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]


class _CsvWriter:
    """schtasks' CSV: every field in double quotes, a quote inside a field written as it is, not
    doubled: the NT 6 row in rapid7/metasploit-framework spec/lib/msf/core/post/windows/
    task_scheduler_spec.rb (commit 19f73b7b) has `"reg query "HKLM\\...\\DGvtFiFtnZQVmtY" /v "SD"",`
    as its Task To Run [V-fixture]; NT 5 is taken to write it the same way [U]."""

    def __init__(self, buffer: io.StringIO) -> None:
        self.buffer = buffer

    def writerow(self, fields: list[str]) -> None:
        self.buffer.write(",".join(f'"{field}"' for field in fields) + "\r\n")


def _folder_order(task: dict) -> tuple[str, str]:
    folder, _, name = task["name"].rpartition("\\")
    return folder.lower(), name.lower()


def _query(ctx: Context, options: dict[str, str]) -> Result:
    nt6 = ctx.profile.nt6
    tasks = ctx.state["tasks"]
    selected = list(tasks.values())
    if "tn" in options:
        if not nt6:
            # 2003's /query has no /tn (reference 6.2) [U].
            return _schtasks_error("Invalid argument/option - '/tn'.", "query")
        task = tasks.get(options["tn"].lstrip("\\").lower())
        if task is None:
            return _schtasks_error("The system cannot find the file specified.")  # reference 6.2 [V-fixture]
        selected = [task]
    if not selected:
        return Result(stdout=lines("INFO: There are no scheduled tasks present in the system."))
    rows = [_task_row(ctx, task) for task in sorted(selected, key=_folder_order)]
    fmt = options.get("fo", "TABLE").upper()
    if fmt == "CSV":
        columns = (
            (NT6_COLUMNS if nt6 else NT5_COLUMNS)
            if "v" in options
            else ["TaskName", "Next Run Time", "Status"]
        )
        buffer = io.StringIO()
        writer = _CsvWriter(buffer)
        folder = None
        for row in rows:
            # NT 6 lists task folder by folder, each with a blank line and the header again
            # (reference 6.2 [V-fixture]); the blank line is [U]. NT 5 has one flat list.
            current = row["TaskName"].rpartition("\\")[0] if nt6 else ""
            if current != folder:
                folder = current
                if nt6:
                    buffer.write("\r\n")
                if "nh" not in options:
                    writer.writerow(columns)
            writer.writerow([row[column] for column in columns])
        return Result(stdout=buffer.getvalue())
    if fmt == "LIST":
        out = []
        for row in rows:
            out += [
                f"{key + ':':<38}{value}"
                for key, value in row.items()
                if key in (NT6_COLUMNS if nt6 else NT5_COLUMNS)
            ]
            out.append("")
        return Result(stdout=lines(*out))
    # TABLE layout [U]: NT 6 groups by folder, NT 5 lists flat.
    out: list[str] = []
    folder = None
    for row in rows:
        current = row["TaskName"].rpartition("\\")[0] if nt6 else ""
        if current != folder:
            folder = current
            out += ["", f"Folder: {current or chr(92)}"] if nt6 else [""]
            out += [f"{'TaskName':<40}{'Next Run Time':<23}Status", f"{'=' * 39} {'=' * 22} {'=' * 15}"]
        name = row["TaskName"].rpartition("\\")[2] if nt6 else row["TaskName"]
        out.append(f"{name[:39]:<40}{row['Next Run Time']:<23}{row['Status']}".rstrip())
    return Result(stdout=lines(*out, ""))


# -- shutdown --------------------------------------------------------------------------------------
# The limits of each version's shutdown.exe. XP (and 2003, the same tool): "-t xx Set timeout for
# shutdown to xx seconds", "-c "comment" Shutdown comment (maximum of 127 characters)", its switches
# written with a dash (XP's `shutdown /?`, pastebin.com/JNVFS7vE) [V]; the 0-600 range of -t
# (ss64.com/nt/shutdown.html, its XP syntax) [D]. Vista/2008: /t 0-600 as before; "In Windows 7, the
# maximum /t timeout increased from 600 seconds to 315,360,000" (ss64.com) [D]. Windows 7: "/t xxx ...
# The valid range is 0-315360000 (10 years)", "/c "comment" ... Maximum of 512 characters allowed."
# (a 7 console's `shutdown /?`, pastebin.com/4mB3szRZ) [V]; 2008's /c limit taken to be 7's [U].
SHUTDOWN_LIMITS = {"xp": (600, 127), "2003": (600, 127), "2008": (600, 512), "7": (315360000, 512)}
_REASON = re.compile(r"^([pu]?):?(\d+):(\d+)$", re.IGNORECASE)


def _shutdown_refused(ctx: Context) -> Result:
    """A parameter shutdown.exe does not take: the wording and code are [U] (NT 6 taken to answer
    ERROR_INVALID_PARAMETER, NT 5 its usage line)."""
    if ctx.profile.nt6:
        return Result(stderr=lines("The parameter is incorrect.(87)"), exit_code=87)
    return Result(
        stdout=lines(
            "Usage: shutdown [-i | -l | -s | -r | -a] [-f] [-m \\\\computername] [-t xx] "
            '[-c "comment"] [-d up:xx:yy]'
        ),
        exit_code=1,
    )


@command("shutdown")
def shutdown(ctx: Context, argv: list[str], raw: str) -> Result:
    profile = ctx.profile
    if not profile.nt6 and any(arg.startswith("/") for arg in argv):
        # XP's and 2003's help list dash switches only; whether they also take / is [U]: winlab
        # refuses it (the stricter choice).
        return _shutdown_refused(ctx)
    flags = [arg.lower().replace("/", "-", 1) if arg[:1] in "-/" else arg for arg in argv]
    reboots = ctx.state["reboots"]
    # Reboots run on real time even when the host clock is pinned: the lab carries them out.
    pending = [r for r in reboots if not r.get("done") and not r.get("aborted")]
    if "-a" in flags:
        if not pending:
            # [U] wording and code (ERROR_NO_SHUTDOWN_IN_PROGRESS).
            return Result(
                stdout=lines(
                    "Unable to abort the system shutdown because no shutdown was in progress.(1116)"
                ),
                exit_code=1116,
            )
        for entry in pending:
            entry["aborted"] = True
        return Result()
    if "-r" not in flags and "-s" not in flags:
        return _shutdown_refused(ctx)
    max_delay, max_comment = SHUTDOWN_LIMITS[profile.key]

    def value(flag: str) -> str | None:
        if flag not in flags:
            return None
        at = flags.index(flag) + 1
        return argv[at] if at < len(argv) else ""

    delay = 30  # default of shutdown.exe on XP/2003/2008/7 (the help texts above) [D]
    given = value("-t")
    if given is not None:
        if not given.isdigit() or int(given) > max_delay:
            return _shutdown_refused(ctx)
        delay = int(given)
    comment, reason = value("-c"), value("-d")
    if comment is not None and len(comment) > max_comment:
        return _shutdown_refused(ctx)
    if reason is not None:
        match = _REASON.match(reason)
        if not match or int(match.group(2)) > 255 or int(match.group(3)) > 65535:
            # "xx is the major reason code (positive integer less than 256)", "yy is the minor reason
            # code (positive integer less than 65536)" (XP's help above) [V].
            return _shutdown_refused(ctx)
    if profile.nt6 and comment is not None and reason is None:
        # "/c <comment> ... You must first provide a reason by using the /d option." (windowsserverdocs
        # shutdown.md) [D].
        return _shutdown_refused(ctx)
    if pending:
        return Result(
            stdout=lines("A system shutdown has already been scheduled.(1190)"), exit_code=1190
        )  # [U]
    reboots.append(
        {
            "requested": ctx.host.now().isoformat(),
            "due": time.time() + delay,
            "restart": "-r" in flags,
            "force": "-f" in flags,
            "delay": delay,
            "comment": comment,
            "reason": reason,
        }
    )
    return Result()


def boot_time(host: Host) -> datetime:
    """When the host last started: its last restart in the lab, else 07:00 of the host clock's day
    (or the day before, before 07:00): a lab choice, that workstations were switched on when the
    working day began, which stays the same for a pinned clock [U]."""
    booted = host.state.get("boot_time")
    if booted:
        return datetime.fromisoformat(booted)
    now = host.now()
    morning = now.replace(hour=7, minute=0, second=0, microsecond=0)
    return morning if now >= morning else morning - timedelta(days=1)


def complete_reboot(host: Host) -> None:
    """After a restart: services come back as their start type says, the boot time moves on, the
    queued file renames (PendingFileRenameOperations) are carried out.

    Callers hold the host lock.
    """
    for service in host.state["services"].values():
        # A start still pending when the host went down is gone with it.
        service.pop("start_pending", None)
        service["state"] = 4 if service["start"] in (0, 1, 2) else 1
        service.pop("exit_code", None)
    host.state["boot_time"] = host.now().isoformat()
    # The file replacements an installer queued for the restart are done now.
    msi.clear_pending_renames(host.state)
