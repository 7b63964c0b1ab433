"""`msiexec`: Windows Installer packages installed, upgraded and removed. Reference section 8.

What a package is
-----------------
* A real MSI file: an OLE compound file, whose header starts with the signature
  D0 CF 11 E0 A1 B1 1A E1 (MS-CFB 2.2, "Header Signature"). winlab reads its Property, Upgrade and
  LaunchCondition tables with `msiinfo export` (Debian package msitools) from a temporary copy,
  cached by the file's SHA-256.
* A lab test package: a text file of `Key=Value` lines (`ProductCode`, `ProductName`,
  `ProductVersion`, `Publisher`, `UpgradeCode`, and `Result=1603|3010` to make the install fail or
  ask for a restart). Without a ProductCode its code is made from the file's hash.
* Anything else: 1620 ERROR_INSTALL_PACKAGE_INVALID, "This installation package could not be
  opened. Contact the application vendor to verify that this is a valid Windows Installer package."
  (MicrosoftDocs/win32 desktop-src/Msi/error-codes.md) [D]; so does an OLE file msiinfo cannot read.

What an install does (the standard actions, in their order)
-----------------------------------------------------------
* FindRelatedProducts: every Upgrade row finds the installed products of its UpgradeCode whose
  version lies in VersionMin..VersionMax (bounds exclusive unless msidbUpgradeAttributesVersionMin/
  MaxInclusive, 256/512) and puts their product codes, `;`-separated, in its ActionProperty; the
  rows with msidbUpgradeAttributesOnlyDetect (2) only detect (Upgrade table, FindRelatedProducts
  action; "Preventing an Old Package from Installing Over a Newer Version", MicrosoftDocs/win32) [D].
  Versions compare on their first three fields only (WiX MajorUpgrade, AllowSameVersionUpgrades:
  "MSI specifically ignores that field") [D]. The Language and Remove columns are not read (every
  language matches, the whole product is removed) [U].
* LaunchConditions: a condition that is false ends the install with its message (LaunchCondition
  table) [D]. WiX's MajorUpgrade DowngradeErrorMessage authors `NOT WIX_DOWNGRADE_DETECTED`, which
  wixl writes too (msitools tools/wixl/builder.vala, visit_major_upgrade) [V]; the refused
  downgrade exits 1603 (a public log: FindRelatedProducts sets WIX_DOWNGRADE_DETECTED and the install
  ends 1603, chocolatey/ChocolateyGUI#1019) [V]. winlab's condition grammar is MSI's conditional
  statement syntax without the `~` and substring operators; a condition it cannot parse fails the
  install (1603) [U: the stricter choice].
* RemoveExistingProducts: the products found by rows without OnlyDetect are removed.
* A product already installed with the same ProductCode: the same version is a reinstall that
  changes nothing and exits 0 [U: maintenance mode with /qn]; another version exits 1638
  ERROR_PRODUCT_VERSION ("Another version of this product is already installed", error-codes.md) [D].

Exit codes and the lab's faults (`Lab.set_fault`)
-------------------------------------------------
0, 1603, 1605, 1618, 1619, 1620, 1622, 1638, 1639, 1641, 3010 (reference 8.1, error-codes.md).
`msi_busy: N` the next N runs exit 1618 (`true`: until the faults are cleared); `msi_fail: N` the
next N installs exit 1603 and leave nothing installed; `msi_restart: 3010|1641` successful installs
exit with that code. 3010 leaves the host needing a restart: the installer's delayed file
replacement is queued in PendingFileRenameOperations (MoveFileEx with MOVEFILE_DELAY_UNTIL_REBOOT
stores it there, MicrosoftDocs/win32 MoveFileEx) [D; that the install is what queued it: U], which
the next restart clears. 1641 means the installer restarted the host (error-codes.md) [D]: winlab
schedules a restart at once; with /norestart (REBOOT=ReallySuppress, reference 8.1) the restart is
suppressed and the install exits 3010 instead [U].

cmd.exe does not wait for msiexec (a GUI program, reference 8.1) unless it runs under
`start "" /wait`: see `winlab.model.host.GUI_PROGRAMS`.

The log (`/l*v FILE`, `/L*V`, `/log`)
-------------------------------------
Written on the emulated disk, in UTF-16 LE as `/l*v` writes it (without `+` the log is Unicode [U]).
Its last lines are those of real verbose logs: for a success "Product: NAME -- Installation completed
successfully." and "Windows Installer installed the product. Product Name: NAME. Product Version:
V. Product Language: 1033. Manufacturer: M. Installation success or error status: 0." (Microsoft's
RMS sharing application administrator guide, "Example lines from a successful installation"; a
public log of an Intel installer: `Action ended ...: INSTALL. Return value 1.`, `MainEngineThread is
returning 0`, `=== Logging stopped: 8/27/2020  22:48:50 ===`) [V]; for a failure "Action ended
...: INSTALL. Return value 3.", "Product: NAME -- Installation failed." and "... Installation
success or error status: 1603." (winget-pkgs validation logs, e.g. microsoft/winget-pkgs#234745;
Microsoft Entra Connect troubleshooting, "MainEngineThread is returning 1603") [V]. The header
line's build numbers, the process and thread ids and the lines before the tail are [U].
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from winlab.model import files
from winlab.model.host import Context, Result, command

OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
MANIFEST_KEYS = {"productcode", "productname", "productversion", "publisher", "upgradecode", "result"}

ERROR_SUCCESS = 0
ERROR_INSTALL_FAILURE = 1603
ERROR_UNKNOWN_PRODUCT = 1605
ERROR_INSTALL_ALREADY_RUNNING = 1618
ERROR_INSTALL_PACKAGE_OPEN_FAILED = 1619
ERROR_INSTALL_PACKAGE_INVALID = 1620
ERROR_INSTALL_LOG_FAILURE = 1622
ERROR_PRODUCT_VERSION = 1638
ERROR_INVALID_COMMAND_LINE = 1639
ERROR_SUCCESS_REBOOT_INITIATED = 1641
ERROR_SUCCESS_REBOOT_REQUIRED = 3010
RESTART_CODES = (ERROR_SUCCESS_REBOOT_INITIATED, ERROR_SUCCESS_REBOOT_REQUIRED)

# Upgrade table Attributes bits (MicrosoftDocs/win32, Upgrade table) [D].
ONLY_DETECT = 2
VERSION_MIN_INCLUSIVE = 256
VERSION_MAX_INCLUSIVE = 512

SESSION_MANAGER = "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Session Manager"

# The properties a package must have (Property table: "required properties") [D].
REQUIRED_PROPERTIES = ("ProductCode", "ProductVersion", "ProductName", "Manufacturer", "ProductLanguage")


class MsiToolMissing(RuntimeError):
    """msiinfo is not installed: winlab cannot read a real MSI file."""


# -- reading MSI files --------------------------------------------------------------------------------
def _msiinfo() -> str:
    found = shutil.which("msiinfo")
    if found is None:
        raise MsiToolMissing("winlab reads MSI packages with msiinfo: install the Debian package msitools")
    return found


def read_msi_table(path: str | Path, table: str) -> list[dict[str, str]]:
    """The rows of one table of an MSI file, as `msiinfo export` writes it (IDT format: the column
    names, their types, the table name and keys, then one tab-separated row a line). A table the
    package does not have gives no rows; a file msiinfo cannot open raises ValueError."""
    tables = _run_msiinfo("tables", path).split()
    if table not in tables:
        return []
    text = _run_msiinfo("export", path, table)
    lines_ = text.splitlines()
    if len(lines_) < 3:
        raise ValueError(f"{path}: msiinfo export {table} wrote no table header")
    columns = lines_[0].split("\t")
    rows = []
    for line in lines_[3:]:
        values = line.split("\t")
        values += [""] * (len(columns) - len(values))
        rows.append(dict(zip(columns, values, strict=False)))
    return rows


def _run_msiinfo(*args: str | Path) -> str:
    done = subprocess.run(
        [_msiinfo(), *map(str, args)], capture_output=True, text=True, encoding="utf-8", errors="replace"
    )
    if done.returncode != 0:
        raise ValueError(f"msiinfo {args[0]} {args[1]}: {done.stderr.strip() or 'failed'}")
    return done.stdout


def read_msi_properties(path: str | Path) -> dict[str, str]:
    """ProductCode, ProductVersion, ProductName, Manufacturer and UpgradeCode of an MSI file, read
    from its Property table (ValueError when the file is no MSI package or lacks one of them)."""
    properties = {row["Property"]: row["Value"] for row in read_msi_table(path, "Property")}
    wanted = ("ProductCode", "ProductVersion", "ProductName", "Manufacturer", "UpgradeCode")
    missing = [name for name in wanted if not properties.get(name)]
    if missing:
        raise ValueError(f"{path}: the Property table has no {', '.join(missing)}")
    return {name: properties[name] for name in wanted}


@dataclass
class Package:
    """What msiexec needs of a package: its identity, its upgrade rows and launch conditions."""

    product_code: str
    name: str
    version: str
    manufacturer: str
    upgrade_code: str = ""
    language: str = "1033"
    upgrades: list[dict[str, str]] = field(default_factory=list)
    launch_conditions: list[tuple[str, str]] = field(default_factory=list)
    result: int = 0  # a test package's Result=


_PACKAGES: dict[str, Package] = {}


def read_package(data: bytes, file_name: str) -> Package | None:
    """The package in `data`, or None when it is neither an MSI file nor a lab test package."""
    if data.startswith(OLE_SIGNATURE):
        digest = hashlib.sha256(data).hexdigest()
        if digest not in _PACKAGES:
            package = _read_msi(data)
            if package is None:
                return None
            _PACKAGES[digest] = package
        return _PACKAGES[digest]
    manifest = package_manifest(data)
    if not MANIFEST_KEYS & set(manifest):
        return None
    code = manifest.get("productcode", "").upper() or _hash_code(data)
    return Package(
        product_code=code,
        name=manifest.get("productname", file_name.rsplit(".", 1)[0]),
        version=manifest.get("productversion", "1.0.0"),
        manufacturer=manifest.get("publisher", ""),
        upgrade_code=manifest.get("upgradecode", "").upper(),
        result=int(manifest.get("result", "0") or 0),
    )


def _read_msi(data: bytes) -> Package | None:
    with tempfile.TemporaryDirectory(prefix="winlab-msi-") as folder:
        path = Path(folder) / "package.msi"
        path.write_bytes(data)
        try:
            properties = {row["Property"]: row["Value"] for row in read_msi_table(path, "Property")}
            upgrades = read_msi_table(path, "Upgrade")
            conditions = read_msi_table(path, "LaunchCondition")
        except ValueError:
            return None
    if any(not properties.get(name) for name in REQUIRED_PROPERTIES):
        return None
    return Package(
        product_code=properties["ProductCode"].upper(),
        name=properties["ProductName"],
        version=properties["ProductVersion"],
        manufacturer=properties["Manufacturer"],
        upgrade_code=properties.get("UpgradeCode", "").upper(),
        language=properties["ProductLanguage"],
        upgrades=upgrades,
        launch_conditions=[(row["Condition"], row["Description"]) for row in conditions],
    )


def package_manifest(data: bytes) -> dict[str, str]:
    """A lab test package's `Key=Value` lines, keys lowercased."""
    manifest: dict[str, str] = {}
    for line in data.decode("utf-8", errors="replace").splitlines():
        key, sep, value = line.partition("=")
        if sep and re.match(r"^[A-Za-z]+$", key.strip()):
            manifest[key.strip().lower()] = value.strip()
    return manifest


def _hash_code(data: bytes) -> str:
    digest = hashlib.md5(data, usedforsecurity=False).hexdigest().upper()
    return f"{{{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}}}"


# -- versions and conditions ----------------------------------------------------------------------------
def version_key(text: str) -> tuple[int, int, int]:
    """major.minor.build of a ProductVersion; the fourth field is ignored, as Windows Installer does."""
    parts = [int(part) if part.isdigit() else 0 for part in text.strip().split(".")[:3]]
    return tuple(parts + [0] * (3 - len(parts)))  # type: ignore[return-value]


def _in_range(version: str, row: dict[str, str]) -> bool:
    attributes = int(row.get("Attributes") or 0)
    key = version_key(version)
    low, high = row.get("VersionMin", ""), row.get("VersionMax", "")
    if low:
        bound = version_key(low)
        if key < bound or (key == bound and not attributes & VERSION_MIN_INCLUSIVE):
            return False
    if high:
        bound = version_key(high)
        if key > bound or (key == bound and not attributes & VERSION_MAX_INCLUSIVE):
            return False
    return True


_TOKEN = re.compile(r'\s*(?:(<>|>=|<=|=|<|>)|(\()|(\))|"([^"]*)"|(-?\d+)|([A-Za-z_][A-Za-z0-9_.]*))')


class ConditionError(ValueError):
    pass


def evaluate_condition(text: str, properties: dict[str, str]) -> bool:
    """An MSI conditional statement: NOT, AND, OR, XOR, EQV, IMP, parentheses, property names
    (true when set), integers, "strings" and the comparisons = <> < > <= >=."""
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise ConditionError(f"cannot parse condition {text!r}")
        operator, opened, closed, string, number, name = match.groups()
        if operator:
            tokens.append(("op", operator))
        elif opened:
            tokens.append(("(", opened))
        elif closed:
            tokens.append((")", closed))
        elif string is not None:
            tokens.append(("str", string))
        elif number is not None:
            tokens.append(("int", number))
        elif name.upper() in ("NOT", "AND", "OR", "XOR", "EQV", "IMP"):
            tokens.append((name.upper(), name))
        else:
            tokens.append(("name", name))
        position = match.end()
    parser = _ConditionParser(tokens, properties)
    value = parser.expression()
    if parser.index != len(tokens):
        raise ConditionError(f"cannot parse condition {text!r}")
    return value


class _ConditionParser:
    BINARY = ("IMP", "EQV", "XOR", "OR", "AND")

    def __init__(self, tokens: list[tuple[str, str]], properties: dict[str, str]) -> None:
        self.tokens = tokens
        self.properties = properties
        self.index = 0

    def peek(self) -> str:
        return self.tokens[self.index][0] if self.index < len(self.tokens) else ""

    def take(self) -> tuple[str, str]:
        if self.index >= len(self.tokens):
            raise ConditionError("condition ends too early")
        self.index += 1
        return self.tokens[self.index - 1]

    def expression(self, level: int = 0) -> bool:
        if level == len(self.BINARY):
            return self.unary()
        value = self.expression(level + 1)
        operator = self.BINARY[level]
        while self.peek() == operator:
            self.take()
            right = self.expression(level + 1)
            value = {
                "IMP": (not value) or right,
                "EQV": value == right,
                "XOR": value != right,
                "OR": value or right,
                "AND": value and right,
            }[operator]
        return value

    def unary(self) -> bool:
        if self.peek() == "NOT":
            self.take()
            return not self.unary()
        if self.peek() == "(":
            self.take()
            value = self.expression()
            if self.take()[0] != ")":
                raise ConditionError("unbalanced parentheses")
            return value
        left = self.value()
        if self.peek() == "op":
            _, operator = self.take()
            right = self.value()
            return _compare(left, operator, right)
        return left not in ("", None)

    def value(self) -> str | int:
        kind, text = self.take()
        if kind == "str":
            return text
        if kind == "int":
            return int(text)
        if kind == "name":
            return self.properties.get(text, "")
        raise ConditionError(f"unexpected {text!r}")


def _compare(left: str | int, operator: str, right: str | int) -> bool:
    def number(value: str | int) -> int | None:
        if isinstance(value, int):
            return value
        return int(value) if re.fullmatch(r"-?\d+", value) else None

    a, b = number(left), number(right)
    if a is None or b is None:
        a, b = str(left), str(right)  # type: ignore[assignment]
    return {
        "=": a == b,
        "<>": a != b,
        "<": a < b,  # type: ignore[operator]
        ">": a > b,  # type: ignore[operator]
        "<=": a <= b,  # type: ignore[operator]
        ">=": a >= b,  # type: ignore[operator]
    }[operator]


# -- the log -----------------------------------------------------------------------------------------
# Windows Installer's version per profile, in the log's header [U].
INSTALLER_BUILD = {
    "2003": "3.01.4001.5512",
    "xp": "3.01.4001.5512",
    "2008": "4.05.6002.18005",
    "7": "5.00.7601.17514",
}


class InstallLog:
    """The verbose log of one msiexec run; written to the emulated disk when the run ends."""

    def __init__(self, ctx: Context, path: str | None) -> None:
        self.ctx = ctx
        self.path = path
        self.entries: list[str] = []
        if path:
            now = ctx.host.now()
            build = INSTALLER_BUILD.get(ctx.profile.key, "3.01.4001.5512")
            self.entries.append(
                f"=== Verbose logging started: {_log_date(now)}  Build type: SHIP UNICODE {build}  "
                f"Calling process: {ctx.profile.system_root}\\system32\\msiexec.exe ==="
            )

    def msi(self, text: str) -> None:
        stamp = self.ctx.host.now()
        self.entries.append(f"MSI (s) (C4:A0) [{stamp:%H:%M:%S}:000]: {text}")

    def action(self, name: str, value: int) -> None:
        stamp = f"{self.ctx.host.now():%H:%M:%S}"
        self.entries.append(f"Action start {stamp}: {name}.")
        self.entries.append(f"Action ended {stamp}: {name}. Return value {value}.")

    def begin(self) -> None:
        self.entries.append(f"Action start {self.ctx.host.now():%H:%M:%S}: INSTALL.")

    def end(self, value: int) -> None:
        self.entries.append(f"Action ended {self.ctx.host.now():%H:%M:%S}: INSTALL. Return value {value}.")

    def property(self, name: str, value: str) -> None:
        self.msi(f"PROPERTY CHANGE: Adding {name} property. Its value is '{value}'.")

    def finish(self, exit_code: int) -> None:
        if self.path:
            self.msi(f"MainEngineThread is returning {exit_code}")
            self.entries.append(f"=== Verbose logging stopped: {_log_date(self.ctx.host.now())} ===")
            text = "\r\n".join(self.entries) + "\r\n"
            files.put_file(self.ctx.host, self.path, b"\xff\xfe" + text.encode("utf-16-le"))


def _log_date(when) -> str:
    return f"{when.month}/{when.day}/{when.year}  {when:%H:%M:%S}"


def _summary(log: InstallLog, verb: str, noun: str, package: Package, status: int) -> None:
    log.msi(
        f"Windows Installer {verb} the product. Product Name: {package.name}. Product Version: "
        f"{package.version}. Product Language: {package.language}. Manufacturer: {package.manufacturer}. "
        f"{noun} success or error status: {status}."
    )


def _failed(log: InstallLog, package: Package) -> int:
    log.end(3)
    log.msi(f"Product: {package.name} -- Installation failed.")
    _summary(log, "installed", "Installation", package, ERROR_INSTALL_FAILURE)
    return ERROR_INSTALL_FAILURE


# -- msiexec ----------------------------------------------------------------------------------------
def _take_fault(ctx: Context, name: str) -> bool:
    """Count one use of a counted fault (`True` lasts until cleared); whether it applies."""
    faults = ctx.state.setdefault("msi_faults", {})
    value = faults.get(name)
    if value is True:
        return True
    if isinstance(value, int) and value > 0:
        faults[name] = value - 1
        if not faults[name]:
            faults.pop(name)
        return True
    return False


def _options(argv: list[str]) -> tuple[str | None, str | None, str | None, bool, bool]:
    """(mode, target, log path, norestart, valid) of an msiexec command line."""
    mode = target = log = None
    norestart = False
    index = 0
    while index < len(argv):
        arg = argv[index]
        lowered = arg.lower()
        if lowered in ("/i", "/package", "/x", "/uninstall"):
            if index + 1 >= len(argv):
                return None, None, None, False, False
            mode = "x" if lowered in ("/x", "/uninstall") else "i"
            target = argv[index + 1]
            index += 2
            continue
        if lowered.startswith(("/x{", "/i{")):
            mode, target = lowered[1], arg[2:]
        elif lowered == "/log" or re.fullmatch(r"/l[iwearucmopvx+!*]*", lowered):
            if index + 1 >= len(argv) or argv[index + 1].startswith("/"):
                return None, None, None, False, False
            log = argv[index + 1]
            index += 2
            continue
        elif lowered == "/norestart" or lowered.replace('"', "") == "reboot=reallysuppress":
            norestart = True
        index += 1
    return mode, target, log, norestart, mode is not None


@command("msiexec")
def msiexec(ctx: Context, argv: list[str], raw: str) -> Result:
    """msiexec /i PACKAGE | /x {ProductCode}|PACKAGE [/qn] [/norestart] [/l*v LOG] [PROPERTY=value].

    It prints nothing with /qn; its exit code is all a caller learns (reference 8.1).
    """
    mode, target, log_path, norestart, valid = _options(argv)
    if not valid or target is None:
        return Result(exit_code=ERROR_INVALID_COMMAND_LINE)
    if _take_fault(ctx, "busy"):
        # Another installation holds the Windows Installer mutex; no log is written [U].
        return Result(exit_code=ERROR_INSTALL_ALREADY_RUNNING)
    path = None
    if log_path is not None:
        path = files.normalize(ctx.host, ctx.user, log_path)
        if not files.is_dir(ctx.host, files.parent(path)):
            # 1622 "There was an error opening installation log file. Verify that the specified log
            # file location exists and is writable." (error-codes.md) [D].
            return Result(exit_code=ERROR_INSTALL_LOG_FAILURE)
    log = InstallLog(ctx, path)
    properties = dict(arg.split("=", 1) for arg in argv if "=" in arg and not arg.startswith("/"))
    code = _uninstall(ctx, target, log) if mode == "x" else _install(ctx, target, log, properties, norestart)
    log.finish(code)
    return Result(exit_code=code)


def _package_at(ctx: Context, target: str) -> tuple[str, Package | None] | int:
    path = files.normalize(ctx.host, ctx.user, target)
    data = files.read_bytes(ctx.host, path)
    if data is None:
        return ERROR_INSTALL_PACKAGE_OPEN_FAILED
    return path, read_package(data, path.rsplit("\\", 1)[1])


def _uninstall(ctx: Context, target: str, log: InstallLog) -> int:
    products = ctx.state["products"]
    if target.startswith("{"):
        code = target.upper()
    else:
        found = _package_at(ctx, target)
        if isinstance(found, int):
            return found
        if found[1] is None:
            return ERROR_INSTALL_PACKAGE_INVALID
        code = found[1].product_code
    if code not in products:
        return ERROR_UNKNOWN_PRODUCT
    product = products.pop(code)
    package = _installed_package(code, product)
    log.begin()
    log.end(1)
    # "Product: NAME -- Removal completed successfully." and "Windows Installer removed the product.
    # ... Removal success or error status: 0." (public uninstall logs, e.g. Node.js's; MsiInstaller
    # event 1034) [V].
    log.msi(f"Product: {package.name} -- Removal completed successfully.")
    _summary(log, "removed", "Removal", package, 0)
    return ERROR_SUCCESS


def _installed_package(code: str, product: dict) -> Package:
    return Package(
        product_code=code,
        name=product["name"],
        version=product["version"],
        manufacturer=product.get("publisher", ""),
        upgrade_code=product.get("upgrade_code", ""),
        language=product.get("language", "1033"),
    )


def _install(ctx: Context, target: str, log: InstallLog, properties: dict[str, str], norestart: bool) -> int:
    found = _package_at(ctx, target)
    if isinstance(found, int):
        return found
    path, package = found
    if package is None:
        log.msi(f"Note: 1: 2203 2: {path} 3: -2147286960")  # [U]
        return ERROR_INSTALL_PACKAGE_INVALID
    products = ctx.state["products"]
    log.msi(f"Original package ==> {path}")
    log.begin()
    if _take_fault(ctx, "fail") or package.result == ERROR_INSTALL_FAILURE:
        return _failed(log, package)
    installed = products.get(package.product_code)
    if installed is not None:
        if version_key(installed["version"]) == version_key(package.version):
            log.end(1)
            # Event 1035's "Windows Installer reconfigured the product. ... Reconfiguration success or
            # error status: 0." [V]; that /qn reconfigures and changes nothing [U].
            log.msi(f"Product: {package.name} -- Configuration completed successfully.")
            _summary(log, "reconfigured", "Reconfiguration", package, 0)
            return ERROR_SUCCESS
        log.msi(f"Product: {package.name} -- Another version of this product is already installed.")  # [U]
        log.end(3)
        return ERROR_PRODUCT_VERSION
    # FindRelatedProducts.
    session = dict(properties)
    session.update(_system_properties(ctx))
    remove: list[str] = []
    for row in package.upgrades:
        related = [
            code
            for code, product in products.items()
            if product.get("upgrade_code") == row.get("UpgradeCode", "").upper()
            and _in_range(product["version"], row)
        ]
        if related:
            value = ";".join(related)
            session[row["ActionProperty"]] = value
            log.property(row["ActionProperty"], value)
            if not int(row.get("Attributes") or 0) & ONLY_DETECT:
                remove += related
    log.action("FindRelatedProducts", 1)
    # LaunchConditions.
    for condition, message in package.launch_conditions:
        try:
            holds = evaluate_condition(condition, session)
        except ConditionError:
            holds = False
        if not holds:
            log.msi(f"Product: {package.name} -- {message}")
            log.entries.append(f"Action ended {ctx.host.now():%H:%M:%S}: LaunchConditions. Return value 3.")
            return _failed(log, package)
    # InstallFiles .. RegisterProduct, then RemoveExistingProducts (after InstallValidate in wixl's
    # sequence; the result is the same for the registry).
    for code in dict.fromkeys(remove):
        old = products.pop(code, None)
        if old is not None:
            log.msi(f"Product: {old['name']} -- Removal completed successfully.")
            _summary(log, "removed", "Removal", _installed_package(code, old), 0)
    log.action("RemoveExistingProducts", 1)
    products[package.product_code] = {
        "name": package.name,
        "version": package.version,
        "publisher": package.manufacturer,
        "upgrade_code": package.upgrade_code,
        "language": package.language,
        "properties": properties,
        "package": path,
    }
    code = ERROR_SUCCESS
    restart = ctx.state.get("msi_faults", {}).get("restart")
    if package.result == ERROR_SUCCESS_REBOOT_REQUIRED:
        restart = ERROR_SUCCESS_REBOOT_REQUIRED
    if restart == ERROR_SUCCESS_REBOOT_INITIATED and norestart:
        restart = ERROR_SUCCESS_REBOOT_REQUIRED
    if restart in RESTART_CODES:
        code = int(restart)
        _restart_needed(ctx, package, initiated=code == ERROR_SUCCESS_REBOOT_INITIATED)
    log.end(1)
    if code == ERROR_SUCCESS_REBOOT_REQUIRED:
        log.msi(
            f"Product: {package.name} -- The configuration changes made to {package.name} will not take "
            "effect until the system is restarted."
        )  # [U]
    log.msi(f"Product: {package.name} -- Installation completed successfully.")
    _summary(log, "installed", "Installation", package, 0)
    return code


def _system_properties(ctx: Context) -> dict[str, str]:
    """The properties a condition may test: VersionNT (501 XP, 502 2003, 600 2008, 601 7), Privileged."""
    version = {"xp": "501", "2003": "502", "2008": "600", "7": "601"}.get(ctx.profile.key, "")
    return {"VersionNT": version, "Privileged": "1", "AdminUser": "1"}


def _restart_needed(ctx: Context, package: Package, initiated: bool) -> None:
    """3010: queue the file the installer could not replace; 1641: the installer restarts the host."""
    key = SESSION_MANAGER.lower()
    store = ctx.state["registry"].setdefault(key, {"_path": SESSION_MANAGER})
    queued = f"\\??\\C:\\Program Files\\{package.name}\\{package.product_code}.tmp"
    value = store.get("pendingfilerenameoperations")
    data = (value[2] + "\\0" if value else "") + queued + "\\0"
    store["pendingfilerenameoperations"] = ["PendingFileRenameOperations", "REG_MULTI_SZ", data]
    if initiated:
        ctx.state["reboots"].append(
            {
                "requested": ctx.host.now().isoformat(),
                # The restart comes as the installer ends; winlab leaves time for msiexec's reply [U].
                "due": time.time() + 2,
                "restart": True,
                "force": True,
                "delay": 0,
                "comment": f"{package.name} installation",
                "reason": None,
            }
        )


def clear_pending_renames(state: dict) -> None:
    """A restart carries out the queued file replacements (MoveFileEx, MOVEFILE_DELAY_UNTIL_REBOOT)."""
    store = state["registry"].get(SESSION_MANAGER.lower())
    if store is not None:
        store.pop("pendingfilerenameoperations", None)


def set_faults(state: dict, faults: dict) -> None:
    """The lab's msiexec faults: `msi_busy` (N runs, or True until cleared), `msi_fail` (N installs),
    `msi_restart` (3010 or 1641 for successful installs, until cleared)."""
    current = state.setdefault("msi_faults", {})
    for name, key in (("msi_busy", "busy"), ("msi_fail", "fail")):
        if name in faults:
            value = faults[name]
            if value is True or value is False:
                counted: bool | int = value
            elif isinstance(value, int) and value >= 0:
                counted = value
            else:
                raise ValueError(f"{name} takes a number of runs or true, not {value!r}")
            if counted:
                current[key] = counted
            else:
                current.pop(key, None)
    if "msi_restart" in faults:
        value = faults["msi_restart"]
        if value in (None, 0, False):
            current.pop("restart", None)
        elif value in RESTART_CODES:
            current["restart"] = int(value)
        else:
            raise ValueError(f"msi_restart takes 3010 or 1641, not {value!r}")
