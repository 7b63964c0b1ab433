"""Start simulated Cisco IOS switches on 127.0.0.1 (test fixture; see the package docstring).

A switch is described by a `SwitchSpec`: host name, SSH and Telnet ports, login, enable
secret and the VLAN interfaces (SVIs) it starts with. Any number of switches run in one process,
each on its own ports, until the process is stopped (SIGTERM or Ctrl-C).
"""

from __future__ import annotations

import logging
import socket
import time
from dataclasses import dataclass, field

from fake_switches.switch_configuration import SwitchConfiguration
from fake_switches.switch_factory import DEFAULT_MAPPING
from fake_switches.transports.ssh_service import SSHDemoRealm, getRSAKeys
from netaddr import IPAddress, IPNetwork
from twisted.conch.ssh import factory as ssh_factory_module
from twisted.conch.ssh import keys
from twisted.cred import checkers, portal
from twisted.internet.protocol import Factory

from switchlab.adapter import AdaptedCiscoCore, CheckedTelnetShell, save_startup_config

LOOPBACK = "127.0.0.1"

# The fake-switches Cisco IOS models built on its Catalyst 2960 core (same commands, different
# physical ports); the access switches of Vietnamese customs branches are of this family.
CISCO_MODELS = {
    name: DEFAULT_MAPPING[name] for name in ("cisco_generic", "cisco_2960_24TT_L", "cisco_2960_48TT_L")
}


@dataclass
class SviSpec:
    """A VLAN interface the switch starts with: `interface Vlan<id>`, its address and helpers."""

    id: int
    address: str  # gateway address with prefix, e.g. 10.20.10.1/24
    helpers: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> SviSpec:
        """Parse `ID:ADDRESS/PREFIX[:HELPER,HELPER...]`, e.g. `10:10.20.10.1/24:10.20.0.5`."""
        parts = text.split(":")
        if len(parts) not in (2, 3):
            raise ValueError(f"VLAN spec {text!r} is not ID:ADDRESS/PREFIX[:HELPER,...]")
        helpers = [h for h in parts[2].split(",") if h] if len(parts) == 3 else []
        return cls(id=int(parts[0]), address=parts[1], helpers=helpers)


@dataclass
class SwitchSpec:
    """One simulated switch."""

    hostname: str
    ssh_port: int
    telnet_port: int | None = None
    username: str = "admin"
    password: str = "admin"
    enable_password: str = "enable"
    model: str = "cisco_generic"  # a fake-switches Cisco 2960 model: sets the physical ports
    svis: list[SviSpec] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict) -> SwitchSpec:
        values = dict(data)
        svis = values.get("svis", [])
        values["svis"] = [svi if isinstance(svi, SviSpec) else SviSpec(**svi) for svi in svis]
        return cls(**values)


def build_switch_core(spec: SwitchSpec) -> AdaptedCiscoCore:
    """A Cisco IOS switch core loaded with the SVIs of `spec`."""
    configuration = SwitchConfiguration(
        LOOPBACK,
        name=spec.hostname,
        # fake-switches compares the typed secret (text) with these: they must be str, not bytes.
        privileged_passwords=[str(spec.enable_password)],
        ports=CISCO_MODELS[spec.model].get_default_ports(),
    )
    core = AdaptedCiscoCore(configuration)
    for svi in spec.svis:
        if not configuration.get_vlan(svi.id):
            configuration.add_vlan(configuration.new("Vlan", svi.id))
        port = configuration.new("VlanPort", svi.id, f"Vlan{svi.id}")
        configuration.add_port(port)
        port.add_ip(IPNetwork(svi.address))
        port.ip_helpers.extend(IPAddress(helper) for helper in svi.helpers)
    save_startup_config(configuration)
    configuration.startup_saves = 0
    return core


class _LoggingPasswordChecker(checkers.InMemoryUsernamePasswordDatabaseDontUse):
    """The SSH password check, logging each refusal (tests count a client's login attempts)."""

    def requestAvatarId(self, credentials):
        deferred = super().requestAvatarId(credentials)

        def refused(failure):
            logging.getLogger("switchlab").warning(
                "switchlab: ssh login refused for user %r", credentials.username.decode()
            )
            return failure

        return deferred.addErrback(refused)


class _TelnetFactory(Factory):
    def __init__(self, core, users):
        self.core = core
        self.users = users

    def buildProtocol(self, addr):
        protocol = CheckedTelnetShell(self.core, self.users)
        protocol.factory = self
        return protocol


def listen(reactor, spec: SwitchSpec) -> AdaptedCiscoCore:
    """Register the SSH (and Telnet) services of one switch with the Twisted reactor."""
    core = build_switch_core(spec)
    users = {spec.username.encode(): spec.password.encode()}

    # Same as fake-switches' SwitchSshService, except that the user database is keyed by bytes
    # (the SSH layer hands over the user name as bytes).
    checker = _LoggingPasswordChecker()
    for name, secret in users.items():
        checker.addUser(name, secret)
    ssh_factory = ssh_factory_module.SSHFactory()
    ssh_factory.portal = portal.Portal(SSHDemoRealm(core))
    ssh_factory.portal.registerChecker(checker)
    public_key, private_key = getRSAKeys()
    ssh_factory.publicKeys = {b"ssh-rsa": keys.Key.fromString(data=public_key.encode())}
    ssh_factory.privateKeys = {b"ssh-rsa": keys.Key.fromString(data=private_key.encode())}
    reactor.listenTCP(spec.ssh_port, ssh_factory, interface=LOOPBACK)
    logging.info("%s: SSH on %s:%s", spec.hostname, LOOPBACK, spec.ssh_port)

    if spec.telnet_port:
        reactor.listenTCP(spec.telnet_port, _TelnetFactory(core, users), interface=LOOPBACK)
        logging.info("%s: Telnet on %s:%s", spec.hostname, LOOPBACK, spec.telnet_port)
    return core


def serve(specs: list[SwitchSpec]) -> None:
    """Run the switches in `specs` until the process is stopped."""
    from twisted.internet import reactor

    for spec in specs:
        listen(reactor, spec)
    reactor.run()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    """Wait until something accepts TCP connections on 127.0.0.1:`port`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((LOOPBACK, port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {LOOPBACK}:{port} after {timeout}s") from None
            time.sleep(0.1)
