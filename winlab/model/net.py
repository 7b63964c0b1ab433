"""`net share`, and `net start|stop` (delegated to the services model).

The share list layout, success lines and the 2310 error follow the reference, section 4 (4.1, 4.2).
/GRANT exists only on NT 6 (reference 4.2: absent from the 2003 syntax); the wording net.exe uses to
reject an unknown option and the 2118 duplicate error are [U]. The `net share NAME` detail layout
follows NT 6 captures (see _details); on NT 5 it is [U].
"""

from __future__ import annotations

import re

from winlab.model import files, services
from winlab.model.host import Context, Result, command, lines
from winlab.model.tasks import boot_time

DASHES = "-" * 79


def _error(*message: str, helpmsg: int, code: int = 2) -> Result:
    return Result(
        stderr=lines(*message, "", f"More help is available by typing NET HELPMSG {helpmsg}.", ""),
        exit_code=code,
    )


def default_shares(ctx: Context) -> list[tuple[str, str, str]]:
    return [
        ("C$", "C:\\", "Default share"),
        ("IPC$", "", "Remote IPC"),
        ("ADMIN$", ctx.profile.system_root, "Remote Admin"),
    ]


def _row(name: str, resource: str, remark: str) -> list[str]:
    # Fixed columns: name 13, resource 32 (reference 4.1). Longer values push the rest to the next line [U].
    out = []
    if len(name) > 12:
        out.append(name)
        name = ""
    if len(resource) > 31:
        out.append(f"{name:<13}{resource}")
        out.append(f"{'':<45}{remark}".rstrip())
    else:
        out.append(f"{name:<13}{resource:<32}{remark}".rstrip())
    return out


@command("net")
def net(ctx: Context, argv: list[str], raw: str) -> Result:
    if not argv:
        return Result(
            stderr=lines(
                "The syntax of this command is:",
                "",
                "NET",
                "    [ ACCOUNTS | COMPUTER | CONFIG | CONTINUE | FILE | GROUP | HELP |",
            ),
            exit_code=1,
        )
    verb = argv[0].lower()
    if verb in ("start", "stop"):
        return services.net_service(ctx, verb, argv[1:])
    if verb == "share":
        return share(ctx, argv[1:], raw)
    if verb == "use":
        return use(ctx, argv[1:])
    if verb == "statistics" and [arg.lower() for arg in argv[1:]] == ["workstation"]:
        return workstation_statistics(ctx)
    return _error(f"NET {verb.upper()} is not modeled by winlab.", helpmsg=3506, code=1)


def share(ctx: Context, argv: list[str], raw: str) -> Result:
    shares = ctx.state["shares"]
    if not argv:
        out = ["Share name   Resource                        Remark", "", DASHES]
        for name, resource, remark in default_shares(ctx):
            out += _row(name, resource, remark)
        for name in sorted(shares, key=str.lower):
            entry = shares[name]
            out += _row(entry["name"], entry["path"], entry.get("remark", ""))
        out += ["The command completed successfully.", ""]
        return Result(stdout=lines(*out))
    target, options = argv[0], argv[1:]
    for option in options:
        if not option.startswith("/"):
            continue
        word = option[1:].split(":", 1)[0].lower()
        allowed = {"delete", "users", "unlimited", "remark", "cache"} | (
            {"grant"} if ctx.profile.nt6 else set()
        )
        if word not in allowed:
            return _error(
                f"The option {option.upper()} is unknown.",
                "",
                "The syntax of this command is:",
                "",
                "NET SHARE",
                "sharename",
                "          sharename=drive:path [/USERS:number | /UNLIMITED]",
                '                               [/REMARK:"text"]',
                "                               [/CACHE:Manual | Documents| Programs | None ]",
                "          {sharename | devicename | drive:path} /DELETE",
                helpmsg=3506,
                code=1,
            )
    if any(option.lower() == "/delete" for option in options):
        key = _find(shares, target)
        if key is None:
            return _error("This shared resource does not exist.", helpmsg=2310)
        name = shares.pop(key)["name"]
        return Result(stdout=lines(f"{name} was deleted successfully.", ""))
    if "=" not in target:
        key = _find(shares, target)
        if key is None:
            return _error("This shared resource does not exist.", helpmsg=2310)
        return Result(stdout=lines(*_details(ctx, shares[key])))
    name, _, path = target.partition("=")
    if _find(shares, name) is not None or name.upper() in ("C$", "IPC$", "ADMIN$"):
        return _error("The name has already been shared.", helpmsg=2118)
    full = files.normalize(ctx.host, ctx.user, path)
    if not files.is_dir(ctx.host, full):
        # [U] wording of the missing-folder error.
        return Result(stderr=lines("System error 2 has occurred.", "", files.NOT_FOUND, ""), exit_code=2)
    entry = {"name": name, "path": full, "remark": "", "users": None, "grants": [], "cache": "Manual"}
    for option in options:
        word, _, value = option[1:].partition(":")
        word = word.lower()
        if word == "remark":
            entry["remark"] = value
        elif word == "users":
            entry["users"] = int(value) if value.isdigit() else None
        elif word == "grant":
            user, _, permission = value.rpartition(",")
            if permission.upper() not in ("READ", "CHANGE", "FULL") or not user:
                return _error("The syntax of this command is:", "", "NET SHARE", helpmsg=3506, code=1)
            entry["grants"].append([user, permission.upper()])
        elif word == "cache":
            entry["cache"] = value
    if not entry["grants"]:
        entry["grants"] = [["Everyone", "READ"]]
    shares[name.lower()] = entry
    return Result(stdout=lines(f"{name} was shared successfully.", ""))


def _find(shares: dict, name: str) -> str | None:
    return name.lower() if name.lower() in shares else None


def _details(ctx: Context, entry: dict) -> list[str]:
    out = [
        f"{'Share name':<18}{entry['name']}",
        f"{'Path':<18}{entry['path']}",
        f"{'Remark':<18}{entry['remark']}",
        f"{'Maximum users':<18}{entry['users'] if entry['users'] else 'No limit'}",
        f"{'Users':<18}".rstrip(),
        f"{'Caching':<18}Manual caching of documents",
    ]
    if ctx.profile.nt6:
        grants = [f"{user}, {permission}" for user, permission in entry["grants"]]
        out.append(f"{'Permission':<18}{grants[0]}")
        out += [f"{'':<18}{grant}" for grant in grants[1:]]
    # A blank line, then the closing line: the captured `net share C$` of a Windows 7+ host quoted in
    # rchateauneu/survol, survol/sources_types/smbshr/smbshare_netshare.py (commit
    # 5db6af895b8c1f9bc69fd1e63c6411f8c21ad35d). NT 5 is taken to print it the same way [U: no XP or
    # 2003 capture found].
    out += ["", "The command completed successfully.", ""]
    return [re.sub(r"\s+$", "", line) if line.strip() else line for line in out]


def use(ctx: Context, argv: list[str]) -> Result:
    """`net use [X:] \\\\server\\share [password] [/user:name]`: a connection for this command line.

    With a password the connection works from an NTLM session too (no double hop). Connections last
    for the command line only: each WinRM shell is a new logon session. Error texts [U].
    """
    targets = [arg for arg in argv if arg.startswith("\\\\")]
    if not targets:
        return _error("The syntax of this command is:", "", "NET USE", helpmsg=3506, code=1)
    server, _, rest = targets[0][2:].partition("\\")
    share_name = rest.split("\\")[0]
    other = ctx.host.resolver(server) if ctx.host.resolver else None
    if other is None:
        return Result(stderr=lines("System error 53 has occurred.", "", files.NETWORK_PATH, ""), exit_code=2)
    if not files.share_path(other, share_name, []):
        return Result(stderr=lines("System error 67 has occurred.", "", files.NETWORK_NAME, ""), exit_code=2)
    words = [arg for arg in argv if not arg.startswith("/") and arg not in targets and not arg.endswith(":")]
    user = next((arg.split(":", 1)[1] for arg in argv if arg.lower().startswith("/user:")), ctx.user)
    if not words and not ctx.host.session.delegated:
        return Result(stderr=lines("System error 5 has occurred.", "", files.ACCESS_DENIED, ""), exit_code=2)
    if words and ctx.host.accounts is not None and not ctx.host.accounts(user, words[0]):
        return Result(
            stderr=lines(
                "System error 86 has occurred.", "", "The specified network password is not correct.", ""
            ),
            exit_code=2,
        )
    ctx.host.session.connections.add(server.lower())
    return Result(stdout=lines("The command completed successfully.", ""))


# `net statistics workstation`: the layout of public captures of it on Windows 7 and Server 2008-era
# hosts ("Workstation Statistics for \\\\NAME", two blank lines, "Statistics since 1/1/2021 6:08:25 PM",
# two blank lines, the counters with their values from column 46) [V-fixture]; ReactOS's net.exe
# (base/applications/network/net/cmdStatistics.c) prints the same lines and order. The time is when the
# Workstation service started, at boot, in the host's local time; en-US M/D/YYYY h:mm:ss AM/PM. XP is
# taken to print the same layout [U]. The counters are the lab's.
WORKSTATION_COUNTERS = (
    ("Bytes received", 8511138),
    ("Server Message Blocks (SMBs) received", 94),
    ("Bytes transmitted", 19460779),
    ("Server Message Blocks (SMBs) transmitted", 41),
    ("Read operations", 15861),
    ("Write operations", 0),
    ("Raw reads denied", 0),
    ("Raw writes denied", 0),
    None,
    ("Network errors", 0),
    ("Connections made", 3),
    ("Reconnections made", 0),
    ("Server disconnects", 6),
    None,
    ("Sessions started", 0),
    ("Hung sessions", 0),
    ("Failed sessions", 0),
    ("Failed operations", 0),
    ("Use count", 12),
    ("Failed use count", 0),
)


def workstation_statistics(ctx: Context) -> Result:
    since = boot_time(ctx.host)
    stamp = f"{since.month}/{since.day}/{since.year} {since.hour % 12 or 12}:{since:%M:%S %p}"
    out = [
        f"Workstation Statistics for \\\\{ctx.host.computer_name}",
        "",
        "",
        f"Statistics since {stamp}",
        "",
        "",
    ]
    for counter in WORKSTATION_COUNTERS:
        out.append("" if counter is None else f"  {counter[0]:<45}{counter[1]}")
    out += ["", "The command completed successfully.", ""]
    return Result(stdout=lines(*out))
