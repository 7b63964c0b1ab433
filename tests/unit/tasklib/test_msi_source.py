"""The client package's WiX source as tasklib/msi.py renders it (no wixl needed)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import tasks
from tasklib import msi

WIX = "{http://schemas.microsoft.com/wix/2006/wi}"


def product(version: str) -> ET.Element:
    return ET.fromstring(msi.render_source(version).encode("utf-8")).find(f"{WIX}Product")


def test_each_version_its_product_code_one_upgrade_code():
    old, new = product("4.2.0"), product("4.3.0")
    assert old.get("UpgradeCode") == new.get("UpgradeCode") == msi.UPGRADE_CODE
    assert old.get("Id") != new.get("Id")
    assert product("4.2.0").get("Id") == old.get("Id")  # the same source every time
    assert (old.get("Version"), old.get("Name"), old.get("Manufacturer")) == (
        "4.2.0",
        "VNACCS Client",
        "Tong cuc Hai quan",
    )


def test_a_major_upgrade_that_refuses_downgrades():
    upgrade = product("4.3.0").find(f"{WIX}MajorUpgrade")
    assert upgrade is not None
    assert upgrade.get("DowngradeErrorMessage") == "A newer version of VNACCS Client is already installed."


def test_one_file_under_program_files():
    root = product("4.2.0")
    folder = root.find(f".//{WIX}Directory[@Id='ProgramFilesFolder']/{WIX}Directory")
    assert folder.get("Name") == "VNACCS Client"
    assert [element.get("Name") for element in folder.iter(f"{WIX}File")] == ["version.txt"]


@pytest.mark.parametrize("version", ["4.2", "4.2.0.1", "256.0.0", "x.y.z"])
def test_versions_windows_installer_cannot_hold_are_refused(version):
    with pytest.raises(msi.MsiBuildError):
        msi.render_source(version)


def test_run_msi_is_a_task_and_its_packages_are_installed_by_the_setup():
    assert "msi" in tasks.ns.task_names
    assert {"wixl", "msitools"} <= set(tasks.DEBIAN_PACKAGES)
