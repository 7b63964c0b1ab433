"""One emulated Windows host: its persisted state and a cmd.exe-like interpreter over it.

pywinrm runs every command through `cmd.exe /c` (WINRS_SKIP_CMD_SHELL=FALSE), so the interpreter
handles what cmd does to a line before a program sees it: %VAR% expansion (once, before anything
runs, as cmd does), `&`, `&&`, `||`, `|`, redirections, `cmd /c` and `start /wait`.
"""

from __future__ import annotations

import copy
import json
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from winlab.model import defaults
from winlab.model.profiles import Profile, get_profile

CRLF = "\r\n"
MAX_COMMAND_LINE = 8191
# GUI-subsystem programs: "When you run a 32-bit graphical user interface (GUI) application, cmd does
# not wait for the application to quit before returning to the command prompt. This behavior does not
# occur if you run the application from a command script." (windowsserverdocs start.md, reference
# 8.1) [V]. Whether `cmd /c PROGRAM` under WinRS counts as a script is not known [U]: winlab takes
# the stricter reading, that it does not wait, so only `start "" /wait PROGRAM` gives the program's
# exit code (in %ERRORLEVEL% and as the command's exit code); the plain form exits 0 with the
# program's effects already done (on Windows they would still be under way) [U].
GUI_PROGRAMS = frozenset({"msiexec"})
# The emulated hosts' time zone: Asia/Ho_Chi_Minh (Indochina Time).
HOST_ZONE = timezone(timedelta(hours=7), "ICT")


def lines(*items: str) -> str:
    """Join output lines with CRLF and end with CRLF, as Windows consoles write them."""
    return CRLF.join(items) + CRLF


@dataclass
class Result:
    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0
    # Seconds the command keeps running after its effects, as `net start` waits for the service to
    # come up: the WinRM side holds the output back that long. Direct callers of Host.run get it at once.
    duration: float = 0.0


@dataclass
class RunSession:
    """What one WinRM command runs with: its user, and what it may reach on other hosts.

    With NTLM the server holds no password it could pass on, so the command cannot open shares on
    other hosts (the "double hop") unless it connects with explicit credentials first (`net use`);
    with Basic it can.
    """

    user: str = ""
    delegated: bool = False
    connections: set[str] = field(default_factory=set)


@dataclass
class Context:
    host: Host
    stdin: str = ""
    user: str = ""

    @property
    def profile(self) -> Profile:
        return self.host.profile

    @property
    def state(self) -> dict:
        return self.host.state


Handler = Callable[[Context, list[str], str], Result]
COMMANDS: dict[str, Handler] = {}


def command(*names: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        for name in names:
            COMMANDS[name.lower()] = func
        return func

    return register


def not_recognized(name: str) -> Result:
    # cmd.exe's wording, general knowledge of every NT version [U: not quoted in the reference].
    return Result(
        stderr=lines(
            f"'{name}' is not recognized as an internal or external command,",
            "operable program or batch file.",
        ),
        exit_code=1,
    )


def split_args(text: str, backslash_quotes: bool = False) -> list[str]:
    """Split like the C runtime does: whitespace separates, double quotes group and are removed.

    With `backslash_quotes`, also the runtime's backslash rule, which a program such as schtasks
    gets its argv by: `\\"` is a literal quote, 2n backslashes before a quote are n backslashes and
    the quote delimits, other backslashes are literal ("Parsing C++ command-line arguments",
    Microsoft C++ documentation) [D].
    """
    args: list[str] = []
    current: list[str] = []
    in_quotes = False
    started = False
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and backslash_quotes:
            end = index
            while end < len(text) and text[end] == "\\":
                end += 1
            count = end - index
            quoted = end < len(text) and text[end] == '"'
            current.append("\\" * (count // 2 if quoted else count))
            if quoted and count % 2:
                current.append('"')
                end += 1
            started = True
            index = end
            continue
        if char == '"':
            in_quotes = not in_quotes
            started = True
        elif char in " \t" and not in_quotes:
            if started:
                args.append("".join(current))
                current, started = [], False
        else:
            current.append(char)
            started = True
        index += 1
    if started:
        args.append("".join(current))
    return args


# Stand-ins (private-use characters) for ^< and ^>, and back.
_ESCAPED = {"<": "\ue000", ">": "\ue001"}
_UNESCAPE = str.maketrans({value: key for key, value in _ESCAPED.items()})


def _split_chain(line: str) -> list[tuple[str, str]]:
    """Split a line into (operator-before, segment) pairs on unquoted &, &&, ||, |."""
    parts: list[tuple[str, str]] = []
    operator = ""
    current: list[str] = []
    in_quotes = False
    index = 0
    while index < len(line):
        char = line[index]
        if char == '"':
            in_quotes = not in_quotes
        if char == "^" and not in_quotes and index + 1 < len(line):
            # An escaped < or > is text, not a redirection (windowsserverdocs echo.md: a caret before
            # the pipe or redirection character): a stand-in until the redirections are taken.
            current.append(_ESCAPED.get(line[index + 1], line[index + 1]))
            index += 2
            continue
        if not in_quotes and char in "&|":
            # `2>&1` is a redirection, not a separator.
            if char == "&" and "".join(current).endswith(">"):
                current.append(char)
                index += 1
                continue
            double = line[index : index + 2] in ("&&", "||")
            parts.append((operator, "".join(current)))
            operator = line[index : index + 2] if double else char
            current = []
            index += 2 if double else 1
            continue
        current.append(char)
        index += 1
    parts.append((operator, "".join(current)))
    return parts


# A handle digit counts only when it stands alone before '>' (`2>nul`), not at the end of a word.
_REDIRECT = re.compile(r'((?<=\s)[12]|^[12])?(>>?)(&[12]|\s*"[^"]*"|\s*[^\s&|<>"]+)')


def _take_redirections(segment: str) -> tuple[str, list[tuple[str, str, str]]]:
    redirections: list[tuple[str, str, str]] = []

    def keep(match: re.Match[str]) -> str:
        redirections.append((match.group(1) or "1", match.group(2), match.group(3).strip().strip('"')))
        return ""

    # Quoted text is left alone: only match outside quotes.
    pieces = re.split(r'("[^"]*")', segment)
    cleaned = "".join(piece if piece.startswith('"') else _REDIRECT.sub(keep, piece) for piece in pieces)
    # Trailing spaces stay: cmd hands them to the program (`echo a > f` writes "a ").
    return cleaned.lstrip(), redirections


_INPUT = re.compile(r'<\s*("[^"]*"|[^\s&|<>"]+)')


def _take_input(segment: str) -> tuple[str, str | None]:
    """cmd's input redirection (`<nul`, `< file`) outside quotes: the segment without it, and its source."""
    found: list[str] = []

    def keep(match: re.Match[str]) -> str:
        found.append(match.group(1).strip('"'))
        return ""

    pieces = re.split(r'("[^"]*")', segment)
    cleaned = "".join(piece if piece.startswith('"') else _INPUT.sub(keep, piece) for piece in pieces)
    return (cleaned, found[-1]) if found else (segment, None)


class Host:
    """State of one emulated host, loaded from and saved to its JSON state file."""

    def __init__(
        self,
        name: str,
        profile: str,
        state_file: Path | None = None,
        address: str | None = None,
        service_start_delay: float = defaults.SERVICE_START_DELAY,
        computer_name: str | None = None,
        dhcp_server: str | None = None,
    ) -> None:
        self.name = name
        self.state_file = state_file
        # Seconds a started service stays START_PENDING before it runs (winlab.model.services).
        self.service_start_delay = service_start_delay
        # Fault injection: services whose start fails, with the WIN32_EXIT_CODE they stop with.
        self.start_failures: dict[str, int] = {}
        # Set by the lab: finds another emulated host by computer name, address or inventory name.
        self.resolver: Callable[[str], Host | None] | None = None
        # Set by the lab: where the FTP port 21 of the host a name or address means listens (the
        # `ftp` command connects there), or None when no emulated host has that name.
        self.ftp_locator: Callable[[str], tuple[str, int] | None] | None = None
        # Set by the lab: checks an account's password (for `net use ... password /user:...`).
        self.accounts: Callable[[str, str], bool] | None = None
        self.session = RunSession()
        self.lock = threading.RLock()
        loaded = None
        if state_file is not None and state_file.exists():
            loaded = json.loads(state_file.read_text(encoding="utf-8"))
        if loaded is not None and loaded.get("profile") == str(profile).lower():
            self.state = loaded
        else:
            self.state = defaults.initial_state(
                name, get_profile(profile), address, computer_name=computer_name, dhcp_server=dhcp_server
            )
        self.profile = get_profile(self.state["profile"])
        # A state file written before the all-users folders were modelled gets them: a host has them
        # from its installation.
        known = {folder.lower() for folder in self.state["fs"]["dirs"]}
        self.state["fs"]["dirs"] += [d for d in defaults.common_dirs(self.profile) if d.lower() not in known]
        self._saved = json.dumps(self.state, sort_keys=True)
        if state_file is not None and loaded is None:
            self._write(self._saved)

    def now(self) -> datetime:
        """The host's clock, its local time: real time in Vietnam's zone (UTC+07:00 all year, no
        daylight saving time), where the customs hosts are, whatever the lab machine's zone; or the
        time the lab pinned (tests compare dated output)."""
        pinned = self.state.get("clock")
        if pinned:
            return datetime.fromisoformat(pinned)
        return datetime.now(HOST_ZONE).replace(tzinfo=None, microsecond=0)

    def timestamp(self) -> float:
        return self.now().timestamp()

    @property
    def computer_name(self) -> str:
        return self.state["computer_name"]

    def env(self, user: str = "") -> dict[str, str]:
        root = self.profile.system_root
        return {
            "SYSTEMROOT": root,
            "WINDIR": root,
            "SYSTEMDRIVE": "C:",
            "COMPUTERNAME": self.computer_name,
            "USERNAME": user.rpartition("\\")[2] or "Administrator",
            "PROGRAMFILES": "C:\\Program Files",
            "TEMP": defaults.profile_dir(self.profile, user) + "\\Local Settings\\Temp"
            if not self.profile.nt6
            else defaults.profile_dir(self.profile, user) + "\\AppData\\Local\\Temp",
            "OS": "Windows_NT",
            **defaults.common_environment(self.profile),
        }

    def run(self, command_line: str, user: str = "", delegated: bool = False) -> Result:
        """Run one command line as cmd.exe /c would, then persist any state change."""
        if len(command_line) > MAX_COMMAND_LINE:
            # cmd.exe's limit since XP; wording general knowledge [U].
            return Result(stderr=lines("The command line is too long."), exit_code=1)
        with self.lock:
            self.session = RunSession(user, delegated)
            result = self._run_line(command_line, user)
            self.save()
            return result

    def save(self) -> None:
        text = json.dumps(self.state, sort_keys=True)
        if text != self._saved:
            self._saved = text
            self._write(text)

    def _write(self, text: str) -> None:
        if self.state_file is None:
            return
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self.state_file)

    def snapshot(self) -> dict:
        from winlab.model import services  # cycle: services registers commands on this module

        with self.lock:
            # What a verify step reads is the state now: starts whose time has come have settled.
            services.settle(self)
            self.save()
            return copy.deepcopy(self.state)

    def expand(self, text: str, user: str, errorlevel: int) -> str:
        environment = self.env(user)

        def replace(match: re.Match[str]) -> str:
            key = match.group(1).upper()
            if key == "ERRORLEVEL":
                return str(errorlevel)
            return environment.get(key, match.group(0))

        return re.sub(r"%([A-Za-z_][A-Za-z0-9_]*)%", replace, text)

    def _run_line(self, line: str, user: str) -> Result:
        line = self.expand(line, user, 0)
        total = Result()
        last = Result()
        pipe_input = ""
        for operator, segment in _split_chain(line):
            if operator == "&&" and last.exit_code != 0:
                continue
            if operator == "||" and last.exit_code == 0:
                continue
            stdin = pipe_input if operator == "|" else ""
            if operator == "|":
                # The left side's stdout went into this command, not to the console.
                total.stdout = total.stdout[: len(total.stdout) - len(pipe_input)]
            last = self._run_segment(segment, user, stdin)
            total.stdout += last.stdout
            total.stderr += last.stderr
            total.duration += last.duration
            pipe_input = last.stdout
        total.exit_code = last.exit_code
        return total

    def _run_segment(self, segment: str, user: str, stdin: str) -> Result:
        from winlab.model import files  # cycle: files registers commands on this module

        text, redirections = _take_redirections(segment.lstrip())
        text, source = _take_input(text)
        if source is not None:
            # `<nul` gives the program an empty stdin; `<file` the file's text, or cmd's error.
            if source.lower() == "nul":
                stdin = ""
            else:
                data = files.read_bytes(self, files.normalize(self, user, source))
                if data is None:
                    return Result(stderr=lines("The system cannot find the file specified."), exit_code=1)
                stdin = data.decode("cp437", errors="replace")
        text = text.translate(_UNESCAPE)
        if not text.strip():
            return Result()
        result = self.run_program(text, user, stdin)

        for stream, mode, target in redirections:
            if target in ("&1", "&2"):
                if stream == "2" and target == "&1":
                    result.stdout, result.stderr = result.stdout + result.stderr, ""
                continue
            data = result.stdout if stream == "1" else result.stderr
            if stream == "1":
                result.stdout = ""
            else:
                result.stderr = ""
            if target.lower() == "nul":
                continue
            error = files.write_text(self, user, target, data, append=mode == ">>")
            if error:
                return Result(stderr=error, exit_code=1)
        return result

    def run_program(self, text: str, user: str, stdin: str = "", wait: bool = False) -> Result:
        """Run one program. cmd does not wait for a GUI program (`GUI_PROGRAMS`) unless `start /wait`
        runs it (`wait`): its effects happen, but cmd goes on at once with exit code 0."""
        match = re.match(r'\s*("[^"]*"|[^\s"]+)(.*)$', text, re.S)
        if match is None:
            return Result()
        program = match.group(1).strip('"')
        rest = match.group(2)
        # `echo.` and `cd\` style: cmd splits a built-in name from a following punctuation mark.
        builtin = re.match(r"(?i)(echo)([.:;/].*)$", program)
        if builtin:
            program, rest = builtin.group(1), builtin.group(2) + rest
        name = program.replace("/", "\\").rpartition("\\")[2].lower()
        if name.endswith((".exe", ".com")):
            name = name[:-4]
        handler = COMMANDS.get(name)
        if handler is None:
            return not_recognized(program)
        context = Context(host=self, stdin=stdin, user=user)
        result = handler(context, split_args(rest), rest)
        if name in GUI_PROGRAMS and not wait:
            return Result()
        return result


def slash_options(argv: list[str]) -> tuple[dict[str, str], list[str]]:
    """`/key value` and `/flag` options, as schtasks, reg and iisftp.vbs take them."""
    options: dict[str, str] = {}
    order: list[str] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg.startswith("/"):
            key = arg[1:].lower()
            value = ""
            if index + 1 < len(argv) and not argv[index + 1].startswith("/"):
                value = argv[index + 1]
                index += 1
            options[key] = value
            order.append(key)
        index += 1
    return options, order


@command("cmd")
def _cmd(ctx: Context, argv: list[str], raw: str) -> Result:
    match = re.match(r"\s*/[cCkK]\s+(.*)$", raw, re.S)
    if not match:
        return Result()
    inner = match.group(1).strip()
    if inner.startswith('"') and inner.endswith('"') and inner.count('"') == 2:
        inner = inner[1:-1]
    return ctx.host._run_line(inner, ctx.user)


@command("start")
def _start(ctx: Context, argv: list[str], raw: str) -> Result:
    """`start "" /wait prog args`: the first quoted argument is a window title. With /wait, start
    "Starts an application and waits for it to end" and its exit code is the program's (windowsserverdocs
    start.md) [D]; without it start returns at once, exit code 0 [U: the code], the program's
    output going to its own window."""
    rest = raw.strip()
    if rest.startswith('"'):
        rest = rest[rest.index('"', 1) + 1 :].strip()
    wait = False
    while True:
        option = re.match(r"(?i)/(wait|w|b|min|max)\b\s*", rest)
        if not option:
            break
        wait = wait or option.group(1).lower() == "wait"
        rest = rest[option.end() :]
    result = ctx.host.run_program(rest, ctx.user, ctx.stdin, wait=wait)
    return result if wait else Result()


@command("echo")
def _echo(ctx: Context, argv: list[str], raw: str) -> Result:
    if raw[:1] in ".:;/" and raw[1:].strip() == "":
        return Result(stdout=CRLF)
    text = raw[1:] if raw[:1] in " .:;/" else raw
    if not text.strip():
        return Result(stdout=lines("ECHO is on."))
    return Result(stdout=lines(text))


@command("hostname")
def _hostname(ctx: Context, argv: list[str], raw: str) -> Result:
    return Result(stdout=lines(ctx.host.computer_name))


@command("ver")
def _ver(ctx: Context, argv: list[str], raw: str) -> Result:
    # A blank line, the banner, then CRLF (as `ver` prints in a console) [U: banner text per profile].
    return Result(stdout=lines("", ctx.profile.ver_banner))


@command("exit")
def _exit(ctx: Context, argv: list[str], raw: str) -> Result:
    codes = [arg for arg in argv if arg.lower() != "/b"]
    try:
        return Result(exit_code=int(codes[0]) if codes else 0)
    except ValueError:
        return Result(exit_code=0)
