"""The execution environment's definition: a valid ansible-builder v3 file whose Python packages are
exactly the controller's pins, and the digest that decides when `./run ee` rebuilds."""

from __future__ import annotations

import re
import shutil
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
import yaml
from ansible_builder.user_definition import UserDefinition
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tasklib import ee
from tests.support.fixture_files import ROOT


def pins(path: Path) -> dict[str, str]:
    """name -> version of a pip requirements file of `name==version` lines."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, pinned = line.partition("==")
            found[canonicalize_name(name)] = pinned
    return found


def ee_packages() -> list[str]:
    lines = (ROOT / "ee" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_the_definition_is_a_valid_version_3_file():
    definition = UserDefinition(str(ROOT / "execution-environment.yml"))
    definition.validate()
    assert definition.version == 3
    for kind, name in (
        ("python", "requirements.txt"),
        ("system", "bindep.txt"),
        ("galaxy", "requirements.yml"),
    ):
        assert definition.get_dep_abs_path(kind) == str(ROOT / "ee" / name)


def test_the_image_is_given_package_names_and_takes_every_version_from_the_controllers_pins():
    locked = pins(ROOT / "requirements.txt")
    names = ee_packages()
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+", name) for name in names), (
        "versions belong in requirements.txt"
    )
    raw = yaml.safe_load((ROOT / "execution-environment.yml").read_text(encoding="utf-8"))
    for key in ("ansible_core", "ansible_runner"):
        names.append(raw["dependencies"][key]["package_pip"])
    # Every package and everything it needs (as installed here) is pinned: the constraints file
    # fixes every version pip installs in the image.
    seen: set[str] = set()
    queue = list(names)
    while queue:
        name = canonicalize_name(queue.pop())
        if name in seen:
            continue
        seen.add(name)
        assert name in locked, f"{name} is not pinned in requirements.txt"
        try:
            installed = distribution(name)
        except PackageNotFoundError:
            pytest.fail(f"{name} is pinned but not installed in this environment")
        assert installed.version == locked[name], name
        for text in installed.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                queue.append(requirement.name)
    assert {"pywinrm", "pyspnego", "netaddr", "netmiko", "ansible-pylibssh", "ansible-runner"} <= seen


def test_the_build_pins_pip_with_requirements_txt_and_installs_the_repositorys_collection():
    raw = yaml.safe_load((ROOT / "execution-environment.yml").read_text(encoding="utf-8"))
    files = {entry["src"]: entry["dest"] for entry in raw["additional_build_files"]}
    assert files["requirements.txt"] == "vnaccs"
    steps = raw["additional_build_steps"]["prepend_base"]
    assert "COPY _build/vnaccs/requirements.txt /etc/vnaccs-ee/constraints.txt" in steps
    assert "ENV PIP_CONSTRAINT=/etc/vnaccs-ee/constraints.txt" in steps
    collection = "collections/ansible_collections/vncustoms/vnaccs"
    galaxy = yaml.safe_load((ROOT / "ee" / "requirements.yml").read_text(encoding="utf-8"))
    assert galaxy["collections"] == [{"name": files[collection], "type": "dir"}]
    assert yaml.safe_load((ROOT / collection / "galaxy.yml").read_text(encoding="utf-8"))["name"] == "vnaccs"
    assert raw["build_arg_defaults"]["ANSIBLE_GALAXY_CLI_COLLECTION_OPTS"] == "--no-deps"
    # The public default stays in the file; ./run ee overrides it with the local image.
    assert raw["images"]["base_image"]["name"] == "docker.io/library/debian:bookworm-slim"
    assert (ROOT / "ee" / "ee-apt").stat().st_mode & 0o111


@pytest.fixture
def inputs(tmp_path, monkeypatch) -> Path:
    """Copies of the execution environment's inputs that a test may change."""
    for name in ("execution-environment.yml", "requirements.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "ee", tmp_path / "ee")
    collection = tmp_path / "collections" / "ansible_collections" / "vncustoms" / "vnaccs"
    shutil.copytree(ee.COLLECTION, collection, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(ee, "ROOT", tmp_path)
    monkeypatch.setattr(ee, "DEFINITION", tmp_path / "execution-environment.yml")
    monkeypatch.setattr(ee, "EE_DIR", tmp_path / "ee")
    monkeypatch.setattr(ee, "COLLECTION", collection)
    return tmp_path


def test_the_digest_changes_with_every_input_and_only_with_them(inputs):
    first = ee.inputs_digest("sha256:base")
    assert ee.inputs_digest("sha256:base") == first
    assert ee.inputs_digest("sha256:other-base") != first
    cache = ee.COLLECTION / "plugins" / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / "sites.cpython-311.pyc").write_bytes(b"compiled")
    assert ee.inputs_digest("sha256:base") == first, "compiled files are not inputs"
    seen = {first}
    for changed in (
        ee.COLLECTION / "plugins" / "inventory" / "sites.py",
        inputs / "requirements.txt",
        inputs / "ee" / "bindep.txt",
        inputs / "execution-environment.yml",
    ):
        changed.write_text(changed.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
        digest = ee.inputs_digest("sha256:base")
        assert digest not in seen, changed
        seen.add(digest)
