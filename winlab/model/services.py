"""Services: `sc query|qc|config|start|stop` and `net start|stop`.

Layouts of `sc query`, `sc qc`, `sc config` and the 1060 error follow the reference, section 3
(3.2, 3.3, 3.4). The other sc/net error texts are Windows' system messages for those codes as
generally known [U].
"""

from __future__ import annotations

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
        found[1]["state"] = 1
        found[1]["exit_code"] = 1067
        host.save()


def _flags(host: Host, state: int) -> str:
    if state == 4:
        flags = ["STOPPABLE", "NOT_PAUSABLE", "ACCEPTS_SHUTDOWN"]
    else:
        flags = ["NOT_STOPPABLE", "NOT_PAUSABLE", "IGNORES_SHUTDOWN"]
    # NT 5 prints the flags without spaces after the commas (reference 3.2).
    joiner = ", " if host.profile.nt6 else ","
    return " " * 32 + "(" + joiner.join(flags) + ")"


def status_block(host: Host, key: str, service: dict, pending: int | None = None) -> list[str]:
    state = pending or service["state"]
    exit_code = service.get("exit_code", 1077 if state == 1 else 0)
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
        "        CHECKPOINT         : 0x0",
        f"        WAIT_HINT          : {'0x7d0' if pending else '0x0'}",
    ]
    return out


def _failed(call: str, code: int, message: str) -> Result:
    return Result(stdout=lines(f"[SC] {call} FAILED {code}:", "", message, ""), exit_code=code)


SC_MESSAGES = {
    1056: "An instance of the service is already running.",
    1058: "The service cannot be started, either because it is disabled or because it has no enabled "
    "devices associated with it.",
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
    if verb == "query" and rest and rest[0].endswith("="):
        # `sc query type= service state= all`: every service, not only the running ones.
        options = {rest[i].lower(): rest[i + 1].lower() for i in range(0, len(rest) - 1, 2)}
        wanted = {"all": (1, 4), "inactive": (1,)}.get(options.get("state=", ""), (4,))
        out = []
        for key, service in host.state["services"].items():
            if service["state"] in wanted:
                out += status_block(host, key, service)
        return Result(stdout=lines(*out, ""))
    if verb == "query" and not rest:
        out: list[str] = []
        for key, service in host.state["services"].items():
            if service["state"] == 4:
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
        if service["state"] == 4:
            return _failed("StartService", 1056, SC_MESSAGES[1056])
        if service["start"] == 4:
            return _failed("StartService", 1058, SC_MESSAGES[1058])
        service["state"] = 4
        service.pop("exit_code", None)
        block = status_block(host, key, service, pending=2)
        return Result(
            stdout=lines(*block, "        PID                : 1428", "        FLAGS              :", "")
        )
    # stop
    if service["state"] != 4:
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
    _key, service = found
    display = service["display"]
    if verb == "start":
        if service["state"] == 4:
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
        service["state"] = 4
        service.pop("exit_code", None)
        return Result(
            stdout=lines(
                f"The {display} service is starting.", f"The {display} service was started successfully.", ""
            )
        )
    if service["state"] != 4:
        return _net_error(f"The {display} service is not started.", 3521)
    service["state"] = 1
    service["exit_code"] = 0
    return Result(
        stdout=lines(
            f"The {display} service is stopping.", f"The {display} service was stopped successfully.", ""
        )
    )
