"""The HTTP side: one WinRM listener per emulated host, the lab's control interface, fault injection.

Every host listens on its own loopback port (HTTP, and HTTPS when enabled); one selector thread
accepts on all of them and hands each connection to a thread, so a fleet of hundreds of hosts costs
one thread plus one per open connection.
"""

from __future__ import annotations

import base64
import codecs
import contextlib
import json
import os
import selectors
import socket
import ssl
import struct
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import spnego.exceptions

from winlab import auth, wsman
from winlab.model import Host

LOCKOUT_THRESHOLD = 5  # bad logons before the account locks (the customs domain policy)
# Output bytes per Receive reply; larger outputs take several Receives, as from real WinRM.
RECEIVE_CHUNK = 32 * 1024


@dataclass
class Command:
    stdout: bytes
    stderr: bytes
    exit_code: int
    sent: int = 0  # bytes of stdout and stderr already delivered
    ready_at: float = 0.0  # monotonic time the command finishes (the command_delay fault)


@dataclass
class Shell:
    codepage: int
    user: str
    delegated: bool = False  # Basic logons hold the password, so commands can reach other hosts
    commands: dict[str, Command] = field(default_factory=dict)


def account_key(user: str) -> str:
    """DOMAIN\\user, user@domain and user name the same account here (lockout counts, FTP rights)."""
    return user.rpartition("\\")[2].partition("@")[0].lower()


class HostRuntime:
    """Everything about one host that lives only while the lab runs: shells, logons, faults, counters."""

    def __init__(self, host: Host, accounts: dict[str, str], address: str, accounts_file: Path) -> None:
        self.host = host
        self.accounts_file = accounts_file
        self.name = host.name
        self.accounts = {user.lower(): password for user, password in accounts.items()}
        self.address = address
        self.http_port = 0
        self.https_port = 0
        self.lock = threading.Lock()
        self.shells: dict[str, Shell] = {}
        self.bad_logons: dict[str, int] = {}
        self.faults: dict[str, object] = {}
        self.requests = 0
        self.operations: dict[str, int] = {}
        # HTTP bytes (request line, headers and body; before TLS) the host read and wrote, and the
        # TCP connections it accepted: what a WinRM exchange costs on the WAN link to the host.
        self.bytes_received = 0
        self.bytes_sent = 0
        self.connections_accepted = 0
        self.connections: set[socket.socket] = set()
        # Seconds every HTTP reply is held back: the lab's emulated round trip (LabConfig.reply_delay).
        self.reply_delay = 0.0

    # -- logons ---------------------------------------------------------------------------------------
    @staticmethod
    def _account(user: str) -> str:
        return account_key(user)

    def is_locked(self, user: str) -> bool:
        with self.lock:
            return self.bad_logons.get(self._account(user), 0) >= LOCKOUT_THRESHOLD

    def record_logon(self, user: str, ok: bool) -> bool:
        """Count a logon; returns whether it is accepted.

        A locked account is refused even with the right password, as Windows does (Microsoft,
        "Account lockout threshold"; winlab/README.md), with the same 401 as a wrong password [U].
        """
        account = self._account(user)
        with self.lock:
            count = self.bad_logons.get(account, 0)
            if count >= LOCKOUT_THRESHOLD:
                return False
            if ok:
                self.bad_logons[account] = 0
                return True
            self.bad_logons[account] = count + 1
            return False

    def domain_account(self, user: str) -> bool:
        """Whether `user` names a domain account: written with a domain, or configured with one."""
        if "\\" in user or "@" in user:
            return True
        return any("\\" in name and self._account(name) == self._account(user) for name in self.accounts)

    def known_account(self, user: str) -> bool:
        return any(self._account(name) == self._account(user) for name in self.accounts)

    def check_password(self, user: str, password: str) -> bool:
        return any(
            self._account(name) == self._account(user) and secret == password
            for name, secret in self.accounts.items()
        )

    def reset_lockout(self, user: str | None = None) -> None:
        with self.lock:
            if user is None:
                self.bad_logons.clear()
            else:
                self.bad_logons.pop(self._account(user), None)

    # -- counters -------------------------------------------------------------------------------------
    def count(self, operation: str | None = None) -> None:
        with self.lock:
            if operation is None:
                self.requests += 1
            else:
                self.operations[operation] = self.operations.get(operation, 0) + 1

    def count_bytes(self, received: int = 0, sent: int = 0) -> None:
        with self.lock:
            self.bytes_received += received
            self.bytes_sent += sent

    def count_connection(self) -> None:
        with self.lock:
            self.connections_accepted += 1

    def counters(self) -> dict:
        """HTTP requests; WS-Man operations (`Command` is the number of WinRM commands run);
        `bytes_received` / `bytes_sent`, the HTTP bytes of requests and replies; `connections`, the
        TCP connections accepted; `open_shells`, the shells created and not yet deleted."""
        with self.lock:
            return {
                "requests": self.requests,
                "operations": dict(self.operations),
                "bytes_received": self.bytes_received,
                "bytes_sent": self.bytes_sent,
                "connections": self.connections_accepted,
                "open_shells": len(self.shells),
            }

    def reset_counters(self) -> None:
        """Zero the counters (the open shells are the host's state, not a counter: they stay)."""
        with self.lock:
            self.requests = 0
            self.operations.clear()
            self.bytes_received = 0
            self.bytes_sent = 0
            self.connections_accepted = 0

    # -- WS-Management ---------------------------------------------------------------------------------
    def handle(self, request: wsman.Request, user: str, endpoint_url: str, delegated: bool = False) -> bytes:
        if request.resource_uri and request.resource_uri != wsman.SHELL_CMD_URI:
            raise wsman.WsmanError(
                "w:DestinationUnreachable",
                "The WS-Management service cannot process the request. "
                f"The resource URI {request.resource_uri} "
                "was not found in the WS-Management catalog.",
                wsman.CODE_RESOURCE_NOT_FOUND,
            )
        action = request.action
        short = action.rsplit("/", 1)[-1]
        self.count(short)
        if action == wsman.ACTION_CREATE:
            codepage = _codepage(request.options.get("WINRS_CODEPAGE", "437"))
            shell_id = wsman.new_id()
            with self.lock:
                self.shells[shell_id] = Shell(codepage=codepage, user=user, delegated=delegated)
            return wsman.create_response(request, endpoint_url, shell_id)
        shell = self._shell(request)
        if action == wsman.ACTION_COMMAND:
            program, arguments = wsman.command_line(request)
            line = " ".join([program, *arguments]).strip()
            result = self.host.run(line, user=shell.user, delegated=shell.delegated)
            command_id = wsman.new_id()
            # A command that waits (net start) ends its own duration later; command_delay adds to it.
            delay = float(self.faults.get("command_delay", 0) or 0) + result.duration
            shell.commands[command_id] = Command(
                stdout=encode_console(result.stdout, shell.codepage),
                stderr=encode_console(result.stderr, shell.codepage),
                exit_code=result.exit_code,
                ready_at=time.monotonic() + delay,
            )
            return wsman.command_response(request, command_id)
        if action == wsman.ACTION_RECEIVE:
            command_id = wsman.receive_command_id(request)
            command = self._command(shell, command_id)
            return self._receive(request, command_id, command)
        if action == wsman.ACTION_SIGNAL:
            command_id, _code = wsman.signal_command_id(request)
            self._command(shell, command_id)
            shell.commands.pop(command_id, None)
            return wsman.signal_response(request)
        if action == wsman.ACTION_SEND:
            return wsman.send_response(request)
        if action == wsman.ACTION_DELETE:
            with self.lock:
                self.shells.pop(request.shell_id or "", None)
            return wsman.delete_response(request)
        raise wsman.WsmanError(
            "a:ActionNotSupported",
            f"The action {action} is not supported by the service.",
            wsman.CODE_ACTION_NOT_SUPPORTED,
        )

    def _receive(self, request: wsman.Request, command_id: str, command: Command) -> bytes:
        """Output in chunks, as WinRM streams it: Running replies until the last, then Done + ExitCode."""
        wait = command.ready_at - time.monotonic()
        if wait > 0:
            # A command still running: hold the Receive for the operation timeout, then answer
            # with the timeout fault pywinrm retries on (reference 10.5).
            timeout = wsman.operation_timeout(request)
            if wait > timeout:
                time.sleep(timeout)
                raise wsman.WsmanError(
                    "w:TimedOut",
                    "The WS-Management service cannot complete the operation within the time specified in "
                    "OperationTimeout.",
                    wsman.CODE_OPERATION_TIMEOUT,
                    value="s:Receiver",
                )
            time.sleep(wait)
        data = command.stdout + command.stderr
        end = min(len(data), command.sent + RECEIVE_CHUNK)
        split = len(command.stdout)
        stdout = data[command.sent : min(end, split)] if command.sent < split else b""
        stderr = data[max(command.sent, split) : end]
        command.sent = end
        done = end >= len(data)
        return wsman.receive_response(
            request, command_id, stdout, stderr, command.exit_code if done else None
        )

    def _shell(self, request: wsman.Request) -> Shell:
        with self.lock:
            shell = self.shells.get(request.shell_id or "")
        if shell is None:
            # Wording of Windows' message for an unknown ShellId [U].
            raise wsman.WsmanError(
                "w:InvalidSelectors",
                f"The request for the Windows Remote Shell with ShellId {request.shell_id} failed "
                "because the shell was not found on the server. Possible causes are: the specified "
                "ShellId is incorrect or the shell no longer exists on the server. Provide the correct "
                "ShellId or create a new shell and retry the operation.",
                wsman.CODE_SHELL_NOT_FOUND,
            )
        return shell

    @staticmethod
    def _command(shell: Shell, command_id: str) -> Command:
        command = shell.commands.get(command_id)
        if command is None:
            raise wsman.WsmanError(
                "w:InvalidParameter", f"The command with CommandId {command_id} was not found.", 2150858843
            )
        return command


# Letters Unicode does not decompose, with the plain letter Windows' best-fit tables give them.
_BEST_FIT = {"đ": "d", "Đ": "D", "ơ": "o", "Ơ": "O", "ư": "u", "Ư": "U"}


def encode_console(text: str, codepage: int) -> bytes:
    """Console output in the shell's code page.

    A character the code page lacks becomes its best-fit letter where Windows has one (ụ -> u,
    đ -> d), else '?', as WideCharToMultiByte does by default; the exact best-fit tables are [U].
    So Vietnamese names come back unaccented under code page 437, and intact under 65001.
    """
    if codepage == 65001:
        return text.encode("utf-8")
    encoding = f"cp{codepage}"
    out = bytearray()
    for char in text:
        try:
            out += char.encode(encoding)
            continue
        except UnicodeEncodeError:
            pass
        base = unicodedata.normalize("NFD", char)[0]
        base = _BEST_FIT.get(base, _BEST_FIT.get(char, base))
        try:
            out += base.encode(encoding) if base != char else b"?"
        except UnicodeEncodeError:
            out += b"?"
    return bytes(out)


def _codepage(text: str) -> int:
    """The shell's code page, if Python can encode to it; otherwise a fault, as the service refuses it."""
    try:
        codepage = int(text or 437)
        codecs.lookup("utf-8" if codepage == 65001 else f"cp{codepage}")
    except (ValueError, LookupError):
        # Fault wording [U].
        raise wsman.WsmanError(
            "w:InvalidOptions", f"The code page {text} is not valid or not installed.", 2150858882
        ) from None
    return codepage


class WinRMHandler(BaseHTTPRequestHandler):
    """One TCP connection to a host's listener. NTLM state is per connection, as with HTTP.sys."""

    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""

    def __init__(self, request, client_address, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.runtime = endpoint.runtime
        self.ntlm_pending: spnego.ContextProxy | None = None
        self.ntlm: spnego.ContextProxy | None = None
        self.ntlm_user = ""
        self.basic = False
        super().__init__(request, client_address, endpoint)

    def log_message(self, format: str, *args) -> None:
        return

    def setup(self) -> None:
        super().setup()
        self.rfile = _CountingReader(self.rfile, self.runtime)
        self.wfile = _CountingWriter(self.wfile, self.runtime)
        self.runtime.count_connection()
        with self.runtime.lock:
            self.runtime.connections.add(self.connection)

    def finish(self) -> None:
        with self.runtime.lock:
            self.runtime.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def _send(self, status: int, body: bytes = b"", headers: list[tuple[str, str]] | None = None) -> None:
        self.send_response(status)
        for key, value in headers or []:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _challenge(self) -> None:
        headers = [("WWW-Authenticate", "Negotiate")]
        if self.endpoint.allow_basic:
            headers.append(("WWW-Authenticate", 'Basic realm="WSMAN"'))
        self._send(401, b"", headers)

    def do_POST(self) -> None:
        runtime = self.runtime
        runtime.count()
        # The emulated round trip of the link to the host, plus the host's own slowness (a fault).
        delay = runtime.reply_delay + float(runtime.faults.get("slow", 0) or 0)
        if delay:
            hold_reply(delay)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        if self.path.split("?")[0].lower() != "/wsman":
            self._send(404)
            return
        authorization = self.headers.get("Authorization", "")
        offered, _, value = authorization.partition(" ")
        scheme = offered.lower()
        user = ""
        self.basic = scheme == "basic"
        if scheme == "basic" and self.endpoint.allow_basic:
            credentials = auth.parse_basic(value.strip())
            if credentials is None:
                self._challenge()
                return
            user, password = credentials
            if runtime.domain_account(user):
                # WinRM's Basic authentication takes local accounts only (pywinrm README, reference 9.2):
                # a domain account is refused before any password check, so it counts no bad logon.
                self._challenge()
                return
            if not runtime.record_logon(user, runtime.check_password(user, password)):
                self._challenge()
                return
        elif scheme in ("negotiate", "ntlm"):
            try:
                token = base64.b64decode(value.strip())
            except ValueError:
                self._challenge()
                return
            kind = auth.ntlm_message_type(token)
            if kind == 1:
                self.ntlm_pending = auth.new_ntlm_acceptor(runtime.accounts_file)
                challenge = auth.ntlm_step(self.ntlm_pending, token, runtime.accounts_file) or b""
                # The challenge goes back under the scheme name the client used (Negotiate or NTLM).
                header = f"{offered} {base64.b64encode(challenge).decode()}"
                self._send(401, b"", [("WWW-Authenticate", header)])
                return
            if kind != 3 or self.ntlm_pending is None:
                self._challenge()
                return
            user = auth.ntlm_user(token)
            try:
                auth.ntlm_step(self.ntlm_pending, token, runtime.accounts_file)
                ok = runtime.known_account(user)
            except spnego.exceptions.SpnegoError:
                ok = False
            if not runtime.record_logon(user, ok):
                self.ntlm_pending = None
                self._challenge()
                return
            self.ntlm, self.ntlm_pending, self.ntlm_user = self.ntlm_pending, None, user
        elif self.ntlm is not None:
            user = self.ntlm_user
            if runtime.is_locked(user):
                self.ntlm = None
                self._challenge()
                return
        else:
            self._challenge()
            return

        encrypted = "multipart/encrypted" in self.headers.get("Content-Type", "")
        if encrypted:
            if self.ntlm is None:
                self._send(400)
                return
            try:
                body = auth.unwrap_body(self.ntlm, body)
            except (ValueError, IndexError, struct.error, spnego.exceptions.SpnegoError):
                # A body that does not decrypt or verify: refused, and the sealing state is lost.
                self.ntlm = None
                self.close_connection = True
                self._send(400)
                return
            runtime.count("encrypted")
        if not body:
            self._send(200)
            return
        self._dispatch(body, user, encrypted)

    def _dispatch(self, body: bytes, user: str, encrypted: bool) -> None:
        runtime = self.runtime
        status = 200
        request: wsman.Request | None = None
        try:
            request = wsman.parse_request(body)
            if request.action == wsman.ACTION_RECEIVE and runtime.faults.get("drop", 0):
                with runtime.lock:
                    runtime.faults["drop"] = int(runtime.faults["drop"]) - 1
                    if not runtime.faults["drop"]:
                        runtime.faults.pop("drop")
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            reply = runtime.handle(request, user, self.endpoint.url, delegated=self.basic)
        except wsman.WsmanError as error:
            status = 500
            relates_to = request.message_id if request is not None else ""
            reply = wsman.fault_response(relates_to, error, runtime.host.computer_name)
        if encrypted:
            self._send(
                status, auth.wrap_body(self.ntlm, reply), [("Content-Type", auth.ENCRYPTED_CONTENT_TYPE)]
            )
        else:
            self._send(status, reply, [("Content-Type", "application/soap+xml;charset=UTF-8")])


def hold_reply(seconds: float) -> None:
    """Hold an HTTP reply back (the emulated round trip and the `slow` fault)."""
    time.sleep(seconds)


class _CountingReader:
    """The connection's input stream, counting the bytes the host reads into its runtime."""

    def __init__(self, stream, runtime: HostRuntime) -> None:
        self._stream = stream
        self._runtime = runtime

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._runtime.count_bytes(received=len(data))
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self._stream.readline(size)
        self._runtime.count_bytes(received=len(data))
        return data

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


class _CountingWriter:
    """The connection's output stream, counting the bytes the host writes into its runtime."""

    def __init__(self, stream, runtime: HostRuntime) -> None:
        self._stream = stream
        self._runtime = runtime

    def write(self, data: bytes) -> int:
        # Counted before it goes out, so that a client holding the reply finds it counted.
        self._runtime.count_bytes(sent=len(data))
        return self._stream.write(data)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


@dataclass
class Endpoint:
    runtime: HostRuntime
    scheme: str
    sock: socket.socket
    allow_basic: bool
    ssl_context: ssl.SSLContext | None = None

    @property
    def url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"{self.scheme}://{host}:{port}/wsman"


class SelectorThread:
    """Sockets watched by one selector on one thread (`_loop`, of the subclass); `stop` closes them."""

    thread_name = "winlab-select"

    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.lock = threading.Lock()
        self.running = False
        self.thread: threading.Thread | None = None

    def _loop(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        self.running = True
        self.thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.running = False
        if self.thread:
            self.thread.join(timeout=5)
        with self.lock:
            for key in list(self.selector.get_map().values()):
                self.selector.unregister(key.fileobj)
                key.fileobj.close()


class Listeners(SelectorThread):
    """Accepts connections for every host's listening sockets on one selector thread.

    Each socket is served by `serve(connection, address, endpoint)`: the WinRM handler unless `add`
    is given another (winlab/ftp.py's greeting)."""

    thread_name = "winlab-accept"

    def add(self, endpoint: Endpoint, serve=None) -> None:
        endpoint.sock.setblocking(False)
        with self.lock:
            self.selector.register(endpoint.sock, selectors.EVENT_READ, (endpoint, serve or _serve))

    def remove(self, sock: socket.socket) -> None:
        with self.lock:
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
                endpoint, serve = key.data
                try:
                    connection, address = endpoint.sock.accept()
                except (BlockingIOError, OSError):
                    continue
                threading.Thread(target=serve, args=(connection, address, endpoint), daemon=True).start()


def _serve(connection: socket.socket, address, endpoint: Endpoint) -> None:
    connection.setblocking(True)
    connection.settimeout(120)
    # Headers and body go out in separate writes; without NODELAY, Nagle and the client's delayed ACK
    # add 40 ms to every reply.
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        if endpoint.ssl_context is not None:
            connection = endpoint.ssl_context.wrap_socket(connection, server_side=True)
        WinRMHandler(connection, address, endpoint)
    except (OSError, ssl.SSLError):
        pass
    finally:
        with contextlib.suppress(OSError):
            connection.close()


# The ports a lab takes for a host given none: one after another from a place that differs from one
# process to the next, below the kernel's ephemeral range (32768-60999 on Linux). Asking the kernel
# for any free port (port 0) makes it search the ephemeral range, and that search slows down faster
# than linearly as the range fills: 5,000 listening sockets take 0.05 s, 19,500 take 45 s on the
# machine of benchmarks/RESULTS.md, which a lab of 16 times the fleet needs.
LAB_PORTS = range(10000, 32768)
_ports_lock = threading.Lock()
_ports_next: list[int] = []


def bind(address: str, port: int, listen: bool = True) -> socket.socket:
    """A socket bound to (address, port), listening unless `listen` is false; port 0: the next
    free one of LAB_PORTS (the kernel's choice only when none is free).

    A socket bound and not listening holds a port closed: a connection to it is refused (Linux
    answers the SYN with a reset), and no other socket is given the port meanwhile. That is how a
    host that is down keeps its ports for when it comes back (`Lab.set_fault`).
    """
    sock = _bind_free(address) if port == 0 else None
    if sock is None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
    if listen:
        sock.listen(64)
    return sock


def _bind_free(address: str) -> socket.socket | None:
    """A socket bound to the next port of LAB_PORTS that nothing uses, or None."""
    with _ports_lock:
        if not _ports_next:
            _ports_next.append(os.getpid() * 7919 % len(LAB_PORTS))
        for _ in range(len(LAB_PORTS)):
            port = LAB_PORTS[_ports_next[0]]
            _ports_next[0] = (_ports_next[0] + 1) % len(LAB_PORTS)
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                # Without SO_REUSEADDR: a port that any socket holds, even one closing or a down
                # host's held port (bound, not listening), is skipped.
                sock.bind((address, port))
            except OSError:
                sock.close()
                continue
            # As bind() sets it for a given port: the connections it accepts may linger after it.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            return sock
    return None


def json_reply(handler: BaseHTTPRequestHandler, status: int, payload) -> None:
    body = json.dumps(payload, indent=2, sort_keys=True).encode("utf-8")
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def state_path(state_dir: Path, name: str) -> Path:
    return state_dir / f"{name}.json"
