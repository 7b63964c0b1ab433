"""Action plugin vncustoms.vnaccs.ecus6_shortcut (documentation: plugins/modules/ecus6_shortcut.py)."""

from __future__ import annotations

from typing import Any, ClassVar

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.ecus6 import (
    SHORTCUT_NAME,
    ShortcutPlan,
    ShortcutWanted,
    shortcut_wanted,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_action import WindowsAction
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import WindowsSession


class ActionModule(WindowsAction):
    ARGUMENT_SPEC: ClassVar[dict[str, Any]] = {
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        "url": {"type": "str", "default": ""},
        "name": {"type": "str", "default": SHORTCUT_NAME},
    }

    def wanted(self, args: dict[str, Any]) -> ShortcutWanted:
        return shortcut_wanted(args)

    def plan(self, session: WindowsSession, wanted: ShortcutWanted) -> ShortcutPlan:
        return ShortcutPlan(wanted, session.windows_family())
