"""Base class of the collection's Windows action plugins.

A Windows action plugin runs on the controller and reaches its host through the shared WinRM
command layer (`winrm_command.WindowsSession`); it never calls `_execute_module` and never uses
Ansible's connection to the host. Subclasses declare `ARGUMENT_SPEC` and implement
`run_windows(session, args, check_mode)`, returning a `WindowsOutcome`; this class does the rest,
uniformly for every role:

* validates the arguments (before anything is sent to the host);
* resolves the host's connection variables from task_vars (templated, so Vault values work) and
  opens one session;
* turns the layer's typed errors into task results: an authentication failure fails the host at
  once (it is never retried), an unreachable host is reported `unreachable`;
* returns `changed`, `commands` (exactly what ran, or would run in check mode), `diff`
  ({before, after} and the commands as `prepared`, shown with --diff), and removes the password
  from anything it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import (
    ConnectionSettings,
    WindowsSession,
    WinRMAuthenticationError,
    WinRMCommandError,
    WinRMCommandLayerError,
    WinRMSettingsError,
    WinRMUnreachableError,
)

CONNECTION_VARS = (
    "ansible_host",
    "ansible_port",
    "ansible_user",
    "ansible_password",
    "ansible_winrm_transport",
    "ansible_winrm_scheme",
    "ansible_winrm_server_cert_validation",
    "ansible_winrm_ca_trust_path",
    "ansible_winrm_operation_timeout_sec",
    "ansible_winrm_read_timeout_sec",
    "windows_version",
)


@dataclass
class WindowsOutcome:
    """What a Windows action did (or would do in check mode)."""

    changed: bool = False
    commands: list[str] = field(default_factory=list)
    before: str = ""
    after: str = ""
    failed: bool = False
    msg: str = ""
    warnings: list[str] = field(default_factory=list)
    # What --diff shows as the commands (readable form); `commands` when empty.
    preview: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


class WindowsAction(ActionBase):
    """Subclass this; set ARGUMENT_SPEC and implement run_windows()."""

    TRANSFERS_FILES = False
    _requires_connection = False
    ARGUMENT_SPEC: ClassVar[dict[str, Any]] = {}
    MUTUALLY_EXCLUSIVE: ClassVar[list[list[str]]] = []
    REQUIRED_TOGETHER: ClassVar[list[list[str]]] = []

    # Tests replace this to run against a fake Protocol.
    session_class = WindowsSession
    protocol_factory = None

    def run_windows(self, session: WindowsSession, args: dict[str, Any], check_mode: bool) -> WindowsOutcome:
        raise NotImplementedError

    def validate_windows_args(self, args: dict[str, Any], host: str) -> None:
        """Cross-field checks a subclass adds; raise AnsibleActionFail with a message naming the host."""

    def connection_settings(self, task_vars: dict[str, Any]) -> ConnectionSettings:
        host = str(task_vars.get("inventory_hostname", ""))
        # Template against the task's variables, so `ansible_password: "{{ vault_x }}"` resolves.
        templar = self._templar.copy_with_new_env(available_variables=task_vars)
        resolved = {}
        for name in CONNECTION_VARS:
            if name in task_vars:
                resolved[name] = templar.template(task_vars[name])
        return ConnectionSettings.from_host_vars(host, resolved)

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        host = str(task_vars.get("inventory_hostname", ""))
        _, args = self.validate_argument_spec(
            argument_spec=self.ARGUMENT_SPEC,
            mutually_exclusive=self.MUTUALLY_EXCLUSIVE,
            required_together=self.REQUIRED_TOGETHER,
        )
        self.validate_windows_args(args, host)
        password = ""
        try:
            settings = self.connection_settings(task_vars)
            password = settings.password
            version = task_vars.get("windows_version")
            session = self.session_class(
                settings,
                protocol_factory=self.protocol_factory,
                windows_version=str(self._templar.template(version)) if version else None,
            )
            with session:
                outcome = self.run_windows(session, args, bool(self._task.check_mode))
        except WinRMAuthenticationError as error:
            # Never retried: the task fails for this host only; the other hosts carry on.
            result.update(failed=True, msg=str(error), authentication_failed=True)
            return _scrub(result, password)
        except WinRMUnreachableError as error:
            result.update(unreachable=True, msg=str(error))
            return _scrub(result, password)
        except ValueError as error:
            # A wanted state the host cannot take (e.g. a DHCP server on a workstation version).
            result.update(failed=True, msg=f"{host}: {error}")
            return _scrub(result, password)
        except (WinRMSettingsError, WinRMCommandError, WinRMCommandLayerError) as error:
            result.update(failed=True, msg=str(error))
            if isinstance(error, WinRMCommandError) and error.result is not None:
                result.update(
                    command=error.result.command,
                    stdout=error.result.stdout,
                    stderr=error.result.stderr,
                    rc=error.result.exit_code,
                )
            return _scrub(result, password)

        result["changed"] = outcome.changed
        result["commands"] = list(outcome.commands)
        if outcome.failed:
            result["failed"] = True
            result["msg"] = outcome.msg
        elif outcome.msg:
            result["msg"] = outcome.msg
        if outcome.warnings:
            result.setdefault("warnings", []).extend(outcome.warnings)
        result.update(outcome.extra)
        if self._task.diff:
            result["diff"] = {
                "before": outcome.before,
                "after": outcome.after,
                "before_header": f"{host} (on the host)",
                "after_header": f"{host} (wanted)",
            }
            shown = outcome.preview or outcome.commands
            if shown:
                verb = "would run" if self._task.check_mode else "ran"
                result["diff"]["prepared"] = f"# commands it {verb} on {host}:\n" + "\n".join(shown)
        return _scrub(result, password)


def _scrub(value: Any, password: str) -> Any:
    """Replace the password wherever it might appear in a result (it never should)."""
    if not password:
        return value
    if isinstance(value, str):
        return value.replace(password, "********")
    if isinstance(value, dict):
        return {key: _scrub(item, password) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrub(item, password) for item in value)
    return value


def fail(host: str, variable: str, message: str) -> AnsibleActionFail:
    """An argument error that names the host and the variable, as every role reports them."""
    return AnsibleActionFail(f"{host}: {variable}: {message}")
