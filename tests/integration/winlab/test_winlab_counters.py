"""winlab's per-host counters (WinRM commands, HTTP requests and bytes, connections, open shells)
and the lab-wide emulated round trip (`reply_delay`), through the Lab API and the control interface."""

from __future__ import annotations

import socket
import urllib.error

import pytest
from winrm.protocol import Protocol

from tests.support.credentials import PASSWORD, USER
from tests.support.lab import Client, control
from winlab import server
from winlab.lab import Lab, LabConfig


@pytest.fixture
def counted_lab(winlab_factory):
    return winlab_factory({"dhcp-lang-son": "2003", "ws-lang-son": "xp"})


def _exchange(port: int, request: bytes) -> bytes:
    """Send `request` on a new connection; return the whole reply (its headers say Content-Length: 0)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
    return reply


def test_bytes_are_counted_exactly_as_they_cross_the_wire(counted_lab):
    counted_lab.reset_counters()
    request = b"POST /wsman HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
    reply = _exchange(counted_lab.runtime("dhcp-lang-son").http_port, request)
    assert reply.startswith(b"HTTP/1.1 401")
    counters = counted_lab.counters("dhcp-lang-son")
    assert counters["bytes_received"] == len(request)
    assert counters["bytes_sent"] == len(reply)
    assert counters["requests"] == 1
    assert counters["connections"] == 1
    # The other host saw nothing.
    assert counted_lab.counters("ws-lang-son")["bytes_received"] == 0


def test_a_run_cmd_is_one_command_and_closes_its_shell(counted_lab):
    counted_lab.reset_counters()
    Client(counted_lab, "dhcp-lang-son", transport="basic").ok("ver")
    counters = control(counted_lab, "GET", "/hosts/dhcp-lang-son/counters")
    assert counters["operations"] == {"Create": 1, "Command": 1, "Receive": 1, "Signal": 1, "Delete": 1}
    assert counters["requests"] == 5
    assert counters["open_shells"] == 0
    assert counters["bytes_received"] > 0 and counters["bytes_sent"] > 0
    # The lab-wide view holds every host, and the lab-wide reset zeroes them all.
    assert control(counted_lab, "GET", "/counters")["dhcp-lang-son"] == counters
    control(counted_lab, "POST", "/counters/reset", {})
    zeroed = counted_lab.counters("dhcp-lang-son")
    assert (zeroed["requests"], zeroed["bytes_sent"], zeroed["operations"]) == (0, 0, {})


def test_a_shell_left_open_is_counted_until_deleted(counted_lab):
    runtime = counted_lab.runtime("ws-lang-son")
    protocol = Protocol(
        f"http://127.0.0.1:{runtime.http_port}/wsman", transport="basic", username=USER, password=PASSWORD
    )
    shell = protocol.open_shell()
    assert counted_lab.counters("ws-lang-son")["open_shells"] == 1
    # Resetting the counters does not forget a shell the host still holds.
    counted_lab.reset_counters("ws-lang-son")
    assert counted_lab.counters("ws-lang-son")["open_shells"] == 1
    protocol.close_shell(shell)
    assert counted_lab.counters("ws-lang-son")["open_shells"] == 0


def test_ntlm_requests_are_counted_with_their_handshake(counted_lab):
    counted_lab.reset_counters()
    Client(counted_lab, "dhcp-lang-son").ok("hostname")
    counters = counted_lab.counters("dhcp-lang-son")
    # pywinrm sets up message encryption with an empty request first, which requests-ntlm sends
    # without credentials (401), then with the negotiate (401 and the challenge) and the
    # authenticate message: three requests before the five shell operations, on one connection.
    assert counters["operations"]["Command"] == 1
    assert counters["operations"]["encrypted"] == 5
    assert counters["requests"] == 8
    assert counters["connections"] == 1


def test_reply_delay_holds_back_every_reply(counted_lab, monkeypatch):
    held: list[float] = []
    monkeypatch.setattr(server, "hold_reply", held.append)
    Client(counted_lab, "dhcp-lang-son", transport="basic").ok("ver")
    assert held == []  # no delay configured
    assert control(counted_lab, "POST", "/settings", {"reply_delay": 0.05}) == {"reply_delay": 0.05}
    Client(counted_lab, "dhcp-lang-son", transport="basic").ok("ver")
    assert held == [0.05] * 5  # one per HTTP reply of the run_cmd
    # The slow fault adds to it on its host.
    control(counted_lab, "POST", "/hosts/ws-lang-son/faults", {"slow": 0.5})
    held.clear()
    Client(counted_lab, "ws-lang-son", transport="basic").ok("ver")
    assert held == [0.55] * 5
    control(counted_lab, "POST", "/settings", {"reply_delay": 0})
    assert control(counted_lab, "GET", "/settings") == {"reply_delay": 0.0}


@pytest.mark.parametrize("value", [-1, "soon", True, float("inf")])
def test_reply_delay_refuses_what_is_not_a_duration(counted_lab, tmp_path, value):
    with pytest.raises(urllib.error.HTTPError) as refused:
        control(counted_lab, "POST", "/settings", {"reply_delay": value})
    assert refused.value.code == 400
    assert counted_lab.config.reply_delay == 0.0
    with pytest.raises(ValueError, match="reply_delay"):
        LabConfig(state_dir=tmp_path, hosts=[], reply_delay=value)


def test_reply_delay_from_the_configuration_file(tmp_path):
    config = LabConfig.from_dict(
        {"hosts": [{"name": "dhcp-lang-son", "profile": "2008"}], "reply_delay": 0.2}, tmp_path
    )
    assert config.reply_delay == 0.2
    with Lab(config) as lab:
        assert lab.runtime("dhcp-lang-son").reply_delay == 0.2
        assert control(lab, "GET", "/settings") == {"reply_delay": 0.2}


def test_unknown_settings_are_refused(counted_lab):
    with pytest.raises(urllib.error.HTTPError) as refused:
        control(counted_lab, "POST", "/settings", {"rtt": 1})
    assert refused.value.code == 400
