"""The client's test MSI packages: built with wixl, identity read back from the files with msiinfo."""

from __future__ import annotations

import hashlib
import re
import shutil

import pytest
import yaml

from tasklib import msi

GUID = re.compile(r"^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$")
OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
pytestmark = pytest.mark.skipif(
    shutil.which("wixl") is None or shutil.which("msiinfo") is None,
    reason="wixl or msiinfo not installed (Debian packages wixl, msitools: `./run msi` installs them)",
)


def test_both_versions_build_as_real_msi_files(client_packages):
    assert sorted(client_packages) == ["4.2.0", "4.3.0"]
    for version, manifest in client_packages.items():
        data = manifest["path"].read_bytes()
        assert data.startswith(OLE_SIGNATURE), version
        assert manifest["size"] == len(data)
        assert manifest["sha256"] == hashlib.sha256(data).hexdigest()
        assert manifest["file"] == f"vnaccs-client-{version}.msi"


def test_the_manifest_is_what_the_file_says(client_packages):
    for version, manifest in client_packages.items():
        properties = msi.read_msi_properties(manifest["path"])
        assert properties == {
            "ProductCode": manifest["product_code"],
            "ProductVersion": version,
            "ProductName": "VNACCS Client",
            "Manufacturer": "Tong cuc Hai quan",
            "UpgradeCode": manifest["upgrade_code"],
        }
        assert GUID.match(manifest["product_code"]) and GUID.match(manifest["upgrade_code"])
        written = yaml.safe_load((manifest["path"].parent / msi.MANIFEST).read_text(encoding="utf-8"))
        assert written == {key: value for key, value in manifest.items() if key != "path"}


def test_one_product_family_two_products(client_packages):
    old, new = client_packages["4.2.0"], client_packages["4.3.0"]
    assert old["upgrade_code"] == new["upgrade_code"] == msi.UPGRADE_CODE
    assert old["product_code"] != new["product_code"]


def test_the_newer_package_upgrades_and_refuses_downgrades(client_packages):
    """The Upgrade and LaunchCondition rows a major upgrade needs, as wixl wrote them."""
    from winlab.model.msi import read_msi_table

    path = client_packages["4.3.0"]["path"]
    rows = {row["ActionProperty"]: row for row in read_msi_table(path, "Upgrade")}
    assert rows["WIX_UPGRADE_DETECTED"]["VersionMax"] == "4.3.0"
    assert rows["WIX_UPGRADE_DETECTED"]["VersionMin"] == ""
    assert int(rows["WIX_DOWNGRADE_DETECTED"]["Attributes"]) & 2  # msidbUpgradeAttributesOnlyDetect
    assert rows["WIX_DOWNGRADE_DETECTED"]["VersionMin"] == "4.3.0"
    conditions = read_msi_table(path, "LaunchCondition")
    assert [row["Condition"] for row in conditions] == ["NOT WIX_DOWNGRADE_DETECTED"]


def test_a_rebuild_with_the_same_inputs_reuses_the_package(tmp_path):
    first = msi.build_client_package("4.2.0", tmp_path)
    package = tmp_path / first["file"]
    stamp = package.stat().st_mtime_ns
    assert msi.build_client_package("4.2.0", tmp_path) == first
    assert package.stat().st_mtime_ns == stamp
    # A damaged package is built again (wixl gives each build its own package code and time).
    package.write_bytes(b"damaged")
    again = msi.build_client_package("4.2.0", tmp_path)
    assert again["sha256"] == hashlib.sha256(package.read_bytes()).hexdigest() != first["sha256"]
    assert again["product_code"] == first["product_code"]


def test_other_inputs_build_again(tmp_path):
    first = msi.build_client_package("4.2.0", tmp_path)
    manifest = tmp_path / msi.MANIFEST
    changed = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    changed["inputs"] = "0" * 64  # as if the template or wixl had changed
    manifest.write_text(yaml.safe_dump(changed), encoding="utf-8")
    assert msi.build_client_package("4.2.0", tmp_path)["sha256"] != first["sha256"]


def test_a_file_that_is_no_package_is_refused(tmp_path):
    text = tmp_path / "client.msi"
    text.write_text("ProductVersion=4.2.0\n", encoding="ascii")
    with pytest.raises(ValueError, match=r"client\.msi"):
        msi.read_msi_properties(text)


def test_a_bad_version_is_refused_before_building(tmp_path):
    with pytest.raises(msi.MsiBuildError, match=r"major\.minor\.build"):
        msi.build_client_package("4.2", tmp_path)
    assert not any(tmp_path.iterdir())
