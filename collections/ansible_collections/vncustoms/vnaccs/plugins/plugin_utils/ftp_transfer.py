# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's FTP layer (Python's ftplib): how installers reach the base servers.

Bytes never go through WinRM, which carries a file as base64 text in small messages. Every base
server serves its layout by FTP (the base_server role; IIS 6 on 2003, IIS 7 FTP on 2008), and
ftplib reaches both; the `smbprotocol` library speaks SMB 2 and later only, which Server 2003
does not, so FTP is the one transport for every version.

* A logon goes through the controller's account guard (account_guard.py) under the same account
  as the host's WinRM logon: a refused password is never tried again, on FTP or WinRM.
* An upload goes to `<name>.part` and is renamed once whole, so a workstation never fetches half
  a file; `max_bytes_per_minute` paces it (a branch WAN link is shared).
* Every byte moved is counted (`Transfer.sent`, `Transfer.received`).
"""

from __future__ import annotations

import contextlib
import ftplib
import hashlib
import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.account_guard import (
    AccountGuard,
    AccountHeldError,
)

BLOCK = 64 * 1024


class FtpError(Exception):
    """An FTP transfer that failed; the message names the server and the reply."""


class FtpLogonError(FtpError):
    """The server refused the logon (never retried)."""

    def __init__(self, message: str, held: bool = False) -> None:
        super().__init__(message)
        self.held = held


@dataclass
class Transfer:
    """One FTP connection to a server, counting the bytes it moves."""

    host: str
    address: str
    port: int = 21
    timeout: float = 60.0
    max_bytes_per_minute: int = 0
    sent: int = 0
    received: int = 0
    log: list[str] = field(default_factory=list)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _ftp: ftplib.FTP | None = None

    # -- connection --------------------------------------------------------------------------------
    def open(self, user: str, password: str, account: str, guard: AccountGuard | None) -> Transfer:
        where = f"{self.host}: FTP {self.address}:{self.port}"
        try:
            ftp = ftplib.FTP(timeout=self.timeout)
            ftp.connect(self.address, self.port)
        except (OSError, ftplib.Error) as error:
            raise FtpError(f"{where}: cannot connect ({error})") from None
        try:
            with contextlib.ExitStack() as stack:
                done = stack.enter_context(guard.logon(account, self.host, password)) if guard else None
                try:
                    ftp.login(user, password)
                except ftplib.error_perm as error:
                    if done is not None:
                        done(False)
                    raise FtpLogonError(
                        f"{where}: the logon of '{user}' was refused ({error}); not retried (five failures "
                        "lock the account, Article 18)"
                    ) from None
                if done is not None:
                    done(True)
        except AccountHeldError as error:
            ftp.close()
            raise FtpLogonError(f"{where}: {error}", held=True) from None
        except FtpLogonError:
            ftp.close()
            raise
        except (OSError, ftplib.Error) as error:
            ftp.close()
            raise FtpError(f"{where}: the logon failed ({error})") from None
        ftp.voidcmd("TYPE I")
        self._ftp = ftp
        return self

    def close(self) -> None:
        if self._ftp is not None:
            with contextlib.suppress(OSError, ftplib.Error, EOFError):
                self._ftp.quit()
            with contextlib.suppress(OSError):
                self._ftp.close()
            self._ftp = None

    def __enter__(self) -> Transfer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def ftp(self) -> ftplib.FTP:
        if self._ftp is None:
            raise FtpError(f"{self.host}: FTP is not connected")
        return self._ftp

    @contextlib.contextmanager
    def _reply(self, doing: str) -> Iterator[None]:
        try:
            yield
        except ftplib.error_perm as error:
            raise FtpError(f"{self.host}: FTP {doing}: the server answered {error}") from None
        except (OSError, EOFError, ftplib.Error) as error:
            raise FtpError(f"{self.host}: FTP {doing}: {type(error).__name__}: {error}") from None

    # -- folders -----------------------------------------------------------------------------------
    def names(self, folder: str) -> list[str]:
        """The entries of `folder` (bare names); empty when it does not exist."""
        try:
            listed = self.ftp.nlst(folder)
        except ftplib.error_perm:
            return []
        except (OSError, EOFError, ftplib.Error) as error:
            raise FtpError(f"{self.host}: FTP list {folder}: {error}") from None
        bare = {name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] for name in listed}
        return sorted(bare - {"", ".", ".."})

    def make_folders(self, folder: str) -> None:
        """Create `folder` and its parents (an existing one is fine)."""
        path = ""
        for part in [piece for piece in folder.split("/") if piece]:
            path += "/" + part
            with contextlib.suppress(ftplib.error_perm):
                self.ftp.mkd(path)
        with self._reply(f"open {folder}"):
            self.ftp.cwd(folder)
            self.ftp.cwd("/")

    def remove_folder(self, folder: str) -> list[str]:
        """Delete the files of `folder`, then the folder; the names deleted."""
        removed = []
        for name in self.names(folder):
            with self._reply(f"delete {folder}/{name}"):
                self.ftp.delete(f"{folder}/{name}")
            removed.append(name)
        with self._reply(f"remove {folder}"):
            self.ftp.rmd(folder)
        return removed

    # -- files -------------------------------------------------------------------------------------
    def upload(self, stream: io.BufferedIOBase, path: str) -> int:
        """Upload to `path` whole or not at all (`path.part`, then renamed); the bytes sent."""
        partial = f"{path}.part"
        started, before = self.clock(), self.sent

        def paced(block: bytes) -> None:
            self.sent += len(block)
            if self.max_bytes_per_minute > 0:
                # Sleep until the bytes sent so far fit the rate.
                due = started + (self.sent - before) * 60.0 / self.max_bytes_per_minute
                wait = due - self.clock()
                if wait > 0:
                    self.sleep(wait)

        with self._reply(f"upload {path}"):
            self.ftp.storbinary(f"STOR {partial}", stream, blocksize=BLOCK, callback=paced)
            with contextlib.suppress(ftplib.error_perm):
                self.ftp.delete(path)
            self.ftp.rename(partial, path)
        self.log.append(f"STOR {path} ({self.sent - before} bytes)")
        return self.sent - before

    def upload_bytes(self, data: bytes, path: str) -> int:
        return self.upload(io.BytesIO(data), path)

    def sha256(self, path: str) -> tuple[str, int]:
        """(SHA-256, size) of `path` as the server serves it (read back whole)."""
        digest, size = hashlib.sha256(), 0

        def take(block: bytes) -> None:
            nonlocal size
            digest.update(block)
            size += len(block)
            self.received += len(block)

        with self._reply(f"read back {path}"):
            self.ftp.retrbinary(f"RETR {path}", take, blocksize=BLOCK)
        self.log.append(f"RETR {path} ({size} bytes)")
        return digest.hexdigest(), size

    def read_text(self, path: str) -> str | None:
        """A small file's text, or None when it is not there."""
        chunks: list[bytes] = []
        try:
            self.ftp.retrbinary(f"RETR {path}", chunks.append)
        except ftplib.error_perm:
            return None
        except (OSError, EOFError, ftplib.Error) as error:
            raise FtpError(f"{self.host}: FTP read {path}: {error}") from None
        data = b"".join(chunks)
        self.received += len(data)
        return data.decode("utf-8", errors="replace")
