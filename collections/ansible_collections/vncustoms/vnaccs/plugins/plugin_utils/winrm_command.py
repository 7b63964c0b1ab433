"""The toolkit's one WinRM command layer: plain cmd.exe commands on Windows hosts through pywinrm.

Every Windows role runs its commands through `WindowsSession`; no role opens its own pywinrm session.
Ansible's `winrm` connection cannot be used: it wraps every command, even `raw`, in PowerShell,
which Server 2003 does not have (see the project's Windows reference, section 9.3).

A session opens **one** WinRM shell per host and runs several commands in it (pywinrm's
`Session.run_cmd` opens and closes a shell per command: five HTTP round trips each), so that a task
costs a handful of round trips.

    settings = ConnectionSettings.from_host_vars("branch-dhcp", task_vars)
    with WindowsSession(settings) as session:
        family = session.windows_family()           # "2003", "2008", "xp" or "7", asked once
        result = session.run("netsh dhcp server dump")
        session.write_text_file(r"C:\\WINDOWS\\Temp\\plan.txt", ["dhcp server ...", ...])

Errors are typed (all subclasses of `WinRMCommandLayerError`):
* `WinRMAuthenticationError`: the host refused the credentials (HTTP 401). Raised at once and never
  retried: five failed logons lock a customs account (Decision 833, Article 18). With an
  `AccountGuard` (the action plugins always pass one), the failure is recorded, and later logons
  with that account and password, to any host, are not attempted: `WinRMAccountHeldError`. A
  password that logged on to the account before and is now refused means a locked account:
  `locked` is set and the message says so (account_guard.py).
* `WinRMUnreachableError`: no WinRM listener answered (refused, timed out, DNS); names the host.
* `WinRMCommandError`: the shell could not run a command (a WS-Management fault or transport error),
  or, with `check=True`, the command reported a failure.
* `WinRMCommandTimeoutError` (a `WinRMCommandError`): a command did not finish within its deadline.
  The host counts as not answering: the session sends it nothing more (each further command fails
  at once, naming the one that hung) until `reconnect()`.
* `WinRMSettingsError`: the host's connection variables are missing or wrong.
* `WinRMFamilyChangedError`: the host no longer runs the Windows family remembered for it from an
  earlier run (`FamilyMemory`); the command that found it out is the session's first (a probe, which
  changes nothing), and the action runs its work again with the family read afresh.

Passwords never appear in messages, results or `repr()`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.account_guard import (
    AccountGuard,
    AccountHeldError,
    account_name,
    clear_command,
    default_state_dir,
    write_private_json,
)

DEFAULT_PORTS = {"http": 5985, "https": 5986}
# pywinrm opens its shells in OEM code page 437 (reference 10.4); output is decoded the same way.
SHELL_CODEPAGE = 437
OUTPUT_ENCODING = "cp437"
# cmd.exe refuses command lines longer than 8191 characters; stay well under it.
CMD_LINE_LIMIT = 8191
# The Windows families the toolkit knows (windows_version in the inventory).
FAMILIES = ("xp", "2003", "2008", "7")
# The line between `ver`'s output and a command's own, where a command carries `ver` in front of it.
VER_MARK = "==vnaccs:ver=="
CMD_LINE_BUDGET = 7800
ENV_USER = "VNACCS_WINRM_USER"
ENV_PASSWORD = "VNACCS_WINRM_PASSWORD"
TRANSPORTS = ("ntlm", "basic", "plaintext", "ssl", "kerberos", "credssp", "certificate")


class WinRMCommandLayerError(Exception):
    """Base class of every error this layer raises."""

    def __init__(self, message: str, host: str = "") -> None:
        super().__init__(message)
        self.host = host


class WinRMSettingsError(WinRMCommandLayerError):
    """The host's connection variables are missing or invalid."""


class WinRMAuthenticationError(WinRMCommandLayerError):
    """The host refused the credentials. Never retried (Article 18: five failures lock the account)."""

    def __init__(self, message: str, host: str = "", locked: bool = False) -> None:
        super().__init__(message, host)
        # Refused although the password had logged on to the account: the account is locked.
        self.locked = locked


class WinRMAccountHeldError(WinRMAuthenticationError):
    """Not attempted: the account failed to log on with this password recently (account_guard)."""


class WinRMUnreachableError(WinRMCommandLayerError):
    """No WinRM listener answered at the host's address and port."""


class WinRMCommandError(WinRMCommandLayerError):
    """A command could not be run, or (with check=True) reported a failure."""

    def __init__(self, message: str, host: str = "", result: CommandResult | None = None) -> None:
        super().__init__(message, host)
        self.result = result


class WinRMCommandTimeoutError(WinRMCommandError):
    """A command did not finish within its deadline: the host stopped answering it."""


class WinRMFamilyChangedError(WinRMCommandLayerError):
    """`ver` contradicts the family remembered for the host (`FamilyMemory`): the session's first
    command ran in the remembered family's form. The memory is forgotten; run the work again."""


class FamilyMemory:
    """The Windows family each host was found to run, remembered on the controller between runs.

    Where the inventory gives no `windows_version`, finding the family costs `ver` and, on NT 6,
    `systeminfo` (which cannot tell 2008 from 7 otherwise; slow on a real host): two or three round
    trips over the branch's link before the probe. Remembered, the next run's session takes the family
    from here and its first command carries `ver` in front of it, as with the inventory's
    `windows_version`: one round trip. A host whose `ver` says otherwise (re-installed, upgraded) is
    not an error as a contradicted inventory is: the memory is forgotten and the work is done again
    with the family read afresh (`WinRMFamilyChangedError`). `ver` cannot tell a 2008 from a 7 (both
    NT 6): that part is trusted from the earlier run's `systeminfo`.

    A record holds for the host's name at its WinRM endpoint (the URL): the lab's hosts, named as the
    real ones but reached on loopback, never stand for them. One JSON file per host under
    `<state dir>/windows-families/` (account_guard.default_state_dir: $VNACCS_STATE_DIR, else the
    user's state folder), written as the account guard writes its records
    (account_guard.write_private_json); an unreadable one is ignored. Delete the folder to
    forget every host.
    """

    FOLDER = "windows-families"

    def __init__(self, state_dir: Path | None = None) -> None:
        self.folder = (state_dir or default_state_dir()) / self.FOLDER

    def _path(self, host: str) -> Path:
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,100}", host):
            return self.folder / f"{host}.json"
        return self.folder / f"{hashlib.sha256(host.encode()).hexdigest()}.json"

    def recall(self, host: str, endpoint: str) -> str | None:
        try:
            data = json.loads(self._path(host).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or (data.get("host"), data.get("endpoint")) != (host, endpoint):
            return None
        family = data.get("family")
        return family if family in FAMILIES else None

    def remember(self, host: str, endpoint: str, family: str, version: str) -> None:
        record = {
            "host": host,
            "endpoint": endpoint,
            "family": family,
            "ver": version,
            "seen": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        with contextlib.suppress(OSError):
            write_private_json(self._path(host), record)

    def forget(self, host: str) -> None:
        with contextlib.suppress(OSError):
            self._path(host).unlink()


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on", "validate")


@dataclass(frozen=True)
class ConnectionSettings:
    """How to reach one host. Built from the host's Ansible variables; the password stays out of repr."""

    name: str
    address: str
    user: str
    password: str = field(repr=False)
    port: int = 5985
    transport: str = "ntlm"
    scheme: str = "http"
    validate_certs: bool = True
    # CA bundle for HTTPS listeners with the site's own certificates; None: the system's (certifi).
    ca_trust_path: str | None = None
    operation_timeout: int = 20
    read_timeout: int = 30
    # How long one command may run before the host counts as not answering (a command may ask
    # for longer: an installer).
    command_timeout: int = 300

    @property
    def endpoint(self) -> str:
        return f"{self.scheme}://{self.address}:{self.port}/wsman"

    @classmethod
    def from_host_vars(
        cls, name: str, host_vars: Mapping[str, Any], environ: Mapping[str, str] | None = None
    ) -> ConnectionSettings:
        """Settings from `ansible_host`, `ansible_port`, `ansible_user`, `ansible_password`,
        `ansible_winrm_transport`, `ansible_winrm_scheme`, `ansible_winrm_server_cert_validation` and
        `ansible_winrm_ca_trust_path`.

        The user and password fall back to VNACCS_WINRM_USER / VNACCS_WINRM_PASSWORD, so that they
        can come from Ansible Vault (as variables) or from the environment of a CI job.
        """
        environ = os.environ if environ is None else environ
        address = str(host_vars.get("ansible_host") or name)
        scheme = str(host_vars.get("ansible_winrm_scheme") or "").lower()
        port_value = host_vars.get("ansible_port")
        if not scheme:
            scheme = "https" if str(port_value) == "5986" else "http"
        if scheme not in DEFAULT_PORTS:
            raise WinRMSettingsError(
                f"{name}: ansible_winrm_scheme must be http or https, not {scheme!r}", name
            )
        try:
            port = int(port_value) if port_value not in (None, "") else DEFAULT_PORTS[scheme]
        except (TypeError, ValueError):
            raise WinRMSettingsError(
                f"{name}: ansible_port must be a number, not {port_value!r}", name
            ) from None
        transport = str(host_vars.get("ansible_winrm_transport") or "ntlm").lower()
        if isinstance(host_vars.get("ansible_winrm_transport"), list | tuple):
            transport = str(host_vars["ansible_winrm_transport"][0]).lower()
        if transport not in TRANSPORTS:
            raise WinRMSettingsError(
                f"{name}: ansible_winrm_transport {transport!r} is not one of {', '.join(TRANSPORTS)}", name
            )
        user = host_vars.get("ansible_user") or environ.get(ENV_USER, "")
        password = host_vars.get("ansible_password")
        if password in (None, ""):
            password = environ.get(ENV_PASSWORD, "")
        if not user or not password:
            raise WinRMSettingsError(
                f"{name}: no WinRM credentials: set ansible_user and ansible_password (Ansible Vault) "
                f"or the environment variables {ENV_USER} and {ENV_PASSWORD}",
                name,
            )
        validation = host_vars.get("ansible_winrm_server_cert_validation", "validate")
        return cls(
            name=name,
            address=address,
            user=str(user),
            password=str(password),
            port=port,
            transport=transport,
            scheme=scheme,
            validate_certs=_as_bool(validation),
            ca_trust_path=str(host_vars["ansible_winrm_ca_trust_path"])
            if host_vars.get("ansible_winrm_ca_trust_path")
            else None,
            operation_timeout=int(host_vars.get("ansible_winrm_operation_timeout_sec") or 20),
            read_timeout=int(host_vars.get("ansible_winrm_read_timeout_sec") or 30),
            command_timeout=int(host_vars.get("vnaccs_winrm_command_timeout_sec") or 300),
        )


@dataclass(frozen=True)
class CommandResult:
    """One command's outcome, decoded from code page 437."""

    command: str
    stdout: str
    stderr: str
    exit_code: int

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _default_protocol_factory(settings: ConnectionSettings):
    from winrm.protocol import Protocol

    return Protocol(
        endpoint=settings.endpoint,
        transport=settings.transport,
        username=settings.user,
        password=settings.password,
        server_cert_validation="validate" if settings.validate_certs else "ignore",
        # Explicit, so that pywinrm does not fall back to REQUESTS_CA_BUNDLE from the environment.
        ca_trust_path=settings.ca_trust_path,
        operation_timeout_sec=settings.operation_timeout,
        read_timeout_sec=settings.read_timeout,
    )


def _is_auth_error(error: BaseException) -> bool:
    from winrm.exceptions import AuthenticationError, WinRMTransportError

    if isinstance(error, AuthenticationError):
        return True
    return isinstance(error, WinRMTransportError) and getattr(error, "code", None) == 401


def _is_unreachable(error: BaseException) -> bool:
    try:
        import requests
    except ImportError:  # pragma: no cover - requests comes with pywinrm
        return isinstance(error, OSError)
    return isinstance(error, requests.exceptions.ConnectionError | requests.exceptions.Timeout | OSError)


class WindowsSession:
    """One WinRM shell on one host, for the length of a task. Use it as a context manager."""

    def __init__(
        self,
        settings: ConnectionSettings,
        protocol_factory: Callable[[ConnectionSettings], Any] | None = None,
        windows_version: str | None = None,
        guard: AccountGuard | None = None,
        memory: FamilyMemory | None = None,
    ) -> None:
        self.settings = settings
        self._guard_accounts = guard
        # Where the inventory gives no version: the family found on an earlier run (FamilyMemory),
        # recalled once per session at most.
        self._memory = memory
        self._recalled = False
        # `ver`'s output, carried by a command that found the remembered family wrong: not asked again.
        self._seen_ver: CommandResult | None = None
        self._factory = protocol_factory or _default_protocol_factory
        self._protocol: Any = None
        self._shell_id: str | None = None
        # The inventory's windows_version: checked against `ver`, and it settles NT 6 server/workstation.
        self._hint = str(windows_version).lower() if windows_version else None
        self._family: str | None = None
        # The family was taken from the inventory and `ver` has not confirmed it yet: the next command
        # carries `ver` in front of it (one round trip for both), and a contradiction fails that
        # command before its output is used.
        self._unconfirmed = False
        # Why `ver` refused the inventory's family: nothing more is sent in this session.
        self._refused: str | None = None
        self.history: list[CommandResult] = []
        # The command that missed its deadline: the host is not answering, nothing more is sent.
        self.stalled: str | None = None

    @property
    def host(self) -> str:
        return self.settings.name

    # -- life cycle -------------------------------------------------------------------------------------
    def open(self) -> WindowsSession:
        if self._shell_id is not None:
            return self
        if self._guard_accounts is None:
            self._logon()
            return self
        settings = self.settings
        account = account_name(settings.user, f"{settings.address}:{settings.port}")
        try:
            with self._guard_accounts.logon(account, settings.name, settings.password) as done:
                try:
                    self._logon()
                except WinRMAuthenticationError:
                    worked = self._guard_accounts.last_success(account, settings.password)
                    done(False, locked=worked is not None)
                    if worked is None:
                        raise
                    at = time.strftime("%Y-%m-%d %H:%M", time.localtime(worked.when))
                    raise WinRMAuthenticationError(
                        f"{settings.name}: the account '{account}' is locked: it refused its password, "
                        f"which had logged on at {at} (on {worked.host}), so the account has been locked "
                        "since (or disabled, or its password changed). Not retried, and no other host is "
                        "tried with it. Have the account unlocked, then clear the record: "
                        f"{clear_command(account)}",
                        settings.name,
                        locked=True,
                    ) from None
                done(True)
        except AccountHeldError as error:
            raise WinRMAccountHeldError(
                f"{settings.name}: {error}", settings.name, locked=error.failure.locked
            ) from None
        return self

    def reconnect(self) -> WindowsSession:
        """Close the shell and open a new one on a new connection (after a connection lost mid-command).

        The logon it makes goes through the account guard as any other does.
        """
        self.close()
        self._protocol = None
        self.stalled = None
        return self.open()

    def _logon(self) -> None:
        """Connect and open the shell: the logon (NTLM or Basic happens on the first request)."""
        self._protocol = self._guard(lambda: self._factory(self.settings), "connect")
        self._shell_id = self._guard(
            lambda: self._protocol.open_shell(codepage=SHELL_CODEPAGE), "open a shell"
        )

    def close(self) -> None:
        if self._shell_id is None or self._protocol is None:
            return
        shell_id, self._shell_id = self._shell_id, None
        with contextlib.suppress(Exception):
            self._protocol.close_shell(shell_id)

    def __enter__(self) -> WindowsSession:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _guard(self, call: Callable[[], Any], doing: str) -> Any:
        """Run one pywinrm call and turn its exceptions into this layer's typed errors."""
        host, where = self.settings.name, self.settings.endpoint
        try:
            return call()
        except WinRMCommandLayerError:
            raise
        except Exception as error:
            if _is_auth_error(error):
                raise WinRMAuthenticationError(
                    f"{host}: authentication failed for user '{self.settings.user}' at {where} "
                    f"({self.settings.transport}); not retried, since five failed logons lock the "
                    "account (Article 18). Check the password in the vault or the environment; if it "
                    "is right, the account is locked (Windows refuses both the same way).",
                    host,
                ) from None
            if type(error).__name__ == "SSLError":
                raise WinRMUnreachableError(
                    f"{host}: the TLS certificate at {where} is not trusted; name its CA in "
                    "ansible_winrm_ca_trust_path",
                    host,
                ) from None
            if _is_unreachable(error):
                raise WinRMUnreachableError(
                    f"{host}: WinRM is unreachable at {where}: could not {doing} ({type(error).__name__})",
                    host,
                ) from None
            raise WinRMCommandError(f"{host}: could not {doing} over WinRM: {error}", host) from None

    # -- commands ---------------------------------------------------------------------------------------
    def run(self, command: str, check: bool = False, timeout: float | None = None) -> CommandResult:
        """Run one cmd.exe command line in the session's shell.

        `timeout` (default: the host's command_timeout) bounds how long the command may run: past
        it, the command is abandoned and WinRMCommandTimeoutError names it (the host may have
        changed), and the session sends nothing more (see `stalled`).
        """
        if self.stalled is not None:
            raise WinRMCommandTimeoutError(
                f"{self.host}: `{command}` was not sent: the host stopped answering `{self.stalled}`",
                self.host,
            )
        if self._refused is not None:
            raise WinRMCommandError(f"{self.host}: `{command}` was not sent: {self._refused}", self.host)
        if len(command) > CMD_LINE_LIMIT:
            raise WinRMCommandError(
                f"{self.host}: a command line of {len(command)} characters is over cmd.exe's limit of "
                f"{CMD_LINE_LIMIT}",
                self.host,
            )
        sent = command
        if self._unconfirmed:
            sent = f"ver&echo {VER_MARK}&{command}"
            if len(sent) > CMD_LINE_LIMIT:
                self._unconfirmed = False
                self._check_family(self.run("ver"))
                sent = command
        self.open()
        protocol, shell_id = self._protocol, self._shell_id
        command_id = self._guard(lambda: protocol.run_command(shell_id, sent), "run a command")
        try:
            stdout, stderr, code = self._collect(
                protocol,
                shell_id,
                command_id,
                command,
                self.settings.command_timeout if timeout is None else timeout,
            )
        except WinRMUnreachableError as error:
            # The command was sent and may have run: say which one lost its reply.
            cause = str(error).removeprefix(f"{self.host}: ")
            raise WinRMUnreachableError(
                f"{self.host}: the reply to `{command}` was lost ({cause})", self.host
            ) from None
        finally:
            with contextlib.suppress(Exception):
                protocol.cleanup_command(shell_id, command_id)
        text = stdout.decode(OUTPUT_ENCODING, errors="replace")
        if sent != command:
            self._unconfirmed = False
            version, marked, text = text.partition(f"{VER_MARK}\r\n")
            self._check_family(
                CommandResult(command="ver", stdout=version if marked else "", stderr="", exit_code=0)
            )
        result = CommandResult(
            command=command,
            stdout=text,
            stderr=stderr.decode(OUTPUT_ENCODING, errors="replace"),
            exit_code=int(code),
        )
        self.history.append(result)
        if check and not result.ok:
            raise WinRMCommandError(
                f"{self.host}: `{command}` failed with exit code {result.exit_code}: "
                f"{last_line(result.output)}",
                self.host,
                result,
            )
        return result

    def _collect(self, protocol: Any, shell_id: str, command_id: str, command: str, timeout: float):
        """The command's output, receiving until it is done or its deadline passes.

        The deadline is checked between Receives, and a Receive waits at most the operation timeout
        (ansible_winrm_operation_timeout_sec): a command that hangs fails within that long after it.
        """
        from winrm.exceptions import WinRMOperationTimeoutError

        def receive():
            try:
                return protocol.get_command_output_raw(shell_id, command_id)
            except WinRMOperationTimeoutError:
                # The command still runs: each Receive waits at most the operation timeout.
                return None

        deadline = time.monotonic() + timeout
        stdout: list[bytes] = []
        stderr: list[bytes] = []
        while True:
            chunk = self._guard(receive, "read a command's output")
            if chunk is not None:
                out, err, code, done = chunk
                stdout.append(out)
                stderr.append(err)
                if done:
                    return b"".join(stdout), b"".join(stderr), code
            if time.monotonic() >= deadline:
                self.stalled = command
                raise WinRMCommandTimeoutError(
                    f"{self.host}: `{command}` did not finish within {timeout:g} s; the host stopped "
                    "answering it, and may have changed (the next run's probe shows what it did)",
                    self.host,
                )

    def run_many(self, commands: Iterable[str], check: bool = False) -> list[CommandResult]:
        return [self.run(command, check=check) for command in commands]

    # -- version ----------------------------------------------------------------------------------------
    @property
    def known_family(self) -> str | None:
        """The family windows_family() found, or None if nothing asked yet (no round trip)."""
        return self._family

    def windows_family(self) -> str:
        """ "2003", "2008", "xp" or "7", asked once per session with `ver`.

        `ver` tells NT 5.1 (XP) and 5.2 (2003) apart, but says 6.0/6.1 for both the servers and the
        workstations of NT 6: there the inventory's `windows_version` decides, or else systeminfo's
        OS Name (slow on a real host, so set windows_version where it is known). A windows_version that
        contradicts `ver` is an error, not a guess.

        Where the inventory sets windows_version, no round trip is made here: the family is the
        inventory's, and the session's next command (a plugin's probe, which changes nothing) carries
        `ver` in front of it. That command fails with the contradiction, before its output is read
        and before anything else is sent, if the host runs another version. Where it does not, a
        family remembered from an earlier run (`FamilyMemory`) is taken the same way, except that a
        contradiction raises WinRMFamilyChangedError (do the work again) and the family is read anew.
        """
        if self._family is not None:
            return self._family
        if self._hint in FAMILIES:
            self._family, self._unconfirmed = self._hint, True
            return self._family
        if not self._hint and self._memory is not None and not self._recalled:
            self._recalled = True
            remembered = self._memory.recall(self.host, self.settings.endpoint)
            if remembered is not None:
                self._family, self._unconfirmed = remembered, True
                return remembered
        result, self._seen_ver = self._seen_ver or self.run("ver"), None
        version = self._ver(result)
        family = version.family
        if version.major == 6:
            info = self.run("systeminfo")
            os_name = re.search(r"(?m)^OS Name:\s*(.+)$", info.stdout)
            family = "2008" if os_name and "Server" in os_name.group(1) else "7"
        self._contradicts(family, version.version, result)
        self._family = family
        if not self._hint and self._memory is not None:
            self._memory.remember(self.host, self.settings.endpoint, family, version.version)
        return family

    def _ver(self, result: CommandResult):
        from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_output import parse_ver

        version = parse_ver(result.stdout)
        if version is None:
            raise WinRMCommandError(
                f"{self.host}: cannot read the Windows version from `ver`", self.host, result
            )
        return version

    def _contradicts(self, family: str, version: str, result: CommandResult) -> None:
        if self._hint and self._hint != family:
            raise WinRMCommandError(
                f"{self.host}: the inventory says windows_version={self._hint}, but the host runs "
                f"{family} (ver: {version})",
                self.host,
                result,
            )

    def _check_family(self, result: CommandResult) -> None:
        """Check the family windows_family() took without asking against `ver`'s output in `result`:
        the inventory's (a contradiction refuses the session) or the remembered one (a contradiction
        forgets it: WinRMFamilyChangedError)."""
        if not self._recalled:
            self._confirm(result)
            return
        remembered = self._family
        from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_output import parse_ver

        version = parse_ver(result.stdout)
        if version is not None and _settled(version, remembered) == remembered:
            return
        if self._memory is not None:
            self._memory.forget(self.host)
        self._family = None
        self._seen_ver = result if version is not None else None
        found = f"ver: {version.version}" if version is not None else "`ver` unreadable"
        raise WinRMFamilyChangedError(
            f"{self.host}: the host no longer runs {remembered}, as it did on an earlier run ({found}); "
            "its version is read again",
            self.host,
        )

    def _confirm(self, result: CommandResult) -> None:
        """Check the inventory's family (taken by windows_family) against `ver`'s output in `result`."""
        try:
            version = self._ver(result)
            self._contradicts(_settled(version, self._hint), version.version, result)
        except WinRMCommandError as error:
            self._refused = str(error).removeprefix(f"{self.host}: ")
            raise

    # -- files ------------------------------------------------------------------------------------------
    def write_text_file(self, path: str, lines: Iterable[str]) -> list[str]:
        """Write `lines` to `path` on the host with cmd.exe's `echo` (no PowerShell, no file copy).

        Returns the command lines it ran. The file ends up in code page 437, CRLF line ends, as
        `netsh exec` and `sysocmgr` read them.
        """
        commands = echo_file_commands(path, lines)
        for command in commands:
            self.run(command, check=True)
        return commands


def _settled(version: Any, known: str | None) -> str:
    """The family `ver`'s `version` shows, where a family known otherwise (the inventory's, or the
    remembered one) settles what `ver` cannot: 2008 or 7, both NT 6."""
    return known if version.major == 6 and known in ("2008", "7") else version.family


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


_CMD_SPECIAL = set("^&|<>()%")


def cmd_escape(text: str) -> str:
    """Escape `text` for an unquoted cmd.exe `echo`: ^ before & | < > ( ) ^ and %.

    Characters inside double quotes are left alone, since cmd does not treat them specially there;
    but cmd expands %NAME% even inside quotes, so a % inside quotes is refused. So are characters
    that code page 437 cannot carry, and line breaks.
    """
    if "\r" in text or "\n" in text:
        raise ValueError("a line to echo must not contain a line break")
    try:
        text.encode(OUTPUT_ENCODING)
    except UnicodeEncodeError as error:
        raise ValueError(
            f"{text!r} has characters that code page 437 cannot carry "
            f"({error.object[error.start : error.end]!r})"
        ) from None
    out: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
            out.append(char)
        elif quoted and char == "%":
            raise ValueError(f"{text!r}: cmd.exe would expand a % inside quotes")
        elif not quoted and char in _CMD_SPECIAL:
            out.append("^" + char)
        else:
            out.append(char)
    return "".join(out)


def echo_file_commands(path: str, lines: Iterable[str], budget: int = CMD_LINE_BUDGET) -> list[str]:
    """Command lines that write `lines` to `path`, each under `budget` characters.

    The redirection comes first (`>>file echo text`), so a line ending in a digit (`set state 1`) is
    not taken for a handle number (`1>>file`). The first line truncates the file (`>`).
    """
    # %NAME% (e.g. %SystemRoot%) is fine: cmd expands it. Anything else special is refused.
    if re.search(r'[\s"&|<>^%()]', re.sub(r"%[A-Za-z_][A-Za-z0-9_]*%", "", path)):
        raise ValueError(f"{path!r}: use a path without spaces, quotes or cmd.exe special characters")
    commands: list[str] = []
    current = ""
    first = True
    for line in lines:
        text = cmd_escape(line)
        piece = f"{'>' if first else '>>'}{path} " + (f"echo {text}" if text.strip() else "echo.")
        first = False
        if len(piece) > budget:
            raise ValueError(f"one line is too long for a command line ({len(piece)} characters)")
        if current and len(current) + 1 + len(piece) > budget:
            commands.append(current)
            current = piece
        else:
            current = f"{current}&{piece}" if current else piece
    if first:
        current = f"type nul>{path}"
    if current:
        commands.append(current)
    return commands


def script_run_command(path: str, lines: Iterable[str], run: str) -> str:
    """One command line that writes `lines` to `path` (echo_file_commands), runs `run` (which reads
    it) and deletes it again: a read-only probe's script leaves nothing on the host."""
    return "&".join([*echo_file_commands(path, lines), run, f"del {path}"])
