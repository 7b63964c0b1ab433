"""Invoke task `accounts`: the controller's record of failed Windows logons (Article 18).

A logon that fails is recorded (account_guard.py), and the toolkit does not try that account
with that password again, on any host, until the record expires, the password changes or an
admin clears it here after checking the account (and unlocking it, if it is locked: the list says
so when the account refused a password that had logged on to it).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "collections"))

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.account_guard import (  # noqa: E402
    AccountGuard,
)


@task(help={"clear": "forget the failed logon of this account (as listed), so that it is tried again"})
def accounts(c, clear=""):
    """List the Windows accounts held after a failed logon; --clear NAME releases one."""
    guard = AccountGuard()
    if clear:
        if guard.clear(clear):
            print(f"cleared: {clear.strip().lower()} will be tried again on the next run")
            return
        print(f"no failed logon is recorded for {clear!r}", file=sys.stderr)
        sys.exit(1)
    failures = guard.failures()
    if not failures:
        print(f"no account is held (state folder: {guard.folder})")
        return
    print(f"{'account':<40} {'failed on':<36} {'at':<16} why")
    for failure in failures:
        at = time.strftime("%Y-%m-%d %H:%M", time.localtime(failure.when))
        why = "locked (its password had logged on)" if failure.locked else "refused this password"
        print(f"{failure.account:<40} {failure.host:<36} {at:<16} {why}")
    print(
        f"{len(failures)} held for {guard.hold / 60:g} minutes after the failure; ./run accounts --clear NAME"
    )
