"""`cscript //nologo FILE.vbs` for one script form: an HTTP GET through MSXML2.ServerXMLHTTP.

The toolkit's daily check asks a branch workstation whether a web portal answers (the Ecus6 officer
portal): a small VBScript that XP and 7 can both run, since both ship MSXML 3.0 and Windows Script
Host. Its statements, and what winlab does for each:

* ``Set h = CreateObject("MSXML2.ServerXMLHTTP")`` (or ``.3.0`` / ``.6.0``);
* ``h.setTimeouts RESOLVE, CONNECT, SEND, RECEIVE``: milliseconds, "applied at the Winsock layer"
  (Microsoft, setTimeouts Method,
  https://learn.microsoft.com/en-us/previous-versions/windows/desktop/ms760403(v=vs.85)); winlab
  applies CONNECT and RECEIVE to its socket, at most 30 s each;
* ``h.open "GET", "URL", False`` and ``h.send``: a synchronous GET of URL, made for real from the
  lab's process, but only to loopback (127.0.0.0/8) or the lab network (198.18.0.0/15): any other
  address is answered as an unreachable server, so that no test ever sends to a real host;
* ``On Error Resume Next`` and ``If Err.Number Then WScript.Echo "ERROR " & Hex(Err.Number) & " " &
  Err.Description : WScript.Quit 1``: a request that fails sets Err (a number other than 0 is
  true); winlab prints that line with the WinHTTP error the failure maps to (below) and exits 1;
* ``WScript.Echo "STATUS " & h.status``: the HTTP status of the answer (a 404 or 500 is a status,
  not an error: `status` is the server's code), exit 0.

The WinHTTP errors (Microsoft, "Error Messages (Winhttp.h)",
https://learn.microsoft.com/en-us/windows/win32/winhttp/error-messages): ERROR_WINHTTP_TIMEOUT
12002, ERROR_WINHTTP_NAME_NOT_RESOLVED 12007, ERROR_WINHTTP_CANNOT_CONNECT 12029, which reach the
script as the HRESULTs 0x80072EE2, 0x80072EE7 and 0x80072EFD (FACILITY_WIN32). [U] The
Err.Description texts are the system's messages for those codes as commonly quoted, not a capture,
and redirects are followed as urllib follows them.

Any other script fails as cscript fails for it here: a missing file with cscript's input error, a
file of another form with an error of winlab's own (exit 1), the stricter choice: winlab does not
interpret VBScript.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from winlab.model import files
from winlab.model.host import Context, Result, lines

LAB_NETWORKS = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("198.18.0.0/15"))
TIMEOUT = 0x80072EE2, "The operation timed out"
NAME_NOT_RESOLVED = 0x80072EE7, "The server name or address could not be resolved"
CANNOT_CONNECT = 0x80072EFD, "A connection with the server could not be established"
MAX_TIMEOUT_SECONDS = 30.0

_CREATE = re.compile(r'^set\s+(\w+)\s*=\s*createobject\("msxml2\.serverxmlhttp(?:\.[36]\.0)?"\)$', re.I)
_TIMEOUTS = re.compile(r"^(\w+)\.settimeouts\s+(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)$", re.I)
_OPEN = re.compile(r'^(\w+)\.open\s+"GET"\s*,\s*"([^"]+)"\s*,\s*false$', re.I)
_SEND = re.compile(r"^(\w+)\.send$", re.I)
_ON_ERROR = re.compile(r"^on\s+error\s+resume\s+next$", re.I)
_ERROR_ECHO = re.compile(
    r'^if\s+err\.number\s+then\s+wscript\.echo\s+"ERROR "\s*&\s*hex\(err\.number\)\s*&\s*" "\s*&\s*'
    r"err\.description\s*:\s*wscript\.quit\s+1$",
    re.I,
)
_STATUS_ECHO = re.compile(r'^wscript\.echo\s+"STATUS "\s*&\s*(\w+)\.status$', re.I)


def is_http_probe(text: str) -> bool:
    return parse_probe(text) is not None


def parse_probe(text: str) -> tuple[str, float, float] | None:
    """(URL, connect timeout, receive timeout in seconds) of a script of the modelled form, else None."""
    statements = [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    patterns = [_ON_ERROR, _CREATE, _TIMEOUTS, _OPEN, _SEND, _ERROR_ECHO, _STATUS_ECHO]
    if len(statements) != len(patterns):
        return None
    matches = [pattern.match(statement) for pattern, statement in zip(patterns, statements, strict=True)]
    if not all(matches):
        return None
    name = matches[1].group(1).lower()
    if any(match.group(1).lower() != name for match in (matches[2], matches[3], matches[4], matches[6])):
        return None
    connect = min(int(matches[2].group(3)) / 1000 or MAX_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS)
    receive = min(int(matches[2].group(5)) / 1000 or MAX_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS)
    return matches[3].group(2), connect, max(connect, receive)


def run_script(ctx: Context, script: str) -> Result:
    """cscript for a script that is not iisftp.vbs: the HTTP probe form, or a failure."""
    data = files.read_bytes(ctx.host, script)
    if data is None:
        # [U] wording of cscript's missing-script error (as for iisftp.vbs).
        return Result(stdout=lines(f'Input Error: Can not find script file "{script}".'), exit_code=1)
    probe = parse_probe(data.decode("cp437", errors="replace"))
    if probe is None:
        return Result(
            stderr=lines(f"winlab: {script}: only the ServerXMLHTTP GET script form is modelled"), exit_code=1
        )
    url, _connect, receive = probe
    outcome = fetch(url, receive)
    if isinstance(outcome, int):
        return Result(stdout=lines(f"STATUS {outcome}"))
    code, text = outcome
    return Result(stdout=lines(f"ERROR {code:X} {text}"), exit_code=1)


def fetch(url: str, timeout: float) -> int | tuple[int, str]:
    """The HTTP status of a GET of `url`, or the WinHTTP error (HRESULT, text) of a failure."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return CANNOT_CONNECT
    try:
        address = ipaddress.ip_address(parts.hostname)
    except ValueError:
        # Names are not resolved from the lab (no DNS of the customs network here).
        return NAME_NOT_RESOLVED
    if not any(address in network for network in LAB_NETWORKS):
        # Never sent: the lab talks only to loopback and the lab network.
        return CANNOT_CONNECT
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except TimeoutError:
        return TIMEOUT
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            return TIMEOUT
        return CANNOT_CONNECT
    except OSError:
        return CANNOT_CONNECT
