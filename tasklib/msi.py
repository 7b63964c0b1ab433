"""The customs client's test installer: a real MSI package of a tiny "VNACCS Client", two versions.

    ./run msi      build 4.2.0 and 4.3.0 into build/msi/<version>/ (the MSI and manifest.yml);
                   a version whose inputs are unchanged is reused, not built again

The WiX source is the Jinja2 template tests/fixtures/msi/vnaccs_client.wxs.j2; `wixl` (Debian package
wixl, from msitools) builds it. Every version has the product family's UpgradeCode, its own
ProductCode, and a major upgrade (the newer removes the older, the older refuses to install over the
newer). The manifest's product code and version are read back from the built file with
`msiinfo export` (`read_msi_properties`, the same reader winlab's msiexec uses), never from the
template; `sha256` and `size` are the file's.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import yaml
from invoke import task
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from winlab.model.msi import read_msi_properties

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = ROOT / "tests" / "fixtures" / "msi"
TEMPLATE = "vnaccs_client.wxs.j2"
BUILD_DIR = ROOT / "build" / "msi"
MANIFEST = "manifest.yml"

PRODUCT_NAME = "VNACCS Client"
MANUFACTURER = "Tong cuc Hai quan"
# The product family: every version of the client carries it, so that a newer one upgrades an older.
UPGRADE_CODE = "{8A6C1F2B-3D4E-4F50-9A1B-2C3D4E5F6071}"
VERSIONS = ("4.2.0", "4.3.0")
PAYLOAD_NAME = "version.txt"

__all__ = [
    "MANIFEST",
    "PRODUCT_NAME",
    "UPGRADE_CODE",
    "VERSIONS",
    "build_client_package",
    "build_client_packages",
    "read_msi_properties",
]


class MsiBuildError(RuntimeError):
    """The package could not be built, or what was built is not what was asked for."""


def package_file_name(version: str) -> str:
    return f"vnaccs-client-{version}.msi"


def _code(kind: str, version: str) -> str:
    """A GUID fixed for (kind, version): the same source builds the same ProductCode every time."""
    return "{" + str(uuid.uuid5(uuid.UUID(UPGRADE_CODE), f"{kind} {version}")).upper() + "}"


def _check_version(version: str) -> None:
    # ProductVersion: major.minor.build, at most 255.255.65535 (Windows Installer, ProductVersion property).
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", version)
    if not match or int(match[1]) > 255 or int(match[2]) > 255 or int(match[3]) > 65535:
        raise MsiBuildError(
            f"version {version!r}: an MSI ProductVersion is major.minor.build (255.255.65535 at most)"
        )


def render_source(version: str) -> str:
    """The WiX source of one version (the template rendered; values XML-escaped)."""
    _check_version(version)
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    return environment.get_template(TEMPLATE).render(
        product_name=PRODUCT_NAME,
        manufacturer=MANUFACTURER,
        version=version,
        upgrade_code=UPGRADE_CODE,
        product_code=_code("ProductCode", version),
        component_guid=_code("Component ClientVersion", version),
        payload_name=PAYLOAD_NAME,
        payload_source=PAYLOAD_NAME,
    )


def _payload(version: str) -> bytes:
    return f"{PRODUCT_NAME} {version}\r\n".encode("ascii")


def _wixl() -> str:
    found = shutil.which("wixl")
    if found is None:
        raise MsiBuildError(
            "wixl is not installed: `./run msi` installs it (Debian packages msitools and wixl)"
        )
    return found


def wixl_version() -> str:
    done = subprocess.run([_wixl(), "--version"], capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).strip()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _inputs(version: str, source: str) -> str:
    """What the build depends on: the rendered source, the installed file, wixl's version."""
    digest = hashlib.sha256()
    for part in (source.encode("utf-8"), _payload(version), wixl_version().encode("utf-8")):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def load_manifest(out_dir: str | Path) -> dict | None:
    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        return None
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else None


def _reusable(out_dir: Path, inputs: str) -> dict | None:
    manifest = load_manifest(out_dir)
    if manifest is None or manifest.get("inputs") != inputs:
        return None
    package = out_dir / str(manifest.get("file", ""))
    if not package.is_file() or _sha256(package) != manifest.get("sha256"):
        return None
    return manifest


def build_client_package(version: str, out_dir: str | Path) -> dict:
    """Build the client package of `version` into `out_dir` (the MSI and manifest.yml beside it) and
    return the manifest; an MSI built from the same inputs that is still intact is reused."""
    source = render_source(version)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = _inputs(version, source)
    reused = _reusable(out_dir, inputs)
    if reused is not None:
        return reused
    package = out_dir / package_file_name(version)
    with tempfile.TemporaryDirectory(prefix="msi-build-", dir=out_dir) as work:
        (Path(work) / PAYLOAD_NAME).write_bytes(_payload(version))
        (Path(work) / "client.wxs").write_text(source, encoding="utf-8")
        built = Path(work) / package.name
        done = subprocess.run(
            [_wixl(), "-o", str(built), "client.wxs"], cwd=work, capture_output=True, text=True, check=False
        )
        if done.returncode != 0 or not built.is_file():
            raise MsiBuildError(
                f"wixl could not build {package.name}: {(done.stderr or done.stdout).strip()}"
            )
        os.replace(built, package)
    properties = read_msi_properties(package)
    if (properties["ProductVersion"], properties["ProductName"]) != (version, PRODUCT_NAME):
        raise MsiBuildError(
            f"{package}: built as {properties['ProductName']} {properties['ProductVersion']}, "
            f"not {PRODUCT_NAME} {version}"
        )
    manifest = {
        "product_name": properties["ProductName"],
        "version": properties["ProductVersion"],
        "manufacturer": properties["Manufacturer"],
        "file": package.name,
        "size": package.stat().st_size,
        "sha256": _sha256(package),
        "product_code": properties["ProductCode"],
        "upgrade_code": properties["UpgradeCode"],
        "inputs": inputs,
    }
    temporary = out_dir / (MANIFEST + ".tmp")
    temporary.write_text(yaml.safe_dump(manifest, sort_keys=False, explicit_start=True), encoding="utf-8")
    os.replace(temporary, out_dir / MANIFEST)
    return manifest


def build_client_packages(
    base_dir: str | Path = BUILD_DIR, versions: tuple[str, ...] = VERSIONS
) -> dict[str, dict]:
    """Every version's package, each in base_dir/<version>/: {version: manifest}."""
    return {version: build_client_package(version, Path(base_dir) / version) for version in versions}


@task(name="msi")
def msi(c):
    """Build the client's test MSI packages (4.2.0 and 4.3.0) into build/msi/<version>/."""
    from tasks import ensure_debian_packages

    ensure_debian_packages(c, ["msitools", "wixl"])
    for version in VERSIONS:
        before = load_manifest(BUILD_DIR / version)
        manifest = build_client_package(version, BUILD_DIR / version)
        how = "reused" if before is not None and before.get("sha256") == manifest["sha256"] else "built"
        print(
            f"==> {manifest['product_name']} {manifest['version']} ({how}): "
            f"{(BUILD_DIR / version / manifest['file']).relative_to(ROOT)} "
            f"ProductCode {manifest['product_code']}, sha256 {manifest['sha256'][:12]}...",
            flush=True,
        )
