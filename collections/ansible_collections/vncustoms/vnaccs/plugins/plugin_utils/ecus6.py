# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Ecus6 contingency: the shortcut, the switch-over notice and the daily checks.

Letter 497/CHQ-CNTT of the Customs Department (26 March 2025): when VNACCS/VCIS fails, the Ecus6
system is activated and receives the customs declarations in its place; the officers reach it at
an internal address (section 3.2: `http://10.224.128.226`), the branch administrators at
`http://10.224.128.226/gdc_ktx_iam_ui` (section 4.a); the message format and the connection
method are unchanged. The addresses are inventory data (`inventory/group_vars/all.yml`), never
written here.

* :class:`ShortcutPlan` (the `ecus6_shortcut` plugin): an Internet Shortcut to the officers'
  portal on the desktop every user sees, placed or removed. The desktop folder of each version is
  data (`ecus6_forms.yml`). The file is written with cmd.exe's `echo` into a temporary file (the
  desktop path has spaces, which an `echo` redirection does not take) and copied into place.
  **File name**: the WinRM shell runs in code page 437 (reference 10.4; `text.py`), which has no
  Vietnamese letter: a name with "dự phòng" would arrive with `?` in its place. The name is the
  title folded, `Ecus6 (du phong VNACCS).url`, and the file holds ASCII only.
* :class:`ModePlan` (the `ecus6_mode` plugin, the switch-over runbook): the logon notice (the
  Winlogon values `LegalNoticeCaption` / `LegalNoticeText`, which Windows shows in a dialog before
  logon: Microsoft, "Interactive logon: Message text for users attempting to log on", which applies
  to XP, 2003, 2008 and 7) that declarations go to Ecus6, and the toolkit's marker of the mode and
  the time of the switch (`HKLM\\SOFTWARE\\VNACCS\\Contingency`, values `Mode` and `Switched`).
  Returning to VNACCS clears the notice only when it is the toolkit's own (another notice, set by
  a policy, is left alone) and records the return.
* :func:`sections` / :func:`checks`: the daily check's part, hooked into the workstation plan of
  `health_checks.py`: `ecus6.reachable` (from the branch's probe workstation, a VBScript run with
  `cscript` asks the officers' portal over HTTP through MSXML2.ServerXMLHTTP, which XP and 7 both
  have; Windows 7 has no telnet client by default) and `ecus6.mode` (the marker).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import windows_engine as engine
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.text import ascii_fold, quoted_text_problem
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_output import (
    parse_http_probe,
    parse_internet_shortcut,
    probe_section,
    reg_value,
    split_sections,
)

LETTER = "497/CHQ-CNTT"
TITLE_VI = "Ecus6 (dự phòng VNACCS)"
# The shortcut's file name: the title folded to what code page 437 carries (module docstring).
SHORTCUT_NAME = ascii_fold(TITLE_VI) + ".url"
FORMS_FILE = Path(__file__).with_name("ecus6_forms.yml")
TEMP_SHORTCUT = r"%SystemRoot%\Temp\vnaccs-ecus6.url"
TEMP_SCRIPT = r"%SystemRoot%\Temp\vnaccs-ecus6.vbs"

WINLOGON = r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon"
MARKER_KEY = r"HKLM\SOFTWARE\VNACCS\Contingency"
MODES = ("ecus6", "vnaccs")
# Interactive logon message text: at most 512 characters without line breaks (Microsoft, same page).
NOTICE_MAX = 512
DEFAULT_CAPTION = "Ecus6 - du phong VNACCS/VCIS (Ecus6 - VNACCS/VCIS backup)"
DEFAULT_TEXT = (
    "He thong VNACCS/VCIS dang gap su co: to khai hai quan gui den he thong Ecus6 tai {url} "
    "(Cong van {letter}). VNACCS/VCIS is down: customs declarations go to the Ecus6 system at {url} "
    "(letter {letter})."
)

# What the probe script waits for (milliseconds: resolve, connect, send, receive).
TIMEOUTS_MS = (5000, 5000, 10000, 10000)
_URL = re.compile(r"^https?://[A-Za-z0-9.\-]+(:\d{1,5})?(/[A-Za-z0-9._~/\-]*)?$")
_SWITCHED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?([+-]\d\d:\d\d|Z)?$")


def url_problem(value: object) -> str | None:
    """Why `value` cannot be the portal address the toolkit writes into a file, a registry value and
    a script line; None if it can (http or https, a host, an optional port and plain path)."""
    if not isinstance(value, str) or not _URL.match(value):
        return (
            "must be an http:// or https:// address of letters, digits, dots, hyphens, an optional port "
            "and a plain path (no spaces, quotes, %, & or query)"
        )
    return None


def checked_url(value: object, field: str) -> str:
    problem = url_problem(value)
    if problem:
        raise engine.PlanError(f"{field}: {value!r} {problem}")
    return str(value)


def desktop_folder(family: str) -> str:
    """The all-users desktop of a Windows version, from `ecus6_forms.yml`."""
    forms = yaml.safe_load(FORMS_FILE.read_text(encoding="utf-8"))
    if family not in forms:
        raise engine.PlanError(f"no all-users desktop is known for Windows {family!r}")
    return str(forms[family]["desktop"])


# -- the shortcut -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ShortcutWanted:
    state: str
    url: str = ""
    name: str = SHORTCUT_NAME

    def lines(self) -> tuple[str, ...]:
        # The Internet Shortcut form Windows writes: an [InternetShortcut] section with URL= [U: no
        # Microsoft page specifies the format; the minimal form is what every reader takes].
        return ("[InternetShortcut]", f"URL={self.url}")


def shortcut_wanted(args: dict[str, Any]) -> ShortcutWanted:
    state = args.get("state") or "present"
    if state not in ("present", "absent"):
        raise engine.PlanError(f"state: {state!r} must be present or absent")
    name = str(args.get("name") or SHORTCUT_NAME)
    if not name.isascii() or not re.fullmatch(r"[A-Za-z0-9 ()._-]+\.url", name):
        raise engine.PlanError(
            f"name: {name!r} must end in .url and hold only ASCII letters, digits, spaces and ( ) . _ - "
            "(the WinRM shell's code page 437 has no Vietnamese letters)"
        )
    url = checked_url(args.get("url"), "url") if state == "present" else ""
    return ShortcutWanted(state, url, name)


class ShortcutPlan(engine.WindowsPlan):
    """The shortcut on the all-users desktop: present with the wanted URL, or absent."""

    unchanged_msg = "the shortcut is as wanted"

    def __init__(self, wanted: ShortcutWanted, family: str) -> None:
        self.wanted = wanted
        self.family = family
        self.path = f"{desktop_folder(family)}\\{wanted.name}"

    def probe_command(self) -> str:
        return "&".join(probe_section("shortcut", f'type "{self.path}" 2>nul'))

    def parse_probe(self, stdout: str) -> dict[str, str] | None:
        return parse_internet_shortcut(split_sections(stdout).get("shortcut", ""))

    def steps(self, state: dict[str, str] | None) -> list[engine.Step]:
        if self.wanted.state == "absent":
            if state is None:
                return []
            return [engine.Step(f"remove the shortcut {self.path}", (engine.Command(f'del "{self.path}"'),))]
        if state is not None and state == {"url": self.wanted.url}:
            return []
        return [
            engine.Step(
                f"write the shortcut {self.path} to {self.wanted.url}",
                (engine.Command(f'copy /y {TEMP_SHORTCUT} "{self.path}"'),),
                file=engine.TextFile(TEMP_SHORTCUT, self.wanted.lines()),
            )
        ]

    def render(self, state: dict[str, str] | None) -> str:
        if state is None:
            return f"{self.path}: no shortcut\n"
        return f"{self.path}:\n[InternetShortcut]\n" + "".join(
            f"{key.upper()}={value}\n" for key, value in state.items()
        )

    def render_wanted(self) -> str:
        if self.wanted.state == "absent":
            return f"{self.path}: no shortcut\n"
        return f"{self.path}:\n" + "".join(f"{line}\n" for line in self.wanted.lines())

    def result(self, state: Any, steps: list[engine.Step]) -> dict[str, Any]:
        return {"path": self.path, "url": (state or {}).get("url", "")}

    def temporary_files(self) -> list[str]:
        return [TEMP_SHORTCUT]


# -- the switch-over --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModeWanted:
    mode: str
    switched: str
    caption: str
    text: str


def notice_problem(text: str) -> str | None:
    """Why `text` cannot be a logon notice the toolkit writes with `reg add /d "..."`; None if it can."""
    return quoted_text_problem(text, NOTICE_MAX, "a logon notice has")


def mode_wanted(args: dict[str, Any]) -> ModeWanted:
    mode = args.get("mode")
    if mode not in MODES:
        raise engine.PlanError(f"mode: {mode!r} must be ecus6 or vnaccs")
    switched = str(args.get("switched") or "")
    if not _SWITCHED.match(switched):
        raise engine.PlanError(f"switched: {switched!r} must be a time as YYYY-MM-DDTHH:MM[:SS][+HH:MM]")
    url = checked_url(args.get("url"), "url") if mode == "ecus6" else str(args.get("url") or "")
    caption = str(args.get("caption") or DEFAULT_CAPTION)
    text = str(args.get("text") or DEFAULT_TEXT).replace("{url}", url).replace("{letter}", LETTER)
    if args.get("fold_text", True):
        caption, text = ascii_fold(caption), ascii_fold(text)
    for field, value in (("caption", caption), ("text", text)):
        problem = notice_problem(value)
        if problem:
            raise engine.PlanError(f"{field}: {problem}")
    return ModeWanted(mode, switched, caption, text)


@dataclass(frozen=True)
class ModeState:
    caption: str = ""
    text: str = ""
    mode: str = ""
    switched: str = ""


def parse_mode_state(sections: dict[str, str]) -> ModeState:
    return ModeState(
        caption=reg_value(sections.get("caption", ""), "LegalNoticeCaption") or "",
        text=reg_value(sections.get("notice", ""), "LegalNoticeText") or "",
        mode=(reg_value(sections.get("marker", ""), "Mode") or "").lower(),
        switched=reg_value(sections.get("marker", ""), "Switched") or "",
    )


def mode_sections() -> list[tuple[str, str]]:
    return [
        ("caption", f'reg query "{WINLOGON}" /v LegalNoticeCaption 2>nul'),
        ("notice", f'reg query "{WINLOGON}" /v LegalNoticeText 2>nul'),
        ("marker", f'reg query "{MARKER_KEY}" 2>nul'),
    ]


def _reg_set(key: str, name: str, data: str) -> engine.Command:
    return engine.Command(f'reg add "{key}" /v {name} /t REG_SZ /d "{data}" /f')


class ModePlan(engine.WindowsPlan):
    """A workstation's side of the switch-over: the notice and the marker of the wanted mode."""

    unchanged_msg = "the workstation is already in this mode"

    def __init__(self, wanted: ModeWanted) -> None:
        self.wanted = wanted

    def probe_command(self) -> str:
        parts: list[str] = []
        for name, command in mode_sections():
            parts += probe_section(name, command)
        return "&".join(parts)

    def parse_probe(self, stdout: str) -> ModeState:
        return parse_mode_state(split_sections(stdout))

    def _ours(self, state: ModeState) -> bool:
        return bool(state.caption) and state.caption == self.wanted.caption

    def steps(self, state: ModeState) -> list[engine.Step]:
        want = self.wanted
        steps = []
        if want.mode == "ecus6":
            if state.caption != want.caption or state.text != want.text:
                steps.append(
                    engine.Step(
                        "show the logon notice that declarations go to Ecus6",
                        (
                            _reg_set(WINLOGON, "LegalNoticeCaption", want.caption),
                            _reg_set(WINLOGON, "LegalNoticeText", want.text),
                        ),
                    )
                )
        elif self._ours(state) or (state.mode == "ecus6" and state.caption == DEFAULT_CAPTION):
            steps.append(
                engine.Step(
                    "clear the Ecus6 logon notice",
                    (_reg_set(WINLOGON, "LegalNoticeCaption", ""), _reg_set(WINLOGON, "LegalNoticeText", "")),
                )
            )
        recorded = state.mode or "vnaccs"
        if recorded != want.mode or (steps and want.mode == "ecus6"):
            steps.append(
                engine.Step(
                    f"record the switch to {want.mode} at {want.switched}",
                    (
                        _reg_set(MARKER_KEY, "Mode", want.mode),
                        _reg_set(MARKER_KEY, "Switched", want.switched),
                    ),
                )
            )
        return steps

    def render(self, state: ModeState) -> str:
        return (
            f"mode: {state.mode or 'vnaccs (never switched)'}\n"
            + (f"switched: {state.switched}\n" if state.switched else "")
            + f"LegalNoticeCaption: {state.caption}\nLegalNoticeText: {state.text}\n"
        )

    def render_wanted(self) -> str:
        want = self.wanted
        caption, text = (want.caption, want.text) if want.mode == "ecus6" else ("", "")
        return (
            f"mode: {want.mode}\nswitched: {want.switched}\n"
            f"LegalNoticeCaption: {caption}\nLegalNoticeText: {text}\n"
        )

    def result(self, state: ModeState, steps: list[engine.Step]) -> dict[str, Any]:
        return {
            "mode": self.wanted.mode if steps else (state.mode or "vnaccs"),
            "previous_mode": state.mode or "vnaccs",
            "switched": self.wanted.switched if steps else state.switched,
        }


# -- the daily check --------------------------------------------------------------------------------
@dataclass(frozen=True)
class DailyCheck:
    """What the daily check asks of a workstation: whether it is its branch's probe (then the
    officers' portal must answer from it), the branch's name, and the mode the fleet should be in
    (the last switch-over recorded on the controller; empty: none recorded)."""

    url: str = ""
    probe: bool = False
    branch: str = ""
    expected_mode: str = ""


def daily_check(spec: dict[str, Any] | None) -> DailyCheck | None:
    """The daily check's Ecus6 options (windows_health's `ecus6`), checked; None when not asked."""
    if not spec or not spec.get("enabled", True):
        return None
    probe = bool(spec.get("probe"))
    url = str(spec.get("url") or "")
    if probe and url:
        checked_url(url, "ecus6.url")
    expected = str(spec.get("expected_mode") or "")
    if expected and expected not in MODES:
        raise engine.PlanError(f"ecus6.expected_mode: {expected!r} must be ecus6, vnaccs or empty")
    return DailyCheck(url, probe, str(spec.get("branch") or ""), expected)


def probe_script(url: str) -> tuple[str, ...]:
    """The VBScript the probe workstation runs with `cscript //nologo`: a synchronous GET of `url`
    through MSXML2.ServerXMLHTTP (MSXML 3.0, on XP and 7 alike), printing `STATUS <code>` or, when
    the request fails, `ERROR <HRESULT in hex> <text>` and exiting 1. The timeouts are
    setTimeouts' four, in milliseconds (Microsoft, setTimeouts Method,
    https://learn.microsoft.com/en-us/previous-versions/windows/desktop/ms760403(v=vs.85)). The
    lines hold no `<` or `>`: `echo` writes them with cmd's escapes, and `If Err.Number Then` is
    true for any error."""
    return (
        "On Error Resume Next",
        'Set h = CreateObject("MSXML2.ServerXMLHTTP")',
        "h.setTimeouts " + ", ".join(str(value) for value in TIMEOUTS_MS),
        f'h.open "GET", "{url}", False',
        "h.send",
        'If Err.Number Then WScript.Echo "ERROR " & Hex(Err.Number) & " " & Err.Description : WScript.Quit 1',
        'WScript.Echo "STATUS " & h.status',
    )


def sections(check: DailyCheck | None) -> list[tuple[str, str]]:
    """The probe sections of the daily check: the marker, and on a probe workstation the script,
    written, run and deleted in the same round trip (nothing stays on the host)."""
    if check is None:
        return []
    found = [("ecus6_mode", f'reg query "{MARKER_KEY}" 2>nul')]
    if check.probe and check.url:
        from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import script_run_command

        run = f"cscript //nologo {TEMP_SCRIPT}"
        found.append(("ecus6_http", script_run_command(TEMP_SCRIPT, probe_script(check.url), run)))
    return found


def checks(check: DailyCheck | None, state: dict[str, str], check_class: Any) -> list[Any]:
    """`ecus6.mode` and, on a probe workstation, `ecus6.reachable` (as `check_class`, the daily
    check's Check)."""
    if check is None:
        return []
    mode = (reg_value(state.get("ecus6_mode", ""), "Mode") or "vnaccs").lower()
    switched = reg_value(state.get("ecus6_mode", ""), "Switched") or ""
    seen = f"{mode} since {switched}" if switched else mode
    if not check.expected_mode:
        none = "no switch-over recorded on the controller"
        found = [check_class("ecus6.mode", "pass", mode, seen, "", none)]
    else:
        status = "pass" if mode == check.expected_mode else "fail"
        found = [check_class("ecus6.mode", status, mode, seen, check.expected_mode)]
    if check.probe and not check.url:
        found.append(
            check_class(
                "ecus6.reachable",
                "not_checked",
                check.branch,
                detail="the inventory gives no ecus6_officer_url",
            )
        )
    elif check.probe:
        answer = parse_http_probe(state.get("ecus6_http", ""))
        expected = f"HTTP 2xx or 3xx from {check.url}"
        item = check.branch
        if answer.status is not None and 200 <= answer.status < 400:
            found.append(check_class("ecus6.reachable", "pass", item, f"HTTP {answer.status}", expected))
        elif answer.status is not None:
            found.append(
                check_class(
                    "ecus6.reachable",
                    "warn",
                    item,
                    f"HTTP {answer.status}",
                    expected,
                    "the portal answers with an error",
                )
            )
        else:
            observed = "the script did not run"
            if answer.ran:
                observed = f"error {answer.error_code}: {answer.error_text}"
            detail = f"{check.branch} cannot reach Ecus6 ({LETTER}); {answer.output[-200:]}".strip()
            found.append(check_class("ecus6.reachable", "fail", item, observed, expected, detail))
    return found
