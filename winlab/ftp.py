"""The FTP server of an emulated host: IIS's FTP service over the host's emulated disk.

Decision 833, Appendix III has the IT staff check every day that a base server's FTP port 21
answers (`telnet <base server> 21`), and the client rollout stages installers on the base servers
over FTP, from where each workstation fetches its own with `ftp -s:script` (winlab/model/ftpclient.py).
Each emulated host has one loopback listener that stands for its TCP port 21.

* When the host would answer on port 21 (the FTP component installed, the FTP Publishing Service
  MSFTPSVC RUNNING, an IIS FTP site STARTED on port 21, and TCP 21 opened in its firewall: an
  enabled `netsh firewall` port opening, or an enabled inbound allow rule of `netsh advfirewall`
  for local port 21), a connection gets IIS's greeting `220 Microsoft FTP Service` [V: public
  sessions of the Windows ftp client, Wireshark and nmap against IIS 6 and 7] and is served the files
  under the root of the first started site on port 21; `QUIT` is answered with `221 Goodbye.` [U:
  IIS's text after the code] and the connection closed.
* Otherwise the connection is accepted and closed at once, with nothing sent. A real host would
  refuse it (no listener) or drop it (firewall): winlab differs there, and a check must read "no
  greeting" as the failure, which covers all three [U].
* While the host is down (fault `down`, or a restart) the listener is closed: connection refused.

The firewall is taken to be on (no `opmode` state is modeled), the stricter choice [U].

Why not pyftpdlib: the lab accepts the connections of every host's sockets on one selector thread
and serves each on a thread of its own (winlab/server.py `Listeners`), hundreds of hosts in one
process; pyftpdlib brings its own acceptor and IOLoop per server and hard-codes its reply texts in
each command (`331 Username ok, send password.`), while the Windows ftp client prints the server's
replies verbatim, so they must be IIS's. What is left is this small subset of RFC 959 (and EPSV of
RFC 2428): USER PASS SYST TYPE PASV EPSV PORT RETR STOR SIZE LIST NLST CWD CDUP PWD MKD RMD DELE
RNFR RNTO NOOP QUIT.

Reply texts. Sourced: `331 Password required for NAME.` and `530 User cannot log in, home directory
inaccessible.` (a FileZilla log against IIS, thewebhostingdir.com knowledge base 941); `530 User
cannot log in.` for a refused logon (Microsoft KB 269241); `200 PORT command successful.`, `150
Opening ASCII mode data connection for /bin/ls.`, `226 Transfer complete.` and the MS-DOS listing
(a Windows ftp session, dummies.com "How to use an FTP command line client"); the codes 125 and 150
(Microsoft KB 969061, FTP status codes of IIS 7). Every other text, and the listing's column widths,
are [U] (IIS 6's as generally known).

Logons are the lab's accounts; a wrong password counts toward the same lockout as a WinRM logon
(`HostRuntime.record_logon`) and a locked account is refused even with the right password, with
the same `530 User cannot log in.` [U: no capture of a locked account]. Accounts listed in the lab's
`read_only_accounts` get `550 Access is denied.` [U] for STOR, DELE, MKD, RMD and RNFR.

Anonymous logons (`anonymous` or `ftp`, any password, the client's e-mail address by custom) are
accepted read-only on a site that allows them (`allow_anonymous` of the site, true unless set: an
IIS 6 FTP site made by `iisftp.vbs /create` allows anonymous connections as IIS Manager's "Allow
anonymous connections" box does by default [U: no capture]); they never count toward a lockout,
and writes get `550 Access is denied.` like a read-only account's. `230 Anonymous user logged in.`
[U].

ASCII mode (`TYPE A`, the default) sends every bare LF of a file as CR LF and stores received CR LF
as is [U: RFC 959's NVT-ASCII; the stricter choice, a binary fetched in ASCII mode is damaged];
`TYPE I` moves the bytes unchanged.

Every file transfer (RETR, STOR) is counted per host: direction (`sent` by the server or `received`),
FTP path, bytes, account, host time (`Transfers`); listings are not counted.
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from winlab.model import Host, files, services
from winlab.server import account_key

if TYPE_CHECKING:
    from winlab.server import HostRuntime

GREETING = b"220 Microsoft FTP Service\r\n"
GOODBYE = b"221 Goodbye.\r\n"
FTP_PORT = 21
IDLE_SECONDS = 120.0
DATA_SECONDS = 30.0
# How long a command waits for the host's model (a WinRM command may be running on it).
LOCK_SECONDS = 10.0
LOGON_FAILED = "530 User cannot log in."
ANONYMOUS = frozenset({"anonymous", "ftp"})
ACCESS_DENIED = "550 Access is denied."
NOT_LOGGED_IN = "530 Please login with USER and PASS."  # [U]
LOCAL_ERROR = "451 Requested action aborted: local error in processing."  # [U]
# Commands a client may send before it has logged on [U].
BEFORE_LOGON = {"USER", "PASS", "QUIT", "NOOP", "SYST", "FEAT", "HELP"}
WRITES = {"STOR", "DELE", "MKD", "XMKD", "RMD", "XRMD", "RNFR", "RNTO"}


def answers_ftp(host: Host) -> bool:
    """Whether the host's TCP port 21 would greet an FTP client now (see the module docstring)."""
    return site_root(host) is not None


def site_root(host: Host) -> str | None:
    """The root folder of the site the host's port 21 serves, or None when port 21 would not answer."""
    with host.lock:
        state = host.state
        if not state["components"].get("ftp") or not services.running(host, "MSFTPSVC"):
            return None
        sites = sorted(state["ftp_sites"].items(), key=lambda item: int(item[0]))
        started = [site for _, site in sites if site["state"] == "STARTED" and int(site["port"]) == FTP_PORT]
        if not started:
            return None
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
        if not (opened or allowed):
            return None
        return str(started[0]["root"]).rstrip("\\") or "C:"


class Busy(Exception):
    """The host's model stayed locked (a command of that host is running) longer than LOCK_SECONDS."""


class Transfers:
    """The file transfers of one host's FTP server, and their byte totals."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: list[dict] = []
        self.sent = 0
        self.received = 0

    def record(self, direction: str, path: str, size: int, account: str, when: str) -> None:
        with self.lock:
            self.entries.append(
                {"direction": direction, "path": path, "bytes": size, "account": account, "time": when}
            )
            if direction == "sent":
                self.sent += size
            else:
                self.received += size

    def report(self) -> dict:
        with self.lock:
            return {
                "bytes_sent": self.sent,
                "bytes_received": self.received,
                "count": len(self.entries),
                "transfers": [dict(entry) for entry in self.entries],
            }

    def reset(self) -> None:
        with self.lock:
            self.entries.clear()
            self.sent = self.received = 0


@dataclass
class FtpEndpoint:
    """A host's stand-in for its port 21, served by the lab's `Listeners` with `converse`.

    `runtime` is the host's `winlab.server.HostRuntime` (accounts and lockout); `read_only` the
    account names (lower case, without domain) that may only read."""

    host: Host
    sock: socket.socket
    runtime: HostRuntime | None = None
    read_only: frozenset[str] = frozenset()
    transfers: Transfers = field(default_factory=Transfers)
    # The networks a PORT command may point the server at: the lab's (winlab/lab.py LAB_NETWORKS).
    networks: tuple = (ipaddress.ip_network("127.0.0.0/8"),)


def listing_line(name: str, size: int | None, mtime: str | None) -> str:
    """One line of IIS's MS-DOS style listing [V: layout of a public session; widths U]."""
    from datetime import datetime

    stamp = datetime.strptime(mtime, "%Y-%m-%dT%H:%M:%S") if mtime else datetime(2026, 1, 1)
    when = stamp.strftime("%m-%d-%y  %I:%M%p")
    if size is None:
        return f"{when}       <DIR>          {name}"
    return f"{when} {size:>20} {name}"


class Session:
    """One control connection."""

    def __init__(self, connection: socket.socket, endpoint: FtpEndpoint, root: str) -> None:
        self.connection = connection
        self.endpoint = endpoint
        self.host = endpoint.host
        self.root = root
        self.cwd = "/"
        self.user = ""
        self.account = ""
        self.logged_on = False
        self.anonymous = False
        self.binary = False
        self.passive: socket.socket | None = None
        self.active: tuple[str, int] | None = None
        self.rename_from: str | None = None
        self.reader = connection.makefile("rb")

    # -- plumbing -------------------------------------------------------------------------------------
    def reply(self, text: str) -> None:
        self.connection.sendall(text.encode("cp437", errors="replace") + b"\r\n")

    def serve(self) -> None:
        self.connection.sendall(GREETING)
        for raw in self.reader:
            line = raw.decode("cp437").rstrip("\r\n")
            verb, _, argument = line.partition(" ")
            verb = verb.upper()
            if verb == "QUIT":
                self.connection.sendall(GOODBYE)
                return
            if not self.logged_on and verb not in BEFORE_LOGON:
                self.reply(NOT_LOGGED_IN)
                continue
            handler = getattr(self, f"do_{verb}", None)
            if handler is None:
                self.reply(f"500 '{line}': command not understood")  # [U]
                continue
            if verb in WRITES and (self.anonymous or self.account in self.endpoint.read_only):
                self.reply(ACCESS_DENIED)
                continue
            try:
                handler(argument)
            except Busy:
                self.reply(LOCAL_ERROR)

    def close(self) -> None:
        if self.passive is not None:
            with contextlib.suppress(OSError):
                self.passive.close()
            self.passive = None

    @contextlib.contextmanager
    def model(self) -> Iterator[Host]:
        """The host's model, locked; `Busy` when a command holds it too long (the reply is 451)."""
        if not self.host.lock.acquire(timeout=LOCK_SECONDS):
            raise Busy
        try:
            yield self.host
        finally:
            self.host.lock.release()

    def allows_anonymous(self) -> bool:
        """Whether the started FTP site on port 21 allows anonymous logons (callers hold the model)."""
        return any(
            site.get("state") == "STARTED"
            and int(site.get("port", 0)) == 21
            and site.get("allow_anonymous", True)
            for site in self.host.state["ftp_sites"].values()
        )

    def not_found(self, argument: str, what: str = files.NOT_FOUND) -> None:
        self.reply(f"550 {argument.strip()}: {what}")  # [U]

    # -- paths ----------------------------------------------------------------------------------------
    def virtual(self, argument: str) -> str:
        """The FTP path an argument names, from the current folder ('/' is the site root)."""
        text = argument.strip().replace("\\", "/")
        base = [] if text.startswith("/") else self.cwd.split("/")
        return "/" + "/".join(files.fold(text.split("/"), files.fold(base)))

    def local(self, virtual: str) -> str:
        """The path on the host's disk behind an FTP path."""
        parts = [part for part in virtual.split("/") if part]
        return "\\".join([self.root, *parts]) if parts else self.root + ("\\" if len(self.root) == 2 else "")

    def display(self, virtual: str) -> str:
        return virtual.rsplit("/", 1)[1] or virtual

    # -- data connections -----------------------------------------------------------------------------
    def open_data(self) -> socket.socket | None:
        if self.passive is not None:
            listener, self.passive = self.passive, None
            try:
                listener.settimeout(DATA_SECONDS)
                data, _ = listener.accept()
            except OSError:
                return None
            finally:
                listener.close()
            return data
        if self.active is not None:
            target, self.active = self.active, None
            try:
                return socket.create_connection(target, timeout=DATA_SECONDS)
            except OSError:
                return None
        return None

    def transfer_start(self, what: str) -> str:
        """The preliminary reply: 125 on a passive connection already made, else 150 [U texts]."""
        if self.passive is not None:
            return "125 Data connection already open; Transfer starting."
        mode = "BINARY" if self.binary else "ASCII"
        return f"150 Opening {mode} mode data connection for {what}."

    def send_data(self, payload: bytes, opening: str) -> bool:
        if self.passive is None and self.active is None:
            self.reply("425 Can't open data connection.")  # [U]
            return False
        self.reply(opening)
        data = self.open_data()
        if data is None:
            self.reply("425 Can't open data connection.")
            return False
        with contextlib.closing(data), contextlib.suppress(OSError):
            data.settimeout(DATA_SECONDS)
            data.sendall(payload)
            data.shutdown(socket.SHUT_WR)
            self.reply("226 Transfer complete.")
            return True
        self.reply("426 Connection closed; transfer aborted.")  # [U]
        return False

    # -- logon ----------------------------------------------------------------------------------------
    def do_USER(self, argument: str) -> None:
        self.user = argument.strip()
        self.account = account_key(self.user)
        self.logged_on = False
        self.anonymous = False
        if self.account in ANONYMOUS:
            # [U] IIS's text for an anonymous USER.
            self.reply("331 Anonymous access allowed, send identity (e-mail name) as password.")
            return
        self.reply(f"331 Password required for {self.user}.")

    def do_PASS(self, argument: str) -> None:
        runtime = self.endpoint.runtime
        if not self.user or runtime is None:
            self.reply("503 Login with USER first.")  # [U]
            return
        if self.account in ANONYMOUS:
            with self.model():
                allowed = self.allows_anonymous() and files.is_dir(self.host, self.local("/"))
            if not allowed:
                self.reply(LOGON_FAILED)
                return
            self.logged_on = self.anonymous = True
            self.reply("230 Anonymous user logged in.")  # [U]
            return
        ok = runtime.record_logon(self.user, runtime.check_password(self.user, argument))
        if not ok:
            self.logged_on = False
            self.reply(LOGON_FAILED)
            return
        with self.model():
            home = files.is_dir(self.host, self.local("/"))
        if not home:
            self.reply("530 User cannot log in, home directory inaccessible.")
            return
        self.logged_on = True
        self.reply(f"230 User {self.user} logged in.")  # [U]

    # -- session --------------------------------------------------------------------------------------
    def do_NOOP(self, argument: str) -> None:
        self.reply("200 NOOP command successful.")  # [U]

    def do_SYST(self, argument: str) -> None:
        self.reply("215 Windows_NT")  # [U]

    def do_FEAT(self, argument: str) -> None:
        self.reply("211-FEAT\r\n    SIZE\r\n211 END")  # [U]

    def do_HELP(self, argument: str) -> None:
        self.reply("214 HELP command successful.")  # [U]

    def do_TYPE(self, argument: str) -> None:
        kind = argument.strip().upper()[:1]
        if kind not in ("A", "I", "L"):
            self.reply(f"501 Type {argument.strip()} not supported.")  # [U]
            return
        self.binary = kind != "A"
        self.reply(f"200 Type set to {'A' if kind == 'A' else 'I'}.")  # [U]

    def do_PASV(self, argument: str) -> None:
        self.close()
        address = self.connection.getsockname()[0]
        listener = socket.create_server((address, 0))
        self.passive, self.active = listener, None
        port = listener.getsockname()[1]
        numbers = ",".join([*address.split("."), str(port >> 8), str(port & 0xFF)])
        self.reply(f"227 Entering Passive Mode ({numbers}).")  # [U]

    def do_EPSV(self, argument: str) -> None:
        self.close()
        listener = socket.create_server((self.connection.getsockname()[0], 0))
        self.passive, self.active = listener, None
        self.reply(f"229 Entering Extended Passive Mode (|||{listener.getsockname()[1]}|)")  # [U]

    def do_PORT(self, argument: str) -> None:
        numbers = argument.strip().split(",")
        try:
            values = [int(number) for number in numbers]
            if len(values) != 6 or not all(0 <= value <= 255 for value in values):
                raise ValueError
        except ValueError:
            self.reply("501 Invalid PORT command.")  # [U]
            return
        address = ".".join(str(value) for value in values[:4])
        peer = self.connection.getpeername()[0]
        # IIS connects only back to the client that asked (no FTP bounce) [U], and the lab only on its
        # own networks.
        inside = any(ipaddress.ip_address(address) in net for net in self.endpoint.networks)
        if address != peer or not inside:
            self.reply("504 Command not implemented for that parameter.")  # [U]
            return
        self.close()
        self.active = (address, values[4] * 256 + values[5])
        self.reply("200 PORT command successful.")

    def do_PWD(self, argument: str) -> None:
        self.reply(f'257 "{self.cwd}" is current directory.')  # [U]

    do_XPWD = do_PWD

    def do_CWD(self, argument: str) -> None:
        target = self.virtual(argument or "/")
        with self.model():
            found = files.is_dir(self.host, self.local(target))
        if not found:
            self.not_found(argument)
            return
        self.cwd = target
        self.reply("250 CWD command successful.")  # [U]

    def do_CDUP(self, argument: str) -> None:
        self.do_CWD("..")

    # -- files ----------------------------------------------------------------------------------------
    def do_SIZE(self, argument: str) -> None:
        with self.model():
            data = files.read_bytes(self.host, self.local(self.virtual(argument)))
        if data is None:
            self.not_found(argument)
            return
        self.reply(f"213 {len(data)}")

    def do_RETR(self, argument: str) -> None:
        virtual = self.virtual(argument)
        with self.model():
            data = files.read_bytes(self.host, self.local(virtual))
            when = self.host.now().strftime("%Y-%m-%dT%H:%M:%S")
        if data is None:
            self.not_found(argument)
            return
        payload = data if self.binary else files.to_netascii(data)
        opening = self.transfer_start(f"{self.display(virtual)}({len(payload)} bytes)")
        if self.send_data(payload, opening):
            self.endpoint.transfers.record("sent", virtual, len(payload), self.user, when)

    def do_STOR(self, argument: str) -> None:
        virtual = self.virtual(argument)
        path = self.local(virtual)
        with self.model():
            folder_ok = files.is_dir(self.host, files.parent(path)) and not files.is_dir(self.host, path)
        if not folder_ok or virtual == "/":
            self.not_found(argument, files.PATH_NOT_FOUND)
            return
        if self.passive is None and self.active is None:
            self.reply("425 Can't open data connection.")
            return
        self.reply(self.transfer_start(self.display(virtual)))
        data = self.open_data()
        if data is None:
            self.reply("425 Can't open data connection.")
            return
        chunks = []
        try:
            with contextlib.closing(data):
                data.settimeout(DATA_SECONDS)
                while chunk := data.recv(65536):
                    chunks.append(chunk)
        except OSError:
            self.reply("426 Connection closed; transfer aborted.")
            return
        payload = b"".join(chunks)
        with self.model():
            files.put_file(self.host, path, payload)
            when = self.host.now().strftime("%Y-%m-%dT%H:%M:%S")
            self.host.save()
        self.endpoint.transfers.record("received", virtual, len(payload), self.user, when)
        self.reply("226 Transfer complete.")

    def do_DELE(self, argument: str) -> None:
        path = self.local(self.virtual(argument))
        with self.model():
            found = files.get_file(self.host, path) is not None
            if found:
                del self.host.state["fs"]["files"][path.lower()]
                self.host.save()
        if not found:
            self.not_found(argument)
            return
        self.reply("250 DELE command successful.")  # [U]

    def do_MKD(self, argument: str) -> None:
        virtual = self.virtual(argument)
        path = self.local(virtual)
        with self.model():
            exists = files.is_dir(self.host, path) or files.get_file(self.host, path) is not None
            parent_ok = files.is_dir(self.host, files.parent(path))
            if not exists and parent_ok:
                files.make_dirs(self.host, path)
                self.host.save()
        if exists:
            self.not_found(argument, "Cannot create a file when that file already exists.")
        elif not parent_ok:
            self.not_found(argument, files.PATH_NOT_FOUND)
        else:
            self.reply("257 MKD command successful.")  # [U]

    do_XMKD = do_MKD

    def do_RMD(self, argument: str) -> None:
        virtual = self.virtual(argument)
        path = self.local(virtual)
        with self.model():
            found = virtual != "/" and files.is_dir(self.host, path)
            prefix = path.lower() + "\\"
            fs = self.host.state["fs"]
            empty = not any(key.startswith(prefix) for key in fs["files"]) and not any(
                folder.lower().startswith(prefix) for folder in fs["dirs"]
            )
            if found and empty:
                fs["dirs"] = [folder for folder in fs["dirs"] if folder.lower() != path.lower()]
                self.host.save()
        if not found:
            self.not_found(argument)
        elif not empty:
            self.not_found(argument, "The directory is not empty.")
        else:
            self.reply("250 RMD command successful.")  # [U]

    do_XRMD = do_RMD

    def do_RNFR(self, argument: str) -> None:
        path = self.local(self.virtual(argument))
        with self.model():
            found = files.get_file(self.host, path) is not None
        if not found:
            self.not_found(argument)
            return
        self.rename_from = path
        self.reply("350 Requested file action pending further information.")  # [U]

    def do_RNTO(self, argument: str) -> None:
        source, self.rename_from = self.rename_from, None
        if source is None:
            self.reply("503 Bad sequence of commands.")  # [U]
            return
        target = self.local(self.virtual(argument))
        with self.model():
            entry = self.host.state["fs"]["files"].pop(source.lower(), None)
            if entry is not None:
                entry["path"] = target
                self.host.state["fs"]["files"][target.lower()] = entry
                self.host.save()
        if entry is None:
            self.reply("550 The system cannot find the file specified.")  # [U]
            return
        self.reply("250 RNTO command successful.")  # [U]

    def _entries(self, argument: str) -> list[tuple[str, int | None, str | None]] | None:
        """(name, size or None for a folder, mtime) of a folder's entries, or of one file."""
        text = " ".join(part for part in argument.split() if not part.startswith("-"))
        path = self.local(self.virtual(text))
        fs = self.host.state["fs"]
        single = files.get_file(self.host, path)
        if single is not None:
            return [self._file_entry(single)]
        if not files.is_dir(self.host, path):
            return None
        prefix = path.rstrip("\\").lower() + "\\"
        folders = [
            (folder[len(prefix) :], None, None)
            for folder in fs["dirs"]
            if folder.lower().startswith(prefix) and "\\" not in folder[len(prefix) :].strip("\\")
        ]
        found = [
            self._file_entry(entry)
            for key, entry in fs["files"].items()
            if key.startswith(prefix) and "\\" not in key[len(prefix) :]
        ]
        return sorted([entry for entry in [*folders, *found] if entry[0]], key=lambda item: item[0].lower())

    @staticmethod
    def _file_entry(entry: dict) -> tuple[str, int | None, str | None]:
        size = len(base64.b64decode(entry["data"]))
        return entry["path"].rsplit("\\", 1)[1], size, entry.get("mtime")

    def _list(self, argument: str, names_only: bool) -> None:
        with self.model():
            entries = self._entries(argument)
        if entries is None:
            self.not_found(argument)
            return
        if names_only:
            text = "".join(f"{name}\r\n" for name, _, _ in entries)
        else:
            text = "".join(listing_line(*entry) + "\r\n" for entry in entries)
        if self.passive is not None:
            opening = "125 Data connection already open; Transfer starting."
        else:
            opening = "150 Opening ASCII mode data connection for /bin/ls."
        self.send_data(text.encode("cp437", errors="replace"), opening)

    def do_LIST(self, argument: str) -> None:
        self._list(argument, names_only=False)

    def do_NLST(self, argument: str) -> None:
        self._list(argument, names_only=True)


def converse(connection: socket.socket, _address, endpoint: FtpEndpoint) -> None:
    """One FTP client: served when the host would answer on port 21, else closed at once."""
    with contextlib.closing(connection):
        host = endpoint.host
        if not host.lock.acquire(timeout=LOCK_SECONDS):
            # The host's model stayed busy (an `ftp` command of this very host holds it) [U].
            with contextlib.suppress(OSError):
                connection.setblocking(True)
                connection.sendall(b"421 Service not available, closing control connection.\r\n")
            return
        try:
            root = site_root(host)
        finally:
            host.lock.release()
        if root is None:
            return
        connection.setblocking(True)
        connection.settimeout(IDLE_SECONDS)
        runtime = endpoint.runtime
        if runtime is not None:
            with runtime.lock:
                runtime.connections.add(connection)
        session = Session(connection, endpoint, root)
        try:
            with contextlib.suppress(OSError):
                session.serve()
        finally:
            session.close()
            if runtime is not None:
                with runtime.lock:
                    runtime.connections.discard(connection)
