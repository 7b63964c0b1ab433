# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A relayed DHCP probe: does the server offer an address from a branch scope, as the relay sees it?

Sends one DHCPDISCOVER to a DHCP server the way a relay agent forwards a client's (RFC 2131,
section 4.1; RFC 1542, section 4.1.1): unicast to the server's UDP port 67, from port 67, with
`giaddr` set to the branch gateway so that the server picks the branch's scope and sends its
answer to that address's port 67. Reports whether a DHCPOFFER came back, with the offered
address, mask, router, DNS servers and lease time. Nothing is leased: a server keeps no lease for
a DISCOVER it offered to and never heard a REQUEST for.

The answer goes to `giaddr`, so the probe runs on a host that has that address (the branch's
router, or the relay host in the lab) and binds it; binding port 67 needs root (the probe never
asks for more). It refuses a server outside the networks it is allowed to probe (by default the
lab range 198.18.0.0/15; the caller adds the inventory's subnets) unless told otherwise, so that
no DHCP packet leaves the networks it was meant for.

The packet is built and read here with `struct` (RFC 2131, section 2 for the layout; RFC 2132 for
the options). The module uses only Python's standard library (`ipaddress` rather than netaddr):
it is copied to the host it runs on, where nothing else can be counted on. Run it as a script:

    python3 dhcp_probe.py --server 198.19.204.10 --giaddr 198.19.205.1 [--allow 10.20.0.0/16]

Against winlab, whose DHCP servers listen on a loopback port and send their offers to a loopback
address that stands for giaddr (winlab/README.md): `--server 127.0.0.1 --port PORT --bind 127.0.20.1
--allow 127.0.0.0/8`.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import socket
import struct
import sys
import time
from dataclasses import asdict, dataclass, field

SERVER_PORT = 67
MAGIC_COOKIE = 0x63825363
# op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr, sname, file
HEADER = struct.Struct("!BBBBIHHIIII16s64s128s")
BOOTREQUEST, BOOTREPLY = 1, 2
HTYPE_ETHERNET = 1
# RFC 2132 option codes the probe writes or reads.
OPT_PAD, OPT_END = 0, 255
OPT_SUBNET_MASK, OPT_ROUTER, OPT_DNS, OPT_DOMAIN = 1, 3, 6, 15
OPT_LEASE_TIME, OPT_MESSAGE_TYPE, OPT_SERVER_ID, OPT_PARAMETERS, OPT_CLIENT_ID = 51, 53, 54, 55, 61
DISCOVER, OFFER, NAK = 1, 2, 6
# A BOOTP message is at least 300 octets (RFC 1542, section 2.1); some servers drop shorter ones.
MIN_LENGTH = 300
# What a probe may be sent to without being told otherwise: the lab range, never routed.
LAB_NETWORK = ipaddress.IPv4Network("198.18.0.0/15")


class ProbeRefused(ValueError):
    """The probe will not, or cannot, send: a server outside the allowed networks, a bad address,
    or a local address and port it cannot listen on."""


class MalformedPacket(ValueError):
    """A datagram that is not a DHCP message the probe can read."""


@dataclass(frozen=True)
class Reply:
    """What a BOOTREPLY says: its header fields and its options, decoded where the probe knows them."""

    xid: int
    chaddr: bytes
    yiaddr: str
    giaddr: str
    message_type: int | None
    options: dict[int, bytes] = field(default_factory=dict)

    def addresses(self, code: int) -> list[str]:
        value = self.options.get(code, b"")
        return [
            str(ipaddress.IPv4Address(value[i : i + 4])) for i in range(0, len(value) - len(value) % 4, 4)
        ]

    def address(self, code: int) -> str:
        found = self.addresses(code)
        return found[0] if found else ""


@dataclass
class ProbeResult:
    server: str
    giaddr: str
    offer: bool
    address: str = ""
    mask: str = ""
    router: str = ""
    dns_servers: list[str] = field(default_factory=list)
    server_id: str = ""
    lease_time: int | None = None
    message: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _ipv4(value: str, what: str) -> ipaddress.IPv4Address:
    try:
        return ipaddress.IPv4Address(str(value).strip())
    except ValueError:
        raise ProbeRefused(f"{what}: {value!r} is not an IPv4 address") from None


def check_target(server: str, allowed: list[str] | None = None, any_target: bool = False) -> None:
    """Refuse a server outside `allowed` (and the lab range) unless `any_target`."""
    address = _ipv4(server, "server")
    if address.is_multicast or address.is_unspecified or address == ipaddress.IPv4Address("255.255.255.255"):
        raise ProbeRefused(f"server: {address} is not a host a relay forwards to")
    if any_target:
        return
    networks = [LAB_NETWORK]
    for text in allowed or []:
        try:
            networks.append(ipaddress.IPv4Network(str(text), strict=False))
        except ValueError:
            raise ProbeRefused(f"allowed network: {text!r} is not an IPv4 network") from None
    if not any(address in network for network in networks):
        raise ProbeRefused(
            f"server: {address} is outside the networks the probe may reach "
            f"({', '.join(map(str, networks))}); give --allow with the inventory's subnet, or --any-target"
        )


def build_discover(xid: int, mac: bytes, giaddr: str, hops: int = 1) -> bytes:
    """A DHCPDISCOVER as a relay forwards it: giaddr set, hops counted, the client's MAC as chaddr."""
    if len(mac) != 6:
        raise ValueError(f"a MAC address has 6 octets, not {len(mac)}")
    header = HEADER.pack(
        BOOTREQUEST,
        HTYPE_ETHERNET,
        6,
        hops,
        xid,
        0,  # secs
        0,  # flags: unicast reply to giaddr in any case
        0,  # ciaddr
        0,  # yiaddr
        0,  # siaddr
        int(_ipv4(giaddr, "giaddr")),
        mac.ljust(16, b"\0"),
        b"",
        b"",
    )
    options = struct.pack("!I", MAGIC_COOKIE)
    options += bytes([OPT_MESSAGE_TYPE, 1, DISCOVER])
    options += bytes([OPT_CLIENT_ID, 7, HTYPE_ETHERNET]) + mac
    wanted = [OPT_SUBNET_MASK, OPT_ROUTER, OPT_DNS, OPT_DOMAIN, OPT_LEASE_TIME, OPT_SERVER_ID]
    options += bytes([OPT_PARAMETERS, len(wanted), *wanted])
    options += bytes([OPT_END])
    return (header + options).ljust(MIN_LENGTH, b"\0")


def parse_options(data: bytes) -> dict[int, bytes]:
    """The options after the magic cookie; a repeated option is concatenated (RFC 3396)."""
    options: dict[int, bytes] = {}
    position = 0
    while position < len(data):
        code = data[position]
        if code == OPT_PAD:
            position += 1
            continue
        if code == OPT_END:
            return options
        if position + 1 >= len(data):
            raise MalformedPacket(f"option {code} has no length")
        length = data[position + 1]
        value = data[position + 2 : position + 2 + length]
        if len(value) != length:
            raise MalformedPacket(f"option {code} is cut short ({len(value)} of {length} octets)")
        options[code] = options.get(code, b"") + value
        position += 2 + length
    raise MalformedPacket("the options have no end option")


def parse_reply(packet: bytes) -> Reply:
    """Read a BOOTREPLY; raises MalformedPacket for anything else."""
    if len(packet) < HEADER.size + 4:
        raise MalformedPacket(f"{len(packet)} octets is shorter than a DHCP message")
    op, _htype, hlen, _hops, xid, _secs, _flags, _ciaddr, yiaddr, _siaddr, giaddr, chaddr, _s, _f = (
        HEADER.unpack_from(packet)
    )
    if op != BOOTREPLY:
        raise MalformedPacket(f"op {op} is not a BOOTREPLY")
    (cookie,) = struct.unpack_from("!I", packet, HEADER.size)
    if cookie != MAGIC_COOKIE:
        raise MalformedPacket(f"magic cookie {cookie:#x} is not DHCP's")
    options = parse_options(packet[HEADER.size + 4 :])
    kind = options.get(OPT_MESSAGE_TYPE, b"")
    return Reply(
        xid=xid,
        chaddr=chaddr[: min(hlen, 16)],
        yiaddr=str(ipaddress.IPv4Address(yiaddr)),
        giaddr=str(ipaddress.IPv4Address(giaddr)),
        message_type=kind[0] if len(kind) == 1 else None,
        options=options,
    )


def result_from(reply: Reply, server: str, giaddr: str) -> ProbeResult:
    """What the probe reports for the server's answer to its DISCOVER."""
    if reply.message_type != OFFER:
        what = "a DHCPNAK" if reply.message_type == NAK else f"message type {reply.message_type}"
        return ProbeResult(
            server, giaddr, False, server_id=reply.address(OPT_SERVER_ID), message=f"got {what}"
        )
    lease = reply.options.get(OPT_LEASE_TIME, b"")
    return ProbeResult(
        server,
        giaddr,
        True,
        address=reply.yiaddr,
        mask=reply.address(OPT_SUBNET_MASK),
        router=reply.address(OPT_ROUTER),
        dns_servers=reply.addresses(OPT_DNS),
        server_id=reply.address(OPT_SERVER_ID),
        lease_time=struct.unpack("!I", lease)[0] if len(lease) == 4 else None,
        message="offer received",
    )


def random_mac() -> bytes:
    """A locally administered unicast MAC, so that the probe never poses as a real client."""
    octets = bytearray(os.urandom(6))
    octets[0] = (octets[0] | 0x02) & 0xFE
    return bytes(octets)


def probe(
    server: str,
    giaddr: str,
    timeout: float = 5.0,
    bind: str = "",
    allowed: list[str] | None = None,
    any_target: bool = False,
    mac: bytes | None = None,
    port: int = SERVER_PORT,
) -> ProbeResult:
    """Send one relayed DISCOVER to `server` and wait up to `timeout` seconds for its answer."""
    check_target(server, allowed, any_target)
    _ipv4(giaddr, "giaddr")
    mac = mac or random_mac()
    xid = int.from_bytes(os.urandom(4), "big")
    packet = build_discover(xid, mac, giaddr)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((bind or giaddr, port))
        except OSError as error:
            # Another DHCP program (a relay, a server) has the port, or the address is not this host's.
            raise ProbeRefused(
                f"cannot listen on {bind or giaddr}:{port}: {error.strerror}; the probe runs on the host "
                "that has giaddr, with no relay or server holding the port"
            ) from None
        sock.sendto(packet, (server, port))
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                data, _sender = sock.recvfrom(4096)
            except TimeoutError:
                break
            try:
                reply = parse_reply(data)
            except MalformedPacket:
                continue
            if reply.xid == xid and reply.chaddr == mac:
                return result_from(reply, server, giaddr)
    return ProbeResult(server, giaddr, False, message=f"no answer within {timeout:g} s")


def main(argv: list[str] | None = None) -> int:
    """Exit 0 with an offer, 1 without one, 2 when the probe refused to send; prints JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", required=True, help="the DHCP server's address")
    parser.add_argument(
        "--giaddr", required=True, help="the branch gateway (the relay's address on the VLAN)"
    )
    parser.add_argument(
        "--bind", default="", help="local address to send from and listen on (default: giaddr)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=SERVER_PORT,
        help="the server's UDP port, and the one the probe listens on (67; the lab's stand-in elsewhere)",
    )
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the offer (5)")
    parser.add_argument(
        "--allow", action="append", default=[], help="a network the server may be in (repeat)"
    )
    parser.add_argument(
        "--any-target", action="store_true", help="probe a server outside the allowed networks"
    )
    args = parser.parse_args(argv)
    try:
        result = probe(
            args.server, args.giaddr, args.timeout, args.bind, args.allow, args.any_target, port=args.port
        )
    except ProbeRefused as error:
        print(json.dumps({"server": args.server, "offer": False, "refused": True, "message": str(error)}))
        return 2
    print(json.dumps(result.as_dict()))
    return 0 if result.offer else 1


if __name__ == "__main__":
    sys.exit(main())
