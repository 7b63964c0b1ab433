"""`./run bench`: the fleet benchmarks (benchmarks/README.md); not part of `./run test`.

    ./run bench                                        every benchmark on one department, 3 runs each
    ./run bench --scale fleet                          the fleet jobs on every host of the site inventory
    ./run bench --only fleet,latency --repetitions 1   some benchmarks, one run each
    ./run bench --factors 1,4                          the growth benchmark at 1x and 4x only

Writes build/bench/results.json, then build/bench/RESULTS.md and build/bench/growth.svg from it
(`./run bench --render` renders them again from the JSON without running anything).
"""

from __future__ import annotations

from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "bench"


@task(
    help={
        "only": "Comma-separated benchmarks: fleet, wan, latency, growth (default: all).",
        "repetitions": "Runs of each measured command (default 3).",
        "slow_repetitions": "Runs of the latency benchmark's and the growth's daily checks (default 1).",
        "scale": "fleet (every host) or department (its hosts and the base servers; default).",
        "department": "The department group of the department scale (default cuc_bac_ninh).",
        "factors": "Comma-separated fleet sizes of the growth benchmark (default 1,4,16).",
        "forks": "Ansible forks, and the baseline's parallel hosts (default 20).",
        "render": "Only render build/bench/results.json again.",
    },
)
def bench(
    c,
    only="",
    repetitions=3,
    slow_repetitions=1,
    scale="department",
    department="cuc_bac_ninh",
    factors="1,4,16",
    forks=20,
    render=False,
):
    """Measure the daily check, the DHCP job and a client rollout on the lab, and how they grow."""
    import json

    from benchmarks import render as rendering
    from benchmarks.run import BENCHMARKS, Options, run_all

    results_path = WORK / "results.json"
    if render:
        results = json.loads(results_path.read_text(encoding="utf-8"))
    else:
        options = Options(
            benchmarks=tuple(name.strip() for name in only.split(",") if name.strip()) or BENCHMARKS,
            repetitions=int(repetitions),
            slow_repetitions=int(slow_repetitions),
            scale=scale,
            department=department,
            factors=tuple(int(factor) for factor in str(factors).split(",") if factor.strip()),
            forks=int(forks),
            work=WORK,
        )
        results = run_all(options)
    written = rendering.write(results, WORK)
    print(f"==> results: {results_path}; {', '.join(str(path) for path in written)}")
