"""The Windows `ftp` client (ftp.exe, on XP, 7, 2003 and 2008): what a workstation runs to fetch its
installer from its base server with explicit credentials (`ftp -n -s:script`), since a WinRM session's
NTLM logon cannot reach a second server (the "double hop", winlab/model/files.py `locate`).

    ftp [-v] [-n] [-i] [-d] [-g] [-s:filename] [host]

It connects over a real socket to the FTP listener of the emulated host the name or modeled address
means (winlab/ftp.py; the lab's `Host.ftp_locator`), with Python's ftplib for the control connection's
line framing and active-mode data connections (`PORT`), as ftp.exe uses them (it has no passive
mode [V: mail-production.com "Command-line FTP automation"]). Files got are written to this host's
emulated disk; relative local names resolve against `lcd`'s folder, else the user's profile folder.

Script commands: `open host [port]`, `user name [password]`, `binary`/`bin`, `ascii`, `get remote
[local]` (`recv`), `put local [remote]` (`send`), `cd`, `lcd [folder]`, `mkdir`, `rmdir`, `dir`/`ls`,
`delete`, `pwd`, `bye`/`quit`/`close`/`disconnect`.

Transcript. Sourced: `Connected to NAME.`, the server's replies printed as they come, the listing, and
`ftp: N bytes received in X.XXSeconds Y.YYKbytes/sec.` (a Windows session, dummies.com "How to use an
FTP command line client", 190 bytes in 0.00 seconds printed as 190000.00); `Login failed.` after a
refused logon (Microsoft KB 269241); ASCII the default type. [U]: the `ftp> ` echo of each script
line, the password included (a transcript must be treated as a secret); the blank line after 331 of
`user`; `User (NAME:(none)): ` and `Password:` of the automatic logon (without -n); `ftp: N bytes
sent in ...`; the rate when the time is not 0 (bytes per millisecond); `Unknown host NAME.`, `Not
connected.`, `Invalid command.`, `> ftp: connect :Connection refused`, `Connection closed by remote
host.`, `Error opening local file NAME.`, `NAME: File not found`, `Error opening script file NAME.`,
`Local directory now FOLDER.`; -v hides the replies and the byte counts, -d prints `---> COMMAND` for
each command sent (the password as `PASS ****`).

Exit code: 0, also when the connection, the logon or a transfer failed [U: no source; the stricter
choice, a caller must check the file, not the exit code].
"""

from __future__ import annotations

import contextlib
import ftplib
import ipaddress
import socket
import time

from winlab.model import files
from winlab.model.host import Context, Result, command, split_args

DATA_SECONDS = 30.0
CONTROL_SECONDS = 60.0


def rate_line(count: int, seconds: float, verb: str) -> str:
    milliseconds = int(seconds * 1000)
    # 0 ms: the public capture prints the bytes times 1000 (190 bytes -> 190000.00); else bytes per ms [U].
    rate = count * 1000.0 if milliseconds == 0 else count / milliseconds
    return f"ftp: {count} bytes {verb} in {seconds:.2f}Seconds {rate:.2f}Kbytes/sec."


class Client:
    def __init__(self, ctx: Context, verbose: bool, auto_login: bool, debug: bool) -> None:
        self.ctx = ctx
        self.verbose = verbose
        self.auto_login = auto_login
        self.debug = debug
        self.out: list[str] = []
        self.ftp: ftplib.FTP | None = None
        self.binary = False
        self.local_dir = ""
        self.pending: list[str] = []  # script lines still to read (the automatic logon takes two)
        self.done = False

    # -- output ---------------------------------------------------------------------------------------
    def say(self, *items: str) -> None:
        self.out.extend(items)

    def server(self, reply: str) -> None:
        if self.verbose:
            self.out.extend(reply.split("\n"))

    # -- control connection ---------------------------------------------------------------------------
    def send(self, line: str) -> str:
        """Send one command; the server's reply (printed), or '' when the connection is lost."""
        assert self.ftp is not None
        if self.debug:
            shown = "PASS ****" if line.upper().startswith("PASS ") else line
            self.say(f"---> {shown}")
        try:
            self.ftp.putcmd(line)
            reply = self.ftp.getmultiline()
        except (OSError, EOFError):
            self.lost()
            return ""
        self.server(reply)
        return reply

    def lost(self) -> None:
        self.say("Connection closed by remote host.")
        self.drop()

    def drop(self) -> None:
        if self.ftp is not None:
            with contextlib.suppress(OSError):
                self.ftp.close()
        self.ftp = None

    def connected(self) -> bool:
        if self.ftp is None:
            self.say("Not connected.")
            return False
        return True

    def ready(self, args: list[str], usage: str) -> bool:
        """Connected and given an argument; else says why not (`Not connected.` or the usage)."""
        if not self.connected():
            return False
        if not args:
            self.say(usage)
            return False
        return True

    # -- commands -------------------------------------------------------------------------------------
    def open(self, args: list[str]) -> None:
        if self.ftp is not None:
            self.say(f"Already connected to {self.ftp.host}, use disconnect first.")
            return
        if not args:
            self.say("Usage: open host name [port]")
            return
        name = args[0]
        try:
            port_given = int(args[1]) if len(args) > 1 else 21
        except ValueError:
            self.say(f"Unknown host {name}.")
            return
        locator = self.ctx.host.ftp_locator
        target = locator(name) if locator else None
        if target is None:
            try:
                ipaddress.ip_address(name)
            except ValueError:
                self.say(f"Unknown host {name}.")
                return
            self.say("> ftp: connect :Connection timed out")
            return
        address, port = target
        if port_given != 21 or not port:
            # Only port 21 of an emulated host is modeled: another port has no listener, and neither
            # has port 21 of a host the lab gives no FTP stand-in (port 0).
            self.say("> ftp: connect :Connection refused")
            return
        client = ftplib.FTP(timeout=CONTROL_SECONDS, encoding="cp437")
        try:
            client.sock = socket.create_connection((address, port), timeout=CONTROL_SECONDS)
        except OSError:
            self.say("> ftp: connect :Connection refused")
            return
        client.af = client.sock.family
        client.file = client.sock.makefile("r", encoding="cp437")
        client.host = name
        self.ftp = client
        self.say(f"Connected to {name}.")
        try:
            welcome = client.getmultiline()
        except (OSError, EOFError):
            self.lost()
            return
        self.server(welcome)
        if self.auto_login:
            # The next two lines of input answer the prompts for the user name and the password.
            self.say(f"User ({name}:(none)): ")
            self.login(self.pending.pop(0).strip() if self.pending else "", None)

    def login(self, user: str, password: str | None) -> None:
        """USER, then PASS when asked; `password` None: the next line of input, after `Password:`."""
        reply = self.send(f"USER {user}")
        if not reply:
            return
        if reply.startswith("331"):
            if password is None:
                self.say("Password:")
                password = self.pending.pop(0).strip() if self.pending else ""
            else:
                self.say("")
            reply = self.send(f"PASS {password}")
            if not reply:
                return
        if not reply.startswith("230"):
            self.say("Login failed.")

    def user(self, args: list[str]) -> None:
        if not self.ready(args, "Usage: user username [password] [account]"):
            return
        self.login(args[0], args[1] if len(args) > 1 else "")

    def set_type(self, binary: bool) -> None:
        if not self.connected():
            return
        if self.send("TYPE I" if binary else "TYPE A").startswith("200"):
            self.binary = binary

    def local_path(self, name: str) -> str:
        host, user = self.ctx.host, self.ctx.user
        text = name.strip().strip('"')
        if self.local_dir and not (text.startswith("\\") or (len(text) > 1 and text[1] == ":")):
            text = self.local_dir.rstrip("\\") + "\\" + text
        return files.normalize(host, user, text)

    def data(self, line: str, payload: bytes | None = None) -> tuple[bytes, float] | None:
        """One data transfer in active mode: PORT, then `line`; the bytes received (or sent), the time
        it took, or None when the server refused."""
        assert self.ftp is not None
        local = self.ftp.sock.getsockname()[0]
        try:
            listener = socket.create_server((local, 0))
        except OSError:
            self.say("> ftp: bind :Address already in use")
            return None
        with listener:
            listener.settimeout(DATA_SECONDS)
            port = listener.getsockname()[1]
            numbers = ",".join([*local.split("."), str(port >> 8), str(port & 0xFF)])
            reply = self.send(f"PORT {numbers}")
            if not reply.startswith("2"):
                return None
            reply = self.send(line)
            if not reply.startswith("1"):
                return None
            started = time.monotonic()
            try:
                connection, _ = listener.accept()
            except OSError:
                self.say("> ftp: accept :Connection timed out")
                return None
            received = b""
            with connection:
                connection.settimeout(DATA_SECONDS)
                try:
                    if payload is None:
                        chunks = []
                        while chunk := connection.recv(65536):
                            chunks.append(chunk)
                        received = b"".join(chunks)
                    else:
                        connection.sendall(payload)
                except OSError:
                    pass
            elapsed = time.monotonic() - started
        try:
            final = self.ftp.getmultiline()
        except (OSError, EOFError):
            self.lost()
            return None
        self.server(final)
        if not final.startswith("2"):
            return None
        return (received if payload is None else payload), elapsed

    def get(self, args: list[str]) -> None:
        if not self.ready(args, "Usage: get remote-file [local-file]"):
            return
        remote = args[0]
        local = self.local_path(args[1] if len(args) > 1 else remote.replace("/", "\\").rsplit("\\", 1)[-1])
        host = self.ctx.host
        if not files.is_dir(host, files.parent(local)) or files.is_dir(host, local):
            self.say(f"Error opening local file {args[1] if len(args) > 1 else local}.")
            return
        result = self.data(f"RETR {remote}")
        if result is None:
            return
        data, elapsed = result
        files.put_file(host, local, data)
        if self.verbose:
            self.say(rate_line(len(data), elapsed, "received"))

    def put(self, args: list[str]) -> None:
        if not self.ready(args, "Usage: put local-file [remote-file]"):
            return
        local = self.local_path(args[0])
        data = files.read_bytes(self.ctx.host, local)
        if data is None:
            self.say(f"{args[0]}: File not found")
            return
        remote = args[1] if len(args) > 1 else local.rsplit("\\", 1)[1]
        payload = data if self.binary else files.to_netascii(data)
        result = self.data(f"STOR {remote}", payload)
        if result is not None and self.verbose:
            self.say(rate_line(len(result[0]), result[1], "sent"))

    def listing(self, verb: str, args: list[str]) -> None:
        if not self.connected():
            return
        line = f"{verb} {args[0]}" if args else verb
        result = self.data(line)
        if result is None:
            return
        data, elapsed = result
        text = data.decode("cp437", errors="replace")
        # The listing goes to the console between the preliminary and the final reply.
        final = self.out.pop() if self.verbose else None
        self.out.extend(text.splitlines())
        if final is not None:
            self.out.append(final)
            self.say(rate_line(len(data), elapsed, "received"))

    def simple(self, verb: str, args: list[str], usage: str) -> None:
        if not self.ready(args, usage):
            return
        self.send(f"{verb} {args[0]}")

    def lcd(self, args: list[str]) -> None:
        if args:
            path = self.local_path(args[0])
            if not files.is_dir(self.ctx.host, path):
                self.say(f"{args[0]}: File not found")
                return
            self.local_dir = path
        current = self.local_dir or files.normalize(self.ctx.host, self.ctx.user, ".")
        self.say(f"Local directory now {current}.")

    def bye(self) -> None:
        if self.ftp is not None:
            self.send("QUIT")
            self.drop()
        self.done = True

    def close(self) -> None:
        if self.ftp is not None:
            self.send("QUIT")
            self.drop()

    # -- the script -----------------------------------------------------------------------------------
    def run_line(self, line: str) -> None:
        words = split_args(line)
        if not words:
            return
        verb, args = words[0].lower(), words[1:]
        if verb == "open":
            self.open(args)
        elif verb == "user":
            self.user(args)
        elif verb in ("binary", "bin", "image"):
            self.set_type(True)
        elif verb == "ascii":
            self.set_type(False)
        elif verb in ("get", "recv"):
            self.get(args)
        elif verb in ("put", "send"):
            self.put(args)
        elif verb == "cd":
            self.simple("CWD", args, "Usage: cd remote-directory")
        elif verb == "mkdir":
            self.simple("MKD", args, "Usage: mkdir directory-name")
        elif verb == "rmdir":
            self.simple("RMD", args, "Usage: rmdir directory-name")
        elif verb == "delete":
            self.simple("DELE", args, "Usage: delete remote-file")
        elif verb == "pwd":
            if self.connected():
                self.send("PWD")
        elif verb == "dir":
            self.listing("LIST", args)
        elif verb == "ls":
            self.listing("NLST", args)
        elif verb == "lcd":
            self.lcd(args)
        elif verb in ("bye", "quit"):
            self.bye()
        elif verb in ("close", "disconnect"):
            self.close()
        else:
            self.say("Invalid command.")

    def run(self, script: list[str], echo: bool) -> None:
        self.pending = list(script)
        while self.pending and not self.done:
            line = self.pending.pop(0).rstrip("\r")
            if echo:
                self.say(f"ftp> {line}")
            self.run_line(line)
        if not self.done:
            # The end of the script is the end of input: ftp.exe leaves, closing the connection.
            self.close()


@command("ftp")
def ftp(ctx: Context, argv: list[str], raw: str) -> Result:
    verbose, auto_login, debug = True, True, False
    script_name = None
    target = None
    for arg in argv:
        lower = arg.lower()
        if lower == "-v":
            verbose = False
        elif lower == "-n":
            auto_login = False
        elif lower == "-d":
            debug = True
        elif lower in ("-i", "-g", "-a"):
            continue
        elif lower.startswith("-s:"):
            script_name = arg[3:]
        elif lower.startswith(("-w:", "-x:", "-r:", "-b:")):
            continue
        elif target is None and not arg.startswith("-"):
            target = arg
    client = Client(ctx, verbose, auto_login, debug)
    if script_name is not None:
        data = files.read_bytes(ctx.host, files.normalize(ctx.host, ctx.user, script_name))
        if data is None:
            return Result(stdout=f"Error opening script file {script_name}.\r\n")
        script = data.decode("cp437").replace("\r\n", "\n").split("\n")
        if script and script[-1] == "":
            script.pop()
        echo = True
    else:
        # No console under WinRM: what is piped in is the input, read without an echo [U].
        script = ctx.stdin.replace("\r\n", "\n").split("\n") if ctx.stdin else []
        if script and script[-1] == "":
            script.pop()
        echo = False
    if target is not None:
        client.pending = script
        client.open([target])
        script = client.pending
    client.run(script, echo)
    stdout = "".join(line + "\r\n" for line in client.out)
    return Result(stdout=stdout, exit_code=0)
