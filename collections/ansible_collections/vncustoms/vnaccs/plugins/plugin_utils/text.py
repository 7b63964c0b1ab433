# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Text rules shared by the site data and the Windows plugins: one copy of each.

* :func:`ascii_fold`: Vietnamese text without its diacritics. Host names are slugs of it, and the
  WinRM shell runs in OEM code page 437 (docs/sources/windows_commands.md, 10.4), which has no
  Vietnamese letters (ư, ơ, đ, ạ...): a name written through it would arrive with ``?`` in
  their place, so scope names are written folded.
* :func:`is_ascii`: whether text is plain ASCII (what every code page carries unchanged).
* :func:`domain_name_problem` / :func:`is_domain_name`: the DNS domain rule for option 015 and
  Active Directory domains.
* :func:`netbios_name_problem`: the NetBIOS computer-name rule for workstation names.
* :func:`scope_text_problem`: what a DHCP scope name or comment may hold in a netsh script, and
  :func:`quoted_text_problem`, the rule it applies to any text written between double quotes.

The ``*_problem`` functions return why a value breaks the rule, or None; callers put the reason
into their own message, which names the file, host and field.
"""

from __future__ import annotations

import re
import unicodedata

# RFC 1035, 2.3.4: a label is at most 63 octets and a name at most 255 octets on the wire, which
# is 253 characters written with dots. Microsoft's naming conventions for AD DS (KB 909264,
# "DNS domain names") give the same 63 per label and 255 per FQDN. Labels are letters, digits
# and hyphens, beginning and ending with a letter or digit (RFC 1123, 2.1).
DOMAIN_NAME_MAX_LENGTH = 253
DOMAIN_LABEL_MAX_LENGTH = 63
_DOMAIN_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?")

# NetBIOS computer names (Microsoft, "Naming conventions in Active Directory for computers,
# domains, sites, and OUs", KB 909264): 1 to 15 characters (the 16th byte is the NetBIOS suffix),
# none of \ / : * ? " < > |, not starting with a period, and, for a member of an AD domain, not
# only digits. MS-SRVS 2.2.2.8 (NAMETYPE_COMPUTER) also refuses [ ] + = ; , and the control
# characters, and leading or trailing blanks; both lists are applied. ASCII only: the WinRM shell's
# code page 437 (above) carries no Vietnamese letter.
NETBIOS_NAME_MAX_LENGTH = 15
_NETBIOS_DISALLOWED = set('\\/:*?"<>|[]+=;,')

# A scope name or comment is written quoted into a netsh script line: no double quote, no % (cmd
# would expand it when the line is echoed into the script), no line break, code page 437 only.
# Length: the DHCP management protocol sets no limit on a subnet's name or comment (MS-DHCPM
# 2.2.1.2.45: "There is no restriction on the length of this Unicode string") and netsh documents
# none. [U] The limit below is the toolkit's own, far above the longest name the site data makes
# (59 characters, 69 with " VLAN 4094"), so that a pasted paragraph is refused before any host
# is contacted rather than written into a scope.
SCOPE_TEXT_MAX_LENGTH = 128
_SCOPE_TEXT_UNSAFE = re.compile(r'["%\r\n]')


def ascii_fold(text: str) -> str:
    """Vietnamese text without diacritics: 'Chi cục Hải quan Đồng Tháp' -> 'Chi cuc Hai quan Dong Thap'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if unicodedata.category(char) != "Mn")


def is_ascii(value: object) -> bool:
    """Whether `value` is a string of ASCII characters only."""
    return isinstance(value, str) and value.isascii()


def _name_problem(value: object, what: str, max_length: int) -> str | None:
    """What makes `value` no `what` before its own rules: no text, letters outside ASCII, length."""
    if not isinstance(value, str) or not value:
        return f"is not a {what}"
    if not value.isascii():
        return f"has letters outside ASCII; a {what} is written without diacritics"
    if len(value) > max_length:
        return f"is {len(value)} characters long; a {what} has at most {max_length}"
    return None


def domain_name_problem(value: object) -> str | None:
    """Why `value` is not a DNS domain name of letters, digits, dots and hyphens; None if it is one."""
    problem = _name_problem(value, "DNS domain name", DOMAIN_NAME_MAX_LENGTH)
    if problem:
        return problem
    for label in str(value).split("."):
        if len(label) > DOMAIN_LABEL_MAX_LENGTH:
            return (
                f"has a label of {len(label)} characters ({label[:20]}...); "
                f"a DNS label has at most {DOMAIN_LABEL_MAX_LENGTH}"
            )
        if not _DOMAIN_LABEL.fullmatch(label):
            return "is not a DNS domain name of letters, digits, hyphens and dots"
    return None


def is_domain_name(value: object) -> bool:
    """Whether `value` is a DNS domain name (see :func:`domain_name_problem`)."""
    return domain_name_problem(value) is None


def netbios_name_problem(value: object) -> str | None:
    """Why `value` cannot be a Windows (NetBIOS) computer name; None if it can."""
    problem = _name_problem(value, "Windows computer name", NETBIOS_NAME_MAX_LENGTH)
    if problem:
        return problem
    value = str(value)
    bad = sorted({char for char in value if char in _NETBIOS_DISALLOWED or not char.isprintable()})
    if bad:
        return "has characters a Windows computer name may not contain: " + " ".join(repr(c) for c in bad)
    if value != value.strip():
        return "begins or ends with a blank"
    if value.startswith("."):
        return "begins with a period"
    if value.isdigit():
        return "is only digits, which a member of an Active Directory domain may not be named"
    return None


def quoted_text_problem(text: str, max_length: int, limit: str) -> str | None:
    """Why `text` cannot be written between double quotes on a cmd.exe line (a netsh script line, a
    `reg add /d "..."`), at most `max_length` characters (`limit` says whose limit); None if it can."""
    if _SCOPE_TEXT_UNSAFE.search(text):
        return "may not contain double quotes, % or line breaks"
    try:
        text.encode("cp437")
    except UnicodeEncodeError:
        return "has letters that the host's code page 437 cannot carry"
    if len(text) > max_length:
        return f"is {len(text)} characters long; {limit} at most {max_length}"
    return None


def scope_text_problem(text: str) -> str | None:
    """Why `text` cannot be a scope name or comment in a netsh script; None if it can."""
    return quoted_text_problem(text, SCOPE_TEXT_MAX_LENGTH, "the toolkit writes")
