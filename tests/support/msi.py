"""The customs client's test MSI packages for tests (pytest fixture, registered by tests/conftest.py).

`client_packages` builds both versions (tasklib/msi.py, with wixl) once per session into pytest's
cache folder, so later sessions reuse them while the template and wixl are unchanged, and gives
`{version: manifest}`, each manifest with `path`, the built file. Without wixl the tests that use it
are skipped, with the reason.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tasklib.msi import VERSIONS, build_client_packages
from winlab.lab import Lab
from winlab.model import files


@pytest.fixture(scope="session")
def client_packages(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict]:
    """Both versions of the client package: {"4.2.0": manifest, "4.3.0": manifest}."""
    missing = [tool for tool in ("wixl", "msiinfo") if shutil.which(tool) is None]
    if missing:
        pytest.skip(
            f"{' and '.join(missing)} not installed "
            "(Debian packages wixl and msitools; `./run msi` installs them)"
        )
    cache = getattr(request.config, "cache", None)  # None with -p no:cacheprovider
    base = Path(cache.mkdir("msi")) if cache is not None else tmp_path_factory.mktemp("msi")
    manifests = build_client_packages(base, VERSIONS)
    return {
        version: {**manifest, "path": base / version / manifest["file"]}
        for version, manifest in manifests.items()
    }


def deliver(lab: Lab, name: str, package: Path, target: str) -> None:
    """Put a package file on an emulated host's disk (what the rollout's copy from the share does)."""
    host = lab.host(name)
    with host.lock:
        files.make_dirs(host, files.parent(target))
        files.put_file(host, target, Path(package).read_bytes())
        host.save()


@pytest.fixture
def client_releases(client_packages, tmp_path) -> Path:
    """A release folder as head office hands it over (one subfolder per version, with the MSI and its
    manifest), in the test's own folder: a test may damage it."""
    folder = tmp_path / "releases"
    for version, manifest in client_packages.items():
        shutil.copytree(Path(manifest["path"]).parent, folder / version)
    return folder
