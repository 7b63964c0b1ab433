"""The daily restart plan on fixture outputs: what it refuses, what it reads, the commands per version."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import pytest
from ansible.errors import AnsibleActionFail
from ansible_collections.vncustoms.vnaccs.plugins.action.daily_reboot_task import ActionModule
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import daily_reboot_plan as dp
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import windows_output as wo
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.change_window import spread_offset
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import PlanError

from tests.support.action import FakeProtocol, run_action
from tests.support.fixture_files import windows_output

ARGS = {"time": "12:15", "spread_minutes": 30, "warning_seconds": 300}
XP, SEVEN, SRV2003 = dp.load_forms("xp"), dp.load_forms("7"), dp.load_forms("2003")
# The host names of the fixture index, whose tasks sit at 12:32 (XP) and 12:29 (7).
XP_HOST, SEVEN_HOST = "ws-bac-ninh-01", "ws-hai-phong-01"


def wanted(args=None, host=XP_HOST, family=None) -> dp.Wanted:
    return dp.wanted_task({**ARGS, **(args or {})}, host, family)


def probe_output(task_text: str, boot_text: str) -> str:
    return "\r\n".join(
        ["WS", wo.PROBE_MARK.format("task"), task_text, wo.PROBE_MARK.format("boot"), boot_text]
    )


def commands(steps) -> list[str]:
    return [command.line for step in steps for command in step.commands]


# -- the versions' data ---------------------------------------------------------------------------------
def test_one_file_per_version():
    assert (XP.start_time_format, XP.overwrite_switch, XP.query_by_name, XP.switch_prefix) == (
        "%H:%M:%S",
        "",
        False,
        "-",
    )
    assert (SRV2003.overwrite_switch, SRV2003.max_delay_seconds, SRV2003.max_comment_characters) == (
        "/f",
        600,
        127,
    )
    assert (SEVEN.start_time_format, SEVEN.query_by_name, SEVEN.max_delay_seconds) == (
        "%H:%M",
        True,
        315360000,
    )
    assert dp.load_forms("2008").max_delay_seconds == 600
    with pytest.raises(PlanError, match="not '10'"):
        dp.load_forms("10")


# -- wanted state: checked before the host is contacted -------------------------------------------------
def test_the_hosts_time_is_the_time_plus_its_spread_offset():
    offset = spread_offset(XP_HOST, 30)
    got = wanted()
    assert got.offset_minutes == offset and got.host_time == time(12, 15 + offset)
    assert wanted({"spread_minutes": 0}).host_time == time(12, 15)
    assert got.window_minutes == 30 + 5 + 10


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ({"time": "10:00"}, r"time: 10:00 .* from 10:00 to 10:45 .* overlaps the peak hours \(09:00-12:00"),
        ({"time": "13:30"}, r"overlaps the peak hours \(14:00-17:00, Decision 833 Article 22\)"),
        ({"time": "02:40"}, r"VNACCS maintenance \(Sunday 03:00-06:00, Decision 833 Article 20\)"),
        ({"time": "12:15", "spread_minutes": 120}, r"spread_minutes=120,.* to 14:30"),
        ({"time": "25:00"}, r"time: '25:00' must be a time of day HH:MM"),
        ({"time": None}, r"time: None must be"),
        ({"warning_seconds": 601}, r"warning_seconds: 601 must be from 0 to 600 .* Windows XP"),
        ({"spread_minutes": 241}, r"spread_minutes: 241"),
        ({"reason": "u:4:1"}, r"reason: 'u:4:1' must be a planned reason"),
        ({"reason": "p:300:1"}, r"reason: 'p:300:1'"),
        ({"message": "a" * 128}, r"message: 128 characters; `shutdown` on Windows XP takes at most 127"),
        ({"message": "Lưu & thoát"}, r"message: 'Luu & thoat' may hold only"),
        ({"message": "Máy trạm", "fold_text": False}, r"message: 'Máy trạm' may hold only"),
        ({"name": "Daily Restart"}, r"name: 'Daily Restart'"),
    ],
)
def test_refused_with_the_argument_named(args, error):
    with pytest.raises(PlanError, match=error):
        wanted(args)


def test_the_limits_are_the_inventory_versions_when_it_names_one():
    assert len(wanted({"message": "a" * 200}, family="7").message) == 200
    with pytest.raises(
        PlanError, match=r"the task's command would be 247 characters|message: 200 characters"
    ):
        wanted({"message": "a" * 200})  # version unknown: XP's 127 applies
    with pytest.raises(
        PlanError,
        match=r"the task's command would be \d+ characters; schtasks on Windows 7 takes at most 261",
    ):
        wanted({"message": "a" * 240}, family="7")
    assert wanted({"warning_seconds": 3600}, family="7").warning_seconds == 3600


def test_force_accepts_a_quiet_period_and_says_which():
    got = wanted({"time": "10:00", "force": True})
    assert got.conflicts == ("peak hours (09:00-12:00, Decision 833 Article 22)",)


def test_the_default_warning_is_vietnamese_without_diacritics_and_names_the_minutes():
    assert wanted().message == (
        "May tram se khoi dong lai sau 5 phut de cap nhat phan mem hai quan. Vui long luu cong viec."
    )
    assert "sau 2 phut" in wanted({"warning_seconds": 90}).message


def test_absent_needs_no_time():
    got = dp.wanted_task({"state": "absent", "time": None}, XP_HOST)
    assert got.present is False


# -- the commands per version ---------------------------------------------------------------------------
def test_commands_per_version():
    got = wanted({"spread_minutes": 0})
    message = "May tram se khoi dong lai sau 5 phut de cap nhat phan mem hai quan. Vui long luu cong viec."
    run_xp = f'shutdown -r -t 300 -d p:4:1 -c \\"{message}\\"'
    assert dp.create_command(got, XP, overwrite=True) == (
        f'schtasks /create /tn VNACCS-DailyRestart /tr "{run_xp}" /sc DAILY /st 12:15:00 /ru SYSTEM'
    )
    assert dp.create_command(got, SRV2003, overwrite=True).endswith("/st 12:15:00 /ru SYSTEM /f")
    seven = dp.create_command(got, SEVEN, overwrite=True)
    assert seven.endswith("/st 12:15 /ru SYSTEM /f") and '/tr "shutdown /r /t 300 /d p:4:1 /c \\"' in seven
    assert dp.delete_command(got, XP) == "schtasks /delete /tn VNACCS-DailyRestart /f"
    assert dp.query_command(got, XP) == "schtasks /query /fo csv /v"
    assert dp.query_command(got, SEVEN) == "schtasks /query /fo csv /v /tn VNACCS-DailyRestart"


def test_the_probe_is_one_command_line():
    line = dp.DailyRebootPlan(wanted(), XP).probe_command()
    assert "\n" not in line
    assert "schtasks /query /fo csv /v 2>&1" in line and "net statistics workstation" in line


# -- the plan on fixture outputs ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("host", "forms", "file"),
    [(XP_HOST, XP, "schtasks_query_csv_v_xp.txt"), (SEVEN_HOST, SEVEN, "schtasks_query_csv_v_7.txt")],
)
def test_a_task_as_wanted_needs_nothing_and_reads_as_wanted(host, forms, file):
    plan = dp.DailyRebootPlan(wanted(host=host, family=forms.family), forms)
    state = plan.parse_probe(
        probe_output(windows_output(file), windows_output("net_statistics_workstation_xp.txt"))
    )
    assert state.task is not None and state.drift == []
    assert plan.steps(state) == []
    assert plan.render(state) == plan.render_wanted()
    result = plan.result(state, [])
    assert result["task"]["as_wanted"] is True and result["last_boot"] == "2026-11-30T07:00:00"


def test_a_changed_time_on_xp_is_deleted_then_created():
    plan = dp.DailyRebootPlan(wanted({"time": "18:00"}, host=XP_HOST), XP)
    state = plan.parse_probe(probe_output(windows_output("schtasks_query_csv_v_xp.txt"), ""))
    [step] = plan.steps(state)
    assert [line.split()[1] for line in commands([step])] == ["/delete", "/create"]
    assert "time 12:32" in step.what
    assert plan.render(state) != plan.render_wanted()


def test_a_changed_time_on_7_is_replaced_in_place():
    plan = dp.DailyRebootPlan(wanted({"time": "18:00"}, host=SEVEN_HOST, family="7"), SEVEN)
    state = plan.parse_probe(probe_output(windows_output("schtasks_query_csv_v_7.txt"), ""))
    [line] = commands(plan.steps(state))
    assert line.startswith("schtasks /create ") and line.endswith(" /f")


def test_drift_in_each_field():
    task = wo.find_scheduled_task(windows_output("schtasks_query_csv_v_7.txt"), "VNACCS-DailyRestart")
    want = wanted(host=SEVEN_HOST, family="7")
    assert dp.task_drift(want, SEVEN, task) == []
    assert dp.task_drift(want, SEVEN, replace(task, enabled=False)) == ["disabled"]
    assert dp.task_drift(want, SEVEN, replace(task, run_as="NT AUTHORITY\\SYSTEM")) == []
    assert dp.task_drift(want, SEVEN, replace(task, run_as="Administrator")) == ["account Administrator"]
    assert dp.task_drift(want, SEVEN, replace(task, schedule_type="weekly")) == ["schedule weekly"]
    assert (
        dp.task_drift(want, SEVEN, replace(task, run="C:\\Windows\\system32\\SHUTDOWN.EXE " + task.run[9:]))
        == []
    )
    assert dp.task_drift(want, SEVEN, replace(task, run="shutdown /r /t 60")) == ["command shutdown /r /t 60"]
    assert dp.task_drift(want, SEVEN, None) == ["absent"]
    absent = dp.wanted_task({"state": "absent"}, SEVEN_HOST)
    assert dp.task_drift(absent, SEVEN, task) == ["present"] and dp.task_drift(absent, SEVEN, None) == []


def test_check_only_plans_nothing_even_with_drift():
    plan = dp.DailyRebootPlan(wanted({"check_only": True}), XP)
    state = plan.parse_probe(probe_output("INFO: There are no scheduled tasks present in the system.", ""))
    assert state.drift == ["absent"] and plan.steps(state) == []
    result = plan.result(state, [])
    assert (
        result["task"]["present"] is False
        and result["last_boot"] == ""
        and result["hours_since_boot"] is None
    )


def test_hours_since_boot_against_the_reference_time():
    plan = dp.DailyRebootPlan(wanted({"reference_time": "2026-12-01T09:00:00"}), XP)
    state = plan.parse_probe(probe_output("", windows_output("net_statistics_workstation_xp.txt")))
    result = plan.result(state, [])
    assert result["hours_since_boot"] == 26.0 and result["restarted_recently"] is True
    plan = dp.DailyRebootPlan(wanted({"reference_time": "2026-12-01T09:01:00"}), XP)
    assert plan.result(state, [])["restarted_recently"] is False


def test_the_plan_refuses_a_host_of_another_version_than_the_inventorys():
    with pytest.raises(PlanError, match="runs Windows 7"):
        dp.DailyRebootPlan(wanted(family="xp"), SEVEN)


# -- the plugin: nothing reaches the host before the input is checked -----------------------------------
@pytest.mark.fault
def test_a_peak_hour_time_never_reaches_the_host():
    protocol = FakeProtocol()
    task_vars = {
        "inventory_hostname": XP_HOST,
        "ansible_host": "198.18.6.61",
        "ansible_user": "u",
        "ansible_password": "p",
    }
    with pytest.raises(AnsibleActionFail, match=rf"^{XP_HOST}: time: 10:30 "):
        run_action(ActionModule, {**ARGS, "time": "10:30"}, task_vars, protocol=protocol)
    assert protocol.calls == []
