"""Run an action plugin as Ansible's task executor does, and a fake pywinrm Protocol to run it against.

    result = run_action(ActionModule, {"scopes": [...]}, task_vars, check_mode=True)

The task carries the arguments and the task keywords (check mode, diff, no async); the plugin gets
a real loader and templar, so templated host variables resolve as in a play.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from unittest.mock import MagicMock

import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.action import ActionBase
from ansible.template import Templar
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import VER_MARK

# (stdout, stderr, exit code), the bytes in code page 437 as a Windows host sends them.
Output = tuple[bytes, bytes, int]


def plugin_name(action_class: type[ActionBase]) -> str:
    """The name a play calls the plugin by: `vncustoms.vnaccs.dhcp_server`."""
    parts = action_class.__module__.split(".")
    if parts[0] == "ansible_collections":
        return ".".join([parts[1], parts[2], parts[-1]])
    return parts[-1]


def make_action(
    action_class: type[ActionBase],
    args: dict[str, Any],
    check_mode: bool = False,
    diff: bool = True,
    protocol: Any = None,
) -> ActionBase:
    """The plugin for one task with `args`; with `protocol`, its WinRM sessions use that Protocol."""
    task = MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = check_mode
    task.diff = diff
    task.action = plugin_name(action_class)
    loader = DataLoader()
    action = action_class(
        task=task,
        connection=MagicMock(),
        play_context=MagicMock(),
        loader=loader,
        templar=Templar(loader=loader),
        shared_loader_obj=None,
    )
    if protocol is not None:
        action.protocol_factory = lambda settings: protocol
    return action


def run_action(
    action_class: type[ActionBase],
    args: dict[str, Any],
    task_vars: dict[str, Any],
    check_mode: bool = False,
    diff: bool = True,
    protocol: Any = None,
) -> dict[str, Any]:
    """The result of running the plugin for one host (`task_vars` names it: `inventory_hostname`)."""
    return make_action(action_class, args, check_mode, diff, protocol).run(task_vars=task_vars)


class FakeProtocol:
    """pywinrm's Protocol as the WinRM layer drives it, recording every call.

    `answers` gives each command's output: a table of (stdout, stderr, exit code), or of stdout
    alone for a command that succeeds (a command not in it prints nothing and exits 0), or a
    function of the command. `error`, when set, is raised by the call named `fail_on` (a refused
    login when the shell opens, a transport error, a WS-Management fault).
    """

    def __init__(
        self,
        answers: Mapping[str, Output | bytes] | Callable[[str], Output] | None = None,
        error: Exception | None = None,
        fail_on: str = "open_shell",
    ) -> None:
        self.answer = self._chained(answers if callable(answers) else self._table(dict(answers or {})))
        self.error = error
        self.fail_on = fail_on
        self.calls: list[tuple] = []
        self._output: Output = (b"", b"", 0)

    @staticmethod
    def _table(table: dict[str, Output | bytes]) -> Callable[[str], Output]:
        def answer(command: str) -> Output:
            output = table.get(command, b"")
            return (output, b"", 0) if isinstance(output, bytes) else output

        return answer

    @staticmethod
    def _chained(answer: Callable[[str], Output]) -> Callable[[str], Output]:
        """Answer `ver&echo MARK&COMMAND` (the layer's `ver` carried in front of a command) as cmd.exe
        does: `ver`'s output, the mark's line, then the command's output, stderr and exit code."""
        prefix = f"ver&echo {VER_MARK}&"

        def chained(command: str) -> Output:
            if not command.startswith(prefix):
                return answer(command)
            version = answer("ver")[0]
            stdout, stderr, code = answer(command.removeprefix(prefix))
            return version + f"{VER_MARK}\r\n".encode() + stdout, stderr, code

        return chained

    def steps(self, name: str) -> list[tuple]:
        """The recorded calls of one method: `steps("run_command")`."""
        return [call for call in self.calls if call[0] == name]

    @property
    def commands(self) -> list[str]:
        return [call[2] for call in self.steps("run_command")]

    @property
    def shells(self) -> int:
        return len(self.steps("open_shell"))

    def _record(self, *call) -> None:
        self.calls.append(call)
        if self.error is not None and self.fail_on == call[0]:
            raise self.error

    def open_shell(self, codepage=437):
        self._record("open_shell", codepage)
        return "SHELL-1"

    def run_command(self, shell_id, command, args=()):
        self._record("run_command", shell_id, command)
        self._output = self.answer(command)
        return f"CMD-{len(self.calls)}"

    def get_command_output_raw(self, shell_id, command_id):
        # The whole output in one Receive, the command done (pywinrm's streaming receive).
        self._record("get_command_output_raw", shell_id, command_id)
        return (*self._output, True)

    def cleanup_command(self, shell_id, command_id):
        self._record("cleanup_command", shell_id, command_id)

    def close_shell(self, shell_id, close_session=True):
        self._record("close_shell", shell_id)


def common_returns_named_in(documentation: str) -> set[str]:
    """The return values a fragment's notes list as `C(name) (when; type: ...)`."""
    notes = yaml.safe_load(documentation).get("notes", [])
    return {
        match[1]
        for note in notes
        for match in re.finditer(r"C\((\w+)\) \((?:always|on success|on failure); (?:list of )?\w+:", note)
    }
