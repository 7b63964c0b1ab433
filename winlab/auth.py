"""Authentication as a WinRM 2.0 listener does it: Basic, and NTLM with message encryption.

NTLM acceptance, signing and sealing are done by pyspnego (the same library requests_ntlm uses on the
client side). pyspnego's NTLM acceptor reads accounts from the file named by the environment variable
NTLM_USER_FILE (one `DOMAIN:USER:PASSWORD` line each). Each lab has its own file, in memory where
the system allows (`open_ntlm_accounts`); since the variable is process-wide, acceptor steps run
under a lock with the variable pointing at the file of the lab that is authenticating, so several
labs in one process (tests) keep their own accounts.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import struct
import threading
from pathlib import Path

import spnego

ENCRYPTED_PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
BOUNDARY = b"--Encrypted Boundary"
ENCRYPTED_CONTENT_TYPE = f'multipart/encrypted;protocol="{ENCRYPTED_PROTOCOL}";boundary="Encrypted Boundary"'
NTLM_SIGNATURE = b"NTLMSSP\x00"

_credential_lock = threading.Lock()


def ntlm_accounts_text(accounts: dict[str, str]) -> str:
    """The accounts as pyspnego's NTLM acceptor reads them: one `DOMAIN:USER:PASSWORD` line each."""
    lines = []
    for user, password in sorted(accounts.items()):
        domain, _, name = user.rpartition("\\")
        lines.append(f"{domain}:{name}:{password}")
        if domain:
            # A domain account also logs on without the domain part, as on a member server.
            lines.append(f":{name}:{password}")
    return "\n".join(lines) + "\n"


def write_ntlm_accounts(path: Path, accounts: dict[str, str]) -> None:
    """Write an account file for pyspnego's NTLM acceptor (mode 0600)."""
    with _credential_lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(ntlm_accounts_text(accounts), encoding="utf-8")
        path.chmod(0o600)


def open_ntlm_accounts(accounts: dict[str, str], fallback: Path) -> tuple[Path, int | None]:
    """The account file for pyspnego's NTLM acceptor, and the descriptor that keeps it alive.

    pyspnego opens the file by name. On Linux it is an anonymous file in memory (memfd), named
    `/proc/self/fd/N`, so the lab writes no password to disk; elsewhere it is `fallback`, written
    with mode 0600 (descriptor None). Close the descriptor with `close_ntlm_accounts`.
    """
    if not hasattr(os, "memfd_create") or not Path("/proc/self/fd").is_dir():
        write_ntlm_accounts(fallback, accounts)
        return fallback, None
    # A file of an earlier lab in the same state folder would hold its passwords on disk.
    fallback.unlink(missing_ok=True)
    descriptor = os.memfd_create("winlab-ntlm-accounts", os.MFD_CLOEXEC)
    data = ntlm_accounts_text(accounts).encode("utf-8")
    while data:
        data = data[os.write(descriptor, data) :]
    return Path(f"/proc/self/fd/{descriptor}"), descriptor


def close_ntlm_accounts(descriptor: int | None) -> None:
    if descriptor is not None:
        with _credential_lock, contextlib.suppress(OSError):
            os.close(descriptor)


def parse_basic(value: str) -> tuple[str, str] | None:
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def ntlm_message_type(token: bytes) -> int:
    if len(token) < 12 or not token.startswith(NTLM_SIGNATURE):
        return 0
    return struct.unpack("<I", token[8:12])[0]


def ntlm_user(token: bytes) -> str:
    """User name (without domain) from an NTLM AUTHENTICATE message, to count failed logons per account.

    Read directly from the message layout (MS-NLMP 2.2.1.3: UserNameFields at offset 36, flags at 60)
    because a failed logon never yields a completed context to ask.
    """
    try:
        length, _, offset = struct.unpack("<HHI", token[36:44])
        flags = struct.unpack("<I", token[60:64])[0]
        raw = token[offset : offset + length]
        return raw.decode("utf-16-le" if flags & 0x1 else "cp437")
    except (struct.error, UnicodeDecodeError):
        return ""


def new_ntlm_acceptor(accounts_file: Path) -> spnego.ContextProxy:
    with _credential_lock:
        os.environ["NTLM_USER_FILE"] = str(accounts_file)
        return spnego.server(protocol="ntlm", service="HTTP")


def ntlm_step(context: spnego.ContextProxy, token: bytes, accounts_file: Path) -> bytes | None:
    """One acceptor step; the AUTHENTICATE step looks the account up in `accounts_file`."""
    with _credential_lock:
        os.environ["NTLM_USER_FILE"] = str(accounts_file)
        return context.step(token)


def unwrap_body(context: spnego.ContextProxy, body: bytes) -> bytes:
    """Decrypt a multipart/encrypted request body.

    MS-WSMV 2.2.9.1.1, in the layout pywinrm's encryption.py sends.
    """
    parts = [part for part in body.split(BOUNDARY + b"\r\n") if part]
    message = b""
    for index in range(0, len(parts) - 1, 2):
        header, payload = parts[index].strip(), parts[index + 1]
        expected = int(header.split(b"Length=")[1])
        if payload.endswith(BOUNDARY + b"--\r\n"):
            payload = payload[: -len(BOUNDARY + b"--\r\n")]
        data = payload.replace(b"\tContent-Type: application/octet-stream\r\n", b"", 1)
        signature_length = struct.unpack("<i", data[:4])[0]
        signature = data[4 : 4 + signature_length]
        plain = context.unwrap_winrm(signature, data[4 + signature_length :])
        if len(plain) != expected:
            raise ValueError("encrypted length does not match OriginalContent")
        message += plain
    return message


def wrap_body(context: spnego.ContextProxy, message: bytes) -> bytes:
    wrapped = context.wrap_winrm(message)
    return (
        BOUNDARY + b"\r\n"
        b"\tContent-Type: " + ENCRYPTED_PROTOCOL.encode() + b"\r\n"
        b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length="
        + str(len(message)).encode()
        + b"\r\n"
        + BOUNDARY
        + b"\r\n"
        b"\tContent-Type: application/octet-stream\r\n"
        + struct.pack("<i", len(wrapped.header))
        + wrapped.header
        + wrapped.data
        + BOUNDARY
        + b"--\r\n"
    )
