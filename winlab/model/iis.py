"""IIS 6 FTP sites through `cscript iisftp.vbs`. Reference section 5.1."""

from __future__ import annotations

import hashlib

from winlab.model import files
from winlab.model.host import Context, Result, command, lines, slash_options


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
            # Wording not sourced [U].
            stdout=lines("Usage: iisftp [/create | /delete | /start | /stop | /pause | /query]"),
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
        options, _ = slash_options(rest)
        if len(positional) < 2:
            # Wording not sourced [U].
            return Result(stdout=lines("Error &H80070057: The parameter is incorrect."), exit_code=1)
        root, name = positional[0], positional[1]
        root_path = files.normalize(ctx.host, ctx.user, root)
        if find(name):
            # Wording not sourced [U].
            return Result(stdout=lines(f"Error &H800700B7: Site {name} already exists."), exit_code=1)
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
                    # Wording not sourced [U].
                    stdout=lines(f"Error &H80070003: Site {wanted[0]} does not exist."),
                    exit_code=1,
                )
            chosen = [(site_id, sites[site_id])]
        if not chosen:
            # Wording not sourced [U].
            return Result(stdout=lines("No sites found."))
        out = [f"{'Site Name (Metabase Path)':<40}{'Status':<10}{'IP':<16}Port", "=" * 78]
        for site_id, site in sorted(chosen, key=lambda item: int(item[0])):
            label = f"{site['name']} (MSFTPSVC/{site_id})"
            out.append(f"{label:<40}{site['state']:<10}{site['ip'] or 'ALL':<16}{site['port']}")
        return Result(stdout=lines(*out))
    if verb in ("/delete", "/start", "/stop"):
        target = next((arg for arg in rest if not arg.startswith("/")), "")
        site_id = find(target)
        if site_id is None:
            # Wording not sourced [U].
            return Result(stdout=lines(f"Error &H80070003: Site {target} does not exist."), exit_code=1)
        label = f"{sites[site_id]['name']} (MSFTPSVC/{site_id})"
        if verb == "/delete":
            del sites[site_id]
            return Result(
                # Wording not sourced [U].
                stdout=lines(f"{label} has been DELETED.")
            )
        sites[site_id]["state"] = "STARTED" if verb == "/start" else "STOPPED"
        # Wording not sourced [U].
        return Result(stdout=lines(f"Server {label} has been {sites[site_id]['state']}."))
    # Wording not sourced [U].
    return Result(stdout=lines(f"Error: unknown command {verb}"), exit_code=1)
