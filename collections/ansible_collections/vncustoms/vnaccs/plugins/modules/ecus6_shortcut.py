"""Documentation of the vncustoms.vnaccs.ecus6_shortcut action plugin (code: plugins/action/)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecus6_shortcut
short_description: Keep the Ecus6 shortcut on the desktop every user of a Windows workstation sees
description:
  - Letter 497/CHQ-CNTT (2025) has the officers use the Ecus6 system when VNACCS/VCIS fails, at the officers'
    portal address. This plugin keeps an Internet Shortcut (C(.url)) to that address on the all-users desktop,
    or removes it.
  - The desktop is C(%ALLUSERSPROFILE%\Desktop) on Windows XP and Server 2003 (CSIDL_COMMON_DESKTOPDIRECTORY)
    and C(%PUBLIC%\Desktop) on Windows 7 and Server 2008 (FOLDERID_PublicDesktop), from the plugin's data
    (C(plugin_utils/ecus6_forms.yml)).
  - The file name is the title without diacritics, C(Ecus6 (du phong VNACCS).url), since the WinRM shell's
    code page 437 has no Vietnamese letters.
  - Reads the shortcut back (C(type)) and writes it only when it is missing or points elsewhere.
version_added: 0.1.0
author:
  - Vietnam Customs IT
extends_documentation_fragment:
  - vncustoms.vnaccs.windows_connection
options:
  state:
    description: Whether the shortcut is there (V(present)) or not (V(absent)).
    type: str
    choices: [present, absent]
    default: present
  url:
    description:
      - The officers' portal, C(http://) or C(https://) with a host, an optional port and a plain path.
        Required with O(state=present).
    type: str
    default: ""
  name:
    description: The shortcut's file name on the desktop (ASCII letters, digits, spaces and C(( ) . _ -),
      ending in C(.url)).
    type: str
    default: Ecus6 (du phong VNACCS).url
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: windows
"""

EXAMPLES = r"""
- name: Place the Ecus6 shortcut for all users
  vncustoms.vnaccs.ecus6_shortcut:
    url: http://10.224.128.226

- name: Remove the Ecus6 shortcut
  vncustoms.vnaccs.ecus6_shortcut:
    state: absent
"""

RETURN = r"""
path:
  description: The shortcut's path on the host, as cmd.exe writes it (the desktop's variable unexpanded).
  returned: success
  type: str
url:
  description: The address the shortcut on the host pointed at before any change; empty when there was none.
  returned: success
  type: str
"""
