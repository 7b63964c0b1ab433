"""The container platform for Molecule: Debian images built on this machine, run by podman.

No container registry is reachable from the machines this toolkit is tested on, so every image is
built here from Debian's packages: `debootstrap` makes the root filesystem, the image's own
`setup.sh` finishes it, and `podman import` stores it in root's podman storage. An image's
definition is its folder under containers/images/; the sha256 of that folder's files is the
image's tag and label, so an unchanged definition is reused and a changed one is rebuilt.

Scenarios name an image through an environment variable that `podman_env()` sets to the tag of
the definition checked out here (VNACCS_IMAGE_BOOKWORM_SYSTEMD=localhost/vnaccs/bookworm-systemd:
<digest>), so branches that share one machine's storage never run each other's images.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shlex
import shutil
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml
from invoke import task

ROOT = Path(__file__).resolve().parent.parent
CONTAINERS_DIR = ROOT / "containers"
IMAGES_DIR = CONTAINERS_DIR / "images"
# The podman settings every scenario shares (runtime, ulimits, address ranges).
CONTAINERS_CONF = CONTAINERS_DIR / "containers.conf"
CACHE_DIR = ROOT / ".cache" / "containers"
IMAGE_REPOSITORY = "localhost/vnaccs"
DEFINITION_LABEL = "org.vnaccs.image.definition"
# Part of every image's digest: bump it when the way `build_image` assembles an image changes.
RECIPE_VERSION = "1"
# Runs before every other Molecule scenario, so a broken platform fails before any role does.
PLATFORM_SCENARIO = "platform"
# The Debian packages the host needs for the platform (tasks.py gives the reason for each).
HOST_PACKAGES = (
    "podman",
    "runc",
    "netavark",
    "aardvark-dns",
    "iptables",
    "debootstrap",
    "debian-archive-keyring",
)


@dataclass(frozen=True)
class ImageDefinition:
    """One folder under containers/images/: image.toml, the setup.sh build script, and its digest."""

    name: str
    directory: Path
    suite: str
    variant: str
    mirror: str
    packages: dict[str, str]
    command: list[str]
    stop_signal: str
    digest: str

    @classmethod
    def load(cls, directory: Path) -> ImageDefinition:
        settings = tomllib.loads((directory / "image.toml").read_text(encoding="utf-8"))
        packages = settings.get("packages", {})
        undocumented = sorted(name for name, reason in packages.items() if not str(reason).strip())
        if undocumented:
            raise ValueError(f"{directory}/image.toml: give a reason for {', '.join(undocumented)}")
        return cls(
            name=directory.name,
            directory=directory,
            suite=settings["suite"],
            variant=settings.get("variant", "minbase"),
            mirror=settings["mirror"],
            packages=dict(packages),
            command=list(settings["command"]),
            stop_signal=settings.get("stop_signal", "SIGTERM"),
            digest=definition_digest(directory),
        )

    @property
    def tag(self) -> str:
        return self.digest[:12]

    @property
    def reference(self) -> str:
        """The image built from exactly this definition."""
        return f"{IMAGE_REPOSITORY}/{self.name}:{self.tag}"

    @property
    def latest(self) -> str:
        """The image most recently built or reused on this machine, for use outside ./run."""
        return f"{IMAGE_REPOSITORY}/{self.name}:latest"

    @property
    def env_name(self) -> str:
        """The environment variable a scenario's molecule.yml reads the image reference from."""
        return "VNACCS_IMAGE_" + self.name.upper().replace("-", "_")


def definition_digest(directory: Path) -> str:
    """sha256 over the recipe version and every file in `directory` (relative path and content)."""
    digest = hashlib.sha256(f"recipe {RECIPE_VERSION}\n".encode())
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        relative = path.relative_to(directory).as_posix()
        content = path.read_bytes()
        digest.update(f"{relative}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def definitions() -> list[ImageDefinition]:
    """Every image definition under containers/images/, by name."""
    return [ImageDefinition.load(d) for d in sorted(IMAGES_DIR.iterdir()) if (d / "image.toml").is_file()]


def podman_env() -> dict[str, str]:
    """Environment for podman and Molecule: the shared containers.conf and each image's reference."""
    env = {"CONTAINERS_CONF": str(CONTAINERS_CONF)}
    env.update({image.env_name: image.reference for image in definitions()})
    return env


def uses_platform(molecule_file: Path) -> bool:
    """Whether a scenario's molecule.yml runs its instances with the podman driver."""
    config = yaml.safe_load(molecule_file.read_text(encoding="utf-8")) or {}
    return (config.get("driver") or {}).get("name") == "podman"


# Images already built or found in this process: `test` and `molecule` both ask for them.
_ready: set[str] = set()


def _podman(c, arguments: str, **kwargs):
    return c.run(f"podman {arguments}", env=podman_env(), **kwargs)


@contextmanager
def _build_lock() -> Iterator[None]:
    """One image build at a time on this machine: every checkout shares root's podman storage."""
    directory = Path("/run/lock") if Path("/run/lock").is_dir() else Path(tempfile.gettempdir())
    with (directory / "vnaccs-platform-images.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("==> Waiting for another checkout's image build to finish", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _exists(c, image: ImageDefinition) -> bool:
    return _podman(c, f"image exists {image.reference}", warn=True, hide=True).ok


def ensure_images(c, force: bool = False) -> None:
    """Build each image whose definition has no image yet (or every image with `force`)."""
    for image in definitions():
        if not force and (image.reference in _ready or _exists(c, image)):
            _reuse(c, image)
            continue
        with _build_lock():
            # Another checkout may have built the same definition while this one waited.
            if not force and _exists(c, image):
                _reuse(c, image)
                continue
            build_image(c, image)
        _ready.add(image.reference)


def _reuse(c, image: ImageDefinition) -> None:
    if image.reference in _ready:
        return
    _podman(c, f"tag {image.reference} {image.latest}", hide=True)
    print(f"==> Image {image.reference}: reused (definition unchanged)", flush=True)
    _ready.add(image.reference)


def build_image(c, image: ImageDefinition) -> None:
    """debootstrap the root filesystem, run the definition's setup.sh in it, import it into podman."""
    started = time.monotonic()
    print(f"==> Image {image.reference}: building from {image.directory.relative_to(ROOT)}", flush=True)
    rootfs = CACHE_DIR / "rootfs" / image.name
    package_cache = CACHE_DIR / "debootstrap"  # downloaded .debs, kept for the next build
    package_cache.mkdir(parents=True, exist_ok=True)
    if rootfs.exists():
        shutil.rmtree(rootfs)
    rootfs.mkdir(parents=True)
    try:
        c.run(
            shlex.join(
                [
                    "debootstrap",
                    f"--variant={image.variant}",
                    f"--cache-dir={package_cache}",
                    f"--include={','.join(sorted(image.packages))}",
                    image.suite,
                    str(rootfs),
                    image.mirror,
                ]
            ),
            hide="out",
        )
        shutil.copy2(image.directory / "setup.sh", rootfs / "tmp" / "setup.sh")
        c.run(shlex.join(["chroot", str(rootfs), "/bin/sh", "/tmp/setup.sh"]))
        (rootfs / "tmp" / "setup.sh").unlink()
        changes = [
            f"CMD {json.dumps(image.command)}",
            f"STOPSIGNAL {image.stop_signal}",
            f"LABEL {DEFINITION_LABEL}={image.digest}",
        ]
        change_args = " ".join(f"--change {shlex.quote(change)}" for change in changes)
        archive = f"tar --numeric-owner --xattrs --xattrs-include='*' -C {shlex.quote(str(rootfs))} -c ."
        c.run(
            f"set -o pipefail; {archive} | podman import --quiet {change_args} - {image.reference}",
            env=podman_env(),
            hide="out",
        )
        _podman(c, f"tag {image.reference} {image.latest}", hide=True)
        # A forced rebuild leaves the image it replaced untagged: remove it (only images built here).
        _podman(c, f"image prune --force --filter label={DEFINITION_LABEL}", hide=True, warn=True)
    finally:
        shutil.rmtree(rootfs, ignore_errors=True)
    print(f"==> Image {image.reference}: built in {time.monotonic() - started:.0f} s", flush=True)


@task(help={"force": "rebuild every image even if its definition is unchanged"})
def images(c, force=False):
    """Build the Molecule platform images whose definition changed or that are missing; reuse the rest."""
    # tasks.py owns the installer and the reasons for each package; it has imported this module.
    from tasks import ensure_debian_packages

    if sys.platform != "linux":
        sys.exit("The Molecule platform needs Linux (podman, debootstrap, chroot as root).")
    ensure_debian_packages(c, list(HOST_PACKAGES))
    ensure_images(c, force=force)
