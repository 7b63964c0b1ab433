"""The FTP greeting of an emulated host: what a client that connects to its port 21 sees.

Decision 833, Appendix III has the IT staff check every day that a base server's FTP port 21
answers (`telnet <base server> 21`); the toolkit checks it from the controller. winlab runs no
FTP server: each emulated host has one extra loopback listener that stands for its TCP port 21
and answers only what that check needs.

* When the host would answer on port 21 (the FTP component installed, the FTP Publishing Service
  MSFTPSVC RUNNING, an IIS FTP site STARTED on port 21, and TCP 21 opened in its firewall: an
  enabled `netsh firewall` port opening, or an enabled inbound allow rule of `netsh advfirewall`
  for local port 21), a connection gets IIS's greeting `220 Microsoft FTP Service` [V: public
  sessions of the Windows ftp client, Wireshark and nmap against IIS 6 and 7]; `QUIT` is answered
  with `221 Goodbye.` [U: IIS's text after the code] and the connection closed; any other command
  with `502 Command not implemented in winlab.` (the lab serves no files).
* Otherwise the connection is accepted and closed at once, with nothing sent. A real host would
  refuse it (no listener) or drop it (firewall): winlab differs there, and a check must read "no
  greeting" as the failure, which covers all three [U].
* While the host is down (fault `down`, or a restart) the listener is closed: connection refused.

The firewall is taken to be on (no `opmode` state is modeled), the stricter choice [U].
"""

from __future__ import annotations

import contextlib
import socket
from dataclasses import dataclass

from winlab.model import Host, services

GREETING = b"220 Microsoft FTP Service\r\n"
GOODBYE = b"221 Goodbye.\r\n"
NOT_IMPLEMENTED = b"502 Command not implemented in winlab.\r\n"
FTP_PORT = 21
IDLE_SECONDS = 30.0


def answers_ftp(host: Host) -> bool:
    """Whether the host's TCP port 21 would greet an FTP client now (see the module docstring)."""
    with host.lock:
        state = host.state
        if not state["components"].get("ftp") or not services.running(host, "MSFTPSVC"):
            return False
        sites = state["ftp_sites"].values()
        if not any(site["state"] == "STARTED" and int(site["port"]) == FTP_PORT for site in sites):
            return False
        firewall = state["firewall"]
        opened = any(
            entry["protocol"] in ("TCP", "ALL") and entry["port"] == FTP_PORT and entry["mode"] == "ENABLE"
            for entry in firewall["ports"]
        )
        allowed = any(
            rule.get("dir", "").lower() == "in"
            and rule.get("action", "").lower() == "allow"
            and rule.get("enable", "yes").lower() == "yes"
            and str(FTP_PORT) in str(rule.get("localport", "")).split(",")
            for rule in firewall["rules"]
        )
        return opened or allowed


@dataclass
class FtpEndpoint:
    """A host's stand-in for its port 21, served by the lab's `Listeners` with `converse`."""

    host: Host
    sock: socket.socket


def converse(connection: socket.socket, _address, endpoint: FtpEndpoint) -> None:
    """One FTP client: the greeting and QUIT when the host would answer, else closed at once."""
    with contextlib.closing(connection):
        if not answers_ftp(endpoint.host):
            return
        connection.setblocking(True)
        connection.settimeout(IDLE_SECONDS)
        with contextlib.suppress(OSError):
            connection.sendall(GREETING)
            for line in connection.makefile("rb"):
                if line.strip().upper() == b"QUIT":
                    connection.sendall(GOODBYE)
                    return
                connection.sendall(NOT_IMPLEMENTED)
