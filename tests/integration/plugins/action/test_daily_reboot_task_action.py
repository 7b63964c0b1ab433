"""The vncustoms.vnaccs.daily_reboot_task action plugin against winlab workstations, as Ansible calls it.

Each case has the shape of the project's Windows tests: a fixture state, a check-mode pass (reports
changed, changes nothing), a real pass verified through winlab's own model (its state, not the
plugin's parsers), and a repeat pass (not changed).
"""

from __future__ import annotations

import datetime
import functools
import json
import pathlib

import pytest
from ansible.errors import AnsibleActionFail
from ansible_collections.vncustoms.vnaccs.plugins.action.daily_reboot_task import ActionModule
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import change_window
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.restart_pending import RestartPending

from tests.support.lab import run_on_lab

pytestmark = pytest.mark.slow

HOSTS = {"ws-xp": "xp", "ws-7": "7", "srv-2003": "2003"}
CLOCK = "2026-11-30T10:00:00"


@pytest.fixture
def lab(winlab_factory):
    lab = winlab_factory(HOSTS)
    for name in HOSTS:
        lab.set_clock(name, CLOCK)
    return lab


@pytest.fixture
def args(tmp_path):
    return {
        "time": "12:15",
        "spread_minutes": 30,
        "warning_seconds": 300,
        "pending_file": str(tmp_path / "pending.json"),
        "reference_time": "2026-11-30T10:00:00",
    }


run_action = functools.partial(run_on_lab, ActionModule)


def tasks(lab, name):
    """The host's tasks as winlab keeps them (not through the plugin's parsers), Windows' own left out."""
    return {key: task for key, task in lab.host(name).snapshot()["tasks"].items() if "\\" not in key}


def expected_time(name: str) -> str:
    offset = change_window.spread_offset(name, 30)
    return f"{12 + (15 + offset) // 60:02d}:{(15 + offset) % 60:02d}"


@pytest.mark.parametrize("name", list(HOSTS))
def test_create_check_mode_then_apply_then_nothing(lab, args, name):
    profile = HOSTS[name]
    before = lab.host(name).snapshot()
    preview = run_action(lab, name, args, check_mode=True, windows_version=profile)
    assert preview["changed"] is True, preview
    [create] = preview["commands"]
    assert create.startswith("schtasks /create /tn VNACCS-DailyRestart ")
    assert lab.host(name).snapshot() == before

    applied = run_action(lab, name, args, windows_version=profile)
    assert applied["changed"] is True and not applied.get("failed"), applied
    assert applied["commands"] == [create]
    [task] = tasks(lab, name).values()
    wanted = expected_time(name)
    assert task["start"][:5] == wanted and applied["restart_time"] == wanted
    assert task["schedule"] == "DAILY" and task["user"] == "SYSTEM"
    switch = "-" if profile in ("xp", "2003") else "/"
    assert task["run"].startswith(f'shutdown {switch}r {switch}t 300 {switch}d p:4:1 {switch}c "May tram')

    again = run_action(lab, name, args, windows_version=profile)
    assert again["changed"] is False and again["commands"] == [], again
    assert again["task"]["as_wanted"] is True
    assert again["task"]["start_time"] == wanted


def test_xp_never_sends_a_switch_xp_lacks_and_replaces_a_changed_task(lab, args):
    run_action(lab, "ws-xp", args, windows_version="xp")
    moved = run_action(lab, "ws-xp", {**args, "time": "19:00"}, windows_version="xp")
    assert moved["changed"] is True, moved
    # No /F on XP: delete, then create (one update, and still one task).
    assert [command.split()[1] for command in moved["commands"]] == ["/delete", "/create"]
    assert all(" /f" not in command.lower() for command in moved["commands"] if "/create" in command)
    for switch in (" /z", " /v1", " /rl", " /it"):
        assert all(switch not in command.lower() for command in moved["commands"])
    [task] = tasks(lab, "ws-xp").values()
    assert task["start"].startswith("19:")
    assert run_action(lab, "ws-xp", {**args, "time": "19:00"}, windows_version="xp")["changed"] is False


@pytest.mark.parametrize(("name", "profile"), [("ws-7", "7"), ("srv-2003", "2003")])
def test_a_changed_time_is_one_update_in_place(lab, args, name, profile):
    run_action(lab, name, args, windows_version=profile)
    moved = run_action(lab, name, {**args, "time": "19:30"}, windows_version=profile)
    [command] = moved["commands"]
    assert command.startswith("schtasks /create ") and command.endswith(" /f")
    assert len(tasks(lab, name)) == 1
    assert "time 12:" in moved["steps"][0]


@pytest.mark.parametrize("name", list(HOSTS))
def test_absent_removes_it_once(lab, args, name):
    profile = HOSTS[name]
    run_action(lab, name, args, windows_version=profile)
    removed = run_action(
        lab, name, {"state": "absent", "pending_file": args["pending_file"]}, windows_version=profile
    )
    assert removed["changed"] is True and removed["commands"] == [
        "schtasks /delete /tn VNACCS-DailyRestart /f"
    ]
    assert tasks(lab, name) == {}
    again = run_action(
        lab, name, {"state": "absent", "pending_file": args["pending_file"]}, windows_version=profile
    )
    assert again["changed"] is False


def test_a_task_changed_by_hand_is_repaired(lab, args):
    run_action(lab, "ws-7", args, windows_version="7")
    # An admin points the task at another command, by hand.
    lab.host("ws-7").run(
        'schtasks /create /tn VNACCS-DailyRestart /tr "notepad" /sc DAILY /st 12:20 /ru SYSTEM /f'
    )
    repaired = run_action(lab, "ws-7", args, windows_version="7")
    assert repaired["changed"] is True
    assert "command notepad" in repaired["steps"][0]
    assert tasks(lab, "ws-7")["vnaccs-dailyrestart"]["run"].startswith("shutdown /r")


@pytest.mark.parametrize("time_of_day", ["10:30", "08:50", "16:59", "03:30"])
def test_a_time_in_a_quiet_period_is_refused_before_the_host_is_contacted(lab, args, time_of_day):
    requests = lab.describe()["hosts"]["ws-xp"]
    with pytest.raises(AnsibleActionFail, match=r"^ws-xp: time: .* overlaps the (peak hours|VNACCS maint)"):
        run_action(lab, "ws-xp", {**args, "time": time_of_day}, windows_version="xp")
    assert lab.describe()["hosts"]["ws-xp"]["requests"] == requests["requests"]
    assert tasks(lab, "ws-xp") == {}


def test_a_message_too_long_for_xp_is_refused_naming_the_version(lab, args):
    with pytest.raises(
        AnsibleActionFail, match=r"message: 130 characters; `shutdown` on Windows XP takes at most 127"
    ):
        run_action(lab, "ws-xp", {**args, "message": "a" * 130}, windows_version="xp")
    # On 7 the same message fits.
    assert run_action(lab, "ws-7", {**args, "message": "a" * 130}, windows_version="7")["changed"] is True


def test_the_task_restarts_the_host_with_the_warning(lab, args):
    run_action(lab, "ws-7", args, windows_version="7")
    host = lab.host("ws-7")
    assert host.run("schtasks /run /tn VNACCS-DailyRestart").exit_code == 0
    [restart] = host.snapshot()["reboots"]
    assert restart["restart"] and restart["delay"] == 300 and restart["reason"] == "p:4:1"
    assert restart["comment"].startswith("May tram se khoi dong lai sau 5 phut")
    host.run("shutdown /a")


def test_check_only_reads_the_task_the_last_result_and_the_last_boot(lab, args):
    run_action(lab, "ws-xp", args, windows_version="xp")
    checked = run_action(lab, "ws-xp", {**args, "check_only": True}, windows_version="xp")
    assert checked["changed"] is False and checked["commands"] == []
    assert checked["task"]["present"] and checked["task"]["as_wanted"]
    assert checked["task"]["last_result"] == 0 and checked["task"]["last_run"] == ""
    # winlab's hosts started at 07:00 of the (pinned) day: three hours before the reference time.
    assert checked["last_boot"] == "2026-11-30T07:00:00"
    assert checked["hours_since_boot"] == 3.0 and checked["restarted_recently"] is True
    late = run_action(lab, "ws-xp", {**args, "check_only": True, "reference_time": "2026-12-01T10:00:00"})
    assert late["hours_since_boot"] == 27.0 and late["restarted_recently"] is False

    lab.host("ws-xp").run("schtasks /delete /tn VNACCS-DailyRestart /f")
    missing = run_action(lab, "ws-xp", {**args, "check_only": True}, windows_version="xp")
    assert missing["changed"] is False and missing["task"]["present"] is False
    assert missing["task"]["drift"] == ["absent"]


def test_a_pending_restart_is_listed_never_done_and_cleared_after_a_restart(lab, args):
    pending = RestartPending(args["pending_file"])
    pending.record("ws-7", 3010, "client 5.1.0 installed", "client_rollout", at=change_window.now())
    result = run_action(lab, "ws-7", args, windows_version="7")
    assert result["restart_pending"]["exit_code"] == 3010
    assert any("it is not restarted now" in warning for warning in result["warnings"])
    assert lab.host("ws-7").snapshot()["reboots"] == []
    # The host restarts (the daily task at its time); the next run takes it off the list.
    lab.set_clock("ws-7", None)
    restarted = change_window.now() + datetime.timedelta(minutes=1)
    lab.host("ws-7").state["boot_time"] = restarted.replace(tzinfo=None, microsecond=0).isoformat()
    after = run_action(lab, "ws-7", args, windows_version="7")
    assert after["restart_pending"] is None and after["restart_completed"]["exit_code"] == 3010
    assert json.loads(pathlib.Path(args["pending_file"]).read_text())["hosts"] == {}


def test_the_inventory_version_must_be_the_hosts(lab, args):
    result = run_action(lab, "ws-xp", args, windows_version="7")
    assert result["failed"] and "windows_version=7" in result["msg"]
