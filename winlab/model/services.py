"""Services: `sc query|qc|config|start|stop` and `net start|stop`.

Layouts of `sc query`, `sc qc`, `sc config` and the 1060 error follow the reference, section 3
(3.2, 3.3, 3.4). The other sc/net error texts are Windows' system messages for those codes as
generally known [U].

Starting takes time. StartService returns as soon as the service's ServiceMain thread exists, with
the status the SCM sets: SERVICE_START_PENDING, no controls accepted, CheckPoint 0, WaitHint 2 s
(Microsoft, StartService function, Remarks [V]); the service changes to SERVICE_RUNNING when its
initialization is complete (Microsoft, "Service Startup" [D]). So `sc start` answers at once with
`2  START_PENDING`, and the service runs `host.service_start_delay` seconds later; until then
everything that talks to it finds it not running. The pending start is kept in the service's state
(`start_pending`: when it began, when it is due, and the exit code of a start that fails) and
settles on the first read after it is due: every reader of a service's state goes through
`state_of` or `settle`.
"""

from __future__ import annotations

import math
import time

from winlab.model.host import Context, Host, Result, command, lines

STATES = {1: "STOPPED", 2: "START_PENDING", 3: "STOP_PENDING", 4: "RUNNING", 7: "PAUSED"}
START_TYPES = {0: "BOOT_START", 1: "SYSTEM_START", 2: "AUTO_START", 3: "DEMAND_START", 4: "DISABLED"}
START_WORDS = {"boot": 0, "system": 1, "auto": 2, "demand": 3, "disabled": 4, "delayed-auto": 2}
TYPES = {0x10: "WIN32_OWN_PROCESS", 0x20: "WIN32_SHARE_PROCESS"}
NOT_INSTALLED = "The specified service does not exist as an installed service."


def find(host: Host, name: str) -> tuple[str, dict] | None:
    """A service by key name or display name, case-insensitive (as the SCM and net.exe resolve them)."""
    for key, service in host.state["services"].items():
        if key.lower() == name.lower() or service["display"].lower() == name.lower():
            return key, service
    return None


def crash(host: Host, name: str) -> None:
    """Fault injection: the service stops on its own, as after a crash (exit code 1067 [U])."""
    with host.lock:
        found = find(host, name)
        if found is None:
            raise ValueError(f"host {host.name} has no service {name}")
        found[1].pop("start_pending", None)
        found[1]["state"] = 1
        found[1]["exit_code"] = 1067
        host.save()


# -- the state of a service, and starting one ---------------------------------------------------------------
# SERVICE_START_PENDING's status as the SCM sets it when StartService returns: CheckPoint 0, WaitHint
# 2 seconds (StartService, Remarks [V]); `sc start` prints `WAIT_HINT : 0x7d0` (public captures of
# `sc start` on NT 6 and 10 [V-fixture]).
START_WAIT_HINT = 2000
# Win32 exit codes a start can fail with, and their system messages. 1067 is ERROR_PROCESS_ABORTED,
# what the SCM records when a service's process exits before it reports SERVICE_RUNNING [U: the code a
# real DHCP Server or FTP service stops with depends on why it fails].
START_FAILURES = {1067: "The process terminated unexpectedly."}


def _settle(service: dict, now: float) -> None:
    pending = service.get("start_pending")
    if pending is None or now < pending["due"]:
        return
    del service["start_pending"]
    if pending.get("fails"):
        service["state"] = 1
        service["exit_code"] = pending["fails"]
    else:
        service["state"] = 4
        service.pop("exit_code", None)


def state_of(host: Host, key: str) -> int:
    """The state of service `key` now (STATES): a start that is due has settled (RUNNING, or STOPPED
    for a start that fails). The one way the model reads a service's state."""
    service = host.state["services"][key]
    _settle(service, time.time())
    return service["state"]


def settle(host: Host) -> None:
    """Settle every service whose start is due (before reading many of them, or the whole state)."""
    now = time.time()
    for service in host.state["services"].values():
        _settle(service, now)


def running(host: Host, key: str) -> bool:
    """Whether service `key` is installed and RUNNING now: what a client of the service needs."""
    return key in host.state["services"] and state_of(host, key) == 4


def _start(host: Host, key: str, service: dict) -> float:
    """StartService: the service is START_PENDING until the host's start delay has passed. Returns the
    delay. With no delay the start settles at once (RUNNING, or STOPPED for a failing start)."""
    delay = max(0.0, float(host.service_start_delay))
    now = time.time()
    service["state"] = 2
    service.pop("exit_code", None)
    fails = next((code for name, code in host.start_failures.items() if name.lower() == key.lower()), 0)
    service["start_pending"] = {"since": now, "due": now + delay, "fails": fails}
    _settle(service, now)
    return delay


def _finish_start(service: dict) -> None:
    """What a caller that waits for the start (net.exe) finds at the end of its wait."""
    pending = service.get("start_pending")
    if pending is not None:
        _settle(service, pending["due"])


def _flags(host: Host, state: int) -> str:
    if state == 4:
        flags = ["STOPPABLE", "NOT_PAUSABLE", "ACCEPTS_SHUTDOWN"]
    else:
        flags = ["NOT_STOPPABLE", "NOT_PAUSABLE", "IGNORES_SHUTDOWN"]
    # NT 5 prints the flags without spaces after the commas (reference 3.2).
    joiner = ", " if host.profile.nt6 else ","
    return " " * 32 + "(" + joiner.join(flags) + ")"


def status_block(
    host: Host, key: str, service: dict, pending: int | None = None, checkpoint: int | None = None
) -> list[str]:
    """One service's `sc query` block. `pending` shows a transition state instead of the service's own
    (what `sc start` and `sc stop` print), with the SCM's checkpoint 0 unless `checkpoint` is given."""
    state = pending or service["state"]
    if pending is None and state == 2:
        # Still starting when queried: the service reports its progress. A real service advances its
        # checkpoint as it goes and keeps a wait hint of its own (SERVICE_STATUS, dwCheckPoint and
        # dwWaitHint [D]); here the checkpoint advances once a second and the hint stays the SCM's
        # 2 s [U: DHCP Server's and MSFTPSVC's own values are not captured].
        since = service.get("start_pending", {}).get("since", time.time())
        checkpoint = 1 + int(max(0.0, time.time() - since))
        pending = 2
    # A transition just begun has no exit code yet, whatever the last run of the service left.
    exit_code = 0 if pending else service.get("exit_code", 1077 if state == 1 else 0)
    kind = service["type"]
    out = [
        "",
        f"SERVICE_NAME: {key}",
        f"        TYPE               : {kind:x}  {TYPES.get(kind, 'WIN32_OWN_PROCESS')}",
        f"        STATE              : {state}  {STATES[state]}",
    ]
    # NT 6 omits the flags line for a stopped service [U]; NT 5 prints it (reference 3.2).
    if state != 1 or not host.profile.nt6:
        out.append(_flags(host, state))
    if host.profile.nt6:
        out.append(f"        WIN32_EXIT_CODE    : {exit_code}  (0x{exit_code:x})")
    else:
        out.append(
            f"        WIN32_EXIT_CODE    : {exit_code:<10} (0x{exit_code:x})"
            if exit_code
            else "        WIN32_EXIT_CODE    : 0  (0x0)"
        )
    out += [
        "        SERVICE_EXIT_CODE  : 0  (0x0)",
        f"        CHECKPOINT         : 0x{checkpoint or 0:x}",
        f"        WAIT_HINT          : 0x{START_WAIT_HINT if pending else 0:x}",
    ]
    return out


def _failed(call: str, code: int, message: str) -> Result:
    return Result(stdout=lines(f"[SC] {call} FAILED {code}:", "", message, ""), exit_code=code)


SC_MESSAGES = {
    1056: "An instance of the service is already running.",
    1058: "The service cannot be started, either because it is disabled or because it has no enabled "
    "devices associated with it.",
    1061: "The service cannot accept control messages at this time.",
    1062: "The service has not been started.",
}


@command("sc")
def sc(ctx: Context, argv: list[str], raw: str) -> Result:
    host = ctx.host
    args = list(argv)
    if args and args[0].startswith("\\\\"):
        args.pop(0)  # a remote server name: the lab host answers for itself
    if not args:
        return Result(
            stdout=lines(
                "DESCRIPTION:", "        SC is a command line program used for communicating with the"
            )
        )
    verb, rest = args[0].lower(), args[1:]
    if verb == "query" and (not rest or rest[0].endswith("=")):
        # `sc query [type= service] [state= active|inactive|all]`: the default is `active`, which
        # EnumServicesStatusEx defines as every state but STOPPED, START_PENDING included; `inactive`
        # is STOPPED only (sc-query.md [D]; EnumServicesStatusEx, dwServiceState [V]).
        options = {rest[i].lower(): rest[i + 1].lower() for i in range(0, len(rest) - 1, 2)}
        wanted = options.get("state=", "active")
        settle(host)
        out: list[str] = []
        for key, service in host.state["services"].items():
            stopped = service["state"] == 1
            if wanted == "all" or (stopped if wanted == "inactive" else not stopped):
                out += status_block(host, key, service)
        return Result(stdout=lines(*out, ""))
    if verb not in ("query", "qc", "config", "start", "stop"):
        # Wording not sourced [U].
        return Result(stdout=lines(f"[SC] Unknown command: {verb}"), exit_code=1)
    if not rest:
        # Wording not sourced [U].
        return Result(stdout=lines(f"DESCRIPTION: {verb} needs a service name"), exit_code=1639)
    found = find(host, rest[0])
    if found is None or found[0].lower() != rest[0].lower():
        # sc takes only key names, never display names.
        if verb == "query":
            return _failed("EnumQueryServicesStatus:OpenService", 1060, NOT_INSTALLED)
        return _failed("OpenService", 1060, NOT_INSTALLED)
    key, service = found
    state = state_of(host, key)
    if verb == "query":
        return Result(stdout=lines(*status_block(host, key, service), ""))
    if verb == "qc":
        type_name = TYPES.get(service["type"], "WIN32_OWN_PROCESS")
        start = f"{service['start']}   {START_TYPES[service['start']]}"
        if service.get("delayed") and host.profile.nt6:
            start += "  (DELAYED)"
        return Result(
            stdout=lines(
                "[SC] QueryServiceConfig SUCCESS",
                "",
                f"SERVICE_NAME: {key}",
                f"        TYPE               : {service['type']:x}  {type_name}",
                f"        START_TYPE         : {start}",
                "        ERROR_CONTROL      : 1   NORMAL",
                f"        BINARY_PATH_NAME   : {service['binary']}",
                "        LOAD_ORDER_GROUP   :",
                "        TAG                : 0",
                f"        DISPLAY_NAME       : {service['display']}",
                "        DEPENDENCIES       :",
                "        SERVICE_START_NAME : LocalSystem",
                "",
            )
        )
    if verb == "config":
        return _config(host, service, rest[1:])
    if verb == "start":
        if state != 1:
            # Also while START_PENDING: the service's process is already there. Windows' StartService
            # documents 1056 for "an instance of the service is already running" [D]; that a pending
            # service gets it too is how Wine's services.exe answers (programs/services/services.c,
            # service_start: ERROR_SERVICE_ALREADY_RUNNING while the process lives) [U: no capture
            # of a Windows host].
            return _failed("StartService", 1056, SC_MESSAGES[1056])
        if service["start"] == 4:
            return _failed("StartService", 1058, SC_MESSAGES[1058])
        _start(host, key, service)
        # sc prints the status StartService left: START_PENDING, nothing accepted, checkpoint 0 and
        # the 2 s wait hint, whatever the service does next (StartService, Remarks [V]).
        block = status_block(host, key, service, pending=2, checkpoint=0)
        return Result(
            stdout=lines(*block, "        PID                : 1428", "        FLAGS              :", "")
        )
    # stop
    if state == 2:
        # A starting service accepts no controls: ControlService fails with
        # ERROR_SERVICE_CANNOT_ACCEPT_CTRL when the service is START_PENDING (ControlService, return
        # codes [D]) [U: the sc output layout of 1061 is taken to be that of the other codes].
        return _failed("ControlService", 1061, SC_MESSAGES[1061])
    if state != 4:
        return _failed("ControlService", 1062, SC_MESSAGES[1062])
    service["state"] = 1
    service["exit_code"] = 0
    return Result(stdout=lines(*status_block(host, key, service, pending=3), ""))


def _config(host: Host, service: dict, options: list[str]) -> Result:
    # sc wants `start= auto`: the option word ends in '=' and the value is the next argument (reference 3.1).
    index = 0
    changes: dict[str, object] = {}
    while index < len(options):
        option = options[index].lower()
        if not option.endswith("=") or index + 1 >= len(options):
            # `start=auto` (no space) is not understood; sc prints its usage [U: exact text and code].
            return Result(
                stdout=lines(
                    "DESCRIPTION:",
                    "        Modifies a service entry in the registry and Service Database.",
                    "USAGE:",
                    "        sc <server> config [service name] <option1> <option2>...",
                    "",
                    "OPTIONS:",
                    "NOTE: The option name includes the equal sign.",
                    "      A space is required between the equal sign and the value.",
                ),
                exit_code=1639,
            )
        value = options[index + 1].lower()
        if option == "start=":
            if value not in START_WORDS or (value == "delayed-auto" and not host.profile.nt6):
                return Result(
                    stdout=lines(
                        "[SC] ChangeServiceConfig FAILED 87:", "", "The parameter is incorrect.", ""
                    ),
                    exit_code=87,
                )
            changes["start"] = START_WORDS[value]
            changes["delayed"] = value == "delayed-auto"
        elif option == "displayname=":
            changes["display"] = options[index + 1]
        index += 2
    service.update(changes)
    return Result(stdout=lines("[SC] ChangeServiceConfig SUCCESS"))


def _net_error(message: str, helpmsg: int) -> Result:
    # net.exe writes errors to stderr and exits 2 (reference 4.2).
    return Result(
        stderr=lines(message, "", f"More help is available by typing NET HELPMSG {helpmsg}.", ""), exit_code=2
    )


def net_service(ctx: Context, verb: str, args: list[str]) -> Result:
    host = ctx.host
    if not args:
        if verb == "stop":
            return Result(
                stderr=lines("The syntax of this command is:", "", "NET STOP", "service", ""), exit_code=1
            )
        # Only running services: a starting one is listed once it runs [U: whether net.exe lists
        # START_PENDING services, as `sc query` does, is not captured; leaving them out is stricter].
        settle(host)
        names = sorted(s["display"] for s in host.state["services"].values() if s["state"] == 4)
        return Result(
            stdout=lines(
                "These Windows services are started:",
                "",
                *[f"   {n}" for n in names],
                "",
                "The command completed successfully.",
                "",
            )
        )
    found = find(host, " ".join(args))
    if found is None:
        return _net_error("The service name is invalid.", 2185)
    key, service = found
    display = service["display"]
    state = state_of(host, key)
    if verb == "start":
        if state != 1:
            # Also while START_PENDING (StartService answers 1056, see sc start) [U: net.exe's text
            # for a service that is still starting].
            return _net_error("The requested service has already been started.", 2182)
        if service["start"] == 4:
            return Result(
                stderr=lines(
                    "System error 1058 has occurred.",
                    "",
                    SC_MESSAGES[1058],
                    "",
                ),
                exit_code=2,
            )
        return _net_start(host, key, service)
    if state == 2:
        # NET HELPMSG 2189: "The service is not currently accepting requests. If the service is
        # starting, it cannot process requests until it is fully started." (Microsoft KB Q186554,
        # error 2189 [V]) [U: that net stop of a starting service shows it].
        return _net_error("The service could not be controlled in its present state.", 2189)
    if state != 4:
        return _net_error(f"The {display} service is not started.", 3521)
    service["state"] = 1
    service["exit_code"] = 0
    return Result(
        stdout=lines(
            f"The {display} service is stopping.", f"The {display} service was stopped successfully.", ""
        )
    )


def _net_start(host: Host, key: str, service: dict) -> Result:
    """`net start NAME`: start the service, then wait until it runs or stops.

    net.exe asks the service its status until it reports SERVICE_RUNNING or SERVICE_STOPPED
    (Microsoft KB 320789 [D]), so the command ends when the start has settled: its effects are the
    settled state at once, and the output comes `duration` (the start delay) later. A dot is added to
    the first line for each second of the wait [U: net.exe's polling interval and dots]. A start that
    fails ends with net.exe's system error block: "System error 1067 has occurred." and "The process
    terminated unexpectedly." (Apache HTTP Server and MySQL manuals, starting them as Windows services
    [V-fixture]) [U: the "could not be started" and "A system error has occurred." lines, and their
    stream].
    """
    display = service["display"]
    delay = _start(host, key, service)
    _finish_start(service)
    dots = "." * max(0, math.ceil(delay) - 1)
    starting = f"The {display} service is starting.{dots}"
    if service["state"] == 4:
        return Result(
            stdout=lines(starting, f"The {display} service was started successfully.", ""), duration=delay
        )
    code = service.get("exit_code", 1067)
    return Result(
        stdout=lines(starting),
        stderr=lines(
            f"The {display} service could not be started.",
            "",
            "A system error has occurred.",
            "",
            f"System error {code} has occurred.",
            "",
            START_FAILURES.get(code, ""),
            "",
        ),
        exit_code=2,
        duration=delay,
    )
