"""`./run fleet JOB`: one job run as slices of whole base-server regions, in parallel, by ansible-runner.

    ./run fleet dhcp --slices 3 --check --diff      three ansible-runner processes, one merged report
    ./run fleet dhcp --regions ha_noi,da_nang      those regions alone (a failed slice's, say)
    ./run fleet dhcp --slices 2 --ee               each slice in the execution environment (./run ee)

A slice is one or more whole regions: the sites of a region share its base server and the WAN
links to it, so a slice never splits one. `split_regions` balances the slices by the number of the
job's hosts in each region (largest region first, each to the slice with the fewest hosts so far),
which keeps the slices within the largest region's size of each other and gives the same slices for
the same hosts every time.

Each slice is one `ansible-runner` run of the playbook (`ansible-playbook` in a process of its own,
`--limit`ed to the slice's hosts), with a private data folder under build/fleet/<date>/<run>/; the
per-host stats of each run's `playbook_on_stats` event are merged into one JSON report,
build/fleet/<date>/<run>.json: per region, per host ok/changed/failed/unreachable, and how each
slice ended. The report's `results` depend only on what the hosts answered, not on how the job
was sliced. A slice that fails is named with its regions and the command that re-runs them.
This is what an AWX workflow with one job-template node per region does (README).

The health-check jobs (`daily_check`, `audit`) write a report of their own: each slice writes its
report into its private folder (the report play runs on the controller, which every slice's limit
keeps), and the slices' reports merge into one (`health_report.merge_reports`, as `./run report`
merges partial runs) under build/reports/<date>/, with the same findings as one run of the whole
job. An audit's slices are each compared with the newest audit there.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from subprocess import PIPE

from invoke import task

from tasklib.containers import CONTAINERS_CONF
from tasklib.playbooks import ansible_env, parse_inventory_json

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "collections"))

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.account_guard import (  # noqa: E402
    default_state_dir,
)

PLAYBOOKS = ROOT / "playbooks"
FLEET_DIR = ROOT / "build" / "fleet"
REPORTS = ROOT / "build" / "reports"
# The jobs that write a health-check report (roles/health_check), by the report's kind.
HEALTH_JOBS = {"daily_check": "daily_check", "audit": "audit"}
SITE_INVENTORY = ROOT / "inventory"
# The host variable every host of the site inventory carries (sitedata/model.py).
REGION_VARIABLE = "base_server_region"
# What the report keeps per host, and the names ansible-runner's playbook_on_stats event gives them.
STATS = {"ok": "ok", "changed": "changed", "failed": "failures", "unreachable": "dark"}
# ansible-runner writes the run's command line and whole environment, passwords from the
# environment included, to these files of the artifact folder; they are removed after each run.
ENVIRONMENT_FILES = ("command", "env.list")
# How an ansible-runner run can end.
FINAL_STATUSES = ("successful", "failed", "timeout", "canceled")


class FleetError(Exception):
    """A fleet run cannot start: bad options or inventory; the message says what to fix."""


@dataclass(frozen=True)
class Slice:
    number: int  # from 1
    regions: tuple[str, ...]
    hosts: tuple[str, ...]


def split_regions(region_sizes: Mapping[str, int], count: int) -> list[tuple[str, ...]]:
    """The regions in `count` groups of whole regions, balanced by size; the same input, the same groups.

    Largest region first (ties by name), each to the group with the smallest total so far (ties
    to the lower group): when the last region joins the largest group, that group was the
    smallest one, so no group ends more than the largest region above another. Then, while moving
    one region, or swapping two, between the largest and the smallest group brings those two
    closer, the first such change (in name order) is made; each one leaves both groups between the
    old extremes, so the bound still holds. Groups are sorted by their first region; regions inside
    a group by name.
    """
    if count < 1:
        raise FleetError(f"--slices must be at least 1, not {count}")
    if count > len(region_sizes):
        raise FleetError(
            f"cannot make {count} slices of whole regions from {len(region_sizes)} region(s) "
            f"({', '.join(sorted(region_sizes)) or 'none'})"
        )
    groups: list[list[str]] = [[] for _ in range(count)]
    for region in sorted(region_sizes, key=lambda name: (-region_sizes[name], name)):
        smallest = min(range(count), key=lambda index: (_total(groups[index], region_sizes), index))
        groups[smallest].append(region)
    while _rebalance(groups, region_sizes):
        pass
    return sorted((tuple(sorted(group)) for group in groups), key=lambda group: group[0])


def _total(group: Iterable[str], sizes: Mapping[str, int]) -> int:
    return sum(sizes[region] for region in group)


def _rebalance(groups: list[list[str]], sizes: Mapping[str, int]) -> bool:
    """Move or swap one region between the largest and the smallest group if that evens them out.

    Returns whether it changed anything.
    """
    totals = [_total(group, sizes) for group in groups]
    large = max(range(len(groups)), key=lambda index: (totals[index], -index))
    small = min(range(len(groups)), key=lambda index: (totals[index], index))
    gap = totals[large] - totals[small]
    # (what leaves the large group, what leaves the small one): a move, then every swap.
    changes = [((region,), ()) for region in sorted(groups[large]) if len(groups[large]) > 1]
    changes += [((a,), (b,)) for a in sorted(groups[large]) for b in sorted(groups[small])]
    for out_of_large, out_of_small in changes:
        moved = _total(out_of_large, sizes) - _total(out_of_small, sizes)
        if moved > 0 and abs(gap - 2 * moved) < gap:
            for region in out_of_large:
                groups[large].remove(region)
                groups[small].append(region)
            for region in out_of_small:
                groups[small].remove(region)
                groups[large].append(region)
            return True
    return False


def make_slices(host_regions: Mapping[str, str], count: int) -> list[Slice]:
    """The job's hosts (host -> region) as `count` slices of whole regions."""
    sizes: dict[str, int] = {}
    for region in host_regions.values():
        sizes[region] = sizes.get(region, 0) + 1
    slices = []
    for number, regions in enumerate(split_regions(sizes, count), 1):
        chosen = set(regions)
        hosts = tuple(sorted(host for host, region in host_regions.items() if region in chosen))
        slices.append(Slice(number, regions, hosts))
    return slices


def site_region_hosts(paths, group: str) -> dict[str, str]:
    """host -> region for the hosts of `group` in the site data at `paths` (sitedata.Paths)."""
    from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.sitedata import (
        build_inventory,
        load_site_data,
    )

    model = build_inventory(load_site_data(paths))
    return {host: model.hosts[host][REGION_VARIABLE] for host in model.groups[group]}


# ---------------------------------------------------------------------------------------------
# The job's hosts, as Ansible sees them


def job_playbook(job: str) -> Path:
    """playbooks/JOB.yml, or a FleetError naming the jobs there are."""
    playbook = PLAYBOOKS / f"{job.removesuffix('.yml')}.yml"
    if not playbook.is_file():
        known = ", ".join(sorted(path.stem for path in PLAYBOOKS.glob("*.yml")))
        raise FleetError(f"no job {job!r}: playbooks/ has {known}")
    return playbook


def _ansible(*commands: list[str]) -> list[str]:
    """The output of each Ansible command, run at the same time; a FleetError if one fails."""
    env = {**os.environ, **ansible_env(ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")}
    started = [
        (command, subprocess.Popen(command, cwd=ROOT, env=env, stdout=PIPE, stderr=PIPE, text=True))
        for command in commands
    ]
    outputs = []
    for command, process in started:
        stdout, stderr = process.communicate()
        if process.returncode != 0:
            raise FleetError(f"`{shlex.join(command)}` failed:\n{stderr.strip()}")
        outputs.append(stdout)
    return outputs


def parse_list_hosts(output: str) -> list[str]:
    """The hosts of every play in `ansible-playbook --list-hosts` output, in order, once each."""
    hosts: list[str] = []
    listing = False
    for line in output.splitlines():
        if re.match(r"^\s+hosts \(\d+\):$", line):
            listing = True
        elif listing and line.startswith(" " * 6) and line.strip():
            if line.strip() not in hosts:
                hosts.append(line.strip())
        else:
            listing = False
    return hosts


def job_hosts(playbook: Path, inventories: Iterable[str | Path], limit: str = "") -> dict[str, str]:
    """host -> region of every host the playbook would run on (its plays' hosts, within `limit`)."""
    sources = [arg for inventory in inventories for arg in ("-i", str(inventory))]
    limited = ["--limit", limit] if limit else []
    listed_hosts, listed_inventory = _ansible(
        ["ansible-playbook", *sources, *limited, "--list-hosts", str(playbook)],
        ["ansible-inventory", *sources, "--list"],
    )
    hosts = parse_list_hosts(listed_hosts)
    hostvars = parse_inventory_json(listed_inventory)["_meta"]["hostvars"]
    without = sorted(host for host in hosts if not hostvars.get(host, {}).get(REGION_VARIABLE))
    if without:
        raise FleetError(
            f"{len(without)} host(s) have no {REGION_VARIABLE}, so no region to slice by: "
            + ", ".join(without[:5])
            + (" ..." if len(without) > 5 else "")
        )
    return {host: str(hostvars[host][REGION_VARIABLE]) for host in hosts}


def only_regions(host_regions: Mapping[str, str], wanted: Iterable[str]) -> dict[str, str]:
    """The hosts of the `wanted` regions (named `ha_noi` or `region_ha_noi`); unknown names are errors."""
    names = {name.strip().removeprefix("region_") for name in wanted if name.strip()}
    known = set(host_regions.values())
    unknown = sorted(names - known)
    if unknown:
        raise FleetError(
            f"no host of this job is in region(s) {', '.join(unknown)}; its regions are "
            + ", ".join(sorted(known))
        )
    return {host: region for host, region in host_regions.items() if region in names}


# ---------------------------------------------------------------------------------------------
# Running the slices


@dataclass(frozen=True)
class Container:
    """Run each slice inside a container image (ansible-runner's process isolation)."""

    image: str
    # Extra `podman run` options. The host's network, so that the container reaches what the
    # controller reaches (the lab listens on loopback); root in the container, which writes the
    # run's events into the private data folder ansible-runner made (root's, mode 0700) and reads
    # the mounted inventories (the lab's are 0600).
    options: tuple[str, ...] = ("--network=host", "--user=0")
    runtime: str = "podman"


@dataclass
class SliceRun:
    slice: Slice
    status: str = "not started"
    rc: int | None = None
    seconds: float = 0.0
    stats: dict[str, dict[str, int]] = field(default_factory=dict)  # ansible-runner's names
    artifacts: Path | None = None
    # The program ansible-runner started: ansible-playbook, or podman for a run in a container.
    program: str = ""
    # The health-check report the slice wrote (daily_check, audit), if any.
    health_report: Path | None = None

    @property
    def host_results(self) -> dict[str, dict[str, int]]:
        return {
            host: {name: int(self.stats.get(key, {}).get(host, 0)) for name, key in STATS.items()}
            for host in self.slice.hosts
            if any(host in self.stats.get(key, {}) for key in ("processed", *STATS.values()))
        }

    @property
    def failed(self) -> bool:
        results = self.host_results
        return (
            self.status != "successful"
            or set(results) != set(self.slice.hosts)
            or any(counts["failed"] or counts["unreachable"] for counts in results.values())
        )


def stats_of(events: Iterable[Mapping]) -> dict[str, dict[str, int]]:
    """The per-host stats of a run's `playbook_on_stats` event (empty when the run never got there)."""
    stats: dict[str, dict[str, int]] = {}
    for event in events:
        if event.get("event") == "playbook_on_stats":
            data = event.get("event_data", {})
            stats = {key: dict(data.get(key) or {}) for key in ("processed", *STATS.values())}
    return stats


def _runner_kwargs(
    run_slice: Slice,
    private_dir: Path,
    playbook: Path,
    inventories: list[Path],
    cmdline: list[str],
    container: Container | None,
) -> dict:
    env = ansible_env(ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    hosts = list(run_slice.hosts)
    if playbook.stem in HEALTH_JOBS:
        # The report play runs on the controller; it writes into the slice's private folder
        # (mounted as /runner in a container).
        hosts.append("localhost")
        where = Path("/runner") if container is not None else private_dir
        cmdline = [*cmdline, "-e", f"health_check_report_dir={where / 'reports'}"]
    kwargs = {
        "private_data_dir": str(private_dir),
        "project_dir": str(ROOT),
        "playbook": str(playbook.relative_to(ROOT)),
        "inventory": [str(path) for path in inventories],
        "limit": ",".join(hosts),
        "cmdline": shlex.join(cmdline),
        "ident": "run",
        "quiet": True,
        # Without this ansible-runner writes envvars and cmdline to files under env/.
        "suppress_env_files": True,
    }
    if container is None:
        return {**kwargs, "envvars": env}
    # Inside the image: the repository and the inventories at the same paths, read-only; the
    # controller's state folder (the record of failed logons, account_guard.py) read-write, so
    # that a failed account stays held across runs in and out of the image; the image's own tools
    # (no PATH from the controller); the toolkit's variables (VNACCS_WINRM_PASSWORD, ...).
    state = default_state_dir()
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    mounts = [f"{ROOT}:{ROOT}:ro", f"{state}:{state}:rw"]
    mounts += [f"{path}:{path}:ro" for path in _outside(inventories, ROOT)]
    passed = {name: value for name, value in os.environ.items() if name.startswith("VNACCS_")}
    # In a container ansible-runner always adds `-i /runner/inventory` (the private data folder's
    # inventory, where AWX writes the job's) and takes no other: that folder is left empty and
    # the job's inventories come as further -i options, so that Ansible reads the group_vars and
    # host_vars beside each of them as it does outside the container.
    (private_dir / "inventory").mkdir(exist_ok=True)
    sources = [word for path in inventories for word in ("-i", str(path))]
    # ansible-runner names the container ansible_runner_<ident>; the last --name wins.
    name = f"vnaccs-ee-{os.getpid()}-{private_dir.parent.name}-{private_dir.name}"
    kwargs.pop("inventory")
    return {
        **kwargs,
        "cmdline": shlex.join([*sources, *cmdline]),
        "envvars": {
            "ANSIBLE_CONFIG": env["ANSIBLE_CONFIG"],
            "ANSIBLE_NOCOLOR": "1",
            **passed,
            "VNACCS_STATE_DIR": str(state),
        },
        "process_isolation": True,
        "process_isolation_executable": container.runtime,
        "container_image": container.image,
        "container_options": [*container.options, "--name", name],
        "container_volume_mounts": mounts,
        "container_workdir": str(ROOT),
    }


def _outside(paths: Iterable[Path], root: Path) -> list[Path]:
    """The folders to mount for inventories outside `root`: each one's parent folder (the lab keeps
    its host variables overlay beside its inventory folder) and where its symlinks point."""
    found: list[Path] = []
    for path in paths:
        links = [entry.resolve() for entry in path.iterdir() if entry.is_symlink()] if path.is_dir() else []
        for folder in (path.parent, *links):
            if not folder.is_relative_to(root) and folder not in found:
                found.append(folder)
    return found


def _program(artifacts: Path) -> str:
    """The program of the run's command line (read before the file is removed)."""
    try:
        command = json.loads((artifacts / "command").read_text(encoding="utf-8"))["command"]
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    return Path(command[0]).name if command else ""


def _scrub(artifacts: Path) -> None:
    for name in ENVIRONMENT_FILES:
        (artifacts / name).unlink(missing_ok=True)


def run_slices(
    slices: list[Slice],
    playbook: Path,
    inventories: list[Path],
    cmdline: list[str],
    run_dir: Path,
    container: Container | None = None,
    say: Callable[[str], None] = print,
) -> list[SliceRun]:
    """Start one ansible-runner run per slice, all at once; wait for all; a line as each starts and ends."""
    import ansible_runner

    run_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    runs = [SliceRun(run_slice) for run_slice in slices]
    pending = {}
    for run in runs:
        private_dir = run_dir / f"slice-{run.slice.number}"
        private_dir.mkdir(mode=0o700)
        run.artifacts = private_dir / "artifacts" / "run"
        kwargs = _runner_kwargs(run.slice, private_dir, playbook, inventories, cmdline, container)
        thread, runner = ansible_runner.run_async(**kwargs)
        pending[run.slice.number] = (run, thread, runner, time.monotonic())
        say(
            f"    slice {run.slice.number}/{len(runs)} started: {len(run.slice.hosts)} host(s) in "
            f"{', '.join(run.slice.regions)}"
        )
    while pending:
        for number, (run, thread, runner, since) in list(pending.items()):
            thread.join(timeout=0.2)
            if thread.is_alive():
                continue
            del pending[number]
            run.seconds = time.monotonic() - since
            # A runner that raised instead of finishing is left "starting" or "running".
            run.status = runner.status if runner.status in FINAL_STATUSES else "error"
            run.rc = runner.rc
            run.stats = stats_of(runner.events) if run.artifacts.is_dir() else {}
            run.program = _program(run.artifacts)
            written = sorted((private_dir_of(run) / "reports").glob("*/*/report.json"))
            run.health_report = written[-1] if written else None
            _scrub(run.artifacts)
            say(f"    slice {run.slice.number}/{len(runs)} {_outcome(run)}")
    return runs


def private_dir_of(run: SliceRun) -> Path:
    """The slice's private data folder (its artifacts are under artifacts/run in it)."""
    return run.artifacts.parent.parent


def merge_health_reports(runs: list[SliceRun], reports: Path = REPORTS) -> tuple[dict | None, dict[str, str]]:
    """The slices' health-check reports merged into one, written under `reports` (HTML, CSV, JUnit as
    `./run report` writes them); (None, {}) when no slice wrote one."""
    from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import health_report

    from tasklib.report import SCHEMA, TEMPLATES

    found = [health_report.read_report(run.health_report) for run in runs if run.health_report]
    if not found:
        return None, {}
    merged = found[0] if len(found) == 1 else health_report.merge_reports(found)
    return merged, health_report.write_report(merged, reports, TEMPLATES, SCHEMA)


def _outcome(run: SliceRun) -> str:
    results = run.host_results
    counts = {
        key: sum(1 for host in results.values() if host[key]) for key in ("changed", "failed", "unreachable")
    }
    missing = len(run.slice.hosts) - len(results)
    text = (
        f"{run.status} (rc {run.rc}) in {run.seconds:.0f} s: {len(results)} host(s), changed on "
        f"{counts['changed']}, failed on {counts['failed']}, unreachable {counts['unreachable']}"
    )
    return text + (f", no result from {missing}" if missing else "")


# ---------------------------------------------------------------------------------------------
# The merged report


def merge(runs: list[SliceRun], host_regions: Mapping[str, str]) -> dict:
    """The results of every slice, per region and host, with totals: independent of the slicing."""
    regions: dict[str, dict] = {}
    for run in runs:
        results = run.host_results
        for host in run.slice.hosts:
            region = regions.setdefault(host_regions[host], {"hosts": {}})
            region["hosts"][host] = results.get(host)  # None: the run gave no result for it
    for region in regions.values():
        region["hosts"] = dict(sorted(region["hosts"].items()))
        region["totals"] = _totals(region["hosts"].values())
    ordered = dict(sorted(regions.items()))
    return {
        "regions": ordered,
        "totals": _totals([host for region in ordered.values() for host in region["hosts"].values()]),
    }


def _totals(hosts: Iterable[dict | None]) -> dict[str, int]:
    hosts = list(hosts)
    return {
        "hosts": len(hosts),
        "changed": sum(1 for host in hosts if host and host["changed"]),
        "failed": sum(1 for host in hosts if host and host["failed"]),
        "unreachable": sum(1 for host in hosts if host and host["unreachable"]),
        "no_result": sum(1 for host in hosts if host is None),
    }


def report(job: str, playbook: Path, options: dict, runs: list[SliceRun], host_regions, started: str) -> dict:
    """The whole report: what was run, how each slice ended, the merged results."""
    return {
        "job": job,
        "playbook": str(playbook.relative_to(ROOT)),
        "started": started,
        "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
        "options": options,
        "slices": [
            {
                "slice": run.slice.number,
                "regions": list(run.slice.regions),
                "hosts": len(run.slice.hosts),
                "status": run.status,
                "rc": run.rc,
                "failed": run.failed,
                "seconds": round(run.seconds, 1),
                "program": run.program,
                "artifacts": str(run.artifacts) if run.artifacts else None,
            }
            for run in runs
        ],
        "failed_regions": sorted(region for run in runs if run.failed for region in run.slice.regions),
        "results": merge(runs, host_regions),
    }


def new_run_dir(base: Path, job: str) -> tuple[Path, Path]:
    """(the folder for the slices' private data, the report file) of a new run under base/<date>/."""
    now = datetime.now()
    day = base / now.strftime("%Y-%m-%d")
    day.mkdir(parents=True, exist_ok=True)
    stem = f"{job}-{now.strftime('%H%M%S')}"
    suffix = 1
    while (day / stem).exists() or (day / f"{stem}.json").exists():
        suffix += 1
        stem = f"{job}-{now.strftime('%H%M%S')}-{suffix}"
    return day / stem, day / f"{stem}.json"


def run_fleet(
    job: str,
    slices: int = 1,
    regions: str = "",
    limit: str = "",
    check: bool = False,
    diff: bool = False,
    inventories: Iterable[str | Path] = (),
    container: Container | None = None,
    base: Path = FLEET_DIR,
    say: Callable[[str], None] = print,
    reports: Path = REPORTS,
) -> tuple[dict, Path]:
    """Run JOB as slices of whole regions; return the report and the path it was written to (and, for
    the health-check jobs, write their merged report under `reports`)."""
    playbook = job_playbook(job)
    sources = [Path(path).resolve() for path in (inventories or [SITE_INVENTORY])]
    host_regions = job_hosts(playbook, sources, limit)
    if regions:
        host_regions = only_regions(host_regions, regions.split(","))
    if not host_regions:
        raise FleetError(f"the job {job} has no host" + (f" within --limit {limit}" if limit else ""))
    planned = make_slices(host_regions, slices)
    if container is not None:
        # ansible-runner starts podman with this process's environment: the platform's settings
        # (runc, limits; containers/containers.conf) unless the caller chose others.
        os.environ.setdefault("CONTAINERS_CONF", str(CONTAINERS_CONF))
    cmdline = (["--check"] if check else []) + (["--diff"] if diff else [])
    if HEALTH_JOBS.get(playbook.stem) == "audit":
        from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.health_report import latest_report

        previous = latest_report(reports, "audit")
        if previous is not None:
            cmdline += ["-e", f"health_check_previous_report={previous}"]
    run_dir, report_path = new_run_dir(base, playbook.stem)
    started = datetime.now().astimezone().isoformat(timespec="seconds")
    where = f" in {container.image}" if container else ""
    say(
        f"==> {playbook.stem}: {len(host_regions)} host(s) in {len(set(host_regions.values()))} region(s), "
        f"{len(planned)} slice(s){where}"
    )
    runs = run_slices(planned, playbook, sources, cmdline, run_dir, container, say)
    options = {
        "slices": slices,
        "regions": regions,
        "limit": limit,
        "check": check,
        "diff": diff,
        "inventories": [str(path) for path in sources],
        "container_image": container.image if container else None,
    }
    result = report(playbook.stem, playbook, options, runs, host_regions, started)
    if playbook.stem in HEALTH_JOBS:
        merged, written = merge_health_reports(runs, reports)
        result["health_report"] = written.get("json")
        if merged is not None:
            from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.health_report import summary_text

            say(summary_text(merged))
            say(f"==> HTML report: {written['html']}")
        else:
            say(f"==> {playbook.stem}: no slice wrote a health-check report")
    report_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    totals = result["results"]["totals"]
    say(
        f"==> {playbook.stem}: {totals['hosts']} host(s): changed on {totals['changed']}, failed on "
        f"{totals['failed']}, unreachable {totals['unreachable']}, no result from {totals['no_result']}"
    )
    for run in runs:
        if run.failed:
            say(
                f"==> slice {run.slice.number} failed ({', '.join(run.slice.regions)}); its output: "
                f"{run.artifacts}/stdout; re-run its regions alone: "
                + rerun_command(playbook.stem, run.slice.regions, limit, check, diff, inventories, container)
            )
    say(f"==> report: {report_path}")
    return result, report_path


def rerun_command(job, regions, limit, check, diff, inventories, container) -> str:
    """The `./run fleet` command that runs `regions` alone with the same options."""
    words = ["./run", "fleet", job, "--regions", ",".join(regions)]
    words += ["--limit", limit] if limit else []
    words += ["--check"] if check else []
    words += ["--diff"] if diff else []
    for inventory in inventories:
        words += ["--inventory", str(inventory)]
    words += ["--image", container.image] if container else []
    return shlex.join(words)


@task(
    help={
        "job": "The playbook to run, by name: dhcp (playbooks/dhcp.yml), relay, base_servers, ...",
        "slices": "How many ansible-runner processes to run at once, each with whole regions (default 1).",
        "regions": "Only these regions, comma-separated (ha_noi or region_ha_noi), e.g. a failed slice's.",
        "limit": "Ansible host pattern the job is limited to first (e.g. cuc_bac_ninh).",
        "check": "Change nothing; report what would change.",
        "diff": "Record the state before and after and the exact commands (in each slice's stdout file).",
        "inventory": "Inventory to use instead of the site inventory (e.g. the lab's).",
        "ee": "Run each slice in the execution environment (built first by ./run ee if missing).",
        "image": "Run each slice in this container image (an execution environment), with podman.",
    }
)
def fleet(c, job, slices=1, regions="", limit="", check=False, diff=False, inventory="", ee=False, image=""):
    """Run JOB (a playbook name: dhcp, relay, ...) as slices of whole base-server regions, in parallel."""
    container = None
    if ee or image:
        from tasklib.ee import ensure_ee

        container = Container(image or ensure_ee(c))
    try:
        result, _path = run_fleet(
            job, int(slices), regions, limit, check, diff, [inventory] if inventory else [], container
        )
    except FleetError as exc:
        sys.exit(f"fleet: {exc}")
    if result["failed_regions"]:
        sys.exit(1)
