# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Text rules shared by the site data and the Windows plugins: one copy of each.

* :func:`ascii_fold`: Vietnamese text without its diacritics. Host names are slugs of it, and the
  WinRM shell runs in OEM code page 437 (docs/sources/windows_commands.md, 10.4), which has no
  Vietnamese letters (ư, ơ, đ, ạ...): a name written through it would arrive with ``?`` in
  their place, so scope names are written folded.
* :func:`is_domain_name`: the DNS domain rule for option 015 and Active Directory domains.
"""

from __future__ import annotations

import re
import unicodedata

_DOMAIN_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")


def ascii_fold(text: str) -> str:
    """Vietnamese text without diacritics: 'Chi cục Hải quan Đồng Tháp' -> 'Chi cuc Hai quan Dong Thap'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if unicodedata.category(char) != "Mn")


def is_domain_name(value: object) -> bool:
    """Whether `value` is a DNS domain name of letters, digits, dots and hyphens."""
    return isinstance(value, str) and _DOMAIN_NAME.fullmatch(value) is not None
