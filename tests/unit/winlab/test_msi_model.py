"""winlab's msiexec model without a lab: conditions, upgrade ranges, lab test packages, faults."""

from __future__ import annotations

import pytest

from winlab.model import msi


@pytest.mark.parametrize(
    ("condition", "properties", "holds"),
    [
        ("NOT WIX_DOWNGRADE_DETECTED", {}, True),
        ("NOT WIX_DOWNGRADE_DETECTED", {"WIX_DOWNGRADE_DETECTED": "{A}"}, False),
        ("VersionNT >= 501", {"VersionNT": "502"}, True),
        ("VersionNT >= 600", {"VersionNT": "502"}, False),
        (
            'Privileged AND (INSTALLLEVEL = "3" OR VersionNT > 501)',
            {"Privileged": "1", "VersionNT": "600"},
            True,
        ),
        ("A XOR B", {"A": "1"}, True),
        ("A IMP B", {"A": "1"}, False),
        ('X <> "abc"', {"X": "abc"}, False),
    ],
)
def test_conditions(condition, properties, holds):
    assert msi.evaluate_condition(condition, properties) is holds


@pytest.mark.parametrize("condition", ["(A", "A =", "A ~= B", "A B"])
def test_a_condition_that_does_not_parse_is_an_error(condition):
    with pytest.raises(msi.ConditionError):
        msi.evaluate_condition(condition, {"A": "1", "B": "1"})


@pytest.mark.parametrize(
    ("version", "row", "found"),
    [
        # WIX_UPGRADE_DETECTED of 4.3.0: anything older.
        ("4.2.0", {"VersionMin": "", "VersionMax": "4.3.0", "Attributes": "1"}, True),
        ("4.3.0", {"VersionMin": "", "VersionMax": "4.3.0", "Attributes": "1"}, False),
        ("4.3.0", {"VersionMin": "", "VersionMax": "4.3.0", "Attributes": "513"}, True),
        # WIX_DOWNGRADE_DETECTED of 4.2.0: anything newer.
        ("4.3.0", {"VersionMin": "4.2.0", "VersionMax": "", "Attributes": "2"}, True),
        ("4.2.0", {"VersionMin": "4.2.0", "VersionMax": "", "Attributes": "2"}, False),
        # The fourth field does not count.
        ("4.2.0.9", {"VersionMin": "4.2.0", "VersionMax": "", "Attributes": "2"}, False),
    ],
)
def test_upgrade_ranges(version, row, found):
    assert msi._in_range(version, row) is found


def test_lab_test_packages_and_files_that_are_no_package():
    package = msi.read_package(b"ProductCode={abc}\r\nProductVersion=4.2.1\r\nResult=3010\r\n", "c.msi")
    assert (package.product_code, package.version, package.result, package.name) == (
        "{ABC}",
        "4.2.1",
        3010,
        "c",
    )
    assert msi.read_package(b"just some notes\r\n", "notes.msi") is None
    assert msi.read_package(bytes(range(256)), "random.msi") is None


def test_fault_values():
    state: dict = {}
    msi.set_faults(state, {"msi_busy": 2, "msi_fail": True, "msi_restart": 1641})
    assert state["msi_faults"] == {"busy": 2, "fail": True, "restart": 1641}
    msi.set_faults(state, {"msi_busy": 0, "msi_restart": None})
    assert state["msi_faults"] == {"fail": True}
    for bad in ({"msi_busy": -1}, {"msi_fail": "2"}, {"msi_restart": 0x643}):
        with pytest.raises(ValueError):
            msi.set_faults(state, bad)
