"""What the audit reads of a host's security settings: the local accounts (`wmic useraccount`), the
audit policy (`secedit /export`), the installed hotfixes (systeminfo's `Hotfix(s)`, winlab.model.network).

State (`accounts`, `audit_policy`, `hotfixes` of the host's state; a state file of an older winlab
without them reads the defaults below, and only the faults write them):

* `accounts`: the local accounts, `{"name", "rid", "disabled"}`. The built-in administrator has the
  relative identifier 500 and the guest 501 (Microsoft, "Well-known SIDs",
  https://learn.microsoft.com/en-us/windows/win32/secauthz/well-known-sids: "DOMAIN_USER_RID_ADMIN",
  "DOMAIN_USER_RID_GUEST"); a local account's SID is S-1-5-21-<three machine numbers>-<RID>.
  A new lab host has the administrator renamed (`qtv`) and the guest disabled, as the customs
  hosts are set up [U: the lab's choice of a compliant host; a fresh Windows has `Administrator`
  enabled, and Guest disabled]. The lab's WinRM accounts are taken to be domain accounts
  (`customs.gov.vn`): they are not listed as local accounts [U].
* `audit_policy`: the nine categories of the [Event Audit] section of a security template, 0 to 3
  (0 no auditing, 1 success, 2 failure, 3 both: MS-GPSB, "Event Audit"); a new lab host audits the
  success and failure of system, logon, policy change, account management and account logon events
  and nothing else [U: the lab's choice of a compliant host, set by the customs' group policy; a
  fresh Windows audits less].
* `hotfixes`: the ids systeminfo lists, in order [U: the lab's choice; `Q147222` is what a real
  2003 SP2 lists (tests/fixtures/windows/real/blankshiro_systeminfo_2003.txt), taken for XP too].

Faults (`winlab.lab`): `local_account` changes an account by its RID, `audit_policy` sets categories,
`hotfix_removed` takes ids off the list. They change the host's state, as a change on Windows would;
`DELETE /faults` does not undo them.
"""

from __future__ import annotations

import hashlib

from winlab.model import files
from winlab.model.host import Context, Result, command, lines
from winlab.model.profiles import Profile

AUDIT_CATEGORIES = (
    "AuditSystemEvents",
    "AuditLogonEvents",
    "AuditObjectAccess",
    "AuditPrivilegeUse",
    "AuditPolicyChange",
    "AuditAccountManage",
    "AuditProcessTracking",
    "AuditDSAccess",
    "AuditAccountLogon",
)
_AUDITED = {
    "AuditSystemEvents",
    "AuditLogonEvents",
    "AuditPolicyChange",
    "AuditAccountManage",
    "AuditAccountLogon",
}
ADMINISTRATOR_RID, GUEST_RID = 500, 501


def default_accounts() -> list[dict]:
    return [
        {"name": "qtv", "rid": ADMINISTRATOR_RID, "disabled": False},
        {"name": "Guest", "rid": GUEST_RID, "disabled": True},
    ]


def default_audit_policy() -> dict[str, int]:
    return {name: 3 if name in _AUDITED else 0 for name in AUDIT_CATEGORIES}


def default_hotfixes(profile: Profile) -> list[str]:
    # [U] the lab's lists (module docstring); KB976902 is 7 SP1's own package, KB948465 2008 SP2's.
    return {"2003": ["Q147222"], "xp": ["Q147222"], "2008": ["KB948465"], "7": ["KB976902"]}[profile.key]


def accounts(state: dict) -> list[dict]:
    return state.get("accounts") or default_accounts()


def audit_policy(state: dict) -> dict[str, int]:
    return {**default_audit_policy(), **(state.get("audit_policy") or {})}


def hotfixes(state: dict, profile: Profile) -> list[str]:
    found = state.get("hotfixes")
    return list(found) if found is not None else default_hotfixes(profile)


def machine_sid(name: str) -> str:
    """A stable machine SID prefix for a host (S-1-5-21- and three 32-bit numbers)."""
    digest = hashlib.sha256(("sid" + name).encode("utf-8")).digest()
    parts = [int.from_bytes(digest[i : i + 4], "big") for i in (0, 4, 8)]
    return "S-1-5-21-" + "-".join(str(part) for part in parts)


# -- faults -------------------------------------------------------------------------------------------
def set_account(state: dict, change: dict) -> None:
    """Fault `local_account`: `{"rid": 501, "disabled": false}` (and/or `"name"`)."""
    rid = int(change["rid"])
    current = [dict(item) for item in accounts(state)]
    found = next((item for item in current if item["rid"] == rid), None)
    if found is None:
        found = {"name": str(change.get("name") or f"user{rid}"), "rid": rid, "disabled": False}
        current.append(found)
    if "name" in change:
        found["name"] = str(change["name"])
    if "disabled" in change:
        found["disabled"] = bool(change["disabled"])
    state["accounts"] = current


def set_audit_policy(state: dict, change: dict) -> None:
    """Fault `audit_policy`: `{"AuditLogonEvents": 0}` (secedit's names, 0 to 3)."""
    policy = audit_policy(state)
    for name, value in change.items():
        key = next((item for item in AUDIT_CATEGORIES if item.lower() == str(name).lower()), None)
        if key is None or int(value) not in range(4):
            raise ValueError(
                f"audit_policy: {name}={value!r}; categories {', '.join(AUDIT_CATEGORIES)}, values 0-3"
            )
        policy[key] = int(value)
    state["audit_policy"] = policy


def remove_hotfixes(state: dict, profile: Profile, ids: object) -> None:
    """Fault `hotfix_removed`: an id or a list of ids off the host's Hotfix(s) list."""
    gone = {str(item).upper() for item in (ids if isinstance(ids, list) else [ids])}
    state["hotfixes"] = [item for item in hotfixes(state, profile) if item.upper() not in gone]


# -- wmic ------------------------------------------------------------------------------------------------
# The properties of Win32_UserAccount the model answers (`get` takes any of them, any case).
_PROPERTIES = ("Disabled", "Domain", "LocalAccount", "Name", "SID")


def _wmic_lines(*items: str) -> str:
    # wmic ends its lines with CR CR LF when its output goes to a pipe or file, not a console [U: seen
    # in public reports of wmic's output read by other programs; no Microsoft document].
    return "".join(item + "\r\r\n" for item in items)


@command("wmic")
def wmic(ctx: Context, argv: list[str], raw: str) -> Result:
    """`wmic useraccount [where "LocalAccount=TRUE"] get P1,P2 [/format:csv]`: the only form modelled.

    The CSV form starts with a blank line, then `Node,` and the properties in alphabetical order
    (whatever order `get` named them in), one row per account [U: the layout of public captures of
    other aliases; no capture of useraccount found]; `Disabled` and `LocalAccount` are TRUE/FALSE.
    Anything else answers as wmic does for an alias it does not know [U: wording]."""
    words = list(argv)
    csv_format = False
    for word in list(words):
        if word.lower().startswith("/format:"):
            words.remove(word)
            if word.lower() != "/format:csv":
                return Result(stderr=lines("Invalid XSL format (or) file name."), exit_code=2147749911)
            csv_format = True
    if not words or words[0].lower() != "useraccount":
        alias = words[0] if words else ""
        return Result(stderr=lines(f"{alias} - Alias not found."), exit_code=44135)
    rest = words[1:]
    local_only = False
    if len(rest) >= 2 and rest[0].lower() == "where":
        clause = rest[1].replace(" ", "").lower()
        if clause not in ("localaccount=true", "localaccount='true'"):
            return Result(
                stderr=lines("Node - " + ctx.host.computer_name, "ERROR:", "Description = Invalid query"),
                exit_code=2147749911,
            )
        local_only = True
        rest = rest[2:]
    if not rest or rest[0].lower() != "get":
        return Result(stderr=lines("Invalid GET Expression."), exit_code=2147749889)
    asked = [item for item in ",".join(rest[1:]).split(",") if item.strip()]
    names = []
    for item in asked:
        name = next((prop for prop in _PROPERTIES if prop.lower() == item.strip().lower()), None)
        if name is None:
            return Result(stderr=lines("Invalid query"), exit_code=2147749911)
        names.append(name)
    names = sorted(set(names), key=str.lower) or list(_PROPERTIES)
    sid = machine_sid(ctx.host.name)
    rows = []
    for account in sorted(accounts(ctx.state), key=lambda item: item["rid"]):
        values = {
            "Disabled": "TRUE" if account["disabled"] else "FALSE",
            "Domain": ctx.host.computer_name,
            "LocalAccount": "TRUE",
            "Name": account["name"],
            "SID": f"{sid}-{account['rid']}",
        }
        rows.append([values[name] for name in names])
    del local_only  # every modelled account is local
    if csv_format:
        out = ["", ",".join(["Node", *names])]
        out += [",".join([ctx.host.computer_name, *row]) for row in rows]
        return Result(stdout=_wmic_lines(*out))
    widths = [max([len(name), *(len(row[i]) for row in rows)]) + 2 for i, name in enumerate(names)]
    table = ["".join(name.ljust(width) for name, width in zip(names, widths, strict=True))]
    table += ["".join(value.ljust(width) for value, width in zip(row, widths, strict=True)) for row in rows]
    return Result(stdout=_wmic_lines(*table, ""))


# -- secedit ---------------------------------------------------------------------------------------------
def _template(ctx: Context) -> str:
    policy = audit_policy(ctx.state)
    body = ["[Unicode]", "Unicode=yes", "[Event Audit]"]
    body += [f"{name} = {policy[name]}" for name in AUDIT_CATEGORIES]
    body += ["[Version]", 'signature="$CHICAGO$"', "Revision=1"]
    return "\r\n".join(body) + "\r\n"


@command("secedit")
def secedit(ctx: Context, argv: list[str], raw: str) -> Result:
    """`secedit /export [/areas SECURITYPOLICY] /cfg FILE`: the template, as UTF-16 LE with its byte
    order mark ("Unicode=yes"), [Event Audit] lines `Name = N` (MS-GPSB; public exports). Only the audit
    policy of SECURITYPOLICY is written [U: a real export has [System Access] and more]; the messages
    are [U]."""
    options: dict[str, str] = {}
    index = 0
    while index < len(argv):
        word = argv[index].lower()
        if word in ("/cfg", "/areas", "/log", "/db") and index + 1 < len(argv):
            options[word] = argv[index + 1]
            index += 2
            continue
        options[word] = ""
        index += 1
    if "/export" not in options or "/cfg" not in options:
        return Result(
            stdout=lines("The parameter is incorrect.", "", "Usage: secedit /export /cfg filename"),
            exit_code=1,
        )
    path = files.normalize(ctx.host, ctx.user, options["/cfg"])
    if not files.is_dir(ctx.host, files.parent(path)):
        return Result(
            stdout=lines(
                "An error occurred while exporting the template.",
                "The system cannot find the path specified.",
            ),
            exit_code=3,
        )
    files.put_file(ctx.host, path, b"\xff\xfe" + _template(ctx).encode("utf-16-le"))
    return Result(
        stdout=lines(
            "",
            "The task has completed successfully.",
            "See log %windir%\\security\\logs\\scesrv.log for detail info.",
        )
    )
