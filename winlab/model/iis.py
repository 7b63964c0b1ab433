"""IIS 6 FTP sites through `cscript iisftp.vbs` (reference 5.1), rebuilt from Microsoft's script.

Source: IIsFtp.vbs as it ships in %SystemRoot%\\system32 with IIS 6.0 on Windows Server 2003, and
the IIS script helper it loads (Microsoft.IIsScriptHelper, IIsScHlp.wsc). A copy of the shipped
IIsFtp.vbs is posted at autoitscript.com (forum attachment id=34514): its constants block gives
every message string below, verbatim. The rest (the `/query` column layout, the command-line
parser's order and errors, the WScript.Quit codes) follows the script's routines as named below
(`Main`, `CreateFtpSite`, `QueryFtpSite`, `ChangeFtpSiteStatus`, `DeleteFtpSite`, and the helper's
`ParseCmdLineOptions`, `FindSite`, `WMIConnect`, `IsValidIPAddress`, `IsValidPortNumber`,
`CreateFSDir`, `InitAuthentication`) but is [U]: no citable public copy of the script's code is
used. Messages printed with CmdLib's vbPrintf end their line like WScript.Echo.

Everything goes to stdout (WScript.Echo, WScript.StdOut). Exit codes are the script's
WScript.Quit values; an HRESULT (Err.Number, a negative Long) leaves cscript as its unsigned
32-bit value [U: how WinRM reports an exit code above 2^31 is not sourced].

On Server 2008 the same script is run through the IIS 6 compatibility components [U]: the 2008
copy of the script is in no source; winlab runs the 2003 behaviour, without InitAuthentication's
IIS 6.0 version check (which would refuse IIS 7's metabase compatibility layer if the 2008 copy
kept it).
"""

from __future__ import annotations

import hashlib
import re

from winlab.model import files
from winlab.model.host import Context, Result, command, lines

# Messages (IIsFtp.vbs constants block).
BINDING_CONFLICT = "(ERROR: BINDING CONFLICT)"
SITES_NOT_FOUND = "Site(s) not found."
ALL = "ALL"
ALL_UNASSIGNED = "ALL UNASSIGNED"
NO_ISOLATION = "None"
SEE_HELP = "Type IIsFtp /? for help."
NOT_ENOUGH_PARAMS = "Not enough parameters."
ONLY_ONE_OPERATION = "Please specify only one operation at a time."
OPERATION_REQUIRED = "Please specify an operation before the arguments."
PASS_WITHOUT_USER = "Please specify /u switch before using /p."
INVALID_PORT = "Invalid port number."
INVALID_IP = ("Invalid IP Address. Please check if it is well formated and", "belongs to this machine.")
DIR_FORMAT = ("Root directory format unknown. Please use the", "'<drive>:\\<path>' format.")
# WMIConnect: StdOut.Write of "Connecting to server ..." then StdOut.WriteLine "Done." (IIsScHlp).
CONNECTING = "Connecting to server ...Done."
# FindSite, when a site name (not a metabase path) matches sites that share it (IIsScHlp).
NOT_UNIQUE = (
    "The following site names are not unique. Please use the Metabase Paths to",
    "identify these sites:",
)
# SiteStatus() of IIsFtp.vbs, upper-cased where printed; the metabase ServerState codes.
STARTED, STOPPED, PAUSED = "STARTED", "STOPPED", "PAUSED"
# HRESULTs (Err.Number) that the script passes to WScript.Quit.
E_INVALID_ACCESS = 0x8007000C  # CreateFSDir raises it for a root not in `X:\...` form
# A start refused because another site holds the binding: CreateFtpSite names 0x80070034,
# 0x80070020 and 0x80070057 as the binding-conflict codes; which one IIS returns, and the
# Err.Description text, are [U] (0x80070020, ERROR_SHARING_VIOLATION, is taken).
E_BINDING_IN_USE = 0x80070020
E_BINDING_IN_USE_TEXT = "The process cannot access the file because it is being used by another process."


@command("cscript")
def cscript(ctx: Context, argv: list[str], raw: str) -> Result:
    args = [arg for arg in argv if not arg.startswith("//")]
    if not args:
        return Result(
            stdout=lines("Usage: CScript scriptname.extension [option...] [arguments...]"), exit_code=1
        )
    script = files.normalize(ctx.host, ctx.user, args[0])
    name = script.rsplit("\\", 1)[1].lower()
    if name != "iisftp.vbs":
        # Any other script: the one other form modelled (an HTTP GET through ServerXMLHTTP).
        from winlab.model import xmlhttp

        return xmlhttp.run_script(ctx, script)
    installed = ctx.state["components"]["ftp"] and ctx.profile.server
    if (
        name != "iisftp.vbs"
        or not installed
        or script.lower() != f"{ctx.profile.system_root}\\system32\\iisftp.vbs".lower()
    ):
        # [U] wording of cscript's missing-script error.
        return Result(stdout=lines(f'Input Error: Can not find script file "{script}".'), exit_code=1)
    return iisftp(ctx, args[1:])


# -- the command line (IIsScHlp ParseCmdLineOptions) --------------------------------------------------
# IIsFtp.vbs's option string, "[server:s:1;user:u:1;password:p:1];start::n;stop::n;pause::n;
# delete::n;[create:c:1;port:b:1;ip:i:1;dontstart::0;isolation::1;addomain::1;adadmin::1;
# adpass::1];query:q:n;getadprop::n;setadprop::n": name, short name, argument count ("n": every
# argument up to the next switch); a bracketed group's later members exist only once its first
# switch has been seen (/b before /create is an invalid switch).
_OPTIONS: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    ("server", "s", "1", [("user", "u", "1"), ("password", "p", "1")]),
    ("start", "", "n", []),
    ("stop", "", "n", []),
    ("pause", "", "n", []),
    ("delete", "", "n", []),
    (
        "create",
        "c",
        "1",
        [
            ("port", "b", "1"),
            ("ip", "i", "1"),
            ("dontstart", "", "0"),
            ("isolation", "", "1"),
            ("addomain", "", "1"),
            ("adadmin", "", "1"),
            ("adpass", "", "1"),
        ],
    ),
    ("query", "q", "n", []),
    ("getadprop", "", "n", []),
    ("setadprop", "", "n", []),
]
OPERATIONS = ("start", "stop", "pause", "delete", "create", "query", "getadprop", "setadprop")


def _is_switch(arg: str) -> bool:
    return arg[:1] in ("/", "-") and len(arg) > 1


def _is_help(arg: str) -> bool:
    return arg[:1] in ("/", "-") and arg[1:].upper() in ("?", "H", "HELP")


class _ParseError(Exception):
    def __init__(self, switch: str, not_enough: bool):
        super().__init__(switch)
        self.switch, self.not_enough = switch, not_enough


def _parse(args: list[str]) -> tuple[dict[str, object], list[str], bool, set[str]]:
    """Switch values (in the order first given, a repeated switch moving to the end), the named
    arguments, whether /? was given, and the switches /? followed."""
    switches: dict[str, object] = {}
    named: list[str] = []
    helped: set[str] = set()
    visited: set[str] = set()

    def lookup(name: str) -> tuple[str, str] | None:
        for option, short, count, children in _OPTIONS:
            if name.upper() in (option.upper(), short.upper() or "\0"):
                return option, count
            if option in visited:
                for child, child_short, child_count in children:
                    if name.upper() in (child.upper(), child_short.upper() or "\0"):
                        return child, child_count
        return None

    index = 0
    while index < len(args):
        item = args[index]
        if _is_help(item):
            return switches, named, True, helped
        if not _is_switch(item):
            named.append(item)
            index += 1
            continue
        word, value = item[1:], None
        if ":" in word:
            parts = word.split(":")
            word, value = parts[0], parts[1]
        found = lookup(word)
        if found is None:
            raise _ParseError(word, not_enough=False)
        option, count = found
        switches.pop(option, None)
        visited.add(option)
        if count == "0":
            if index + 1 < len(args) and _is_help(args[index + 1]):
                helped.add(option)
                index += 1
            switches[option] = ""
        elif count == "1":
            if value is not None:
                if len(value.split(",")) != 1:
                    raise _ParseError(option, not_enough=True)
                switches[option] = value
            elif index + 1 < len(args):
                # The next argument is taken whatever it is, even a switch.
                index += 1
                if _is_help(args[index]):
                    helped.add(option)
                switches[option] = args[index]
            else:
                raise _ParseError(option, not_enough=True)
        else:
            # [U]: the `/switch:a,b` form of these switches is not modeled beyond a list of values.
            values: list[str] = value.split(",") if value is not None else []
            while value is None and index + 1 < len(args):
                following = args[index + 1]
                if _is_help(following):
                    helped.add(option)
                elif following[:1] in ("/", "-"):
                    break
                else:
                    values.append(following)
                index += 1
            switches[option] = values
        index += 1
    return switches, named, False, helped


def _fail(*out: str) -> Result:
    return Result(stdout=lines(*out), exit_code=1)


def _hresult(code: int) -> str:
    return f"{code:X}"


# -- Main ----------------------------------------------------------------------------------------------
def iisftp(ctx: Context, args: list[str]) -> Result:
    if not args:
        return _fail(NOT_ENOUGH_PARAMS, SEE_HELP)
    try:
        switches, named, help_wanted, helped = _parse(args)
    except _ParseError as error:
        if error.not_enough:
            see = "Type IIsFtp /create /? for help." if error.switch == "create" else SEE_HELP
            return _fail(NOT_ENOUGH_PARAMS, see)
        return _fail(f"Invalid switch: {error.switch}", SEE_HELP)
    if help_wanted or helped:
        # The help screens are not modeled: winlab says so rather than print part of them.
        return _fail("winlab: the help of iisftp.vbs (/?) is not modeled.")
    operation = ""
    for switch in switches:
        if switch not in OPERATIONS:
            continue
        if operation:
            return _fail(ONLY_ONE_OPERATION, SEE_HELP)
        operation = switch
        value = switches[switch]
        if switch == "create":
            if value == "" or not named:
                return _fail(NOT_ENOUGH_PARAMS, "Type IIsFtp /create /? for help.")
        elif switch != "query" and not value:
            return _fail(NOT_ENOUGH_PARAMS, f"Type IIsFtp /{switch} /? for help.")
    if not operation:
        return _fail(OPERATION_REQUIRED, SEE_HELP)
    if "password" in switches and "user" not in switches:
        return _fail(PASS_WITHOUT_USER)
    out: list[str] = []
    server = str(switches.get("server", "."))
    local = server == "." or server.upper() == ctx.host.computer_name.upper()
    if local and (switches.get("user") or switches.get("password")):
        out.append("WARNING: Using local machine will cause supplied credentials to be ignored.")
    # Any other /s server is taken to be this host (winlab models no second IIS) [U].
    if operation in ("getadprop", "setadprop"):
        return _fail("winlab: iisftp.vbs /GetADProp and /SetADProp (Active Directory) are not modeled.")
    if operation == "create":
        result = _create(ctx, switches, named, server)
    elif operation == "query":
        result = _query(ctx, list(switches["query"]))  # type: ignore[arg-type]
    elif operation == "delete":
        result = _delete(ctx, list(switches["delete"]))  # type: ignore[arg-type]
    else:
        wanted = {"start": STARTED, "stop": STOPPED, "pause": PAUSED}[operation]
        result = _change_status(ctx, list(switches[operation]), wanted)  # type: ignore[arg-type]
    if out:
        result.stdout = lines(*out) + result.stdout
    return result


# -- the sites -------------------------------------------------------------------------------------
def _sites(ctx: Context) -> list[tuple[str, dict]]:
    # WMI enumerates IIsFtpServerSetting in metabase order; winlab lists by site number [U].
    return sorted(ctx.state["ftp_sites"].items(), key=lambda item: int(item[0]))


def _path(site_id: str) -> str:
    return f"MSFTPSVC/{site_id}"


def _matches(site_id: str, site: dict, wanted: str) -> bool:
    # WQL `Name='x' or ServerComment='x'`; WMI compares strings without case [U].
    return wanted.upper() in (_path(site_id).upper(), site["name"].upper())


def _find(ctx: Context, wanted: list[str]) -> tuple[list[str], list[tuple[str, dict]] | None]:
    """FindSite: the matching sites, or None (after the listing it prints) when a site name, not a
    metabase path, is shared by several of the sites found."""
    found = [(i, s) for i, s in _sites(ctx) if any(_matches(i, s, name) for name in wanted)]
    if not any("MSFTPSVC" not in name.upper() for name in wanted):
        return [], found
    flagged = [False] * len(found)
    for later in range(len(found)):
        for earlier in range(later):
            if found[later][1]["name"].upper() == found[earlier][1]["name"].upper():
                flagged[earlier] = flagged[later] = True
    if not any(flagged):
        return [], found
    out = [*NOT_UNIQUE, "", "Site Name" + " " * 20 + "Metabase Path", "=" * 65]
    for (site_id, site), shown in zip(found, flagged, strict=True):
        if shown:
            out.append(site["name"] + " " * max(1, 29 - len(site["name"])) + _path(site_id))
    return out, None


def _holds_binding(ctx: Context, site_id: str) -> str | None:
    """The site already holding this site's binding (same IP, same port), if any [U: IIS 6 lets an
    All Unassigned site and a site on a given address share a port; a paused site keeps its
    binding]."""
    site = ctx.state["ftp_sites"][site_id]
    for other_id, other in _sites(ctx):
        if other_id == site_id or other["state"] not in (STARTED, PAUSED):
            continue
        if other["port"] == site["port"] and other["ip"] == site["ip"]:
            return other_id
    return None


def _change_status(ctx: Context, wanted: list[str], new: str) -> Result:
    """ChangeFtpSiteStatus: messages name the metabase path; 1 when no site matched."""
    out = [CONNECTING]
    listing, found = _find(ctx, wanted)
    out += listing
    if found is None:
        return Result(stdout=lines(*out))
    code = 0
    if not found:
        out.append(SITES_NOT_FOUND)
        code = 1
    for site_id, site in found:
        path, state = _path(site_id), site["state"]
        if state == new:
            out.append(f"Server {path} is already {new}")
        elif new == STARTED:
            if state == PAUSED:
                site["state"] = STARTED
                out.append(f"Server {path} has been CONTINUED")
            elif _holds_binding(ctx, site_id):
                # The script prints the empty strSite here, not the site's path.
                out += [
                    "Failed to change status of server ",
                    f"Error &H{_hresult(E_BINDING_IN_USE)}: {E_BINDING_IN_USE_TEXT}",
                ]
                code = E_BINDING_IN_USE
            else:
                site["state"] = STARTED
                out.append(f"Server {path} has been STARTED")
        elif new == STOPPED and state != STARTED:
            out += ["Server cannot be stopped in its current state", f"({path} server is {state.lower()})"]
        elif new == PAUSED and state != STARTED:
            out += ["Server cannot be paused in its current state", f"({path} server is {state.lower()})"]
        else:
            site["state"] = new
            out.append(f"Server {path} has been {new}")
    return Result(stdout=lines(*out), exit_code=code)


def _delete(ctx: Context, wanted: list[str]) -> Result:
    """DeleteFtpSite: 0 even when no site matched (the failure is set in a variable it never returns)."""
    out = [CONNECTING]
    listing, found = _find(ctx, wanted)
    out += listing
    if found is None:
        return Result(stdout=lines(*out))
    if not found:
        out.append(SITES_NOT_FOUND)
    for site_id, _site in found:
        del ctx.state["ftp_sites"][site_id]
        out.append(f"Server {_path(site_id)} has been DELETED")
    return Result(stdout=lines(*out))


def _query(ctx: Context, wanted: list[str]) -> Result:
    """QueryFtpSite: a header, a rule of 78 `=`, one row per site; `Site(s) not found.` and 0 when
    nothing matched (the function never sets its return value)."""
    out = [CONNECTING]
    chosen = [(i, s) for i, s in _sites(ctx) if not wanted or any(_matches(i, s, w) for w in wanted)]
    if not chosen:
        return Result(stdout=lines(*out, SITES_NOT_FOUND))
    # "Site Name (Metabase Path)" + Space(40 - Len("Site NameMetabase Path") + 3) + "Status" + Space(4)
    # + "IP" + Space(14) + "Port".
    out.append("Site Name (Metabase Path)" + " " * 21 + "Status" + " " * 4 + "IP" + " " * 14 + "Port")
    out.append("=" * 78)
    ip = ""
    for site_id, site in chosen:
        # For a binding with an address the script assigns the binding object itself
        # (`strIP = bindings(i)`, not its .IP); on the assumption that SWbemObject has no default
        # property, the assignment fails under On Error Resume Next and strIP keeps the value it
        # had, empty before the first row [U]. An All Unassigned binding prints ALL.
        if site["ip"] == "":
            ip = ALL
        label = f"{site['name']} ({_path(site_id)})"
        gap = max(1, 40 - len(site["name"] + _path(site_id)) + 3)
        state = site["state"]
        out.append(
            label
            + " " * gap
            + state
            + " " * (10 - len(state))
            + ip
            + " " * (16 - len(ip))
            + str(site["port"])
        )
    return Result(stdout=lines(*out))


def _valid_ip(ctx: Context, address: str) -> bool:
    """IsValidIPAddress: one dotted quad of octets up to 255, and an address of this host."""
    quads = re.findall(r"(\d+)\.(\d+)\.(\d+)\.(\d+)", address)
    if len(quads) != 1 or any(int(octet) > 255 for octet in quads[0]):
        return False
    return address == ctx.state["network"]["address"]


def _valid_port(port: str) -> bool:
    """IsValidPortNumber: numeric, above 0 and below 65535 (65535 itself is refused). Only whole
    numbers are taken [U: VBScript's IsNumeric also takes "21.0" or " 21"]."""
    return port.isdigit() and 0 < int(port) < 65535


def _new_site_id(ctx: Context, name: str) -> str:
    # CreateNewSite without a site number "performs a hash function on the ServerComment"
    # (IIsFtpService.CreateNewSite, IIS 6.0 SDK, ms524591); the hash itself, and the number taken
    # when two sites hash alike, are [U].
    site_id = int(hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()[:7], 16)
    while str(site_id) in ctx.state["ftp_sites"] or site_id < 2:
        site_id += 1
    return str(site_id)


def _create(ctx: Context, switches: dict[str, object], named: list[str], server: str) -> Result:
    """CreateFtpSite: checks, the root folder, the site (stopped), then a start unless /dontstart.
    The summary's labels are padded to 14; it exits 0 even when the start hit a binding conflict.
    A second site of an existing name is created: CreateNewSite does not refuse a ServerComment in
    use (ms524591)."""
    root = str(switches["create"])
    name = named[0]
    port = str(switches.get("port", "")) or "21"
    address = str(switches.get("ip", ""))
    isolation = str(switches.get("isolation", ""))
    if isolation.upper() == "AD":
        root = ""  # Main: an AD-isolated site has no root folder
    if not _valid_port(port):
        return _fail(INVALID_PORT)
    if address and not _valid_ip(ctx, address):
        return _fail(*INVALID_IP)
    if root:
        if root[1:3] != ":\\":
            return Result(
                stdout=lines(*DIR_FORMAT, "Type IIsFtp /create /? for help."), exit_code=E_INVALID_ACCESS
            )
        path = files.normalize(ctx.host, ctx.user, root)
        if not files.is_dir(ctx.host, path):
            files.make_dirs(ctx.host, path)
    else:
        path = ""
    site_id = _new_site_id(ctx, name)
    sites = ctx.state["ftp_sites"]
    sites[site_id] = {
        "name": name,
        "root": path,
        "port": int(port),
        "ip": address,
        "state": STOPPED,
        # UserIsolationMode: 1 for Local, 2 for AD, left at 0 for any other word.
        "isolation": {"LOCAL": 1, "AD": 2}.get(isolation.upper(), 0),
    }
    status = STOPPED
    if "dontstart" not in switches:
        if _holds_binding(ctx, site_id):
            status = f"{STOPPED} {BINDING_CONFLICT}"
        else:
            sites[site_id]["state"] = status = STARTED
    shown_server = ctx.host.computer_name if server == "." else server

    def row(label: str, value: str) -> str:
        return label + " " * (14 - len(label)) + "= " + value

    return Result(
        stdout=lines(
            CONNECTING,
            row("Server", shown_server.upper()),
            row("Site Name", name),
            row("Metabase Path", _path(site_id)),
            row("IP", address or ALL_UNASSIGNED),
            row("Port", port),
            row("Root", root),
            row("IsoMode", isolation or NO_ISOLATION),
            row("Status", status),
        )
    )
