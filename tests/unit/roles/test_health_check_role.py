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
