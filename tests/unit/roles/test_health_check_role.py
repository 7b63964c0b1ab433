"""The health_check role's data agrees with the roles and plugins it reads."""

from __future__ import annotations

import yaml
from ansible_collections.vncustoms.vnaccs.plugins.action.windows_health import ActionModule
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import health_checks, health_report

from tests.support.fixture_files import ROOT

ROLE = ROOT / "roles" / "health_check"


def load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_default_shares_are_the_base_server_roles():
    base_server = load(ROOT / "roles" / "base_server" / "defaults" / "main.yml")["base_server_shares"]
    mine = load(ROLE / "vars" / "main.yml")["__health_check_default_shares"]
    assert mine == [{"name": share["name"], "folder": share["folder"]} for share in base_server]


def test_the_default_thresholds_are_the_plugins():
    defaults = load(ROLE / "defaults" / "main.yml")
    assert defaults["health_check_scope_warning_percent"] == health_checks.WARNING_PERCENT
    assert defaults["health_check_scope_critical_percent"] == health_checks.CRITICAL_PERCENT
    assert defaults["health_check_disk_warning_bytes"] == health_checks.WARNING_FREE_BYTES
    assert defaults["health_check_disk_critical_bytes"] == health_checks.CRITICAL_FREE_BYTES
    assert defaults["health_check_due_days"] == health_report.DUE_DAYS
    spec = ActionModule.ARGUMENT_SPEC["base"]["options"]
    assert spec["root"]["default"] == health_checks.DEFAULT_ROOT == "C:\\VNACCS\\Base"


def test_the_report_entry_point_lists_the_report_settings_as_main_does():
    specs = load(ROLE / "meta" / "argument_specs.yml")["argument_specs"]
    for name, option in specs["report"]["options"].items():
        assert {k: v for k, v in option.items() if k != "description"} == {
            k: v for k, v in specs["main"]["options"][name].items() if k != "description"
        }, name


def test_every_host_kind_has_its_tasks_file():
    for kind in (*health_checks.KINDS, "switch"):
        assert (ROLE / "tasks" / f"{kind}.yml").is_file(), kind


def test_a_kea_dhcp_server_has_its_tasks_file_and_sends_no_winrm_arguments():
    (task,) = load(ROLE / "tasks" / "dhcp_server_kea.yml")
    args = task["vncustoms.vnaccs.windows_health"]
    assert args["dhcp"]["backend"] == "kea" and "relay_probe" in args["dhcp"]
    assert "audit" not in args and "os_baseline" not in args
    assert "'dhcp_server_kea'" in load(ROLE / "vars" / "main.yml")["__health_check_tasks"]


def test_the_relay_probe_defaults_are_the_plugins():
    defaults = load(ROLE / "defaults" / "main.yml")
    spec = ActionModule.ARGUMENT_SPEC["dhcp"]["options"]["relay_probe"]["options"]
    assert defaults["health_check_dhcp_probe"] is spec["enabled"]["default"] is True
    assert defaults["health_check_dhcp_probe_port"] == spec["port"]["default"] == 67
    assert (
        defaults["health_check_dhcp_probe_timeout"]
        == spec["timeout"]["default"]
        == health_checks.RELAY_TIMEOUT
    )
    assert defaults["health_check_dhcp_probe_bind"] == spec["bind"]["default"] == {}
    assert set(load(ROLE / "vars" / "main.yml")["__health_check_relay_probe"]) == set(spec)
