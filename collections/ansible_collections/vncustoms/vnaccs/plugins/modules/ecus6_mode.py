"""Documentation of the vncustoms.vnaccs.ecus6_mode action plugin (code: plugins/action/)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecus6_mode
short_description: Switch a workstation's logon notice and mode marker between VNACCS and Ecus6
description:
  - The switch-over of letter 497/CHQ-CNTT (2025), for when VNACCS/VCIS fails and declarations go to the Ecus6
    system.
  - With O(mode=ecus6), sets the logon notice (C(LegalNoticeCaption) and C(LegalNoticeText) under
    C(HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon), shown in a dialog before logon) to say so,
    in Vietnamese without diacritics and in English, with the officers' portal address.
  - With O(mode=vnaccs), clears the notice when it is the toolkit's own; a notice set otherwise is left
    as it is.
  - Records the mode and O(switched) under C(HKLM\SOFTWARE\VNACCS\Contingency) (C(Mode), C(Switched)) when the
    mode changes; a host already in the mode is not changed.
version_added: 0.1.0
author:
  - Vietnam Customs IT
extends_documentation_fragment:
  - vncustoms.vnaccs.windows_connection
options:
  mode:
    description: The mode to switch to.
    type: str
    choices: [ecus6, vnaccs]
    required: true
  switched:
    description: When the switch happened, C(YYYY-MM-DDTHH:MM[:SS][+HH:MM]) (one value for the whole run).
    type: str
    required: true
  url:
    description: The officers' portal address written into the notice. Required with O(mode=ecus6).
    type: str
    default: ""
  caption:
    description: The notice's title; empty for the default, in Vietnamese and English.
    type: str
    default: ""
  text:
    description:
      - The notice's text; empty for the default. C({url}) and C({letter}) are replaced by O(url) and the
        letter's number.
      - At most 512 characters, without double quotes, C(%) or line breaks.
    type: str
    default: ""
  fold_text:
    description: Write O(caption) and O(text) without Vietnamese diacritics (the WinRM shell uses code page
      437).
    type: bool
    default: true
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: windows
"""

EXAMPLES = r"""
- name: Tell the officers at logon that declarations go to Ecus6
  vncustoms.vnaccs.ecus6_mode:
    mode: ecus6
    switched: "2026-12-01T08:30:00+07:00"
    url: http://10.224.128.226

- name: Return to VNACCS
  vncustoms.vnaccs.ecus6_mode:
    mode: vnaccs
    switched: "2026-12-01T15:00:00+07:00"
"""

RETURN = r"""
mode:
  description: The mode the host is in after the task (or would be, in check mode).
  returned: success
  type: str
previous_mode:
  description: The mode the host's marker said before the task (C(vnaccs) when it was never switched).
  returned: success
  type: str
switched:
  description: When the host was switched to RV(mode).
  returned: success
  type: str
"""
