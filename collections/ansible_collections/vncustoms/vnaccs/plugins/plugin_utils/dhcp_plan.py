"""The DHCP Server on Windows Server 2003/2008: wanted state, one-round-trip probe, plan, netsh script.

Controller-side logic for the `vncustoms.vnaccs.dhcp_server` action plugin: its probe and plan
(:class:`DhcpServerPlan`), which the one Windows apply engine (`windows_engine.py`) runs. Kept apart
from Ansible so that it can be tested on its own. Host output is read only through the shared
parsers in `plugin_utils/windows_output.py`; addresses through netaddr.

Commands follow the project's Windows reference: netsh dhcp (section 1), sysocmgr and
servermanagercmd (section 2), sc (section 3).

Assumptions the reference marks unverified [U], to check on a real 2003 SP2 and 2008 host:
* `netsh exec` prints `Command completed successfully.` once per successful line and stops at the
  first failing one (script_failure counts those lines; netsh's exit code is not used).
* The scope-context commands `set name`, `set comment`, `delete iprange`, `delete excluderange`
  and `delete optionvalue` take the arguments used here (reference 1.2 lists only their siblings).
* With the DHCP Server service stopped, `netsh dhcp server dump` answers "Unable to determine the
  DHCP Server version ..." (reference 1.9 lists the string), so the scopes are read after `sc start`.
* servermanagercmd's role Id is `DHCP`; sysocmgr under `start /wait` returns 0 when it applied the
  answer file (reference 2.1, 2.2). Success is judged by `sc qc DHCPServer` afterwards, not by them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.text import (
    ascii_fold,
    domain_name_problem,
    is_domain_name,
    scope_text_problem,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import (
    INSTALL_TIMEOUT,
    Command,
    PlanError,
    Step,
    TextFile,
    WindowsPlan,
    install_timeout,
    sc_config,
    sc_start,
    sc_stop,
    servermanagercmd_install,
    sysocmgr_install,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_output import (
    AuthorizedServer,
    DumpScope,
    ErrorKind,
    ExcludeRange,
    IpRange,
    OptionValue,
    classify_error,
    parse_dhcp_dump,
    parse_sc_qc,
    parse_sc_query,
    parse_show_server,
    probe_head,
    probe_section,
    split_sections,
)
from netaddr import INET_PTON, AddrFormatError, IPAddress, IPNetwork

SERVICE = "DHCPServer"
ACTIVE_STATES = (1, 3)  # 3 is "active, switched" (reference 1.2)
OPTION_ROUTER, OPTION_DNS, OPTION_DOMAIN = 3, 6, 15
MANAGED_OPTIONS = (OPTION_ROUTER, OPTION_DNS, OPTION_DOMAIN)
# sysocmgr answer file for the DHCP Server component (reference 2.1). `;` starts an .inf comment.
ANSWER_FILE = [
    "; Written by vncustoms.vnaccs.dhcp_server: installs the DHCP Server component (sysocmgr /u:).",
    "[Components]",
    "NetOC = On",
    "",
    "[NetOptionalComponents]",
    "DHCPServer = 1",
]


SCRIPT_HEADER = "# Written by vncustoms.vnaccs.dhcp_server for one netsh exec run; deleted afterwards."
# The daily check of Appendix III wants the DHCP Server service Running and Automatic; netsh can
# read and change scopes only while it runs.
START_MODE, RUNNING = "auto", True
SYSOCMGR_HINT = "on 2003, sysocmgr may be waiting for the i386 source files"


# -- wanted state -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class WantedScope:
    address: str
    mask: str
    name: str
    comment: str
    range_start: str
    range_end: str
    exclusions: tuple[tuple[str, str], ...] = ()
    router: str = ""
    dns_servers: tuple[str, ...] = ()
    domain_name: str = ""
    active: bool = True

    @property
    def options(self) -> dict[int, OptionValue]:
        wanted: dict[int, OptionValue] = {}
        if self.router:
            wanted[OPTION_ROUTER] = OptionValue(OPTION_ROUTER, "IPADDRESS", (self.router,))
        if self.dns_servers:
            wanted[OPTION_DNS] = OptionValue(OPTION_DNS, "IPADDRESS", tuple(self.dns_servers))
        if self.domain_name:
            wanted[OPTION_DOMAIN] = OptionValue(OPTION_DOMAIN, "STRING", (self.domain_name,))
        return wanted


def _address(value: str, where: str) -> IPAddress:
    text = str(value).strip()
    try:
        # INET_PTON: dotted quads only, never netaddr's legacy "10.1" shorthand.
        return IPAddress(text, 4, flags=INET_PTON)
    except (AddrFormatError, ValueError):
        raise PlanError(f"{where}: {value!r} is not an IPv4 address") from None


def wanted_scope(spec: dict, index: int, fold_names: bool = True) -> WantedScope:
    """Check one scope's arguments and build its wanted state. Errors name the field."""
    where = f"scopes[{index}]"
    address = _address(spec["address"], f"{where}.address")
    mask = str(spec.get("mask") or "255.255.255.0")
    if mask != "255.255.255.0":
        raise PlanError(f"{where}.mask: {mask} is not 255.255.255.0; branch scopes are /24 (Appendix IV, II)")
    network = IPNetwork(f"{address}/24")
    if network.network != address:
        raise PlanError(f"{where}.address: {address} is not the network address of {network}")

    def inside(value: str, field_name: str) -> str:
        ip = _address(value, f"{where}.{field_name}")
        if ip not in network or ip in (network.network, network.broadcast):
            raise PlanError(f"{where}.{field_name}: {ip} is outside the scope's subnet {network}")
        return str(ip)

    start = inside(spec["range_start"], "range_start")
    end = inside(spec["range_end"], "range_end")
    if IPAddress(start) > IPAddress(end):
        raise PlanError(f"{where}.range_start: {start} comes after range_end {end}")
    exclusions = []
    for number, item in enumerate(spec.get("exclusions") or []):
        first = inside(item["start"], f"exclusions[{number}].start")
        last = inside(item["end"], f"exclusions[{number}].end")
        if IPAddress(first) > IPAddress(last):
            raise PlanError(f"{where}.exclusions[{number}]: start {first} comes after end {last}")
        if IPAddress(first) < IPAddress(start) or IPAddress(last) > IPAddress(end):
            # An exclusion only withholds addresses of the range; one outside it means the data is wrong.
            raise PlanError(
                f"{where}.exclusions[{number}]: {first}-{last} is not inside the range {start}-{end}"
            )
        exclusions.append((first, last))
    router = inside(spec["router"], "router") if spec.get("router") else ""
    dns = tuple(str(_address(value, f"{where}.dns_servers")) for value in spec.get("dns_servers") or [])
    domain = str(spec.get("domain_name") or "")
    if domain and domain_name_problem(domain):
        raise PlanError(f"{where}.domain_name: {domain!r} {domain_name_problem(domain)}")
    name = str(spec.get("name") or f"Scope {address}")
    comment = str(spec.get("comment") or "")
    if fold_names:
        name, comment = ascii_fold(name), ascii_fold(comment)
    for field_name, text in (("name", name), ("comment", comment)):
        problem = scope_text_problem(text)
        if problem:
            hint = "" if fold_names else "; leave fold_names on"
            raise PlanError(f"{where}.{field_name}: {text!r} {problem}{hint}")
    overlaps = sorted(exclusions)
    for (_, previous_end), (next_start, _) in itertools.pairwise(overlaps):
        if IPAddress(next_start) <= IPAddress(previous_end):
            raise PlanError(f"{where}.exclusions: {next_start} overlaps another exclusion")
    return WantedScope(
        address=str(address),
        mask=mask,
        name=name,
        comment=comment,
        range_start=start,
        range_end=end,
        exclusions=tuple(overlaps),
        router=router,
        dns_servers=dns,
        domain_name=domain,
        active=str(spec.get("state") or "active") == "active",
    )


# -- what is on the host ----------------------------------------------------------------------------
@dataclass
class ServerState:
    computer_name: str = ""
    installed: bool = False
    start_mode: str = ""  # "auto", "demand", "disabled", ... ("" when not installed)
    running: bool = False
    # None when netsh could not read them: the DHCP Server service is stopped (reference 1.9).
    scopes: dict[str, DumpScope] | None = field(default_factory=dict)
    authorized: list[AuthorizedServer] | None = None


def probe_command(read_authorization: bool) -> str:
    """One command line that reads everything the plan needs: a single WinRM round trip."""
    parts = [
        "hostname",
        *probe_section("qc", f"sc qc {SERVICE}"),
        *probe_section("query", f"sc query {SERVICE}"),
        *probe_section("dump", "netsh dhcp server dump"),
    ]
    if read_authorization:
        parts += [*probe_section("servers", "netsh dhcp show server")]
    return "&".join(parts)


def parse_probe(stdout: str) -> ServerState:
    sections = split_sections(stdout)
    state = ServerState()
    state.computer_name = probe_head(sections)
    config = parse_sc_qc(sections.get("qc", ""))
    state.installed = config is not None
    if config is not None:
        state.start_mode = config.start_mode
        statuses = parse_sc_query(sections.get("query", ""))
        state.running = bool(statuses and statuses[0].running)
        dump_text = sections.get("dump", "")
        if classify_error(dump_text) is ErrorKind.DHCP_SERVER_UNAVAILABLE:
            state.scopes = None
        elif "The following command was not found" not in dump_text:
            state.scopes = parse_dhcp_dump(dump_text).scopes
    if "servers" in sections:
        servers_text = sections["servers"]
        state.authorized = parse_show_server(servers_text) if state.installed else []
    return state


# -- the plan ---------------------------------------------------------------------------------------
def install_step(family: str, answer_path: str, timeout: float = INSTALL_TIMEOUT) -> Step:
    """The step that installs the DHCP Server component on this Windows version (reference 2.1, 2.2),
    with its deadline."""
    if family == "2003":
        return sysocmgr_install(
            "install the DHCP Server component (sysocmgr)",
            answer_path,
            tuple(ANSWER_FILE),
            SYSOCMGR_HINT,
            timeout,
        )
    if family == "2008":
        return servermanagercmd_install(
            "install the DHCP Server role (servermanagercmd)", "DHCP", timeout=timeout
        )
    raise PlanError(f"the DHCP Server is installed on Windows Server 2003 or 2008, not on {family!r}")


def service_commands(state: ServerState, start_mode: str, running: bool) -> list[Command]:
    commands = []
    if state.start_mode != start_mode:
        commands.append(sc_config(SERVICE, start_mode))
    if running and not state.running:
        commands.append(sc_start(SERVICE))
    if not running and state.running:
        commands.append(sc_stop(SERVICE))
    return commands


def _quote(text: str) -> str:
    return f'"{text}"'


def _option_line(prefix: str, option: OptionValue) -> str:
    if option.type == "STRING":
        values = " ".join(_quote(value) for value in option.values)
    else:
        values = " ".join(option.values)
    return f"{prefix} set optionvalue {option.code} {option.type} {values}"


def _same_option(have: OptionValue | None, want: OptionValue) -> bool:
    return have is not None and have.type.upper() == want.type and tuple(have.values) == tuple(want.values)


def scope_script(want: WantedScope, have: DumpScope | None) -> list[str]:
    """netsh lines (for `netsh exec`) that turn `have` into `want`; empty when they agree."""
    server = "dhcp server"
    prefix = f"{server} scope {want.address}"
    lines: list[str] = []
    if have is not None and have.mask and have.mask != want.mask:
        # A scope's mask cannot be changed in place; DHCPNOFORCE refuses when leases are in use.
        lines.append(f"{server} delete scope {want.address} DHCPNOFORCE")
        have = None
    if have is None:
        lines.append(
            f"{server} add scope {want.address} {want.mask} {_quote(want.name)} {_quote(want.comment)}"
        )
        have = DumpScope(want.address, want.mask, want.name, want.comment, 0)
    else:
        if have.name != want.name:
            lines.append(f"{prefix} set name {_quote(want.name)}")
        if have.comment != want.comment:
            lines.append(f"{prefix} set comment {_quote(want.comment)}")
    wanted_exclusions = set(want.exclusions)
    present_exclusions = {(item.start, item.end) for item in have.exclusions}
    for start, end in sorted(present_exclusions - wanted_exclusions):
        lines.append(f"{prefix} delete excluderange {start} {end}")
    ranges = [(item.start, item.end) for item in have.ranges]
    if ranges != [(want.range_start, want.range_end)]:
        for start, end in ranges:
            lines.append(f"{prefix} delete iprange {start} {end}")
        lines.append(f"{prefix} add iprange {want.range_start} {want.range_end}")
    for start, end in sorted(wanted_exclusions - present_exclusions):
        lines.append(f"{prefix} add excluderange {start} {end}")
    wanted_options = want.options
    for code in MANAGED_OPTIONS:
        option = wanted_options.get(code)
        present = have.options.get(code)
        if option is not None and not _same_option(present, option):
            lines.append(_option_line(prefix, option))
        elif option is None and present is not None:
            lines.append(f"{prefix} delete optionvalue {code}")
    is_active = have.state in ACTIVE_STATES
    if want.active != is_active:
        lines.append(f"{prefix} set state {1 if want.active else 0}")
    return lines


def authorization_script(state: ServerState, dns_name: str, server_ip: str) -> list[str]:
    present = state.authorized or []
    if any(server.address == server_ip for server in present):
        return []
    return [f"dhcp add server {dns_name} {server_ip}"]


# -- how the state reads in a diff ------------------------------------------------------------------
def render_service(installed: bool, start_mode: str, running: bool) -> list[str]:
    if not installed:
        return [f"service {SERVICE}: not installed"]
    return [f"service {SERVICE}: start={start_mode or '?'} {'running' if running else 'stopped'}"]


def render_scope(scope: DumpScope | None, address: str) -> list[str]:
    if scope is None:
        return [f"scope {address}: absent"]
    state = "active" if scope.state in ACTIVE_STATES else "inactive"
    out = [f'scope {scope.address} mask {scope.mask} name "{scope.name}" comment "{scope.comment}" {state}']
    out += [f"  range {item.start} - {item.end}" for item in scope.ranges]
    out += [
        f"  exclude {item.start} - {item.end}" for item in sorted(scope.exclusions, key=lambda e: e.start)
    ]
    for code in sorted(scope.options):
        if code in MANAGED_OPTIONS:
            option = scope.options[code]
            out.append(f"  option {code} {option.type.upper()} {' '.join(option.values)}")
    return out


def as_dump_scope(want: WantedScope) -> DumpScope:
    return DumpScope(
        address=want.address,
        mask=want.mask,
        name=want.name,
        comment=want.comment,
        state=1 if want.active else 0,
        ranges=[IpRange(want.range_start, want.range_end)],
        exclusions=[ExcludeRange(start, end) for start, end in want.exclusions],
        options=want.options,
    )


def script_failure(output: str, expected_successes: int) -> str | None:
    """Why a `netsh exec` run failed, or None.

    netsh's exit code is not reliable (reference 1.9): every command in the script must print
    `Command completed successfully.`; the first that does not is the failure.
    """
    successes = sum(1 for line in output.splitlines() if line.strip() == "Command completed successfully.")
    if successes >= expected_successes:
        return None
    kind = classify_error(output) or ErrorKind.UNKNOWN
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    detail = next(
        (line for line in reversed(lines) if line != "Command completed successfully."),
        "(no output)",
    )
    return f"{successes} of {expected_successes} netsh commands succeeded; {kind.value}: {detail}"


# -- the plugin's plan, for the apply engine -------------------------------------------------------
@dataclass(frozen=True)
class WantedServer:
    """Everything the dhcp_server plugin wants on one host, checked before it is contacted."""

    scopes: tuple[WantedScope, ...]
    install: bool = True
    ad_domain: str = ""
    server_ip: str = ""
    work_dir: str = "%SystemRoot%\\Temp"
    # Seconds the installer may run (a probe or netsh script has the host's command deadline).
    install_timeout: float = INSTALL_TIMEOUT


def wanted_server(args: dict[str, Any]) -> WantedServer:
    """Check the plugin's arguments (after its spec) and build the wanted state. Errors name the field."""
    if not args["scopes"]:
        raise PlanError("scopes: no scope given (the inventory gives each DHCP server its dhcp_scopes)")
    fold = bool(args.get("fold_names", True))
    scopes = tuple(wanted_scope(spec, index, fold_names=fold) for index, spec in enumerate(args["scopes"]))
    addresses = [scope.address for scope in scopes]
    duplicates = sorted({address for address in addresses if addresses.count(address) > 1})
    if duplicates:
        raise PlanError(f"scopes: {', '.join(duplicates)} listed more than once")
    ad_domain = str(args.get("ad_domain") or "")
    server_ip = str(args.get("server_ip") or "")
    if ad_domain:
        if not is_domain_name(ad_domain):
            raise PlanError(f"ad_domain: {ad_domain!r} is not a DNS domain name")
        try:
            _address(server_ip, "server_ip")
        except PlanError:
            raise PlanError(
                f"server_ip: {server_ip!r} is not an IPv4 address; it is needed to authorize the server "
                "in Active Directory"
            ) from None
    return WantedServer(
        scopes=scopes,
        install=bool(args.get("install", True)),
        install_timeout=install_timeout(args),
        ad_domain=ad_domain,
        server_ip=server_ip,
        work_dir=str(args.get("work_dir") or "%SystemRoot%\\Temp").rstrip("\\"),
    )


class DhcpServerPlan(WindowsPlan):
    """The DHCP Server component, its service, its authorization and the scopes, on one host."""

    unchanged_msg = "the DHCP server is as wanted"

    def __init__(self, wanted: WantedServer, family: str) -> None:
        self.wanted = wanted
        self.family = family
        self.authorize = bool(wanted.ad_domain)
        self.answer_path = f"{wanted.work_dir}\\vnaccs_dhcp_install.txt"
        self.script_path = f"{wanted.work_dir}\\vnaccs_dhcp_plan.txt"

    def probe_command(self) -> str:
        return probe_command(self.authorize)

    def temporary_files(self) -> list[str]:
        return [self.answer_path, self.script_path]

    def parse_probe(self, stdout: str) -> ServerState:
        return parse_probe(stdout)

    def _authorization(self, state: ServerState) -> list[str]:
        if not self.authorize:
            return []
        dns_name = f"{state.computer_name or 'DHCP'}.{self.wanted.ad_domain}".lower()
        return authorization_script(state, dns_name, self.wanted.server_ip)

    def steps(self, state: ServerState) -> list[Step]:
        steps: list[Step] = []
        if not state.installed:
            if not self.wanted.install:
                raise PlanError("the DHCP Server component is not installed and install is false")
            steps.append(install_step(self.family, self.answer_path, self.wanted.install_timeout))
            # The rest is planned for what the installer leaves: a stopped service and no scopes;
            # after it runs, the engine probes again and plans from what it really left.
            state = ServerState(
                computer_name=state.computer_name, installed=True, scopes={}, authorized=state.authorized
            )
        service = service_commands(state, START_MODE, RUNNING)
        if service:
            steps.append(
                Step(f"set {SERVICE} Automatic and running", tuple(service), reprobe=state.scopes is None)
            )
        if state.scopes is None:
            if not service:
                raise PlanError(f"netsh cannot read the scopes although the {SERVICE} service runs")
            steps.append(
                Step(
                    f"(the scopes cannot be read while the {SERVICE} service is stopped; the real run "
                    "reads them once it has started the service, and plans the netsh script then)"
                )
            )
            return steps
        script = self._authorization(state)
        for scope in self.wanted.scopes:
            script += scope_script(scope, state.scopes.get(scope.address))
        if script:
            count = len(script)
            run = Command(f"netsh exec {self.script_path}", judge=lambda r: script_failure(r.output, count))
            steps.append(
                Step(
                    "make the authorization and the scopes match, in one netsh exec script",
                    (run,),
                    file=TextFile(
                        self.script_path,
                        (SCRIPT_HEADER, *script),
                        shown=f"(write {self.script_path}, then netsh exec it:)",
                    ),
                    shown=tuple(script),
                )
            )
        return steps

    def result(self, state: ServerState, steps: list[Step]) -> dict[str, Any]:
        if not self.authorize:
            authorization = "skipped: no Active Directory domain (workgroup)"
        else:
            authorization = "authorizing" if self._authorization(state) else "already authorized"
        return {
            "scopes": [scope.address for scope in self.wanted.scopes],
            "scope_names": {scope.address: scope.name for scope in self.wanted.scopes},
            "authorization": authorization,
            "scopes_read": state.scopes is not None,
        }

    def render(self, state: ServerState) -> str:
        lines = render_service(state.installed, state.start_mode, state.running)
        for scope in self.wanted.scopes:
            if state.scopes is None:
                lines.append(f"scope {scope.address}: not readable while the service is stopped")
            else:
                lines += render_scope(state.scopes.get(scope.address), scope.address)
        return "\n".join(lines) + "\n"

    def render_wanted(self) -> str:
        lines = render_service(True, START_MODE, RUNNING)
        for scope in self.wanted.scopes:
            lines += render_scope(as_dump_scope(scope), scope.address)
        return "\n".join(lines) + "\n"
