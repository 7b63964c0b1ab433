"""The Ecus6 contingency's plans, parsers, probe script and filter, without a host."""

from __future__ import annotations

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import ecus6, health_catalogue
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.health_checks import Check
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import PlanError
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_output import (
    parse_http_probe,
    parse_internet_shortcut,
)

from winlab.model import xmlhttp

URL = "http://10.224.128.226"


# -- parsers ------------------------------------------------------------------------------------------
def test_internet_shortcut_keys_and_a_missing_file():
    text = "[InternetShortcut]\r\nURL=http://10.224.128.226\r\nIconIndex=0\r\n[Other]\r\nURL=x\r\n"
    assert parse_internet_shortcut(text) == {"url": "http://10.224.128.226", "iconindex": "0"}
    assert parse_internet_shortcut("") is None
    assert parse_internet_shortcut("[Other]\r\nURL=x\r\n") is None


def test_http_probe_status_error_and_nothing():
    assert parse_http_probe("STATUS 200\r\n").status == 200
    failed = parse_http_probe("ERROR 80072efd A connection with the server could not be established\r\n")
    assert (failed.status, failed.error_code, failed.ran) == (None, "80072EFD", True)
    assert failed.error_text.startswith("A connection")
    silent = parse_http_probe("'cscript' is not recognized as an internal or external command,\r\n")
    assert silent.ran is False and silent.status is None and "cscript" in silent.output


# -- the shortcut plan -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("family", "folder"),
    [
        ("xp", "%ALLUSERSPROFILE%\\Desktop"),
        ("2003", "%ALLUSERSPROFILE%\\Desktop"),
        ("7", "%PUBLIC%\\Desktop"),
    ],
)
def test_the_shortcut_goes_to_the_versions_all_users_desktop(family, folder):
    plan = ecus6.ShortcutPlan(ecus6.shortcut_wanted({"url": URL}), family)
    assert plan.path == f"{folder}\\Ecus6 (du phong VNACCS).url"
    [step] = plan.steps(None)
    assert step.file.lines == ("[InternetShortcut]", f"URL={URL}")
    assert [command.line for command in step.commands] == [
        f'copy /y %SystemRoot%\\Temp\\vnaccs-ecus6.url "{folder}\\Ecus6 (du phong VNACCS).url"'
    ]


def test_the_shortcut_plan_changes_only_what_differs():
    plan = ecus6.ShortcutPlan(ecus6.shortcut_wanted({"url": URL}), "7")
    assert plan.steps({"url": URL}) == []
    assert len(plan.steps({"url": "http://10.0.0.1"})) == 1
    gone = ecus6.ShortcutPlan(ecus6.shortcut_wanted({"state": "absent"}), "7")
    assert gone.steps(None) == []
    [remove] = gone.steps({"url": URL})
    assert remove.commands[0].line == f'del "{gone.path}"'


def test_the_file_name_is_the_title_folded_to_code_page_437():
    assert ecus6.SHORTCUT_NAME == "Ecus6 (du phong VNACCS).url"
    ecus6.SHORTCUT_NAME.encode("cp437")
    with pytest.raises(PlanError, match=r"name: 'Ecus6 \(dự phòng\)\.url'"):
        ecus6.shortcut_wanted({"url": URL, "name": "Ecus6 (dự phòng).url"})


@pytest.mark.parametrize(
    "url", ["", "ftp://x", 'http://a"b', "http://a b", "http://a/%TEMP%", "http://a/?x=1&y"]
)
def test_addresses_the_toolkit_cannot_write_are_refused(url):
    with pytest.raises(PlanError, match="url: "):
        ecus6.shortcut_wanted({"url": url})


def test_an_unknown_version_has_no_desktop():
    with pytest.raises(PlanError, match="no all-users desktop"):
        ecus6.ShortcutPlan(ecus6.shortcut_wanted({"url": URL}), "nt4")


# -- the switch-over plan ---------------------------------------------------------------------------
def _want(mode="ecus6", **extra):
    return ecus6.mode_wanted({"mode": mode, "switched": "2026-12-01T08:30:00Z", "url": URL, **extra})


def test_switching_to_ecus6_writes_the_notice_then_the_marker():
    plan = ecus6.ModePlan(_want())
    steps = plan.steps(ecus6.ModeState())
    assert [step.what for step in steps] == [
        "show the logon notice that declarations go to Ecus6",
        "record the switch to ecus6 at 2026-12-01T08:30:00Z",
    ]
    lines = [command.line for step in steps for command in step.commands]
    assert lines[0].startswith(
        'reg add "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon" /v '
    )
    assert URL in lines[1] and lines[1].isascii()
    assert (
        lines[-1]
        == 'reg add "HKLM\\SOFTWARE\\VNACCS\\Contingency" /v Switched /t REG_SZ /d "2026-12-01T08:30:00Z" /f'
    )
    done = ecus6.ModeState(plan.wanted.caption, plan.wanted.text, "ecus6", "2026-12-01T08:00:00Z")
    assert plan.steps(done) == []


def test_returning_clears_only_the_toolkits_notice():
    plan = ecus6.ModePlan(_want("vnaccs"))
    ours = _want()
    steps = plan.steps(ecus6.ModeState(ours.caption, ours.text, "ecus6", "x"))
    assert [step.what for step in steps] == [
        "clear the Ecus6 logon notice",
        "record the switch to vnaccs at 2026-12-01T08:30:00Z",
    ]
    assert plan.steps(ecus6.ModeState("Canh bao", "Chi can bo", "", "")) == []
    assert plan.steps(ecus6.ModeState()) == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"mode": "both"}, "mode: 'both'"),
        ({"switched": "yesterday"}, "switched: 'yesterday'"),
        ({"text": 'say "hi"'}, "text: may not contain double quotes"),
        ({"text": "x" * 513}, "text: is 513 characters long"),
        ({"text": "Tờ khai", "fold_text": False}, "text: has letters that the host's code page 437"),
    ],
)
def test_bad_switch_over_arguments_are_refused(extra, message):
    args = {"mode": "ecus6", "switched": "2026-12-01T08:30:00Z", "url": URL, **extra}
    with pytest.raises(PlanError, match=message):
        ecus6.mode_wanted(args)


# -- the daily check -------------------------------------------------------------------------------
def test_the_probe_script_is_the_form_winlab_runs_and_writes_without_angle_brackets():
    script = ecus6.probe_script(URL + "/")
    assert xmlhttp.parse_probe("\r\n".join(script)) == (URL + "/", 5.0, 10.0)
    assert not any(char in line for line in script for char in "<>")
    assert xmlhttp.parse_probe("\r\n".join(script[:-1])) is None
    [marker, http] = ecus6.sections(ecus6.daily_check({"url": URL, "probe": True}))
    assert marker[0] == "ecus6_mode" and http[0] == "ecus6_http"
    assert http[1].endswith(
        "&cscript //nologo %SystemRoot%\\Temp\\vnaccs-ecus6.vbs&del %SystemRoot%\\Temp\\vnaccs-ecus6.vbs"
    )


def test_checks_from_what_the_probe_printed():
    check = ecus6.daily_check(
        {"url": URL, "probe": True, "branch": "CCHQ Tien Son", "expected_mode": "vnaccs"}
    )
    ok = ecus6.checks(check, {"ecus6_http": "STATUS 302\r\n"}, Check)
    assert [(c.id, c.status) for c in ok] == [("ecus6.mode", "pass"), ("ecus6.reachable", "pass")]
    error = ecus6.checks(check, {"ecus6_http": "HTTP 500"}, Check)[1]
    assert error.status == "fail" and error.observed == "the script did not run"
    warn = ecus6.checks(check, {"ecus6_http": "STATUS 503\r\n"}, Check)[1]
    assert warn.status == "warn" and warn.item == "CCHQ Tien Son"
    marker = "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\VNACCS\\Contingency\r\n    Mode    REG_SZ    ecus6\r\n"
    [mode, _] = ecus6.checks(check, {"ecus6_mode": marker, "ecus6_http": "STATUS 200"}, Check)
    assert mode.status == "fail" and mode.observed == "ecus6"
    unknown = ecus6.daily_check({"url": "", "probe": True})
    assert ecus6.sections(unknown) == [("ecus6_mode", ecus6.sections(unknown)[0][1])]
    assert ecus6.checks(unknown, {}, Check)[1].status == "not_checked"
    assert ecus6.daily_check({"enabled": False}) is None


def test_every_ecus6_check_has_a_meaning_with_the_letter_as_source():
    for check_id in ("ecus6.reachable", "ecus6.mode"):
        assert health_catalogue.article_of(check_id, "workstation")["ref"] == "letter-497"
        assert health_catalogue.name(check_id)["en"] != check_id
