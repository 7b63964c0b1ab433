"""Action plugin vncustoms.vnaccs.base_server (documentation: plugins/modules/base_server.py)."""

from __future__ import annotations

from typing import Any, ClassVar

from ansible.errors import AnsibleActionFail
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.base_server_plan import (
    FIREWALL_FORMS,
    FTP_INSTALLERS,
    Forms,
    HostState,
    PlanError,
    Step,
    Wanted,
    choose_forms,
    parse_probe,
    plan,
    probe_command,
    render_state,
    render_wanted,
    wanted_state,
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

# Exit codes that are not failures: servermanagercmd 1003 "already installed", 3010 "restart"
# (reference 2.2); sc start 1056 "already running" (reference 3.2).
ACCEPTED_EXIT = {"servermanagercmd": (0, 1003, 3010), "sc start": (0, 1056)}


class ActionModule(WindowsAction):
    ARGUMENT_SPEC: ClassVar[dict[str, Any]] = {
        "root": {"type": "str", "required": True},
        "folders": {"type": "list", "elements": "str", "default": []},
        "readers": {"type": "list", "elements": "str", "default": ["Everyone"]},
        "writers": {"type": "list", "elements": "str", "default": ["BUILTIN\\Administrators"]},
        "shares": {
            "type": "list",
            "elements": "dict",
            "default": [],
            "options": {
                "name": {"type": "str", "required": True},
                "folder": {"type": "str", "default": ""},
                "remark": {"type": "str", "default": ""},
            },
        },
        # No default for the two dicts: Ansible's validator fills suboption defaults into a default
        # dict in place, which would change this class attribute for every later task.
        "ftp": {
            "type": "dict",
            "options": {
                "enabled": {"type": "bool", "default": True},
                "site_name": {"type": "str", "default": "VNACCS Base Server"},
                "port": {"type": "int", "default": 21},
                "folder": {"type": "str", "default": ""},
            },
        },
        "firewall_rule": {"type": "str", "default": "VNACCS base server FTP"},
        "services": {"type": "list", "elements": "str", "default": ["LanmanServer"]},
        "install": {"type": "bool", "default": True},
        "forms": {
            "type": "dict",
            "options": {
                "share_grant": {"type": "bool"},
                "firewall": {"type": "str", "choices": ["auto", *FIREWALL_FORMS], "default": "auto"},
                "ftp_installer": {"type": "str", "choices": ["auto", *FTP_INSTALLERS], "default": "auto"},
            },
        },
        "work_dir": {"type": "str", "default": "%SystemRoot%\\Temp"},
    }

    def validate_windows_args(self, args: dict[str, Any], host: str) -> None:
        # Everything but the version forms is checked here, before the host is contacted.
        try:
            wanted_state(args, Forms(share_grant=True, firewall="advfirewall", ftp_installer="sysocmgr"))
        except PlanError as error:
            raise AnsibleActionFail(f"{host}: {error}") from None

    # -- the run ------------------------------------------------------------------------------------
    def run_windows(self, session: WindowsSession, args: dict[str, Any], check_mode: bool) -> WindowsOutcome:
        family = session.windows_family()
        try:
            wanted = wanted_state(args, choose_forms(args["forms"] or {}, family))
        except PlanError as error:
            return WindowsOutcome(failed=True, msg=f"{session.host}: {error}")
        answer_path = f"{args['work_dir'].rstrip(chr(92))}\\vnaccs_ftp_install.txt"
        state = self._probe(session, wanted)
        outcome = WindowsOutcome(before=render_state(wanted, state), after=render_wanted(wanted))
        outcome.extra = {
            "windows_version": family,
            "reboot_required": False,
            "forms": {
                "share_grant": wanted.forms.share_grant,
                "firewall": wanted.forms.firewall,
                "ftp_installer": wanted.forms.ftp_installer,
            },
            "folders": [wanted.root, *wanted.folders],
            "shares": {share.name: share.path for share in wanted.shares},
            "ftp_site": wanted.ftp.site_name if wanted.ftp else "",
            "steps": [],
        }
        steps = plan(wanted, state, answer_path)
        installing = bool(steps) and steps[0].what.startswith("install")
        if installing and not args["install"]:
            outcome.failed = True
            outcome.msg = f"{session.host}: IIS FTP is not installed and install is false"
            return outcome
        outcome.changed = bool(steps)
        if check_mode or not steps:
            self._describe(steps, outcome)
            outcome.msg = "changed" if steps else "the base server is as wanted"
            return outcome

        if installing:
            # The rest was planned for what IIS FTP is known to create; plan it again from what the
            # installer really left, so that the commands reported are the ones that ran.
            self._describe(steps[:1], outcome)
            self._apply(session, steps[:1], outcome)
            steps = plan(wanted, self._probe(session, wanted), answer_path)
        self._describe(steps, outcome)
        self._apply(session, steps, outcome)
        # Read back: the change must show, or the task says so instead of claiming success.
        left = plan(wanted, self._probe(session, wanted), answer_path)
        if left:
            outcome.failed = True
            outcome.msg = (
                f"{session.host}: after applying, the host still differs: {'; '.join(s.what for s in left)}"
            )
        else:
            outcome.msg = "changed"
        return outcome

    @staticmethod
    def _describe(steps: list[Step], outcome: WindowsOutcome) -> None:
        """Record the steps' commands (what runs, or would run) and their readable form for --diff."""
        for step in steps:
            writes = echo_file_commands(step.file_path, step.file_lines) if step.file_lines else []
            outcome.commands += writes + step.commands
            if step.file_lines:
                written = "; ".join(line for line in step.file_lines if line)
                outcome.preview.append(f"(write {step.file_path}: {written})")
            outcome.preview += [f"# {step.what}", *step.commands]
            outcome.extra["steps"].append(step.what)

    # -- steps --------------------------------------------------------------------------------------
    @staticmethod
    def _probe(session: WindowsSession, wanted: Wanted) -> HostState:
        return parse_probe(session.run(probe_command(wanted)).stdout, wanted)

    @staticmethod
    def _apply(session: WindowsSession, steps: list[Step], outcome: WindowsOutcome) -> None:
        for step in steps:
            if step.file_lines:
                for command in echo_file_commands(step.file_path, step.file_lines):
                    session.run(command, check=True)
            try:
                for command in step.commands:
                    result = session.run(command)
                    accepted = next(
                        (codes for prefix, codes in ACCEPTED_EXIT.items() if command.startswith(prefix)),
                        (0,),
                    )
                    if result.exit_code == 3010:
                        outcome.extra["reboot_required"] = True
                        outcome.warnings.append(
                            f"{session.host}: `{command}` asks for a restart; this task does not restart"
                        )
                    if result.exit_code not in accepted:
                        raise WinRMCommandError(
                            f"{session.host}: {step.what}: `{command}` failed with exit code "
                            f"{result.exit_code}: {result.output.strip()}",
                            session.host,
                            result,
                        )
            finally:
                if step.file_lines:
                    session.run(f"del {step.file_path}")
