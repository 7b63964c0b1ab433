"""The ports winlab takes for hosts given none: its own range, one after another, skipping any port
another socket holds (the kernel's own search for a free port slows down as its range fills)."""

from __future__ import annotations

import socket

import pytest

from winlab import server


@pytest.fixture
def at_index(monkeypatch):
    """Point the lab's next port at LAB_PORTS[index]."""

    def point(index: int) -> int:
        monkeypatch.setattr(server, "_ports_next", [index])
        return server.LAB_PORTS[index]

    return point


def test_a_host_given_no_port_gets_the_next_one_of_the_lab_range(at_index):
    first = at_index(100)
    with server.bind("127.0.0.1", 0) as one, server.bind("127.0.0.1", 0) as two:
        ports = [one.getsockname()[1], two.getsockname()[1]]
    assert ports[0] in server.LAB_PORTS and ports[0] >= first
    assert ports[1] > ports[0]
    assert all(port < 32768 for port in ports)  # below the kernel's ephemeral range


def test_a_port_another_socket_holds_is_skipped(at_index):
    held_port = at_index(200)
    # A down host's held port (bound, not listening, SO_REUSEADDR): another lab must not take it.
    with server.bind("127.0.0.1", held_port, listen=False) as held:
        at_index(200)
        with server.bind("127.0.0.1", 0) as taken:
            assert taken.getsockname()[1] != held_port
            assert held.getsockname()[1] == held_port


def test_a_lab_port_listens_and_is_reachable(at_index):
    at_index(300)
    with server.bind("127.0.0.1", 0) as listening:
        port = listening.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
