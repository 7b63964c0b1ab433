"""The state a freshly installed host of each profile starts from."""

from __future__ import annotations

import hashlib

from winlab.model.profiles import Profile

# Seconds a service stays START_PENDING after `sc start` or `net start` before it runs, unless the
# lab configuration says otherwise (`service_start_delay`). Not zero: on Windows a started service
# comes up a moment later, and the toolkit has to wait for it. The length is the lab's choice, not a
# measurement; it is shorter than the SCM's default 2-second WAIT_HINT, as for a quick service.
SERVICE_START_DELAY = 1.5


def profile_dir(profile: Profile, user: str = "") -> str:
    name = user.rpartition("\\")[2] or "Administrator"
    return f"C:\\Users\\{name}" if profile.nt6 else f"C:\\Documents and Settings\\{name}"


# The all-users profile and the desktop every user sees. NT 5: %ALLUSERSPROFILE% is
# C:\Documents and Settings\All Users and its Desktop folder is CSIDL_COMMON_DESKTOPDIRECTORY
# ("typical path C:\Documents and Settings\All Users\Desktop"; Microsoft, CSIDL,
# https://learn.microsoft.com/en-us/windows/win32/shell/csidl). NT 6: %ALLUSERSPROFILE% is
# C:\ProgramData, %PUBLIC% C:\Users\Public, and the shared desktop FOLDERID_PublicDesktop,
# default path %PUBLIC%\Desktop (Microsoft, KNOWNFOLDERID,
# https://learn.microsoft.com/en-us/windows/win32/shell/knownfolderid).
def common_environment(profile: Profile) -> dict[str, str]:
    if profile.nt6:
        return {
            "ALLUSERSPROFILE": "C:\\ProgramData",
            "PROGRAMDATA": "C:\\ProgramData",
            "PUBLIC": "C:\\Users\\Public",
        }
    return {"ALLUSERSPROFILE": "C:\\Documents and Settings\\All Users"}


def common_desktop(profile: Profile) -> str:
    if profile.nt6:
        return "C:\\Users\\Public\\Desktop"
    return "C:\\Documents and Settings\\All Users\\Desktop"


def common_dirs(profile: Profile) -> list[str]:
    """The all-users folders every host has from its installation (parents first)."""
    desktop = common_desktop(profile)
    parts = desktop.split("\\")
    return ["\\".join(parts[:index]) for index in range(2, len(parts) + 1)]


def service(display: str, binary: str, start: int = 2, state: int = 4, kind: int = 0x20) -> dict:
    return {
        "display": display,
        "binary": binary,
        "start": start,
        "state": state,
        "type": kind,
        "delayed": False,
    }


def base_services(profile: Profile) -> dict[str, dict]:
    root = profile.system_root
    system32 = f"{root}\\system32"
    services = {
        "LanmanServer": service("Server", f"{system32}\\svchost.exe -k netsvcs"),
        "LanmanWorkstation": service("Workstation", f"{system32}\\svchost.exe -k netsvcs"),
        "Dhcp": service("DHCP Client", f"{system32}\\svchost.exe -k netsvcs"),
        "Schedule": service("Task Scheduler", f"{system32}\\svchost.exe -k netsvcs"),
        "WinRM": service("Windows Remote Management (WS-Management)", f"{system32}\\svchost.exe -k WinRM"),
        "Spooler": service("Print Spooler", f"{system32}\\spoolsv.exe", kind=0x110),
    }
    if profile.server and not profile.nt6:
        # Installed but disabled and never started on a new 2003 server.
        services["TlntSvr"] = service("Telnet", f"{system32}\\tlntsvr.exe", start=4, state=1, kind=0x10)
    if profile.nt6:
        services["MpsSvc"] = service("Windows Firewall", f"{system32}\\svchost.exe -k LocalServiceNoNetwork")
    else:
        services["SharedAccess"] = service(
            "Windows Firewall/Internet Connection Sharing (ICS)", f"{system32}\\svchost.exe -k netsvcs"
        )
    return services


def optional_service(profile: Profile, name: str) -> dict:
    """Services that appear when their component is installed (binary paths are [U])."""
    system32 = f"{profile.system_root}\\system32"
    if name == "DHCPServer":
        binary = f"{system32}\\tcpsvcs.exe" if not profile.nt6 else f"{system32}\\svchost.exe -k DHCPServer"
        return service("DHCP Server", binary)
    if name == "MSFTPSVC":
        return service("FTP Publishing Service", f"{system32}\\inetsrv\\inetinfo.exe")
    raise KeyError(name)


def builtin_tasks(profile: Profile) -> dict[str, dict]:
    """Tasks a new host already has: none on NT 5; Windows' own, in subfolders, on NT 6 [U: which ones]."""
    if not profile.nt6:
        return {}
    name = "Microsoft\\Windows\\Defrag\\ScheduledDefrag"
    return {
        name.lower(): {
            "name": name,
            "run": "%windir%\\system32\\defrag.exe -c",
            "schedule": "WEEKLY",
            "start": "01:00",
            "days": "WED",
            "modifier": "",
            "user": "SYSTEM",
            "author": "Microsoft Corporation",
            "created": "2009-07-14T00:00:00",
            "last_run": None,
            "last_result": 267011,
        }
    }


def lab_address(name: str) -> str:
    """A stable address for the host's modeled network card, in the lab's 198.18.0.0/15 range."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return f"198.18.{digest[0]}.{10 + digest[1] % 240}"


def initial_state(
    name: str,
    profile: Profile,
    address: str | None = None,
    computer_name: str | None = None,
    dhcp_server: str | None = None,
) -> dict:
    """A new host's state. `computer_name`: its Windows name (default: from `name`); `dhcp_server`:
    where a workstation's lease is from (default: .5 of its subnet)."""
    # NetBIOS computer names are at most 15 characters.
    source = computer_name or name
    computer = "".join(char for char in source.upper() if char.isalnum() or char == "-")[:15] or "WINLAB"
    address = address or lab_address(name)
    # A VMware-style address (00-0C-29 prefix): the customs servers are mostly virtual machines.
    digest = "000C29" + hashlib.sha256(("mac" + name).encode("utf-8")).hexdigest().upper()
    home = profile_dir(profile)
    dirs = [
        "C:\\",
        profile.system_root,
        f"{profile.system_root}\\system32",
        f"{profile.system_root}\\Temp",
        "C:\\Program Files",
        home,
        *common_dirs(profile),
    ]
    return {
        "profile": profile.key,
        "computer_name": computer,
        "domain": "customs.gov.vn",
        "network": {
            "address": address,
            "mask": "255.255.255.0",
            "gateway": address.rsplit(".", 1)[0] + ".1",
            "dns": [address.rsplit(".", 1)[0] + ".2"],
            "mac": "-".join(digest[i : i + 2] for i in range(0, 12, 2)),
            # Workstations lease their address from the branch DHCP server; servers are static.
            "dhcp": not profile.server,
            **({"dhcp_server": dhcp_server} if dhcp_server and not profile.server else {}),
        },
        "components": {"dhcp": False, "ftp": False},
        "services": base_services(profile),
        "dhcp": {"authorized": [], "scopes": {}},
        "shares": {},
        "fs": {"dirs": dirs, "files": {}},
        "firewall": {"ports": [], "rules": []},
        "tasks": builtin_tasks(profile),
        "ftp_sites": {},
        "products": {},
        "registry": {},
        "reboots": [],
        "msi_faults": {},  # msiexec's lab faults (winlab.model.msi.set_faults)
        "clock": None,
    }
