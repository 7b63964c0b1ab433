"""The benchmark's report from results.json: Markdown tables, the verdict on each target of the fleet
benchmarks (met or missed, with the figure that decides it), and a plot of time against fleet size
rendered as SVG from a Jinja2 template (templates/growth.svg.j2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from benchmarks import stats

TEMPLATES = Path(__file__).resolve().parent / "templates"
JOB_TITLES = {
    "dhcp_empty": "(c) dhcp.yml, empty hosts",
    "dhcp_nochange": "(b) dhcp.yml, nothing to change",
    "daily": "(a) daily_check.yml",
    "baseline": "baseline of (a): one shell and command per item",
    "base_setup": "base_servers.yml (set-up for the rollout)",
    "rollout": "(d) client_rollout.yml, one department",
}
GROUPS = ("dhcp_servers", "base_servers", "workstations")
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")


def _mmm(values: list[float], digits: int = 1, scale: float = 1.0) -> str:
    """ "median (min–max)" of the values."""
    if not values:
        return "–"
    summary = stats.summary(value * scale for value in values)
    return f"{summary['median']:.{digits}f} ({summary['min']:.{digits}f}–{summary['max']:.{digits}f})"


def _figure(runs: list[dict], key: str) -> list[float]:
    return [run["measurement"][key] for run in runs if "measurement" in run]


def _inside(runs: list[dict]) -> list[float]:
    """The time of the piece itself where its probe timed it (the lab's start, the report's merge
    and writing: without the interpreter's start), else the process's wall time."""
    values = []
    for run in runs:
        reported = run.get("reported") or {}
        if "start" in reported:
            values.append(reported["start"])
        elif "merge" in reported:
            values.append(reported["merge"] + reported["write"])
        else:
            values.append(run["measurement"]["wall"])
    return values


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def _counter(runs: list[dict], group: str, name: str) -> list[float]:
    """A counter's per-host median of each run."""
    return [run["counters"][group][name]["median"] for run in runs if group in run.get("counters", {})]


def _counter_max(runs: list[dict], group: str, name: str) -> float | None:
    values = [run["counters"][group][name]["max"] for run in runs if group in run.get("counters", {})]
    return max(values) if values else None


def job_rows(jobs: dict[str, list[dict]]) -> list[list[Any]]:
    rows = []
    for key, runs in jobs.items():
        recap = runs[-1].get("recap", {}) if runs else {}
        rows.append(
            [
                JOB_TITLES.get(key, key),
                len(runs),
                _mmm(_figure(runs, "wall")),
                _mmm(_figure(runs, "cpu")),
                _mmm(_figure(runs, "lab_cpu")),
                _mmm(_figure(runs, "peak_kb"), 0, 1 / 1024),
                f"{recap.get('hosts', '–')} / {recap.get('changed', '–')} / {recap.get('failed', '–')}",
                ", ".join(str(run["measurement"]["rc"]) for run in runs),
            ]
        )
    return rows


def _with_max(runs: list[dict], group: str, name: str) -> str:
    return f"{_mmm(_counter(runs, group, name), 0)}, max {_counter_max(runs, group, name):.0f}"


def counter_rows(jobs: dict[str, list[dict]]) -> list[list[Any]]:
    rows = []
    for key, runs in jobs.items():
        for group in GROUPS:
            if not _counter(runs, group, "requests"):
                continue
            hosts = runs[-1]["counters"][group]["hosts"]
            rows.append(
                [
                    JOB_TITLES.get(key, key),
                    group,
                    hosts,
                    _with_max(runs, group, "commands"),
                    _with_max(runs, group, "requests"),
                    _mmm(_counter(runs, group, "bytes_received"), 0),
                    _mmm(_counter(runs, group, "bytes_sent"), 0),
                    _mmm(_counter(runs, group, "connections"), 0),
                    max(run.get("open_shells", 0) for run in runs),
                ]
            )
    return rows


def _switches(fleet: dict) -> str:
    """The switch lab's part of the fleet benchmark: how many simulated switches each run read."""
    counts = sorted(set(fleet.get("switches") or []))
    if not counts or counts == [0]:
        return " (no switch: the switch lab was not started)"
    return f", and {'/'.join(map(str, counts))} simulated switch(es) (switchlab, a process of its own)"


def _hosts(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {group}" for group, count in counts.items())


def _med(values: list[float]) -> float:
    return stats.summary(values)["median"] if values else float("nan")


def targets(results: dict) -> list[tuple[str, bool | None, str]]:
    """(target, met or missed or None when not measured, the figures)."""
    verdicts: list[tuple[str, bool | None, str]] = []
    fleet = results.get("fleet")
    if fleet:
        jobs = fleet["jobs"]
        nochange = jobs["dhcp_nochange"]
        commands = _counter_max(nochange, "dhcp_servers", "commands")
        requests = _counter_max(nochange, "dhcp_servers", "requests")
        shells = max(run.get("open_shells", 0) for run in nochange)
        verdicts.append(
            (
                "no-change dhcp.yml: one WinRM command per DHCP server, at most 7 HTTP requests, "
                "no shell left open",
                commands == 1 and requests is not None and requests <= 7 and shells == 0,
                f"at most {commands:.0f} command(s) and {requests:.0f} request(s) per DHCP server; "
                f"{shells} shell(s) left open",
            )
        )
        daily = jobs["daily"]
        worst = {group: _counter_max(daily, group, "commands") for group in GROUPS}
        ok = all(
            value is None or value <= (2 if group == "workstations" else 1) for group, value in worst.items()
        )
        verdicts.append(
            (
                "daily check: one WinRM command per host for its own checks, plus at most one cross-host",
                ok,
                "; ".join(
                    f"{group}: at most {value:.0f}" for group, value in worst.items() if value is not None
                ),
            )
        )
        speedup = stats.summary(fleet["speedup"])
        verdicts.append(
            (
                "daily check at least 5x faster than the baseline in the same run",
                speedup["median"] >= 5,
                f"baseline / daily check wall time, run by run: median {speedup['median']:.2f} "
                f"({speedup['min']:.2f}–{speedup['max']:.2f}) on {sum(fleet['hosts'].values())} hosts",
            )
        )
        wall = _med(_figure(daily, "wall"))
        hosts = sum(fleet["hosts"].values())
        if fleet["scale"] == "fleet":
            verdicts.append(("daily check of the full fleet under 60 s", wall < 60, f"median {wall:.1f} s"))
        else:
            per_host = wall / hosts
            whole = fleet.get("fleet_hosts", 0)
            verdicts.append(
                (
                    "daily check of the full fleet under 60 s",
                    None if per_host * whole < 60 else False,
                    f"measured on {hosts} hosts only: median {wall:.1f} s, {per_host:.2f} s per host, "
                    f"about {per_host * whole:.0f} s for the fleet's {whole} Windows hosts at that rate",
                )
            )
    latency = results.get("latency")
    if latency:
        delays = latency["delays"]
        ratios = stats.paired_ratios(
            _figure(delays["0.2"]["daily"], "wall"), _figure(delays["0.0"]["daily"], "wall")
        )
        ratio = stats.summary(ratios)
        verdicts.append(
            (
                "daily check at 200 ms emulated RTT no more than 2x slower than at 0 ms",
                ratio["median"] <= 2,
                f"median {_med(_figure(delays['0.2']['daily'], 'wall')):.1f} s against "
                f"{_med(_figure(delays['0.0']['daily'], 'wall')):.1f} s; run by run "
                f"{ratio['median']:.2f}x ({ratio['min']:.2f}–{ratio['max']:.2f})",
            )
        )
    growth = results.get("growth")
    if growth:
        span = _span(growth)
        for label, verdict, detail in growth_verdicts(growth):
            verdicts.append((f"growth {span} no worse than linear: {label}", verdict, detail))
    wan = results.get("wan")
    if wan:
        verdicts.append(staging_verdict(wan))
    return verdicts


def staging_verdict(wan: dict) -> tuple[str, bool, str]:
    """Met when every base server received the same files once, the package among them, and the
    bytes are those files' size x the base servers (not x the workstations)."""
    ftp = wan["stage"]["ftp"]
    staged = ftp["base_servers_received"]
    files = ftp.get("received_files", {})
    sets = {tuple(sorted(received.items())) for received in files.values()}
    per_server = sum(dict(next(iter(sets))).values()) if len(sets) == 1 else 0
    package = wan["package_bytes"]
    others = per_server - package
    ok = (
        len(files) == wan["base_servers"]
        and len(sets) == 1
        and package in dict(next(iter(sets))).values()
        and staged == per_server * wan["base_servers"]
    )
    detail = (
        f"{staged:,} bytes received by {len(files)} of {wan['base_servers']} base servers: "
        f"{per_server:,} each (the package, {package:,}, and {others:,} of its manifest) x "
        f"{wan['base_servers']}; from head office to every workstation it would be "
        f"{package * wan['workstations']:,} ({package:,} x {wan['workstations']})"
        if len(sets) == 1
        else f"{staged:,} bytes; the base servers did not all receive the same files: {files}"
    )
    return ("staging: bytes over the WAN = package size x base servers", ok, detail)


# The pieces the growth benchmark times, and their labels.
PIECES = (
    ("inventory", "ansible-inventory --list"),
    ("lab_start", "lab start"),
    ("render", "report merge and writing (a department x N)"),
    ("daily_department", "daily check of one department"),
)


def _by_size(growth: dict, figure) -> dict[str, list[tuple[int, float]]]:
    """(hosts, median of `figure(runs)`) per piece of PIECES, by fleet size."""
    series: dict[str, list[tuple[int, float]]] = {}
    for _factor, entry in sorted(growth["factors"].items(), key=lambda item: int(item[0])):
        hosts = sum(entry["hosts"].values())
        for key, label in PIECES:
            if entry.get(key):
                series.setdefault(label, []).append((hosts, _med(figure(entry[key]))))
    return series


def growth_series(growth: dict) -> dict[str, list[tuple[int, float]]]:
    """(hosts, median seconds) per measured piece, by fleet size."""
    return _by_size(growth, _inside)


def _factors(growth: dict) -> list[int]:
    return sorted(int(factor) for factor in growth["factors"])


def _span(growth: dict) -> str:
    """The sizes the growth benchmark ran at, smallest to largest: "1x → 16x"."""
    factors = _factors(growth)
    return f"{factors[0]}x → {factors[-1]}x" if factors else "(no sizes)"


def growth_verdicts(growth: dict) -> list[tuple[str, bool, str]]:
    verdicts = []
    memory = _by_size(growth, lambda runs: _figure(runs, "peak_kb"))
    memory.pop("daily check of one department", None)
    for label, points in growth_series(growth).items():
        if len(points) < 2:
            continue
        if label == "daily check of one department":
            # The same hosts each time: only the inventory under it grows.
            continue
        result = stats.growth([point[0] for point in points], [point[1] for point in points])
        verdicts.append(
            (
                f"{label}, time",
                stats.at_most_linear(result),
                f"{result['size_ratio']:.1f}x the hosts, {result['cost_ratio']:.1f}x the time "
                f"(exponent {result['exponent']:.2f})",
            )
        )
    for label, points in memory.items():
        if len(points) < 2:
            continue
        result = stats.growth([point[0] for point in points], [point[1] for point in points])
        verdicts.append(
            (
                f"{label}, peak memory",
                stats.at_most_linear(result),
                f"{result['size_ratio']:.1f}x the hosts, {result['cost_ratio']:.1f}x the memory",
            )
        )
    return verdicts


def plot(growth: dict) -> str:
    """Time against fleet size (hosts), one line per measured piece, as SVG."""
    series = growth_series(growth)
    width, height, left, right, top, bottom = 900, 380, 70, 520, 40, 330
    points = [point for values in series.values() for point in values]
    x_max = max((point[0] for point in points), default=1) or 1
    y_max = max((point[1] for point in points), default=1) or 1
    y_max = _nice(y_max)

    def x(value: float) -> float:
        return round(left + (right - left) * value / x_max, 1)

    def y(value: float) -> float:
        return round(bottom - (bottom - top) * value / y_max, 1)

    lines = [
        {
            "label": label,
            "colour": COLOURS[index % len(COLOURS)],
            "points": [
                {"x": x(hosts), "y": y(value), "value": f"{hosts} hosts, {value:.2f} s"}
                for hosts, value in values
            ],
        }
        for index, (label, values) in enumerate(series.items())
    ]
    x_ticks = [{"at": x(hosts), "label": str(hosts)} for hosts in sorted({point[0] for point in points})]
    y_ticks = [{"at": y(y_max * step / 5), "label": f"{y_max * step / 5:g} s"} for step in range(6)]
    environment = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=True)
    return environment.get_template("growth.svg.j2").render(
        title="Time against fleet size (median of the runs)",
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        lines=lines,
        x_label="emulated Windows hosts in the inventory "
        f"({', '.join(f'{factor}x' for factor in _factors(growth))} the departments)",
        y_label="seconds",
    )


def _nice(value: float) -> float:
    """The round number at or above `value` that an axis ends on (1, 2 or 5 times a power of ten)."""
    power = 10 ** len(str(int(value))) / 10 if value >= 1 else 1
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def markdown(results: dict, plot_name: str = "growth.svg") -> str:
    machine = results["machine"]
    options = results["options"]
    lines = [
        "# Benchmark results",
        "",
        f"Measured {results['started']} to {results.get('finished', '?')} on {machine['cpus']} CPU(s) "
        f"({machine['cpu_model']}), {machine['memory_gib']} GiB, {machine['system']}, "
        f"Python {machine['python']}; "
        f"load average before {', '.join(f'{value:.2f}' for value in machine['load_before'])}"
        + (
            f", after {', '.join(f'{value:.2f}' for value in machine['load_after'])}"
            if "load_after" in machine
            else ""
        )
        + ".",
        "",
        f"Options: {', '.join(options['benchmarks'])}; {options['repetitions']} run(s) of each measured "
        f"command ({options.get('slow_repetitions', 1)} of the latency and growth daily checks); "
        f"scale {options['scale']}"
        f" ({options['department']}); growth factors {', '.join(str(f) for f in options['factors'])}.",
        "",
        "Settings: " + "; ".join(f"{key}: {value}" for key, value in results["settings"].items()) + ".",
        "",
        "Times are wall seconds, median (min–max) over the runs; controller CPU is the user and system time",
        "of the measured process and the processes it waited for (Ansible's forks); lab CPU is winlab's",
        "(the benchmark's own process); peak memory is the largest resident set among the measured",
        "processes.",
        "",
    ]
    fleet = results.get("fleet")
    if fleet:
        lines += [
            "## Fleet jobs",
            "",
            f"Hosts in the lab: {_hosts(fleet['hosts'])}{_switches(fleet)}; limits "
            + "; ".join(f"{key}: `{value}`" for key, value in fleet["limits"].items())
            + ". Every run starts from a fresh lab: (c), (b), (a) and its baseline, the base servers' "
            "set-up, (d).",
            "",
        ]
        lines += _table(
            [
                "job",
                "runs",
                "wall s",
                "controller CPU s",
                "lab CPU s",
                "peak MB",
                "hosts / changed / failed",
                "exit",
            ],
            job_rows(fleet["jobs"]),
        )
        lines += [
            "",
            "### Per host (winlab's counters; median of the runs' per-host medians, min–max over runs)",
            "",
        ]
        lines += _table(
            [
                "job",
                "group",
                "hosts",
                "WinRM commands",
                "HTTP requests",
                "bytes to host",
                "bytes from host",
                "TCP connections",
                "shells left open",
            ],
            counter_rows(fleet["jobs"]),
        )
        speedup = stats.summary(fleet["speedup"])
        lines += [
            "",
            f"Speed-up of the daily check over its baseline (baseline wall / daily check wall, run by run): "
            f"median {speedup['median']:.2f}, min {speedup['min']:.2f}, max {speedup['max']:.2f}.",
            "",
        ]
    wan = results.get("wan")
    if wan or fleet:
        lines += ["## WAN bytes", ""]
        rows = []
        if wan:
            size = wan["package_bytes"]
            staged = wan["stage"]["ftp"]["base_servers_received"]
            rows.append(
                [
                    f"stage one release on every base server (measured, {wan['base_servers']} base servers)",
                    f"{staged:,}",
                ]
            )
            rows.append(
                [
                    "every workstation fetching it from head office "
                    f"(computed: {size:,} x {wan['workstations']})",
                    f"{size * wan['workstations']:,}",
                ]
            )
        if fleet and fleet["rollout_transfers"]:
            fetched = [item["base_servers_sent"] for item in fleet["rollout_transfers"]]
            rows.append(
                [
                    "the rollout's workstations fetching it from their base server "
                    f"(measured, {options['department']})",
                    f"{_med(fetched):,.0f}",
                ]
            )
        if fleet:
            for group in GROUPS:
                values = _counter(fleet["jobs"]["daily"], group, "bytes_received")
                sent = _counter(fleet["jobs"]["daily"], group, "bytes_sent")
                if values:
                    rows.append(
                        [
                            f"WinRM HTTP bytes of a daily check per {group[:-1]} (to / from the host)",
                            f"{_med(values):,.0f} / {_med(sent):,.0f}",
                        ]
                    )
        lines += [*_table(["what", "bytes"], rows), ""]
    latency = results.get("latency")
    if latency:
        lines += ["## Latency (emulated round trip per HTTP reply)", ""]
        base = latency["delays"]["0.0"]
        rows = []
        for delay, runs in latency["delays"].items():
            daily, baseline = _figure(runs["daily"], "wall"), _figure(runs["baseline"], "wall")
            rows.append(
                [
                    f"{float(delay) * 1000:.0f} ms",
                    _mmm(daily),
                    f"{_mmm(stats.paired_ratios(daily, _figure(base['daily'], 'wall')), 2)}x",
                    _mmm(baseline),
                    f"{_mmm(stats.paired_ratios(baseline, _figure(base['baseline'], 'wall')), 2)}x",
                ]
            )
        lines += [
            f"On {', '.join(f'{count} {group}' for group, count in latency['hosts'].items())}.",
            "",
        ]
        requests = {
            kind: ", ".join(
                f"{group} {_med(_counter(base[kind], group, 'requests')):.0f}"
                for group in GROUPS
                if _counter(base[kind], group, "requests")
            )
            for kind in ("daily", "baseline")
        }
        lines += [
            *_table(
                ["delay", "daily check s", "vs 0 ms, run by run", "baseline s", "vs 0 ms, run by run"], rows
            ),
            "",
            f"HTTP requests per host, each paying the delay once: daily check {requests['daily'] or '–'}; "
            f"baseline {requests['baseline'] or '–'}.",
            "",
        ]
    growth = results.get("growth")
    if growth:
        lines += ["## Growth", "", f"![time against fleet size]({plot_name})", ""]
        rows = []
        for factor, entry in sorted(growth["factors"].items(), key=lambda item: int(item[0])):
            rows.append(
                [
                    f"{factor}x",
                    ", ".join(f"{count} {group}" for group, count in entry["hosts"].items()),
                    _mmm(_figure(entry["inventory"], "wall")),
                    _mmm(_figure(entry["inventory"], "peak_kb"), 0, 1 / 1024),
                    f"{_mmm(_inside(entry['lab_start']), 2)} ({_mmm(_figure(entry['lab_start'], 'wall'))})",
                    _mmm(_figure(entry["lab_start"], "peak_kb"), 0, 1 / 1024),
                    f"{entry.get('report_hosts', '–')}: {_mmm(_inside(entry.get('render', [])), 2)}",
                    _mmm(_figure(entry.get("render", []), "peak_kb"), 0, 1 / 1024),
                    _mmm(_figure(entry["daily_department"], "wall")),
                ]
            )
        lines += _table(
            [
                "size",
                "hosts",
                "ansible-inventory --list s",
                "its peak MB",
                "lab start s (process s)",
                "its peak MB",
                "report merge and writing: hosts, s",
                "its peak MB",
                "daily check of one department s",
            ],
            rows,
        )
        lines += [""]
    lines += ["## Targets", ""]
    lines += _table(
        ["target", "verdict", "figures"],
        [
            [name, {True: "met", False: "**missed**", None: "not measured"}[verdict], detail]
            for name, verdict, detail in targets(results)
        ],
    )
    return "\n".join(lines) + "\n"


def write(results: dict, folder: Path) -> list[Path]:
    """RESULTS.md (and growth.svg, when growth was measured) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if results.get("growth"):
        svg = folder / "growth.svg"
        svg.write_text(plot(results["growth"]), encoding="utf-8")
        written.append(svg)
    path = folder / "RESULTS.md"
    path.write_text(markdown(results), encoding="utf-8")
    written.append(path)
    return written
