"""Action plugin vncustoms.vnaccs.health_report (documentation: plugins/modules/health_report.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.health_report import (
    REPORT_KINDS,
    SEVERITIES,
    ReportError,
    build_report,
    latest_report,
    read_report,
    summary_text,
    write_report,
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    ARGUMENT_SPEC: ClassVar[dict[str, Any]] = {
        "kind": {"type": "str", "required": True, "choices": list(REPORT_KINDS)},
        "hosts": {"type": "list", "elements": "dict", "required": True},
        "stations": {"type": "list", "elements": "dict", "default": []},
        "directory": {"type": "path", "required": True},
        "previous": {"type": "path"},
        "compare": {"type": "bool", "default": True},
        "due_days": {"type": "dict", "default": {}},
        "templates": {"type": "path", "required": True},
        "schema": {"type": "path", "required": True},
        "run": {"type": "dict", "default": {}},
    }

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars or {})
        _, args = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC)
        due_days = {}
        for severity, days in (args["due_days"] or {}).items():
            if severity not in SEVERITIES or not str(days).isdigit():
                raise AnsibleActionFail(
                    f"due_days: {severity}: {days!r}; give whole days for each of {', '.join(SEVERITIES)}"
                )
            due_days[severity] = int(days)
        now = datetime.now().astimezone()
        directory = Path(args["directory"])
        previous, previous_path = None, ""
        try:
            if args["kind"] == "audit" and args["compare"]:
                path = Path(args["previous"]) if args["previous"] else latest_report(directory, "audit")
                if path is not None:
                    previous, previous_path = read_report(path), str(path)
            report = build_report(
                args["kind"],
                args["hosts"],
                now,
                stations=args["stations"],
                previous=previous,
                previous_path=previous_path,
                due_days=due_days,
                run={key: value for key, value in (args["run"] or {}).items() if value is not None},
            )
            paths = write_report(report, directory, Path(args["templates"]), Path(args["schema"]))
        except ReportError as error:
            return {**result, "failed": True, "msg": str(error)}
        text = summary_text(report)
        result.update(
            changed=False,
            paths=paths,
            summary=report["summary"],
            previous=previous_path,
            summary_lines=text.splitlines(),
            msg=f"{text}\nHTML report: {paths['html']}",
        )
        return result
