"""The Ecus6 contingency's action plugins (ecus6_shortcut, ecus6_mode) and its daily check against
winlab workstations (XP and 7), as Ansible calls them.

Each case: check mode (changed, nothing changed on the host), a real run verified through winlab's
own model (its files and registry, not the plugin's parsers), and a repeat run (not changed).
"""

from __future__ import annotations

import base64
import functools

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.action.ecus6_mode import ActionModule as ModeAction
from ansible_collections.vncustoms.vnaccs.plugins.action.ecus6_shortcut import ActionModule as ShortcutAction
from ansible_collections.vncustoms.vnaccs.plugins.action.windows_health import ActionModule as HealthAction

from tests.support.lab import run_on_lab

pytestmark = pytest.mark.slow

HOSTS = {"ws-xp": "xp", "ws-7": "7"}
DESKTOPS = {
    "xp": "c:\\documents and settings\\all users\\desktop",
    "7": "c:\\users\\public\\desktop",
}
SHORTCUT = "ecus6 (du phong vnaccs).url"
WINLOGON = "hkey_local_machine\\software\\microsoft\\windows nt\\currentversion\\winlogon"
MARKER = "hkey_local_machine\\software\\vnaccs\\contingency"
SCOPES = [{"range_start": "198.18.0.1", "range_end": "198.19.255.254", "exclusions": []}]


@pytest.fixture
def lab(winlab_factory):
    return winlab_factory(HOSTS)


shortcut = functools.partial(run_on_lab, ShortcutAction)
mode = functools.partial(run_on_lab, ModeAction)
health = functools.partial(run_on_lab, HealthAction)


def desktop_files(lab, name):
    """The files on the host's all-users desktop, as winlab keeps them: name -> text."""
    folder = DESKTOPS[HOSTS[name]] + "\\"
    files = lab.host(name).snapshot()["fs"]["files"]
    return {
        key[len(folder) :]: base64.b64decode(entry["data"]).decode("cp437")
        for key, entry in files.items()
        if key.startswith(folder)
    }


def registry(lab, name, key):
    values = lab.host(name).snapshot()["registry"].get(key, {})
    return {value[0]: value[2] for field, value in values.items() if field != "_path"}


@pytest.mark.parametrize("name", list(HOSTS))
def test_shortcut_placed_then_unchanged_then_removed(lab, name):
    profile = HOSTS[name]
    url = lab.portal.url
    before = lab.host(name).snapshot()
    preview = shortcut(lab, name, {"url": url}, check_mode=True, windows_version=profile)
    assert preview["changed"] is True and not preview.get("failed"), preview
    assert "no shortcut" in preview["diff"]["before"] and f"URL={url}" in preview["diff"]["after"]
    assert lab.host(name).snapshot() == before

    placed = shortcut(lab, name, {"url": url}, windows_version=profile)
    assert placed["changed"] is True and not placed.get("failed"), placed
    files = desktop_files(lab, name)
    assert list(files) == [SHORTCUT]
    assert files[SHORTCUT].splitlines() == ["[InternetShortcut]", f"URL={url}"]
    # The temporary copy is gone.
    assert not any(key.endswith("vnaccs-ecus6.url") for key in lab.host(name).snapshot()["fs"]["files"])

    again = shortcut(lab, name, {"url": url}, windows_version=profile)
    assert again["changed"] is False and again["commands"] == [], again

    moved = shortcut(lab, name, {"url": "http://127.0.0.1:9/"}, windows_version=profile)
    assert moved["changed"] is True and moved["url"] == url
    assert desktop_files(lab, name)[SHORTCUT].splitlines()[1] == "URL=http://127.0.0.1:9/"

    removed = shortcut(lab, name, {"state": "absent"}, windows_version=profile)
    assert removed["changed"] is True and desktop_files(lab, name) == {}
    assert shortcut(lab, name, {"state": "absent"}, windows_version=profile)["changed"] is False


def test_shortcut_refuses_a_bad_address_before_the_host_is_contacted(lab):
    before = lab.describe()["hosts"]["ws-7"]["operations"]
    with pytest.raises(Exception, match=r"url: 'http://a b/'"):
        shortcut(lab, "ws-7", {"url": "http://a b/"}, windows_version="7")
    assert lab.describe()["hosts"]["ws-7"]["operations"] == before


@pytest.mark.parametrize("name", list(HOSTS))
def test_switch_over_and_return_change_once_then_nothing(lab, name):
    profile = HOSTS[name]
    url = "http://127.0.0.1:8080/"
    to_ecus6 = {"mode": "ecus6", "switched": "2026-12-01T08:30:00Z", "url": url}
    preview = mode(lab, name, to_ecus6, check_mode=True, windows_version=profile)
    assert preview["changed"] is True and "LegalNoticeText: He thong VNACCS" in preview["diff"]["after"]
    assert registry(lab, name, MARKER) == {}

    switched = mode(lab, name, to_ecus6, windows_version=profile)
    assert switched["changed"] is True and not switched.get("failed"), switched
    notice = registry(lab, name, WINLOGON)
    assert "Ecus6" in notice["LegalNoticeCaption"] and url in notice["LegalNoticeText"]
    assert "declarations go to the Ecus6 system" in notice["LegalNoticeText"]
    assert registry(lab, name, MARKER) == {"Mode": "ecus6", "Switched": "2026-12-01T08:30:00Z"}
    # Another run, later: the host is already switched; its time stays the first one.
    later = {**to_ecus6, "switched": "2026-12-01T09:00:00Z"}
    assert mode(lab, name, later, windows_version=profile)["changed"] is False
    assert registry(lab, name, MARKER)["Switched"] == "2026-12-01T08:30:00Z"

    back = {"mode": "vnaccs", "switched": "2026-12-01T15:00:00Z"}
    returned = mode(lab, name, back, windows_version=profile)
    assert returned["changed"] is True and returned["previous_mode"] == "ecus6", returned
    notice = registry(lab, name, WINLOGON)
    assert notice["LegalNoticeCaption"] == "" and notice["LegalNoticeText"] == ""
    assert registry(lab, name, MARKER) == {"Mode": "vnaccs", "Switched": "2026-12-01T15:00:00Z"}
    assert mode(lab, name, back, windows_version=profile)["changed"] is False


def test_return_leaves_a_notice_that_is_not_the_toolkits(lab):
    client = lab.host("ws-7")
    key = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon"
    client.run(f'reg add "{key}" /v LegalNoticeCaption /t REG_SZ /d "Canh bao" /f')
    client.run(f'reg add "{key}" /v LegalNoticeText /t REG_SZ /d "Chi danh cho can bo" /f')
    result = mode(lab, "ws-7", {"mode": "vnaccs", "switched": "2026-12-01T15:00:00Z"}, windows_version="7")
    assert result["changed"] is False, result
    assert registry(lab, "ws-7", WINLOGON)["LegalNoticeCaption"] == "Canh bao"


def _ecus6_checks(result):
    return {check["id"]: check for check in result["checks"] if check["id"].startswith("ecus6.")}


@pytest.mark.parametrize("name", list(HOSTS))
def test_reachability_passes_with_the_portal_up_and_names_the_branch_when_down(lab, name):
    profile = HOSTS[name]
    args = {
        "kind": "workstation",
        "workstation": {"scopes": SCOPES},
        "ecus6": {"url": lab.portal.url, "probe": True, "branch": "Chi cục Hải quan Tiên Sơn"},
    }
    up = _ecus6_checks(health(lab, name, args, windows_version=profile))
    assert up["ecus6.reachable"]["status"] == "pass", up
    assert up["ecus6.reachable"]["observed"] == "HTTP 200"
    assert up["ecus6.mode"]["observed"] == "vnaccs"

    lab.portal.stop()
    try:
        down = _ecus6_checks(health(lab, name, args, windows_version=profile))
    finally:
        lab.portal.start()
    reach = down["ecus6.reachable"]
    assert reach["status"] == "fail" and reach["item"] == "Chi cục Hải quan Tiên Sơn", reach
    assert reach["observed"].startswith("error 80072EFD")
    assert "Chi cục Hải quan Tiên Sơn cannot reach Ecus6 (497/CHQ-CNTT)" in reach["detail"]
    # The probe script is deleted in the same command.
    assert not any(key.endswith(".vbs") for key in lab.host(name).snapshot()["fs"]["files"])


def test_a_workstation_that_is_not_the_probe_only_reports_its_mode(lab):
    mode(lab, "ws-xp", {"mode": "ecus6", "switched": "2026-12-01T08:30:00Z", "url": lab.portal.url})
    args = {
        "kind": "workstation",
        "workstation": {"scopes": SCOPES},
        "ecus6": {"url": lab.portal.url, "probe": False, "expected_mode": "vnaccs"},
    }
    checks = _ecus6_checks(health(lab, "ws-xp", args, windows_version="xp"))
    assert set(checks) == {"ecus6.mode"}
    assert checks["ecus6.mode"]["status"] == "fail"
    assert checks["ecus6.mode"]["observed"] == "ecus6 since 2026-12-01T08:30:00Z"
