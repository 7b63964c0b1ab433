"""`./run ee`: the execution environment (execution-environment.yml), built with ansible-builder and
podman; `./run ee-test`: a job run in it equals the same job run without it.

    ./run ee                      build the image, or reuse it when its inputs are unchanged
    ./run ee --base-image IMAGE   on another base image (default: the platform's Debian 12 image)
    ./run ee-test                 the DHCP job in check mode on a small lab, with and without the image

The image is localhost/vnaccs/ee:<tag>, the tag being the first 12 hex digits of the sha256 of its
inputs (execution-environment.yml, ee/, requirements.txt, the collection's files, the base image's
ID and ansible-builder's version), also stored in the image as the label org.vnaccs.ee.inputs; an
image with that tag is reused. localhost/vnaccs/ee:latest names the last one built or reused.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shlex
import shutil
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from invoke import task

from tasklib import containers
from tasklib.playbooks import ansible_env

ROOT = Path(__file__).resolve().parent.parent
DEFINITION = ROOT / "execution-environment.yml"
EE_DIR = ROOT / "ee"
COLLECTION = ROOT / "collections" / "ansible_collections" / "vncustoms" / "vnaccs"
BUILD_DIR = ROOT / "build" / "ee"
IMAGE_REPOSITORY = "localhost/vnaccs/ee"
INPUTS_LABEL = "org.vnaccs.ee.inputs"
# Part of the digest: bump it when the way `build_ee` builds the image changes.
RECIPE_VERSION = "1"
# The base image `./run ee` builds on by default: the platform's Debian 12 image (containers/).
DEFAULT_BASE = "bookworm-systemd"
# The CA bundle the controller trusts (Debian's, with any local CA), and where the build sees it.
CONTROLLER_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
BUILD_CA = "/run/vnaccs-build/ca.crt"
# The frozen inventory the EE test's lab is taken from (tests/fixtures/inventory/README.md).
TEST_INVENTORY = ROOT / "tests" / "fixtures" / "inventory" / "vnaccs.sites.yml"


def _files(directory: Path) -> list[Path]:
    return sorted(
        path
        for path in directory.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def inputs_digest(base_image_id: str) -> str:
    """sha256 over everything the image is built from: files (relative path and content), the base
    image's ID, ansible-builder's version, the recipe version."""
    digest = hashlib.sha256(f"recipe {RECIPE_VERSION}\nbase {base_image_id}\n".encode())
    digest.update(f"ansible-builder {version('ansible-builder')}\n".encode())
    for path in [DEFINITION, ROOT / "requirements.txt", *_files(EE_DIR), *_files(COLLECTION)]:
        content = path.read_bytes()
        digest.update(f"{path.relative_to(ROOT).as_posix()}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def _podman(c, arguments: str, **kwargs):
    return c.run(f"podman {arguments}", env=containers.podman_env(), **kwargs)


def _base_image(c, base_image: str) -> str:
    """The base image to build on: `base_image`, or the platform image (built if missing)."""
    if base_image:
        return base_image
    containers.ensure_images(c)
    return next(image.reference for image in containers.definitions() if image.name == DEFAULT_BASE)


def ensure_ee(c, base_image: str = "", force: bool = False, ca_bundle: str | None = None) -> str:
    """The reference of the execution environment for the current inputs, built if missing.

    `ca_bundle`: the CA bundle pip trusts during a build; None: the controller's, if it has one.
    """
    if ca_bundle is None:
        ca_bundle = str(CONTROLLER_CA_BUNDLE) if CONTROLLER_CA_BUNDLE.is_file() else ""
    base = _base_image(c, base_image)
    found = _podman(c, f"image inspect --format '{{{{.Id}}}}' {shlex.quote(base)}", warn=True, hide=True)
    if not found.ok:
        sys.exit(
            f"ee: the base image {base} is not in podman's storage; pull it first "
            "(podman pull) or build the platform image (./run images)"
        )
    digest = inputs_digest(found.stdout.strip())
    reference = f"{IMAGE_REPOSITORY}:{digest[:12]}"
    if not force and _label(c, reference) == digest:
        _podman(c, f"tag {reference} {IMAGE_REPOSITORY}:latest", hide=True)
        print(f"==> Execution environment {reference}: reused (inputs unchanged)", flush=True)
        return reference
    # One image build at a time on this machine: every checkout shares root's podman storage.
    with containers._build_lock():
        if force or _label(c, reference) != digest:
            build_ee(c, base, reference, digest, ca_bundle)
    return reference


def _label(c, reference: str) -> str:
    result = _podman(
        c,
        f"image inspect --format '{{{{index .Labels \"{INPUTS_LABEL}\"}}}}' {reference}",
        warn=True,
        hide=True,
    )
    return result.stdout.strip() if result.ok else ""


def build_ee(c, base: str, reference: str, digest: str, ca_bundle: str = "") -> None:
    """ansible-builder build on `base`, tagged `reference` and :latest, labelled with `digest`; pip
    trusts `ca_bundle` during the build."""
    started = time.monotonic()
    print(f"==> Execution environment {reference}: building on {base}", flush=True)
    context = BUILD_DIR / "context"
    if context.exists():
        shutil.rmtree(context)
    context.parent.mkdir(parents=True, exist_ok=True)
    # The build's containers share the host's network, and pip trusts the CAs the controller
    # trusts (a mounted bundle, not kept in the image): pip and apt reach their mirrors as the
    # controller does, through an inspecting proxy too.
    extra = f"--label {INPUTS_LABEL}={digest} --network host"
    build_args = [f"EE_BASE_IMAGE={base}"]
    if ca_bundle:
        extra += f" --volume {shlex.quote(str(Path(ca_bundle).resolve()))}:{BUILD_CA}:ro"
        build_args.append(f"PIP_CERT={BUILD_CA}")
    command = [
        "ansible-builder",
        "build",
        "--file",
        str(DEFINITION),
        "--context",
        str(context),
        "--container-runtime",
        "podman",
        "--tag",
        reference,
        f"{IMAGE_REPOSITORY}:latest",
        *(word for argument in build_args for word in ("--build-arg", argument)),
        "--extra-build-cli-args",
        extra,
        "--verbosity",
        "2",
    ]
    with c.cd(str(ROOT)):
        c.run(shlex.join(command), env=ansible_env(**containers.podman_env()))
    _prune(c, digest)
    print(f"==> Execution environment {reference}: built in {time.monotonic() - started:.0f} s", flush=True)


def _prune(c, digest: str) -> None:
    """Remove the untagged stage images of builds of other inputs; this build's stay as its cache."""
    listed = _podman(
        c,
        f"images --noheading --filter dangling=true --filter label={INPUTS_LABEL} "
        f"--format '{{{{.ID}}}} {{{{index .Labels \"{INPUTS_LABEL}\"}}}}'",
        warn=True,
        hide=True,
    )
    stale = [line.split()[0] for line in listed.stdout.splitlines() if line.split()[1:] != [digest]]
    if stale:
        _podman(c, f"rmi {' '.join(stale)}", warn=True, hide=True)


@task(
    help={
        "base_image": "Build on this image instead of the platform's Debian 12 image (it must be in "
        "podman's storage).",
        "force": "Build even if an image of the same inputs exists.",
        "ca_bundle": "CA bundle pip trusts during the build (default: the controller's, "
        f"{CONTROLLER_CA_BUNDLE}); not kept in the image.",
    }
)
def ee(c, base_image="", force=False, ca_bundle=None):
    """Build the execution environment (execution-environment.yml) with ansible-builder and podman."""
    from tasks import ensure_debian_packages

    ensure_debian_packages(c, ["podman", "runc", "netavark", "aardvark-dns", "iptables"])
    print(ensure_ee(c, base_image, force, ca_bundle))


def _smoke(c, reference: str) -> None:
    """The image has the toolkit's collection and its Python packages, outside the repository."""
    checks = [
        "ansible-doc -t inventory vncustoms.vnaccs.sites >/dev/null",
        "ansible-galaxy collection list vncustoms.vnaccs | grep -q /usr/share/ansible/collections",
        "python3 -c 'import winrm, spnego, netaddr, netmiko, ansible_runner'",
        "ansible-doc -t connection ansible.netcommon.network_cli >/dev/null",
    ]
    for check in checks:
        name = f"vnaccs-ee-smoke-{secrets.token_hex(4)}"
        result = _podman(
            c, f"run --rm --name {name} {reference} bash -c {shlex.quote(check)}", warn=True, hide=True
        )
        if not result.ok:
            sys.exit(f"ee-test: in {reference}, `{check}` failed:\n{result.stdout}{result.stderr}")
    print(f"==> {reference}: the collection and the Python packages are installed", flush=True)


@task(name="ee-test", help={"base_image": "The base image of the execution environment (as for ./run ee)."})
def ee_test(c, base_image=""):
    """Run the DHCP job in check mode on a small lab with and without the execution environment; compare."""
    from tasklib.fleet import Container, FleetError, run_fleet
    from tasklib.lab import region_sample
    from tasklib.playbooks import parse_inventory_json
    from winlab.inventory import running_lab

    reference = ensure_ee(c, base_image)
    _smoke(c, reference)
    listed = c.run(f"ansible-inventory -i {TEST_INVENTORY} --list", hide=True, env=ansible_env())
    hosts = region_sample(parse_inventory_json(listed.stdout), "dhcp_servers", regions=2, per_region=2)
    names = ",".join(sorted(host.name for host in hosts))
    # The lab's own account, and a state folder of its own (no admin's held accounts).
    password = "Lab-" + secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="vnaccs-ee-test-") as scratch:
        os.environ["VNACCS_STATE_DIR"] = str(Path(scratch) / "state")
        with running_lab(Path(scratch) / "lab", hosts, password, TEST_INVENTORY) as (_lab, inventory):
            print(f"==> ee-test: {len(hosts)} emulated DHCP server(s) on loopback", flush=True)
            runs = {}
            try:
                for label, container in (("without the EE", None), ("in the EE", Container(reference))):
                    print(f"==> ee-test: the DHCP job in check mode, {label}", flush=True)
                    runs[label], _path = run_fleet(
                        "dhcp",
                        slices=2,
                        limit=names,
                        check=True,
                        inventories=[inventory],
                        container=container,
                        base=BUILD_DIR / "test",
                    )
            except FleetError as exc:
                sys.exit(f"ee-test: {exc}")
    for label, program in (("without the EE", "ansible-playbook"), ("in the EE", "podman")):
        started = {piece["program"] for piece in runs[label]["slices"]}
        if started != {program}:
            sys.exit(f"ee-test: the run {label} started {', '.join(sorted(started))}, not {program}")
    native, contained = (runs[label]["results"] for label in ("without the EE", "in the EE"))
    if native != contained:
        sys.exit(
            "ee-test: the run in the execution environment differs from the run without it:\n"
            + json.dumps({"without": native, "in the EE": contained}, indent=2)
        )
    if native["totals"]["failed"] or native["totals"]["unreachable"] or native["totals"]["no_result"]:
        sys.exit(f"ee-test: the runs failed on some hosts: {native['totals']}")
    print(f"==> ee-test: the same results in {reference} as without it: {native['totals']}", flush=True)
