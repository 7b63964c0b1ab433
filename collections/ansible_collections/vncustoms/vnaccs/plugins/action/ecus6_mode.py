"""Action plugin vncustoms.vnaccs.ecus6_mode (documentation: plugins/modules/ecus6_mode.py)."""

from __future__ import annotations

from typing import Any, ClassVar

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.ecus6 import (
    ModePlan,
    ModeWanted,
    mode_wanted,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_action import WindowsAction
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import WindowsSession


class ActionModule(WindowsAction):
    ARGUMENT_SPEC: ClassVar[dict[str, Any]] = {
        "mode": {"type": "str", "choices": ["ecus6", "vnaccs"], "required": True},
        "switched": {"type": "str", "required": True},
        "url": {"type": "str", "default": ""},
        "caption": {"type": "str", "default": ""},
        "text": {"type": "str", "default": ""},
        "fold_text": {"type": "bool", "default": True},
    }

    def wanted(self, args: dict[str, Any]) -> ModeWanted:
        return mode_wanted(args)

    def plan(self, session: WindowsSession, wanted: ModeWanted) -> ModePlan:
        return ModePlan(wanted)
