# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keep one failed logon from becoming five (Decision 833, Article 18: five wrong passwords lock
the account).

A session never retries a refused logon, but that alone is not enough: one domain account often
serves every server of a department, and a run contacts them in parallel (forks), again on the
next run, and again from another admin's terminal. So the controller keeps, per account, the
fact that it failed (when, on which host, and a salted scrypt fingerprint of the password that
failed, never the password), in its own state folder:

* the first failure of an account stops every later logon with **the same password** to any host
  that uses that account, in this run and in the next ones, for `hold` seconds (default 30
  minutes): those hosts are reported as not attempted, naming the account;
* a different password (the admin fixed the vault) is tried: one attempt again;
* a successful logon clears the record; `./run accounts --clear NAME` clears it by hand.

Within a run, the first logon of an account is made alone (a lock file per account), so that
parallel hosts cannot all fail at once before the first failure is recorded; once an account has
logged on with a password, later hosts with the same password log on in parallel.

Which logons share an account: a domain account (`DOMAIN\\user` or `user@domain`) is one account
wherever it is used; a local account (`Administrator`) is its own account on each host.

Windows refuses a locked account even with the right password, until an administrator unlocks
it or the lockout duration ends (Microsoft, "Account lockout threshold":
https://learn.microsoft.com/en-us/previous-versions/windows/it-pro/windows-10/security/threat-protection/security-policy-settings/account-lockout-threshold;
MS-GPSB 2.2.4, LockoutBadCount and LockoutDuration), and over WinRM it answers that refusal as it
answers a wrong password (HTTP 401). So the controller tells them apart by what it knows: a
password that logged on to the account within the hold and is now refused means that the account
is locked (or disabled, or its password was changed since); the failure is recorded as `locked`,
and every message about it says so instead of asking for the password to be checked.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import re
import secrets
import shlex
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ENV_STATE_DIR = "VNACCS_STATE_DIR"
ENV_HOLD_MINUTES = "VNACCS_ACCOUNT_HOLD_MINUTES"
DEFAULT_HOLD = 30 * 60.0
# scrypt parameters: a few milliseconds per fingerprint, computed only where a record exists.
_SCRYPT = {"n": 2**12, "r": 8, "p": 1, "dklen": 32}


def write_private_json(path: Path, record: dict) -> None:
    """Write `record` as JSON to `path` in the controller's state folder: the folder (0700) and the
    file (0600) the user's alone, the file replaced at once, so that a reader in another fork never
    sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
        json.dump(record, handle)
    os.replace(temporary, path)


def default_state_dir() -> Path:
    """$VNACCS_STATE_DIR, else $XDG_STATE_HOME/vncustoms, else ~/.local/state/vncustoms."""
    if os.environ.get(ENV_STATE_DIR):
        return Path(os.environ[ENV_STATE_DIR])
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "vncustoms"


def default_hold() -> float:
    try:
        return float(os.environ[ENV_HOLD_MINUTES]) * 60.0
    except (KeyError, ValueError):
        return DEFAULT_HOLD


def account_name(user: str, endpoint_host: str) -> str:
    """The account a logon uses: a domain account by itself, a local one per host."""
    user = user.strip()
    if "\\" in user or "@" in user:
        return user.lower()
    return f"{user.lower()} on {endpoint_host.lower()}"


def _fingerprint(password: str, salt: bytes) -> str:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT).hex()


@dataclass(frozen=True)
class Failure:
    account: str
    host: str
    when: float
    # The account refused a password that had logged on to it: locked, not a wrong password.
    locked: bool = False

    @classmethod
    def of(cls, record: dict) -> Failure:
        return cls(
            str(record["account"]),
            str(record.get("host", "")),
            float(record["when"]),
            bool(record.get("locked", False)),
        )


def clear_command(account: str) -> str:
    """The command that releases a held account, quoted for the shell as the admin pastes it."""
    return f"./run accounts --clear {shlex.quote(account)}"


class AccountHeldError(Exception):
    """This logon is not attempted: the account failed with this password recently."""

    def __init__(self, message: str, failure: Failure) -> None:
        super().__init__(message)
        self.failure = failure


class AccountGuard:
    """The controller's record of failed logons; see the module's docstring."""

    def __init__(
        self,
        state_dir: Path | None = None,
        hold: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.folder = (state_dir or default_state_dir()) / "accounts"
        self.hold = default_hold() if hold is None else hold
        self.clock = clock

    # -- files ------------------------------------------------------------------------------------------
    def _path(self, account: str, kind: str) -> Path:
        slug = re.sub(r"[^a-z0-9]+", "-", account.lower()).strip("-")[:60]
        digest = hashlib.sha256(account.encode("utf-8")).hexdigest()[:12]
        return self.folder / f"{slug}-{digest}.{kind}"

    def _read(self, account: str, kind: str) -> dict | None:
        try:
            record = json.loads(self._path(account, kind).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or self.clock() - float(record.get("when", 0)) > self.hold:
            return None
        return record

    def _write(self, account: str, kind: str, record: dict) -> None:
        write_private_json(self._path(account, kind), record)

    @staticmethod
    def _matches(record: dict, password: str) -> bool:
        try:
            salt = bytes.fromhex(record["salt"])
        except (KeyError, ValueError):
            return False
        return secrets.compare_digest(_fingerprint(password, salt), str(record.get("fingerprint", "")))

    def _record(self, account: str, kind: str, host: str, password: str, locked: bool = False) -> None:
        salt = secrets.token_bytes(16)
        self._write(
            account,
            kind,
            {
                "account": account,
                "host": host,
                "when": self.clock(),
                "salt": salt.hex(),
                "fingerprint": _fingerprint(password, salt),
                "locked": locked,
            },
        )

    # -- the guard --------------------------------------------------------------------------------------
    def check(self, account: str, password: str) -> None:
        """Raise AccountHeldError if this account failed with this password within the hold."""
        record = self._read(account, "failed")
        if record is None or not self._matches(record, password):
            return
        failure = Failure.of({**record, "account": account})
        at = time.strftime("%Y-%m-%d %H:%M", time.localtime(failure.when))
        if failure.locked:
            raise AccountHeldError(
                f"not attempted: the account '{account}' is locked: at {at} (on {failure.host}) it refused "
                "this password, which had logged on to it before. Have the account unlocked, then clear "
                f"the record: {clear_command(account)}",
                failure,
            )
        raise AccountHeldError(
            f"not attempted: the account '{account}' failed to log on at {at} (on {failure.host}) with "
            "this password; trying again could lock it (five failures lock a customs account, Article "
            "18), and it may be locked already (Windows answers both the same way). Fix the password "
            f"in the vault or the environment, or clear the record: {clear_command(account)}",
            failure,
        )

    def last_success(self, account: str, password: str) -> Failure | None:
        """When (and where) this password last logged on to the account within the hold, or None."""
        record = self._read(account, "ok")
        if record is None or not self._matches(record, password):
            return None
        return Failure.of({**record, "account": account})

    @contextlib.contextmanager
    def logon(self, account: str, host: str, password: str) -> Iterator[Callable[[bool], None]]:
        """Around one logon: check, make the first logon of an account alone, record the outcome.

        Yields `done(succeeded, locked=False)`, which the caller calls once it knows whether the logon
        worked (`locked`: it was refused although the password had worked, see `last_success`).
        """
        self.check(account, password)
        known_good = self._read(account, "ok")
        if known_good is not None and self._matches(known_good, password):
            # Known to work: log on in parallel; a success needs no new record (one scrypt per logon).
            def done(succeeded: bool, locked: bool = False) -> None:
                if not succeeded:
                    self._outcome(account, host, password, False, locked)

            yield done
            return
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(os.open(self._path(account, "lock"), os.O_RDWR | os.O_CREAT, 0o600)) as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                # Another host may have failed with this account while this one waited.
                self.check(account, password)
                yield functools.partial(self._outcome, account, host, password)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _outcome(self, account: str, host: str, password: str, succeeded: bool, locked: bool = False) -> None:
        if succeeded:
            with contextlib.suppress(FileNotFoundError):
                self._path(account, "failed").unlink()
            known = self._read(account, "ok")
            if known is None or not self._matches(known, password):
                self._record(account, "ok", host, password)
        else:
            self._record(account, "failed", host, password, locked)
            with contextlib.suppress(FileNotFoundError):
                self._path(account, "ok").unlink()

    # -- for the admin ----------------------------------------------------------------------------------
    def failures(self) -> list[Failure]:
        """The accounts held now, oldest first."""
        found = []
        for path in sorted(self.folder.glob("*.failed")) if self.folder.is_dir() else []:
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if self.clock() - float(record.get("when", 0)) <= self.hold:
                found.append(Failure.of(record))
        return sorted(found, key=lambda failure: failure.when)

    def clear(self, account: str) -> bool:
        """Forget an account's failure; True if there was one."""
        path = self._path(account.strip().lower(), "failed")
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True
