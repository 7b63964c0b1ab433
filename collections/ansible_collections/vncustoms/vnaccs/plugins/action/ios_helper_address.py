# Copyright: VNACCS/VCIS site-infrastructure team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin: DHCP relay on Cisco IOS VLAN interfaces (documentation in modules/ios_helper_address.py)."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

from ansible.errors import AnsibleError
from ansible.module_utils.connection import Connection, ConnectionError
from ansible.plugins.action import ActionBase
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.ios_helper import (
    RelayError,
    check_request,
    converge,
)

ARGUMENT_SPEC = {
    "vlans": {
        "type": "list",
        "elements": "dict",
        "required": True,
        "options": {
            "interface": {"type": "str", "required": True},
            "gateway": {"type": "str"},
            "id": {"type": "int"},
            "subnet": {"type": "str"},
        },
    },
    "helpers": {"type": "list", "elements": "str", "required": True},
    "stale": {"type": "list", "elements": "str", "default": []},
    "exclusive": {"type": "bool", "default": False},
    "save": {"type": "bool", "default": True},
    "backup_dir": {"type": "path"},
    "transport": {"type": "str", "choices": ["network_cli", "telnet"], "default": "network_cli"},
    "timeout": {"type": "int", "default": 30},
    "site": {"type": "str"},
    "labels": {
        "type": "dict",
        "default": {},
        "options": {"vlans": {"type": "str"}, "helpers": {"type": "str"}, "stale": {"type": "str"}},
    },
}


class NetworkCliSession:
    """A `CliSession` over the task's persistent network_cli connection (cisco.ios cliconf)."""

    def __init__(self, socket_path: str):
        self._connection = Connection(socket_path)

    def show(self, command: str) -> str:
        return self._connection.get(command=command)

    def configure(self, lines: list[str]) -> None:
        self._connection.edit_config(candidate=lines)

    def save(self) -> str:
        return self._connection.get(command="write memory")


def single_attempt_ios_telnet():
    """netmiko's Cisco IOS Telnet driver, changed to log in exactly once (imported on first use)."""
    from netmiko.cisco.cisco_ios import CiscoIosTelnet
    from netmiko.exceptions import NetmikoAuthenticationException

    class SingleAttemptIosTelnet(CiscoIosTelnet):
        """netmiko answers every Username/Password prompt it sees, so a refused password would be
        sent again; five failed logins lock a customs account (Decision 833, Article 18), so here a
        refused login fails at once."""

        REFUSED = r"% ?(?:Login invalid|Authentication failed|Bad passwords|Access denied)"

        def telnet_login(
            self,
            pri_prompt_terminator=r"\#\s*$",
            alt_prompt_terminator=r">\s*$",
            username_pattern=r"(?:user:|username|login|user name)",
            pwd_pattern=r"assword",
            delay_factor=1.0,
            max_loops=20,
        ):
            timeout = self.auth_timeout or 20
            flags = re.I | re.M
            prompt = f"(?:{pri_prompt_terminator})|(?:{alt_prompt_terminator})"
            output = self.read_until_pattern(f"{username_pattern}|{pwd_pattern}", timeout, flags)
            if not re.search(pwd_pattern, output, flags):
                self.write_channel(self.username + "\r")
                output += self.read_until_pattern(pwd_pattern, timeout, flags)
            self.write_channel(self.password + "\r")
            answer = self.read_until_pattern(
                f"{prompt}|{username_pattern}|{pwd_pattern}|{self.REFUSED}", timeout, flags
            )
            if re.search(prompt, answer, flags) and not re.search(self.REFUSED, answer, flags):
                return output + answer
            self.remote_conn.close()
            raise NetmikoAuthenticationException(
                f"Telnet login to {self.host}:{self.port} was refused; not retried "
                "(five failed logins lock the account)"
            )

    return SingleAttemptIosTelnet


class TelnetSession:
    """A `CliSession` over Telnet, through netmiko's Cisco IOS Telnet driver (one login attempt)."""

    ERROR_PATTERN = r"% ?(?:Invalid|Incomplete|Ambiguous|Error)"

    def __init__(self, host, port, username, password, secret, timeout):
        self._device = single_attempt_ios_telnet()(
            device_type="cisco_ios_telnet",
            host=host,
            port=port,
            username=username,
            password=password,
            secret=secret or "",
            timeout=timeout,
            conn_timeout=timeout,
            auth_timeout=timeout,
            fast_cli=False,
        )
        if not self._device.check_enable_mode():
            try:
                self._device.enable()  # sends the secret once
            except ValueError as error:
                self._device.disconnect()
                raise RelayError(f"the switch refused the enable secret; not retried ({error})") from None

    def show(self, command: str) -> str:
        output = self._device.send_command(command, read_timeout=60)
        if "% Invalid input" in output:
            raise RelayError(f"the switch rejected {command!r}: {output.strip()}")
        return output

    def configure(self, lines: list[str]) -> None:
        self._device.send_config_set(lines, error_pattern=self.ERROR_PATTERN, exit_config_mode=True)

    def save(self) -> str:
        return self._device.save_config(cmd="write memory", confirm=False)

    def close(self) -> None:
        self._device.disconnect()


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        host = task_vars.get("inventory_hostname", "?")
        where = f"{host} ({args['site']})" if args["site"] else host
        labels = {name: label for name, label in args["labels"].items() if label}
        result.update(commands=[], interfaces={}, saved=False)
        try:
            # Every argument rule, before the switch is contacted.
            request = check_request(args["vlans"], args["helpers"], args["stale"], labels)
        except RelayError as error:
            return {**result, "failed": True, "msg": f"{where}: {error}"}
        result["local_interfaces"] = request.local
        if not request.relayed:
            reason = (
                f"the DHCP server is on {', '.join(request.local)}, whose clients reach it directly"
                if request.local
                else "no VLAN is listed"
            )
            return {**result, "changed": False, "msg": f"{where}: nothing to relay: {reason}."}
        session = None
        try:
            session = self._open(args, task_vars)
            outcome = converge(
                session,
                request.relayed,
                helpers=args["helpers"],
                stale=args["stale"],
                exclusive=args["exclusive"],
                check_mode=bool(self._task.check_mode),
                save=args["save"],
                backup=bool(args["backup_dir"]),
                on_backup=lambda text: self._write_backup(args["backup_dir"], host, text, result),
            )
        except (RelayError, ConnectionError, AnsibleError) as error:
            return {**result, "failed": True, "msg": f"{where}: {error}"}
        except OSError as error:  # Telnet: nothing listens, or the network is unreachable
            return {**result, "failed": True, "msg": f"{where}: cannot reach the switch over Telnet: {error}"}
        except Exception as error:  # netmiko's own exceptions: report them without a traceback
            if type(error).__module__.startswith("netmiko"):
                return {**result, "failed": True, "msg": f"{where}: {type(error).__name__}: {error}"}
            raise
        finally:
            if isinstance(session, TelnetSession):
                session.close()

        result.update(
            changed=outcome.changed,
            commands=outcome.commands,
            interfaces=outcome.interfaces,
            saved=outcome.saved,
        )
        if self._task.diff and outcome.diff:
            result["diff"] = outcome.diff
        return result

    def _open(self, args, task_vars):
        if args["transport"] == "network_cli":
            socket_path = getattr(self._connection, "socket_path", None)
            if not socket_path:
                raise RelayError(
                    "transport network_cli needs ansible_connection=ansible.netcommon.network_cli "
                    f"(this task's connection is {self._connection.transport})"
                )
            return NetworkCliSession(socket_path)

        def var(name, default=None):
            value = task_vars.get(name, default)
            return self._templar.template(value) if value is not None else None

        return TelnetSession(
            host=var("ansible_host", task_vars.get("inventory_hostname")),
            port=int(var("ansible_port", 23) or 23),
            username=var("ansible_user"),
            password=var("ansible_password"),
            secret=var("ansible_become_password"),
            timeout=args["timeout"],
        )

    @staticmethod
    def _write_backup(directory: str, host: str, text: str, result: dict) -> None:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%S.%fZ")
        # A running-config holds the switch's secrets (enable secret hashes, SNMP communities):
        # readable by its owner only, in folders only the owner can list.
        missing = []
        folder = os.path.abspath(directory)
        while not os.path.isdir(folder):
            missing.append(folder)
            folder = os.path.dirname(folder)
        for folder in reversed(missing):  # every folder made here: the owner's only
            os.mkdir(folder, 0o700)
            os.chmod(folder, 0o700)  # whatever the umask
        os.chmod(directory, 0o700)
        path = os.path.join(directory, f"{host}_{stamp}.cfg")
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        result["backup_path"] = path
