"""`./run accounts`: list the accounts held after a failed logon, and clear one."""

from __future__ import annotations

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.account_guard import AccountGuard
from invoke import MockContext

from tasklib.accounts import accounts


def fail_once(account: str, host: str, locked: bool = False) -> None:
    with AccountGuard().logon(account, host, "Wrong-1") as done:
        done(False, locked=locked)


@pytest.mark.fault
def test_lists_held_accounts_and_clears_one(capsys):
    accounts.body(MockContext())
    assert "no account is held" in capsys.readouterr().out
    fail_once("haiquan\\svc", "lao-cai-dhcp")
    accounts.body(MockContext())
    out = capsys.readouterr().out
    assert "haiquan\\svc" in out and "lao-cai-dhcp" in out and "1 held" in out
    assert "refused this password" in out
    accounts.body(MockContext(), clear="HAIQUAN\\svc")
    assert "cleared" in capsys.readouterr().out
    assert AccountGuard().failures() == []


@pytest.mark.fault
def test_a_locked_account_is_listed_as_locked(capsys):
    fail_once("haiquan\\svc", "lao-cai-dhcp", locked=True)
    accounts.body(MockContext())
    assert "locked (its password had logged on)" in capsys.readouterr().out


@pytest.mark.fault
def test_clearing_an_account_that_is_not_held_exits_1(capsys):
    with pytest.raises(SystemExit) as exit_info:
        accounts.body(MockContext(), clear="nobody")
    assert exit_info.value.code == 1
    assert "no failed logon is recorded" in capsys.readouterr().err
