# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host-name slugs: stable ASCII names made from the Vietnamese site and workstation names."""

from __future__ import annotations

import re

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.text import ascii_fold

# Common words shortened in host names, so that names stay readable in `-l` and reports; applied
# to the ASCII-folded lower-case text, longest first.
SLUG_ABBREVIATIONS = (
    ("chi cuc hai quan", "cchq"),
    ("chi cuc hq", "cchq"),
    ("cua khau", "ck"),
    ("hai quan", "hq"),
)

_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")


def slugify(text: str, sep: str = "-", abbreviate: bool = True) -> str:
    """A stable ASCII slug: 'Chi cục Hải quan cửa khẩu Tà lùng' -> 'cchq-ck-ta-lung'."""
    words = " ".join(_SLUG_UNSAFE.sub(" ", ascii_fold(text).lower()).split())
    if abbreviate:
        for long, short in SLUG_ABBREVIATIONS:
            words = re.sub(rf"\b{long}\b", short, words)
    return sep.join(words.split())
