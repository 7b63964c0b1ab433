"""WindowsAction, the base class of the Windows action plugins, with a fake pywinrm Protocol."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from ansible.errors import AnsibleActionFail
from ansible.template import trust_as_template
from ansible_collections.vncustoms.vnaccs.plugins.doc_fragments import windows_connection
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_action import WindowsAction
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import (
    PlanError,
    Step,
    WindowsPlan,
    sc_start,
)
from winrm.exceptions import InvalidCredentialsError

from tests.support.action import FakeProtocol, common_returns_named_in, make_action, run_action

PASSWORD = "Very-Secret-9"


def fake_host(outputs: dict[str, bytes], after=None, error: Exception | None = None) -> FakeProtocol:
    """A host answering each command from `outputs`; `after` maps a command to the outputs it changes."""

    def answer(command: str):
        outputs.update((after or {}).get(command, {}))
        return outputs.get(command, b""), b"", 0

    return FakeProtocol(answer, error)


class ServicePlan(WindowsPlan):
    """A minimal plan: start a service unless `sc query` shows it running."""

    def __init__(self, name: str) -> None:
        self.name = name

    def probe_command(self) -> str:
        return f"sc query {self.name}"

    def parse_probe(self, stdout: str) -> str:
        return stdout

    def steps(self, state: str) -> list[Step]:
        if "RUNNING" in state:
            return []
        if "FAILED 1060" in state:
            raise PlanError(f"the service {self.name} is not installed")
        if "crash" in state:
            raise ValueError("a bug in the plan")
        return [Step(f"start {self.name}", (sc_start(self.name),))]

    def render(self, state: str) -> str:
        return "running" if "RUNNING" in state else "stopped"

    def render_wanted(self) -> str:
        return "running"

    def result(self, state: str, steps: list[Step]) -> dict[str, Any]:
        return {"echo": state}


class ServiceStart(WindowsAction):
    ARGUMENT_SPEC: ClassVar[dict[str, Any]] = {"name": {"type": "str", "required": True}}

    def wanted(self, args):
        if not args["name"].isalnum():
            raise PlanError(f"name: {args['name']!r} is not a service name")
        return args["name"]

    def plan(self, session, wanted):
        return ServicePlan(wanted)


def run(protocol: FakeProtocol, args: dict, check_mode=False, diff=True, **host_vars):
    task_vars = {
        "inventory_hostname": "cao-bang-dhcp",
        "ansible_host": "10.0.0.5",
        "ansible_user": "Administrator",
        "ansible_password": PASSWORD,
        **host_vars,
    }
    return run_action(ServiceStart, args, task_vars, check_mode=check_mode, diff=diff, protocol=protocol)


def test_check_mode_reports_the_plan_and_runs_only_the_probe():
    protocol = fake_host({"sc query Spooler": b"STATE : 1  STOPPED\r\n"})
    result = run(protocol, {"name": "Spooler"}, check_mode=True)
    assert result["changed"] is True
    assert result["commands"] == ["sc start Spooler"]
    assert protocol.commands == ["sc query Spooler"]
    assert result["diff"]["before"] == "stopped" and result["diff"]["after"] == "running"
    assert "would run" in result["diff"]["prepared"] and "sc start Spooler" in result["diff"]["prepared"]


def test_a_real_run_runs_the_plan_in_one_shell_and_reads_the_host_back():
    running = b"SERVICE_NAME: Spooler\r\n        STATE              : 4  RUNNING\r\n"
    protocol = fake_host(
        {"sc query Spooler": b"STATE : 1  STOPPED\r\n"},
        after={"sc start Spooler": {"sc query Spooler": running}},
    )
    result = run(protocol, {"name": "Spooler"})
    assert not result.get("failed"), result.get("msg")
    # The probe, the host lock, the probe under the lock, the start, the wait until RUNNING, the
    # read-back, the lock released.
    commands = [c for c in protocol.commands if "vnaccs.lock" not in c]
    assert commands == [*["sc query Spooler"] * 2, "sc start Spooler", *["sc query Spooler"] * 2]
    assert protocol.commands[1].startswith("mkdir ") and protocol.commands[-1].startswith("rmdir ")
    assert protocol.shells == 1
    assert result["changed"] is True and "ran" in result["diff"]["prepared"]


def test_nothing_to_do_is_not_changed_and_has_no_prepared_diff():
    protocol = fake_host({"sc query Spooler": b"STATE : 4  RUNNING\r\n"})
    result = run(protocol, {"name": "Spooler"})
    assert (result["changed"], result["commands"]) == (False, [])
    assert "prepared" not in result["diff"]


def test_without_diff_mode_there_is_no_diff():
    protocol = fake_host({"sc query Spooler": b"STATE : 4  RUNNING\r\n"})
    assert "diff" not in run(protocol, {"name": "Spooler"}, diff=False)


@pytest.mark.fault
def test_the_password_is_scrubbed_even_if_a_host_echoes_it():
    protocol = fake_host({"sc query Spooler": f"RUNNING {PASSWORD}\r\n".encode()})
    result = run(protocol, {"name": "Spooler"})
    assert PASSWORD not in repr(result)
    assert "********" in result["echo"]


def test_a_templated_password_from_the_vault_variables_is_used():
    protocol = fake_host({"sc query Spooler": b"RUNNING\r\n"})
    seen = {}

    def factory(settings):
        seen["password"] = settings.password
        return protocol

    action = make_action(ServiceStart, {"name": "Spooler"}, diff=False)
    action.protocol_factory = factory
    action.run(
        task_vars={
            "inventory_hostname": "h",
            "ansible_host": "10.0.0.5",
            "ansible_user": "Administrator",
            # Inventory files are trusted template sources; plain Python strings are not (2.19).
            "ansible_password": trust_as_template("{{ vault_winrm_password }}"),
            "vault_winrm_password": PASSWORD,
        }
    )
    assert seen["password"] == PASSWORD


@pytest.mark.fault
def test_authentication_failure_fails_the_host_with_a_clear_message():
    protocol = fake_host({}, error=InvalidCredentialsError("rejected"))
    result = run(protocol, {"name": "Spooler"})
    assert result["failed"] is True and result["authentication_failed"] is True
    assert "cao-bang-dhcp" in result["msg"] and "not retried" in result["msg"]


def test_missing_credentials_fail_without_contacting_the_host(monkeypatch):
    monkeypatch.delenv("VNACCS_WINRM_USER", raising=False)
    monkeypatch.delenv("VNACCS_WINRM_PASSWORD", raising=False)
    protocol = fake_host({})
    result = run(protocol, {"name": "Spooler"}, ansible_password="")
    assert result["failed"] is True and "VNACCS_WINRM_PASSWORD" in result["msg"]
    assert protocol.commands == [] and protocol.shells == 0


def test_bad_arguments_fail_before_connecting():
    protocol = fake_host({})
    with pytest.raises(AnsibleActionFail):
        run(protocol, {"nam": "Spooler"})
    assert protocol.shells == 0


def test_a_plan_error_fails_the_host_with_its_reason():
    protocol = fake_host({"sc query Spooler": b"[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n"})
    result = run(protocol, {"name": "Spooler"})
    assert result["failed"] is True
    assert result["msg"] == "cao-bang-dhcp: the service Spooler is not installed"


def test_a_bad_wanted_state_fails_before_connecting_and_names_the_host():
    protocol = fake_host({})
    with pytest.raises(AnsibleActionFail, match="cao-bang-dhcp: name: 'Spo-oler'"):
        run(protocol, {"name": "Spo-oler"})
    assert protocol.shells == 0


def test_a_bug_in_a_plan_surfaces_as_a_bug_not_as_a_task_failure():
    protocol = fake_host({"sc query Spooler": b"crash\r\n"})
    with pytest.raises(ValueError, match="a bug in the plan"):
        run(protocol, {"name": "Spooler"})


@pytest.mark.fault
def test_one_failed_domain_account_stops_the_other_hosts_before_they_log_on():
    refused = fake_host({}, error=InvalidCredentialsError("rejected"))
    first = run(refused, {"name": "Spooler"}, ansible_user="HAIQUAN\\svc", ansible_host="10.0.0.5")
    assert first["authentication_failed"] is True and "account_held" not in first
    untouched = fake_host({"sc query Spooler": b"RUNNING\r\n"})
    second = run(untouched, {"name": "Spooler"}, ansible_user="haiquan\\SVC", ansible_host="10.0.0.6")
    assert second["failed"] is True and second["account_held"] is True
    assert "not attempted: the account 'haiquan\\svc'" in second["msg"]
    assert untouched.shells == 0 and untouched.commands == []
    assert PASSWORD not in repr(second)


@pytest.mark.fault
def test_a_local_account_that_failed_on_one_host_is_still_tried_on_another():
    refused = fake_host({}, error=InvalidCredentialsError("rejected"))
    run(refused, {"name": "Spooler"}, ansible_host="10.0.0.5")
    other = fake_host({"sc query Spooler": b"RUNNING\r\n"})
    result = run(other, {"name": "Spooler"}, ansible_host="10.0.0.7")
    assert not result.get("failed"), result.get("msg")
    assert other.shells == 1


# What the base class adds to every Windows plugin's result is what the windows_connection fragment
# documents for all of them (beside Ansible's own keys and the plugin's own documented values).
ANSIBLE_KEYS = {"changed", "failed", "msg", "diff", "invocation", "skipped"}
OWN_KEYS = {"echo"}  # ServicePlan.result


def test_what_every_windows_plugin_returns_is_documented_once_in_the_fragment():
    common = common_returns_named_in(windows_connection.ModuleDocFragment.DOCUMENTATION)
    running = b"STATE : 4  RUNNING\r\n"
    results = [
        run(fake_host({"sc query Spooler": b"STATE : 1  STOPPED\r\n"}), {"name": "Spooler"}, check_mode=True),
        run(
            fake_host(
                {"sc query Spooler": b"STATE : 1  STOPPED\r\n"},
                after={"sc start Spooler": {"sc query Spooler": running}},
            ),
            {"name": "Spooler"},
        ),
        run(fake_host({}, error=InvalidCredentialsError("rejected")), {"name": "Spooler"}),
        run(fake_host({}, error=InvalidCredentialsError("rejected")), {"name": "Spooler"}),  # now held
    ]
    returned = set().union(*(set(result) for result in results))
    assert results[-1].get("account_held") is True
    # The fake host's probe has no version head; the plugins' lab tests check windows_version.
    assert returned - ANSIBLE_KEYS - OWN_KEYS == common - {"windows_version"}
