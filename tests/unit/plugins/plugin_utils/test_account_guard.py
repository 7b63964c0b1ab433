"""The record of failed logons: one failure never becomes five (Article 18)."""

from __future__ import annotations

import fcntl
import shlex
import stat
import threading
import time

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.account_guard import (
    AccountGuard,
    AccountHeldError,
    account_name,
)

DOMAIN = "haiquan\\svc-vnaccs"
PASSWORD = "Wrong-Pa55word"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def logon(guard: AccountGuard, host: str, password: str, succeeds: bool, account: str = DOMAIN) -> None:
    with guard.logon(account, host, password) as done:
        done(succeeds)


def test_domain_accounts_are_one_account_everywhere_and_local_ones_one_per_host():
    assert account_name("HAIQUAN\\svc", "10.0.0.5:5985") == account_name("haiquan\\SVC", "10.0.0.6:5985")
    assert account_name("svc@haiquan.local", "a:1") == "svc@haiquan.local"
    assert account_name("Administrator", "10.0.0.5:5985") != account_name("Administrator", "10.0.0.6:5985")


@pytest.mark.fault
def test_a_failed_account_is_not_tried_again_with_the_same_password_on_any_host(tmp_path):
    guard = AccountGuard(tmp_path)
    logon(guard, "lao-cai-dhcp", PASSWORD, succeeds=False)
    with pytest.raises(AccountHeldError, match=r"not attempted: the account 'haiquan\\svc-vnaccs'") as held:
        logon(guard, "ha-giang-dhcp", PASSWORD, succeeds=True)
    assert held.value.failure.host == "lao-cai-dhcp"
    # The command the message gives, as the admin pastes it into a shell, names the account exactly.
    command = shlex.split(str(held.value).rpartition("clear the record: ")[2])
    assert command == ["./run", "accounts", "--clear", DOMAIN]
    # A later run (a new guard on the same state folder) refuses it too, until it is cleared.
    with pytest.raises(AccountHeldError):
        AccountGuard(tmp_path).check(DOMAIN, PASSWORD)
    assert AccountGuard(tmp_path).clear(command[-1]) is True
    AccountGuard(tmp_path).check(DOMAIN, PASSWORD)


@pytest.mark.fault
def test_a_new_password_gets_one_attempt_and_a_success_clears_the_record(tmp_path):
    guard = AccountGuard(tmp_path)
    logon(guard, "lao-cai-dhcp", PASSWORD, succeeds=False)
    logon(guard, "lao-cai-dhcp", "Fixed-Pa55word", succeeds=True)
    assert guard.failures() == []
    guard.check(DOMAIN, PASSWORD)  # the old password may be tried again: the account works


def test_the_record_expires_after_the_hold(tmp_path):
    clock = Clock()
    guard = AccountGuard(tmp_path, hold=600, clock=clock)
    logon(guard, "h", PASSWORD, succeeds=False)
    clock.now += 599
    with pytest.raises(AccountHeldError):
        guard.check(DOMAIN, PASSWORD)
    clock.now += 2
    guard.check(DOMAIN, PASSWORD)
    assert guard.failures() == []


@pytest.mark.fault
def test_the_record_never_holds_the_password_and_only_its_owner_reads_it(tmp_path):
    guard = AccountGuard(tmp_path)
    logon(guard, "h", PASSWORD, succeeds=False)
    files = list((tmp_path / "accounts").iterdir())
    assert files
    for path in files:
        assert PASSWORD not in path.read_text(encoding="utf-8", errors="replace")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "accounts").stat().st_mode) == 0o700


@pytest.mark.fault
def test_the_admin_lists_and_clears_a_held_account(tmp_path):
    guard = AccountGuard(tmp_path)
    logon(guard, "lao-cai-dhcp", PASSWORD, succeeds=False)
    assert [(f.account, f.host) for f in guard.failures()] == [(DOMAIN, "lao-cai-dhcp")]
    assert guard.clear("HAIQUAN\\svc-vnaccs") is True
    assert guard.clear(DOMAIN) is False
    guard.check(DOMAIN, PASSWORD)


@pytest.mark.fault
def test_parallel_hosts_wait_for_the_first_logon_and_are_not_attempted_when_it_fails(tmp_path):
    attempts: list[str] = []
    errors: list[str] = []
    first_inside = threading.Event()

    def first() -> None:
        with AccountGuard(tmp_path).logon(DOMAIN, "first", PASSWORD) as done:
            attempts.append("first")
            first_inside.set()
            time.sleep(0.3)
            done(False)

    def second() -> None:
        first_inside.wait(5)
        try:
            with AccountGuard(tmp_path).logon(DOMAIN, "second", PASSWORD) as done:
                attempts.append("second")
                done(True)
        except AccountHeldError as error:
            errors.append(str(error))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert attempts == ["first"]
    assert len(errors) == 1 and "on first" in errors[0]


def test_once_an_account_logged_on_later_hosts_log_on_without_waiting(tmp_path):
    guard = AccountGuard(tmp_path)
    logon(guard, "first", PASSWORD, succeeds=True)
    lock = next((tmp_path / "accounts").glob("*.lock"))
    with open(lock) as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # another logon holds the lock; this one must not wait
        logon(AccountGuard(tmp_path), "second", PASSWORD, succeeds=True)


@pytest.mark.fault
def test_a_refused_password_that_had_logged_on_is_held_as_a_locked_account(tmp_path):
    guard = AccountGuard(tmp_path)
    logon(guard, "lao-cai-dhcp", PASSWORD, succeeds=True)
    assert guard.last_success(DOMAIN, "Another-Pa55") is None
    worked = guard.last_success(DOMAIN, PASSWORD)
    assert worked is not None and worked.host == "lao-cai-dhcp"
    with guard.logon(DOMAIN, "ha-giang-dhcp", PASSWORD) as done:
        done(False, locked=True)
    with pytest.raises(AccountHeldError) as held:
        AccountGuard(tmp_path).check(DOMAIN, PASSWORD)
    message = str(held.value)
    assert message.startswith("not attempted: the account 'haiquan\\svc-vnaccs' is locked: ")
    assert "(on ha-giang-dhcp)" in message and "unlocked" in message
    assert "Fix the password" not in message
    assert held.value.failure.locked is True
    assert [(f.account, f.locked) for f in guard.failures()] == [(DOMAIN, True)]
    assert guard.last_success(DOMAIN, PASSWORD) is None  # the record of the success went with it
