"""The DHCP Server service of an emulated host on the wire: answers to relayed DHCPDISCOVERs.

A host with a `dhcp_port` in the lab configuration has one more loopback listener, a UDP socket that
stands for its DHCP server port 67. It answers a DHCPDISCOVER that a relay agent forwarded (giaddr
set) as the Windows DHCP Server would, from the model's scopes, leases and options:

* Scope selection: the scope whose subnet holds giaddr. RFC 2131, section 4.3.1: a new address "is
  selected based on the subnet from which the message was received (if 'giaddr' is 0) or on the
  address of the relay agent that forwarded the message ('giaddr' when not 0)"; Microsoft KB 120932
  ("DHCP spanning multiple subnets", https://support.microsoft.com/help/120932): the server examines
  the relay IP address field "to see if it has a DHCP scope ... that can be used", with several
  scopes "the address in the Relay IP Address field identifies the DHCP scope from which to offer an
  IP address lease", and "sends a DHCPOFFER directly to the relay agent identified in the GIADDR
  field". No scope for that subnet: no answer.
* No answer while the DHCP Server service is not RUNNING (`sc query DHCPServer`, a crash fault) or
  the host is down; none from a scope that is not active (`set state 0` or 2, "Disabled") [U: that a
  disabled scope offers nothing follows from its name and the `set state` help, not from a capture].
* The address offered: the client's own lease in the scope if it has one (RFC 2131, section 4.3.1,
  the first rule), else the lowest address of the scope's IP range that is neither excluded nor
  leased nor reserved [U: the order in which Windows picks a free address is not documented; the
  lowest is a choice, and every lease entry, expired or not, is taken to hold its address, the
  stricter reading]. A full scope: no answer (RFC 2131, section 4.3.1: "If no address is
  available, the server may choose to report the problem to the system administrator"; it defines
  no answer to the client) [U: no capture of Windows].
* Options (RFC 2132; RFC 2131, section 4.3.1, table 3: an offer MUST carry the lease time (51) and
  the server identifier (54)): 53 (DHCPOFFER), 54 (the host's modeled address), 51 (the scope's
  option 51, else 8 days [U: the default of a scope made with `netsh dhcp server add scope`, taken
  to be the New Scope wizard's 8 days]), 1 (the scope's mask, which Windows derives from the scope:
  NT 4.0 Resource Kit), and those of 3, 6, 15 the client asked for in its parameter request list
  (55) that the scope sets (RFC 2131, section 4.3.1: the server returns the parameters requested).
  Server-wide option values are not modeled (winlab has no `server set optionvalue`).
* The offer goes to giaddr's port (RFC 2131, section 4.1: "the server sends any return messages to
  the 'DHCP server' port on the BOOTP relay agent whose address appears in 'giaddr'"). In the lab the
  relay agents are not on the wire: `dhcp_relay_agents` of the lab configuration maps each giaddr to
  the loopback address that stands for it, and the offer goes there, to the host's own `dhcp_port`
  (the lab's stand-in for 67). A giaddr the map does not name gets nothing back, as an unroutable
  relay would [U: lab-only; the destination is the one deviation from Windows, and it is no kinder:
  the probe must still bind the address that stands for the very router it put in giaddr].

Not modeled: DHCPREQUEST, DECLINE, RELEASE and INFORM (ignored: no lease is ever made on the wire;
the control interface seeds leases), a DISCOVER without giaddr (no interface of the host is on the
wire), holding an offered address as a pending offer (the model's `show mibinfo` keeps 0 pending
[U]), superscopes, reservations' own options, BOOTP, rogue detection (an unauthorized server answers
as a workgroup server does), delayed offers (2008 R2's `set delayoffer`).
"""

from __future__ import annotations

import contextlib
import ipaddress
import selectors
import socket
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING

from winlab.model import services
from winlab.server import SelectorThread

if TYPE_CHECKING:
    from winlab.server import HostRuntime

HEADER = struct.Struct("!BBBBIHHIIII16s64s128s")
MAGIC = 0x63825363
BOOTREQUEST, BOOTREPLY = 1, 2
DISCOVER, OFFER = 1, 2
OPT_PAD, OPT_MASK, OPT_ROUTER, OPT_DNS, OPT_DOMAIN = 0, 1, 3, 6, 15
OPT_LEASE, OPT_TYPE, OPT_SERVER_ID, OPT_PARAMETERS, OPT_END = 51, 53, 54, 55, 255
# The options an offer carries when the client asks for them and the scope sets them.
REQUESTABLE = (OPT_ROUTER, OPT_DNS, OPT_DOMAIN)
DEFAULT_LEASE_SECONDS = 8 * 24 * 3600  # [U] (module docstring)
ACTIVE_STATES = (1, 3)  # 3 is "Active (Switched)" (reference 1.2)
MIN_LENGTH = 300  # a BOOTP message is at least 300 octets (RFC 1542, section 2.1)


def _key(address: str) -> int:
    return int(ipaddress.IPv4Address(address))


def read_request(data: bytes) -> dict | None:
    """The fields of a BOOTREQUEST that the server reads, or None for anything else."""
    if len(data) < HEADER.size + 4:
        return None
    op, htype, hlen, _hops, xid, _secs, flags, _ciaddr, _yiaddr, _siaddr, giaddr, chaddr, _s, _f = (
        HEADER.unpack_from(data)
    )
    if op != BOOTREQUEST or struct.unpack_from("!I", data, HEADER.size)[0] != MAGIC:
        return None
    options: dict[int, bytes] = {}
    position = HEADER.size + 4
    while position < len(data):
        code = data[position]
        if code == OPT_PAD:
            position += 1
            continue
        if code == OPT_END or position + 1 >= len(data):
            break
        length = data[position + 1]
        options[code] = options.get(code, b"") + data[position + 2 : position + 2 + length]
        position += 2 + length
    kind = options.get(OPT_TYPE, b"")
    return {
        "type": kind[0] if len(kind) == 1 else None,
        "htype": htype,
        "hlen": hlen,
        "xid": xid,
        "flags": flags,
        "giaddr": str(ipaddress.IPv4Address(giaddr)),
        "chaddr": chaddr,
        "mac": chaddr[: min(hlen, 16)],
        "parameters": list(options.get(OPT_PARAMETERS, b"")),
    }


def _mac_text(mac: bytes) -> str:
    return "-".join(f"{octet:02x}" for octet in mac)


def scope_for(state: dict, giaddr: str) -> dict | None:
    """The scope whose subnet holds giaddr (RFC 2131, section 4.3.1)."""
    address = ipaddress.IPv4Address(giaddr)
    for scope in state["dhcp"]["scopes"].values():
        if address in ipaddress.IPv4Network(f"{scope['address']}/{scope['mask']}", strict=False):
            return scope
    return None


def free_address(scope: dict, mac: bytes) -> str | None:
    """The address to offer: the client's own lease, else the lowest free one of the range."""
    wanted = _mac_text(mac)
    for lease in scope["leases"]:
        if str(lease.get("mac", "")).lower().replace(":", "-") == wanted:
            return str(lease["ip"])
    taken = {_key(lease["ip"]) for lease in scope["leases"]}
    taken |= {_key(item["ip"]) for item in scope.get("reservations") or [] if "ip" in item}
    excluded = [(_key(start), _key(end)) for start, end in scope["exclusions"]]
    for start, end, _kind in scope["ranges"]:
        for number in range(_key(start), _key(end) + 1):
            if number not in taken and not any(first <= number <= last for first, last in excluded):
                return str(ipaddress.IPv4Address(number))
    return None


def _option_bytes(code: int, option: dict) -> bytes:
    values = option.get("values") or []
    if option.get("type") == "IPADDRESS":
        return b"".join(ipaddress.IPv4Address(str(value)).packed for value in values)
    if option.get("type") == "DWORD":
        return struct.pack("!I", int(values[0]))
    return str(values[0]).encode("ascii", "replace") if values else b""


def offer(host_state: dict, running: bool, request: dict) -> bytes | None:
    """The DHCPOFFER the host sends for a relayed DISCOVER, or None when it sends nothing."""
    if not running or request["type"] != DISCOVER or request["giaddr"] == "0.0.0.0":
        return None
    scope = scope_for(host_state, request["giaddr"])
    if scope is None or scope["state"] not in ACTIVE_STATES or not scope["ranges"]:
        return None
    address = free_address(scope, request["mac"])
    if address is None:
        return None
    options = scope["options"]
    lease = options.get("51")
    lease_seconds = int(lease["values"][0]) if lease and lease.get("values") else DEFAULT_LEASE_SECONDS
    body = bytes([OPT_TYPE, 1, OFFER])
    body += bytes([OPT_SERVER_ID, 4]) + ipaddress.IPv4Address(host_state["network"]["address"]).packed
    body += bytes([OPT_LEASE, 4]) + struct.pack("!I", lease_seconds)
    body += bytes([OPT_MASK, 4]) + ipaddress.IPv4Address(scope["mask"]).packed
    for code in request["parameters"]:
        if code in REQUESTABLE and str(code) in options:
            value = _option_bytes(code, options[str(code)])
            if value:
                body += bytes([code, len(value)]) + value[:255]
    header = HEADER.pack(
        BOOTREPLY,
        request["htype"],
        request["hlen"],
        0,
        request["xid"],
        0,
        request["flags"],
        0,
        _key(address),
        0,
        _key(request["giaddr"]),
        request["chaddr"],
        b"",
        b"",
    )
    return (header + struct.pack("!I", MAGIC) + body + bytes([OPT_END])).ljust(MIN_LENGTH, b"\0")


def bind_udp(address: str, port: int) -> socket.socket:
    """The host's stand-in for UDP port 67. No SO_REUSEADDR: a second socket on it must fail."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, port))
    sock.setblocking(False)
    return sock


class DhcpResponder(SelectorThread):
    """Answers the DHCP sockets of every host that has one, on one thread."""

    thread_name = "winlab-dhcp"

    def __init__(self, relay_agents: dict[str, str], is_down: Callable[[str], bool]) -> None:
        super().__init__()
        self.relay_agents = dict(relay_agents)
        self.is_down = is_down
        self.ports: dict[str, int] = {}

    def add(self, runtime: HostRuntime, address: str, port: int) -> None:
        sock = bind_udp(address, port)
        self.ports[runtime.name] = sock.getsockname()[1]
        with self.lock:
            self.selector.register(sock, selectors.EVENT_READ, runtime)

    def _loop(self) -> None:
        while self.running:
            with self.lock:
                empty = not self.selector.get_map()
            if empty:
                return
            for key, _ in self.selector.select(timeout=0.1):
                with contextlib.suppress(OSError):
                    self._answer(key.fileobj, key.data)

    def _answer(self, sock: socket.socket, runtime: HostRuntime) -> None:
        data, _sender = sock.recvfrom(4096)
        request = read_request(data)
        if request is None or self.is_down(runtime.name):
            return
        host = runtime.host
        with host.lock:
            reply = offer(host.state, services.running(host, "DHCPServer"), request)
        destination = self.relay_agents.get(request["giaddr"])
        if reply is not None and destination:
            sock.sendto(reply, (destination, self.ports[runtime.name]))
