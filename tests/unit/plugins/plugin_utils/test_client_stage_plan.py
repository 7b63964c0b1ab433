"""What a base server holds of the client releases, and when a staged copy counts as whole."""

from __future__ import annotations

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_release import Release
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_stage_plan import (
    StagedPlan,
    StageWanted,
    check_stage,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import PlanError

RELEASE = Release(
    "4.3.0", "VNACCS-Client-4.3.0.msi", 1234567, "ab" * 32, "{22222222-2222-2222-2222-222222222222}"
)
MANIFEST_TEXT = RELEASE.manifest_text()


def output(
    nt6: bool,
    folders=("4.2.0", "4.3.0", "notes"),
    manifest=MANIFEST_TEXT,
    digest="ab" * 32,
    size=1234567,
):
    lines = [
        "BASE-HN",
        "==vnaccs:folders==",
        *folders,
        "==vnaccs:manifest==",
        *manifest.splitlines(),
        "==vnaccs:file==",
    ]
    if nt6 and digest:
        lines += [
            "SHA256 hash of file x:",
            " ".join(digest[i : i + 2] for i in range(0, 64, 2)),
            "CertUtil: -hashfile command completed successfully.",
        ]
    if not nt6 and size is not None:
        lines += [
            " Directory of C:\\VNACCS\\Base\\ClientUpgrades\\4.3.0",
            "",
            f"12/01/2026  05:30 PM         {size:,} VNACCS-Client-4.3.0.msi",
        ]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("family", ["2003", "2008"])
def test_a_whole_copy_is_recognised_with_the_tool_the_version_has(family):
    plan = StagedPlan(StageWanted(RELEASE), family)
    assert ("certutil -hashfile" in plan.probe_command()) == (family == "2008")
    state = plan.parse_probe(output(family == "2008"))
    assert state.versions == ["4.2.0", "4.3.0"]
    whole, how = plan.whole(state)
    assert whole, how
    assert ("certutil" in how) == (family == "2008")


@pytest.mark.parametrize(
    ("family", "changes", "why"),
    [
        ("2008", {"digest": "cd" * 32}, "SHA-256 is cdcd"),
        ("2008", {"digest": ""}, "the installer is missing"),
        ("2003", {"size": 1234566}, "1234566 bytes, not the manifest's 1234567"),
        ("2003", {"manifest": ""}, "its manifest is missing"),
        ("2003", {"folders": ("4.2.0",)}, "not staged"),
        ("2008", {"manifest": RELEASE.manifest_text().replace("1234567", "7")}, "manifest differs"),
    ],
)
def test_a_copy_that_is_not_whole_says_why(family, changes, why):
    plan = StagedPlan(StageWanted(RELEASE), family)
    whole, how = plan.whole(plan.parse_probe(output(family == "2008", **changes)))
    assert not whole and why in how


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"local_folder": "C:\\Program Files\\x"}, "local_folder"),
        ({"ftp_folder": "up"}, "ftp_folder"),
        ({"keep": 0}, "keep"),
    ],
)
def test_bad_folders_are_refused(changes, field):
    with pytest.raises(PlanError, match=field):
        check_stage(StageWanted(RELEASE, **changes))
