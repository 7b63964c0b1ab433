"""`ipconfig` and `systeminfo`. Reference section 7 (ipconfig); systeminfo's layout is [U]."""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from winlab.model import security
from winlab.model.host import Context, Result, command, lines
from winlab.model.tasks import boot_time

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
    boot = boot_time(ctx.host).timestamp()

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
    # `N Hotfix(s) Installed.` and `[01]: Q147222` lines, `N/A` when none (a real 2003 SP2 and 7 SP1:
    # tests/fixtures/windows/real/blankshiro_systeminfo_2003.txt, jc_systeminfo_7.txt).
    installed = security.hotfixes(ctx.state, profile)
    if installed:
        out.append(row("Hotfix(s)", f"{len(installed)} Hotfix(s) Installed."))
        out += [f"{'':27}[{number:02d}]: {kb}" for number, kb in enumerate(installed, 1)]
    else:
        out.append(row("Hotfix(s)", "N/A"))
    # Layout of systeminfo from general knowledge [U].
    return Result(stdout=lines(*out))
