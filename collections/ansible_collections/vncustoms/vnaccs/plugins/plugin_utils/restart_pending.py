# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's list of hosts a change left needing a restart: never restarted implicitly.

An installer that succeeds with exit code 3010 (ERROR_SUCCESS_REBOOT_REQUIRED) or 1641
(ERROR_SUCCESS_REBOOT_INITIATED, msiexec without /norestart) leaves the host needing a restart. No
job restarts a host for that (the safety rules forbid an unplanned restart, above all in the quiet
periods of `change_window.py`): the job that saw the code records the host here, and the daily
restart task (Decision 833, Article 23) completes it at the host's planned time. The daily_reboot
job lists the recorded hosts, and removes a host once its last boot is later than the record.

The list is one JSON file, `restart_pending.json` in the controller's state folder (the one the
account guard uses: $VNACCS_STATE_DIR, else $XDG_STATE_HOME/vncustoms, else
~/.local/state/vncustoms), or a path of the caller's choosing:

    {"hosts": {"ws-bac-ninh-01": {"since": "2026-11-30T10:05:00+07:00", "exit_code": 3010,
                                  "reason": "client 5.1.0 installed (msiexec)", "by": "client_rollout"}}}

A job that installs writes it with :meth:`RestartPending.record` (under a lock, so parallel forks
do not lose each other's entries); `since` is the time of the record in Asia/Ho_Chi_Minh time.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import change_window
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.account_guard import default_state_dir

FILE_NAME = "restart_pending.json"
RESTART_EXIT_CODES = (1641, 3010)


def default_path() -> Path:
    return default_state_dir() / FILE_NAME


@dataclass(frozen=True)
class PendingRestart:
    host: str
    since: datetime
    exit_code: int
    reason: str
    by: str

    def as_dict(self) -> dict:
        return {
            "since": self.since.isoformat(),
            "exit_code": self.exit_code,
            "reason": self.reason,
            "by": self.by,
        }


class RestartPending:
    """The list in one file; every change rewrites it whole under an exclusive lock."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else default_path()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = self._load()
            before = json.dumps(data, sort_keys=True)
            yield data
            if json.dumps(data, sort_keys=True) != before:
                temporary = self.path.with_suffix(".tmp")
                temporary.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
                os.replace(temporary, self.path)

    def _load(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"hosts": {}}
        except (OSError, ValueError) as error:
            raise ValueError(f"{self.path}: not a restart-pending list ({error})") from None
        if not isinstance(data, dict) or not isinstance(data.get("hosts"), dict):
            raise ValueError(f"{self.path}: not a restart-pending list (no `hosts` mapping)")
        return data

    def record(
        self, host: str, exit_code: int, reason: str, by: str, at: datetime | None = None
    ) -> PendingRestart:
        """Add (or refresh) `host`; the restart itself is left to the daily restart task."""
        entry = PendingRestart(host, change_window.now(at), int(exit_code), reason, by)
        with self._locked() as data:
            data["hosts"][host] = entry.as_dict()
        return entry

    def get(self, host: str) -> PendingRestart | None:
        with self._locked() as data:
            value = data["hosts"].get(host)
        return _entry(host, value) if value else None

    def entries(self) -> list[PendingRestart]:
        with self._locked() as data:
            return [_entry(host, value) for host, value in sorted(data["hosts"].items())]

    def clear(self, host: str) -> bool:
        with self._locked() as data:
            return data["hosts"].pop(host, None) is not None

    def clear_if_restarted(self, host: str, last_boot: datetime | None) -> bool:
        """Remove `host` when it started after the record (`last_boot` in the host's local time,
        taken to be Asia/Ho_Chi_Minh); whether it was removed."""
        if last_boot is None:
            return False
        with self._locked() as data:
            value = data["hosts"].get(host)
            if not value or change_window.now(last_boot) <= _entry(host, value).since:
                return False
            del data["hosts"][host]
            return True


def _entry(host: str, value: dict) -> PendingRestart:
    return PendingRestart(
        host=host,
        since=change_window.now(datetime.fromisoformat(str(value["since"]))),
        exit_code=int(value.get("exit_code", 0)),
        reason=str(value.get("reason", "")),
        by=str(value.get("by", "")),
    )
