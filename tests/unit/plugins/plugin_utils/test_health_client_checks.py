"""The daily check's client checks: the released version on a workstation, its Terminal ID, and the
release staged whole on its base server (what the rollout left, read in the host's one probe)."""

from __future__ import annotations

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_release import Release
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.health_checks import (
    FAIL,
    NOT_CHECKED,
    PASS,
    AuditOptions,
    BaseHealthPlan,
    BaseWanted,
    ClientRelease,
    LeaseRange,
    WorkstationHealthPlan,
    WorkstationWanted,
)
from netaddr import IPAddress

RELEASE = Release(
    "4.3.0", "vnaccs-client-4.3.0.msi", 10240, "ab" * 32, "{22222222-2222-2222-2222-222222222222}"
)
UNINSTALL = r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
RANGES = WorkstationWanted((LeaseRange(IPAddress("10.0.0.50"), IPAddress("10.0.0.254"), ()),))


def by_id(result):
    return {check["id"]: check for check in result["checks"]}


def workstation_state(version: str | None, terminal: str | None) -> dict[str, str]:
    state = {"head": "WS-01", "ipconfig": ""}
    if version:
        state["client_v0"] = (
            f"\r\n{UNINSTALL}\\{RELEASE.product_code}\r\n    DisplayVersion    REG_SZ    {version}\r\n"
        )
    if terminal:
        state["client_settings"] = (
            "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\TCHQ\\VNACCS Client\r\n"
            f"    TerminalID    REG_SZ    {terminal}\r\n"
        )
    return state


@pytest.mark.parametrize(
    ("version", "terminal", "statuses"),
    [
        ("4.3.0", "1BTS001", (PASS, PASS)),
        ("4.2.0", "1BTS001", (FAIL, PASS)),
        (None, None, (FAIL, FAIL)),
        ("4.3.0", "1BTS999", (PASS, FAIL)),
    ],
)
def test_a_workstation_is_compared_with_the_release_and_its_terminal_id(version, terminal, statuses):
    plan = WorkstationHealthPlan(RANGES, AuditOptions(), ClientRelease(RELEASE, terminal_id="1BTS001"))
    assert RELEASE.product_code in plan.probe_command()
    checks = by_id(plan.result(workstation_state(version, terminal), []))
    assert (
        checks["workstation.client_version"]["status"],
        checks["workstation.terminal_id"]["status"],
    ) == statuses
    assert checks["workstation.client_version"]["observed"] == (version or "not installed")


def test_without_a_terminal_id_in_the_inventory_it_is_not_checked():
    plan = WorkstationHealthPlan(RANGES, AuditOptions(), ClientRelease(RELEASE))
    assert (
        by_id(plan.result(workstation_state("4.3.0", "X"), []))["workstation.terminal_id"]["status"]
        == NOT_CHECKED
    )


def test_without_a_release_the_placeholders_say_why():
    plan = WorkstationHealthPlan(
        RANGES, AuditOptions(), None, "no client rollout yet (x.json does not exist)"
    )
    checks = by_id(plan.result(workstation_state(None, None), []))
    assert checks["workstation.client_version"]["status"] == NOT_CHECKED
    assert checks["workstation.client_version"]["detail"] == "no client rollout yet (x.json does not exist)"


@pytest.mark.parametrize(
    ("family", "whole"), [("2008", True), ("2008", False), ("2003", True), ("2003", False)]
)
def test_a_base_server_holds_the_release_whole_or_says_why_not(family, whole):
    plan = BaseHealthPlan(BaseWanted(()), AuditOptions(family=family), ClientRelease(RELEASE))
    command = plan.probe_command()
    assert ("certutil -hashfile" in command) == (family == "2008")
    state = {"staged_folders": "4.2.0\r\n4.3.0\r\n", "staged_manifest": RELEASE.manifest_text()}
    if family == "2008":
        digest = RELEASE.sha256 if whole else "cd" * 32
        state["staged_file"] = "SHA256 hash of file x:\r\n" + " ".join(
            digest[i : i + 2] for i in range(0, 64, 2)
        )
    else:
        size = RELEASE.size if whole else 99
        state["staged_file"] = f"12/01/2026  05:30 PM            {size:,} {RELEASE.file}\r\n"
    check = by_id(plan.result(state, []))["base.client_staged"]
    assert check["status"] == (PASS if whole else FAIL), check
    assert check["observed"] == "4.2.0, 4.3.0"
