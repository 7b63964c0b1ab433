"""Adapter between fake-switches' Cisco IOS model and what real IOS clients send. Test fixture only.

What fake-switches 1.5.0 lacks, and what this module adds (each gap found with cisco.ios or netmiko):

* `end` in configuration mode (global or interface): IOS returns to privileged EXEC. The
  simulator only knows `exit`, one level at a time; `cisco.ios` cliconf closes every change with
  `end`, and so does netmiko.
* `show privilege`: `cisco.ios` runs it after `enable` to confirm level 15.
* `terminal length 0` / `terminal width N` in user EXEC mode (the simulator accepts them only
  after `enable`).
* Unknown commands, and `show` subjects the simulator ignored silently: IOS prints
  `% Invalid input detected at '^' marker.`, which clients detect as a failure; the simulator
  printed a message no client recognises, or nothing, so errors went unseen.
* A startup configuration: `write memory` and `copy running-config startup-config` copy the
  running configuration to it and count the saves; `show startup-config` prints it. Tests use
  this to check that a change was saved, and that an unchanged switch was not written again.
* Telnet login: the simulator accepts any user name and password on Telnet; here the
  credentials are checked as on SSH. As on IOS, a refused login prints `% Login invalid` and
  asks again, three times at most; each refusal is logged (`switchlab: telnet login refused`),
  so tests can count the attempts a client made.
* Telnet line ends: Twisted's Telnet layer holds a lone CR until the next byte arrives (to tell
  CR LF from CR NUL), so a client that ends the user name with CR alone, as netmiko does, waits
  for a prompt that never comes. Here a CR that ends a packet is a line end at once, and an LF
  or NUL that follows it in the next packet is dropped.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from fake_switches.cisco.cisco_core import CiscoShellSession, CiscoSwitchCore
from fake_switches.cisco.command_processor.config import ConfigCommandProcessor
from fake_switches.cisco.command_processor.config_interface import ConfigInterfaceCommandProcessor
from fake_switches.cisco.command_processor.config_vlan import ConfigVlanCommandProcessor
from fake_switches.cisco.command_processor.config_vrf import ConfigVRFCommandProcessor
from fake_switches.cisco.command_processor.default import DefaultCommandProcessor
from fake_switches.cisco.command_processor.enabled import (
    EnabledCommandProcessor,
    build_running_interface,
    build_running_vlan,
)
from fake_switches.cisco.command_processor.piping import PipingProcessor
from fake_switches.terminal import LoggingTerminalController
from fake_switches.terminal.telnet import SwitchTelnetShell, TelnetTerminalController

LOG = logging.getLogger("switchlab")
INVALID_INPUT = "% Invalid input detected at '^' marker."
# What fake-switches' `show` answers; anything else it ignored silently.
SHOW_KNOWN = ("running-config", "vlan", "etherchannel", "ip", "version")


def render_running_config(switch_configuration) -> str:
    """The running configuration as `show running-config` prints it (without the header)."""
    lines = ["version 12.1", "!", f"hostname {switch_configuration.name}", "!", "!"]
    for vlan in switch_configuration.vlans:
        lines += [*build_running_vlan(vlan), "!"]
    for port in switch_configuration.get_physical_ports() + switch_configuration.get_vlan_ports():
        lines += [*build_running_interface(port), "!"]
    lines.append("end")
    return "\n".join(lines) + "\n"


def save_startup_config(switch_configuration) -> None:
    """Copy the running configuration to the startup configuration and count the save."""
    switch_configuration.startup_config = render_running_config(switch_configuration)
    switch_configuration.startup_saves = getattr(switch_configuration, "startup_saves", 0) + 1
    switch_configuration.startup_saved_at = datetime.now(UTC).isoformat(timespec="microseconds")


class UserExecProcessor(DefaultCommandProcessor):
    """User EXEC (`>`): adds `terminal ...` and `show privilege`."""

    def do_terminal(self, *_):
        pass

    def do_show(self, *args):
        if args and args[0] == "privilege":
            self.write_line("Current privilege level is 1")
        else:
            self.write_line(INVALID_INPUT)


class PrivilegedExecProcessor(EnabledCommandProcessor):
    """Privileged EXEC (`#`): adds `show privilege`, `show startup-config` and a real save."""

    def do_show(self, *args):
        if args and args[0] == "privilege":
            self.write_line("Current privilege level is 15")
        elif args and "startup-config".startswith(args[0]) and len(args[0]) >= 3:
            startup = getattr(self.switch_configuration, "startup_config", None)
            if startup is None:
                self.write_line("startup-config is not present")
                return
            saves = getattr(self.switch_configuration, "startup_saves", 0)
            saved_at = getattr(self.switch_configuration, "startup_saved_at", "")
            self.write_line(f"! NVRAM config last updated at {saved_at} (saves: {saves})")
            self.write(startup)
        elif args and any(known.startswith(args[0]) for known in SHOW_KNOWN):
            super().do_show(*args)
        else:
            self.write_line(INVALID_INPUT)

    def do_write(self, *args):
        if args and not "memory".startswith(args[0]):
            self.write_line(INVALID_INPUT)
            return
        self.write_line("Building configuration...")
        save_startup_config(self.switch_configuration)
        self.write_line("[OK]")

    def do_copy(self, source_url, destination_url):
        if "running-config".startswith(source_url) and "startup-config".startswith(destination_url):
            self.write("Destination filename [startup-config]? ")
            self.continue_to(self.continue_copy_running_to_startup)
        else:
            super().do_copy(source_url, destination_url)

    def continue_copy_running_to_startup(self, _answer):
        self.write_line("Building configuration...")
        save_startup_config(self.switch_configuration)
        self.write_line("[OK]")


class ConfigProcessor(ConfigCommandProcessor):
    """Global configuration: adds `end`. Sub-modes (interface, vlan) fall back to it for `end`."""

    def do_end(self, *_):
        self.is_done = True


class AdaptedShellSession(CiscoShellSession):
    """Unknown commands answer as IOS does, so clients see the error."""

    def handle_unknown_command(self, line):
        self.command_processor.terminal_controller.write(f"{' ' * len(line)}^\n{INVALID_INPUT}\n\n")


class AdaptedCiscoCore(CiscoSwitchCore):
    """The fake-switches Cisco IOS (2960) core with the processors above."""

    def __init__(self, switch_configuration):
        super().__init__(switch_configuration)
        save_startup_config(switch_configuration)
        switch_configuration.startup_saves = 0

    def new_command_processor(self):
        return PrivilegedExecProcessor(
            config=ConfigProcessor(
                config_vlan=ConfigVlanCommandProcessor(),
                config_vrf=ConfigVRFCommandProcessor(),
                config_interface=ConfigInterfaceCommandProcessor(),
            )
        )

    def launch(self, protocol, terminal_controller):
        self.last_connection_id += 1
        self.logger = logging.getLogger(
            f"fake_switches.cisco.{self.switch_configuration.name}.{self.last_connection_id}.{protocol}"
        )
        processor = self.new_command_processor()
        if not self.switch_configuration.auto_enabled:
            processor = UserExecProcessor(processor)
        processor.init(
            self.switch_configuration,
            LoggingTerminalController(self.logger, terminal_controller),
            self.logger,
            PipingProcessor(self.logger),
        )
        return AdaptedShellSession(processor)


class CheckedTelnetShell(SwitchTelnetShell):
    """Telnet login that checks the user name and password (bytes) against `users`."""

    def __init__(self, switch_core, users: dict[bytes, bytes]):
        super().__init__(switch_core)
        self.users = users
        self.username = b""
        self.failed_logins = 0
        self._after_cr = False

    def dataReceived(self, data):
        if self._after_cr and data[:1] in (b"\n", b"\x00"):
            data = data[1:]
        if data:
            self._after_cr = data.endswith(b"\r")
        if self._after_cr:
            data += b"\x00"  # CR NUL: a line end the Telnet layer delivers at once
        if data:
            super().dataReceived(data)

    def validate_username(self, line):
        self.username = line.encode()
        super().validate_username(line)

    def validate_password(self, line):
        self.disable_input_replacement()
        if self.users.get(self.username) != line.encode():
            self.failed_logins += 1
            LOG.warning("switchlab: telnet login refused for user %r", self.username.decode())
            if self.failed_logins >= 3:
                self.transport.loseConnection()
                return
            self.write("\n% Login invalid\n\nUsername: ")
            self.handler = self.validate_username
            return
        self.session = self.switch_core.launch("telnet", TelnetTerminalController(shell=self))
        self.handler = self.command
