"""The vncustoms.vnaccs.base_server action plugin against winlab hosts, as Ansible calls it.

Every case has the shape of the project's Windows tests: a fixture state, a check-mode pass (reports
changed, changes nothing), a real pass verified through winlab's own model (not the plugin's
parsers), and a repeat pass (not changed).
"""

from __future__ import annotations

import functools
import re

import pytest
from ansible.errors import AnsibleActionFail
from ansible_collections.vncustoms.vnaccs.plugins.action.base_server import ActionModule

from tests.support.lab import run_on_lab

pytestmark = pytest.mark.slow

ARGS = {
    "root": "C:\\VNACCS\\Base",
    "folders": ["ClientUpgrades", "ClientUpgrades/5.1.0", "EUCReports"],
    "readers": ["Everyone"],
    "writers": ["VNACCS-Admins"],
    "shares": [
        {"name": "VNACCS_CLIENT", "folder": "ClientUpgrades", "remark": "VNACCS client upgrades"},
        {"name": "VNACCS_EUC", "folder": "EUCReports", "remark": "VCIS-EUC reports"},
    ],
    "ftp": {"site_name": "VNACCS Base Server", "port": 21},
}


@pytest.fixture
def lab(winlab_factory):
    """Fresh hosts for each test: one per server profile, without IIS FTP."""
    # A started service runs only after a delay, as on Windows: the plugin must wait for RUNNING.
    return winlab_factory({"base2003": "2003", "base2008": "2008"}, service_start_delay=1.0)


run_action = functools.partial(run_on_lab, ActionModule)


def model(lab, name):
    return lab.host(name).snapshot()


def run(lab, name, command):
    """A command through winlab's model directly: an independent probe, not the plugin's parsers."""
    return lab.host(name).run(command)


@pytest.mark.parametrize(
    ("name", "installer", "firewall"),
    [
        ("base2003", "sysocmgr", "netsh firewall add portopening"),
        ("base2008", "servermanagercmd", "advfirewall"),
    ],
)
def test_fresh_host_check_mode_then_apply_then_nothing(lab, name, installer, firewall):
    before = model(lab, name)
    preview = run_action(lab, name, ARGS, check_mode=True)
    assert preview["changed"] is True, preview
    assert any(installer in command for command in preview["commands"])
    assert any(firewall in command for command in preview["commands"])
    assert "VNACCS_CLIENT" in preview["diff"]["after"]
    assert model(lab, name) == before

    applied = run_action(lab, name, ARGS)
    assert applied["changed"] is True, applied
    assert not applied.get("failed"), applied
    state = model(lab, name)
    assert state["shares"]["vnaccs_client"]["path"] == "C:\\VNACCS\\Base\\ClientUpgrades"
    assert state["shares"]["vnaccs_euc"]["path"] == "C:\\VNACCS\\Base\\EUCReports"
    assert "c:\\vnaccs\\base\\clientupgrades\\5.1.0" in {d.lower() for d in state["fs"]["dirs"]}
    acl = state["fs"]["acls"]["c:\\vnaccs\\base"]
    assert ["Everyone", "(OI)(CI)(RX)"] in acl
    assert ["VNACCS-Admins", "(OI)(CI)(M)"] in acl
    sites = {site["name"]: site for site in state["ftp_sites"].values()}
    assert sites["VNACCS Base Server"]["state"] == "STARTED"
    assert sites["VNACCS Base Server"]["port"] == 21
    assert sites["VNACCS Base Server"]["root"] == "C:\\VNACCS\\Base"
    assert sites["Default FTP Site"]["state"] == "STOPPED"
    assert state["services"]["MSFTPSVC"]["start"] == 2
    assert state["services"]["MSFTPSVC"]["state"] == 4
    if name == "base2008":
        assert state["shares"]["vnaccs_client"]["grants"] == [
            ["Everyone", "READ"],
            ["VNACCS-Admins", "CHANGE"],
        ]
        assert [r["localport"] for r in state["firewall"]["rules"]] == ["21"]
    else:
        assert [(p["port"], p["mode"]) for p in state["firewall"]["ports"]] == [(21, "ENABLE")]

    again = run_action(lab, name, ARGS)
    assert again["changed"] is False, again
    assert again["commands"] == []
    # Nothing to change shows no difference either.
    assert again["diff"]["before"] == again["diff"]["after"]


@pytest.mark.parametrize("name", ["base2003", "base2008"])
def test_drift_is_repaired(lab, name):
    assert run_action(lab, name, ARGS)["changed"] is True
    run(lab, name, "net share VNACCS_EUC /DELETE")
    run(lab, name, "mkdir C:\\Elsewhere")
    run(lab, name, "net share VNACCS_EUC=C:\\Elsewhere")
    run(lab, name, "icacls C:\\VNACCS\\Base /grant:r Everyone:(OI)(CI)(M)")
    run(lab, name, "sc stop MSFTPSVC")
    run(lab, name, "sc config MSFTPSVC start= demand")
    run(lab, name, 'cscript //nologo %SystemRoot%\\system32\\iisftp.vbs /stop "VNACCS Base Server"')

    preview = run_action(lab, name, ARGS, check_mode=True)
    assert preview["changed"] is True
    assert "net share VNACCS_EUC /DELETE" in preview["commands"]
    assert model(lab, name)["shares"]["vnaccs_euc"]["path"] == "C:\\Elsewhere"

    repaired = run_action(lab, name, ARGS)
    assert repaired["changed"] is True and not repaired.get("failed"), repaired
    state = model(lab, name)
    assert state["shares"]["vnaccs_euc"]["path"] == "C:\\VNACCS\\Base\\EUCReports"
    assert ["Everyone", "(OI)(CI)(RX)"] in state["fs"]["acls"]["c:\\vnaccs\\base"]
    assert ["Everyone", "(OI)(CI)(M)"] not in state["fs"]["acls"]["c:\\vnaccs\\base"]
    assert (state["services"]["MSFTPSVC"]["start"], state["services"]["MSFTPSVC"]["state"]) == (2, 4)
    assert run_action(lab, name, ARGS)["changed"] is False


def test_2008_share_permission_drift_is_repaired(lab):
    assert run_action(lab, "base2008", ARGS)["changed"] is True
    run(lab, "base2008", "net share VNACCS_CLIENT /DELETE")
    run(lab, "base2008", "net share VNACCS_CLIENT=C:\\VNACCS\\Base\\ClientUpgrades /GRANT:Everyone,FULL")
    repaired = run_action(lab, "base2008", ARGS)
    assert repaired["changed"] is True
    assert model(lab, "base2008")["shares"]["vnaccs_client"]["grants"] == [
        ["Everyone", "READ"],
        ["VNACCS-Admins", "CHANGE"],
    ]


def test_2003_never_gets_grant(lab):
    result = run_action(lab, "base2003", ARGS)
    assert not any("/GRANT" in command for command in result["commands"])
    assert any(command.startswith("net share VNACCS_CLIENT=") for command in result["commands"])


def test_forms_from_the_role_override_detection(lab):
    # The role passes the 2008 forms from its vars file; the plugin uses them as given.
    forms = {"share_grant": True, "firewall": "advfirewall", "ftp_installer": "servermanagercmd"}
    result = run_action(lab, "base2008", {**ARGS, "forms": forms}, check_mode=True)
    assert result["forms"] == forms


@pytest.mark.fault
def test_missing_ftp_and_no_install_fails_without_changes(lab):
    before = model(lab, "base2008")
    result = run_action(lab, "base2008", {**ARGS, "install": False})
    assert result["failed"] is True
    assert "not installed" in result["msg"]
    assert model(lab, "base2008") == before


@pytest.mark.fault
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"root": "C:\\Program Files\\VNACCS"}, "root"),
        ({"root": "VNACCS"}, "root"),
        ({"folders": ["..\\Windows"]}, "folders[0]"),
        ({"shares": [{"name": "bad name", "folder": ""}]}, "shares[0].name"),
        ({"shares": [{"name": "A"}, {"name": "a"}]}, "listed more than once"),
        ({"ftp": {"port": 70000}}, "ftp.port"),
        ({"ftp": {"site_name": 'VNACCS "Base"'}}, "ftp.site_name"),
        ({"writers": ["Admins:(F)"]}, "writers[0]"),
    ],
)
def test_bad_arguments_fail_before_the_host_is_contacted(lab, change, message):
    lab.runtime("base2003").reset_counters()
    with pytest.raises(AnsibleActionFail, match=re.escape(message)):
        run_action(lab, "base2003", {**ARGS, **change})
    assert lab.runtime("base2003").counters()["requests"] == 0


@pytest.mark.fault
def test_wrong_password_fails_once_and_is_not_retried(lab):
    result = run_action(lab, "base2008", ARGS, ansible_password="wrong-password")
    assert result["failed"] is True
    assert result["authentication_failed"] is True
    assert "wrong-password" not in str(result)
