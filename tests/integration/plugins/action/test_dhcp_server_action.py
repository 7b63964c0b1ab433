"""The vncustoms.vnaccs.dhcp_server action plugin against winlab hosts, as Ansible calls it.

Every case has the shape of the project's Windows tests: a fixture state, a check-mode pass (reports
changed, changes nothing), a real pass verified through winlab's own model (not the plugin's
parsers), and a repeat pass (not changed).
"""

from __future__ import annotations

import functools

import pytest
from ansible.errors import AnsibleActionFail
from ansible_collections.vncustoms.vnaccs.plugins.action.dhcp_server import ActionModule

from tests.support.action import FakeProtocol, make_action
from tests.support.credentials import PASSWORD, USER
from tests.support.lab import run_on_lab
from winlab.model import Host
from winlab.model.host import Result

pytestmark = pytest.mark.slow

SCOPE = {
    "address": "10.27.10.0",
    "name": "Chi cục Hải quan Tiên Sơn",
    "comment": "Cục Hải quan Bắc Ninh",
    "range_start": "10.27.10.50",
    "range_end": "10.27.10.254",
    "exclusions": [{"start": "10.27.10.50", "end": "10.27.10.59"}],
    "router": "10.27.10.1",
    "dns_servers": ["10.27.1.10", "10.27.1.11"],
    "domain_name": "bacninh.customs.gov.vn",
}


@pytest.fixture
def lab(winlab_factory):
    """Fresh hosts for each test: one per server profile, without the DHCP component."""
    # A started service runs only after a delay, as on Windows: the plugin must wait for RUNNING.
    return winlab_factory({"dhcp2003": "2003", "dhcp2008": "2008"}, service_start_delay=1.0)


run_action = functools.partial(run_on_lab, ActionModule)


def model(lab, name):
    return lab.host(name).snapshot()


@pytest.mark.parametrize(("name", "installer"), [("dhcp2003", "sysocmgr"), ("dhcp2008", "servermanagercmd")])
def test_fresh_host_check_mode_then_apply_then_nothing(lab, name, installer):
    before = model(lab, name)
    preview = run_action(lab, name, {"scopes": [SCOPE]}, check_mode=True)
    assert preview["changed"] is True
    assert any(installer in command for command in preview["commands"])
    assert "dhcp server scope 10.27.10.0 set state 1" in preview["diff"]["prepared"]
    assert model(lab, name)["dhcp"] == before["dhcp"]
    assert model(lab, name)["components"]["dhcp"] is False

    applied = run_action(lab, name, {"scopes": [SCOPE]})
    assert applied["changed"] is True, applied.get("msg")
    assert not applied.get("failed"), applied.get("msg")
    assert applied["windows_version"] == name.removeprefix("dhcp")  # as the host reported it
    state = model(lab, name)
    scope = state["dhcp"]["scopes"]["10.27.10.0"]
    assert scope["name"] == "Chi cuc Hai quan Tien Son"
    assert scope["comment"] == "Cuc Hai quan Bac Ninh"
    assert scope["state"] == 1
    assert [r[:2] for r in scope["ranges"]] == [["10.27.10.50", "10.27.10.254"]]
    assert scope["exclusions"] == [["10.27.10.50", "10.27.10.59"]]
    assert scope["options"]["6"]["values"] == ["10.27.1.10", "10.27.1.11"]
    assert scope["options"]["15"]["values"] == ["bacninh.customs.gov.vn"]
    service = state["services"]["DHCPServer"]
    assert (service["start"], service["state"]) == (2, 4)

    again = run_action(lab, name, {"scopes": [SCOPE]})
    assert again["changed"] is False
    assert again["commands"] == []


def test_partial_wrong_state_is_repaired_and_other_scopes_are_left_alone(lab):
    name = "dhcp2008"
    assert run_action(lab, name, {"scopes": [SCOPE]})["changed"] is True
    host = lab.host(name)
    for command in (
        "netsh dhcp server scope 10.27.10.0 delete iprange 10.27.10.50 10.27.10.254",
        "netsh dhcp server scope 10.27.10.0 add iprange 10.27.10.100 10.27.10.200",
        "netsh dhcp server scope 10.27.10.0 set state 0",
        "netsh dhcp server add scope 10.99.0.0 255.255.255.0 Other",
        "sc config DHCPServer start= demand",
        "sc stop DHCPServer",
    ):
        host.run(command)
    damaged = model(lab, name)

    preview = run_action(lab, name, {"scopes": [SCOPE]}, check_mode=True)
    assert preview["changed"] is True
    assert model(lab, name) == damaged
    assert preview["commands"] == ["sc config DHCPServer start= auto", "sc start DHCPServer"]
    # netsh cannot read the scopes while the service is stopped; check mode says so.
    assert preview["scopes_read"] is False
    assert "cannot be read while the DHCPServer service is stopped" in preview["diff"]["prepared"]

    repaired = run_action(lab, name, {"scopes": [SCOPE]})
    assert repaired["changed"] is True and not repaired.get("failed"), repaired.get("msg")
    state = model(lab, name)
    scope = state["dhcp"]["scopes"]["10.27.10.0"]
    assert ([r[:2] for r in scope["ranges"]], scope["state"]) == ([["10.27.10.50", "10.27.10.254"]], 1)
    assert (state["services"]["DHCPServer"]["start"], state["services"]["DHCPServer"]["state"]) == (2, 4)
    assert state["dhcp"]["scopes"]["10.99.0.0"]["name"] == "Other"
    assert run_action(lab, name, {"scopes": [SCOPE]})["changed"] is False


@pytest.mark.fault
def test_a_service_that_starts_slowly_is_waited_for_and_the_scopes_are_applied(lab):
    name = "dhcp2003"
    assert run_action(lab, name, {"scopes": [SCOPE]})["changed"] is True
    lab.host(name).run("netsh dhcp server scope 10.27.10.0 set state 0")
    lab.set_fault(name, service_stopped="DHCPServer", service_start_delay=2.5)
    repaired = run_action(lab, name, {"scopes": [SCOPE]})
    assert repaired["changed"] is True and not repaired.get("failed"), repaired.get("msg")
    assert model(lab, name)["dhcp"]["scopes"]["10.27.10.0"]["state"] == 1
    assert "make the authorization and the scopes match, in one netsh exec script" in repaired["steps"]


@pytest.mark.fault
def test_a_service_that_does_not_come_up_fails_clearly_and_applies_nothing_after_it(lab):
    name = "dhcp2008"
    assert run_action(lab, name, {"scopes": [SCOPE]})["changed"] is True
    lab.host(name).run("netsh dhcp server scope 10.27.10.0 set state 0")
    lab.set_fault(name, service_stopped="DHCPServer", service_start_fails={"DHCPServer": 1067})
    result = run_action(lab, name, {"scopes": [SCOPE]})
    assert result["failed"] is True
    assert result["msg"].startswith(f"{name}: set DHCPServer Automatic and running: `sc start DHCPServer`")
    assert "stopped while starting (WIN32_EXIT_CODE 1067)" in result["msg"]
    assert model(lab, name)["dhcp"]["scopes"]["10.27.10.0"]["state"] == 0


def test_authorization_when_a_domain_is_given(lab):
    args = {"scopes": [SCOPE], "ad_domain": "customs.local", "server_ip": "10.27.10.5"}
    first = run_action(lab, "dhcp2003", args)
    assert first["authorization"] == "authorizing"
    assert model(lab, "dhcp2003")["dhcp"]["authorized"] == [
        {"dns": "dhcp2003.customs.local", "ip": "10.27.10.5"}
    ]
    second = run_action(lab, "dhcp2003", args)
    assert (second["changed"], second["authorization"]) == (False, "already authorized")


def test_workgroup_skips_authorization_and_says_so(lab):
    result = run_action(lab, "dhcp2003", {"scopes": [SCOPE]}, check_mode=True)
    assert result["authorization"].startswith("skipped")


@pytest.mark.fault
@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"mask": "255.255.254.0"}, "scopes[0].mask"),
        ({"range_end": "10.27.11.20"}, "scopes[0].range_end"),
        ({"router": "10.27.9.1"}, "scopes[0].router"),
    ],
)
def test_bad_values_fail_before_anything_is_sent(lab, change, words):
    runtime = lab.runtime("dhcp2003")
    runtime.reset_counters()
    with pytest.raises(AnsibleActionFail) as error:
        run_action(lab, "dhcp2003", {"scopes": [{**SCOPE, **change}]})
    assert str(error.value).startswith("dhcp2003: ")
    assert words in str(error.value)
    assert runtime.counters()["requests"] == 0


@pytest.mark.fault
def test_wrong_password_fails_once_without_retry_and_without_the_password(lab):
    runtime = lab.runtime("dhcp2008")
    result = run_action(lab, "dhcp2008", {"scopes": [SCOPE]}, ansible_password="Wrong-Pa55")
    assert result["failed"] is True and result["authentication_failed"] is True
    assert "Wrong-Pa55" not in repr(result)
    assert runtime.bad_logons.get(USER.lower()) == 1


@pytest.mark.fault
def test_unreachable_host_is_reported_unreachable(lab):
    result = run_action(lab, "dhcp2008", {"scopes": [SCOPE]}, ansible_port=9)
    assert result["unreachable"] is True
    assert "dhcp2008" in result["msg"]


@pytest.mark.fault
def test_the_password_never_appears_in_a_result(lab):
    result = run_action(lab, "dhcp2003", {"scopes": [SCOPE]}, diff=True)
    assert PASSWORD not in repr(result)


@pytest.mark.fault
def test_a_host_that_runs_another_version_than_the_inventory_says_is_refused_and_left_alone(lab):
    before = model(lab, "dhcp2003")
    result = run_action(lab, "dhcp2003", {"scopes": [SCOPE]}, windows_version="2008")
    assert result["failed"] is True
    assert result["msg"] == (
        "dhcp2003: the inventory says windows_version=2008, but the host runs 2003 (ver: 5.2.3790)"
    )
    assert model(lab, "dhcp2003") == before
    assert [
        c for c in lab.host("dhcp2003").run(r"dir /b %SystemRoot%\Temp").stdout.split() if "vnaccs" in c
    ] == []


@pytest.mark.fault
def test_a_workstation_version_fails_cleanly(winlab_factory):
    result = run_action(winlab_factory({"ws7": "7"}), "ws7", {"scopes": [SCOPE]})
    assert result["failed"] is True
    assert result["msg"].startswith("ws7: ") and "2003 or 2008" in result["msg"]


def test_a_restart_the_installer_asks_for_is_reported_not_done(tmp_path):
    host = Host("dhcp2008", "2008", tmp_path / "dhcp2008.json")

    def answer(command):
        """The host model's answer, except that the installer asks for a restart."""
        result = host.run(command)
        if command.startswith("servermanagercmd"):
            result = Result(
                stdout="Success: Installation succeeded. A restart is required.\r\n", exit_code=3010
            )
        # Code page 437, unmappable characters replaced, as winlab's server sends them.
        return (
            result.stdout.encode("cp437", errors="replace"),
            result.stderr.encode("cp437", errors="replace"),
            result.exit_code,
        )

    task_vars = {"inventory_hostname": "dhcp2008", "ansible_user": USER, "ansible_password": PASSWORD}
    plugin = make_action(ActionModule, {"scopes": [SCOPE]}, diff=False, protocol=FakeProtocol(answer))
    result = plugin.run(task_vars=task_vars)
    assert result["reboot_required"] is True and not result.get("failed"), result.get("msg")
    assert any("restart" in warning and "peak hours" in warning for warning in result["warnings"])
    assert host.state["reboots"] == []
    assert host.state["dhcp"]["scopes"]["10.27.10.0"]["state"] == 1
