"""A lab: several emulated hosts in one process, and the control interface to steer them.

Control interface (JSON over HTTP on loopback, the port is in the runtime file):

    GET    /hosts                          every host: profile, address, ports, counters, lockouts, faults
    GET    /hosts/<name>/state             the host's model state (what a verify step can compare with)
    POST   /hosts/<name>/lockout/reset     unlock every account on the host
    POST   /hosts/<name>/faults            {"down": true} | {"slow": seconds} | {"drop": n} |
                                           {"service_stopped": "DHCPServer"} | {"msi_busy": n | true} |
                                           {"msi_fail": n} | {"msi_restart": 3010 | 1641} (msiexec) |
                                           {"command_delay": seconds} (commands run that long) |
                                           {"service_start_delay": seconds} (START_PENDING that long) |
                                           {"service_start_fails": {"DHCPServer": 1067}} (starts fail) |
                                           {"program_installed": {"name", "version"}} | {"local_account":
                                           {"rid": 501, "disabled": false}} | {"audit_policy":
                                           {"AuditLogonEvents": 0}} | {"hotfix_removed": "KB976902"}
    DELETE /hosts/<name>/faults            clear faults (and bring a down host back up)
    GET    /hosts/<name>/counters          requests, WS-Man operations, HTTP bytes, connections, open shells
    POST   /hosts/<name>/counters/reset    zero them
    GET    /counters, POST /counters/reset every host's counters ({host: counters}); zero them all
    GET    /settings, POST /settings       {"reply_delay": seconds}: every HTTP reply held back that long
    POST   /hosts/<name>/clock             {"time": "2026-11-30T10:00:00"} pins the host clock; null frees it
    POST   /hosts/<name>/dhcp/leases       {"scope", "ip", "mac", "client", "expires"}: a client took a lease
    GET    /hosts/<name>/transfers         the host's FTP file transfers and byte totals (`Lab.transfers`)
    DELETE /hosts/<name>/transfers         forget them (`Lab.reset_transfers`)

Each host also has a loopback listener that stands for its FTP port 21 (winlab/ftp.py), serving the
files of its emulated disk; its port is `ftp_port` in `GET /hosts` and the runtime file. A host
with a `dhcp_port` has a UDP listener that stands for its DHCP server port 67 and answers relayed
DHCPDISCOVERs from its scopes (winlab/dhcp.py); offers go to the loopback address that the lab's
`dhcp_relay_agents` gives for their giaddr.
"""

from __future__ import annotations

import contextlib
import gc
import ipaddress
import json
import math
import os
import resource
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from winlab import auth, certs
from winlab.dhcp import DhcpResponder
from winlab.ftp import FtpEndpoint, Transfers, converse
from winlab.model import Host, defaults, msi, registry, security, services, tasks
from winlab.portal import Portal
from winlab.server import (
    LOCKOUT_THRESHOLD,
    Endpoint,
    HostRuntime,
    Listeners,
    account_key,
    bind,
    json_reply,
    state_path,
)

# Where the lab may listen: loopback, and the container network range of the lab (DESIGN.md).
LAB_NETWORKS = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("198.18.0.0/15"))
FAULTS = (
    "down",
    "slow",
    "drop",
    "service_stopped",
    "msi_busy",
    "msi_fail",
    "msi_restart",
    "command_delay",
    "service_start_delay",
    "service_start_fails",
    # Changes of the host's settings, kept in its state (winlab.model.security; DELETE does not undo them).
    "program_installed",
    "local_account",
    "audit_policy",
    "hotfix_removed",
)


@dataclass
class HostConfig:
    name: str
    profile: str
    http_port: int = 0
    https_port: int = 0
    # The address of the modeled network card (what ipconfig and netsh dhcp dump show).
    address: str | None = None
    # Seconds a started service stays START_PENDING on this host; None: the lab's service_start_delay.
    service_start_delay: float | None = None
    # The loopback port that stands for the host's FTP port 21 (winlab/ftp.py); 0 picks a free one;
    # None: no stand-in, the host's port 21 refuses every connection (for a lab of thousands of hosts
    # that only its base servers' FTP is asked of: one socket per host fewer).
    ftp_port: int | None = 0
    # The Windows computer name (default: from the host name) and, for a host that leases its
    # address, the DHCP server `ipconfig /all` names (default: .5 of its subnet).
    computer_name: str | None = None
    dhcp_server: str | None = None
    # The loopback UDP port that stands for the host's DHCP server port 67 (winlab/dhcp.py); 0 picks a
    # free one; None: the host answers no DHCP traffic.
    dhcp_port: int | None = None


def seconds(value: object, where: str) -> float:
    """A duration from a configuration or the control interface: seconds, finite, not negative."""
    if isinstance(value, bool):
        raise ValueError(f"{where} must be a number of seconds, not {value!r}")
    try:
        delay = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{where} must be a number of seconds, not {value!r}") from None
    if not math.isfinite(delay) or delay < 0:
        raise ValueError(f"{where} must be 0 or more seconds, not {value!r}")
    return delay


def start_delay(value: object, where: str) -> float:
    """A service start delay from a configuration: seconds, not negative."""
    return seconds(value, f"{where}: service_start_delay")


@dataclass
class LabConfig:
    state_dir: Path
    hosts: list[HostConfig]
    accounts: dict[str, str] = field(default_factory=lambda: {"Administrator": "Winlab-Pa55"})
    address: str = "127.0.0.1"
    https: bool = True
    allow_basic: bool = True
    control_port: int = 0
    # How long a restarting host refuses connections after `shutdown -r`.
    reboot_seconds: float = 5.0
    # Seconds a service stays START_PENDING after `sc start` / `net start` before it runs, on every
    # host that does not set its own (HostConfig.service_start_delay). 0: it runs at once.
    service_start_delay: float = defaults.SERVICE_START_DELAY
    # Accounts (names, any case, with or without domain) that the hosts' FTP servers let only read.
    read_only_accounts: list[str] = field(default_factory=list)
    # Where a relay agent's address (a DISCOVER's giaddr) is reached in the lab: giaddr -> a loopback
    # address. The hosts' DHCP offers go there (winlab/dhcp.py); a giaddr not named gets nothing back.
    dhcp_relay_agents: dict[str, str] = field(default_factory=dict)
    # Seconds every host holds back each HTTP reply: the emulated round trip of a branch WAN link.
    reply_delay: float = 0.0

    def __post_init__(self) -> None:
        self.service_start_delay = start_delay(self.service_start_delay, "lab")
        self.reply_delay = seconds(self.reply_delay, "lab: reply_delay")
        if isinstance(self.read_only_accounts, str) or not all(
            isinstance(name, str) for name in self.read_only_accounts
        ):
            raise ValueError(
                f"read_only_accounts must be a list of account names, not {self.read_only_accounts!r}"
            )
        self.read_only_accounts = list(self.read_only_accounts)
        self.dhcp_relay_agents = relay_agents(self.dhcp_relay_agents, self.address)
        for host in self.hosts:
            if host.service_start_delay is not None:
                host.service_start_delay = start_delay(host.service_start_delay, f"host {host.name}")

    @classmethod
    def from_dict(cls, data: dict, base: Path, environ: Mapping[str, str] | None = None) -> LabConfig:
        hosts = [
            HostConfig(**{k: v for k, v in host.items() if k in HostConfig.__annotations__})
            for host in data["hosts"]
        ]
        state_dir = Path(data.get("state_dir", "state"))
        return cls(
            state_dir=state_dir if state_dir.is_absolute() else base / state_dir,
            hosts=hosts,
            accounts=accounts_from(data, os.environ if environ is None else environ),
            address=data.get("address", "127.0.0.1"),
            https=bool(data.get("https", True)),
            allow_basic=bool(data.get("allow_basic", True)),
            control_port=int(data.get("control_port", 0)),
            reboot_seconds=float(data.get("reboot_seconds", 5.0)),
            service_start_delay=data.get("service_start_delay", defaults.SERVICE_START_DELAY),
            read_only_accounts=data.get("read_only_accounts") or [],
            dhcp_relay_agents=data.get("dhcp_relay_agents") or {},
            reply_delay=data.get("reply_delay", 0.0),
        )


def relay_agents(value: object, listen: str) -> dict[str, str]:
    """`dhcp_relay_agents`, checked: each giaddr an IPv4 address, each stand-in a loopback address
    other than the one the lab listens on (an offer must never come back to the hosts' own sockets)."""
    if not isinstance(value, dict):
        raise ValueError(f"dhcp_relay_agents must map relay addresses to loopback addresses, not {value!r}")
    checked = {}
    for giaddr, local in value.items():
        try:
            relay, stand_in = ipaddress.IPv4Address(str(giaddr)), ipaddress.IPv4Address(str(local))
        except ValueError:
            raise ValueError(f"dhcp_relay_agents: {giaddr!r}: {local!r} are not two IPv4 addresses") from None
        if not stand_in.is_loopback or str(stand_in) == listen:
            raise ValueError(
                f"dhcp_relay_agents: {giaddr} must be reached at a loopback address other than {listen}, "
                f"not {stand_in}"
            )
        checked[str(relay)] = str(stand_in)
    return checked


def accounts_from(data: dict, environ: Mapping[str, str]) -> dict[str, str]:
    """The lab's accounts: `accounts` of the configuration, and the one `account_from_environment`
    names ({"user": VARIABLE, "password": VARIABLE}), read from the environment of the lab process
    so that no configuration file holds its password."""
    accounts = dict(data.get("accounts") or {})
    names = data.get("account_from_environment")
    if names:
        missing = [names[key] for key in ("user", "password") if not environ.get(names[key])]
        if missing:
            raise ValueError(f"account_from_environment: winlab's environment has no {' or '.join(missing)}")
        accounts[environ[names["user"]]] = environ[names["password"]]
    return accounts or {"Administrator": "Winlab-Pa55"}


class Lab:
    def __init__(self, config: LabConfig) -> None:
        if not any(ipaddress.ip_address(config.address) in net for net in LAB_NETWORKS):
            raise ValueError(
                f"winlab listens on loopback (127.0.0.0/8), or in a container on the lab network "
                f"198.18.0.0/15, not on {config.address}"
            )
        self.config = config
        self.listeners = Listeners()
        # Each host's stand-in for its FTP port 21 (winlab/ftp.py), and the port it keeps.
        self.ftp: dict[str, FtpEndpoint] = {}
        self.ftp_ports: dict[str, int] = {}
        # Each host's FTP file transfers, kept while its listener closes and opens again.
        self.ftp_transfers: dict[str, Transfers] = {}
        self.runtimes: dict[str, HostRuntime] = {}
        self.endpoints: dict[str, list[Endpoint]] = {}
        # The ports of a host that is down, held closed (bound, not listening) until it is up again.
        self.held_ports: dict[str, list[socket.socket]] = {}
        self.ssl_context: ssl.SSLContext | None = None
        self.cert_path: Path | None = None
        self.control: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()
        self._running = False
        self._accounts_descriptor: int | None = None
        self.dhcp = DhcpResponder(
            config.dhcp_relay_agents, lambda name: bool(self.runtimes[name].faults.get("down"))
        )
        # name, computer name or address (lower case) -> host name; built at the first look-up.
        self._name_index: dict[str, str] | None = None
        # The emulated Ecus6 portal the workstations' daily check reaches (winlab/portal.py).
        self.portal = Portal(config.address)

    # -- life cycle -------------------------------------------------------------------------------------
    def start(self) -> Lab:
        # The start builds every host's model at once: thousands of objects each, kept. Python's
        # collector would pass over all of them again and again as they pile up, a cost that grows
        # faster than the hosts; nothing made here is garbage, so it is paused until the lab runs.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._start()
        finally:
            if collecting:
                gc.enable()

    def _start(self) -> Lab:
        config = self.config
        # Each host listens on HTTP, HTTPS when enabled, its FTP stand-in (winlab/ftp.py) and, when
        # configured, its DHCP stand-in (winlab/dhcp.py).
        extra = sum((host.dhcp_port is not None) + (host.ftp_port is not None) for host in config.hosts)
        _raise_file_limit(len(config.hosts) * (2 if config.https else 1) + extra + 512)
        config.state_dir.mkdir(parents=True, exist_ok=True)
        self.accounts_file, self._accounts_descriptor = auth.open_ntlm_accounts(
            config.accounts, config.state_dir / "ntlm-accounts"
        )
        if config.https:
            self.cert_path, key_path = certs.make_self_signed(config.state_dir / "tls")
            self.ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ssl_context.load_cert_chain(self.cert_path, key_path)
        for host_config in config.hosts:
            host = Host(
                host_config.name,
                host_config.profile,
                state_path(config.state_dir, host_config.name),
                address=host_config.address,
                service_start_delay=self._start_delay(host_config),
                computer_name=host_config.computer_name,
                dhcp_server=host_config.dhcp_server,
            )
            runtime = HostRuntime(host, config.accounts, config.address, self.accounts_file)
            runtime.reply_delay = config.reply_delay
            host.resolver = self._resolve
            host.ftp_locator = self._ftp_target
            host.accounts = runtime.check_password
            self.runtimes[host.name] = runtime
            self._open(runtime, host_config.http_port, host_config.https_port)
            if host_config.ftp_port is not None:
                self._open_ftp(runtime, host_config.ftp_port)
            if host_config.dhcp_port is not None:
                self.dhcp.add(runtime, config.address, int(host_config.dhcp_port))
        self.listeners.start()
        if self.dhcp.ports:
            self.dhcp.start()
        self.portal.start()
        self._running = True
        threading.Thread(target=self._watch_reboots, name="winlab-reboots", daemon=True).start()
        self.control = ThreadingHTTPServer((config.address, config.control_port), _control_handler(self))
        self.control.daemon_threads = True
        threading.Thread(
            target=self.control.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="winlab-control",
            daemon=True,
        ).start()
        return self

    def stop(self) -> None:
        self._running = False
        if self.control is not None:
            self.control.shutdown()
            self.control.server_close()
        self.listeners.stop()
        self.dhcp.stop()
        self.portal.stop()
        for held in self.held_ports.values():
            for sock in held:
                sock.close()
        self.held_ports.clear()
        for runtime in self.runtimes.values():
            self._drop_connections(runtime)
            runtime.host.save()
        auth.close_ntlm_accounts(self._accounts_descriptor)
        self._accounts_descriptor = None

    def __enter__(self) -> Lab:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _start_delay(self, host_config: HostConfig) -> float:
        """The configured service start delay of a host: its own, or the lab's."""
        if host_config.service_start_delay is not None:
            return host_config.service_start_delay
        return self.config.service_start_delay

    def _open(self, runtime: HostRuntime, http_port: int, https_port: int) -> None:
        endpoints = []
        sock = bind(self.config.address, http_port)
        runtime.http_port = sock.getsockname()[1]
        endpoints.append(Endpoint(runtime, "http", sock, self.config.allow_basic))
        if self.ssl_context is not None:
            sock = bind(self.config.address, https_port)
            runtime.https_port = sock.getsockname()[1]
            endpoints.append(Endpoint(runtime, "https", sock, self.config.allow_basic, self.ssl_context))
        self.endpoints[runtime.name] = endpoints
        for endpoint in endpoints:
            self.listeners.add(endpoint)

    def _open_ftp(self, runtime: HostRuntime, port: int) -> None:
        endpoint = FtpEndpoint(
            runtime.host,
            bind(self.config.address, port),
            runtime=runtime,
            read_only=frozenset(account_key(name) for name in self.config.read_only_accounts),
            transfers=self.ftp_transfers.setdefault(runtime.name, Transfers()),
            networks=LAB_NETWORKS,
        )
        self.ftp[runtime.name] = endpoint
        self.ftp_ports[runtime.name] = endpoint.sock.getsockname()[1]
        self.listeners.add(endpoint, converse)

    def _watch_reboots(self) -> None:
        """Carry out scheduled `shutdown -r`: the host goes down, then comes back restarted."""
        while self._running:
            now = time.time()
            for name, runtime in list(self.runtimes.items()):
                host = runtime.host
                with host.lock:
                    due = [
                        entry
                        for entry in host.state["reboots"]
                        if not entry.get("done") and not entry.get("aborted") and entry["due"] <= now
                    ]
                    for entry in due:
                        entry["done"] = True
                    if due:
                        tasks.complete_reboot(host)
                        host.save()
                if due and not runtime.faults.get("down"):
                    self.set_fault(name, down=True)
                    if any(entry["restart"] for entry in due):
                        # A shutdown without -r leaves the host off until the control interface clears it.
                        threading.Timer(self.config.reboot_seconds, self._boot, args=(runtime,)).start()
            time.sleep(0.1)

    def _boot(self, runtime: HostRuntime) -> None:
        if self._running:
            self._bring_up(runtime)

    @staticmethod
    def _drop_connections(runtime: HostRuntime) -> None:
        with runtime.lock:
            connections = list(runtime.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(2)

    @staticmethod
    def _names_of(name: str, runtime: HostRuntime) -> set[str]:
        """What a UNC path or an FTP command may call a host: inventory name, computer name, address."""
        host = runtime.host
        return {name.lower(), host.computer_name.lower(), host.state["network"]["address"]}

    def _named(self, server: str) -> tuple[str, HostRuntime] | None:
        """The host `server` names (the first, in the configuration's order), from an index of every
        host's names, so that a fleet's cross-host checks cost one look-up each, not a scan of the lab;
        a name the index lacks (a host's address changed since) falls back to the scan."""
        wanted = server.lower()
        index = self._name_index
        if index is None:
            index = {}
            for name, runtime in self.runtimes.items():
                for key in self._names_of(name, runtime):
                    index.setdefault(key, name)
            self._name_index = index
        name = index.get(wanted)
        if name is not None and wanted in self._names_of(name, self.runtimes[name]):
            return name, self.runtimes[name]
        for name, runtime in self.runtimes.items():
            if wanted in self._names_of(name, runtime):
                return name, runtime
        return None

    def _resolve(self, server: str) -> Host | None:
        """The emulated host a UNC server name means (inventory name, computer name or modeled
        address), or None when there is none or it is down."""
        found = self._named(server)
        if found is None:
            return None
        runtime = found[1]
        return None if runtime.faults.get("down") else runtime.host

    def _ftp_target(self, server: str) -> tuple[str, int] | None:
        """Where the FTP port 21 of the emulated host a name or modeled address means listens, or None
        when no host has that name. A host that is down keeps its port, closed: connection refused.
        Port 0: the host has no FTP stand-in (`HostConfig.ftp_port` None), every connection refused."""
        found = self._named(server)
        return None if found is None else (self.config.address, self.ftp_ports.get(found[0], 0))

    # -- what tests and the control interface use ----------------------------------------------------------
    def runtime(self, name: str) -> HostRuntime:
        try:
            return self.runtimes[name]
        except KeyError:
            raise KeyError(f"no winlab host named {name!r}") from None

    def host(self, name: str) -> Host:
        return self.runtime(name).host

    @property
    def control_url(self) -> str:
        assert self.control is not None
        host, port = self.control.server_address[:2]
        return f"http://{host}:{port}"

    def describe(self) -> dict:
        hosts = {}
        for name, runtime in self.runtimes.items():
            hosts[name] = {
                "profile": runtime.host.profile.key,
                "address": runtime.address,
                "http_port": runtime.http_port,
                "https_port": runtime.https_port,
                "ftp_port": self.ftp_ports.get(name, 0),
                "dhcp_port": self.dhcp.ports.get(name, 0),
                "locked": sorted(
                    user for user, count in runtime.bad_logons.items() if count >= LOCKOUT_THRESHOLD
                ),
                "faults": {
                    **runtime.faults,
                    **{
                        f"msi_{key}": value for key, value in runtime.host.state.get("msi_faults", {}).items()
                    },
                },
                "service_start_delay": runtime.host.service_start_delay,
                **runtime.counters(),
            }
        return {
            "control_url": self.control_url,
            "cert": str(self.cert_path or ""),
            "dhcp_relay_agents": dict(self.config.dhcp_relay_agents),
            "portal_url": self.portal.url,
            "portal_admin_url": self.portal.admin_url,
            "hosts": hosts,
        }

    def set_fault(self, name: str, **faults) -> None:
        runtime = self.runtime(name)
        unknown = set(faults) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown fault(s) {', '.join(sorted(unknown))}; known: {', '.join(FAULTS)}")
        if {"msi_busy", "msi_fail", "msi_restart"} & set(faults):
            # msiexec's faults live in the host's state (winlab.model.msi): msi_busy (another Windows
            # Installer transaction holds the mutex: 1618), msi_fail (1603), msi_restart (3010, 1641).
            with runtime.host.lock:
                msi.set_faults(runtime.host.state, faults)
                runtime.host.save()
            for name_ in ("msi_busy", "msi_fail", "msi_restart"):
                faults.pop(name_, None)  # counted down in the host's state, shown from there
        if "service_stopped" in faults:
            services.crash(runtime.host, str(faults.pop("service_stopped")))
        settings = {key: faults.pop(key) for key in SETTING_FAULTS if key in faults}
        if settings:
            with runtime.host.lock:
                change_settings(runtime.host, settings)
                runtime.host.save()
        if "service_start_delay" in faults:
            # Starts from now on take this long (a start already pending keeps its deadline).
            delay = start_delay(faults.pop("service_start_delay"), f"host {name}")
            with runtime.host.lock:
                runtime.host.service_start_delay = delay
            with runtime.lock:
                runtime.faults["service_start_delay"] = delay
        if "service_start_fails" in faults:
            failures = _start_failures(runtime.host, faults.pop("service_start_fails"))
            with runtime.host.lock:
                runtime.host.start_failures.update(failures)
                current = dict(runtime.host.start_failures)
            with runtime.lock:
                runtime.faults["service_start_fails"] = current
        if faults.get("down"):
            with self._lock:
                ports = []
                for endpoint in self.endpoints.pop(name, []):
                    ports.append(endpoint.sock.getsockname()[1])
                    self.listeners.remove(endpoint.sock)
                if name in self.ftp:
                    ports.append(self.ftp[name].sock.getsockname()[1])
                    self.listeners.remove(self.ftp.pop(name).sock)
                # Held closed: refused meanwhile, and no other lab or program is given them.
                self.held_ports.setdefault(name, []).extend(
                    bind(self.config.address, port, listen=False) for port in ports
                )
            self._drop_connections(runtime)
        with runtime.lock:
            runtime.faults.update({key: value for key, value in faults.items() if value})

    def clear_faults(self, name: str) -> None:
        runtime = self.runtime(name)
        config = next(host for host in self.config.hosts if host.name == name)
        with runtime.host.lock:
            runtime.host.state["msi_faults"] = {}
            runtime.host.service_start_delay = self._start_delay(config)
            runtime.host.start_failures.clear()
            runtime.host.save()
        with runtime.lock:
            was_down = bool(runtime.faults.get("down"))
            runtime.faults.clear()
            if was_down:
                runtime.faults["down"] = True  # until the listeners are open again
        if was_down:
            self._bring_up(runtime)

    def _bring_up(self, runtime: HostRuntime) -> None:
        with self._lock:
            if runtime.name not in self.endpoints:
                self._open(runtime, runtime.http_port, runtime.https_port)
            if runtime.name not in self.ftp and runtime.name in self.ftp_ports:
                self._open_ftp(runtime, self.ftp_ports[runtime.name])
            for held in self.held_ports.pop(runtime.name, []):
                held.close()
        with runtime.lock:
            runtime.faults.pop("down", None)

    def set_reply_delay(self, delay: object) -> None:
        """Hold back every host's HTTP replies `delay` seconds from now on (the emulated round trip)."""
        value = seconds(delay, "reply_delay")
        self.config.reply_delay = value
        for runtime in self.runtimes.values():
            with runtime.lock:
                runtime.reply_delay = value

    def counters(self, name: str | None = None) -> dict:
        """One host's counters (`HostRuntime.counters`), or {host: counters} of every host."""
        if name is not None:
            return self.runtime(name).counters()
        return {host: runtime.counters() for host, runtime in self.runtimes.items()}

    def reset_counters(self, name: str | None = None) -> None:
        """Zero one host's counters, or every host's."""
        for runtime in [self.runtime(name)] if name is not None else self.runtimes.values():
            runtime.reset_counters()

    def transfers(self, name: str) -> dict:
        """The host's FTP file transfers: `bytes_sent` and `bytes_received` (by its FTP server),
        `count`, and `transfers` (each `direction` sent/received, `path`, `bytes`, `account`, `time`)."""
        self.runtime(name)
        return self.ftp_transfers.setdefault(name, Transfers()).report()

    def reset_transfers(self, name: str) -> None:
        self.runtime(name)
        self.ftp_transfers.setdefault(name, Transfers()).reset()

    def reset_lockout(self, name: str, user: str | None = None) -> None:
        self.runtime(name).reset_lockout(user)

    def set_clock(self, name: str, when: str | None) -> None:
        """Pin the host's clock (ISO 8601), or let it follow real time again with None."""
        host = self.host(name)
        if when is not None:
            datetime.fromisoformat(when)
        with host.lock:
            host.state["clock"] = when
            host.save()

    def add_lease(self, name: str, scope: str, ip: str, mac: str, client: str, expires: str = "") -> None:
        """A DHCP client took a lease (there are no real clients in the lab)."""
        host = self.host(name)
        with host.lock:
            scopes = host.state["dhcp"]["scopes"]
            if scope not in scopes:
                raise ValueError(f"host {name} has no DHCP scope {scope}")
            leases = [lease for lease in scopes[scope]["leases"] if lease["ip"] != ip]
            kind = "D" if expires else "U"
            leases.append(
                {"ip": ip, "mac": mac, "name": client, "expires": expires or "NEVER EXPIRES", "type": kind}
            )
            scopes[scope]["leases"] = leases
            host.save()


SETTING_FAULTS = ("program_installed", "local_account", "audit_policy", "hotfix_removed")


def change_settings(host: Host, settings: dict) -> None:
    """The setting faults: a program's Uninstall key written (`{"name", "version", "publisher"}`, as a
    setup program that is not an MSI package writes it, key = the name), a local account changed by
    its RID, audit policy categories set, hotfixes taken off systeminfo's list (winlab.model.security)."""
    state = host.state
    if "program_installed" in settings:
        programs = settings["program_installed"]
        for program in programs if isinstance(programs, list) else [programs]:
            name = str(program["name"])
            path = f"{registry.UNINSTALL}\\{name}"
            values = {"_path": path, "displayname": ["DisplayName", "REG_SZ", name]}
            for field, value_name in (("version", "DisplayVersion"), ("publisher", "Publisher")):
                if program.get(field):
                    values[value_name.lower()] = [value_name, "REG_SZ", str(program[field])]
            state["registry"][path.lower()] = values
    if "local_account" in settings:
        changes = settings["local_account"]
        for change in changes if isinstance(changes, list) else [changes]:
            security.set_account(state, change)
    if "audit_policy" in settings:
        security.set_audit_policy(state, settings["audit_policy"])
    if "hotfix_removed" in settings:
        security.remove_hotfixes(state, host.profile, settings["hotfix_removed"])


def _start_failures(host: Host, value: object) -> dict[str, int]:
    """`{"DHCPServer": 1067}` (or a list of names, or one name, for 1067): the services, by key name,
    whose starts go START_PENDING and then STOPPED with that WIN32_EXIT_CODE."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        value = dict.fromkeys(value, 1067)
    if not isinstance(value, dict):
        raise ValueError(f"service_start_fails takes {{service: exit code}}, not {value!r}")
    failures = {}
    for name, code in value.items():
        if code not in services.START_FAILURES:
            known = ", ".join(str(known) for known in services.START_FAILURES)
            raise ValueError(f"service_start_fails: exit code {code!r} is not modeled; known: {known}")
        # A service not installed yet is named by its key name, as sc names it.
        found = services.find(host, str(name))
        failures[found[0] if found else str(name)] = int(code)
    return failures


def _raise_file_limit(wanted: int) -> None:
    """A fleet of hundreds of hosts needs more sockets than the usual soft limit of 1024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _control_handler(lab: Lab) -> type[BaseHTTPRequestHandler]:
    class ControlHandler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args) -> None:
            return

        def _route(self, method: str) -> None:
            parts = [part for part in self.path.split("?")[0].split("/") if part]
            length = int(self.headers.get("Content-Length", "0") or 0)
            payload = json.loads(self.rfile.read(length) or b"{}") if length else {}
            try:
                if parts == ["hosts"] and method == "GET":
                    json_reply(self, 200, lab.describe())
                    return
                if parts == ["counters"] and method == "GET":
                    json_reply(self, 200, lab.counters())
                    return
                if parts == ["counters", "reset"] and method == "POST":
                    lab.reset_counters()
                    json_reply(self, 200, {"ok": True})
                    return
                if parts == ["settings"] and method == "GET":
                    json_reply(self, 200, {"reply_delay": lab.config.reply_delay})
                    return
                if parts == ["settings"] and method == "POST":
                    unknown = set(payload) - {"reply_delay"}
                    if unknown:
                        names = ", ".join(sorted(unknown))
                        raise ValueError(f"unknown setting(s) {names}; known: reply_delay")
                    if "reply_delay" in payload:
                        lab.set_reply_delay(payload["reply_delay"])
                    json_reply(self, 200, {"reply_delay": lab.config.reply_delay})
                    return
                if len(parts) >= 3 and parts[0] == "hosts":
                    name, tail = parts[1], parts[2:]
                    if tail == ["state"] and method == "GET":
                        json_reply(self, 200, lab.host(name).snapshot())
                        return
                    if tail == ["lockout", "reset"] and method == "POST":
                        lab.reset_lockout(name, payload.get("user"))
                        json_reply(self, 200, {"ok": True})
                        return
                    if tail == ["faults"] and method == "POST":
                        lab.set_fault(name, **payload)
                        json_reply(self, 200, {"ok": True})
                        return
                    if tail == ["faults"] and method == "DELETE":
                        lab.clear_faults(name)
                        json_reply(self, 200, {"ok": True})
                        return
                    if tail == ["clock"] and method == "POST":
                        lab.set_clock(name, payload.get("time"))
                        json_reply(self, 200, {"ok": True})
                        return
                    if tail == ["dhcp", "leases"] and method == "POST":
                        lab.add_lease(name, **payload)
                        json_reply(self, 200, {"ok": True})
                        return
                    if tail == ["transfers"] and method == "GET":
                        json_reply(self, 200, lab.transfers(name))
                        return
                    if tail == ["transfers"] and method == "DELETE":
                        lab.reset_transfers(name)
                        json_reply(self, 200, {"ok": True})
                        return
                    if tail == ["counters"] and method == "GET":
                        json_reply(self, 200, lab.counters(name))
                        return
                    if tail == ["counters", "reset"] and method == "POST":
                        lab.reset_counters(name)
                        json_reply(self, 200, {"ok": True})
                        return
                json_reply(self, 404, {"error": f"no such control resource: {method} {self.path}"})
            except KeyError as error:
                json_reply(self, 404, {"error": str(error)})
            except (ValueError, TypeError) as error:
                json_reply(self, 400, {"error": str(error)})

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_DELETE(self) -> None:
            self._route("DELETE")

    return ControlHandler
