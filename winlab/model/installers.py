"""Installing the DHCP Server and FTP components: sysocmgr (2003) and servermanagercmd (2008).

Reference section 2.
"""

from __future__ import annotations

import configparser

from winlab.model import defaults, files
from winlab.model.host import Context, Result, command, lines, not_recognized


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
        # Wording not sourced [U].
        return Result(stdout=lines("Usage: ServerManagerCmd.exe"), exit_code=4)
    verb = argv[0].lower().lstrip("-/")
    if verb == "query":
        out = ["", "----- Roles -----", ""]
        for role_id, (component, title) in SERVER_ROLES.items():
            mark = "X" if ctx.state["components"][component] else " "
            out.append(f"[{mark}] {title}  [{role_id.upper() if role_id == 'dhcp' else 'Web-Ftp-Server'}]")
        return Result(stdout=lines(*out, ""))
    if verb not in ("install", "i", "remove", "r") or len(argv) < 2:
        # Wording not sourced [U].
        return Result(stdout=lines("Usage: ServerManagerCmd.exe"), exit_code=4)
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
