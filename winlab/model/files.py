"""Files and folders: mkdir, dir, type, copy, del, certutil -hashfile/-decode, fciv.

None of these layouts is sourced in the reference; they follow the consoles of the versions as
generally known and are marked [U] where a test or parser could come to rely on them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import datetime

from winlab.model import defaults
from winlab.model.host import Context, Host, Result, command, lines

NOT_FOUND = "The system cannot find the file specified."
PATH_NOT_FOUND = "The system cannot find the path specified."


def normalize(host: Host, user: str, path: str) -> str:
    path = path.strip().strip('"').replace("/", "\\")
    if path.startswith("\\\\"):
        # \\server\share\rest: kept as a UNC path, resolved on the other host by locate().
        parts = [part for part in path[2:].split("\\") if part not in ("", ".")]
        return "\\\\" + "\\".join(parts)
    if not re.match(r"^[A-Za-z]:\\", path):
        if re.match(r"^[A-Za-z]:$", path):
            path += "\\"
        elif path.startswith("\\") and not path.startswith("\\\\"):
            path = "C:" + path
        else:
            path = defaults.profile_dir(host.profile, user) + "\\" + path
    drive, rest = path[:2].upper(), path[3:]
    return drive + "\\" + "\\".join(fold(rest.split("\\")))


def fold(parts: list[str], base: list[str] | None = None) -> list[str]:
    """Path parts after `base` with empty parts and `.` dropped and `..` taking one back (never above
    the start)."""
    folded = list(base or [])
    for part in parts:
        if part in ("", "."):
            continue
        if part == "..":
            if folded:
                folded.pop()
            continue
        folded.append(part)
    return folded


ACCESS_DENIED = "Access is denied."
NETWORK_PATH = "The network path was not found."
NETWORK_NAME = "The network name cannot be found."


def locate(ctx: Context, path: str) -> tuple[Host, str] | str:
    """The host and local path a (possibly UNC) path names, or the error text Windows gives [U].

    A UNC path reaches another emulated host's share (C$ and ADMIN$ too) when the command may use
    the network: a Basic logon, or an earlier `net use` with credentials in the same command line.
    """
    if not path.startswith("\\\\"):
        return ctx.host, path
    parts = path[2:].split("\\")
    if len(parts) < 2:
        return NETWORK_NAME
    server, share, rest = parts[0], parts[1], parts[2:]
    other = ctx.host.resolver(server) if ctx.host.resolver else None
    if other is None:
        return NETWORK_PATH
    session = ctx.host.session
    if not (session.delegated or server.lower() in session.connections):
        return ACCESS_DENIED
    return other, share_path(other, share, rest)


def share_path(host: Host, share: str, rest: list[str]) -> str:
    """Local path behind a share name, or '' when the host has no such share."""
    special = {"c$": "C:\\", "admin$": host.profile.system_root}
    base = special.get(share.lower()) or host.state["shares"].get(share.lower(), {}).get("path", "")
    if not base:
        return ""
    if not rest:
        return base
    return base.rstrip("\\") + "\\" + "\\".join(rest)


def parent(path: str) -> str:
    head = path.rsplit("\\", 1)[0]
    return head + "\\" if len(head) == 2 else head


def is_dir(host: Host, path: str) -> bool:
    return path.lower() in {d.lower() for d in host.state["fs"]["dirs"]}


def get_file(host: Host, path: str) -> dict | None:
    return host.state["fs"]["files"].get(path.lower())


def read_bytes(host: Host, path: str) -> bytes | None:
    entry = get_file(host, path)
    return None if entry is None else base64.b64decode(entry["data"])


def make_dirs(host: Host, path: str) -> None:
    chain = []
    current = path
    while not is_dir(host, current):
        chain.append(current)
        up = parent(current)
        if up == current:
            break
        current = up
    host.state["fs"]["dirs"].extend(reversed(chain))


def put_file(host: Host, path: str, data: bytes, append: bool = False) -> None:
    """Store a file (callers hold the host lock); its time stamp is the host's clock."""
    if append and (existing := read_bytes(host, path)) is not None:
        data = existing + data
    host.state["fs"]["files"][path.lower()] = {
        "path": path,
        "data": base64.b64encode(data).decode("ascii"),
        "mtime": host.now().strftime("%Y-%m-%dT%H:%M:%S"),
    }


def to_netascii(data: bytes) -> bytes:
    """Bytes as FTP's ASCII mode sends them: every bare LF as CR LF (NVT-ASCII, RFC 959) [U: that IIS
    and ftp.exe convert; the stricter choice, a binary moved in ASCII mode is damaged]."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


def write_text(host: Host, user: str, target: str, text: str, append: bool = False) -> str:
    """Write command output to a file (cmd's `>`); returns an error text or ''."""
    path = normalize(host, user, target)
    if not is_dir(host, parent(path)):
        return lines(PATH_NOT_FOUND)
    put_file(host, path, text.encode("cp437", errors="replace"), append=append)
    return ""


def _timestamp(entry: dict | None) -> str:
    stamp = datetime.strptime(entry["mtime"], "%Y-%m-%dT%H:%M:%S") if entry else datetime(2026, 1, 1)
    return stamp.strftime("%m/%d/%Y  %I:%M %p")


@command("mkdir", "md")
def mkdir(ctx: Context, argv: list[str], raw: str) -> Result:
    if not argv:
        return Result(stderr=lines("The syntax of the command is incorrect."), exit_code=1)
    result = Result()
    for arg in argv:
        path = normalize(ctx.host, ctx.user, arg)
        if is_dir(ctx.host, path) or get_file(ctx.host, path):
            # [U] wording from general knowledge.
            result.stderr += lines(f"A subdirectory or file {arg} already exists.")
            result.exit_code = 1
            continue
        make_dirs(ctx.host, path)
    return result


@command("rmdir", "rd")
def rmdir(ctx: Context, argv: list[str], raw: str) -> Result:
    targets = [arg for arg in argv if not arg.startswith("/")]
    recurse = any(arg.lower() == "/s" for arg in argv)
    for arg in targets:
        path = normalize(ctx.host, ctx.user, arg)
        if not is_dir(ctx.host, path):
            return Result(stderr=lines(NOT_FOUND), exit_code=2)
        prefix = path.lower() + "\\"
        fs = ctx.state["fs"]
        inside = [key for key in fs["files"] if key.startswith(prefix)]
        subdirs = [d for d in fs["dirs"] if d.lower().startswith(prefix)]
        if (inside or subdirs) and not recurse:
            return Result(stderr=lines("The directory is not empty."), exit_code=145)
        for key in inside:
            del fs["files"][key]
        fs["dirs"] = [
            d for d in fs["dirs"] if not (d.lower().startswith(prefix) or d.lower() == path.lower())
        ]
    return Result()


@command("dir")
def dir_(ctx: Context, argv: list[str], raw: str) -> Result:
    bare = any(arg.lower() == "/b" for arg in argv)
    targets = [arg for arg in argv if not arg.startswith("/")]
    found = locate(ctx, normalize(ctx.host, ctx.user, targets[0] if targets else "."))
    if isinstance(found, str) or not found[1]:
        return Result(stderr=lines(found if isinstance(found, str) else NETWORK_NAME), exit_code=1)
    host, path = found
    fs = host.state["fs"]
    if is_dir(host, path):
        folder, pattern = path, None
    elif get_file(host, path):
        folder, pattern = parent(path), path.lower()
    else:
        return Result(stderr=lines("File Not Found"), exit_code=1)
    prefix = folder.rstrip("\\").lower() + "\\"
    subdirs = sorted(
        d
        for d in fs["dirs"]
        if d.lower().startswith(prefix) and "\\" not in d[len(prefix) :] and d[len(prefix) :]
    )
    entries = sorted(
        (e for key, e in fs["files"].items() if key.startswith(prefix) and "\\" not in key[len(prefix) :]),
        key=lambda e: e["path"].lower(),
    )
    if pattern:
        subdirs, entries = [], [e for e in entries if e["path"].lower() == pattern]
    if bare:
        names = [d.rsplit("\\", 1)[1] for d in subdirs] + [e["path"].rsplit("\\", 1)[1] for e in entries]
        return Result(stdout=lines(*names) if names else "")
    # Layout of `dir` as generally known [U].
    out = [
        " Volume in drive C has no label.",
        " Volume Serial Number is 5C4E-1A2B",
        "",
        f" Directory of {folder}",
        "",
    ]
    if not pattern and len(folder) > 3:
        out += [f"{_timestamp(None)}    <DIR>          .", f"{_timestamp(None)}    <DIR>          .."]
    for sub in subdirs:
        out.append(f"{_timestamp(None)}    <DIR>          {sub.rsplit(chr(92), 1)[1]}")
    total = 0
    for entry in entries:
        size = len(base64.b64decode(entry["data"]))
        total += size
        out.append(f"{_timestamp(entry)} {size:>17,} {entry['path'].rsplit(chr(92), 1)[1]}")
    dir_count = len(subdirs) + (2 if not pattern and len(folder) > 3 else 0)
    out.append(f"{len(entries):>16} File(s) {total:>14,} bytes")
    out.append(f"{dir_count:>16} Dir(s)  {21474836480:>14,} bytes free")
    return Result(stdout=lines(*out))


@command("type")
def type_(ctx: Context, argv: list[str], raw: str) -> Result:
    if not argv:
        return Result(stderr=lines("The syntax of the command is incorrect."), exit_code=1)
    found = locate(ctx, normalize(ctx.host, ctx.user, argv[0]))
    if isinstance(found, str):
        return Result(stderr=lines(found), exit_code=1)
    if not found[1]:
        return Result(stderr=lines(NETWORK_NAME), exit_code=1)
    data = read_bytes(*found)
    if data is None:
        return Result(stderr=lines(NOT_FOUND), exit_code=1)
    if data.startswith(b"\xff\xfe"):
        # A Unicode file (UTF-16 LE with its byte order mark, as msiexec's /l*v log): type shows its
        # text, not its bytes [U: cmd's type reads the mark].
        return Result(stdout=data[2:].decode("utf-16-le", errors="replace"))
    return Result(stdout=data.decode("cp437", errors="replace"))


@command("copy")
def copy(ctx: Context, argv: list[str], raw: str) -> Result:
    paths = [arg for arg in argv if not arg.startswith("/")]
    if len(paths) != 2:
        return Result(stderr=lines("The syntax of the command is incorrect."), exit_code=1)
    source_path = normalize(ctx.host, ctx.user, paths[0])
    target_path = normalize(ctx.host, ctx.user, paths[1])
    # [U] copy prints its errors, then the zero count, to stdout.
    source = locate(ctx, source_path)
    target = locate(ctx, target_path)
    for found in (source, target):
        if isinstance(found, str):
            return Result(stdout=lines(found, "        0 file(s) copied."), exit_code=1)
    (source_host, source_local), (target_host, target_local) = source, target
    if not source_local or not target_local:
        return Result(stdout=lines(NETWORK_NAME, "        0 file(s) copied."), exit_code=1)
    data = read_bytes(source_host, source_local)
    if data is None:
        return Result(stdout=lines(NOT_FOUND, "        0 file(s) copied."), exit_code=1)
    if is_dir(target_host, target_local):
        target_local = target_local.rstrip("\\") + "\\" + source_local.rsplit("\\", 1)[1]
    if not is_dir(target_host, parent(target_local)):
        return Result(stdout=lines(PATH_NOT_FOUND, "        0 file(s) copied."), exit_code=1)
    if target_host is ctx.host:
        put_file(target_host, target_local, data)
    else:
        # Another host's lock, taken with a timeout so two hosts copying to each other cannot deadlock.
        if not target_host.lock.acquire(timeout=10):
            return Result(stdout=lines(ACCESS_DENIED, "        0 file(s) copied."), exit_code=1)
        try:
            put_file(target_host, target_local, data)
            target_host.save()
        finally:
            target_host.lock.release()
    return Result(stdout=lines("        1 file(s) copied."))


@command("del", "erase")
def delete(ctx: Context, argv: list[str], raw: str) -> Result:
    result = Result()
    for arg in (a for a in argv if not a.startswith("/")):
        path = normalize(ctx.host, ctx.user, arg)
        if get_file(ctx.host, path) is None:
            # del reports a missing file but still exits 0 [U].
            result.stderr += lines(f"Could Not Find {path}")
            continue
        del ctx.state["fs"]["files"][path.lower()]
    return result


def _certutil_available(ctx: Context) -> bool:
    # certutil ships with Server 2003 and NT 6; on XP it comes only with the Admin Pack [U].
    return ctx.profile.key != "xp"


@command("certutil")
def certutil(ctx: Context, argv: list[str], raw: str) -> Result:
    from winlab.model.host import not_recognized

    if not _certutil_available(ctx):
        return not_recognized("certutil")
    if not argv:
        return Result(stdout=lines("CertUtil: -dump command completed successfully."))
    verb = argv[0].lower()
    if verb == "-hashfile":
        if not ctx.profile.nt6:
            # Server 2003's certutil has no -hashfile verb; wording and exit code [U]. Files on 2003
            # are checksummed with fciv.exe (KB841290), which winlab models below.
            return Result(
                stdout=lines(
                    "CertUtil: Unknown arg: -hashfile", "CertUtil: -? command completed successfully."
                ),
                exit_code=87,
            )
        if len(argv) < 2:
            return Result(
                stdout=lines("CertUtil: -hashfile command FAILED: 0x80070057 (WIN32: 87)"), exit_code=87
            )
        algorithm = (argv[2] if len(argv) > 2 else "SHA1").upper()
        if algorithm not in ("SHA1", "MD5", "SHA256", "SHA512", "SHA384"):
            return Result(
                stdout=lines("CertUtil: -hashfile command FAILED: 0x80090008 (-2146893816)"), exit_code=1
            )
        path = normalize(ctx.host, ctx.user, argv[1])
        data = read_bytes(ctx.host, path)
        if data is None:
            return Result(
                stdout=lines(
                    "CertUtil: -hashfile command FAILED: 0x80070002 (WIN32: 2)",
                    f"CertUtil: {NOT_FOUND}",
                ),
                exit_code=2,
            )
        digest = hashlib.new(algorithm.lower(), data).hexdigest()
        # NT 6.x prints the digest as space-separated byte pairs [U].
        spaced = " ".join(digest[i : i + 2] for i in range(0, len(digest), 2))
        return Result(
            stdout=lines(
                f"{algorithm} hash of file {argv[1]}:",
                spaced,
                "CertUtil: -hashfile command completed successfully.",
            )
        )
    if verb == "-decode" and len(argv) >= 3:
        source = read_bytes(ctx.host, normalize(ctx.host, ctx.user, argv[1]))
        if source is None:
            return Result(
                stdout=lines("CertUtil: -decode command FAILED: 0x80070002 (WIN32: 2)"), exit_code=2
            )
        text = re.sub(rb"-----[A-Z ]+-----", b"", source)
        try:
            data = base64.b64decode(b"".join(text.split()))
        except binascii.Error:
            return Result(
                stdout=lines("CertUtil: -decode command FAILED: 0x80090005 (-2146893819)"), exit_code=1
            )
        put_file(ctx.host, normalize(ctx.host, ctx.user, argv[2]), data)
        return Result(
            stdout=lines(
                f"Input Length = {len(source)}",
                f"Output Length = {len(data)}",
                "CertUtil: -decode command completed successfully.",
            )
        )
    return Result(stdout=lines(f"CertUtil: Unknown arg: {argv[0]}"), exit_code=87)


@command("fciv")
def fciv(ctx: Context, argv: list[str], raw: str) -> Result:
    """File Checksum Integrity Verifier (KB841290): the checksum tool for Server 2003 and XP.

    It is a separate download, so it only runs once a copy exists in system32 (the role deploys it).
    Output layout from general knowledge of fciv 2.05 [U].
    """
    from winlab.model.host import not_recognized

    if get_file(ctx.host, f"{ctx.profile.system_root}\\system32\\fciv.exe") is None:
        return not_recognized("fciv")
    algorithm = "sha1" if any(a.lower() == "-sha1" for a in argv) else "md5"
    targets = [a for a in argv if not a.startswith("-")]
    if not targets:
        return Result(stdout=lines("Usage:  fciv.exe [Commands] <Options>"), exit_code=1)
    path = normalize(ctx.host, ctx.user, targets[0])
    data = read_bytes(ctx.host, path)
    banner = ["//", "// File Checksum Integrity Verifier version 2.05.", "//"]
    if data is None:
        return Result(
            stdout=lines(
                *banner, f"{path.lower()}", "Error msg  : The system cannot find the file specified."
            )
        )
    return Result(stdout=lines(*banner, f"{hashlib.new(algorithm, data).hexdigest()} {path.lower()}"))


# -- NTFS permissions ----------------------------------------------------------------------------------------
# icacls comes with Vista/2008 and Windows Server 2003 SP2 (KB919240, reference 4.3); XP has only cacls.
ICACLS_RIGHTS = {"F", "M", "RX", "R", "W"}
DEFAULT_ACL = [["BUILTIN\\Administrators", "(OI)(CI)(F)"], ["NT AUTHORITY\\SYSTEM", "(OI)(CI)(F)"]]


def _acl(ctx: Context, path: str) -> list[list[str]]:
    acls = ctx.state["fs"].setdefault("acls", {})
    return acls.setdefault(path.lower(), [list(entry) for entry in DEFAULT_ACL])


@command("icacls")
def icacls(ctx: Context, argv: list[str], raw: str) -> Result:
    from winlab.model.host import not_recognized

    if ctx.profile.key == "xp":
        return not_recognized("icacls")
    if not argv:
        # Wording not sourced [U].
        return Result(stdout=lines("ICACLS name /save aclfile [/T] [/C] [/L] [/Q]"), exit_code=87)
    path = normalize(ctx.host, ctx.user, argv[0])
    if not (is_dir(ctx.host, path) or get_file(ctx.host, path)):
        # Output of a failed icacls [U]; the summary line is [V-fixture] (reference 4.3).
        return Result(
            stdout=lines(
                f"{argv[0]}: {NOT_FOUND}", "Successfully processed 0 files; Failed processing 1 files"
            ),
            exit_code=2,
        )
    options = [arg.lower() for arg in argv[1:]]
    acl = _acl(ctx, path)
    index = 0
    while index < len(options):
        option = options[index]
        if option.startswith("/grant") and index + 1 < len(argv) - 1:
            grant = argv[index + 2]
            user, _, rights = grant.rpartition(":")
            inheritance = "".join(re.findall(r"\((?:OI|CI|IO|NP)\)", rights))
            right = re.sub(r"\((?:OI|CI|IO|NP)\)", "", rights).strip("()")
            if not user or right.upper() not in ICACLS_RIGHTS:
                return Result(stdout=lines(f'Invalid parameter "{grant}"'), exit_code=87)  # [U]
            if option == "/grant:r":
                acl[:] = [entry for entry in acl if entry[0].lower() != user.lower()]
            acl.append([user, f"{inheritance}({right.upper()})"])
            index += 2
            continue
        if option == "/remove" and index + 1 < len(argv) - 1:
            user = argv[index + 2]
            acl[:] = [entry for entry in acl if entry[0].lower() != user.lower()]
            index += 2
            continue
        index += 1
    if len(argv) == 1:
        width = len(path) + 1
        out = [f"{path} {acl[0][0]}:{acl[0][1]}"] + [
            f"{'':<{width}}{user}:{rights}" for user, rights in acl[1:]
        ]
        return Result(stdout=lines(*out, "", "Successfully processed 1 files; Failed processing 0 files"))
    return Result(
        stdout=lines(f"processed file: {path}", "Successfully processed 1 files; Failed processing 0 files")
    )


@command("telnet")
def telnet(ctx: Context, argv: list[str], raw: str) -> Result:
    from winlab.model.host import not_recognized

    # Not installed by default on NT 6 (reference 7.3); on NT 5 it is interactive, and in a WinRM
    # shell with no console it can only fail. The lab has no network behind the host.
    if ctx.profile.nt6:
        return not_recognized("telnet")
    target = argv[0] if argv else ""
    port = argv[1] if len(argv) > 1 else "23"
    return Result(
        # reference 7.3 [V-fixture]
        stdout=f"Connecting To {target}...Could not open connection to the host, on port {port}: "
        "Connect failed\r\n",
        exit_code=1,
    )
