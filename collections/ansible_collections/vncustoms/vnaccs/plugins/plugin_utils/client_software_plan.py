# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The customs client on a workstation: its installed version, Terminal ID and base server.

Decision 833, Articles 9, 10 and 15: every workstation runs the client version head office
released, fetched from its own regional base server, and carries its own Terminal ID and the
base server's address. One probe reads all of it (the registry Uninstall key of every known
release's ProductCode, and the client's settings key); the plan:

1. removes a newer version first, only when a rollback is asked for (`msiexec /x`);
2. fetches the installer from the base server with the built-in `ftp -s:` client (XP and 7 both
   have it), logging on with the account the inventory names (anonymous by default: the base
   server's layout is readable by Everyone). Not over a UNC path: a command run in a WinRM
   session cannot pass its NTLM logon on to a second server (the "double hop", `Access is
   denied`). ftp.exe's exit code says nothing about the transfer, so its transcript is judged:
   `226` and the manifest's byte count;
3. installs it silently: `start "" /wait msiexec /i ... /qn /norestart /l*v <log>` (reference 8.1:
   cmd does not wait for a GUI program otherwise). Exit codes (reference 8.1): 0 success; 3010 and
   1641 success that asks for a restart (recorded for the daily restart, never done here); 1618
   another installation in progress: run again after growing pauses, a bounded number of times;
   anything else fails with the code's name and the log's last lines;
4. writes the Terminal ID and the base server's address into the client's settings.

Where the real client keeps its Terminal ID and base server address is not in the source
documents: the registry key and value names are arguments, with defaults marked as an assumption
to confirm on a real workstation [U].
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import change_window
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_release import Release, version_key
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import (
    INSTALL_TIMEOUT,
    Command,
    PlanError,
    Step,
    TextFile,
    WindowsPlan,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_output import (
    ftp_replies,
    parse_reg_query,
    probe_head,
    probe_section,
    reg_value,
    split_sections,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import CommandResult

UNINSTALL_KEYS = (
    r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall",
    # A 32-bit product on 64-bit Windows 7 (reference 8.2).
    r"HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Uninstall",
)
# [U] Where the client keeps its settings: to confirm on a real workstation (role variables).
DEFAULT_CONFIG_KEY = r"HKLM\SOFTWARE\TCHQ\VNACCS Client"
DEFAULT_TERMINAL_VALUE = "TerminalID"
DEFAULT_SERVER_VALUE = "BaseServer"
DEFAULT_DOWNLOAD_DIR = r"C:\VNACCS\ClientSetup"
# msiexec 1618 (another installation is in progress): pauses before each new attempt.
DEFAULT_BUSY_PAUSES = (30.0, 60.0, 120.0)

MSI_EXIT_CODES = {
    0: "ERROR_SUCCESS",
    1602: "ERROR_INSTALL_USEREXIT: the user cancelled the installation",
    1603: "ERROR_INSTALL_FAILURE: a fatal error occurred during installation",
    1605: "ERROR_UNKNOWN_PRODUCT: the product is not installed",
    1618: "ERROR_INSTALL_ALREADY_RUNNING: another installation is already in progress",
    1619: "ERROR_INSTALL_PACKAGE_OPEN_FAILED: the installation package could not be opened",
    1620: "ERROR_INSTALL_PACKAGE_INVALID: the installation package is not a valid package",
    1638: "ERROR_PRODUCT_VERSION: another version of this product is already installed",
    1639: "ERROR_INVALID_COMMAND_LINE: invalid command line argument",
    1641: "ERROR_SUCCESS_REBOOT_INITIATED: the installer started a restart",
    3010: "ERROR_SUCCESS_REBOOT_REQUIRED: a restart is required to complete the installation",
}
RESTART_CODES = (3010, 1641)
_PATH = re.compile(r"^[A-Za-z]:\\[A-Za-z0-9_.\\-]*$")
_FTP_PATH = re.compile(r"^/[A-Za-z0-9_./-]*$")
_ADDRESS = re.compile(r"^[A-Za-z0-9.-]+$")
_ID = re.compile(r"^[A-Za-z0-9]{1,16}$")


def msi_code_text(code: int) -> str:
    """`1603 (ERROR_INSTALL_FAILURE: ...)`, or the code and "not a Windows Installer code"."""
    name = MSI_EXIT_CODES.get(code)
    return f"{code} ({name})" if name else f"{code} (not a code Windows Installer documents)"


@dataclass(frozen=True)
class ClientWanted:
    """The client as the workstation must have it (checked before the host is contacted)."""

    release: Release
    known: tuple[Release, ...]
    base_server: str
    ftp_path: str
    fetch_user: str = "anonymous"
    fetch_password: str = ""
    ftp_port: int = 21
    terminal_id: str = ""
    configure: bool = True
    config_key: str = DEFAULT_CONFIG_KEY
    terminal_value: str = DEFAULT_TERMINAL_VALUE
    server_value: str = DEFAULT_SERVER_VALUE
    rollback: bool = False
    download_dir: str = DEFAULT_DOWNLOAD_DIR
    busy_pauses: tuple[float, ...] = DEFAULT_BUSY_PAUSES
    install_timeout: float = INSTALL_TIMEOUT
    # The change window: a real run that has something to change refuses inside the quiet periods.
    force: bool = False
    check_mode: bool = False
    at: Any = None
    # Held around the fetch: one of the region's fetch slots (region_slots.py), so that no more
    # than K workstations of a region fetch from its base server at once.
    fetch_hold: Callable[[], AbstractContextManager] | None = None

    @property
    def local_installer(self) -> str:
        return f"{self.download_dir}\\{self.release.file}"

    @property
    def script_path(self) -> str:
        # Written before the step's commands run (download_dir may not exist yet); cmd expands
        # %SystemRoot% on the ftp command line.
        return r"%SystemRoot%\Temp\vnaccs-fetch.txt"

    def log_path(self, verb: str, version: str) -> str:
        return f"{self.download_dir}\\{verb}-{version}.log"


def check_wanted(wanted: ClientWanted) -> ClientWanted:
    """Refuse what cmd.exe or ftp.exe could not carry, naming the argument."""
    for name in ("download_dir",):
        if not _PATH.match(getattr(wanted, name)):
            raise PlanError(f"{name}: {getattr(wanted, name)!r} must be a local path without spaces")
    if not _FTP_PATH.match(wanted.ftp_path) or ".." in wanted.ftp_path:
        raise PlanError(f"ftp_path: {wanted.ftp_path!r} must be an FTP path (/ClientUpgrades/4.3/x.msi)")
    if not wanted.base_server or not _ADDRESS.match(wanted.base_server):
        raise PlanError(f"base_server: {wanted.base_server!r} is not an address or host name")
    if wanted.configure and not _ID.match(wanted.terminal_id or ""):
        raise PlanError(
            f"terminal_id: {wanted.terminal_id!r} is not a Terminal ID (set terminal_id for the workstation "
            "in inventory/site_overrides.yml)"
        )
    for name in ("fetch_user", "fetch_password"):
        if re.search(r"\s", getattr(wanted, name)):
            raise PlanError(f"{name}: must not contain blanks (ftp.exe's `user` line takes words)")
    if not wanted.busy_pauses or any(pause < 0 for pause in wanted.busy_pauses):
        raise PlanError(f"busy_pauses: {list(wanted.busy_pauses)!r} must list pauses of 0 seconds or more")
    return wanted


@dataclass
class ClientState:
    """What the probe read."""

    computer: str = ""
    # product code -> DisplayVersion of every known release installed
    installed: dict[str, str] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    download_dir: bool = False

    def versions(self) -> list[str]:
        return sorted(set(self.installed.values()), key=version_key)


def ftp_transcript_problem(result: CommandResult, size: int) -> str | None:
    """Why ftp.exe's transcript says the installer did not arrive whole, or None.

    ftp.exe exits 0 whatever happened, so its replies are read: the transfer's `226` and its
    `N bytes received` line with the manifest's size.
    """
    text = result.stdout
    replies = ftp_replies(text)
    failures = [f"{code} {reply}" for code, reply in replies if code[0] in "45"]
    received = [int(count) for count in re.findall(r"(\d+) bytes received", text)]
    if failures:
        return f"the base server answered {failures[0]!r}"
    if not any(code == "226" for code, _ in replies) or not received:
        last = [line.strip() for line in text.splitlines() if line.strip()]
        return f"no transfer was completed ({last[-1] if last else 'ftp printed nothing'})"
    if received[-1] != size:
        return f"{received[-1]} bytes arrived, the manifest says {size}"
    return None


def msi_judge(result: CommandResult) -> str | None:
    if result.exit_code == 0 or result.exit_code in RESTART_CODES:
        return None
    return f"msiexec exit code {msi_code_text(result.exit_code)}"


class ClientSoftwarePlan(WindowsPlan):
    """One workstation's client: installed version, Terminal ID, base server address."""

    unchanged_msg = "the client version and settings are as wanted"

    def __init__(self, wanted: ClientWanted, family: str) -> None:
        self.wanted = wanted
        self.family = family
        self._codes = {release.product_code: release for release in wanted.known}
        self._codes.setdefault(wanted.release.product_code, wanted.release)
        self._window_passed = False
        self._before: tuple[list[str], dict[str, str]] | None = None

    # -- the probe --------------------------------------------------------------------------------
    def _sections(self) -> list[tuple[str, str]]:
        sections = []
        for index, code in enumerate(sorted(self._codes)):
            for view, key in enumerate(UNINSTALL_KEYS):
                sections.append((f"p{index}v{view}", f'reg query "{key}\\{code}" /v DisplayVersion 2>nul'))
        if self.wanted.configure:
            sections.append(("settings", f'reg query "{self.wanted.config_key}" 2>nul'))
        sections.append(("downloads", f"dir {self.wanted.download_dir} 2>nul"))
        return sections

    def probe_command(self) -> str:
        parts = ["hostname"]
        for name, command in self._sections():
            parts += probe_section(name, command)
        return "&".join(parts)

    def parse_probe(self, stdout: str) -> ClientState:
        sections = split_sections(stdout)
        state = ClientState(computer=probe_head(sections))
        for index, code in enumerate(sorted(self._codes)):
            for view in range(len(UNINSTALL_KEYS)):
                version = reg_value(sections.get(f"p{index}v{view}", ""), "DisplayVersion")
                if version:
                    state.installed[code] = version
        state.download_dir = "Directory of" in sections.get("downloads", "")
        if self.wanted.configure:
            for value in parse_reg_query(sections.get("settings", "")).values():
                state.settings = {entry.name: entry.data for entry in value.values()}
        return state

    # -- the plan ---------------------------------------------------------------------------------
    def _target_installed(self, state: ClientState) -> bool:
        return state.installed.get(self.wanted.release.product_code) == self.wanted.release.version

    def _newer(self, state: ClientState) -> list[str]:
        target = self.wanted.release.key
        return [code for code, version in state.installed.items() if version_key(version) > target]

    def steps(self, state: ClientState) -> list[Step]:
        wanted = self.wanted
        steps: list[Step] = []
        if not self._target_installed(state):
            newer = self._newer(state)
            if newer and not wanted.rollback:
                version = state.installed[newer[0]]
                steps.append(
                    Step(
                        f"leave version {version} in place: it is newer than {wanted.release.version} "
                        "(a rollback is asked with client_software_rollback: true)"
                    )
                )
            else:
                for code in sorted(newer):
                    steps.append(self._remove(code, state.installed[code]))
                steps += [self._fetch(state), self._install()]
        steps += self._settings(state)
        if any(not step.is_note for step in steps):
            self._guard_window()
        return steps

    def _guard_window(self) -> None:
        """Articles 20 and 22: no install inside the quiet periods unless forced (a real run);
        judged once, when the run first plans a change."""
        if self.wanted.force or self.wanted.check_mode or self._window_passed:
            return
        conflicts = change_window.conflicts_at(change_window.now(self.wanted.at))
        if conflicts:
            raise PlanError(
                f"refused: it is now {change_window.now(self.wanted.at):%a %H:%M} "
                f"({change_window.TIME_ZONE}), inside {change_window.describe(conflicts)}; nothing was "
                "changed (client_software_force_window: true overrides)"
            )
        self._window_passed = True

    def _remove(self, code: str, version: str) -> Step:
        log = self.wanted.log_path("remove", version)
        command = Command(
            f'start "" /wait msiexec /x {code} /qn /norestart /l*v {log}',
            ok_exit=(0, 1605),
            restart_exit=RESTART_CODES,
            judge=lambda result: None if result.exit_code == 1605 else msi_judge(result),
            busy_exit=(1618,),
            busy_pauses=self.wanted.busy_pauses,
            diagnose=f"type {log}",
            timeout=self.wanted.install_timeout,
        )
        return Step(f"remove version {version} (rollback)", (command,), reprobe=True)

    def _fetch(self, state: ClientState) -> Step:
        wanted = self.wanted
        port = f" {wanted.ftp_port}" if wanted.ftp_port != 21 else ""
        password = wanted.fetch_password or ("vnaccs@" if wanted.fetch_user.lower() == "anonymous" else "")
        script = (
            f"open {wanted.base_server}{port}",
            f"user {wanted.fetch_user} {password}".rstrip(),
            "binary",
            f"get {wanted.ftp_path} {wanted.local_installer}",
            "bye",
        )
        size = wanted.release.size
        fetch = Command(
            f"ftp -n -i -s:{wanted.script_path}",
            judge=lambda result: ftp_transcript_problem(result, size),
            timeout=wanted.install_timeout,
        )
        return Step(
            f"fetch {wanted.release.file} ({size} bytes) from the base server {wanted.base_server} by FTP",
            (*(() if state.download_dir else (Command(f"mkdir {wanted.download_dir}"),)), fetch),
            hold=wanted.fetch_hold,
            file=TextFile(
                wanted.script_path,
                script,
                secret=bool(wanted.fetch_password),
                shown=(
                    f"(write {wanted.script_path}: open {wanted.base_server}{port}; user {wanted.fetch_user} "
                    f"{'********' if wanted.fetch_password else password}; binary; "
                    f"get {wanted.ftp_path}; bye)"
                ),
            ),
        )

    def _install(self) -> Step:
        wanted = self.wanted
        log = wanted.log_path("install", wanted.release.version)
        install = Command(
            f'start "" /wait msiexec /i {wanted.local_installer} /qn /norestart /l*v {log}',
            restart_exit=RESTART_CODES,
            judge=msi_judge,
            busy_exit=(1618,),
            busy_pauses=wanted.busy_pauses,
            diagnose=f"type {log}",
            timeout=wanted.install_timeout,
        )
        return Step(
            f"install version {wanted.release.version} ({wanted.release.file})",
            (install, Command(f"del {wanted.local_installer}")),
            reprobe=True,
            hint=f"the installer's log on the workstation: {log}",
        )

    def _settings(self, state: ClientState) -> list[Step]:
        wanted = self.wanted
        if not wanted.configure:
            return []
        steps = []
        have = {name.lower(): value for name, value in state.settings.items()}
        pairs = ((wanted.terminal_value, wanted.terminal_id), (wanted.server_value, wanted.base_server))
        for name, value in pairs:
            if have.get(name.lower()) != value:
                steps.append(
                    Step(
                        f"set {name} to {value}",
                        (Command(f'reg add "{wanted.config_key}" /v {name} /t REG_SZ /d {value} /f'),),
                    )
                )
        return steps

    # -- how it reads -----------------------------------------------------------------------------
    def render(self, state: ClientState) -> str:
        versions = ", ".join(state.versions()) or "none"
        lines = [f"installed version: {versions}"]
        if self.wanted.configure:
            have = {name.lower(): value for name, value in state.settings.items()}
            lines += [
                f"{self.wanted.terminal_value}: {have.get(self.wanted.terminal_value.lower(), '(not set)')}",
                f"{self.wanted.server_value}: {have.get(self.wanted.server_value.lower(), '(not set)')}",
            ]
        return "\n".join(lines) + "\n"

    def render_wanted(self) -> str:
        lines = [f"installed version: {self.wanted.release.version}"]
        if self.wanted.configure:
            lines += [
                f"{self.wanted.terminal_value}: {self.wanted.terminal_id}",
                f"{self.wanted.server_value}: {self.wanted.base_server}",
            ]
        return "\n".join(lines) + "\n"

    def result(self, state: ClientState, steps: list[Step]) -> dict[str, Any]:
        # What the run found (the engine asks again after an installer: the first answer stays).
        if self._before is None:
            self._before = (state.versions(), dict(state.settings))
        versions, settings = self._before
        have = {name.lower(): value for name, value in settings.items()}
        return {
            "installed_version": versions[-1] if versions else None,
            "installed_versions": versions,
            "wanted_version": self.wanted.release.version,
            "terminal_id": have.get(self.wanted.terminal_value.lower()),
            "newer_kept": any(step.is_note and step.what.startswith("leave version") for step in steps),
        }

    def temporary_files(self) -> list[str]:
        return [self.wanted.script_path]
