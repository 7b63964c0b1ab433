# Copyright: VNACCS/VCIS site-infrastructure team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin: DHCP relay on Cisco IOS VLAN interfaces (documentation in modules/ios_helper_address.py)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from ansible.errors import AnsibleError
from ansible.module_utils.connection import Connection, ConnectionError
from ansible.plugins.action import ActionBase
from ansible_collections.vncustoms.vnaccs.plugins.module_utils.ios_helper import (
    InterfaceRequest,
    RelayError,
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


class TelnetSession:
    """A `CliSession` over Telnet, through netmiko's Cisco IOS Telnet driver."""

    ERROR_PATTERN = r"% ?(?:Invalid|Incomplete|Ambiguous|Error)"

    def __init__(self, host, port, username, password, secret, timeout):
        from netmiko import ConnectHandler  # imported here: only Telnet hosts need it

        self._device = ConnectHandler(
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
            self._device.enable()

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
        session = None
        try:
            session = self._open(args, task_vars)
            outcome = converge(
                session,
                [InterfaceRequest(vlan["interface"], vlan["gateway"]) for vlan in args["vlans"]],
                helpers=args["helpers"],
                stale=args["stale"],
                exclusive=args["exclusive"],
                check_mode=bool(self._task.check_mode),
                save=args["save"],
                backup=bool(args["backup_dir"]),
                on_backup=lambda text: self._write_backup(args["backup_dir"], host, text, result),
            )
        except (RelayError, ConnectionError, AnsibleError) as error:
            return {**result, "failed": True, "msg": f"{host}: {error}"}
        except Exception as error:  # netmiko's own exceptions: report them without a traceback
            if type(error).__module__.startswith("netmiko"):
                return {**result, "failed": True, "msg": f"{host}: {type(error).__name__}: {error}"}
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
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, f"{host}_{stamp}.cfg")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        result["backup_path"] = path
