"""Action plugin vncustoms.vnaccs.dhcp_server (documentation: plugins/modules/dhcp_server.py)."""

from __future__ import annotations

from typing import Any, ClassVar

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.dhcp_plan import (
    DhcpServerPlan,
    WantedServer,
    wanted_server,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_action import WindowsAction
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import WindowsSession

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


class ActionModule(WindowsAction):
    ARGUMENT_SPEC: ClassVar[dict[str, Any]] = {
        "scopes": {"type": "list", "elements": "dict", "required": True, "options": SCOPE_OPTIONS},
        "install": {"type": "bool", "default": True},
        "install_timeout": {"type": "int", "default": 1800},
        "ad_domain": {"type": "str", "default": ""},
        "server_ip": {"type": "str", "default": ""},
        "fold_names": {"type": "bool", "default": True},
        "work_dir": {"type": "str", "default": "%SystemRoot%\\Temp"},
    }

    def wanted(self, args: dict[str, Any]) -> WantedServer:
        return wanted_server(args)

    def plan(self, session: WindowsSession, wanted: WantedServer) -> DhcpServerPlan:
        return DhcpServerPlan(wanted, session.windows_family())
