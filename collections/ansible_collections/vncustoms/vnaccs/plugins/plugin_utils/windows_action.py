"""Base class of the collection's Windows action plugins: Ansible's side of the apply engine.

A Windows action plugin runs on the controller and reaches its host through the shared WinRM
command layer (`winrm_command.WindowsSession`); it never calls `_execute_module` and never uses
Ansible's connection to the host. A subclass declares `ARGUMENT_SPEC`, checks what the spec cannot
in `wanted(args)` and returns its probe and plan from `plan(session, wanted)` (a
`windows_engine.WindowsPlan`); the engine (`windows_engine.apply_plan`) runs it. This class does
the rest, uniformly for every plugin:

* validates the arguments, and runs `wanted()`, before anything is sent to the host;
* resolves the host's connection variables from task_vars (templated, so Vault values work) and
  opens one session;
* turns the defined errors into task results: a PlanError fails the host with its reason, an
  authentication failure fails the host at once (it is never retried), an unreachable host is
  reported `unreachable`; any other exception is a bug and surfaces as one;
* returns `changed`, `commands` (exactly what ran, or would run in check mode), `steps`,
  `reboot_required`, `windows_version` (when the plan asked for it), `diff` ({before, after} and
  the commands as `prepared`, shown with --diff), and removes the password from anything it
  returns.

`WindowsProbeAction` is the read-only variant (no plan to apply: a probe and what it shows).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.account_guard import AccountGuard
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import (
    PlanError,
    WindowsPlan,
    apply_plan,
    inspect_host,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import (
    ConnectionSettings,
    FamilyMemory,
    WindowsSession,
    WinRMAccountHeldError,
    WinRMAuthenticationError,
    WinRMCommandError,
    WinRMCommandLayerError,
    WinRMFamilyChangedError,
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
    "vnaccs_winrm_command_timeout_sec",
    "windows_version",
)


class WindowsAction(ActionBase):
    """Subclass this; set ARGUMENT_SPEC and implement plan() (and wanted() for cross-field checks)."""

    TRANSFERS_FILES = False
    _requires_connection = False
    ARGUMENT_SPEC: ClassVar[dict[str, Any]] = {}
    MUTUALLY_EXCLUSIVE: ClassVar[list[list[str]]] = []
    REQUIRED_TOGETHER: ClassVar[list[list[str]]] = []

    # Tests replace this to run against a fake Protocol.
    session_class = WindowsSession
    protocol_factory = None
    # The controller's record of failed logons (Article 18); a fresh one per task reads the shared
    # state folder, so forks and later runs see each other's failures.
    guard_class = AccountGuard
    # The Windows family found on each host by an earlier run, where the inventory gives none.
    memory_class = FamilyMemory

    def wanted(self, args: dict[str, Any]) -> Any:
        """The wanted state from the validated arguments, checked before the host is contacted.

        Raise PlanError (its message naming the argument) for what the spec cannot check.
        """
        return args

    def plan(self, session: WindowsSession, wanted: Any) -> WindowsPlan:
        """The probe and plan for this host; may ask the session for the host's version."""
        raise NotImplementedError

    def secrets(self) -> list[str]:
        """Secrets of the arguments (besides the logon password) never to appear in the result."""
        return []

    def connection_settings(self, task_vars: dict[str, Any]) -> ConnectionSettings:
        host = str(task_vars.get("inventory_hostname", ""))
        # Template against the task's variables, so `ansible_password: "{{ vault_x }}"` resolves.
        templar = self._templar.copy_with_new_env(available_variables=task_vars)
        resolved = {}
        for name in CONNECTION_VARS:
            if name in task_vars:
                resolved[name] = templar.template(task_vars[name])
        return ConnectionSettings.from_host_vars(host, resolved)

    def open_session(self, settings: ConnectionSettings, task_vars: dict[str, Any]) -> WindowsSession:
        """The session to the host (not yet connected), with the controller's record of failed logons."""
        version = task_vars.get("windows_version")
        return self.session_class(
            settings,
            protocol_factory=self.protocol_factory,
            windows_version=str(self._templar.template(version)) if version else None,
            guard=self.guard_class(),
            memory=self.memory_class(),
        )

    def checked_arguments(self, host: str) -> Any:
        """The task's arguments validated against the spec and `wanted()`, before anything is sent."""
        _, args = self.validate_argument_spec(
            argument_spec=self.ARGUMENT_SPEC,
            mutually_exclusive=self.MUTUALLY_EXCLUSIVE,
            required_together=self.REQUIRED_TOGETHER,
        )
        try:
            return self.wanted(args)
        except PlanError as error:
            raise AnsibleActionFail(f"{host}: {error}") from None

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        host = str(task_vars.get("inventory_hostname", ""))
        wanted = self.checked_arguments(host)
        return self.run_on_host(
            task_vars, host, result, lambda session: self.act(session, wanted, host, result)
        )

    def act(self, session: WindowsSession, wanted: Any, host: str, result: dict[str, Any]) -> None:
        """What the plugin does over the open session, into `result`: apply its plan (the default)."""
        outcome = apply_plan(session, self.plan(session, wanted), bool(self._task.check_mode))
        if session.known_family:
            outcome.extra.setdefault("windows_version", session.known_family)
        self._outcome_result(outcome, host, result)

    def run_on_host(
        self,
        task_vars: dict[str, Any],
        host: str,
        result: dict[str, Any],
        work: Callable[[WindowsSession], None],
    ) -> dict[str, Any]:
        """Open the host's session, run `work` in it, and turn the defined errors into the result:
        a PlanError fails the host with its reason, a refused logon fails it at once (never
        retried), an unreachable host is `unreachable`; the passwords are scrubbed from it all."""
        password = ""
        try:
            self.settings = settings = self.connection_settings(task_vars)
            password = settings.password
            session = self.open_session(settings, task_vars)
            with session:
                again(work, session)
        except PlanError as error:
            # A wanted state the host cannot take (e.g. a DHCP server on a workstation version).
            result.update(failed=True, msg=f"{host}: {error}")
        except WinRMAuthenticationError as error:
            # Never retried: the task fails for this host only; the other hosts carry on. Held: not
            # attempted, since the account failed with this password on a host of this run or a recent one.
            result.update(failed=True, **_refused(error))
        except WinRMUnreachableError as error:
            result.update(unreachable=True, msg=str(error))
        except (WinRMSettingsError, WinRMCommandError, WinRMCommandLayerError) as error:
            result.update(failed=True, msg=str(error))
            if isinstance(error, WinRMCommandError) and error.result is not None:
                result.update(
                    command=error.result.command,
                    stdout=error.result.stdout,
                    stderr=error.result.stderr,
                    rc=error.result.exit_code,
                )
        return _scrub(result, password, *self.secrets())

    def _outcome_result(self, outcome: Any, host: str, result: dict[str, Any]) -> None:
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


class WindowsProbeAction(WindowsAction):
    """Base class of the read-only Windows action plugins (the health check): they never change a host.

    `plan()` returns a `windows_engine.ReadOnlyPlan`, which `windows_engine.inspect_host` runs: one probe,
    nothing else, in check mode as outside it; `changed` is always false. A host that cannot be
    checked does not fail the task: the result says `reachable: false` with the reason in `msg`
    (and `authentication_failed` / `account_held` for a refused or held logon, which is never
    retried), so that a run over many hosts reports it and carries on; `unreached(wanted, result)`
    adds what the plugin can say without the host. Invalid arguments still fail before anything is
    sent; a PlanError fails the host.
    """

    def unreached(self, wanted: Any, result: dict[str, Any]) -> dict[str, Any]:
        """Values to return when the host could not be read (the reason is in result["msg"])."""
        return {}

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        task_vars = task_vars or {}
        result = ActionBase.run(self, tmp, task_vars)
        host = str(task_vars.get("inventory_hostname", ""))
        wanted = self.checked_arguments(host)
        result.update(changed=False, reachable=True)
        password = ""
        try:
            settings = self.connection_settings(task_vars)
            password = settings.password
            session = self.open_session(settings, task_vars)
            with session:
                result.update(
                    again(lambda session: inspect_host(session, self.plan(session, wanted)), session)
                )
            if session.known_family:
                result.setdefault("windows_version", session.known_family)
            return _scrub(result, password, *self.secrets())
        except PlanError as error:
            result.update(failed=True, msg=f"{host}: {error}")
            return _scrub(result, password, *self.secrets())
        except WinRMAuthenticationError as error:
            result.update(_refused(error))
        except (
            WinRMUnreachableError,
            WinRMSettingsError,
            WinRMCommandError,
            WinRMCommandLayerError,
        ) as error:
            result.update(msg=str(error))
        result["reachable"] = False
        result.update(self.unreached(wanted, result))
        return _scrub(result, password, *self.secrets())


def again(work: Callable[[WindowsSession], Any], session: WindowsSession) -> Any:
    """`work(session)`, and once more if its first command found the host no longer runs the family
    remembered from an earlier run: that command was the probe, which changes nothing, so the work is
    done again from the start with the family read afresh (winrm_command.FamilyMemory)."""
    try:
        return work(session)
    except WinRMFamilyChangedError:
        return work(session)


def _refused(error: WinRMAuthenticationError) -> dict[str, Any]:
    """What a result says of a refused (or, held, not attempted) logon: the same for every plugin."""
    refused: dict[str, Any] = {"msg": str(error), "authentication_failed": True}
    if isinstance(error, WinRMAccountHeldError):
        refused["account_held"] = True
    if error.locked:
        refused["account_locked"] = True
    return refused


def _scrub(value: Any, *passwords: str) -> Any:
    """Replace the passwords wherever they might appear in a result (they never should)."""
    passwords = tuple(password for password in passwords if password)
    if not passwords:
        return value
    if isinstance(value, str):
        for password in passwords:
            value = value.replace(password, "********")
        return value
    if isinstance(value, dict):
        return {key: _scrub(item, *passwords) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrub(item, *passwords) for item in value)
    return value
