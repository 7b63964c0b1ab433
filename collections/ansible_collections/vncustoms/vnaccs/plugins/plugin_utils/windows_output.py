"""Parsers for the console output of the Windows commands the toolkit runs over WinRM.

Every Windows role reads host state through these functions and nothing else, so one place knows
the layouts of Windows Server 2003 and 2008 (see the project's reference of command outputs; section
numbers below point into it). Pure Python, standard library only: it runs on the controller.

Parsers take stdout decoded with the shell's code page (437 unless the session asked for 65001;
pywinrm returns bytes) as str with CRLF or LF line ends, and return typed results.
`classify_error` turns a failed command's text and exit code into an `ErrorKind`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import Enum

NETSH_OK = "Command completed successfully."


# Probes run several commands in one round trip (`echo ==vnaccs:NAME==&command&...`); the
# echoed markers split the combined output back into one section per command.
PROBE_MARK = "==vnaccs:{}=="
_PROBE_MARK_LINE = re.compile(r"^==vnaccs:(\w+)==\s*$")


def probe_section(name: str, command: str) -> list[str]:
    """The two commands that put `command`'s output under section `name` of a probe."""
    return [f"echo {PROBE_MARK.format(name)}", command]


def split_sections(stdout: str) -> dict[str, str]:
    """A probe's output by section; what came before the first marker is under "head"."""
    sections: dict[str, list[str]] = {"head": []}
    current = "head"
    for line in stdout.replace("\r\n", "\n").split("\n"):
        match = _PROBE_MARK_LINE.match(line.strip())
        if match:
            current = match.group(1)
            sections[current] = []
            continue
        sections[current].append(line)
    return {key: "\n".join(value) for key, value in sections.items()}


def probe_head(sections: dict[str, str]) -> str:
    """The computer name a probe prints first (`hostname`, before any section marker)."""
    head = [line.strip() for line in sections.get("head", "").split("\n") if line.strip()]
    return head[0] if head else ""


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def netsh_succeeded(text: str) -> bool:
    """netsh's exit code is unreliable; success is the closing line (reference 1.9).

    The last line counts, not any line: a `netsh exec` batch prints one success line per command
    that worked and stops at the first that fails.
    """
    filled = [line.strip() for line in _lines(text) if line.strip()]
    return bool(filled) and filled[-1] == NETSH_OK


# -- netsh dhcp ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DhcpScope:
    address: str
    mask: str
    state: str  # "Active" or "Disabled"
    name: str
    comment: str
    switched: bool = False

    @property
    def active(self) -> bool:
        return self.state == "Active"


# The rows of netsh's DHCP tables start with two dotted addresses joined by a dash: scope and
# mask (show scope), lease and mask (show clients), start and end (show iprange, show excluderange).
_ADDRESS = r"(\d+\.\d+\.\d+\.\d+)"
_TWO_ADDRESSES = rf"^\s*{_ADDRESS}\s*-\s*{_ADDRESS}\s*"
_SCOPE_ROW = re.compile(_TWO_ADDRESSES + r"-\s*(Active|Disabled)(\(Switched\))?\s*-")


def parse_show_scope(text: str) -> list[DhcpScope]:
    """`netsh dhcp server show scope` (reference 1.3): fixed columns, name cut at 21, comment at 14."""
    scopes = []
    for line in _lines(text):
        match = _SCOPE_ROW.match(line)
        if not match:
            continue
        rest = line[match.end() :]
        # The name column is 21 wide and may run straight into the next '-'.
        name, comment = rest[:21], rest[22:] if len(rest) > 21 else ""
        scopes.append(
            DhcpScope(
                address=match.group(1),
                mask=match.group(2),
                state=match.group(3),
                name=name.rstrip(),
                comment=comment.strip(),
                switched=bool(match.group(4)),
            )
        )
    return scopes


def scope_count(text: str) -> int | None:
    match = re.search(r"Total No\. of Scopes = (\d+)", text)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class IpRange:
    start: str
    end: str
    kind: str = "DHCP ONLY"


@dataclass(frozen=True)
class ExcludeRange:
    start: str
    end: str


_RANGE_ROW = re.compile(_TWO_ADDRESSES + r"(?:-\s*(\S.*?))?\s*$")


def parse_show_iprange(text: str) -> list[IpRange]:
    """`scope X show iprange` (reference 1.4)."""
    return [
        IpRange(m.group(1), m.group(2), m.group(3) or "") for m in map(_RANGE_ROW.match, _lines(text)) if m
    ]


def parse_show_excluderange(text: str) -> list[ExcludeRange]:
    """`scope X show excluderange` (reference 1.5; the layout there is unverified)."""
    return [ExcludeRange(m.group(1), m.group(2)) for m in map(_RANGE_ROW.match, _lines(text)) if m]


@dataclass(frozen=True)
class OptionValue:
    code: int
    type: str
    values: tuple[str, ...]
    vendor_class: str | None = None


def parse_show_optionvalue(text: str) -> list[OptionValue]:
    """`scope X show optionvalue` (reference 1.6): OptionId blocks, one Type/Value pair per element."""
    options: list[OptionValue] = []
    vendor: str | None = None
    code: int | None = None
    kind = ""
    values: list[str] = []

    def close() -> None:
        if code is not None:
            options.append(OptionValue(code, kind, tuple(values), vendor))

    for raw in _lines(text):
        line = raw.strip()
        if line.startswith("For vendor class ["):
            close()
            code, values = None, []
            vendor = line[len("For vendor class [") :].rstrip("]:")
        elif line.startswith("OptionId :"):
            close()
            code, kind, values = int(line.split(":", 1)[1]), "", []
        elif line.startswith("Option Element Type ="):
            kind = line.split("=", 1)[1].strip()
        elif line.startswith("Option Element Value ="):
            values.append(line.split("=", 1)[1].strip())
    close()
    return options


@dataclass(frozen=True)
class DhcpLease:
    address: str
    mask: str
    unique_id: str
    expires: str
    type: str
    name: str

    @property
    def mac(self) -> str:
        return self.unique_id.strip("-").lower()


_LEASE_ROW = re.compile(_TWO_ADDRESSES + r"-\s*([0-9A-Fa-f-]+)\s*-\s*(.*?)\s*-([A-Z])-\s*(.*?)\s*$")


def parse_show_clients(text: str) -> list[DhcpLease]:
    """`scope X show clients [1]` (reference 1.7)."""
    leases = []
    for line in _lines(text):
        match = _LEASE_ROW.match(line)
        if match:
            leases.append(DhcpLease(*(group.strip() for group in match.groups())))
    return leases


@dataclass(frozen=True)
class AuthorizedServer:
    name: str
    address: str


def parse_show_server(text: str) -> list[AuthorizedServer]:
    """`netsh dhcp show server`: lines with `Server [name] Address [ip]` (reference 1.2)."""
    found = re.findall(r"Server \[([^\]]*)\]\s+Address \[([^\]]*)\]", text)
    return [AuthorizedServer(name, address) for name, address in found]


# The (user class, vendor class) an option value is set for; None stands for the default class.
ClassKey = tuple[str | None, str | None]


@dataclass
class DumpReservation:
    address: str
    unique_id: str
    name: str = ""
    comment: str = ""
    kind: str = ""  # DHCP, BOOTP or BOTH
    options: dict[int, OptionValue] = field(default_factory=dict)
    class_options: dict[ClassKey, dict[int, OptionValue]] = field(default_factory=dict)


@dataclass
class DumpScope:
    """One scope of a dump. `options` holds the values of the default user and vendor class only (what
    `scope X set optionvalue CODE TYPE value` sets); values set with `user=` or `vendor=` are in
    `class_options`, keyed by (user class, vendor class)."""

    address: str
    mask: str = ""
    name: str = ""
    comment: str = ""
    state: int = 0
    ranges: list[IpRange] = field(default_factory=list)
    exclusions: list[ExcludeRange] = field(default_factory=list)
    options: dict[int, OptionValue] = field(default_factory=dict)
    class_options: dict[ClassKey, dict[int, OptionValue]] = field(default_factory=dict)
    reservations: dict[str, DumpReservation] = field(default_factory=dict)
    delay_offer: int | None = None  # `set delayoffer N` (milliseconds)
    nap_state: str | None = None  # `set napstate Off` (2008 dumps)


@dataclass
class DhcpDump:
    server: str = ""
    scopes: dict[str, DumpScope] = field(default_factory=dict)
    # Server-level values (`Dhcp Server \\x set optionvalue ...`), split by class as in a scope.
    options: dict[int, OptionValue] = field(default_factory=dict)
    class_options: dict[ClassKey, dict[int, OptionValue]] = field(default_factory=dict)


# The server as `\\\\NAME` or `\\\\ADDRESS`, or an address without the backslashes (an undated dump,
# logicminds/msdhcpdump sampledump.txt).
_DUMP_LINE = re.compile(r"^Dhcp\s+Server\s+(?:\\\\)?(\S+)\s+(.*)$", re.IGNORECASE)
_RANGE_KINDS = {"DHCP": "DHCP ONLY", "BOOTP": "BOOTP ONLY", "BOTH": "DHCP BOOTP"}
# A `tag="value"` pair (user=, vendor=, comment=), a quoted word or a bare word.
_DUMP_WORD = re.compile(r'(\w+)="([^"]*)"|"([^"]*)"|(\S+)')
_BARE_TAG = re.compile(r"^(\w+)=(.*)$")


def _tagged_words(text: str) -> list[tuple[str | None, str]]:
    """Dump words as (tag, value), quotes removed: `user="Default BOOTP Class"` is
    ("user", "Default BOOTP Class"); `"1800"` is (None, "1800"). Only an unquoted `tag=` is a tag, so a
    quoted STRING value such as `"user=x"` stays a value."""
    words: list[tuple[str | None, str]] = []
    for tag, tagged, quoted, bare in _DUMP_WORD.findall(text):
        if tag:
            words.append((tag.lower(), tagged))
        elif bare and (match := _BARE_TAG.match(bare)):
            words.append((match.group(1).lower(), match.group(2)))
        else:
            words.append((None, quoted or bare))
    return words


def _set_option(
    options: dict[int, OptionValue],
    class_options: dict[ClassKey, dict[int, OptionValue]],
    words: list[tuple[str | None, str]],
) -> None:
    """`set optionvalue CODE TYPE [user=U] [vendor=V] value...` into the default-class dict or the
    dict of its class: a value set for a user or vendor class never replaces the default value."""
    if len(words) < 2 or words[0][0] or not words[0][1].isdigit():
        return
    tags = {tag: value for tag, value in words[2:] if tag}
    values = tuple(value for tag, value in words[2:] if not tag)
    user, vendor = tags.get("user"), tags.get("vendor")
    code = int(words[0][1])
    option = OptionValue(code, words[1][1].upper(), values, vendor)
    if user is None and vendor is None:
        options[code] = option
    else:
        class_options.setdefault((user, vendor), {})[code] = option


def parse_dhcp_dump(text: str) -> DhcpDump:
    """`netsh dhcp server dump` (reference 1.8): replayable `Dhcp Server \\\\server ...` command lines.

    Each line is read on its own, so the order of the lines does not matter: the Server 2008 dump in
    tests/fixtures/windows/real sets each scope's state right after its `add scope` line and writes
    `set napstate` after its IP ranges; dumps of 2008 R2 and later servers group every `add scope`
    line first and set the state at the end of each scope's block, after `set delayoffer` (an API of
    2008 R2). The server may be named `\\\\NAME`, `\\\\ADDRESS` or a bare address. Comment lines, `v6`
    lines, class and option definitions and the other server settings are skipped; a scope's
    `delayoffer` and `napstate` are recorded, not acted on.
    """
    dump = DhcpDump()
    for raw in _lines(text):
        match = _DUMP_LINE.match(raw.strip())
        if not match:
            continue
        dump.server = match.group(1)
        tagged = _tagged_words(match.group(2))
        words = [f"{tag}={value}" if tag else value for tag, value in tagged]
        lowered = [word.lower() for word in words]
        if lowered[:2] == ["add", "scope"] and len(words) >= 5:
            scope = dump.scopes.setdefault(words[2], DumpScope(words[2]))
            scope.mask, scope.name = words[3], words[4]
            scope.comment = words[5] if len(words) > 5 else ""
            continue
        if lowered[:2] == ["set", "optionvalue"]:
            _set_option(dump.options, dump.class_options, tagged[2:])
            continue
        if lowered[:1] != ["scope"] or len(words) < 3:
            continue
        scope = dump.scopes.setdefault(words[1], DumpScope(words[1]))
        verb = lowered[2:4]
        args = words[4:]
        if verb == ["set", "state"] and args and args[0].isdigit():
            scope.state = int(args[0])
        elif verb == ["add", "iprange"] and len(args) >= 2:
            kind = _RANGE_KINDS.get(args[2].upper(), args[2]) if len(args) > 2 else "DHCP ONLY"
            scope.ranges.append(IpRange(args[0], args[1], kind))
        elif verb == ["add", "excluderange"] and len(args) >= 2:
            scope.exclusions.append(ExcludeRange(args[0], args[1]))
        elif verb == ["set", "optionvalue"]:
            _set_option(scope.options, scope.class_options, tagged[4:])
        elif verb == ["add", "reservedip"] and len(args) >= 2:
            more = [*args[2:5], "", "", ""]
            scope.reservations[args[0]] = DumpReservation(args[0], args[1].lower(), *more[:3])
        elif verb == ["set", "reservedoptionvalue"] and len(args) >= 3:
            reservation = scope.reservations.setdefault(args[0], DumpReservation(args[0], ""))
            _set_option(reservation.options, reservation.class_options, tagged[5:])
        elif verb == ["set", "delayoffer"] and args and args[0].isdigit():
            scope.delay_offer = int(args[0])
        elif verb == ["set", "napstate"] and args:
            scope.nap_state = args[0]
    return dump


# -- sc --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ServiceStatus:
    name: str
    state_code: int
    state: str
    type_code: int
    win32_exit_code: int

    @property
    def running(self) -> bool:
        return self.state == "RUNNING"


def _records(pairs: Iterable[tuple[str, str]], first: str) -> list[dict[str, str]]:
    """Group (label, value) pairs into one dict per record, each record starting at label FIRST.

    For the outputs that list records as blocks of labelled lines (sc query, netsh advfirewall
    show rule); pairs before the first record are dropped.
    """
    records: list[dict[str, str]] = []
    for label, value in pairs:
        if label == first:
            records.append({})
        if records:
            records[-1][label] = value
    return records


def _sc_query_pairs(text: str) -> Iterator[tuple[str, str]]:
    for line in _lines(text):
        if line.startswith("SERVICE_NAME:"):
            yield "name", line.split(":", 1)[1].strip()
        elif match := re.match(r"^\s*STATE\s*:\s*(\d+)\s+(\w+)", line):
            yield "state_code", match.group(1)
            yield "state", match.group(2)
        elif match := re.match(r"^\s*TYPE\s*:\s*([0-9a-fA-F]+)\s", line):
            yield "type", match.group(1)
        elif match := re.match(r"^\s*WIN32_EXIT_CODE\s*:\s*(\d+)", line):
            yield "exit", match.group(1)


def parse_sc_query(text: str) -> list[ServiceStatus]:
    """`sc query [name]` (reference 3.2), both the NT 5 and NT 6 spacing."""
    return [
        ServiceStatus(
            name=record["name"],
            state_code=int(record.get("state_code", "0")),
            state=record.get("state", ""),
            type_code=int(record.get("type", "0"), 16),
            win32_exit_code=int(record.get("exit", "0")),
        )
        for record in _records(_sc_query_pairs(text), "name")
    ]


@dataclass(frozen=True)
class ServiceConfig:
    name: str
    start_type_code: int
    start_type: str  # AUTO_START, DEMAND_START, DISABLED, ...
    delayed: bool
    binary_path: str
    display_name: str
    start_name: str

    @property
    def start_mode(self) -> str:
        """The word `sc config ... start=` takes for this start type."""
        words = {0: "boot", 1: "system", 2: "auto", 3: "demand", 4: "disabled"}
        return "delayed-auto" if self.delayed else words.get(self.start_type_code, "")


def parse_sc_qc(text: str) -> ServiceConfig | None:
    """`sc qc name` (reference 3.3). None when the output holds no configuration."""
    fields: dict[str, str] = {}
    for line in _lines(text):
        match = re.match(r"^\s*([A-Z_]+)\s*:\s?(.*)$", line)
        if match:
            fields[match.group(1)] = match.group(2).rstrip()
    if "SERVICE_NAME" not in fields or "START_TYPE" not in fields:
        return None
    start = re.match(r"(\d+)\s+(\w+)(\s+\(DELAYED\))?", fields["START_TYPE"])
    if start is None:
        return None
    return ServiceConfig(
        name=fields["SERVICE_NAME"],
        start_type_code=int(start.group(1)),
        start_type=start.group(2),
        delayed=bool(start.group(3)),
        binary_path=fields.get("BINARY_PATH_NAME", ""),
        display_name=fields.get("DISPLAY_NAME", ""),
        start_name=fields.get("SERVICE_START_NAME", ""),
    )


# -- net share -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Share:
    name: str
    resource: str
    remark: str

    @property
    def special(self) -> bool:
        return self.name.endswith("$")


def _share_columns(rest: str) -> tuple[str, str, bool]:
    """Resource and remark of a share row, from column 13 on, and whether the remark is on the next line.

    The resource column is 32 wide. A longer resource runs past it: in the 2008 capture of
    tests/fixtures/windows/real the remark follows it after one space on the same line. When nothing
    follows, the remark is taken from the next line, indented to column 45, and a blank next line is an
    empty remark, the way winlab prints a long resource [U].
    """
    if len(rest) <= 32 or rest[31] == " ":
        return rest[:32].strip(), rest[32:].strip(), False
    cut = rest.find(" ", 32)
    if cut < 0 or not rest[cut:].strip():
        return rest.strip(), "", True
    return rest[:cut].strip(), rest[cut:].strip(), False


def parse_net_share(text: str) -> list[Share]:
    """`net share` (reference 4.1): name column 13 wide, resource 32; long values wrap to the next line.

    A name longer than 12 characters stands alone on its line and the row goes on on the next one; a
    resource longer than the column pushes the remark on (see `_share_columns`).
    """
    shares: list[Share] = []
    lines = _lines(text)
    try:
        start = next(i for i, line in enumerate(lines) if line.startswith("-" * 20)) + 1
    except StopIteration:
        return shares
    pending: str | None = None
    remark_follows = False
    for line in lines[start:]:
        if line.startswith("The command completed"):
            break
        if remark_follows:
            remark_follows = False
            if not line[:45].strip():  # the remark line of a row whose resource ran long
                if line.strip():
                    last = shares[-1]
                    shares[-1] = Share(last.name, last.resource, line.strip())
                continue
        if not line.strip():
            continue
        if pending is None and line[12:13].strip():
            pending = line.strip()  # the name fills the column: it stands alone on its line
            continue
        name, pending = (pending, None) if pending is not None else (line[:13].strip(), None)
        if not name:
            continue
        resource, remark, remark_follows = _share_columns(line[13:])
        shares.append(Share(name, resource, remark))
    return shares


@dataclass(frozen=True)
class ShareDetails:
    """`net share NAME`: one share's settings. `permissions` is empty on 2003, which prints none."""

    name: str
    path: str
    remark: str
    max_users: int | None
    permissions: tuple[tuple[str, str], ...] = ()


def parse_net_share_details(text: str) -> ShareDetails | None:
    """`net share NAME` (reference 4.2; the 18-column label layout and the NT 6 `Permission` lines,
    one `PRINCIPAL, READ|CHANGE|FULL` per line, are [U]). None when the output holds no share."""
    fields: dict[str, str] = {}
    permissions: list[tuple[str, str]] = []
    in_permissions = False
    for line in _lines(text):
        if not line.strip() or line.startswith("The command completed"):
            in_permissions = False
            continue
        label, value = line[:18].strip(), line[18:].strip()
        if label == "Permission" or (in_permissions and not label):
            in_permissions = True
            principal, _, right = value.rpartition(",")
            if principal:
                permissions.append((principal.strip(), right.strip().upper()))
            continue
        in_permissions = False
        if label:
            fields[label] = value
    if "Share name" not in fields or "Path" not in fields:
        return None
    users = fields.get("Maximum users", "")
    return ShareDetails(
        name=fields["Share name"],
        path=fields["Path"],
        remark=fields.get("Remark", ""),
        max_users=int(users) if users.isdigit() else None,
        permissions=tuple(permissions),
    )


# -- icacls ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AccessEntry:
    principal: str
    inheritance: str  # e.g. "(OI)(CI)"
    rights: str  # F, M, RX, R, W, or a list such as "RX,W"


_ACE = re.compile(r"^(.+?):((?:\((?:OI|CI|IO|NP|I)\))*)\(([A-Z,]+)\)\s*$")


def parse_icacls(text: str, path: str) -> list[AccessEntry] | None:
    """`icacls PATH` (reference 4.3): the path, then one `PRINCIPAL:(OI)(CI)(RIGHTS)` per line, the
    first on the path's line (ACE layout [U]; summary line [V-fixture]). None when PATH was not found."""
    entries: list[AccessEntry] = []
    width = None
    for line in _lines(text):
        if width is None:
            if line.lower().startswith(path.lower() + " "):
                width = len(path) + 1
                rest = line[width:]
            else:
                continue
        else:
            if not line.strip():
                break
            rest = line[width:] if line[:width].strip() == "" else line.strip()
        match = _ACE.match(rest.strip())
        if match:
            entries.append(AccessEntry(match.group(1), match.group(2), match.group(3)))
    if width is None:
        return None
    return entries


# -- firewall --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PortOpening:
    port: int
    protocol: str
    enabled: bool
    name: str
    profile: str


def parse_firewall_portopening(text: str) -> list[PortOpening]:
    """`netsh firewall show portopening` (XP/2003, reference 5.3; table layout [U]): one table per profile."""
    openings: list[PortOpening] = []
    profile = ""
    for line in _lines(text):
        if match := re.match(r"^Port configuration for (\w+) profile:", line):
            profile = match.group(1)
            continue
        match = re.match(r"^(\d+)\s+(TCP|UDP)\s+(Enable|Disable)\s+(.*?)\s*$", line)
        if match:
            port, protocol, mode, name = match.groups()
            openings.append(PortOpening(int(port), protocol, mode == "Enable", name, profile))
    return openings


@dataclass(frozen=True)
class FirewallRule:
    name: str
    enabled: bool
    direction: str
    protocol: str
    local_port: str
    action: str


def parse_advfirewall_rules(text: str) -> list[FirewallRule]:
    """`netsh advfirewall firewall show rule name=...` (2008, reference 5.3; `Label:  value` blocks [U]).
    Empty for `No rules match the specified criteria.`"""
    pairs = (
        match.groups()
        for line in _lines(text)
        if (match := re.match(r"^([A-Za-z][A-Za-z ]*):\s*(.*?)\s*$", line))
    )
    return [
        FirewallRule(
            name=record["Rule Name"],
            enabled=record.get("Enabled", "").lower() == "yes",
            direction=record.get("Direction", ""),
            protocol=record.get("Protocol", ""),
            local_port=record.get("LocalPort", ""),
            action=record.get("Action", ""),
        )
        for record in _records(pairs, "Rule Name")
    ]


# -- schtasks --------------------------------------------------------------------------------------
def parse_schtasks_csv(text: str) -> list[dict[str, str]]:
    """`schtasks /query /fo csv [/v]` (reference 6.2). One dict per task, keyed by the header row.

    NT 6 repeats the header for every task folder, so repeated headers are skipped. `name` is added:
    the task name without NT 6's leading backslash, so 2003 and 2008 rows compare equal. A quote
    inside a value is not doubled (see schtasks_csv_fields), so rows are split by schtasks_csv_fields,
    not by a CSV reader.
    """
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    body = [line for line in _lines(text) if line.strip() and not line.startswith(("INFO:", "ERROR:"))]
    for record in map(schtasks_csv_fields, body):
        if not record:
            continue
        if record[0] == "HostName" or record[0] == "TaskName":
            header = record
            continue
        if header is None:
            continue
        row = dict(zip(header, record, strict=False))
        row["name"] = row.get("TaskName", "").lstrip("\\")
        rows.append(row)
    return rows


# -- ipconfig --------------------------------------------------------------------------------------
@dataclass
class Adapter:
    name: str
    fields: dict[str, list[str]] = field(default_factory=dict)

    def get(self, label: str) -> str:
        values = self.fields.get(label.lower())
        return values[0] if values else ""

    @property
    def ipv4_address(self) -> str:
        # "IPv4 Address" with "(Preferred)" on NT 6, "IP Address" on NT 5 (reference 7.1, 7.2).
        value = self.get("IPv4 Address") or self.get("IP Address")
        return value.replace("(Preferred)", "").strip()

    @property
    def dhcp_enabled(self) -> bool:
        return self.get("DHCP Enabled").lower() == "yes"

    @property
    def dns_servers(self) -> list[str]:
        return list(self.fields.get("dns servers", []))


@dataclass
class IpConfig:
    host_name: str = ""
    primary_dns_suffix: str = ""
    adapters: list[Adapter] = field(default_factory=list)


def parse_ipconfig_all(text: str) -> IpConfig:
    """`ipconfig /all` on NT 5 and NT 6 (reference 7.1, 7.2): labels compared case-insensitively."""
    config = IpConfig()
    current: dict[str, list[str]] | None = None
    global_fields: dict[str, list[str]] = {}
    last_label = ""
    for line in _lines(text):
        if not line.strip():
            continue
        if not line.startswith(" "):
            if line.rstrip().endswith(":") and "adapter" in line:
                adapter = Adapter(line.rstrip()[:-1].split(" adapter ", 1)[1])
                config.adapters.append(adapter)
                current = adapter.fields
            continue
        indent = len(line) - len(line.lstrip(" "))
        target = current if current is not None else global_fields
        if indent >= 20 and last_label:
            # A further value of the field above (more DNS servers, search suffixes).
            target.setdefault(last_label, []).append(line.strip())
            continue
        match = re.match(r"^\s+(\S.*?)[\s.]*:\s?(.*)$", line)
        if match:
            last_label = match.group(1).strip().lower()
            target.setdefault(last_label, [])
            if match.group(2).strip():
                target[last_label].append(match.group(2).strip())
    config.host_name = (global_fields.get("host name") or [""])[0]
    config.primary_dns_suffix = (global_fields.get("primary dns suffix") or [""])[0]
    return config


# -- iisftp.vbs ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FtpSite:
    """One row of `iisftp.vbs /query`. `ip` is "" for All Unassigned (the script prints ALL) and
    None when the IP column is blank; see parse_iisftp_query for why an address is not trusted."""

    name: str
    metabase_path: str
    status: str
    ip: str | None
    port: int


# NAME (MSFTPSVC/n), padded to column 46 (at least one space), the state padded to 10, the IP column
# padded to 16, the port.
_IISFTP_ROW = re.compile(r"^(.*) \((MSFTPSVC/\d+)\) +([A-Z]+) +(?:(\S+) +)?(\d+)$")


def parse_iisftp_query(text: str) -> list[FtpSite]:
    """`iisftp.vbs /query`, in the layout of Microsoft's IIsFtp.vbs (QueryFtpSite).

    `Connecting to server ...Done.`, the `Site Name (Metabase Path)  Status  IP  Port` header, the
    rule of `=` and `Site(s) not found.` (printed, with exit 0, when nothing matches) are not rows.
    For an All Unassigned binding the script prints ALL; for a binding with an address it assigns
    the binding object instead of its address, so the column may be blank or repeat the previous
    row's value: only ALL is taken at its word.
    """
    sites = []
    for line in _lines(text):
        match = _IISFTP_ROW.match(line.rstrip())
        if match:
            name, path, status, ip, port = match.groups()
            address = None if ip is None else "" if ip == "ALL" else ip
            sites.append(FtpSite(name.strip(), path, status, address, int(port)))
    return sites


# -- ver -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WindowsVersion:
    version: str
    major: int
    minor: int
    build: int
    xp: bool

    @property
    def family(self) -> str:
        """The toolkit's version key: "2003" or "xp" for NT 5, "2008" for NT 6.0 and 6.1 servers.

        `ver` cannot tell a server from a workstation on NT 6 (6.0 is Vista and 2008, 6.1 is 7 and
        2008 R2); the inventory's `windows_version` says which. On NT 5, only XP names itself.
        """
        if self.major == 5:
            return "xp" if self.xp or self.minor == 1 else "2003"
        return "2008"


def parse_ver(text: str) -> WindowsVersion | None:
    match = re.search(r"Microsoft Windows( XP)? \[Version (\d+)\.(\d+)\.(\d+)", text)
    if not match:
        return None
    major, minor, build = (int(match.group(i)) for i in (2, 3, 4))
    return WindowsVersion(f"{major}.{minor}.{build}", major, minor, build, bool(match.group(1)))


# -- reg query -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegistryValue:
    name: str
    type: str
    data: str


def parse_reg_query(text: str) -> dict[str, dict[str, RegistryValue]]:
    """`reg query` on NT 5 (banner, tabs) and NT 6 (4 spaces) (reference 8.2): key -> value name -> value."""
    keys: dict[str, dict[str, RegistryValue]] = {}
    current: dict[str, RegistryValue] | None = None
    for line in _lines(text):
        if line.startswith("HKEY_"):
            current = keys.setdefault(line.strip(), {})
            continue
        match = re.match(r"^[\t ]+(\S.*?)[\t ]+(REG_\w+)(?:[\t ]+(.*))?$", line)
        if match and current is not None:
            value = RegistryValue(match.group(1), match.group(2), (match.group(3) or "").rstrip())
            current[value.name.lower()] = value
    return keys


def reg_value(text: str, name: str) -> str | None:
    """The data of the value `name` (any case) in `reg query` output, blanks stripped; None if absent."""
    for values in parse_reg_query(text).values():
        value = values.get(name.lower())
        if value is not None:
            return value.data.strip()
    return None


# -- Internet Shortcut (.url) files and an HTTP probe script ---------------------------------------
def parse_internet_shortcut(text: str) -> dict[str, str] | None:
    """The keys of the [InternetShortcut] section of a .url file (as `type` shows it), names in lower
    case; None when the text has no such section (no file: `type` printed nothing on stdout)."""
    values: dict[str, str] | None = None
    section = ""
    for line in _lines(text):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip().lower()
            if section == "internetshortcut" and values is None:
                values = {}
            continue
        if section == "internetshortcut" and values is not None and "=" in stripped:
            key, _, value = stripped.partition("=")
            values[key.strip().lower()] = value.strip()
    return values


@dataclass(frozen=True)
class HttpProbe:
    """What the HTTP probe script printed: the status of the answer, or the error (HRESULT in hex,
    its text) of a request that failed; neither when the script did not run (`ran` false)."""

    status: int | None = None
    error_code: str = ""
    error_text: str = ""
    ran: bool = False
    output: str = ""


_PROBE_STATUS = re.compile(r"^STATUS (\d{3})\s*$")
_PROBE_ERROR = re.compile(r"^ERROR ([0-9A-Fa-f]+)(?: (.*?))?\s*$")


def parse_http_probe(text: str) -> HttpProbe:
    """The output of the ServerXMLHTTP probe script (`STATUS 200`, or `ERROR 80072EFD text`)."""
    shown = " ".join(line.strip() for line in _lines(text) if line.strip())
    for line in _lines(text):
        status = _PROBE_STATUS.match(line.strip())
        if status:
            return HttpProbe(status=int(status.group(1)), ran=True, output=shown)
        error = _PROBE_ERROR.match(line.strip())
        if error:
            return HttpProbe(
                error_code=error.group(1).upper(), error_text=error.group(2) or "", ran=True, output=shown
            )
    return HttpProbe(output=shown)


# -- errors ----------------------------------------------------------------------------------------
class ErrorKind(Enum):
    NOT_RECOGNIZED = "not_recognized"  # cmd.exe: no such program
    NETSH_COMMAND_NOT_FOUND = "netsh_command_not_found"  # e.g. the DHCP netsh helper is not installed
    DHCP_SERVER_UNAVAILABLE = "dhcp_server_unavailable"  # the DHCP Server service is not running
    SERVICE_NOT_INSTALLED = "service_not_installed"  # sc 1060
    SERVICE_ALREADY_RUNNING = "service_already_running"  # sc 1056, net 2182
    SERVICE_NOT_STARTED = "service_not_started"  # sc 1062, net 3521
    SERVICE_DISABLED = "service_disabled"  # 1058
    ACCESS_DENIED = "access_denied"
    SHARE_NOT_FOUND = "share_not_found"  # net 2310
    SHARE_EXISTS = "share_exists"  # net 2118
    NET_UNKNOWN_OPTION = "net_unknown_option"  # e.g. /GRANT on 2003
    DHCP_SCOPE_NOT_FOUND = "dhcp_scope_not_found"
    DHCP_SCOPE_EXISTS = "dhcp_scope_exists"
    DHCP_RANGE_INVALID = "dhcp_range_invalid"
    DHCP_RANGE_EXISTS = "dhcp_range_exists"
    DHCP_SERVER_ALREADY_AUTHORIZED = "dhcp_server_already_authorized"
    DHCP_SERVER_NOT_AUTHORIZED = "dhcp_server_not_authorized"
    DHCP_CLASS_UNKNOWN = "dhcp_class_unknown"
    TASK_NOT_FOUND = "task_not_found"
    TASK_EXISTS = "task_exists"  # /create of a task that exists, without /F
    TASK_INVALID_NAME = "task_invalid_name"
    TASK_INVALID_START_TIME = "task_invalid_start_time"
    TASK_ACCOUNT_NOT_SET = "task_account_not_set"  # created, but will not run
    TASK_NEEDS_CONFIRMATION = "task_needs_confirmation"  # a (Y/N) question: no console under WinRM
    INVALID_OPTION = "invalid_option"
    REGISTRY_NOT_FOUND = "registry_not_found"
    MSI_INSTALL_FAILURE = "msi_install_failure"  # 1603
    MSI_ALREADY_RUNNING = "msi_already_running"  # 1618
    MSI_UNKNOWN_PRODUCT = "msi_unknown_product"  # 1605
    MSI_PACKAGE_OPEN_FAILED = "msi_package_open_failed"  # 1619
    SHUTDOWN_ALREADY_SCHEDULED = "shutdown_already_scheduled"
    UNKNOWN = "unknown"


# Substrings real automation matches on (reference 1.9, 3.2, 4.2, 6.2, 8.2), most specific first.
_ERROR_TEXTS: list[tuple[str, ErrorKind]] = [
    ("is not recognized as an internal or external command", ErrorKind.NOT_RECOGNIZED),
    ("Unable to determine the DHCP Server version", ErrorKind.DHCP_SERVER_UNAVAILABLE),
    ("The following command was not found", ErrorKind.NETSH_COMMAND_NOT_FOUND),
    ("FAILED 1060", ErrorKind.SERVICE_NOT_INSTALLED),
    ("FAILED 1056", ErrorKind.SERVICE_ALREADY_RUNNING),
    ("NET HELPMSG 2182", ErrorKind.SERVICE_ALREADY_RUNNING),
    ("FAILED 1062", ErrorKind.SERVICE_NOT_STARTED),
    ("NET HELPMSG 3521", ErrorKind.SERVICE_NOT_STARTED),
    ("NET HELPMSG 2185", ErrorKind.SERVICE_NOT_INSTALLED),
    ("FAILED 1058", ErrorKind.SERVICE_DISABLED),
    ("System error 1058", ErrorKind.SERVICE_DISABLED),
    ("Access is denied", ErrorKind.ACCESS_DENIED),
    ("NET HELPMSG 2310", ErrorKind.SHARE_NOT_FOUND),
    ("NET HELPMSG 2118", ErrorKind.SHARE_EXISTS),
    ("NET HELPMSG 3506", ErrorKind.NET_UNKNOWN_OPTION),
    ("The specified subnet does not exist", ErrorKind.DHCP_SCOPE_NOT_FOUND),
    ("The command needs a valid Scope IP Address", ErrorKind.DHCP_SCOPE_NOT_FOUND),
    ("subnet already exists", ErrorKind.DHCP_SCOPE_EXISTS),
    ("Either the scope already exists", ErrorKind.DHCP_SCOPE_EXISTS),
    ("range is already defined", ErrorKind.DHCP_RANGE_EXISTS),
    ("overlaps with an existing range or is invalid", ErrorKind.DHCP_RANGE_INVALID),
    # 20079/20080: "The specified DHCP servers are already/not present in ..." (the error-code page's
    # texts end "in the directory service", winlab's "in Active Directory"; the psm1 matches "already
    # present" and "not present"). Matched with "servers are" before it, so that other output that
    # says "not present" (systeminfo's "Status: Hardware not present") is not taken for it.
    ("servers are already present", ErrorKind.DHCP_SERVER_ALREADY_AUTHORIZED),
    ("servers are not present", ErrorKind.DHCP_SERVER_NOT_AUTHORIZED),
    ("class name being used is unknown", ErrorKind.DHCP_CLASS_UNKNOWN),
    # schtasks. /ST refused: "ERROR: Invalid starttime value." is Windows 10's (chef-boneyard/chef-client
    # issue 523, refusing `/ST "12:44:00 PM"`) and taken for Vista/2008/7 [U]; "Invalid Start Time" is
    # the XP/2003 wording winlab uses [U].
    ("Invalid starttime value", ErrorKind.TASK_INVALID_START_TIME),
    ("Invalid Start Time", ErrorKind.TASK_INVALID_START_TIME),
    ("ERROR: Invalid argument/option", ErrorKind.INVALID_OPTION),
    ("unable to find the specified registry key or value", ErrorKind.REGISTRY_NOT_FOUND),
    # A task that does not exist (/query /tn, /run, /delete): "The system cannot find the file
    # specified." on XP/2003 and NT 6 (reference 6.2); a task in a folder that does not exist ("path"),
    # and Windows 8 and later's "The specified task name ... does not exist in the system." (the three
    # texts resticprofile's schtasks_test.go maps to "not registered") [V-fixture].
    ("ERROR: The system cannot find the file specified", ErrorKind.TASK_NOT_FOUND),
    ("ERROR: The system cannot find the path specified", ErrorKind.TASK_NOT_FOUND),
    ("does not exist in the system", ErrorKind.TASK_NOT_FOUND),
    ("ERROR: Cannot create a file when that file already exists", ErrorKind.TASK_EXISTS),
    ("ERROR: The filename, directory name, or volume label syntax is incorrect", ErrorKind.TASK_INVALID_NAME),
    # XP/2003 `/create /u` whose account the remote domain cannot check: SUCCESS, then this warning
    # (schtasks create, Windows commands reference, example "A user schedules a command on a remote
    # computer (Case 2)") [V].
    ("may not run because", ErrorKind.TASK_ACCOUNT_NOT_SET),
    # NT 6 asks before replacing (/create) or removing (/delete) a task without /F; nobody answers
    # under WinRM. The prompt texts are winlab's [U].
    ("(Y/N)?", ErrorKind.TASK_NEEDS_CONFIRMATION),
    ("already been scheduled", ErrorKind.SHUTDOWN_ALREADY_SCHEDULED),
]
_MSI_CODES = {
    1603: ErrorKind.MSI_INSTALL_FAILURE,
    1605: ErrorKind.MSI_UNKNOWN_PRODUCT,
    1618: ErrorKind.MSI_ALREADY_RUNNING,
    1619: ErrorKind.MSI_PACKAGE_OPEN_FAILED,
}
MSI_SUCCESS_CODES = (0, 1641, 3010)


def classify_error(
    stdout: str, stderr: str = "", exit_code: int = 0, msiexec: bool = False
) -> ErrorKind | None:
    """What went wrong, or None if the output shows success.

    netsh is judged by its text (a missing `Command completed successfully.` line is a failure);
    msiexec by its exit code alone (it prints nothing with /qn); everything else by text and code.
    """
    if msiexec:
        if exit_code in MSI_SUCCESS_CODES:
            return None
        return _MSI_CODES.get(exit_code, ErrorKind.UNKNOWN)
    text = f"{stdout}\n{stderr}"
    for needle, kind in _ERROR_TEXTS:
        if needle.lower() in text.lower():
            return kind
    if exit_code != 0:
        return ErrorKind.UNKNOWN
    return None


# -- schtasks: the fields of a CSV row, and one task as the daily jobs read it ----------------------
def schtasks_csv_fields(line: str) -> list[str]:
    """The quoted fields of one `schtasks /query /fo csv` line.

    schtasks writes every field in double quotes and does not double a quote inside one: the NT 6
    row in rapid7/metasploit-framework's spec/lib/msf/core/post/windows/task_scheduler_spec.rb
    (commit 19f73b7b) has `"reg query "HKLM\\...\\DGvtFiFtnZQVmtY" /v "SD"",` as its Task To Run
    [V-fixture] (NT 5 taken to do the same [U]). So a line is split on the `","` between fields; a
    line that does not start and end with a quote is read as ordinary CSV.
    """
    text = line.strip()
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        return text[1:-1].split('","')
    return next(csv.reader(io.StringIO(text)), [])


@dataclass(frozen=True)
class ScheduledTask:
    """One task of `schtasks /query /fo csv /v` (reference 6.2), in the terms both layouts share."""

    name: str  # without NT 6's leading backslash
    run: str  # Task To Run, without the trailing space NT 5 may add
    start: time | None  # Start Time
    schedule_type: str  # "daily", "weekly", ... (Scheduled Type on NT 5, Schedule Type on NT 6)
    run_as: str
    enabled: bool  # Scheduled Task State
    status: str  # "" on NT 5, "Ready", "Running", "Disabled" ... on NT 6
    last_result: int | None
    last_run: str  # as printed: "Never" (NT 5), "N/A" or "11/30/1999 12:00:00 AM" (NT 6) before a run
    next_run: str

    @property
    def has_run(self) -> bool:
        # NT 6 prints 11/30/1999 12:00:00 AM for a task that never ran (the metasploit spec, above).
        return self.last_run not in ("", "Never", "N/A", "11/30/1999 12:00:00 AM")


_START_24H = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_START_12H = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp])\.?[Mm]\.?$")


def parse_task_start_time(text: str) -> time | None:
    """A Start Time value: `05:00:00` (NT 5, reference 6.2) or `12:00:00 AM` (NT 6 en-US, the
    metasploit spec's row) [V-fixture]; None for N/A or anything else."""
    value = text.strip()
    match = _START_24H.match(value)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
    else:
        match = _START_12H.match(value)
        if not match:
            return None
        hour, minute = int(match.group(1)) % 12, int(match.group(2))
        if match.group(4).lower() == "p":
            hour += 12
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute, int(match.group(3) or 0))


def _int_or_none(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


def parse_scheduled_tasks(text: str) -> list[ScheduledTask]:
    """Every task of `schtasks /query /fo csv /v` output, NT 5 or NT 6 layout (reference 6.2)."""
    tasks = []
    for row in parse_schtasks_csv(text):
        kind = row.get("Schedule Type", row.get("Scheduled Type", ""))
        tasks.append(
            ScheduledTask(
                name=row["name"],
                run=row.get("Task To Run", "").strip(),
                start=parse_task_start_time(row.get("Start Time", "")),
                schedule_type=kind.strip().lower(),
                run_as=row.get("Run As User", "").strip(),
                enabled=row.get("Scheduled Task State", "").strip().lower() == "enabled",
                status=row.get("Status", "").strip(),
                last_result=_int_or_none(row.get("Last Result", "")),
                last_run=row.get("Last Run Time", "").strip(),
                next_run=row.get("Next Run Time", "").strip(),
            )
        )
    return tasks


def find_scheduled_task(text: str, name: str) -> ScheduledTask | None:
    """The task called `name` (any case, with or without a leading backslash), or None."""
    wanted = name.lstrip("\\").lower()
    return next((task for task in parse_scheduled_tasks(text) if task.name.lower() == wanted), None)


# -- net statistics workstation: when the host last started ------------------------------------------
@dataclass(frozen=True)
class StatisticsSince:
    """The `Statistics since ...` line of `net statistics workstation`: when the Workstation service,
    started at boot, began counting. `at` is the host's local time, None when the layout is not known."""

    text: str
    at: datetime | None


_SINCE = re.compile(r"^\s*Statistics since\s+(.+?)\s*$", re.MULTILINE)
_SINCE_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",  # en-US, with seconds: "1/1/2021 6:08:25 PM" (public captures)
    "%m/%d/%Y %I:%M %p",  # en-US without seconds (ReactOS's net.exe, cmdStatistics.c)
    "%d.%m.%Y %H:%M:%S",  # dotted 24-hour layouts (a public capture: "22.05.2017 14:47:53")
)


def parse_statistics_since(text: str) -> StatisticsSince | None:
    """The start of `net statistics workstation` (XP and 7 alike): the line, and its time when the
    layout is one of _SINCE_FORMATS. None when there is no such line (the service is not running)."""
    match = _SINCE.search(text.replace("\r\n", "\n"))
    if not match:
        return None
    value = match.group(1)
    for layout in _SINCE_FORMATS:
        try:
            return StatisticsSince(value, datetime.strptime(value, layout))
        except ValueError:
            continue
    return StatisticsSince(value, None)


# -- netsh dhcp server show mibinfo ----------------------------------------------------------------
@dataclass(frozen=True)
class ScopeUsage:
    """One `Subnet = ...` block of `show mibinfo`: the scope's address counters (SCOPE_MIB_INFO)."""

    subnet: str
    in_use: int
    free: int
    pending: int

    @property
    def size(self) -> int:
        """Addresses the scope can lease: in use, free and offered (excluded ones are not counted)."""
        return self.in_use + self.free + self.pending

    @property
    def used_percent(self) -> float | None:
        """How full the scope is, in percent (offers count as used); None for a scope with no addresses."""
        return None if self.size == 0 else 100.0 * (self.in_use + self.pending) / self.size


@dataclass(frozen=True)
class MibInfo:
    counters: dict[str, int]
    server_start_time: str
    scopes: dict[str, ScopeUsage]


_MIB_SCOPE_KEYS = {
    "no. of addresses in use": "in_use",
    "no. of free addresses": "free",
    "no. of pending offers": "pending",
}


def parse_dhcp_mibinfo(text: str) -> MibInfo | None:
    """`netsh dhcp server show mibinfo`: `Key = value.` lines under `MIBCounts:`, then per scope a
    `Subnet = a.b.c.d.` line and its three counters (the capture in tests/fixtures/windows/real,
    from Checkmk's win_dhcp_pools check). Indentation is not relied on. None without a `MIBCounts:`
    line (an unreachable or stopped DHCP Server prints the "Unable to determine" lines instead)."""
    lines = [line.strip() for line in _lines(text)]
    if "MIBCounts:" not in lines:
        return None
    counters: dict[str, int] = {}
    start = ""
    scopes: dict[str, ScopeUsage] = {}
    subnet: str | None = None
    values: dict[str, int] = {}

    def close() -> None:
        if subnet is not None:
            scopes[subnet] = ScopeUsage(
                subnet, values.get("in_use", 0), values.get("free", 0), values.get("pending", 0)
            )

    for line in lines:
        key, sep, value = line.partition(" = ")
        if not sep:
            continue
        value = value.strip()
        if key == "ServerStartTime":
            start = value
            continue
        value = value[:-1] if value.endswith(".") else value
        if key == "Subnet":
            close()
            subnet, values = value, {}
        elif key.lower() in _MIB_SCOPE_KEYS and subnet is not None and value.isdigit():
            values[_MIB_SCOPE_KEYS[key.lower()]] = int(value)
        elif value.isdigit():
            counters[key] = int(value)
    close()
    return MibInfo(counters, start, scopes)


# -- dir: free space -------------------------------------------------------------------------------
_DIR_FREE = re.compile(r"^\s*\d+ Dir\(s\)\s+([\d,.\u00a0 ]+?) bytes free\s*$")


def parse_dir_free_bytes(text: str) -> int | None:
    """The free bytes of the volume, from the last line of `dir` (`  5 Dir(s)  20,609,130,496 bytes
    free`); the thousands separator of the locale (`,`, `.` or a space) is dropped. None when no such
    line is there (the folder does not exist)."""
    found = None
    for line in _lines(text):
        match = _DIR_FREE.match(line)
        if match:
            found = int(re.sub(r"[^\d]", "", match.group(1)))
    return found


# -- dir: one file's size ---------------------------------------------------------------------------
_DIR_FILE = re.compile(r"^\d\d[/.-]\d\d[/.-]\d{4}\s+\d\d:\d\d(?:\s*[AP]M)?\s+([\d,.\u00a0 ]+?)\s+(\S.*?)\s*$")


def parse_dir_file_size(text: str, name: str) -> int | None:
    """The size in bytes `dir` shows for the file `name` (`12/01/2026  05:30 PM  1,234,567 x.msi`),
    the locale's thousands separator dropped; None when the file is not listed."""
    for line in _lines(text):
        match = _DIR_FILE.match(line.strip())
        if match and match.group(2).lower() == name.lower():
            return int(re.sub(r"[^\d]", "", match.group(1)))
    return None


# -- certutil -hashfile ------------------------------------------------------------------------------
def parse_certutil_hash(text: str, length: int = 64) -> str | None:
    """The digest `certutil -hashfile FILE SHA256` prints (one line of hex digits, which NT 6.0 and
    6.1 print as byte pairs separated by blanks [U]), lower case; None when it printed none (the file
    is missing, or the verb or algorithm is unknown)."""
    for line in _lines(text):
        digits = re.sub(r"\s", "", line)
        if len(digits) == length and re.fullmatch(r"[0-9A-Fa-f]+", digits):
            return digits.lower()
    return None


# -- systeminfo ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SystemInfo:
    fields: dict[str, str]

    def get(self, label: str) -> str:
        return self.fields.get(label.lower(), "")

    @property
    def service_pack(self) -> int:
        """The service pack number of `OS Version` (`5.2.3790 Service Pack 2 Build 3790`); 0 for none."""
        match = re.search(r"Service Pack (\d+)", self.get("OS Version"))
        return int(match.group(1)) if match else 0

    @property
    def version(self) -> str:
        """The dotted version at the start of `OS Version` (`6.1.7601`)."""
        match = re.match(r"(\d+\.\d+\.\d+)", self.get("OS Version"))
        return match.group(1) if match else ""


def parse_systeminfo(text: str) -> SystemInfo | None:
    """`systeminfo`: `Label:` padded to column 27, then the value; continuation lines (hotfixes,
    network cards) are not kept. Labels are compared without case. None when no `OS Version` line."""
    fields: dict[str, str] = {}
    for line in _lines(text):
        if not line or line.startswith(" "):
            continue
        match = re.match(r"^([A-Za-z][^:]*(?:: [A-Za-z][^:]*)?):\s+(.*?)\s*$", line)
        if match:
            fields.setdefault(match.group(1).strip().lower(), match.group(2))
    if "os version" not in fields:
        return None
    return SystemInfo(fields)


# -- ftp.exe: the transcript of a script run (`ftp -n -s:script`) -------------------------------------
_FTP_REPLY = re.compile(r"^(\d{3})[ -](.*)$", re.MULTILINE)


def ftp_replies(text: str) -> list[tuple[str, str]]:
    """The server's replies ftp.exe printed, in order, as (code, text): `220 Microsoft FTP Service`,
    `226 Transfer complete.` ... (winlab/model/ftpclient.py cites the transcript's layout)."""
    return [(code, reply.strip()) for code, reply in _FTP_REPLY.findall(text.replace("\r\n", "\n"))]


# -- systeminfo's Hotfix(s) ------------------------------------------------------------------------
def parse_hotfixes(text: str) -> tuple[int | None, tuple[str, ...]] | None:
    """The `Hotfix(s)` entry of `systeminfo`: (the count its first line gives, the ids listed below it).

    `Hotfix(s):                 1 Hotfix(s) Installed.` then one `[01]: Q147222` line per update
    (a 2003 SP2 capture), `N/A` when none is installed (the count is then 0). The list can stop short
    of the count: a Windows 7 capture says `302 Hotfix(s) Installed.` and lists 245, the last line a
    bare `[246]`; a caller must not take an id missing from a short list for one not installed.
    Ids are upper case, cut at the first blank (`KB925902 - Update` is `KB925902`) [U: NT 5 suffixes].
    None when there is no `Hotfix(s)` line (systeminfo did not run)."""
    count: int | None = None
    ids: list[str] = []
    inside = False
    for line in _lines(text):
        match = re.match(r"^Hotfix\(s\):\s+(.*?)\s*$", line)
        if match:
            inside = True
            value = match.group(1)
            number = re.match(r"^(\d+) Hotfix\(s\) Installed\.?$", value)
            count = int(number.group(1)) if number else 0 if value.upper() == "N/A" else None
            continue
        if not inside:
            continue
        if not line.startswith(" "):
            break
        entry = re.match(r"^\s+\[\d+\]:\s*(\S+)", line)
        if entry:
            ids.append(entry.group(1).upper())
    if not inside:
        return None
    return count, tuple(ids)


# -- wmic ... /format:csv ------------------------------------------------------------------------------
def parse_wmic_csv(text: str) -> list[dict[str, str]] | None:
    """`wmic ALIAS get A,B /format:csv`: a blank line, then the header `Node,A,B` (the properties in
    alphabetical order, after `Node`), then one row per instance; wmic ends its lines with CR CR LF
    when its output is not a console, which shows as blank lines here. Keys are lower case. None when
    no header line with `Node` came (wmic is missing, the XSL file was not found, an error)."""
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    for line in _lines(text):
        if not line.strip():
            continue
        fields = next(csv.reader([line.strip()]))
        if header is None:
            if fields and fields[0].strip().lower() == "node":
                header = [name.strip().lower() for name in fields]
            continue
        if len(fields) == len(header):
            rows.append(dict(zip(header, (value.strip() for value in fields), strict=True)))
    return None if header is None else rows


# -- secedit /export (a security template) -------------------------------------------------------------
def parse_security_template(text: str) -> dict[str, dict[str, str]]:
    """A security template as `secedit /export` writes it (`[Event Audit]`, then `AuditLogonEvents = 3`
    lines): section -> key -> value, sections and keys in lower case, values stripped."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in _lines(text):
        stripped = line.strip().lstrip("\ufeff")
        header = re.match(r"^\[(.+)\]$", stripped)
        if header:
            current = sections.setdefault(header.group(1).strip().lower(), {})
            continue
        if current is not None and "=" in stripped:
            key, _, value = stripped.partition("=")
            current[key.strip().lower()] = value.strip()
    return sections


# -- installed programs (the Uninstall keys) -----------------------------------------------------------
@dataclass(frozen=True)
class InstalledProgram:
    key: str  # the Uninstall subkey's name ({ProductCode}, KB958644, ...)
    name: str  # DisplayName
    version: str = ""
    publisher: str = ""
    system_component: bool = False  # SystemComponent = 1
    parent: str = ""  # ParentKeyName (an update of that product)
    release_type: str = ""  # ReleaseType (Security Update, Update Rollup, Hotfix)


def parse_installed_programs(text: str) -> list[InstalledProgram] | None:
    """The programs of `reg query <Uninstall key> /s` (reference 8.2): one per subkey that has a
    `DisplayName`, in the order listed. None when the output names no key (reg failed)."""
    keys = parse_reg_query(text)
    if not keys:
        return None
    programs = []
    for path, values in keys.items():
        name = values.get("displayname")
        if name is None or not name.data.strip():
            continue
        data = {key: value.data.strip() for key, value in values.items()}
        programs.append(
            InstalledProgram(
                key=path.rpartition("\\")[2],
                name=name.data.strip(),
                version=data.get("displayversion", ""),
                publisher=data.get("publisher", ""),
                system_component=_dword(data.get("systemcomponent", "")) == 1,
                parent=data.get("parentkeyname", ""),
                release_type=data.get("releasetype", ""),
            )
        )
    return programs


def _dword(text: str) -> int | None:
    """A REG_DWORD as reg query prints it (`0x1`), or a decimal."""
    try:
        return int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        return None
