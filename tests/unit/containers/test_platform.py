"""The Molecule container platform: image definitions, podman settings, the address plan and the
contract every podman scenario follows (containers/README.md)."""

from __future__ import annotations

import inspect
import ipaddress
import itertools
import re
import resource
import shutil
import tomllib
from pathlib import Path

import pytest
import yaml

import tasks
from tasklib import containers

ROOT = containers.ROOT
PLATFORM_RANGE = ipaddress.ip_network("198.19.200.0/21")
LAB_RANGE = ipaddress.ip_network("198.18.0.0/15")
SHARED = ROOT / "molecule" / "_shared"
NETWORKS = yaml.safe_load((SHARED / "vars" / "networks.yml").read_text(encoding="utf-8"))["lab_networks"]
CONTAINERS_CONF = tomllib.loads(containers.CONTAINERS_CONF.read_text(encoding="utf-8"))


def podman_scenarios() -> list[Path]:
    """molecule.yml of every scenario that runs on the platform (top level and in roles)."""
    files = [*ROOT.glob("molecule/*/molecule.yml"), *ROOT.glob("roles/*/molecule/*/molecule.yml")]
    return sorted(f for f in files if not f.parent.name.startswith("_") and containers.uses_platform(f))


# --- image definitions ---------------------------------------------------------------------


def test_the_systemd_image_has_python_and_systemd_as_init():
    image = {d.name: d for d in containers.definitions()}["bookworm-systemd"]
    assert {"python3", "systemd", "systemd-sysv"} <= set(image.packages)
    assert image.command == ["/sbin/init"]
    assert image.variant == "minbase"
    assert (image.directory / "setup.sh").is_file()


def test_every_image_package_has_a_reason(tmp_path):
    definition = tmp_path / "broken"
    shutil.copytree(containers.IMAGES_DIR / "bookworm-systemd", definition)
    toml = definition / "image.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + 'ncat = ""\n', encoding="utf-8")
    with pytest.raises(ValueError, match="give a reason for ncat"):
        containers.ImageDefinition.load(definition)


def test_the_digest_depends_on_content_not_on_location(tmp_path):
    original = containers.IMAGES_DIR / "bookworm-systemd"
    copy = tmp_path / "bookworm-systemd"
    shutil.copytree(original, copy)
    assert containers.definition_digest(copy) == containers.definition_digest(original)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: (d / "setup.sh").write_text((d / "setup.sh").read_text() + "true\n"),
        lambda d: (d / "image.toml").write_text((d / "image.toml").read_text() + 'ncat = "TCP checks"\n'),
        lambda d: (d / "extra.conf").write_text("added\n"),
        lambda d: (d / "setup.sh").rename(d / "finish.sh"),
    ],
    ids=["script edited", "package added", "file added", "file renamed"],
)
def test_a_changed_definition_gets_a_new_tag(tmp_path, change):
    definition = tmp_path / "bookworm-systemd"
    shutil.copytree(containers.IMAGES_DIR / "bookworm-systemd", definition)
    before = containers.ImageDefinition.load(definition)
    change(definition)
    assert containers.definition_digest(definition) != before.digest


def test_images_are_named_by_their_definition_digest():
    for image in containers.definitions():
        assert re.fullmatch(rf"localhost/vnaccs/{image.name}:[0-9a-f]{{12}}", image.reference)
        assert image.digest.startswith(image.tag)
        assert image.env_name == "VNACCS_IMAGE_" + image.name.upper().replace("-", "_")


def test_podman_env_selects_the_shared_settings_and_each_image():
    env = containers.podman_env()
    assert Path(env["CONTAINERS_CONF"]) == ROOT / "containers" / "containers.conf"
    for image in containers.definitions():
        assert env[image.env_name] == image.reference
    assert tasks._env()["CONTAINERS_CONF"] == env["CONTAINERS_CONF"]


# --- podman settings -----------------------------------------------------------------------


def test_podman_uses_runc_and_cgroupfs():
    assert CONTAINERS_CONF["engine"]["runtime"] == "runc"
    assert CONTAINERS_CONF["engine"]["cgroup_manager"] == "cgroupfs"


LIMITS = [("nofile", resource.RLIMIT_NOFILE), ("nproc", resource.RLIMIT_NPROC)]


@pytest.mark.parametrize(("name", "limit"), LIMITS)
def test_ulimits_are_explicit_and_within_the_machines(name, limit):
    settings = dict(u.split("=", 1) for u in CONTAINERS_CONF["containers"]["default_ulimits"])
    soft, hard = (int(v) for v in settings[name].split(":"))
    _, machine_hard = resource.getrlimit(limit)
    assert soft <= hard
    assert machine_hard == resource.RLIM_INFINITY or hard <= machine_hard


# --- address plan --------------------------------------------------------------------------


def _platform_subnets() -> dict[str, ipaddress.IPv4Network]:
    subnets = {f"network {name}": ipaddress.ip_network(n["subnet"]) for name, n in NETWORKS.items()}
    subnets["podman default network"] = ipaddress.ip_network(CONTAINERS_CONF["network"]["default_subnet"])
    for pool in CONTAINERS_CONF["network"]["default_subnet_pools"]:
        subnets[f"pool {pool['base']}"] = ipaddress.ip_network(pool["base"])
    return subnets


def test_every_container_network_is_in_the_platform_range():
    assert PLATFORM_RANGE.subnet_of(LAB_RANGE)
    for what, subnet in _platform_subnets().items():
        assert subnet.subnet_of(PLATFORM_RANGE), f"{what}: {subnet} is outside {PLATFORM_RANGE}"


def test_no_two_container_networks_overlap():
    subnets = sorted(_platform_subnets().items(), key=lambda item: item[1])
    for (first, a), (second, b) in itertools.pairwise(subnets):
        assert not a.overlaps(b), f"{first} ({a}) overlaps {second} ({b})"


# --- the scenario contract -----------------------------------------------------------------


def test_the_platform_scenario_runs_first():
    scenarios = tasks.molecule_scenarios()
    assert scenarios[0] == (ROOT, containers.PLATFORM_SCENARIO)


def test_the_host_packages_are_installed_by_the_test_command():
    for name in containers.HOST_PACKAGES:
        assert tasks.DEBIAN_PACKAGES.get(name, "").strip(), f"DEBIAN_PACKAGES has no reason for {name}"


@pytest.mark.parametrize("molecule_file", podman_scenarios(), ids=lambda p: str(p.parent.relative_to(ROOT)))
def test_podman_scenarios_use_the_platform(molecule_file):
    text = molecule_file.read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    for step in ("create", "destroy"):
        playbook = (molecule_file.parent / config["ansible"]["playbooks"][step]).resolve()
        assert playbook == SHARED / f"{step}.yml", f"{step} the instances with molecule/_shared/{step}.yml"
    assert config["ansible"]["env"]["ANSIBLE_CONFIG"].startswith("${MOLECULE_PROJECT_DIRECTORY}/")
    known = {image.env_name for image in containers.definitions()}
    for variable in re.findall(r"image:\s*\$\{(\w+)", text):
        assert variable in known, f"{variable} names no image under containers/images/"
    for platform in config["platforms"]:
        assert platform.get("pre_build_image") is True, f"{platform['name']}: images come from ./run images"
        assert str(platform["image"]).startswith(("${VNACCS_IMAGE_", "localhost/vnaccs/"))
        for attachment in str(platform.get("network", "")).split(","):
            assert attachment.split(":")[0] in NETWORKS, (
                f"{platform['name']}: register network {attachment!r} in molecule/_shared/vars/networks.yml"
            )


def test_the_end_to_end_dhcp_scenario_runs_in_the_test_command_on_its_two_networks():
    assert (ROOT, "dhcp_e2e") in tasks.molecule_scenarios()
    # `./run molecule` leaves it out; `./run test` runs it last (`./run e2e`); CI runs `./run test`.
    assert "dhcp_e2e" in tasks.SEPARATE_SCENARIOS
    body = inspect.getsource(tasks.test.body)
    assert body.rstrip().endswith("e2e(c)"), body
    assert "./run test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    config = yaml.safe_load((ROOT / "molecule" / "dhcp_e2e" / "molecule.yml").read_text(encoding="utf-8"))
    attached = {
        platform["name"]: {part.split(":")[0] for part in platform["network"].split(",")}
        for platform in config["platforms"]
    }
    assert attached == {
        "dhcp-e2e-kea": {"dhcp-e2e-core"},
        "dhcp-e2e-relay": {"dhcp-e2e-core", "dhcp-e2e-branch"},
        "dhcp-e2e-client": {"dhcp-e2e-branch"},
    }
    # The client's only way off the branch is the relay; the bridge is outside the DHCP range.
    branch = NETWORKS["dhcp-e2e-branch"]
    assert branch["internal"] is True
    assert ipaddress.ip_address(branch["gateway"]) < ipaddress.ip_address("198.19.205.50")
    for name in attached:
        assert ipaddress.ip_network(NETWORKS[next(iter(attached[name]))]["subnet"]).subnet_of(
            ipaddress.ip_network("198.18.0.0/15")
        )
