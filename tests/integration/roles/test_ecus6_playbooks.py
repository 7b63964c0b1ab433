"""playbooks/ecus6.yml (the shortcut role) and playbooks/contingency.yml (the switch-over runbook)
on winlab workstations, XP and 7, as an admin runs them: check mode first, then the run, then a
re-run that changes nothing; the hosts are read through winlab's model, not the plugins' parsers."""

from __future__ import annotations

import json

import pytest

from tests.support.ansible_cli import run_ansible_playbook
from tests.support.lab import host_vars
from tests.support.lab_runs import recap

pytestmark = pytest.mark.slow

STATIONS = {"hq-ws01": "xp", "hq-ws02": "7", "hq-ws03": "7"}
MARKER = "hkey_local_machine\\software\\vnaccs\\contingency"
WINLOGON = "hkey_local_machine\\software\\microsoft\\windows nt\\currentversion\\winlogon"


@pytest.fixture
def lab(winlab_factory):
    return winlab_factory(STATIONS)


def inventory(lab) -> dict:
    hosts = {
        name: host_vars(lab, name, windows_version=profile, site_host="site-a")
        for name, profile in STATIONS.items()
    }
    return {
        "all": {
            "children": {
                "workstations": {"hosts": hosts, "vars": {"ecus6_officer_url": lab.portal.url}},
            }
        }
    }


def shortcuts(lab, name) -> list[str]:
    return [
        key
        for key in lab.host(name).snapshot()["fs"]["files"]
        if key.endswith("\\ecus6 (du phong vnaccs).url")
    ]


def marker(lab, name) -> dict:
    values = lab.host(name).snapshot()["registry"].get(MARKER, {})
    return {value[0]: value[2] for key, value in values.items() if key != "_path"}


def changed(run) -> dict[str, int]:
    parsed = recap(run)
    return {host: parsed.hosts[host]["changed"] for host in STATIONS}


def test_the_shortcut_role_places_it_once_and_removes_it(lab, tmp_path):
    preview = run_ansible_playbook("ecus6.yml", inventory(lab), tmp_path, "--check", "--diff")
    assert preview.returncode == 0, preview.stdout
    assert changed(preview) == dict.fromkeys(STATIONS, 1)
    assert "URL=" + lab.portal.url in preview.stdout
    assert all(shortcuts(lab, name) == [] for name in STATIONS)

    placed = run_ansible_playbook("ecus6.yml", inventory(lab), tmp_path)
    assert placed.returncode == 0, placed.stdout
    assert changed(placed) == dict.fromkeys(STATIONS, 1)
    assert shortcuts(lab, "hq-ws01") == [
        "c:\\documents and settings\\all users\\desktop\\ecus6 (du phong vnaccs).url"
    ]
    assert shortcuts(lab, "hq-ws02") == ["c:\\users\\public\\desktop\\ecus6 (du phong vnaccs).url"]
    again = run_ansible_playbook("ecus6.yml", inventory(lab), tmp_path)
    assert changed(again) == dict.fromkeys(STATIONS, 0)

    removed = run_ansible_playbook("ecus6.yml", inventory(lab), tmp_path, "-e", "ecus6_state=absent")
    assert changed(removed) == dict.fromkeys(STATIONS, 1)
    assert all(shortcuts(lab, name) == [] for name in STATIONS)


def test_the_role_refuses_a_missing_address_before_any_host_is_contacted(lab, tmp_path):
    listed = inventory(lab)
    del listed["all"]["children"]["workstations"]["vars"]
    before = {name: lab.describe()["hosts"][name]["operations"] for name in STATIONS}
    run = run_ansible_playbook("ecus6.yml", listed, tmp_path)
    assert run.returncode != 0 and "ecus6_url is empty" in run.stdout
    assert {name: lab.describe()["hosts"][name]["operations"] for name in STATIONS} == before


def test_switch_over_and_return_change_every_workstation_once(lab, tmp_path):
    reports = tmp_path / "reports"
    env = {"VNACCS_REPORT_DIR": str(reports)}
    listed = inventory(lab)
    record = reports / "contingency" / "contingency-latest.json"

    preview = run_ansible_playbook(
        "contingency.yml", listed, tmp_path, "-e", "mode=ecus6", "--check", "--diff", env=env
    )
    assert preview.returncode == 0, preview.stdout
    assert changed(preview) == dict.fromkeys(STATIONS, 1)
    assert "LegalNoticeText: He thong VNACCS/VCIS dang gap su co" in preview.stdout
    assert all(marker(lab, name) == {} for name in STATIONS) and not record.exists()

    switched = run_ansible_playbook("contingency.yml", listed, tmp_path, "-e", "mode=ecus6", env=env)
    assert switched.returncode == 0, switched.stdout
    assert changed(switched) == dict.fromkeys(STATIONS, 1)
    saved = json.loads(record.read_text(encoding="utf-8"))
    assert (
        saved["mode"] == "ecus6"
        and sorted(saved["switched_hosts"]) == sorted(STATIONS)
        and saved["failed_hosts"] == []
    )
    for name in STATIONS:
        assert marker(lab, name) == {"Mode": "ecus6", "Switched": saved["switched"]}
        notice = lab.host(name).snapshot()["registry"][WINLOGON]["legalnoticetext"][2]
        assert lab.portal.url in notice
    again = run_ansible_playbook("contingency.yml", listed, tmp_path, "-e", "mode=ecus6", env=env)
    assert changed(again) == dict.fromkeys(STATIONS, 0)
    assert json.loads(record.read_text(encoding="utf-8")) == saved  # the switch's own time is kept

    returned = run_ansible_playbook("contingency.yml", listed, tmp_path, "-e", "mode=vnaccs", env=env)
    assert changed(returned) == dict.fromkeys(STATIONS, 1)
    assert all(marker(lab, name)["Mode"] == "vnaccs" for name in STATIONS)
    assert json.loads(record.read_text(encoding="utf-8"))["mode"] == "vnaccs"
    assert changed(
        run_ansible_playbook("contingency.yml", listed, tmp_path, "-e", "mode=vnaccs", env=env)
    ) == (dict.fromkeys(STATIONS, 0))


def test_the_runbook_refuses_an_unknown_mode(lab, tmp_path):
    listed = inventory(lab)
    run = run_ansible_playbook("contingency.yml", listed, tmp_path, "-e", "mode=both")
    assert run.returncode != 0 and "give -e mode=ecus6" in run.stdout
    assert all(marker(lab, name) == {} for name in STATIONS)
