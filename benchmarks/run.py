"""The benchmarks themselves (`./run bench`): each returns a JSON-ready dict that render.py turns
into tables, a plot and the verdicts on the targets.

- fleet: per repetition, on a fresh lab: (c) dhcp.yml on empty hosts, (b) dhcp.yml again (nothing
  to change), (a) daily_check.yml, the baseline of (a) (benchmarks/baseline.py), (d) a client
  rollout to the workstations of one department; wall, controller CPU, peak memory, winlab's
  counters per host.
- growth: the inventory plugin (`ansible-inventory --list`), the lab's start and the report's merge
  and rendering at 1x, 4x and 16x the real departments (synthetic, tasklib/sites.py, in build/);
  and the daily check of one department against each inventory.
- wan: the FTP bytes of staging a client release on every base server, against every workstation
  fetching it from head office; the WinRM bytes per host of a daily check (from fleet).
- latency: the daily check of one department and its baseline at 0, 50 and 200 ms per reply.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import stats
from benchmarks.harness import Measurement, measure
from benchmarks.lab import BenchLab, LabFleet, lab_fleet
from tasklib.playbooks import Recap, ansible_env

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ("fleet", "wan", "latency", "growth")
DEPARTMENT = "cuc_bac_ninh"
CLIENT_VERSION = "4.3.0"
DELAYS = (0.0, 0.05, 0.2)
FACTORS = (1, 4, 16)


@dataclass
class Options:
    """What `./run bench` was asked: which benchmarks, how many runs of each, on what."""

    benchmarks: tuple[str, ...] = BENCHMARKS
    repetitions: int = 3
    # Runs of the slower measurements: each delay of the latency benchmark, and the growth
    # benchmark's daily check of one department at each size.
    slow_repetitions: int = 1
    # "fleet": every host of the site inventory; "department": DEPARTMENT's hosts and the base servers.
    scale: str = "department"
    department: str = DEPARTMENT
    factors: tuple[int, ...] = FACTORS
    forks: int = 20
    work: Path = ROOT / "build" / "bench"
    sites_config: Path = ROOT / "inventory" / "vnaccs.sites.yml"
    log: Callable[[str], None] = field(default=lambda text: print(text, flush=True))

    def __post_init__(self) -> None:
        unknown = set(self.benchmarks) - set(BENCHMARKS)
        if unknown:
            raise ValueError(
                f"unknown benchmark(s) {', '.join(sorted(unknown))}; known: {', '.join(BENCHMARKS)}"
            )
        if self.scale not in ("fleet", "department"):
            raise ValueError(f"scale must be fleet or department, not {self.scale!r}")
        for name in ("repetitions", "slow_repetitions"):
            if not 1 <= getattr(self, name) <= 20:
                raise ValueError(f"{name} must be 1 to 20, not {getattr(self, name)}")


def machine() -> dict:
    """The machine the figures were measured on."""
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        model = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "")
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(memory / 1024**3, 1),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load_before": os.getloadavg(),
    }


class Runner:
    def __init__(self, options: Options) -> None:
        self.options = options
        # The controller's state: the rollout's records, the account guard's holds, the remembered
        # Windows families (winrm_command.FamilyMemory) stay in build/bench.
        self.state = options.work / "state"
        self.env = ansible_env(
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
            VNACCS_STATE_DIR=str(self.state),
        )
        # Each command's output, numbered in the order they ran; a new run starts a new folder.
        self.logs = options.work / "logs"
        shutil.rmtree(self.logs, ignore_errors=True)
        self.logs.mkdir(parents=True)
        self.count = 0

    def log(self, text: str) -> None:
        self.options.log(text)

    def fresh_lab(self, fleet: LabFleet, hosts: list, directory: Path, **options) -> BenchLab:
        """A fresh lab (BenchLab, `options` its own), met as a first run meets its hosts: the Windows
        families the WinRM layer remembered are forgotten (winrm_command.FamilyMemory), so (c) finds
        each version and (b) and the later jobs take it from the memory, as a controller's second
        run does."""
        from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import FamilyMemory

        shutil.rmtree(FamilyMemory(self.state).folder, ignore_errors=True)
        return BenchLab(fleet, hosts, directory, **options)

    # -- one measured command ---------------------------------------------------------------------
    def run(self, name: str, command: list[str], lab=None, groups: dict[str, str] | None = None) -> dict:
        """Run `command` measured; with a lab, its counters reset before and read after."""
        self.count += 1
        if lab is not None:
            lab.reset_counters()
        log = self.logs / f"{self.count:03d}-{name}.log"
        result = measure(command, ROOT, self.env, log)
        entry: dict = {"measurement": result.as_dict(), "log": str(log.relative_to(ROOT))}
        if lab is not None:
            counters = lab.counters()
            entry["counters"] = stats.per_group(counters, groups or {})
            entry["open_shells"] = sum(item["open_shells"] for item in counters.values())
        last = (result.tail.strip().splitlines() or [""])[-1]
        if last.startswith("{") and last.endswith("}"):
            # A probe's or the baseline's own figures (benchmarks/probe.py, baseline.py).
            with contextlib.suppress(ValueError):
                entry["reported"] = json.loads(last)
        recap = Recap.parse(result.tail)
        if recap.hosts:
            entry["recap"] = {
                "hosts": len(recap.hosts),
                "changed": len(recap.hosts_with("changed")),
                "failed": len(recap.hosts_with("failed")),
                "unreachable": len(recap.hosts_with("unreachable")),
            }
        mark = "" if result.rc == 0 else f"  (exit {result.rc}: see {entry['log']})"
        self.log(f"    {name}: {result.wall:.1f} s wall, {result.cpu:.1f} s controller CPU{mark}")
        return entry

    def playbook(self, playbook: str, inventory: Path, *extra: str) -> list[str]:
        return [
            "ansible-playbook",
            "-i",
            str(inventory),
            f"playbooks/{playbook}",
            "-f",
            str(self.options.forks),
            *extra,
        ]

    def baseline(self, inventory: Path, limit: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "benchmarks.baseline",
            "--inventory",
            str(inventory),
            "--limit",
            limit,
            "--forks",
            str(self.options.forks),
        ]

    # -- what the jobs are run on -------------------------------------------------------------------
    def scope(self, fleet: LabFleet) -> tuple[list, dict[str, str]]:
        """The lab's hosts for the fleet benchmark and the Ansible limits of each job."""
        department = self.options.department
        if self.options.scale == "fleet":
            hosts = fleet.hosts
            limits = {
                "daily": "dhcp_servers:base_servers:workstations:switches:localhost",
                "dhcp": "dhcp_servers",
            }
        else:
            members = set(fleet.departments.get(department, []))
            if not members:
                raise ValueError(f"no department group {department!r} in the site inventory")
            hosts = [host for host in fleet.hosts if host.name in members or host.group == "base_servers"]
            limits = {
                "daily": f"{department}:base_servers:localhost:!switches",
                "dhcp": f"{department}:&dhcp_servers",
            }
        # The baseline reads the Windows hosts only (a switch is read over SSH, one session per run).
        limits["baseline"] = limits["daily"].replace(":localhost", "").replace(":switches", "")
        return hosts, limits

    def daily(self, name: str, inventory: Path, limits: dict, lab, groups: dict) -> dict:
        return self.run(
            name,
            self.playbook(
                "daily_check.yml",
                inventory,
                "-l",
                limits["daily"],
                "-e",
                f"health_check_report_dir={self.options.work / 'reports'}",
            ),
            lab,
            groups,
        )

    def rollout(self, inventory: Path, lab, groups: dict, stage_only: str = "") -> dict:
        from tasklib.msi import BUILD_DIR
        from tasklib.rollout import rollout_extra

        hosts = "workstations" if stage_only else self.options.department
        extra = rollout_extra(CLIENT_VERSION, force=True).split()
        extra += ["-e", f"client_software_release_dir={BUILD_DIR}", "-e", f"client_rollout_hosts={hosts}"]
        if stage_only:
            extra += ["-e", "client_rollout_install=false"]
        return self.run(
            stage_only or "rollout", self.playbook("client_rollout.yml", inventory, *extra), lab, groups
        )

    # -- the benchmarks -----------------------------------------------------------------------------
    def fleet(self, fleet: LabFleet) -> dict:
        from tasklib.msi import BUILD_DIR, build_client_packages

        manifest = build_client_packages(BUILD_DIR, (CLIENT_VERSION,))[CLIENT_VERSION]
        hosts, limits = self.scope(fleet)
        jobs: dict[str, list[dict]] = {
            key: [] for key in ("dhcp_empty", "dhcp_nochange", "daily", "baseline", "base_setup", "rollout")
        }
        transfers: list[dict] = []
        # The fleet takes in the switches too (the daily check's relay checks), on the switch lab.
        fleet_scale = self.options.scale == "fleet"
        switches: list[int] = []
        for repetition in range(1, self.options.repetitions + 1):
            self.log(
                f"==> fleet, run {repetition}/{self.options.repetitions}: a fresh lab of {len(hosts)} host(s)"
            )
            bench = self.fresh_lab(fleet, hosts, self.options.work / "lab", switches=fleet_scale)
            with bench as lab:
                switches.append(len(bench.switch_names))
                inventory = self.options.work / "lab" / "inventory"
                dhcp = self.playbook("dhcp.yml", inventory, "-l", limits["dhcp"])
                jobs["dhcp_empty"].append(self.run("dhcp-empty", dhcp, lab, fleet.groups))
                jobs["dhcp_nochange"].append(self.run("dhcp-nochange", dhcp, lab, fleet.groups))
                jobs["daily"].append(self.daily("daily", inventory, limits, lab, fleet.groups))
                jobs["baseline"].append(
                    self.run("baseline", self.baseline(inventory, limits["baseline"]), lab, fleet.groups)
                )
                # The base servers' shares and FTP site, which the rollout stages through.
                jobs["base_setup"].append(
                    self.run("base-servers", self.playbook("base_servers.yml", inventory), lab, fleet.groups)
                )
                for name in lab.runtimes:
                    lab.reset_transfers(name)
                jobs["rollout"].append(self.rollout(inventory, lab, fleet.groups))
                transfers.append(self._ftp(lab, fleet))
        return {
            "scale": self.options.scale,
            "department": self.options.department,
            "hosts": _count_groups(hosts),
            # The simulated switches the daily check read, per run.
            "switches": switches,
            # Every Windows host of the site inventory's lab: the full fleet's size.
            "fleet_hosts": len(fleet.hosts),
            "limits": limits,
            "jobs": jobs,
            "rollout_transfers": transfers,
            "package_bytes": int(manifest["size"]),
            "speedup": stats.paired_ratios(
                [item["measurement"]["wall"] for item in jobs["baseline"]],
                [item["measurement"]["wall"] for item in jobs["daily"]],
            ),
        }

    @staticmethod
    def _ftp(lab, fleet: LabFleet) -> dict:
        """The base servers' FTP bytes since the last reset: received (staging) and sent (fetches),
        and the files each received."""
        received = sent = 0
        files: dict[str, dict[str, int]] = {}
        for name, group in fleet.groups.items():
            if group == "base_servers" and name in lab.runtimes:
                report = lab.transfers(name)
                received += report["bytes_received"]
                sent += report["bytes_sent"]
                for item in report["transfers"]:
                    if item["direction"] == "received":
                        files.setdefault(name, {})[item["path"]] = item["bytes"]
        return {"base_servers_received": received, "base_servers_sent": sent, "received_files": files}

    def wan(self, fleet: LabFleet) -> dict:
        """Staging one release on every base server (the whole fleet's regions), FTP bytes counted."""
        from tasklib.msi import BUILD_DIR, build_client_packages

        manifest = build_client_packages(BUILD_DIR, (CLIENT_VERSION,))[CLIENT_VERSION]
        bases = [host for host in fleet.hosts if host.group == "base_servers"]
        self.log(f"==> wan: stage {CLIENT_VERSION} on the {len(bases)} base server(s)")
        stations = [host for host in fleet.hosts if host.group == "workstations"]
        # The rollout needs the workstations in the inventory, not in the lab: staging contacts none.
        with self.fresh_lab(fleet, bases, self.options.work / "lab") as lab:
            self.run(
                "wan-base-servers", self.playbook("base_servers.yml", self.options.work / "lab" / "inventory")
            )
            for name in lab.runtimes:
                lab.reset_transfers(name)
            entry = self.rollout(
                self.options.work / "lab" / "inventory", lab, fleet.groups, stage_only="stage"
            )
            entry["ftp"] = self._ftp(lab, fleet)
        return {
            "package_bytes": int(manifest["size"]),
            "base_servers": len(bases),
            "workstations": len(stations),
            "stage": entry,
        }

    def latency(self, fleet: LabFleet) -> dict:
        department = self.options.department
        members = set(fleet.departments.get(department, []))
        hosts = [host for host in fleet.hosts if host.name in members or host.group == "base_servers"]
        limits = {"daily": f"{department}:base_servers:localhost:!switches"}
        limits["baseline"] = limits["daily"].replace(":localhost", "")
        result: dict = {"hosts": _count_groups(hosts), "delays": {}}
        with self.fresh_lab(fleet, hosts, self.options.work / "lab") as lab:
            inventory = self.options.work / "lab" / "inventory"
            # The DHCP servers get their scopes first, so that the checks find what they look for.
            self.run(
                "latency-dhcp", self.playbook("dhcp.yml", inventory, "-l", f"{department}:&dhcp_servers")
            )
            # Each run takes every delay in turn, so that the ratios to 0 ms are taken side by side.
            runs = {str(delay): {"daily": [], "baseline": []} for delay in DELAYS}
            for repetition in range(1, self.options.slow_repetitions + 1):
                for delay in DELAYS:
                    lab.set_reply_delay(delay)
                    self.log(f"==> latency, run {repetition}: {delay * 1000:.0f} ms per reply")
                    runs[str(delay)]["daily"].append(
                        self.daily(f"latency-{delay}", inventory, limits, lab, fleet.groups)
                    )
                    runs[str(delay)]["baseline"].append(
                        self.run(
                            f"latency-baseline-{delay}",
                            self.baseline(inventory, limits["baseline"]),
                            lab,
                            fleet.groups,
                        )
                    )
            result["delays"] = runs
        return result

    def growth(self) -> dict:
        from tasklib.sites import write_scaled_sites

        result: dict = {"factors": {}}
        for factor in self.options.factors:
            self.log(f"==> growth: {factor}x the real departments")
            folder = self.options.work / f"sites-{factor}x"
            config = write_scaled_sites(factor, folder)
            entry: dict = {}
            entry["inventory"] = [
                self.run(f"inventory-{factor}x", ["ansible-inventory", "-i", str(config), "--list"])
                for _ in range(self.options.repetitions)
            ]
            started = time.perf_counter()
            fleet = lab_fleet(config, folder)
            entry["lab_hosts_seconds"] = time.perf_counter() - started
            entry["hosts"] = _count_groups(fleet.hosts)
            lab_config_path = self._lab_config(fleet, folder)
            entry["lab_start"] = [
                self.run(
                    f"lab-start-{factor}x",
                    [sys.executable, "-m", "benchmarks.probe", "lab-start", str(lab_config_path)],
                )
                for _ in range(self.options.repetitions)
            ]
            report = self._latest_report()
            if report is not None:
                entry["render"] = [
                    self.run(
                        f"render-{factor}x",
                        [
                            sys.executable,
                            "-m",
                            "benchmarks.probe",
                            "render",
                            str(report),
                            str(factor),
                            str(folder / "reports"),
                        ],
                    )
                    for _ in range(self.options.repetitions)
                ]
                entry["report_hosts"] = factor * len(json.loads(report.read_text(encoding="utf-8"))["hosts"])
            # The daily check of one department, against the inventory of this size.
            members = set(fleet.departments.get(self.options.department, []))
            hosts = [host for host in fleet.hosts if host.name in members or host.group == "base_servers"]
            limits = {"daily": f"{self.options.department}:base_servers:localhost:!switches"}
            with self.fresh_lab(fleet, hosts, folder / "lab") as lab:
                inventory = folder / "lab" / "inventory"
                entry["daily_department"] = [
                    self.daily(f"daily-{factor}x", inventory, limits, lab, fleet.groups)
                    for _ in range(self.options.slow_repetitions)
                ]
            result["factors"][str(factor)] = entry
        return result

    @staticmethod
    def _lab_config(fleet: LabFleet, folder: Path) -> Path:
        from benchmarks.lab import FTP_GROUPS
        from winlab.inventory import lab_config

        config = lab_config(fleet.hosts, folder / "lab-start", "Lab-growth-only", ftp_groups=FTP_GROUPS)
        config["https"] = False
        path = folder / "lab-start.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        path.chmod(0o600)
        return path

    def _latest_report(self) -> Path | None:
        found = sorted((self.options.work / "reports").glob("*/daily_check-*/report.json"))
        return found[-1] if found else None


def _count_groups(hosts) -> dict[str, int]:
    counts: dict[str, int] = {}
    for host in hosts:
        counts[host.group] = counts.get(host.group, 0) + 1
    return counts


def settings(options: Options) -> dict:
    """The settings the jobs ran with."""
    return {
        "forks": options.forks,
        "strategy": "linear (Ansible's default; ansible.cfg sets none)",
        "connection": "no Ansible connection plugin: the roles' action plugins talk WinRM (pywinrm, NTLM "
        "with message encryption over HTTP) from the controller, one WinRM shell per task for all its "
        "commands "
        "(plugin_utils/winrm_command.py), a new HTTP connection and NTLM logon per task",
        "pipelining": "not applicable (no module is copied to the Windows hosts)",
        "windows_version": "as the site inventory gives it; where it gives none, "
        "found by the first job of each fresh lab and remembered on the controller for the later ones "
        "(winrm_command.FamilyMemory, forgotten at each fresh lab)",
        "service_start_delay": "1.5 s (tasklib/lab.py SERVICE_START_DELAY)",
        "lab": "winlab in the benchmark's process, plain HTTP, on the same machine as the controller",
    }


def run_all(options: Options) -> dict:
    """Every benchmark asked for; the results, also written to `options.work`/results.json."""
    runner = Runner(options)
    started = datetime.now(UTC)
    results: dict = {
        "started": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": settings(options),
    }
    results["options"] = {
        "benchmarks": list(options.benchmarks),
        "repetitions": options.repetitions,
        "slow_repetitions": options.slow_repetitions,
        "scale": options.scale,
        "department": options.department,
        "factors": list(options.factors),
    }
    fleet = lab_fleet(options.sites_config, options.work) if set(options.benchmarks) - {"growth"} else None
    for name in BENCHMARKS:
        if name in options.benchmarks:
            method = getattr(runner, name)
            results[name] = method() if name == "growth" else method(fleet)
            _write(options.work / "results.json", results)
    results["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["machine"]["load_after"] = os.getloadavg()
    _write(options.work / "results.json", results)
    return results


def _write(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")


__all__ = ["BENCHMARKS", "Measurement", "Options", "run_all"]
