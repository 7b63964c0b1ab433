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
import selectors
import socket
import threading
import time

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


class FtpGreeters:
    """One loopback listener per emulated host that stands for its port 21, on one selector thread."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.selector = selectors.DefaultSelector()
        self.lock = threading.Lock()
        self.sockets: dict[str, socket.socket] = {}
        self.running = False
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.running = True
        self.thread = threading.Thread(target=self._loop, name="winlab-ftp", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.running = False
        if self.thread:
            self.thread.join(timeout=5)
        for name in list(self.sockets):
            self.close(name)

    def open(self, host: Host, port: int) -> int:
        """Listen for `host` on `port` (0: a free one); the port it listens on."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.address, port))
        sock.listen(16)
        sock.setblocking(False)
        with self.lock:
            self.sockets[host.name] = sock
            self.selector.register(sock, selectors.EVENT_READ, host)
        return sock.getsockname()[1]

    def close(self, name: str) -> None:
        with self.lock:
            sock = self.sockets.pop(name, None)
            if sock is None:
                return
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(sock)
            sock.close()

    def _loop(self) -> None:
        while self.running:
            with self.lock:
                has_sockets = bool(self.selector.get_map())
            if not has_sockets:
                time.sleep(0.05)
                continue
            for key, _ in self.selector.select(timeout=0.1):
                try:
                    connection, _address = key.fileobj.accept()  # type: ignore[union-attr]
                except (BlockingIOError, OSError):
                    continue
                threading.Thread(target=_converse, args=(connection, key.data), daemon=True).start()


def _converse(connection: socket.socket, host: Host) -> None:
    with contextlib.closing(connection):
        if not answers_ftp(host):
            return
        connection.setblocking(True)
        connection.settimeout(IDLE_SECONDS)
        with contextlib.suppress(OSError):
            connection.sendall(GREETING)
            reader = connection.makefile("rb")
            for line in reader:
                if line.strip().upper() == b"QUIT":
                    connection.sendall(GOODBYE)
                    return
                connection.sendall(NOT_IMPLEMENTED)
