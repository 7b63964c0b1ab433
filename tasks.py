"""Tasks for admins and CI (run them through ./run, which sets up the virtual environment).

./run demo         the main job on the built-in lab
./run test         everything CI runs: lint, unit tests, every Molecule scenario, the EE test
./run inventory    validate the site data, record new address allocations, write the snapshot
./run daily-check  the daily checks (Appendix III) of every host; the HTML report's path last
./run report FILE  render a health-check report.json again, or merge several
./run msi          build the client's test MSI packages (build/msi/<version>/)
./run bench        the fleet benchmarks (benchmarks/README.md; not part of ./run test)
./run --list       every task
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sys
from pathlib import Path

from invoke import Collection, task

from tasklib import containers
from tasklib.accounts import accounts
from tasklib.base import base_servers, base_servers_demo
from tasklib.bench import bench
from tasklib.demo import demo
from tasklib.dhcp import dhcp, dhcp_demo
from tasklib.ee import ee, ee_test
from tasklib.fleet import fleet
from tasklib.lab import lab
from tasklib.msi import msi
from tasklib.playbooks import ansible_env
from tasklib.reboot import daily_reboot, daily_reboot_demo
from tasklib.report import audit, daily_check, report
from tasklib.rollout import rollout, rollout_report
from tasklib.sites import inventory, plan
from tasklib.switches import switches

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "collections"))

# Debian packages the tests and the lab need, with the reason for each. `ensure_debian_packages`
# installs whichever are missing (the toolkit's machines run as root; CI starts from a fresh one).
DEBIAN_PACKAGES: dict[str, str] = {
    # The Molecule container platform (containers/README.md).
    "podman": "runs the Molecule instances (no Docker engine on these machines)",
    "runc": "the OCI runtime podman uses here: crun refuses the cgroup v1/v2 hybrid",
    "netavark": "podman's network backend for the lab networks in 198.19.200.0/21",
    "aardvark-dns": "instances on one lab network find each other by name",
    "iptables": "netavark sets up the lab networks' forwarding and NAT with it",
    "debootstrap": "builds the platform images from Debian's packages (no registry is reachable)",
    "debian-archive-keyring": "debootstrap checks the signatures of what it downloads",
    # The customs client's test installer (tasklib/msi.py, `./run msi`) and winlab's msiexec, which
    # reads real MSI files.
    "wixl": "builds the test MSI packages of the VNACCS client from their WiX source",
    "msitools": "msiinfo reads a package's Property and Upgrade tables (the manifests, winlab's msiexec)",
    # The health-check report's browser test (tests/integration/reports/).
    "chromium": "headless browser that loads the HTML report, checks it and takes its screenshot",
}


def _env() -> dict[str, str]:
    """Environment every child process gets: the project's Ansible settings and tools first."""
    return ansible_env(
        PY_COLORS="0" if os.environ.get("CI") else os.environ.get("PY_COLORS", "1"),
        ANSIBLE_FORCE_COLOR="0" if os.environ.get("CI") else "1",
        # podman's settings (containers/containers.conf) and the image each scenario runs.
        **containers.podman_env(),
    )


def ensure_debian_packages(c, names: list[str]) -> None:
    """Install the Debian packages in `names` that are not installed yet (needs root and apt)."""
    missing = [
        name
        for name in names
        if not c.run(
            f"dpkg-query -W -f='${{Status}}' {name} 2>/dev/null | grep -q 'install ok installed'",
            warn=True,
            hide=True,
        ).ok
    ]
    if not missing:
        return
    if shutil.which("apt-get") is None:
        sys.exit(f"Missing Debian packages {', '.join(missing)} and no apt-get to install them.")
    prefix = "" if os.geteuid() == 0 else "sudo "
    print(f"==> Installing Debian packages: {' '.join(missing)}", flush=True)
    c.run(f"{prefix}apt-get update -qq", env={"DEBIAN_FRONTEND": "noninteractive"})
    c.run(
        f"{prefix}apt-get install -y -qq --no-install-recommends {' '.join(missing)}",
        env={"DEBIAN_FRONTEND": "noninteractive"},
    )


@task
def lint(c):
    """Run yamllint, ruff and ansible-lint (production profile) over the whole repository."""
    with c.cd(str(ROOT)):
        c.run("yamllint --strict .", env=_env(), pty=False)
        c.run("ruff check .", env=_env())
        c.run("ruff format --check .", env=_env())
        c.run("ansible-lint --profile production", env=_env())


@task
def unit(c, k=""):
    """Run the pytest suite (unit and integration tests under tests/)."""
    selector = f" -k {k!r}" if k else ""
    with c.cd(str(ROOT)):
        c.run(f"pytest{selector}", env=_env())
        # What the suite rests on and what it proves: the tests that assert a Windows behaviour no
        # public source backs ([U] in winlab and the parsers; winlab/README.md lists them), and the
        # fault-suite cases (tests/README.md).
        for marker, meaning in (
            ("assumption", "assumption tests (Windows behaviours no source backs)"),
            ("fault", "fault cases (bad data, bad credentials, hung hosts, concurrent runs)"),
        ):
            print(f"==> {meaning}: {_count_marked(c, marker, selector)}", flush=True)


def _count_marked(c, marker: str, selector: str) -> str:
    """How many of the selected tests carry MARKER, as "N of M"."""
    counted = c.run(
        f"pytest -n 0 -m {marker} --collect-only -q --color=no{selector}", env=_env(), hide=True, warn=True
    )
    last = (counted.stdout.strip().splitlines() or [""])[-1]
    some = re.match(r"(\d+)/(\d+) tests? collected", last)
    if some:
        return f"{some[1]} of {some[2]}"
    none = re.match(r"no tests collected \((\d+) deselected\)", last)
    return f"0 of {none[1]}" if none else f"unknown ({last})"


def molecule_scenarios() -> list[tuple[Path, str]]:
    """Every Molecule scenario: (directory to run molecule in, scenario name)."""
    found = []
    for base in [ROOT, *sorted((ROOT / "roles").glob("*"))]:
        for config in sorted((base / "molecule").glob("*/molecule.yml")):
            if config.parent.name.startswith("_"):
                continue
            found.append((base, config.parent.name))
    # The platform's own scenario first: a broken platform fails before any role scenario does.
    return sorted(found, key=lambda found_scenario: found_scenario[1] != containers.PLATFORM_SCENARIO)


# Scenarios `./run test` runs last, after every other one, and `./run e2e` runs alone: the
# end-to-end DHCP exchange (Kea, isc-dhcp-relay, real DHCP clients) takes about five minutes here.
SEPARATE_SCENARIOS = ("dhcp_e2e",)


@task
def molecule(c, scenario=""):
    """Run every Molecule scenario but the separate ones (or those whose name or role contains SCENARIO)."""
    chosen = [
        (base, name)
        for base, name in molecule_scenarios()
        if (scenario and (scenario in name or scenario in base.name))
        or (not scenario and name not in SEPARATE_SCENARIOS)
    ]
    if any(containers.uses_platform(base / "molecule" / name / "molecule.yml") for base, name in chosen):
        ensure_debian_packages(c, list(containers.HOST_PACKAGES))
        containers.ensure_images(c)
    # The winlab scenarios' lab password: chosen here, kept in memory, handed on only through the
    # environment (Molecule to winlab, the roles and the probes), never written to a file.
    env = {**_env(), "VNACCS_WINRM_PASSWORD": "Lab-" + secrets.token_urlsafe(16)}
    for index, (base, name) in enumerate(chosen, 1):
        where = base.relative_to(ROOT) if base != ROOT else Path(".")
        print(f"==> Molecule [{index}/{len(chosen)}] {where}: {name}", flush=True)
        with c.cd(str(base)):
            c.run(f"molecule test -s {name}", env=env)
    print(f"==> Molecule: {len(chosen)} scenario(s) passed", flush=True)


@task
def e2e(c):
    """The end-to-end DHCP scenario alone (Kea, isc-dhcp-relay, real DHCP clients in containers)."""
    for name in SEPARATE_SCENARIOS:
        molecule(c, name)


@task
def test(c):
    """The test suite: lint, pytest, the platform images, every Molecule scenario, the end-to-end DHCP
    exchange last (CI adds ./run ee-test)."""
    ensure_debian_packages(c, sorted(DEBIAN_PACKAGES))
    inventory(c, check=True)
    lint(c)
    unit(c)
    containers.ensure_images(c)
    molecule(c)
    e2e(c)


ns = Collection(
    demo,
    test,
    inventory,
    plan,
    lint,
    unit,
    molecule,
    e2e,
    lab,
    msi,
    switches,
    dhcp,
    dhcp_demo,
    containers.images,
    base_servers,
    base_servers_demo,
    daily_reboot,
    daily_reboot_demo,
    rollout,
    rollout_report,
    accounts,
    fleet,
    ee,
    ee_test,
    daily_check,
    audit,
    report,
    bench,
)
