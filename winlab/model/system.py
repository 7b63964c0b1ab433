"""Installers, scheduled tasks, registry, MSI packages, reboots, ipconfig, systeminfo and IIS FTP.

Sources in the reference: section 2 (sysocmgr, servermanagercmd), 5.1 (iisftp.vbs), 6 (schtasks),
7 (ipconfig), 8 (msiexec, reg). Layouts the reference does not have are marked [U] where produced.
"""

from __future__ import annotations

import configparser
import csv
import hashlib
import io
import ipaddress
import re
import time
from datetime import datetime, timedelta

from winlab.model import defaults, files
from winlab.model.host import Context, Host, Result, command, lines, not_recognized

# -- installing the DHCP Server and FTP components -------------------------------------------------


def install_component(ctx: Context, component: str) -> None:
    ctx.state["components"][component] = True
    service = "DHCPServer" if component == "dhcp" else "MSFTPSVC"
    if service not in ctx.state["services"]:
        # The installer registers the service as Automatic and starts it [U].
        ctx.state["services"][service] = defaults.optional_service(ctx.profile, service)
    if component == "ftp":
        files.make_dirs(ctx.host, "C:\\Inetpub\\ftproot")
        ctx.state["ftp_sites"].setdefault(
            "1",
            {
                "name": "Default FTP Site",
                "root": "C:\\Inetpub\\ftproot",
                "port": 21,
                "ip": "",
                "state": "STARTED",
            },
        )


@command("sysocmgr")
def sysocmgr(ctx: Context, argv: list[str], raw: str) -> Result:
    """Windows Server 2003 / XP optional components from an answer file (reference 2.1).

    sysocmgr is a GUI program with no console output; its exit codes are undocumented [U]: 0 when the
    answer file was applied, 1 when the answer file cannot be read.
    """
    if ctx.profile.nt6:
        return not_recognized("sysocmgr")
    answer = next((arg[3:] for arg in argv if arg.lower().startswith("/u:")), None)
    if answer is None:
        return Result(exit_code=1)
    data = files.read_bytes(ctx.host, files.normalize(ctx.host, ctx.user, answer))
    if data is None:
        return Result(exit_code=1)
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str.lower
    try:
        parser.read_string(data.decode("cp437", errors="replace"))
    except configparser.Error:
        return Result(exit_code=1)
    on = {"on", "1", "yes", "true"}

    def value(section: str, key: str) -> str:
        return parser.get(section, key, fallback="").strip().lower()

    # DHCPServer = 1 under [NetOptionalComponents] installs DHCP (reference 2.1).
    if value("NetOptionalComponents", "dhcpserver") in on:
        install_component(ctx, "dhcp")
    if ctx.profile.server and value("Components", "iis_ftp") in on:
        install_component(ctx, "ftp")
    return Result()


SERVER_ROLES = {"dhcp": ("dhcp", "DHCP Server"), "web-ftp-server": ("ftp", "FTP Publishing Service")}


@command("servermanagercmd")
def servermanagercmd(ctx: Context, argv: list[str], raw: str) -> Result:
    """Windows Server 2008 roles (reference 2.2: exit codes 0, 3010, 1003, 4 [V]/[D]; console lines [U])."""
    if not (ctx.profile.nt6 and ctx.profile.server):
        return not_recognized("servermanagercmd")
    if not argv:
        return Result(stdout=lines("Usage: ServerManagerCmd.exe [U]"), exit_code=4)
    verb = argv[0].lower().lstrip("-/")
    if verb == "query":
        out = ["", "----- Roles -----", ""]
        for role_id, (component, title) in SERVER_ROLES.items():
            mark = "X" if ctx.state["components"][component] else " "
            out.append(f"[{mark}] {title}  [{role_id.upper() if role_id == 'dhcp' else 'Web-Ftp-Server'}]")
        return Result(stdout=lines(*out, ""))
    if verb not in ("install", "i", "remove", "r") or len(argv) < 2:
        return Result(stdout=lines("Usage: ServerManagerCmd.exe [U]"), exit_code=4)
    role = SERVER_ROLES.get(argv[1].lower())
    if role is None:
        return Result(stdout=lines(f"ArgumentNotValid: Role not valid: '{argv[1]}'."), exit_code=4)
    component, title = role
    if verb in ("install", "i"):
        if ctx.state["components"][component]:
            return Result(
                stdout=lines(
                    "",
                    "NoChange: No changes were made because the roles, role services, and features "
                    "specified are already installed on this computer.",
                    "",
                ),
                exit_code=1003,
            )
        install_component(ctx, component)
        return Result(
            stdout=lines(
                "Start Installation...",
                f"[Installation] Succeeded: [{title}] {title}.",
                "<100/100>",
                "",
                "Success: Installation succeeded.",
                "",
            )
        )
    ctx.state["components"][component] = False
    ctx.state["services"].pop("DHCPServer" if component == "dhcp" else "MSFTPSVC", None)
    return Result(
        stdout=lines(
            "Start Removal...",
            f"[Removal] Succeeded: [{title}] {title}.",
            "<100/100>",
            "",
            "Success: Removal succeeded.",
            "",
        )
    )


# -- scheduled tasks -------------------------------------------------------------------------------
def _schtasks_error(message: str, usage: str = "") -> Result:
    out = [f"ERROR: {message}"]
    if usage:
        out.append(f'Type "SCHTASKS /{usage.upper()} /?" for usage.')
    return Result(stdout=lines(*out), exit_code=1)


def _options(argv: list[str]) -> tuple[dict[str, str], list[str]]:
    options: dict[str, str] = {}
    order: list[str] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg.startswith("/"):
            key = arg[1:].lower()
            value = ""
            if index + 1 < len(argv) and not argv[index + 1].startswith("/"):
                value = argv[index + 1]
                index += 1
            options[key] = value
            order.append(key)
        index += 1
    return options, order


SCHTASKS_CREATE_OPTIONS = {"sc", "mo", "d", "m", "i", "tn", "tr", "st", "sd", "ed", "ru", "rp", "s", "u", "p"}


@command("schtasks")
def schtasks(ctx: Context, argv: list[str], raw: str) -> Result:
    options, order = _options(argv)
    if not order:
        return schtasks(ctx, ["/query"], raw)
    verb = order[0]
    tasks = ctx.state["tasks"]
    nt6 = ctx.profile.nt6
    if verb == "create":
        allowed = (
            SCHTASKS_CREATE_OPTIONS | {"f", "it", "z"} if ctx.profile.key != "xp" else SCHTASKS_CREATE_OPTIONS
        )
        if nt6:
            allowed = allowed | {"rl", "delay", "xml", "v1", "np", "ri", "du", "k", "hresult"}
        for key in order[1:]:
            if key not in allowed:
                # XP has no /F (reference 6.1); the wording of schtasks' invalid-option error [U].
                return _schtasks_error(f"Invalid argument/option - '/{key}'.", "create")
        name, run, schedule = options.get("tn", ""), options.get("tr", ""), options.get("sc", "").upper()
        if (
            not name
            or not run
            or schedule
            not in ("MINUTE", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "ONCE", "ONSTART", "ONLOGON", "ONIDLE")
        ):
            return _schtasks_error("Invalid syntax.", "create")
        start = options.get("st", "")
        # XP and 2003 take HH:MM:SS (reference 6.1, XP [V], 2003 [U]); Vista/2008 and later take HH:MM.
        pattern = r"^([01]\d|2[0-3]):[0-5]\d$" if nt6 else r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$"
        if schedule not in ("ONSTART", "ONLOGON", "ONIDLE") and not re.match(pattern, start):
            return _schtasks_error("Invalid Start Time value.", "create")  # [U] wording
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
        if user.upper() in ("SYSTEM", "NT AUTHORITY\\SYSTEM") and not nt6:
            # Second sample of reference 6.1 [V], used for 2003 where /ru SYSTEM needs no password [U].
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
            return Result(stdout=lines("SUCCESS: The scheduled tasks were successfully deleted. [U]"))
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
        "Start Time": start,
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
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
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
@command("shutdown")
def shutdown(ctx: Context, argv: list[str], raw: str) -> Result:
    flags = [arg.lower().replace("/", "-") for arg in argv]
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
        return Result(
            stdout=lines("Usage: shutdown [-i | -l | -s | -r | -a] [-f] [-m \\\\computername] [-t xx] [U]"),
            exit_code=1,
        )
    if pending:
        return Result(
            stdout=lines("A system shutdown has already been scheduled.(1190)"), exit_code=1190
        )  # [U]
    delay = 30  # default of shutdown.exe on XP/2003/2008 [U]
    if "-t" in flags and flags.index("-t") + 1 < len(flags):
        value = flags[flags.index("-t") + 1]
        if not value.isdigit():
            return Result(stdout=lines("Usage: shutdown [-t xx] [U]"), exit_code=1)
        delay = int(value)
    reboots.append(
        {
            "requested": ctx.host.now().isoformat(),
            "due": time.time() + delay,
            "restart": "-r" in flags,
            "force": "-f" in flags,
        }
    )
    return Result()


def complete_reboot(host: Host) -> None:
    """After a restart: services come back as their start type says, the boot time moves on.

    Callers hold the host lock.
    """
    for service in host.state["services"].values():
        service["state"] = 4 if service["start"] in (0, 1, 2) else 1
        service.pop("exit_code", None)
    host.state["boot_time"] = host.now().isoformat()


# -- ipconfig, systeminfo --------------------------------------------------------------------------
# The label column exactly as Windows prints it, dot leaders and all: the spacing is not regular
# ("Primary Dns Suffix  . ." but "IP Routing Enabled. . ."), so it is copied from reference 7.1/7.2.
IPCONFIG_LABELS = {
    "Host Name": "Host Name . . . . . . . . . . . . ",
    "Primary Dns Suffix": "Primary Dns Suffix  . . . . . . . ",
    "Node Type": "Node Type . . . . . . . . . . . . ",
    "IP Routing Enabled": "IP Routing Enabled. . . . . . . . ",
    "WINS Proxy Enabled": "WINS Proxy Enabled. . . . . . . . ",
    "DNS Suffix Search List": "DNS Suffix Search List. . . . . . ",
    "Connection-specific DNS Suffix": "Connection-specific DNS Suffix  . ",
    "Description": "Description . . . . . . . . . . . ",
    "Physical Address": "Physical Address. . . . . . . . . ",
    "DHCP Enabled": "DHCP Enabled. . . . . . . . . . . ",
    "Autoconfiguration Enabled": "Autoconfiguration Enabled . . . . ",
    "IP Address": "IP Address. . . . . . . . . . . . ",
    "IPv4 Address": "IPv4 Address. . . . . . . . . . . ",
    "Subnet Mask": "Subnet Mask . . . . . . . . . . . ",
    "Default Gateway": "Default Gateway . . . . . . . . . ",
    "DNS Servers": "DNS Servers . . . . . . . . . . . ",
    "NetBIOS over Tcpip": "NetBIOS over Tcpip. . . . . . . . ",
    "Lease Obtained": "Lease Obtained. . . . . . . . . . ",
    "Lease Expires": "Lease Expires . . . . . . . . . . ",
    "DHCP Server": "DHCP Server . . . . . . . . . . . ",
    "Link-local IPv6 Address": "Link-local IPv6 Address . . . . . ",
    "DHCPv6 IAID": "DHCPv6 IAID . . . . . . . . . . . ",
    "DHCPv6 Client DUID": "DHCPv6 Client DUID. . . . . . . . ",
}


@command("ipconfig")
def ipconfig(ctx: Context, argv: list[str], raw: str) -> Result:
    """`ipconfig [/all]`: reference 7.1 (XP/2003) and 7.2 (Vista/2008/7) layouts [V-fixture].

    Servers have a static address; workstations lease theirs from the branch DHCP server, so they
    print the DHCP Server and Lease lines, in each version's order. The lease runs eight days
    (option 51 = 691200 s) from two hours before the host clock.
    """
    network = ctx.state["network"]
    detailed = any(arg.lower() == "/all" for arg in argv)
    nt6 = ctx.profile.nt6
    dhcp = bool(network.get("dhcp"))
    prefix = network["address"].rsplit(".", 1)[0]

    def field(label: str, value: str) -> str:
        return f"   {IPCONFIG_LABELS[label]}: {value}".rstrip() if value else f"   {IPCONFIG_LABELS[label]}:"

    obtained = ctx.host.now() - timedelta(hours=2)
    leases = [
        field("Lease Obtained", _long_date(obtained)),
        field("Lease Expires", _long_date(obtained + timedelta(days=8))),
    ]
    dhcp_server = [field("DHCP Server", network.get("dhcp_server", prefix + ".5"))]
    dns = [field("DNS Servers", network["dns"][0])] + [" " * 39 + extra for extra in network["dns"][1:]]
    out = ["", "Windows IP Configuration", ""]
    if detailed:
        out += [
            field("Host Name", ctx.host.computer_name),
            field("Primary Dns Suffix", ctx.state["domain"]),
            field("Node Type", "Hybrid" if nt6 else "Unknown"),
            field("IP Routing Enabled", "No"),
            field("WINS Proxy Enabled", "No"),
            field("DNS Suffix Search List", ctx.state["domain"]),
            "",
        ]
    out += ["Ethernet adapter Local Area Connection:", ""]
    address = network["address"]
    if not detailed:
        out.append(field("Connection-specific DNS Suffix", ""))
        out.append(field("IPv4 Address", address) if nt6 else field("IP Address", address))
        out += [field("Subnet Mask", network["mask"]), field("Default Gateway", network["gateway"])]
        return Result(stdout=lines(*out))
    out += [
        field("Connection-specific DNS Suffix", ""),
        field("Description", "Intel(R) PRO/1000 MT Network Connection"),
        field("Physical Address", network["mac"]),
        field("DHCP Enabled", "Yes" if dhcp else "No"),
    ]
    if nt6 or dhcp:
        # NT 5 prints Autoconfiguration only for a DHCP-enabled card (7.1 vs 7.2's static 2008 sample) [U].
        out.append(field("Autoconfiguration Enabled", "Yes"))
    if nt6:
        mac = network["mac"].replace("-", "")
        if dhcp:
            # The IPv6 link-local address is a modified EUI-64 of the MAC; the interface index 11 is [U].
            eui = f"{int(mac[0:2], 16) ^ 2:02x}{mac[2:4]}:{mac[4:6]}ff:fe{mac[6:8]}:{mac[8:12]}"
            link_local = ipaddress.IPv6Address(f"fe80::{eui}")
            out.append(field("Link-local IPv6 Address", f"{link_local}%11(Preferred)"))
        out += [field("IPv4 Address", address + "(Preferred)"), field("Subnet Mask", network["mask"])]
        if dhcp:
            out += leases
        out.append(field("Default Gateway", network["gateway"]))
        if dhcp:
            out += dhcp_server
            out += [
                field("DHCPv6 IAID", "234881024"),
                field("DHCPv6 Client DUID", "00-01-00-01-29-4E-8F-8A-" + network["mac"]),
            ]
        out += dns
        out.append(field("NetBIOS over Tcpip", "Enabled"))
    else:
        out += [field("IP Address", address), field("Subnet Mask", network["mask"])]
        out.append(field("Default Gateway", network["gateway"]))
        if dhcp:
            out += dhcp_server
        out += dns
        if dhcp:
            out += leases
    return Result(stdout=lines(*out))


def _long_date(value: datetime) -> str:
    # "Saturday, September 21, 2024 10:31:26 PM": day and hour not zero-padded (reference 7.1, 7.2).
    return f"{value:%A, %B} {value.day}, {value.year} {value.hour % 12 or 12}:{value:%M:%S %p}"


@command("systeminfo")
def systeminfo(ctx: Context, argv: list[str], raw: str) -> Result:
    profile = ctx.profile
    booted = ctx.state.get("boot_time")
    boot = datetime.fromisoformat(booted).timestamp() if booted else ctx.host.timestamp() - 86400

    def row(label: str, value: str) -> str:
        return f"{label + ':':<27}{value}"

    out = [
        "",
        row("Host Name", ctx.host.computer_name),
        row("OS Name", profile.os_name),
        row("OS Version", f"{profile.version} {profile.service_pack} Build {profile.build}"),
        row("OS Manufacturer", "Microsoft Corporation"),
        row("OS Configuration", "Member Server" if profile.server else "Member Workstation"),
        row("OS Build Type", "Multiprocessor Free"),
        row("Registered Owner", "Tong cuc Hai quan"),
        row("Product ID", "69712-640-0000000-00000"),
    ]
    boot_text = datetime.fromtimestamp(boot).strftime("%m/%d/%Y, %I:%M:%S %p")
    if profile.nt6:
        out.append(row("System Boot Time", boot_text))
    else:
        seconds = int(ctx.host.timestamp() - boot)
        days, rest = divmod(seconds, 86400)
        out.append(
            row(
                "System Up Time",
                f"{days} Days, {rest // 3600} Hours, {rest % 3600 // 60} Minutes, {rest % 60} Seconds",
            )
        )
    out += [
        row("System Manufacturer", "VMware, Inc."),
        row("System Type", "X86-based PC"),
        row("Windows Directory", profile.system_root),
        row("System Directory", f"{profile.system_root}\\system32"),
        row("Domain", ctx.state["domain"]),
        row("Logon Server", "\\\\DC01"),
    ]
    # Layout of systeminfo from general knowledge [U].
    return Result(stdout=lines(*out))


# -- registry --------------------------------------------------------------------------------------
HIVES = {
    "hklm": "HKEY_LOCAL_MACHINE",
    "hkey_local_machine": "HKEY_LOCAL_MACHINE",
    "hkcu": "HKEY_CURRENT_USER",
    "hkey_current_user": "HKEY_CURRENT_USER",
}
UNINSTALL = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
REG_NOT_FOUND = (
    "ERROR: The system was unable to find the specified registry key or value."  # [U] (reference 8.2)
)


def _reg_key(text: str) -> str | None:
    hive, _, rest = text.strip("\\").partition("\\")
    full = HIVES.get(hive.lower())
    return f"{full}\\{rest}".rstrip("\\") if full else None


def registry(ctx: Context) -> dict:
    """The registry, with the Uninstall keys derived from the installed products."""
    keys = {key: dict(values) for key, values in ctx.state["registry"].items()}
    for code, product in ctx.state["products"].items():
        keys[f"{UNINSTALL}\\{code}".lower()] = {
            "_path": f"{UNINSTALL}\\{code}",
            "displayname": ["DisplayName", "REG_SZ", product["name"]],
            "displayversion": ["DisplayVersion", "REG_SZ", product["version"]],
            "publisher": ["Publisher", "REG_SZ", product.get("publisher", "")],
            "uninstallstring": ["UninstallString", "REG_EXPAND_SZ", f"MsiExec.exe /X{code}"],
        }
    return keys


@command("reg")
def reg(ctx: Context, argv: list[str], raw: str) -> Result:
    if len(argv) < 2:
        return Result(stdout=lines("ERROR: Invalid syntax.", 'Type "REG /?" for usage.'), exit_code=1)
    verb, key = argv[0].lower(), _reg_key(argv[1])
    if key is None:
        return Result(stdout=lines("ERROR: Invalid key name.", 'Type "REG /?" for usage.'), exit_code=1)
    options, _ = _options(argv[2:])
    if verb == "query":
        keys = registry(ctx)
        entry = keys.get(key.lower())
        subkeys = sorted(
            {k.get("_path", path) for path, k in keys.items() if path.startswith(key.lower() + "\\")}
        )
        if entry is None and not subkeys:
            return Result(stderr=lines(REG_NOT_FOUND), exit_code=1)
        values = [v for name, v in (entry or {}).items() if name != "_path"]
        if "v" in options:
            values = [v for v in values if v[0].lower() == options["v"].lower()]
            if not values:
                return Result(stderr=lines(REG_NOT_FOUND), exit_code=1)
            subkeys = []
        path = (entry or {}).get("_path", key)
        if ctx.profile.nt6:
            # 4-space separators, no banner (reference 8.2 [U]/[V-fixture]).
            out = ["", path] + [f"    {name}    {kind}    {data}" for name, kind, data in values] + [""]
        else:
            # REG.EXE VERSION 3.0 banner (reference 8.2 [V]); tab separators [U].
            out = ["", "! REG.EXE VERSION 3.0", "", path] + [
                f"    {name}\t{kind}\t{data}" for name, kind, data in values
            ]
            out.append("")
        if "s" not in options:
            direct = [s for s in subkeys if "\\" not in s[len(key) + 1 :]]
            out += direct + ([""] if direct else [])
        return Result(stdout=lines(*out))
    if verb == "add":
        store = ctx.state["registry"].setdefault(key.lower(), {"_path": key})
        if "v" in options or "ve" in options:
            name = options.get("v", "")
            if name.lower() in store and "f" not in options:
                return Result(
                    stdout=lines(
                        f"Value {name} exists, overwrite(Yes/No)? The operation was canceled by the user. [U]"
                    ),
                    exit_code=1,
                )
            store[name.lower()] = [
                name or "(Default)",
                options.get("t", "REG_SZ").upper(),
                options.get("d", ""),
            ]
        ok = "The operation completed successfully."
        return Result(stdout=lines(ok))
    if verb == "delete":
        store = ctx.state["registry"].get(key.lower())
        if store is None:
            return Result(stderr=lines(REG_NOT_FOUND), exit_code=1)
        if "v" in options:
            if store.pop(options["v"].lower(), None) is None:
                return Result(stderr=lines(REG_NOT_FOUND), exit_code=1)
        else:
            del ctx.state["registry"][key.lower()]
        return Result(stdout=lines("The operation completed successfully."))
    return Result(stdout=lines("ERROR: Invalid syntax.", 'Type "REG /?" for usage.'), exit_code=1)


# -- msiexec ---------------------------------------------------------------------------------------
def package_manifest(data: bytes) -> dict[str, str]:
    """What a lab package installs. A test package is a text file of `Key=Value` lines (ProductCode,
    ProductName, ProductVersion, Publisher, and Result=1603|3010 to make the install fail or ask for a
    restart); any other content installs as a product named after the file, its code from its hash."""
    manifest: dict[str, str] = {}
    for line in data.decode("utf-8", errors="replace").splitlines():
        key, sep, value = line.partition("=")
        if sep and re.match(r"^[A-Za-z]+$", key.strip()):
            manifest[key.strip().lower()] = value.strip()
    return manifest


@command("msiexec")
def msiexec(ctx: Context, argv: list[str], raw: str) -> Result:
    """Exit codes 0, 1603, 1605, 1618, 1619, 1639, 3010 (reference 8.1). msiexec prints nothing with /qn."""
    lowered = [arg.lower() for arg in argv]
    mode = next((arg for arg in lowered if arg in ("/i", "/x", "/uninstall", "/package")), None)
    target_index = lowered.index(mode) + 1 if mode else -1
    if mode is None or target_index >= len(argv):
        return Result(exit_code=1639)
    if ctx.state.get("msi_busy"):
        return Result(exit_code=1618)
    target = argv[target_index]
    properties = dict(arg.split("=", 1) for arg in argv if "=" in arg and not arg.startswith("/"))
    products = ctx.state["products"]
    if mode in ("/x", "/uninstall"):
        code = target.upper() if target.startswith("{") else None
        if code is None:
            data = files.read_bytes(ctx.host, files.normalize(ctx.host, ctx.user, target))
            if data is None:
                return Result(exit_code=1619)
            code = _product_code(target, data)
        if code not in products:
            return Result(exit_code=1605)
        del products[code]
        return Result()
    path = files.normalize(ctx.host, ctx.user, target)
    data = files.read_bytes(ctx.host, path)
    if data is None:
        return Result(exit_code=1619)
    manifest = package_manifest(data)
    result = int(manifest.get("result", "0") or 0)
    if result == 1603:
        return Result(exit_code=1603)
    code = _product_code(target, data)
    products[code] = {
        "name": manifest.get("productname", path.rsplit("\\", 1)[1].rsplit(".", 1)[0]),
        "version": manifest.get("productversion", "1.0.0"),
        "publisher": manifest.get("publisher", ""),
        "properties": properties,
        "package": path,
    }
    return Result(exit_code=3010 if result == 3010 else 0)


def _product_code(target: str, data: bytes) -> str:
    manifest = package_manifest(data)
    if manifest.get("productcode"):
        return manifest["productcode"].upper()
    digest = hashlib.md5(data, usedforsecurity=False).hexdigest().upper()
    return f"{{{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}}}"


# -- IIS 6 FTP -------------------------------------------------------------------------------------
@command("cscript")
def cscript(ctx: Context, argv: list[str], raw: str) -> Result:
    args = [arg for arg in argv if not arg.startswith("//")]
    if not args:
        return Result(
            stdout=lines("Usage: CScript scriptname.extension [option...] [arguments...]"), exit_code=1
        )
    script = files.normalize(ctx.host, ctx.user, args[0])
    name = script.rsplit("\\", 1)[1].lower()
    installed = ctx.state["components"]["ftp"] and ctx.profile.server
    if (
        name != "iisftp.vbs"
        or not installed
        or script.lower() != f"{ctx.profile.system_root}\\system32\\iisftp.vbs".lower()
    ):
        # [U] wording of cscript's missing-script error.
        return Result(stdout=lines(f'Input Error: Can not find script file "{script}".'), exit_code=1)
    return iisftp(ctx, args[1:])


def iisftp(ctx: Context, args: list[str]) -> Result:
    """iisftp.vbs /create|/query|/delete (reference 5.1: syntax [V-fixture]/[D], output layout [U])."""
    sites = ctx.state["ftp_sites"]
    if not args:
        return Result(
            stdout=lines("Usage: iisftp [/create | /delete | /start | /stop | /pause | /query] [U]"),
            exit_code=1,
        )
    verb, rest = args[0].lower(), args[1:]
    server = ctx.host.computer_name

    def find(name: str) -> str | None:
        for site_id, site in sites.items():
            if site["name"].lower() == name.lower() or f"msftpsvc/{site_id}" == name.lower():
                return site_id
        return None

    if verb == "/create":
        positional = [arg for arg in rest if not arg.startswith("/")]
        options, _ = _options(rest)
        if len(positional) < 2:
            return Result(stdout=lines("Error &H80070057: The parameter is incorrect. [U]"), exit_code=1)
        root, name = positional[0], positional[1]
        root_path = files.normalize(ctx.host, ctx.user, root)
        if find(name):
            return Result(stdout=lines(f"Error &H800700B7: Site {name} already exists. [U]"), exit_code=1)
        if not files.is_dir(ctx.host, root_path):
            files.make_dirs(ctx.host, root_path)
        port = int(options.get("b", "21") or 21)
        address = options.get("i", "")
        clash = [
            s for s in sites.values() if s["port"] == port and s["ip"] == address and s["state"] == "STARTED"
        ]
        site_id = str(int(hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()[:7], 16))
        state = "STOPPED" if "dontstart" in options or clash else "STARTED"
        sites[site_id] = {"name": name, "root": root_path, "port": port, "ip": address, "state": state}
        return Result(
            stdout=lines(
                f"{'Server':<24}= {server}",
                f"{'Site Name':<24}= {name}",
                f"{'Metabase Path':<24}= MSFTPSVC/{site_id}",
                f"{'IP':<24}= {address or 'ALL UNASSIGNED'}",
                f"{'Port':<24}= {port}",
                f"{'Root':<24}= {root_path}",
                f"{'IsoMode':<24}= Not Isolated",
                f"{'Status':<24}= {state}",
            )
        )
    if verb == "/query":
        wanted = [arg for arg in rest if not arg.startswith("/")]
        chosen = list(sites.items())
        if wanted:
            site_id = find(wanted[0])
            if site_id is None:
                return Result(
                    stdout=lines(f"Error &H80070003: Site {wanted[0]} does not exist. [U]"), exit_code=1
                )
            chosen = [(site_id, sites[site_id])]
        if not chosen:
            return Result(stdout=lines("No sites found. [U]"))
        out = [f"{'Site Name (Metabase Path)':<40}{'Status':<10}{'IP':<16}Port", "=" * 78]
        for site_id, site in sorted(chosen, key=lambda item: int(item[0])):
            label = f"{site['name']} (MSFTPSVC/{site_id})"
            out.append(f"{label:<40}{site['state']:<10}{site['ip'] or 'ALL':<16}{site['port']}")
        return Result(stdout=lines(*out))
    if verb in ("/delete", "/start", "/stop"):
        target = next((arg for arg in rest if not arg.startswith("/")), "")
        site_id = find(target)
        if site_id is None:
            return Result(stdout=lines(f"Error &H80070003: Site {target} does not exist. [U]"), exit_code=1)
        label = f"{sites[site_id]['name']} (MSFTPSVC/{site_id})"
        if verb == "/delete":
            del sites[site_id]
            return Result(
                stdout=lines(f"Server {server} has been DELETED. [U]".replace(f"Server {server}", label))
            )
        sites[site_id]["state"] = "STARTED" if verb == "/start" else "STOPPED"
        return Result(stdout=lines(f"Server {label} has been {sites[site_id]['state']}. [U]"))
    return Result(stdout=lines(f"Error: unknown command {verb} [U]"), exit_code=1)
