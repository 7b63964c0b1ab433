"""netsh: the `dhcp` context (server, scopes, authorization), `firewall`, `advfirewall`, and `exec`.

Output layouts follow the reference, section 1 (1.3 show scope, 1.4 show iprange, 1.6 show optionvalue,
1.7 show clients, 1.8 dump, 1.9 success and context lines) and section 5.3 (firewall). Where the
reference has two samples of a layout, the one from the Server 2003 era (Ericsson, 2005) is used for
the 2003 profile and the later one (theforeman smart-proxy) for 2008; that attribution by date is an
assumption [U]. Items the reference marks unverified are marked [U] where they are produced.

Beyond the reference, the dhcp context's refusals and error texts are modeled from: Microsoft's DHCP
Server Management API error-code page and [MS-DHCPM] (which code each failure is), the mperry2
Microsoft-DHCP-PowerShell-Admin module and theforeman smart-proxy (the substrings they match in
netsh's answers), Checkmk's win_dhcp_pools.bat agent plugin (the lines of an unreachable server) and
netsh's own help strings (the option types). Each source is named where it is used; what none of them
backs is marked [U] and listed in winlab/README.md.
"""

from __future__ import annotations

import ipaddress
import re

from winlab.model import files, services
from winlab.model.host import CRLF, Context, Result, command, lines

OK = "Command completed successfully."
# The sourced samples of `scope X set state` and `scope X add excluderange` show only the success line,
# where add iprange and set optionvalue show the context line first (reference 1.9, Ericsson comments
# [V-fixture]). Followed as sourced; the samples may have been abbreviated [U].
OK_ONLY = OK

# -- failed netsh dhcp commands ------------------------------------------------------------------------
# A failed command prints the message of the DHCP Server API error behind it, after the scope context
# line where there is one; the last line is never "Command completed successfully." (reference 1.9).
# Whether netsh also prints the number is [U]: it is not printed. Each error below carries its code and
# symbol from Microsoft's "DHCP Server Management API Error Codes" page (MicrosoftDocs/win32,
# desktop-src/DHCP/dhcp-server-management-api-error-codes.md) and, for the code, the call's return
# values in [MS-DHCPM]. The page's texts are not what netsh prints where captures show netsh's wording
# (Ericsson's capture shows 20005 as "The specified subnet does not exist.", the page says "... does not
# exist on the DHCP server."; smart-proxy matches 20044 as "class name being used is unknown", the page
# says "The specified DHCP class name is unknown or invalid."). Where such a capture exists its wording
# is used; otherwise the page's text stands in, marked [U].
DHCP_ERROR_TEMPLATE = "{message}"
DHCP_ERROR_EXIT = 1  # netsh's errorlevel on failure is undocumented [U]; tools read the text instead.

# ERROR_DHCP_SUBNET_NOT_PRESENT: netsh's wording from the Ericsson code comment [V-fixture].
SUBNET_MISSING = (20005, "The specified subnet does not exist.")
# ERROR_DHCP_ELEMENT_CANT_REMOVE, which [MS-DHCPM] R_DhcpDeleteSubnet returns for DhcpNoForce when a
# lease is out, and R_DhcpRemoveSubnetElement for an exclusion range that does not exist. The page's
# text [U]; the mperry2 psm1 matches "cannot be removed" after `delete scope ... DHCPNOFORCE` [V substring].
ELEMENT_CANT_REMOVE = (20007, "The specified DHCP element has been used by a client and cannot be removed.")
# ERROR_DHCP_OPTION_NOT_PRESENT: the page's text [U].
OPTION_MISSING = (20010, "The specified option does not exist on the DHCP server.")
# ERROR_DHCP_IPRANGE_EXISTS (SDK spelling ..._EXITS): the page's text [U].
IPRANGE_EXISTS = (20021, "The specified IP address range is already defined on the DHCP server.")
# ERROR_DHCP_INVALID_RANGE: the page's text [U]. The NT 4.0 DHCP Manager worded it "The specified range
# either overlaps with an already existing range or is invalid." (KB Q164330).
INVALID_RANGE = (
    20023,
    "The specified IP address range either overlaps with an existing range or is invalid.",
)
# ERROR_DHCP_CLASS_NOT_FOUND: smart-proxy's report() matches "class name being used is unknown" [V
# substring]; the rest of the sentence [U].
CLASS_UNKNOWN = (20044, "The class name being used is unknown or invalid.")
# ERROR_DHCP_SUBNET_EXISTS: what [MS-DHCPM] R_DhcpCreateSubnet returns both for a scope that exists
# and for one that overlaps an existing one (20004, ERROR_DHCP_SUBNET_EXITS, is not among its return
# values). The page's text [U].
SCOPE_CONFLICT = (
    20052,
    "The DHCP scope parameters are incorrect. Either the scope already exists, or its properties are "
    "inconsistent with the subnet address and mask of an existing scope.",
)
# ERROR_DDS_SERVER_ALREADY_EXISTS / ERROR_DDS_SERVER_DOES_NOT_EXIST: the page's texts [U]; the psm1
# matches "already present" and "not present" [V substring].
SERVER_PRESENT = (20079, "The specified DHCP servers are already present in Active Directory.")
SERVER_ABSENT = (20080, "The specified DHCP servers are not present in Active Directory.")
# ERROR_INVALID_PARAMETER, the Win32 text ([MS-ERREF] 2.2); that netsh prints it for a bad argument [U].
PARAMETER = (87, "The parameter is incorrect.")
# netsh's own messages, no API code behind them.
BAD_SCOPE = (0, "The command needs a valid Scope IP Address.")  # mperry2 psm1 [V substring]
# `add excluderange` on a scope without an IP range: the psm1 reports "No items to display" as "$Scope
# must first have a defined IP range!" [V substring]; the rest of the line [U].
NO_RANGE = (0, "No items to display.")

# When netsh cannot reach the DHCP Server service (stopped, or another server it cannot contact), it
# prints these two lines, then treats the rest of the line as an unknown command. Checkmk's
# win_dhcp_pools.bat agent plugin filters exactly "Unable to determine the DHCP Server version for the
# Server", "Server may not function properly." and ": dhcp server show mibinfo." out of `netsh dhcp server
# show mibinfo` (Checkmk/checkmk agents/windows/plugins/win_dhcp_pools.bat) [V]. The server is named by
# its address: a script reading `netsh dhcp server \\name show scope` finds the "Unable" line by an IPv4
# pattern (Graeme Wilkinson's DHCP export script, 2017) [D: inferred]. The leading blank line and the order
# are [U]: the psm1 reads "Server may not function properly" at line index 2 [V].
UNREACHABLE_VERSION = "Unable to determine the DHCP Server version for the Server {server}."
UNREACHABLE_WARNING = "Server may not function properly."

# The types `set optionvalue` takes for IPv4 options, the same in the 2003 and the 2008 netsh: its help
# text lists "BYTE | WORD | DWORD | STRING | IPADDRESS" ("valid only for Windows 2000 Server, Windows
# Server 2003 and Windows Server 2008"; netsh's resource strings as uitranslation.com publishes Windows
# UI strings, the `set optionvalue` and `add optiondef` help) [V], as does the XP/2003 "Netsh commands
# for DHCP" page [D]. IPV6ADDRESS
# belongs to 2008's v6 context, not modeled. The API's other types (DWORDDWORD, BINARY, ENCAPSULATED,
# [MS-DHCPM] 2.2.1.1.10) are not listed there and are refused here [U].
OPTION_TYPES = ("BYTE", "WORD", "DWORD", "STRING", "IPADDRESS")
NUMBER_LIMITS = {"BYTE": 0xFF, "WORD": 0xFFFF, "DWORD": 0xFFFFFFFF}  # [MS-DHCPM] 2.2.1.1.10 sizes
# The option definitions of the DHCP Standard Options class that winlab knows, with their type and
# whether they take several values. Windows Server 2003 predefines every RFC 2132 option ("DHCP options",
# Windows Server 2003 TechNet cc787895) [D]; winlab knows only these, on both versions, and refuses the
# others as options that do not exist, which is stricter than Windows (README, not modeled). Types and
# arrays per RFC 2132; 3, 51, 66 and 81 as smart-proxy's captured `show optionvalue` shows them [V-fixture].
# Option 1 is not set with `set optionvalue`: it comes from the scope's mask (NT 4.0 Resource Kit, DHCP
# options table 13.1) [D]; refused here [U].
STANDARD_OPTIONS = {
    3: ("IPADDRESS", True),  # Router
    4: ("IPADDRESS", True),  # Time Server
    6: ("IPADDRESS", True),  # DNS Servers
    15: ("STRING", False),  # DNS Domain Name
    42: ("IPADDRESS", True),  # NTP Servers
    44: ("IPADDRESS", True),  # WINS/NBNS Servers
    46: ("BYTE", False),  # WINS/NBT Node Type
    51: ("DWORD", False),  # Lease
    66: ("STRING", False),  # Boot Server Host Name
    67: ("STRING", False),  # Bootfile Name
    81: ("DWORD", False),  # the server's dynamic DNS settings, a DWORD in the capture
}
RANGE_TYPES = {"DHCP": "DHCP ONLY", "BOOTP": "BOOTP ONLY", "BOTH": "DHCP BOOTP"}  # BOOTP ONLY is [U]


def not_found(words: list[str]) -> Result:
    # netsh's answer to an unknown command or context [U: reference 1.9 lists it only as a substring].
    return Result(stdout=lines(f"The following command was not found: {' '.join(words)}."), exit_code=1)


def dhcp_error(error: tuple[int, str], context_line: str | None = None) -> Result:
    code, message = error
    out = [context_line, ""] if context_line else []
    out.append(DHCP_ERROR_TEMPLATE.format(message=message, code=code))
    return Result(stdout=lines(*out), exit_code=DHCP_ERROR_EXIT)


def _ip(text: str) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        return None


def _key(text: str) -> int:
    return int(ipaddress.IPv4Address(text))


@command("netsh")
def netsh(ctx: Context, argv: list[str], raw: str) -> Result:
    words = list(argv)
    context: list[str] = []
    while words and words[0].startswith("-"):
        flag = words.pop(0).lower()
        if flag == "-c" and words:
            context.append(words.pop(0))
        elif flag == "-f" and words:
            return exec_script(ctx, words.pop(0))
        elif flag == "-r" and words:
            words.pop(0)  # remote machine: the lab host answers for itself
    words = context + words
    if not words:
        return Result(stdout=lines("netsh>"))
    return run_words(ctx, words)


def run_words(ctx: Context, words: list[str]) -> Result:
    head = words[0].lower()
    if head == "exec" and len(words) >= 2:
        return exec_script(ctx, words[1])
    if head == "dhcp":
        if not ctx.state["components"]["dhcp"]:
            return not_found(words)
        return dhcp(ctx, words)
    if head == "firewall":
        return firewall(ctx, words)
    if head == "advfirewall":
        if not ctx.profile.nt6:
            # advfirewall arrived with Vista/2008 (reference 5.3).
            return not_found(words)
        return advfirewall(ctx, words)
    return not_found(words)


def exec_script(ctx: Context, path: str) -> Result:
    """`netsh exec file`: run each line as a netsh command; stop at the first failure [U]."""
    data = files.read_bytes(ctx.host, files.normalize(ctx.host, ctx.user, path))
    if data is None:
        return Result(stdout=lines(f"The system cannot find the file specified.{CRLF}"), exit_code=1)
    total = Result()
    for line in data.decode("cp437", errors="replace").splitlines():
        text = line.strip()
        if not text or text.startswith("#") or text.lower() in ("pushd", "popd"):
            continue
        from winlab.model.host import split_args

        result = run_words(ctx, split_args(text))
        total.stdout += result.stdout
        total.stderr += result.stderr
        if result.exit_code:
            total.exit_code = result.exit_code
            break
    return total


# -- dhcp ------------------------------------------------------------------------------------------
def _server_address(ctx: Context) -> str:
    return ctx.state["network"]["address"]


def _target(ctx: Context, word: str) -> tuple[bool, str]:
    """Whether `dhcp server WORD` names this host, and the address netsh would name the server by.

    This host is its computer name, case-insensitive ("You may also specify the DHCP server by name.
    For example: \\\\DHCP-SVR01.", 2000trainers.com's netsh DHCP tutorial) or the address of its network
    card, as `\\\\name`, `\\\\address` or a bare address (reference 1.1); a bare `\\\\` is the local server
    (Jacob Sommerville's DhcpWOL.ps1 runs `netsh dhcp server \\\\ scope ... show clients` for it)
    [V-fixture]; so are its DNS name (computer name and the domain's suffix), 127.0.0.1 and localhost
    [U: no capture]. Any other server cannot be reached from the lab: winlab has no DHCP RPC between
    hosts, so netsh fails as it does for a server it cannot contact.
    """
    name = word[2:] if word.startswith("\\\\") else word
    own = _server_address(ctx)
    computer = ctx.host.computer_name.lower()
    domain = str(ctx.state.get("domain") or "").lower()
    local = {"", own, "127.0.0.1", "localhost", computer}
    if domain:
        local.add(f"{computer}.{domain}")
    if name.lower() in local:
        return True, own
    if _ip(name):
        return False, name
    other = ctx.host.resolver(name) if ctx.host.resolver else None
    # A name that resolves to no host of the lab is named as given [U: what netsh prints then].
    return False, other.state["network"]["address"] if other is not None else name


def _unreachable(server: str, words: list[str]) -> Result:
    return Result(
        stdout=lines(
            "",
            UNREACHABLE_VERSION.format(server=server),
            UNREACHABLE_WARNING,
            f"The following command was not found: {' '.join(words)}.",
        ),
        exit_code=1,
    )


def dhcp(ctx: Context, words: list[str]) -> Result:
    rest = words[1:]
    if not rest:
        # Wording not sourced [U].
        return Result(stdout=lines("Lists all the commands available in this context."))
    verb = rest[0].lower()
    if verb in ("add", "delete") and len(rest) >= 2 and rest[1].lower() == "server":
        return _authorize(ctx, verb, rest[2:])
    if verb == "show" and len(rest) >= 2 and rest[1].lower() == "server":
        return _show_authorized(ctx)
    if verb != "server":
        return not_found(words)
    rest = rest[1:]
    # An optional target server: `\\name`, `\\address` or an address (reference 1.1).
    local, server = True, _server_address(ctx)
    if rest and (rest[0].startswith("\\\\") or _ip(rest[0])):
        local, server = _target(ctx, rest[0])
        rest = rest[1:]
    if not local or not services.running(ctx.host, "DHCPServer"):
        # netsh cannot reach the DHCP Server service: another server, or this one's is not running
        # (also while it is still START_PENDING: it serves no RPC until it runs [U]).
        return _unreachable(server, words)
    if not rest:
        return Result(stdout=lines(OK))
    verb = rest[0].lower()
    args = rest[1:]
    if verb == "scope":
        if not args:
            return dhcp_error(BAD_SCOPE)
        return _scope(ctx, args[0], args[1:], words)
    if verb == "show" and args and args[0].lower() == "mibinfo":
        return Result(stdout=show_mibinfo(ctx))
    if verb == "add" and args and args[0].lower() == "scope":
        return _add_scope(ctx, args[1:])
    if verb == "delete" and args and args[0].lower() == "scope":
        return _delete_scope(ctx, args[1:])
    if verb == "show" and args and args[0].lower() == "scope":
        return Result(stdout=show_scope(ctx))
    if verb == "dump":
        return Result(stdout=dump(ctx))
    return not_found(words)


def _authorize(ctx: Context, verb: str, args: list[str]) -> Result:
    if len(args) != 2 or _ip(args[1]) is None:
        return dhcp_error(PARAMETER)
    servers = ctx.state["dhcp"]["authorized"]
    present = [s for s in servers if s["ip"] == args[1] or s["dns"].lower() == args[0].lower()]
    if verb == "add":
        if present:
            return dhcp_error(SERVER_PRESENT)
        servers.append({"dns": args[0], "ip": args[1]})
    else:
        if not present:
            return dhcp_error(SERVER_ABSENT)
        for server in present:
            servers.remove(server)
    return Result(stdout=lines(OK))


def _show_authorized(ctx: Context) -> Result:
    # Row layout [U]; the mperry2 psm1 reads "Server [name] Address [ip]" out of it [V].
    servers = ctx.state["dhcp"]["authorized"]
    out = ["", f"{len(servers)} Servers were found in the directory service:", ""]
    for server in servers:
        out.append(f"\tServer [{server['dns']}] Address [{server['ip']}] Ds location: cn={server['dns']}")
    out += ["", OK]
    return Result(stdout=lines(*out))


def _add_scope(ctx: Context, args: list[str]) -> Result:
    if len(args) < 3 or _ip(args[0]) is None or _ip(args[1]) is None:
        return dhcp_error(PARAMETER)
    address, mask, name = args[0], args[1], args[2]
    comment = args[3] if len(args) > 3 else ""
    try:
        network = ipaddress.IPv4Network(f"{address}/{mask}")
    except ValueError:
        # Not a subnet address, or not a mask: the same refusal [U].
        return dhcp_error(SCOPE_CONFLICT)
    scopes = ctx.state["dhcp"]["scopes"]
    for other in scopes.values():
        if ipaddress.IPv4Network(f"{other['address']}/{other['mask']}").overlaps(network):
            # The scope exists, or overlaps one: both are 20052 (R_DhcpCreateSubnet).
            return dhcp_error(SCOPE_CONFLICT)
    scopes[address] = {
        "address": address,
        "mask": mask,
        "name": name,
        "comment": comment,
        "state": 0,
        "ranges": [],
        "exclusions": [],
        "options": {},
        "leases": [],
        "reservations": [],
    }
    # A new scope starts Disabled (inactive) until `set state 1`.
    return Result(stdout=lines(OK))


def _delete_scope(ctx: Context, args: list[str]) -> Result:
    if not args or _ip(args[0]) is None:
        return dhcp_error(BAD_SCOPE)
    scopes = ctx.state["dhcp"]["scopes"]
    scope = scopes.get(args[0])
    if scope is None:
        return dhcp_error(SUBNET_MISSING)
    force = len(args) > 1 and args[1].upper() == "DHCPFULLFORCE"
    if scope["leases"] and not force:
        return dhcp_error(ELEMENT_CANT_REMOVE)
    del scopes[args[0]]
    return Result(stdout=lines(OK))


def _state_word(state: int) -> str:
    word = "Active" if state in (1, 3) else "Disabled"
    return word + ("(Switched)" if state in (2, 3) else "")  # switched variants [U]


def show_scope(ctx: Context) -> str:
    nt5 = not ctx.profile.nt6
    scopes = sorted(ctx.state["dhcp"]["scopes"].values(), key=lambda s: _key(s["address"]))
    out = ["=" * 78, " Scope Address  - Subnet Mask    - State        - Scope Name          -  Comment"]
    if nt5:
        out.append("")
    out += ["=" * 78, ""]
    for scope in scopes:
        # Fixed columns; the name is cut at 21 and the comment at 14 characters (reference 1.3).
        address = f" {scope['address']:<15}- " if nt5 else f" {scope['address']:<16}- "
        out.append(
            f"{address}{scope['mask']:<15}-{_state_word(scope['state']):<14}-{scope['name'][:21]:<21}-"
            f"{scope['comment'][:14]}"
        )
        if nt5:
            out.append("")
    out += ["", f" Total No. of Scopes = {len(scopes)}", OK]
    return lines(*out)


def _scope(ctx: Context, address: str, args: list[str], words: list[str]) -> Result:
    scope = ctx.state["dhcp"]["scopes"].get(address)
    if scope is None:
        return dhcp_error(BAD_SCOPE)
    changed = f"Changed the current scope context to {address} scope."
    if not args:
        return Result(stdout=lines(changed, ""))
    verb = args[0].lower()
    noun = args[1].lower() if len(args) > 1 else ""
    rest = args[2:]
    if verb == "show":
        handlers = {
            "iprange": _show_iprange,
            "excluderange": _show_excluderange,
            "optionvalue": _show_optionvalue,
            "clients": _show_clients,
            "client": _show_clients,
            "state": _show_state,
        }
        if noun in handlers:
            return Result(stdout=lines(changed, "") + handlers[noun](ctx, scope))
        return not_found(words)
    if verb == "add" and noun == "iprange":
        return _add_iprange(ctx, scope, rest, changed)
    if verb == "delete" and noun == "iprange":
        # An IP range that is not there [U: the code, by analogy with add iprange].
        return _delete_range(scope, "ranges", rest, changed, INVALID_RANGE)
    if verb == "add" and noun == "excluderange":
        return _add_excluderange(scope, rest, changed)
    if verb == "delete" and noun == "excluderange":
        # An exclusion range that is not there: R_DhcpRemoveSubnetElement's 20007 ([MS-DHCPM] 3.1.4.7).
        return _delete_range(scope, "exclusions", rest, changed, ELEMENT_CANT_REMOVE)
    if verb == "set" and noun == "optionvalue":
        return _set_optionvalue(ctx, scope, rest, changed)
    if verb == "delete" and noun == "optionvalue":
        code = _option_code(rest[0]) if rest else None
        if code is None or str(code) not in scope["options"]:
            return dhcp_error(OPTION_MISSING, changed)
        del scope["options"][str(code)]
        return Result(stdout=lines(changed, "", OK))
    if verb == "set" and noun == "state":
        if not rest or rest[0] not in ("0", "1", "2", "3"):
            return dhcp_error(PARAMETER, changed)
        scope["state"] = int(rest[0])
        return Result(stdout=lines(OK_ONLY))
    if verb == "set" and noun == "comment":
        scope["comment"] = rest[0] if rest else ""
        return Result(stdout=lines(changed, "", OK))
    if verb == "set" and noun == "name":
        scope["name"] = rest[0] if rest else scope["name"]
        return Result(stdout=lines(changed, "", OK))
    if verb == "set" and noun == "napstate" and ctx.profile.nt6:
        # NAP arrived with 2008; its dump writes `set napstate Off` for every scope, so a dump
        # replays only if the line is taken (reference 1.10). Only Off, the value the dump writes, is
        # modeled; the reply is that of the other scope settings [U].
        if [word.lower() for word in rest] != ["off"]:
            return dhcp_error(PARAMETER, changed)
        return Result(stdout=lines(changed, "", OK))
    return not_found(words)


def _in_scope(scope: dict, start: str, end: str) -> bool:
    network = ipaddress.IPv4Network(f"{scope['address']}/{scope['mask']}")
    first, last = _ip(start), _ip(end)
    return bool(first and last and first <= last and first in network and last in network)


def _add_iprange(ctx: Context, scope: dict, args: list[str], changed: str) -> Result:
    if len(args) < 2 or not _in_scope(scope, args[0], args[1]):
        return dhcp_error(INVALID_RANGE, changed)
    network = ipaddress.IPv4Network(f"{scope['address']}/{scope['mask']}")
    if _ip(args[0]) == network.network_address or _ip(args[1]) == network.broadcast_address:
        # A range holding the subnet's own address or its broadcast address cannot be leased from;
        # refused as an invalid range [U: no capture of a real refusal was found].
        return dhcp_error(INVALID_RANGE, changed)
    kind = args[2].upper() if len(args) > 2 else "DHCP"
    if kind not in RANGE_TYPES:
        return dhcp_error(PARAMETER, changed)
    if scope["ranges"]:
        # A scope has one address range; a second `add iprange` fails [U: code chosen from the API table].
        existing = scope["ranges"][0]
        error = IPRANGE_EXISTS if existing[:2] == args[:2] else INVALID_RANGE
        return dhcp_error(error, changed)
    scope["ranges"].append([args[0], args[1], kind])
    return Result(stdout=lines(changed, "", OK))


def _add_excluderange(scope: dict, args: list[str], changed: str) -> Result:
    if len(args) < 2 or not _in_scope(scope, args[0], args[1]):
        return dhcp_error(INVALID_RANGE, changed)
    if not scope["ranges"]:
        # The psm1 reads this answer as "$Scope must first have a defined IP range!" [V substring].
        return dhcp_error(NO_RANGE, changed)
    first, last = _key(args[0]), _key(args[1])
    if not any(_key(start) <= first and last <= _key(end) for start, end, _ in scope["ranges"]):
        # An exclusion withholds addresses of the scope's IP range: outside it, the range is invalid
        # [U: inferred from the psm1's reading above; stricter than allowing it].
        return dhcp_error(INVALID_RANGE, changed)
    for start, end in scope["exclusions"]:
        if first <= _key(end) and _key(start) <= last:
            return dhcp_error(INVALID_RANGE, changed)
    scope["exclusions"].append([args[0], args[1]])
    scope["exclusions"].sort(key=lambda pair: _key(pair[0]))
    return Result(stdout=lines(OK_ONLY))


def _delete_range(scope: dict, field: str, args: list[str], changed: str, missing: tuple[int, str]) -> Result:
    for item in scope[field]:
        if item[:2] == args[:2]:
            scope[field].remove(item)
            return Result(stdout=lines(changed, "", OK))
    return dhcp_error(missing, changed)


def _option_code(text: str) -> int | None:
    # `003` and `3` name the same option (reference 1.2) [U].
    return int(text) if text.isdigit() else None


def _option_value_ok(kind: str, value: str) -> bool:
    if kind == "IPADDRESS":
        return _ip(value) is not None
    if kind in NUMBER_LIMITS:
        # Decimal within the type's size [U: whether netsh also reads 0x.. hex, or truncates].
        return value.isdigit() and int(value) <= NUMBER_LIMITS[kind]
    return True  # STRING


def _set_optionvalue(ctx: Context, scope: dict, args: list[str], changed: str) -> Result:
    if len(args) < 3:
        return dhcp_error(PARAMETER, changed)
    code = _option_code(args[0])
    kind = args[1].upper()
    values = [value for value in args[2:] if not re.match(r"(?i)^(user|vendor)=", value)]
    vendor = next((value.split("=", 1)[1] for value in args[2:] if value.lower().startswith("vendor=")), "")
    if code is None or kind not in OPTION_TYPES or not values:
        return dhcp_error(PARAMETER, changed)
    if code not in STANDARD_OPTIONS:
        # No such option definition in the DHCP Standard Options class: ERROR_DHCP_OPTION_NOT_PRESENT,
        # which DhcpSetOptionValue returns for it (Microsoft's DhcpSetOptionValue page) [D].
        return dhcp_error(OPTION_MISSING, changed)
    defined, array = STANDARD_OPTIONS[code]
    if kind != defined:
        # A type other than the definition's (STRING for option 3) [U: the refusal and its wording].
        return dhcp_error(PARAMETER, changed)
    if not array and len(values) > 1:
        # Several values for a single-valued option [U].
        return dhcp_error(PARAMETER, changed)
    if not all(_option_value_ok(kind, value) for value in values):
        return dhcp_error(PARAMETER, changed)
    if vendor:
        # No vendor classes are defined on a new server; smart-proxy matches this substring [V].
        return dhcp_error(CLASS_UNKNOWN, changed)
    scope["options"][str(code)] = {"type": kind, "values": values}
    return Result(stdout=lines(changed, "", OK))


def _show_iprange(ctx: Context, scope: dict) -> str:
    out = ["=" * 61, "   Start Address   -    End Address    -     Address Type", "=" * 61]
    for start, end, kind in scope["ranges"]:
        out.append(f"   {start:<15} -   {end:<15} -  {RANGE_TYPES[kind]}")
    out += ["", f"No of IP Ranges : {len(scope['ranges'])} in the Scope : {scope['address']}.", "", OK]
    return lines(*out)


def _show_excluderange(ctx: Context, scope: dict) -> str:
    # The whole layout is a guess by analogy with show iprange (reference 1.5) [U].
    out = ["=" * 62, " Start Address   -    End Address", "=" * 62]
    for start, end in scope["exclusions"]:
        out.append(f" {start:<16}-    {end}")
    out += [
        "",
        f"No of ExcludeRanges : {len(scope['exclusions'])} in the Scope : {scope['address']}.",
        "",
        OK,
    ]
    return lines(*out)


def _show_optionvalue(ctx: Context, scope: dict) -> str:
    out = [
        f"Options for Scope {scope['address']}:",
        "",
        "        DHCP Standard Options :",
        "        General Option Values:",
    ]
    for code, option in sorted(scope["options"].items(), key=lambda item: int(item[0])):
        out += [
            f"        OptionId : {code}",
            "        Option Value:",
            f"                Number of Option Elements = {len(option['values'])}",
        ]
        # One Type/Value pair per element for multi-valued options [U] (reference 1.6).
        for value in option["values"]:
            out += [
                f"                Option Element Type = {option['type']}",
                f"                Option Element Value = {value}",
            ]
    out.append(OK)
    return lines(*out)


def _show_state(ctx: Context, scope: dict) -> str:
    # [U] layout.
    return lines(f"Current State of the Scope {scope['address']} : {_state_word(scope['state'])}", "", OK)


def _show_clients(ctx: Context, scope: dict) -> str:
    """The sample (reference 1.7) is `show client 1`; level 0 is printed the same way [U]."""
    out = [
        "Type : N - NONE, D - DHCP B - BOOTP, U - UNSPECIFIED, R - RESERVATION IP",
        "=" * 92,
        "IP Address      - Subnet Mask    - Unique ID           - Lease Expires        -Type -Name",
        "=" * 92,
        "",
    ]
    for lease in sorted(scope["leases"], key=lambda lease: _key(lease["ip"])):
        uid = lease["mac"].lower()
        # The two row shapes of reference 1.7: a dated lease and a NEVER EXPIRES one.
        if lease.get("expires", "NEVER EXPIRES") == "NEVER EXPIRES":
            middle = f"{uid:<20}- {'NEVER EXPIRES':<21}"
        else:
            middle = f" {uid:<20}-{lease['expires']:<23}"
        out.append(
            f"{lease['ip']:<17}- {scope['mask']:<15}-{middle}-{lease.get('type', 'D')}-  {lease['name']}"
        )
    out += [
        "",
        f"No of Clients(version 4): {len(scope['leases'])} in the Scope : {scope['address']}.",
        "",
        OK,
    ]
    return lines(*out)


def dump(ctx: Context) -> str:
    """`netsh dhcp server dump` in the layout of real dumps (reference 1.8).

    Sources: a Server 2008 dump (tests/fixtures/windows/real/vvelox_dhcp_dump_2008.txt, `set napstate`
    lines and a v6 part) and an undated dump of the same layout without either (logicminds/msdhcpdump,
    sampledump.txt at 114a7eb) [V-fixture]: the section banners with their trailing spaces, then per
    scope, in address order, its `add scope` line with `set state` right after it and the blocks of
    its IP range, exclusions, option values and reservations. On 2008 the IP range block ends with
    `set napstate Off` (NAP is a 2008 feature). Dumps of later servers group every `add scope` line
    first, write `set delayoffer` (a 2008 R2 API, DhcpSetSubnetDelayOffer) and set the state at the
    end of each scope's block (endavisw/notes, infoblox_standard_migrations/Lab_4_notes.md); neither
    profile is such a server. 2003 is taken to write the undated dump's layout [U]. Not written (not
    modeled): the classes, option definitions and server settings of the sections before the scopes
    (their banners are), the v6 part of 2008. The server is named `\\ADDRESS`, as in smart-proxy's
    capture of a dump run against a server address [V-fixture]; a dump run without naming the server
    names it by computer name on Windows [U: winlab always uses the address].
    """
    name = _server_address(ctx)
    server = f"\\\\{name}"
    rule = "# " + "=" * 62
    bar = "# " + "=" * 37
    scope_bar = "   # " + "=" * 70

    def banner(title: str, pad: int, closing: str = bar) -> list[str]:
        return [bar, f"#     {title}" + " " * pad, closing]

    def block(title: str, pad: int, body: list[str]) -> list[str]:
        head = [scope_bar, f"   #  Start {title}" + " " * pad, scope_bar]
        tail = [scope_bar, f"   #  End   {title}" + " " * pad, scope_bar]
        return [*head, "", "", *body, "", *tail, "", ""]

    out = ["", "", rule, f"#  Configuration Information for Server {name}" + " " * 19, rule, "", "", ""]
    out += [*banner("Add Classes", 22), "", "", *banner("Add Classes  End", 17), "", ""]
    out += [*banner("Add Optiondef", 20), "", "", "", *banner("Add Optiondef End", 16, "# " + "=" * 36)]
    out += ["", "", *banner("Set Optionvalue", 18), "", "", *banner("Set Optionvalue End", 14), "", ""]
    out += [*banner("Add Scope", 24), ""]
    scopes = sorted(ctx.state["dhcp"]["scopes"].values(), key=lambda s: _key(s["address"]))
    for scope in scopes:
        address = scope["address"]
        prefix = f"Dhcp Server {server} Scope {address}"
        out += [
            f'Dhcp Server {server} add scope {address} {scope["mask"]} "{scope["name"]}"'
            f' "{scope["comment"]}"',
            f"{prefix} set state {scope['state']}",
            "",
        ]
        # A DHCP-only range has no type word but keeps its separating space; BOTH and BOOTP do not.
        kinds = {"DHCP": "", "BOTH": "BOTH", "BOOTP": "BOOTP"}
        ranges = [f"{prefix} Add iprange {start} {end} {kinds[kind]}" for start, end, kind in scope["ranges"]]
        if ctx.profile.nt6:
            ranges.append(f"Dhcp Server {server} scope {address} set napstate Off")
        out += block(f"Add Ipranges to the Scope {address}, Server {name}", 18, ranges)
        where = f"Scope : {address}, Server : {name}"
        exclusions = [f"{prefix} add excluderange {start} {end}" for start, end in scope["exclusions"]]
        out += block(f"Add Excluderanges to the {where}", 9, exclusions)
        options = []
        for code, option in sorted(scope["options"].items(), key=lambda item: int(item[0])):
            values = " ".join(f'"{value}"' for value in option["values"])
            options.append(f"{prefix} set optionvalue {code} {option['type']} {values} ")
        out += block(f"Add OptionValues to the {where}", 10, options)
        # Reservations are not modeled: the block is always empty.
        out += block(f"Add ReservedIp to the {where}", 12, [])
    if scopes:
        out = out[:-1]
    out += [*banner("Add Scope End", 20), "", ""]
    out += [*banner("Add Super Scope", 18), "", "", *banner("Add Super Scope End", 14), ""]
    out += [*banner("Add MScope", 23), "", "", "", *banner("Add MScope End", 19), "", ""]
    out += [rule, f"#  Configuration Information for Server {name} Ends" + " " * 14, rule, "", ""]
    return lines(*out)


# -- firewall --------------------------------------------------------------------------------------
DEPRECATED = [
    "IMPORTANT: Command executed successfully.",
    'However, "netsh firewall" is deprecated;',
    'use "netsh advfirewall firewall" instead.',
    'For more information on using "netsh advfirewall firewall" commands',
    'instead of "netsh firewall", see KB article 947709',
    "at http://go.microsoft.com/fwlink/?linkid=121488 .",
    "",
]


def _named(args: list[str]) -> dict[str, str]:
    return {key.lower(): value for key, _, value in (arg.partition("=") for arg in args) if _}


def _firewall_ok(ctx: Context) -> Result:
    # XP/2003 and Vista/2008 print "Ok." [U]; Windows 7 adds the deprecation notice
    # [V-fixture] (reference 5.3).
    prefix = DEPRECATED if ctx.profile.key == "7" else []
    return Result(stdout=lines(*prefix, "Ok.", ""))


def firewall(ctx: Context, words: list[str]) -> Result:
    if len(words) < 3:
        return not_found(words)
    verb, noun, args = words[1].lower(), words[2].lower(), words[3:]
    ports = ctx.state["firewall"]["ports"]
    if noun == "portopening" and verb in ("add", "set", "delete"):
        named = _named(args)
        positional = [arg for arg in args if "=" not in arg]
        protocol = (named.get("protocol") or (positional[0] if positional else "")).upper()
        port = named.get("port") or (positional[1] if len(positional) > 1 else "")
        name = named.get("name") or (positional[2] if len(positional) > 2 else "")
        if protocol not in ("TCP", "UDP", "ALL") or not port.isdigit():
            return Result(
                stdout=lines(
                    "",
                    "The syntax supplied for this command is not valid. Check help for the "
                    # Wording not sourced [U].
                    "correct syntax.",
                    "",
                ),
                exit_code=1,
            )
        existing = [p for p in ports if p["protocol"] == protocol and p["port"] == int(port)]
        if verb == "delete":
            if not existing:
                return Result(
                    stdout=lines(
                        # Wording not sourced [U].
                        "Delete a port opening failed.",
                        "The system cannot find the file specified.",
                    ),
                    exit_code=1,
                )
            ports.remove(existing[0])
            return _firewall_ok(ctx)
        if verb == "add" and not name:
            return Result(
                stdout=lines(
                    "",
                    "The syntax supplied for this command is not valid. Check help for the "
                    # Wording not sourced [U].
                    "correct syntax.",
                    "",
                ),
                exit_code=1,
            )
        for entry in existing:
            ports.remove(entry)
        mode = named.get("mode", "ENABLE").upper()
        ports.append(
            {"protocol": protocol, "port": int(port), "name": name or existing[0]["name"], "mode": mode}
        )
        return _firewall_ok(ctx)
    if verb == "set" and noun in ("service", "opmode", "allowedprogram"):
        return _firewall_ok(ctx)
    if verb == "show" and noun == "portopening":
        out: list[str] = [""]
        for profile in ("Domain", "Standard"):
            out += [f"Port configuration for {profile} profile:", "Port   Protocol  Mode     Name", "-" * 67]
            for entry in sorted(ports, key=lambda p: (p["port"], p["protocol"])):
                mode = "Enable" if entry["mode"] == "ENABLE" else "Disable"
                out.append(f"{entry['port']:<7}{entry['protocol']:<10}{mode:<9}{entry['name']}")
            out.append("")
        # Layout of `show portopening` [U].
        return Result(stdout=lines(*out))
    return not_found(words)


RULE_FIELDS = (
    "name",
    "dir",
    "action",
    "protocol",
    "localport",
    "remoteport",
    "program",
    "service",
    "enable",
    "profile",
    "remoteip",
    "localip",
    "description",
)


def advfirewall(ctx: Context, words: list[str]) -> Result:
    if len(words) < 3 or words[1].lower() != "firewall":
        if len(words) >= 3 and words[1].lower() == "set":
            return Result(stdout=lines("Ok.", ""))
        return not_found(words)
    verb, noun, args = words[2].lower(), (words[3].lower() if len(words) > 3 else ""), words[4:]
    rules = ctx.state["firewall"]["rules"]
    if noun != "rule":
        return not_found(words)
    named = _named(args)
    name = named.get("name", "")
    matches = [rule for rule in rules if name.lower() == "all" or rule["name"].lower() == name.lower()]
    if verb == "add":
        unknown = [key for key in named if key not in RULE_FIELDS]
        if (
            not name
            or named.get("dir", "").lower() not in ("in", "out")
            or named.get("action", "").lower() not in ("allow", "block", "bypass")
            or unknown
        ):
            # Wording not sourced [U].
            return Result(stdout=lines("", "A specified value is not valid.", ""), exit_code=1)
        # add rule does not de-duplicate: a second add makes a second rule (reference 5.3) [U].
        rules.append({key: named[key] for key in named})
        return Result(stdout=lines("Ok.", ""))
    if not matches:
        return Result(stdout=lines("No rules match the specified criteria.", ""), exit_code=1)  # [U]
    if verb == "delete":
        for rule in matches:
            rules.remove(rule)
        return Result(stdout=lines("", f"Deleted {len(matches)} rule(s).", "Ok.", ""))  # [U]
    if verb == "show":
        out: list[str] = [""]
        for rule in matches:
            # Layout of `show rule` [U].
            out += [
                f"{'Rule Name:':<38}{rule['name']}",
                "-" * 70,
                f"{'Enabled:':<38}{'No' if rule.get('enable', 'yes').lower() == 'no' else 'Yes'}",
                f"{'Direction:':<38}{rule['dir'].capitalize()}",
                f"{'Profiles:':<38}Domain,Private,Public",
                f"{'Grouping:':<38}",
                f"{'LocalIP:':<38}Any",
                f"{'RemoteIP:':<38}{rule.get('remoteip', 'Any')}",
                f"{'Protocol:':<38}{rule.get('protocol', 'Any').upper()}",
                f"{'LocalPort:':<38}{rule.get('localport', 'Any')}",
                f"{'RemotePort:':<38}{rule.get('remoteport', 'Any')}",
                f"{'Edge traversal:':<38}No",
                f"{'Action:':<38}{rule['action'].capitalize()}",
                "",
            ]
        out.append("Ok.")
        return Result(stdout=lines(*out, ""))
    if verb == "set":
        return Result(stdout=lines("", f"Updated {len(matches)} rule(s).", "Ok.", ""))
    return not_found(words)


# -- show mibinfo ------------------------------------------------------------------------------------
# The layout of the capture in tests/fixtures/windows/real (Checkmk's win_dhcp_pools check, English
# example) [V-fixture]: `MIBCounts:`, the server's counters, ServerStartTime (no closing dot), Scopes,
# then per scope `Subnet = a.b.c.d.` and its three counters. The 8- and 16-space indentation is the
# capture's (tabs on Windows are possible) [U]; no closing `Command completed successfully.` as in the
# capture, so no reader can rely on one [U].
MIB_COUNTERS = ("Discovers", "Offers", "Requests", "Acks", "Naks", "Declines", "Releases")


def scope_usage(scope: dict) -> tuple[int, int, int]:
    """(in use, free, pending offers) of a scope, from its leases ([MS-DHCPM] SCOPE_MIB_INFO counts the
    addresses of the scope's IP ranges less its exclusions). Every lease entry inside the ranges and
    outside the exclusions counts as in use, reservation-style entries included [U]; the lab has no
    DHCP traffic, so no offer is ever pending."""
    ranges = [(_key(start), _key(end)) for start, end, _ in scope["ranges"]]
    excluded = [(_key(start), _key(end)) for start, end in scope["exclusions"]]

    def leasable(address: int) -> bool:
        in_range = any(first <= address <= last for first, last in ranges)
        return in_range and not any(first <= address <= last for first, last in excluded)

    size = sum(1 for first, last in ranges for address in range(first, last + 1) if leasable(address))
    in_use = sum(1 for lease in scope["leases"] if leasable(_key(lease["ip"])))
    return in_use, size - in_use, 0


def show_mibinfo(ctx: Context) -> str:
    """`netsh dhcp server show mibinfo`. The lab serves no DHCP traffic: the counters are 0 [U]; the
    server's start time is the host's last boot (a day before its clock when it never restarted, as
    systeminfo has it), in ipconfig's long date form [U]."""
    from datetime import datetime, timedelta

    from winlab.model.network import _long_date

    booted = ctx.state.get("boot_time")
    started = datetime.fromisoformat(booted) if booted else ctx.host.now() - timedelta(days=1)
    scopes = sorted(ctx.state["dhcp"]["scopes"].values(), key=lambda s: _key(s["address"]))
    out = ["MIBCounts:"]
    out += [f"        {name} = 0." for name in MIB_COUNTERS]
    out += [f"        ServerStartTime = {_long_date(started)}", f"        Scopes = {len(scopes)}."]
    for scope in scopes:
        in_use, free, pending = scope_usage(scope)
        out += [
            f"        Subnet = {scope['address']}.",
            f"                No. of Addresses in use = {in_use}.",
            f"                No. of free Addresses = {free}.",
            f"                No. of pending offers = {pending}.",
        ]
    return lines(*out)
