"""Client releases: the manifest is the contract, checked before anything is copied."""

from __future__ import annotations

import hashlib

import pytest
import yaml
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_release import (
    ReleaseError,
    catalog,
    kept_versions,
    load_release,
    verify_installer,
    version_key,
)

CODE = "{6C3B7E2A-1F00-4D5B-9A77-0123456789AB}"


def make_release(folder, folder_version, data=b"MSI-bytes", **changes):
    version = folder_version
    (folder / version).mkdir(parents=True)
    (folder / version / f"client-{version}.msi").write_bytes(data)
    manifest = {
        "product": "VNACCS Client",
        "version": version,
        "file": f"client-{version}.msi",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "product_code": CODE.replace("AB}", f"{len(version):02X}}}"),
        **changes,
    }
    (folder / version / "manifest.yml").write_text(yaml.safe_dump(manifest))
    return manifest


def test_a_release_loads_and_its_installer_is_verified(tmp_path):
    make_release(tmp_path, "4.3.0")
    release = load_release(tmp_path, "4.3.0")
    assert (release.version, release.file, release.size) == ("4.3.0", "client-4.3.0.msi", 9)
    assert verify_installer(tmp_path, release) == tmp_path / "4.3.0" / "client-4.3.0.msi"


def test_an_installer_that_is_not_the_manifests_is_refused_naming_the_file(tmp_path):
    make_release(tmp_path, "4.3.0")
    release = load_release(tmp_path, "4.3.0")
    (tmp_path / "4.3.0" / "client-4.3.0.msi").write_bytes(b"MSI-bytez")  # same size, other bytes
    with pytest.raises(
        ReleaseError, match=r"client-4\.3\.0\.msi: SHA-256 [0-9a-f]{64} is not the manifest's"
    ):
        verify_installer(tmp_path, release)
    (tmp_path / "4.3.0" / "client-4.3.0.msi").write_bytes(b"short")
    with pytest.raises(ReleaseError, match="5 bytes, the manifest says 9: refused, nothing was copied"):
        verify_installer(tmp_path, release)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sha256": "abc"}, "sha256: 'abc' is not valid"),
        ({"size": 0}, "size: 0 is not a size in bytes"),
        ({"product_code": "6C3B"}, "product_code: '6C3B' is not valid"),
        ({"file": "x y.msi"}, "file: 'x y.msi' is not valid"),
        ({"version": "4.4.0"}, "version: '4.4.0' is not the folder's '4.3.0'"),
    ],
)
def test_a_bad_manifest_names_its_field(tmp_path, change, message):
    make_release(tmp_path, "4.3.0", **change)
    with pytest.raises(ReleaseError, match=message.replace(".", r"\.").replace("(", r"\(")):
        load_release(tmp_path, "4.3.0")


def test_the_catalog_sorts_by_version_not_by_text(tmp_path):
    for version in ("4.10.0", "4.9.1", "4.2.0"):
        make_release(tmp_path, version)
    assert [release.version for release in catalog(tmp_path)] == ["4.2.0", "4.9.1", "4.10.0"]
    assert version_key("not-a-version") < version_key("0.1")


@pytest.mark.parametrize(
    ("versions", "target", "keep", "kept", "pruned"),
    [
        (["4.1.0", "4.2.0", "4.3.0"], "4.4.0", 2, ["4.3.0", "4.4.0"], ["4.1.0", "4.2.0"]),
        (["4.2.0", "4.3.0"], "4.3.0", 2, ["4.2.0", "4.3.0"], []),
        # A rollback stages the older version: the newer stays.
        (["4.2.0", "4.3.0"], "4.2.0", 2, ["4.2.0", "4.3.0"], []),
        (["4.2.0", "4.3.0"], "4.3.0", 1, ["4.3.0"], ["4.2.0"]),
    ],
)
def test_versions_kept_and_pruned(versions, target, keep, kept, pruned):
    assert kept_versions(versions, target, keep) == (kept, pruned)
