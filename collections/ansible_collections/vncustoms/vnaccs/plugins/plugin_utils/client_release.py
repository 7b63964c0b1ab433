# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A release of the customs client as head office hands it over: an installer and its manifest.

Decision 833, Articles 9 and 10: head office releases a client version; the regional base
servers hold it; every workstation updates from its own base server. On the controller, a
release folder holds one subfolder per version, each with the MSI and `manifest.yml`:

    releases/4.3.0/VNACCS-Client-4.3.0.msi
    releases/4.3.0/manifest.yml     product, version, file, size, sha256, product_code, upgrade_code

The manifest is the contract: the installer is refused, before anything is copied anywhere,
unless its size and SHA-256 are the manifest's. The product code (the MSI's ProductCode, which the
workstation's registry Uninstall key is named after) is how a workstation's installed version is
read back.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MANIFEST = "manifest.yml"
_GUID = re.compile(r"^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$")
_VERSION = re.compile(r"^\d+(\.\d+){1,3}$")
# A file name that cmd.exe, FTP and a UNC path all carry unquoted.
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.msi$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class ReleaseError(Exception):
    """A release that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Release:
    """One client version: what its manifest says."""

    version: str
    file: str
    size: int
    sha256: str
    product_code: str
    upgrade_code: str = ""
    product: str = "VNACCS Client"

    @property
    def key(self) -> tuple[int, ...]:
        return version_key(self.version)

    def as_dict(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "version": self.version,
            "file": self.file,
            "size": self.size,
            "sha256": self.sha256,
            "product_code": self.product_code,
            "upgrade_code": self.upgrade_code,
        }

    def manifest_text(self) -> str:
        """The manifest as it is written beside the installer on a base server."""
        return yaml.safe_dump(self.as_dict(), sort_keys=False)


def version_key(version: str) -> tuple[int, ...]:
    """4.10.0 sorts after 4.9.1; a text that is not a version sorts first."""
    if not _VERSION.match(str(version)):
        return (-1,)
    return tuple(int(part) for part in str(version).split("."))


def release_from(data: Any, where: str) -> Release:
    """A release from a manifest mapping; ReleaseError naming `where` and the field otherwise."""
    if not isinstance(data, dict):
        raise ReleaseError(f"{where}: not a manifest (a mapping of version, file, size, sha256, ...)")

    def field(name: str, pattern: re.Pattern[str] | None = None, required: bool = True) -> str:
        value = data.get(name)
        if value is None or str(value).strip() == "":
            if required:
                raise ReleaseError(f"{where}: {name} is missing")
            return ""
        text = str(value).strip()
        if pattern is not None and not pattern.match(text):
            raise ReleaseError(f"{where}: {name}: {text!r} is not valid")
        return text

    size = data.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise ReleaseError(f"{where}: size: {size!r} is not a size in bytes")
    return Release(
        version=field("version", _VERSION),
        file=field("file", _FILE),
        size=size,
        sha256=field("sha256", _SHA256).lower(),
        product_code=field("product_code", re.compile(_GUID.pattern, re.IGNORECASE)).upper(),
        upgrade_code=field("upgrade_code", re.compile(_GUID.pattern, re.IGNORECASE), required=False).upper(),
        product=field("product", required=False) or field("product_name", required=False) or "VNACCS Client",
    )


def parse_manifest_text(text: str, where: str) -> Release:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ReleaseError(f"{where}: not YAML ({error})") from None
    return release_from(data, where)


def load_release(folder: Path | str, version: str) -> Release:
    """The release `version` of the release folder, its manifest checked (not yet its installer)."""
    path = Path(folder) / str(version) / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ReleaseError(f"{path}: cannot be read ({error.strerror or error})") from None
    release = parse_manifest_text(text, str(path))
    if release.version != str(version):
        raise ReleaseError(f"{path}: version: {release.version!r} is not the folder's {version!r}")
    return release


def catalog(folder: Path | str) -> list[Release]:
    """Every release in the folder (a subfolder with a manifest), oldest first."""
    root = Path(folder)
    if not root.is_dir():
        raise ReleaseError(f"{root}: the release folder does not exist")
    found = [load_release(root, entry.name) for entry in root.iterdir() if (entry / MANIFEST).is_file()]
    return sorted(found, key=lambda release: release.key)


def sha256_of(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_installer(folder: Path | str, release: Release) -> Path:
    """The installer's path, once its size and SHA-256 are the manifest's; ReleaseError otherwise."""
    path = Path(folder) / release.version / release.file
    if not path.is_file():
        raise ReleaseError(f"{path}: the installer named by the manifest is missing")
    size = path.stat().st_size
    if size != release.size:
        raise ReleaseError(
            f"{path}: {size} bytes, the manifest says {release.size}: refused, nothing was copied"
        )
    digest = sha256_of(path)
    if digest != release.sha256:
        raise ReleaseError(
            f"{path}: SHA-256 {digest} is not the manifest's {release.sha256}: refused, nothing was copied"
        )
    return path


def kept_versions(versions: list[str], target: str, keep: int) -> tuple[list[str], list[str]]:
    """(kept, pruned) of the versions on a base server once `target` is staged: the target and the
    `keep - 1` newest versions older than it stay (the previous one for a rollback); versions newer
    than the target (a rollback in progress) stay too; the rest are pruned."""
    if keep < 1:
        raise ReleaseError(f"keep: {keep} must be at least 1 (the version being staged)")
    key = version_key(target)
    older = sorted((v for v in versions if version_key(v) < key), key=version_key, reverse=True)
    newer = [v for v in versions if version_key(v) > key]
    kept_older = older[: keep - 1]
    kept = sorted({target, *kept_older, *newer}, key=version_key)
    pruned = sorted(set(older[keep - 1 :]), key=version_key)
    return kept, pruned
