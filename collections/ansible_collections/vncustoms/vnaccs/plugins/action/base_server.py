"""Action plugin vncustoms.vnaccs.base_server (documentation: plugins/modules/base_server.py)."""

from __future__ import annotations

from typing import Any, ClassVar

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.base_server_plan import (
    FIREWALL_FORMS,
    FTP_INSTALLERS,
    BaseServerPlan,
    Wanted,
    wanted_state,
    with_forms,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_action import WindowsAction
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import WindowsSession


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
        "install_timeout": {"type": "int", "default": 1800},
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

    def wanted(self, args: dict[str, Any]) -> tuple[Wanted, dict[str, Any]]:
        return wanted_state(args), args["forms"] or {}

    def plan(self, session: WindowsSession, wanted: tuple[Wanted, dict[str, Any]]) -> BaseServerPlan:
        state, forms = wanted
        return BaseServerPlan(with_forms(state, forms, session.windows_family()))
