"""The relayed DHCP probe: the DISCOVER it builds, the replies it reads, the targets it refuses.

The OFFER it reads is one ISC Kea 2.2 sent to the probe (tests/fixtures/dhcp/README.md); the
exchange over a socket runs against a small responder on loopback, at an unprivileged port.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import struct
import threading

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import dhcp_probe
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.dhcp_probe import (
    MalformedPacket,
    ProbeRefused,
    build_discover,
    check_target,
    parse_options,
    parse_reply,
    probe,
    random_mac,
    result_from,
)

from tests.support.fixture_files import dhcp_packet

MAC = bytes.fromhex("02aabbccddee")


def read_options(packet: bytes) -> dict[int, bytes]:
    """The options of a datagram, read here on their own terms (RFC 2132, section 2)."""
    assert packet[236:240] == b"\x63\x82\x53\x63"
    found, position = {}, 240
    while packet[position] != 255:
        if packet[position] == 0:
            position += 1
            continue
        code, length = packet[position], packet[position + 1]
        found[code] = packet[position + 2 : position + 2 + length]
        position += 2 + length
    return found


def test_the_discover_is_laid_out_as_a_relay_forwards_it():
    packet = build_discover(0x1234ABCD, MAC, "198.19.205.1")
    assert len(packet) == 300  # the BOOTP minimum (RFC 1542, 2.1)
    assert packet[0:4] == bytes([1, 1, 6, 1])  # BOOTREQUEST, Ethernet, 6-octet MAC, one relay hop
    assert packet[4:8] == bytes.fromhex("1234abcd")
    assert packet[10:12] == b"\0\0"  # no broadcast flag: the answer goes to giaddr
    assert packet[12:24] == bytes(12)  # ciaddr, yiaddr, siaddr
    assert packet[24:28] == bytes([198, 19, 205, 1])  # giaddr
    assert packet[28:44] == MAC + bytes(10)
    options = read_options(packet)
    assert options[53] == bytes([1])  # DHCPDISCOVER
    assert options[61] == b"\x01" + MAC
    assert set(options[55]) >= {1, 3, 6, 51, 54}


def test_a_mac_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="6 octets"):
        build_discover(1, b"\x02\x00", "198.19.205.1")


def test_the_probe_poses_as_no_real_client():
    for _ in range(50):
        mac = random_mac()
        assert len(mac) == 6 and mac[0] & 0x02 and not mac[0] & 0x01  # locally administered, unicast


def test_kea_s_offer_is_read_with_address_mask_router_and_lease():
    reply = parse_reply(dhcp_packet("kea-2.2-offer.hex"))
    assert (reply.xid, reply.chaddr, reply.giaddr) == (0x1234ABCD, MAC, "198.18.99.1")
    result = result_from(reply, "198.18.99.2", "198.18.99.1")
    assert result.offer
    assert result.address == "198.18.99.60"
    assert result.mask == "255.255.255.0"
    assert result.router == "198.18.99.1"
    assert result.dns_servers == ["198.18.0.53", "198.18.0.54"]
    assert result.server_id == "198.18.99.2"
    assert result.lease_time == 691200


def offer_like(message_type: int, extra: bytes = b"") -> bytes:
    """Kea's offer with another message type (and options appended before the end)."""
    packet = bytearray(dhcp_packet("kea-2.2-offer.hex"))
    position = 240
    while packet[position] != 255:
        if packet[position] == 53:
            packet[position + 2] = message_type
        position += 2 + packet[position + 1]
    return bytes(packet[:position]) + extra + b"\xff"


def test_a_nak_is_no_offer():
    result = result_from(parse_reply(offer_like(6)), "198.18.99.2", "198.18.99.1")
    assert not result.offer and "DHCPNAK" in result.message and result.server_id == "198.18.99.2"


def test_a_repeated_option_is_joined():
    options = parse_options(bytes([6, 4, 10, 0, 0, 1, 0, 6, 4, 10, 0, 0, 2, 255]))
    assert options[6] == bytes([10, 0, 0, 1, 10, 0, 0, 2])


@pytest.mark.parametrize(
    ("packet", "problem"),
    [
        (b"\x02" * 100, "shorter than a DHCP message"),
        (b"\x01" + dhcp_packet("kea-2.2-offer.hex")[1:], "not a BOOTREPLY"),
        (dhcp_packet("kea-2.2-offer.hex")[:236] + b"\0\0\0\0" + b"\xff", "magic cookie"),
        (dhcp_packet("kea-2.2-offer.hex")[:240] + bytes([1, 4, 255]), "cut short"),
        (dhcp_packet("kea-2.2-offer.hex")[:240] + bytes([53, 1, 2]), "no end option"),
    ],
)
def test_malformed_replies_are_refused(packet, problem):
    with pytest.raises(MalformedPacket, match=problem):
        parse_reply(packet)


@pytest.mark.parametrize("server", ["198.18.0.10", "198.19.204.10"])
def test_servers_in_the_lab_range_may_be_probed(server):
    check_target(server)


def test_a_server_outside_the_lab_range_is_refused_unless_allowed():
    with pytest.raises(ProbeRefused, match=r"10\.20\.1\.10 is outside the networks"):
        check_target("10.20.1.10")
    check_target("10.20.1.10", allowed=["10.20.1.0/24"])
    check_target("10.20.1.10", any_target=True)


@pytest.mark.parametrize("server", ["255.255.255.255", "224.0.0.1", "0.0.0.0", "10.1", "dhcp.example"])
def test_a_server_that_is_no_host_is_refused_even_with_any_target(server):
    with pytest.raises(ProbeRefused):
        check_target(server, any_target=True)


def test_a_bad_allowed_network_is_refused():
    with pytest.raises(ProbeRefused, match="not an IPv4 network"):
        check_target("198.18.0.10", allowed=["10.20.0.0/33"])


def test_the_refusal_sends_nothing(monkeypatch, capsys):
    def no_socket(*args, **kwargs):
        raise AssertionError("a socket was opened for a refused target")

    monkeypatch.setattr(dhcp_probe.socket, "socket", no_socket)
    assert dhcp_probe.main(["--server", "192.0.2.67", "--giaddr", "198.19.205.1"]) == 2
    printed = json.loads(capsys.readouterr().out)
    assert printed["refused"] and not printed["offer"]


class Responder(threading.Thread):
    """A DHCP server on loopback that offers .77 of the DISCOVER's giaddr /24, as Kea would."""

    def __init__(self, answer: bool = True):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.2", 0))
        self.sock.settimeout(5)
        self.port = self.sock.getsockname()[1]
        self.answer = answer
        self.received: list[bytes] = []

    def run(self):
        try:
            data, _ = self.sock.recvfrom(4096)
        except TimeoutError:
            return
        self.received.append(data)
        if not self.answer:
            return
        giaddr = ipaddress.IPv4Address(data[24:28])
        network = ipaddress.IPv4Network(f"{giaddr}/24", strict=False)
        header = bytearray(data[:236])
        header[0] = 2
        header[16:20] = network[77].packed
        # A stray reply for another transaction first: the probe must skip it.
        stray = bytearray(header)
        stray[4:8] = b"\0\0\0\0"
        options = b"\x63\x82\x53\x63" + bytes([53, 1, 2, 54, 4]) + b"\x7f\0\0\x02"
        options += bytes([1, 4, 255, 255, 255, 0, 3, 4]) + giaddr.packed + bytes([51, 4, 0, 0, 14, 16, 255])
        for packet in (bytes(stray) + options, bytes(header) + options):
            self.sock.sendto(packet, (str(giaddr), self.port))


def test_the_probe_sends_a_relayed_discover_and_reads_the_offer():
    responder = Responder()
    responder.start()
    result = probe("127.0.0.2", "127.0.0.1", timeout=5, allowed=["127.0.0.0/8"], mac=MAC, port=responder.port)
    responder.join(5)
    assert responder.received and responder.received[0][24:28] == bytes([127, 0, 0, 1])
    assert result.offer, result
    assert (result.address, result.mask, result.router) == ("127.0.0.77", "255.255.255.0", "127.0.0.1")
    assert result.lease_time == 3600 and result.server_id == "127.0.0.2"


def test_no_answer_is_reported_as_no_offer():
    responder = Responder(answer=False)
    responder.start()
    result = probe("127.0.0.2", "127.0.0.1", timeout=0.5, allowed=["127.0.0.0/8"], port=responder.port)
    responder.join(5)
    assert responder.received
    assert not result.offer and "no answer within 0.5 s" in result.message


def test_a_port_the_probe_cannot_listen_on_is_reported():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as busy:
        busy.bind(("127.0.0.1", 0))
        port = busy.getsockname()[1]
        with pytest.raises(ProbeRefused, match=r"cannot listen on 127\.0\.0\.1:\d+"):
            probe("127.0.0.2", "127.0.0.1", timeout=0.2, allowed=["127.0.0.0/8"], port=port)


def test_options_the_probe_does_not_ask_for_are_skipped():
    reply = parse_reply(offer_like(2, bytes([58, 4]) + struct.pack("!I", 10) + bytes([0, 0])))
    assert reply.options[58] == struct.pack("!I", 10)
    assert result_from(reply, "198.18.99.2", "198.18.99.1").lease_time == 691200
