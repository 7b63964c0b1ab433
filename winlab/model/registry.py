"""`reg`, and the Uninstall keys installed products leave (msiexec: winlab.model.msi). Reference 8."""

from __future__ import annotations

from winlab.model.host import Context, Result, command, lines, slash_options

HIVES = {
    "hklm": "HKEY_LOCAL_MACHINE",
    "hkey_local_machine": "HKEY_LOCAL_MACHINE",
    "hkcu": "HKEY_CURRENT_USER",
    "hkey_current_user": "HKEY_CURRENT_USER",
}
UNINSTALL = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
REG_NOT_FOUND = (
    "ERROR: The system was unable to find the specified registry key or value."  # [U] (reference 8.2)
)


def _reg_key(text: str) -> str | None:
    hive, _, rest = text.strip("\\").partition("\\")
    full = HIVES.get(hive.lower())
    return f"{full}\\{rest}".rstrip("\\") if full else None


def registry(ctx: Context) -> dict:
    """The registry, with the Uninstall keys derived from the installed products."""
    keys = {key: dict(values) for key, values in ctx.state["registry"].items()}
    for code, product in ctx.state["products"].items():
        keys[f"{UNINSTALL}\\{code}".lower()] = {
            "_path": f"{UNINSTALL}\\{code}",
            "displayname": ["DisplayName", "REG_SZ", product["name"]],
            "displayversion": ["DisplayVersion", "REG_SZ", product["version"]],
            "publisher": ["Publisher", "REG_SZ", product.get("publisher", "")],
            "uninstallstring": ["UninstallString", "REG_EXPAND_SZ", f"MsiExec.exe /X{code}"],
        }
    return keys


@command("reg")
def reg(ctx: Context, argv: list[str], raw: str) -> Result:
    if len(argv) < 2:
        return Result(stdout=lines("ERROR: Invalid syntax.", 'Type "REG /?" for usage.'), exit_code=1)
    verb, key = argv[0].lower(), _reg_key(argv[1])
    if key is None:
        return Result(stdout=lines("ERROR: Invalid key name.", 'Type "REG /?" for usage.'), exit_code=1)
    options, _ = slash_options(argv[2:])
    if verb == "query":
        keys = registry(ctx)
        entry = keys.get(key.lower())
        subkeys = sorted(
            {k.get("_path", path) for path, k in keys.items() if path.startswith(key.lower() + "\\")}
        )
        if entry is None and not subkeys and key.lower() != UNINSTALL.lower():
            # The Uninstall key exists on every version, empty or not; the Wow6432Node view only on
            # 64-bit Windows, which no profile is (systeminfo: X86-based PC).
            return Result(stderr=lines(REG_NOT_FOUND), exit_code=1)
        values = [v for name, v in (entry or {}).items() if name != "_path"]
        if "v" in options:
            values = [v for v in values if v[0].lower() == options["v"].lower()]
            if not values:
                return Result(stderr=lines(REG_NOT_FOUND), exit_code=1)
            subkeys = []
        path = (entry or {}).get("_path", key)
        if ctx.profile.nt6:
            # 4-space separators, no banner (reference 8.2 [U]/[V-fixture]).
            out = ["", path] + [f"    {name}    {kind}    {data}" for name, kind, data in values] + [""]
        else:
            # REG.EXE VERSION 3.0 banner (reference 8.2 [V]); tab separators [U].
            out = ["", "! REG.EXE VERSION 3.0", "", path] + [
                f"    {name}\t{kind}\t{data}" for name, kind, data in values
            ]
            out.append("")
        if "s" not in options:
            direct = [s for s in subkeys if "\\" not in s[len(key) + 1 :]]
            out += direct + ([""] if direct else [])
        else:
            # /s: every key below, each with its values and a blank line [U: the blank lines].
            for sub in subkeys:
                values = [v for name, v in keys[sub.lower()].items() if name != "_path"]
                separator = "    " if ctx.profile.nt6 else "\t"
                out += (
                    [sub]
                    + [f"    {name}{separator}{kind}{separator}{data}" for name, kind, data in values]
                    + [""]
                )
        return Result(stdout=lines(*out))
    if verb == "add":
        store = ctx.state["registry"].setdefault(key.lower(), {"_path": key})
        if "v" in options or "ve" in options:
            name = options.get("v", "")
            if name.lower() in store and "f" not in options:
                return Result(
                    stdout=lines(
                        # Wording not sourced [U].
                        f"Value {name} exists, overwrite(Yes/No)? The operation was canceled by the user."
                    ),
                    exit_code=1,
                )
            store[name.lower()] = [
                name or "(Default)",
                options.get("t", "REG_SZ").upper(),
                options.get("d", ""),
            ]
        ok = "The operation completed successfully."
        return Result(stdout=lines(ok))
    if verb == "delete":
        store = ctx.state["registry"].get(key.lower())
        if store is None:
            return Result(stderr=lines(REG_NOT_FOUND), exit_code=1)
        if "v" in options:
            if store.pop(options["v"].lower(), None) is None:
                return Result(stderr=lines(REG_NOT_FOUND), exit_code=1)
        else:
            del ctx.state["registry"][key.lower()]
        return Result(stdout=lines("The operation completed successfully."))
    return Result(stdout=lines("ERROR: Invalid syntax.", 'Type "REG /?" for usage.'), exit_code=1)
