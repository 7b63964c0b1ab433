"""Action plugin vncustoms.vnaccs.dhcp_server (documentation: plugins/modules/dhcp_server.py)."""

from __future__ import annotations

import ipaddress
from typing import Any, ClassVar

from ansible.errors import AnsibleActionFail
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.dhcp_plan import (
    PlanError,
    ServerState,
    WantedScope,
    as_dump_scope,
    authorization_script,
    install_commands,
    parse_probe,
    probe_command,
    render_scope,
    render_service,
    scope_script,
    script_failure,
    service_commands,
    wanted_scope,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_action import (
    WindowsAction,
    WindowsOutcome,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import (
    WindowsSession,
    WinRMCommandError,
    echo_file_commands,
)

SCOPE_OPTIONS = {
    "address": {"type": "str", "required": True},
    "mask": {"type": "str", "default": "255.255.255.0"},
    "name": {"type": "str", "required": True},
    "comment": {"type": "str", "default": ""},
    "range_start": {"type": "str", "required": True},
    "range_end": {"type": "str", "required": True},
    "exclusions": {
        "type": "list",
        "elements": "dict",
        "default": [],
        "options": {"start": {"type": "str", "required": True}, "end": {"type": "str", "required": True}},
    },
    "router": {"type": "str", "default": ""},
    "dns_servers": {"type": "list", "elements": "str", "default": []},
    "domain_name": {"type": "str", "default": ""},
    "state": {"type": "str", "choices": ["active", "inactive"], "default": "active"},
}

SCRIPT_HEADER = "# Written by vncustoms.vnaccs.dhcp_server for one netsh exec run; deleted afterwards."
# The daily check of Appendix III wants the DHCP Server service Running and Automatic; netsh can
# read and change scopes only while it runs.
START_MODE, RUNNING = "auto", True


class ActionModule(WindowsAction):
    ARGUMENT_SPEC: ClassVar[dict[str, Any]] = {
        "scopes": {"type": "list", "elements": "dict", "required": True, "options": SCOPE_OPTIONS},
        "install": {"type": "bool", "default": True},
        "ad_domain": {"type": "str", "default": ""},
        "server_ip": {"type": "str", "default": ""},
        "fold_names": {"type": "bool", "default": True},
        "work_dir": {"type": "str", "default": "%SystemRoot%\\Temp"},
    }

    def validate_windows_args(self, args: dict[str, Any], host: str) -> None:
        wanted: list[WantedScope] = []
        for index, spec in enumerate(args["scopes"]):
            try:
                wanted.append(wanted_scope(spec, index, fold_names=args["fold_names"]))
            except PlanError as error:
                raise AnsibleActionFail(f"{host}: {error}") from None
        addresses = [scope.address for scope in wanted]
        duplicates = sorted({address for address in addresses if addresses.count(address) > 1})
        if duplicates:
            raise AnsibleActionFail(f"{host}: scopes: {', '.join(duplicates)} listed more than once")
        if args["ad_domain"]:
            try:
                ipaddress.IPv4Address(args["server_ip"])
            except ValueError:
                raise AnsibleActionFail(
                    f"{host}: server_ip: {args['server_ip']!r} is not an IPv4 address; it is needed to "
                    "authorize the server in Active Directory"
                ) from None
        self._wanted = wanted

    # -- the run ------------------------------------------------------------------------------------
    def run_windows(self, session: WindowsSession, args: dict[str, Any], check_mode: bool) -> WindowsOutcome:
        wanted: list[WantedScope] = self._wanted
        authorize = bool(args["ad_domain"])
        running, start_mode = RUNNING, START_MODE
        work_dir = args["work_dir"].rstrip("\\")
        answer_path = f"{work_dir}\\vnaccs_dhcp_install.txt"
        script_path = f"{work_dir}\\vnaccs_dhcp_plan.txt"

        family = session.windows_family()
        state = self._probe(session, authorize)
        before = self._render(state, wanted)
        after = self._render_wanted(wanted, start_mode, running)
        outcome = WindowsOutcome(before=before, after=after)
        outcome.extra = {
            "windows_version": family,
            "reboot_required": False,
            "scopes": [scope.address for scope in wanted],
            "scope_names": {scope.address: scope.name for scope in wanted},
            "authorization": "checked" if authorize else "skipped: no Active Directory domain (workgroup)",
        }

        # 1. The component.
        installing = not state.installed
        if installing and not args["install"]:
            outcome.failed = True
            outcome.msg = f"{session.host}: the DHCP Server component is not installed and install is false"
            return outcome
        if installing:
            answer, install = install_commands(family, answer_path)
            if answer:
                install = [*install, f"del {answer_path}"]
            writes = echo_file_commands(answer_path, answer) if answer else []
            outcome.commands += writes + install
            outcome.preview += (
                [f"(write {answer_path}: {'; '.join(a for a in answer if a)})"] if answer else []
            )
            outcome.preview += install
            outcome.changed = True
            if not check_mode:
                for command in writes:
                    session.run(command, check=True)
                self._install(session, install, outcome)
                state = self._probe(session, authorize)
                if not state.installed:
                    outcome.failed = True
                    outcome.msg = (
                        f"{session.host}: the installer ran but the {family} host still has no DHCPServer "
                        "service (on 2003, sysocmgr may be waiting for the i386 source files)"
                    )
                    return outcome

        # 2. The service: Automatic and running before netsh talks to it.
        service = service_commands(state, start_mode, running, assume_unknown=installing and check_mode)
        outcome.commands += service
        outcome.preview += service
        if service:
            outcome.changed = True
            if not check_mode:
                for command in service:
                    result = session.run(command)
                    # 1056: already running, which is what was wanted.
                    if not result.ok and "1056" not in result.stdout:
                        raise WinRMCommandError(
                            f"{session.host}: `{command}` failed: {result.stdout.strip()}",
                            session.host,
                            result,
                        )
                if state.scopes is None:
                    # The scopes could not be read while the service was stopped: read them now.
                    state = self._probe(session, authorize)

        if state.scopes is None:
            # Only in check mode: the service is stopped, so netsh cannot read the scopes yet.
            outcome.preview.append(
                "(the scopes cannot be read while the DHCPServer service is stopped; the real run "
                "reads them once it has started the service, and plans the netsh script then)"
            )
            outcome.extra["scopes_read"] = False
            return outcome

        # 3. Authorization and scopes, as one netsh script.
        script = self._script(state, wanted, args, authorize)
        if authorize:
            outcome.extra["authorization"] = (
                "authorizing" if self._needs_authorization else "already authorized"
            )
        if script:
            writes = echo_file_commands(script_path, [SCRIPT_HEADER, *script])
            run = [f"netsh exec {script_path}", f"del {script_path}"]
            outcome.commands += [*writes, *run]
            outcome.preview += [f"(write {script_path}, then netsh exec it:)", *script]
            outcome.changed = True
            if not check_mode:
                self._run_script(session, writes, script_path, len(script))

        if outcome.changed and not check_mode:
            # Read back: the change must show, or the task says so instead of claiming success.
            final = self._probe(session, authorize)
            left = service_commands(final, start_mode, running, False) + self._script(
                final, wanted, args, authorize
            )
            if left:
                outcome.failed = True
                outcome.msg = f"{session.host}: after applying, the host still differs: {'; '.join(left)}"
        if not outcome.msg:
            outcome.msg = "changed" if outcome.changed else "the DHCP server is as wanted"
        return outcome

    # -- steps --------------------------------------------------------------------------------------
    @staticmethod
    def _probe(session: WindowsSession, authorize: bool) -> ServerState:
        return parse_probe(session.run(probe_command(authorize)).stdout)

    def _script(
        self, state: ServerState, wanted: list[WantedScope], args: dict[str, Any], authorize: bool
    ) -> list:
        script: list[str] = []
        self._needs_authorization = False
        if authorize:
            dns_name = f"{state.computer_name or 'DHCP'}.{args['ad_domain']}".lower()
            lines = authorization_script(state, dns_name, args["server_ip"])
            self._needs_authorization = bool(lines)
            script += lines
        if state.scopes is None:
            return [*script, "(the scopes cannot be read: the DHCPServer service is not running)"]
        for scope in wanted:
            script += scope_script(scope, state.scopes.get(scope.address))
        return script

    @staticmethod
    def _install(session: WindowsSession, install: list[str], outcome: WindowsOutcome) -> None:
        for command in install:
            result = session.run(command)
            if "servermanagercmd" in command:
                # 0 installed, 3010 installed and wants a restart, 1003 nothing to do (reference 2.2).
                if result.exit_code == 3010:
                    outcome.extra["reboot_required"] = True
                    outcome.warnings.append(
                        f"{session.host}: the DHCP Server role asks for a restart; nothing was restarted. "
                        "Plan one outside peak hours (09:00-12:00, 14:00-17:00) and the Sunday "
                        "03:00-06:00 maintenance window"
                    )
                elif result.exit_code not in (0, 1003):
                    raise WinRMCommandError(
                        f"{session.host}: servermanagercmd failed (exit {result.exit_code}): "
                        f"{result.output.strip()}",
                        session.host,
                        result,
                    )
            elif not result.ok:
                raise WinRMCommandError(
                    f"{session.host}: `{command}` failed with exit code {result.exit_code}",
                    session.host,
                    result,
                )

    @staticmethod
    def _run_script(session: WindowsSession, writes: list[str], script_path: str, count: int) -> None:
        try:
            for command in writes:
                session.run(command, check=True)
            result = session.run(f"netsh exec {script_path}")
        finally:
            session.run(f"del {script_path}")
        problem = script_failure(result.output, count)
        if problem:
            raise WinRMCommandError(f"{session.host}: netsh exec failed: {problem}", session.host, result)

    # -- diff text ----------------------------------------------------------------------------------
    @staticmethod
    def _render(state: ServerState, wanted: list[WantedScope]) -> str:
        lines = render_service(state.installed, state.start_mode, state.running)
        for scope in wanted:
            if state.scopes is None:
                lines.append(f"scope {scope.address}: not readable while the service is stopped")
            else:
                lines += render_scope(state.scopes.get(scope.address), scope.address)
        return "\n".join(lines) + "\n"

    @staticmethod
    def _render_wanted(wanted: list[WantedScope], start_mode: str, running: bool) -> str:
        lines = render_service(True, start_mode, running)
        for scope in wanted:
            lines += render_scope(as_dump_scope(scope), scope.address)
        return "\n".join(lines) + "\n"
