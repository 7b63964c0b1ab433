"""The regional base server on Windows Server 2003/2008: wanted state, one-round-trip probe, plan.

Controller-side logic for the `vncustoms.vnaccs.base_server` action plugin (Decision 833, Article 9
and Appendix III): its probe and plan (:class:`BaseServerPlan`), which the one Windows apply engine
(`windows_engine.py`) runs. Kept apart from Ansible so that it can be tested on its own. Host
output is read only through the shared parsers in `plugin_utils/windows_output.py`.

Commands follow the project's Windows reference: sc (section 3), net share and icacls (section 4),
iisftp.vbs, netsh firewall and netsh advfirewall (section 5), sysocmgr and servermanagercmd
(section 2). What differs between the versions is data: `FORMS_BY_FAMILY` gives each version's
`Forms`, chosen by the version the host reports; the plugin's `forms` argument may override one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import windows_engine as engine
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_output import (
    AccessEntry,
    FirewallRule,
    FtpSite,
    PortOpening,
    ServiceConfig,
    ServiceStatus,
    ShareDetails,
    parse_advfirewall_rules,
    parse_firewall_portopening,
    parse_icacls,
    parse_iisftp_query,
    parse_net_share_details,
    parse_sc_qc,
    parse_sc_query,
    probe_head,
    probe_section,
    split_sections,
)

FTP_SERVICE = "MSFTPSVC"
IISFTP = "cscript //nologo %SystemRoot%\\system32\\iisftp.vbs"
DEFAULT_FTP_SITE = FtpSite("Default FTP Site", "MSFTPSVC/1", "STARTED", "", 21)
# sysocmgr answer file for IIS 6 FTP (reference 2.1); `;` starts an .inf comment.
FTP_ANSWER_FILE = [
    "; Written by vncustoms.vnaccs.base_server: installs IIS FTP (sysocmgr /u:).",
    "[Components]",
    "iis_common = On",
    "iis_ftp = On",
]
# icacls rights from weakest to strongest (reference 4.3); a writer needs at least M.
READ_RIGHT, WRITE_RIGHT = "RX", "M"
WRITE_SATISFIED_BY = ("M", "F")
INHERIT = "(OI)(CI)"
FIREWALL_FORMS = ("netsh_firewall", "advfirewall")
FTP_INSTALLERS = ("sysocmgr", "servermanagercmd")
# The command forms of each Windows version (reference 4.2: /GRANT only on 2008; 5.3: netsh
# firewall on 2003, netsh advfirewall on 2008; 2.1/2.2: the installers).
FORMS_BY_FAMILY = {
    "2003": {"share_grant": False, "firewall": "netsh_firewall", "ftp_installer": "sysocmgr"},
    "2008": {"share_grant": True, "firewall": "advfirewall", "ftp_installer": "servermanagercmd"},
}

_PATH = re.compile(r"^[A-Za-z]:\\(?:[A-Za-z0-9_.$-]+\\?)*$")
_FOLDER = re.compile(r"^[A-Za-z0-9_.-]+(?:[\\/][A-Za-z0-9_.-]+)*$")
_SHARE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")
_TEXT = re.compile(r"^[ -~]*$")
_PRINCIPAL = re.compile(r"^[A-Za-z0-9_.\\ -]+$")


# -- wanted state -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Forms:
    """The command forms of one Windows version (chosen by data: FORMS_BY_FAMILY)."""

    share_grant: bool
    firewall: str
    ftp_installer: str


@dataclass(frozen=True)
class WantedShare:
    """A share as wanted: `net share NAME=PATH`, its remark and (2008) its /GRANT entries."""

    name: str
    path: str
    remark: str
    grants: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class WantedFtp:
    site_name: str
    port: int  # TCP 21 unless the role says otherwise (Appendix III)
    root: str  # the site's home folder, below the base server's root


@dataclass(frozen=True)
class Wanted:
    root: str
    folders: tuple[str, ...]
    readers: tuple[str, ...]
    writers: tuple[str, ...]
    shares: tuple[WantedShare, ...]
    ftp: WantedFtp | None
    firewall_rule: str
    services: tuple[str, ...]
    # None until the host's version is known (see with_forms).
    forms: Forms | None = None
    install: bool = True
    work_dir: str = "%SystemRoot%\\Temp"
    # Seconds the installer may run (the other commands have the host's command deadline).
    install_timeout: float = engine.INSTALL_TIMEOUT


def choose_forms(given: dict, family: str) -> Forms:
    """The forms the role gave; any left `auto` (or None) come from the detected version."""
    defaults = FORMS_BY_FAMILY.get(family)
    chosen = {}
    for key in ("share_grant", "firewall", "ftp_installer"):
        value = given.get(key)
        if value is None or value == "auto":
            if defaults is None:
                raise engine.PlanError(
                    f"forms.{key}: a base server runs Windows Server 2003 or 2008, not {family!r}"
                )
            value = defaults[key]
        chosen[key] = value
    return Forms(**chosen)


def _text(value: str, where: str) -> str:
    value = str(value)
    if not _TEXT.match(value) or '"' in value or "%" in value:
        raise engine.PlanError(
            f"{where}: {value!r} must be printable ASCII without double quotes or %; the WinRM shell "
            "runs in code page 437 (write Vietnamese names without diacritics)"
        )
    return value


def _principal(value: str, where: str) -> str:
    value = str(value).strip()
    if not value or not _PRINCIPAL.match(value):
        raise engine.PlanError(
            f"{where}: {value!r} is not an account or group name (letters, digits, \\ . _ - space)"
        )
    return value


def _relative(folder: str) -> bool:
    """A path below root: safe characters, and no `.` or `..` part that would leave it."""
    parts = re.split(r"[\\/]", folder)
    return bool(_FOLDER.match(folder)) and not any(part in (".", "..") for part in parts)


def join(root: str, folder: str) -> str:
    folder = folder.replace("/", "\\").strip("\\")
    return root if not folder else f"{root}\\{folder}"


def with_forms(wanted: Wanted, given: dict | None, family: str) -> Wanted:
    """The wanted state with the command forms of the host's version (the `forms` argument first)."""
    return replace(wanted, forms=choose_forms(given or {}, family))


def wanted_state(args: dict) -> Wanted:
    """Check the plugin's arguments and build the wanted state. Errors name the argument.

    Everything but the version's command forms is checked here, before the host is contacted.
    """
    root = str(args["root"]).rstrip("\\")
    if not _PATH.match(root + "\\") or len(root) < 4:
        raise engine.PlanError(
            f"root: {args['root']!r} must be an absolute folder below a drive (C:\\VNACCS\\Base) with "
            "letters, digits, _ . $ - only (no spaces: the paths go through cmd.exe unquoted)"
        )
    folders = []
    for index, folder in enumerate(args.get("folders") or []):
        if not _relative(str(folder)):
            raise engine.PlanError(
                f"folders[{index}]: {folder!r} must be a relative path of letters, digits, _ . -"
            )
        folders.append(join(root, str(folder)))
    readers = tuple(_principal(p, f"readers[{i}]") for i, p in enumerate(args.get("readers") or []))
    writers = tuple(_principal(p, f"writers[{i}]") for i, p in enumerate(args.get("writers") or []))
    readers = tuple(p for p in readers if p.lower() not in {w.lower() for w in writers})
    every_folder = [root, *folders]
    shares = []
    for index, spec in enumerate(args.get("shares") or []):
        name = str(spec["name"])
        if not _SHARE_NAME.match(name):
            raise engine.PlanError(f"shares[{index}].name: {name!r} must be letters, digits, _ . - (1-80)")
        folder = str(spec.get("folder") or "")
        if folder and not _relative(folder):
            raise engine.PlanError(f"shares[{index}].folder: {folder!r} must be a relative path below root")
        path = join(root, folder)
        if path.lower() not in {f.lower() for f in every_folder}:
            folders.append(path)
            every_folder.append(path)
        grants = tuple((p, "READ") for p in readers) + tuple((p, "CHANGE") for p in writers)
        shares.append(
            WantedShare(name, path, _text(spec.get("remark") or "", f"shares[{index}].remark"), grants)
        )
    names = [share.name.lower() for share in shares]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise engine.PlanError(f"shares: {', '.join(duplicates)} listed more than once")
    ftp = None
    spec = args.get("ftp") or {}
    if spec.get("enabled", True):
        port = int(spec.get("port") or 21)
        if not 0 < port < 65536:
            raise engine.PlanError(f"ftp.port: {port} is not a TCP port")
        folder = str(spec.get("folder") or "")
        if folder and not _relative(folder):
            raise engine.PlanError(f"ftp.folder: {folder!r} must be a relative path below root")
        site = _text(spec.get("site_name") or "VNACCS Base Server", "ftp.site_name")
        ftp_root = join(root, folder)
        if ftp_root.lower() not in {f.lower() for f in every_folder}:
            folders.append(ftp_root)
        ftp = WantedFtp(site, port, ftp_root)
    services = tuple(str(s) for s in args.get("services") or [])
    if ftp is not None and FTP_SERVICE.lower() not in {s.lower() for s in services}:
        services += (FTP_SERVICE,)
    return Wanted(
        root=root,
        folders=tuple(dict.fromkeys(folders)),
        readers=readers,
        writers=writers,
        shares=tuple(shares),
        ftp=ftp,
        firewall_rule=_text(args.get("firewall_rule") or "VNACCS base server FTP", "firewall_rule"),
        services=services,
        install=bool(args.get("install", True)),
        install_timeout=engine.install_timeout(args),
        work_dir=str(args.get("work_dir") or "%SystemRoot%\\Temp").rstrip("\\"),
    )


# -- what is on the host ----------------------------------------------------------------------------
@dataclass
class HostState:
    computer_name: str = ""
    ftp_installed: bool = False
    service_config: dict[str, ServiceConfig | None] = field(default_factory=dict)
    service_status: dict[str, ServiceStatus | None] = field(default_factory=dict)
    acls: dict[str, list[AccessEntry] | None] = field(default_factory=dict)
    shares: dict[str, ShareDetails | None] = field(default_factory=dict)
    ftp_sites: list[FtpSite] = field(default_factory=list)
    port_openings: list[PortOpening] = field(default_factory=list)
    firewall_rules: list[FirewallRule] = field(default_factory=list)


def _firewall_probe(wanted: Wanted) -> str:
    if wanted.forms.firewall == "advfirewall":
        return f'netsh advfirewall firewall show rule name="{wanted.firewall_rule}"'
    return "netsh firewall show portopening"


def probe_command(wanted: Wanted) -> str:
    """One command line that reads everything the plan needs: a single WinRM round trip."""
    parts = ["hostname"]
    for index, service in enumerate(wanted.services):
        parts += [*probe_section(f"qc{index}", f"sc qc {service}")]
        parts += [*probe_section(f"query{index}", f"sc query {service}")]
    for index, folder in enumerate([wanted.root, *wanted.folders]):
        parts += [*probe_section(f"acl{index}", f"icacls {folder}")]
    for index, share in enumerate(wanted.shares):
        parts += [*probe_section(f"share{index}", f"net share {share.name}")]
    if wanted.ftp is not None:
        parts += [*probe_section("ftp", f"{IISFTP} /query")]
    parts += [*probe_section("firewall", _firewall_probe(wanted))]
    return "&".join(parts)


def parse_probe(stdout: str, wanted: Wanted) -> HostState:
    sections = split_sections(stdout)
    state = HostState()
    state.computer_name = probe_head(sections)
    for index, service in enumerate(wanted.services):
        config = parse_sc_qc(sections.get(f"qc{index}", ""))
        state.service_config[service] = config
        statuses = parse_sc_query(sections.get(f"query{index}", "")) if config else []
        state.service_status[service] = statuses[0] if statuses else None
    state.ftp_installed = state.service_config.get(FTP_SERVICE) is not None
    for index, folder in enumerate([wanted.root, *wanted.folders]):
        state.acls[folder] = parse_icacls(sections.get(f"acl{index}", ""), folder)
    for index, share in enumerate(wanted.shares):
        state.shares[share.name] = parse_net_share_details(sections.get(f"share{index}", ""))
    if wanted.ftp is not None and state.ftp_installed:
        state.ftp_sites = parse_iisftp_query(sections.get("ftp", ""))
    text = sections.get("firewall", "")
    if wanted.forms.firewall == "advfirewall":
        state.firewall_rules = parse_advfirewall_rules(text)
    else:
        state.port_openings = parse_firewall_portopening(text)
    return state


# -- the plan ---------------------------------------------------------------------------------------
def _step(what: str, lines: list[str]) -> engine.Step:
    """A step of plain commands, each judged by its exit code."""
    return engine.Step(what, tuple(engine.Command(line) for line in lines))


def install_step(wanted: Wanted, state: HostState, answer_path: str) -> engine.Step | None:
    if wanted.ftp is None or state.ftp_installed:
        return None
    if wanted.forms.ftp_installer == "sysocmgr":
        return engine.sysocmgr_install(
            "install IIS FTP (sysocmgr)",
            answer_path,
            tuple(FTP_ANSWER_FILE),
            timeout=wanted.install_timeout,
        )
    return engine.servermanagercmd_install(
        "install IIS FTP (servermanagercmd)", "Web-Ftp-Server", timeout=wanted.install_timeout
    )


def folder_step(wanted: Wanted, state: HostState) -> engine.Step | None:
    missing = [f for f in [wanted.root, *wanted.folders] if state.acls.get(f) is None]
    # mkdir makes the missing parents too; naming a parent as well would fail with "already exists".
    leaves = [f for f in missing if not any(o.lower().startswith(f.lower() + "\\") for o in missing)]
    if not leaves:
        return None
    return _step(f"create folders {', '.join(missing)}", [f"mkdir {folder}" for folder in leaves])


def _has(entries: list[AccessEntry], principal: str, rights: tuple[str, ...]) -> bool:
    return any(
        entry.principal.lower() == principal.lower()
        and "(OI)" in entry.inheritance
        and "(CI)" in entry.inheritance
        and entry.rights in rights
        for entry in entries
    )


def _grant(principal: str, right: str) -> str:
    grant = f"{principal}:{INHERIT}({right})"
    return f'"{grant}"' if " " in grant else grant


def acl_step(wanted: Wanted, state: HostState) -> engine.Step | None:
    """Readers get exactly RX and writers at least M on the root, inherited by the whole layout."""
    entries = state.acls.get(wanted.root) or []
    commands = []
    for principal in wanted.readers:
        exact = [e for e in entries if e.principal.lower() == principal.lower()]
        if not (len(exact) == 1 and _has(exact, principal, (READ_RIGHT,))):
            commands.append(f"icacls {wanted.root} /grant:r {_grant(principal, READ_RIGHT)}")
    for principal in wanted.writers:
        if not _has(entries, principal, WRITE_SATISFIED_BY):
            commands.append(f"icacls {wanted.root} /grant:r {_grant(principal, WRITE_RIGHT)}")
    if not commands:
        return None
    return _step(f"set NTFS permissions on {wanted.root}", commands)


def share_create_command(share: WantedShare, forms: Forms) -> str:
    command = f"net share {share.name}={share.path} /UNLIMITED"
    if share.remark:
        command += f' /REMARK:"{share.remark}"'
    if forms.share_grant:
        for principal, right in share.grants:
            grant = f"/GRANT:{principal},{right}"
            command += f' "{grant}"' if " " in grant else f" {grant}"
    return command


def share_drift(share: WantedShare, present: ShareDetails | None, forms: Forms) -> list[str]:
    """What differs between the share on the host and the wanted one (empty: nothing)."""
    if present is None:
        return ["absent"]
    drift = []
    if present.path.lower() != share.path.lower():
        drift.append(f"path {present.path}")
    if present.remark != share.remark:
        drift.append(f'remark "{present.remark}"')
    if present.max_users is not None:
        drift.append(f"limited to {present.max_users} users")
    # 2003 has no /GRANT and `net share NAME` shows no permissions there (reference 4.2): the share
    # keeps its default permission and access is governed by the NTFS permissions.
    if forms.share_grant:
        have = sorted((p.lower(), r.upper()) for p, r in present.permissions)
        want = sorted((p.lower(), r.upper()) for p, r in share.grants)
        if have != want:
            drift.append("permissions " + ", ".join(f"{p} {r}" for p, r in present.permissions))
    return drift


def share_steps(wanted: Wanted, state: HostState) -> list[engine.Step]:
    steps = []
    for share in wanted.shares:
        present = state.shares.get(share.name)
        drift = share_drift(share, present, wanted.forms)
        if not drift:
            continue
        commands = [] if present is None else [f"net share {share.name} /DELETE"]
        commands.append(share_create_command(share, wanted.forms))
        what = f"create share {share.name}" if present is None else f"repair share {share.name}"
        steps.append(_step(f"{what} ({'; '.join(drift)})", commands))
    return steps


def service_step(wanted: Wanted, state: HostState, assume_absent: bool) -> engine.Step | None:
    commands: list[engine.Command] = []
    for service in wanted.services:
        config = None if assume_absent and service == FTP_SERVICE else state.service_config.get(service)
        status = None if config is None else state.service_status.get(service)
        if config is None or config.start_mode != "auto":
            commands.append(engine.sc_config(service, "auto"))
        if status is None or not status.running:
            commands.append(engine.sc_start(service))
    if not commands:
        return None
    return engine.Step(f"set {', '.join(wanted.services)} Automatic and running", tuple(commands))


def _site_arg(name: str) -> str:
    return f'"{name}"'


def _site_ref(site: FtpSite) -> str:
    """How /start, /stop and /delete name a site: by its metabase path. IIsFtp.vbs resolves a site
    name through FindSite, which does nothing (and exits 0) when the name is shared by several sites,
    and IIS lets two sites share one."""
    return site.metabase_path or _site_arg(site.name)


def ftp_steps(wanted: Wanted, state: HostState, assume_absent: bool) -> list[engine.Step]:
    if wanted.ftp is None:
        return []
    ftp = wanted.ftp
    # Installing IIS FTP creates the started "Default FTP Site" (MSFTPSVC/1) on port 21 (reference 5.1).
    sites = [DEFAULT_FTP_SITE] if assume_absent else state.ftp_sites
    ours = next((s for s in sites if s.name.lower() == ftp.site_name.lower()), None)
    steps = []
    others = [
        s for s in sites if s is not ours and s.port == ftp.port and s.ip == "" and s.status == "STARTED"
    ]
    if others:
        # Only one started site can hold a port: the default site created with IIS FTP would keep
        # ours stopped. It is stopped, not deleted.
        steps.append(
            _step(
                f"stop FTP site(s) {', '.join(s.name for s in others)} holding port {ftp.port}",
                [f"{IISFTP} /stop {_site_ref(s)}" for s in others],
            )
        )
    if ours is not None and (ours.port != ftp.port or ours.ip != ""):
        steps.append(
            _step(
                f"recreate FTP site {ftp.site_name} (port {ours.port})",
                [f"{IISFTP} /delete {_site_ref(ours)}"],
            )
        )
        ours = None
    if ours is None:
        steps.append(
            _step(
                f"create FTP site {ftp.site_name} on port {ftp.port} over {ftp.root}",
                [f"{IISFTP} /create {ftp.root} {_site_arg(ftp.site_name)} /b {ftp.port}"],
            )
        )
    elif ours.status != "STARTED":
        steps.append(_step(f"start FTP site {ftp.site_name}", [f"{IISFTP} /start {_site_ref(ours)}"]))
    return steps


def _firewall_add(wanted: Wanted, port: int) -> str:
    name = wanted.firewall_rule
    if wanted.forms.firewall == "advfirewall":
        return (
            f'netsh advfirewall firewall add rule name="{name}" dir=in action=allow protocol=TCP '
            f"localport={port}"
        )
    return (
        f'netsh firewall add portopening protocol=TCP port={port} name="{name}" mode=ENABLE '
        "scope=ALL profile=ALL"
    )


def firewall_step(wanted: Wanted, state: HostState) -> engine.Step | None:
    if wanted.ftp is None:
        return None
    port = wanted.ftp.port
    if wanted.forms.firewall == "advfirewall":
        rules = state.firewall_rules
        good = [
            r
            for r in rules
            if r.enabled
            and r.direction.lower() == "in"
            and r.protocol.upper() == "TCP"
            and r.local_port == str(port)
            and r.action.lower() == "allow"
        ]
        if len(rules) == 1 and good:
            return None
        # `add rule` does not de-duplicate (reference 5.3): a wrong or doubled rule is deleted first.
        commands = [f'netsh advfirewall firewall delete rule name="{wanted.firewall_rule}"'] if rules else []
        return _step(
            f"open TCP {port} (advfirewall rule {wanted.firewall_rule})",
            [*commands, _firewall_add(wanted, port)],
        )
    openings = [o for o in state.port_openings if o.port == port and o.protocol == "TCP"]
    if openings and all(o.enabled for o in openings):
        return None
    verb = "set" if openings else "add"
    command = _firewall_add(wanted, port).replace("firewall add", f"firewall {verb}", 1)
    return _step(f"open TCP {port} (netsh firewall port opening)", [command])


def plan(
    wanted: Wanted, state: HostState, answer_path: str, assume_ftp_absent: bool = False
) -> list[engine.Step]:
    """Every step that turns `state` into `wanted`, in the order they must run."""
    steps: list[engine.Step] = []
    install = install_step(wanted, state, answer_path)
    assume = assume_ftp_absent or install is not None
    for step in (install, folder_step(wanted, state), acl_step(wanted, state)):
        if step is not None:
            steps.append(step)
    steps += share_steps(wanted, state)
    service = service_step(wanted, state, assume)
    if service is not None:
        steps.append(service)
    steps += ftp_steps(wanted, state, assume)
    firewall = firewall_step(wanted, state)
    if firewall is not None:
        steps.append(firewall)
    return steps


# -- how the state reads in a diff ------------------------------------------------------------------
def render_state(wanted: Wanted, state: HostState) -> str:
    lines = []
    for folder in [wanted.root, *wanted.folders]:
        entries = state.acls.get(folder)
        lines.append(f"folder {folder}: {'present' if entries is not None else 'absent'}")
    entries = state.acls.get(wanted.root) or []

    def rights(principal: str) -> str:
        found = [f"{e.inheritance}({e.rights})" for e in entries if e.principal.lower() == principal.lower()]
        return " ".join(found) or "none"

    # Judged as the plan judges them, so that a host needing no change shows no difference.
    for principal in wanted.readers:
        exact = [e for e in entries if e.principal.lower() == principal.lower()]
        read = len(exact) == 1 and _has(exact, principal, (READ_RIGHT,))
        lines.append(f"  ntfs {principal}: {'read' if read else rights(principal)}")
    for principal in wanted.writers:
        write = _has(entries, principal, WRITE_SATISFIED_BY)
        lines.append(f"  ntfs {principal}: {'modify or full' if write else rights(principal)}")
    for share in wanted.shares:
        present = state.shares.get(share.name)
        if present is None:
            lines.append(f"share {share.name}: absent")
            continue
        lines.append(f'share {present.name}: {present.path} remark "{present.remark}"')
        lines += [f"  grant {p} {r}" for p, r in sorted(present.permissions, key=lambda g: g[0].lower())]
    for service in wanted.services:
        config, status = state.service_config.get(service), state.service_status.get(service)
        if config is None:
            lines.append(f"service {service}: not installed")
        else:
            running = "running" if status is not None and status.running else "stopped"
            lines.append(f"service {service}: start={config.start_mode} {running}")
    if wanted.ftp is not None:
        name, port = wanted.ftp.site_name, wanted.ftp.port
        ours = next((s for s in state.ftp_sites if s.name.lower() == name.lower()), None)
        lines.append(f"ftp site {name}: " + (f"port {ours.port} {ours.status}" if ours else "absent"))
        others = [
            s.name for s in state.ftp_sites if s is not ours and s.port == port and s.status == "STARTED"
        ]
        if others:
            lines.append(f"  other sites started on port {port}: {', '.join(others)}")
        lines += _render_firewall(wanted, state)
    return "\n".join(lines) + "\n"


def _render_firewall(wanted: Wanted, state: HostState) -> list[str]:
    if wanted.forms.firewall == "advfirewall":
        if not state.firewall_rules:
            return [f"firewall rule {wanted.firewall_rule}: absent"]
        return [
            f"firewall rule {r.name}: {'enabled' if r.enabled else 'disabled'} {r.direction} "
            f"{r.protocol} {r.local_port} {r.action}"
            for r in state.firewall_rules
        ]
    port = wanted.ftp.port if wanted.ftp else 21
    openings = [o for o in state.port_openings if o.port == port and o.protocol == "TCP"]
    if not openings:
        return [f"firewall TCP {port}: closed"]
    names = ", ".join(sorted({o.name for o in openings}))
    if all(o.enabled for o in openings):
        return [f"firewall TCP {port}: open ({names})"]
    return [f"firewall TCP {port}: disabled in some profiles ({names})"]


def render_wanted(wanted: Wanted) -> str:
    """The state as it will be after the plan ran, in the same form as render_state."""
    state = HostState(ftp_installed=wanted.ftp is not None)
    for folder in [wanted.root, *wanted.folders]:
        state.acls[folder] = []
    state.acls[wanted.root] = [AccessEntry(p, INHERIT, READ_RIGHT) for p in wanted.readers] + [
        AccessEntry(p, INHERIT, WRITE_RIGHT) for p in wanted.writers
    ]
    for share in wanted.shares:
        grants = share.grants if wanted.forms.share_grant else ()
        state.shares[share.name] = ShareDetails(share.name, share.path, share.remark, None, grants)
    for service in wanted.services:
        state.service_config[service] = ServiceConfig(service, 2, "AUTO_START", False, "", "", "")
        state.service_status[service] = ServiceStatus(service, 4, "RUNNING", 0x20, 0)
    if wanted.ftp is not None:
        state.ftp_sites = [FtpSite(wanted.ftp.site_name, "", "STARTED", "", wanted.ftp.port)]
        if wanted.forms.firewall == "advfirewall":
            state.firewall_rules = [
                FirewallRule(wanted.firewall_rule, True, "In", "TCP", str(wanted.ftp.port), "Allow")
            ]
        else:
            state.port_openings = [PortOpening(wanted.ftp.port, "TCP", True, wanted.firewall_rule, "all")]
    return render_state(wanted, state)


# -- the plugin's plan, for the apply engine -------------------------------------------------------
class BaseServerPlan(engine.WindowsPlan):
    """Folders, NTFS permissions, shares, services, the FTP site and the firewall on one host."""

    unchanged_msg = "the base server is as wanted"

    def __init__(self, wanted: Wanted) -> None:
        if wanted.forms is None:
            raise ValueError("BaseServerPlan needs the wanted state with its forms (with_forms)")
        self.wanted = wanted
        self.answer_path = f"{wanted.work_dir}\\vnaccs_ftp_install.txt"

    def probe_command(self) -> str:
        return probe_command(self.wanted)

    def temporary_files(self) -> list[str]:
        return [self.answer_path]

    def parse_probe(self, stdout: str) -> HostState:
        return parse_probe(stdout, self.wanted)

    def steps(self, state: HostState) -> list[engine.Step]:
        steps = plan(self.wanted, state, self.answer_path)
        if steps and steps[0].reprobe and not self.wanted.install:
            raise engine.PlanError("IIS FTP is not installed and install is false")
        return steps

    def result(self, state: HostState, steps: list[engine.Step]) -> dict[str, Any]:
        wanted, forms = self.wanted, self.wanted.forms
        return {
            "forms": {
                "share_grant": forms.share_grant,
                "firewall": forms.firewall,
                "ftp_installer": forms.ftp_installer,
            },
            "folders": [wanted.root, *wanted.folders],
            "shares": {share.name: share.path for share in wanted.shares},
            "ftp_site": wanted.ftp.site_name if wanted.ftp else "",
        }

    def render(self, state: HostState) -> str:
        return render_state(self.wanted, state)

    def render_wanted(self) -> str:
        return render_wanted(self.wanted)
