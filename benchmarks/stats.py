"""The benchmarks' statistics: min/median/max of repeated runs, ratios taken run by run, per-host
counter summaries, and whether a cost grows no faster than the fleet."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def summary(values: Iterable[float]) -> dict[str, float]:
    """{"min", "median", "max", "n"} of the values; a ValueError for none."""
    numbers = sorted(float(value) for value in values)
    if not numbers:
        raise ValueError("no values to summarise")
    return {"min": numbers[0], "median": statistics.median(numbers), "max": numbers[-1], "n": len(numbers)}


def paired_ratios(numerators: Sequence[float], denominators: Sequence[float]) -> list[float]:
    """numerator[i] / denominator[i] for runs made side by side (run i of each, back to back), so
    that a machine that drifts between runs moves both halves of a ratio alike."""
    if len(numerators) != len(denominators):
        raise ValueError(f"{len(numerators)} run(s) against {len(denominators)}: pair them run by run")
    if any(value <= 0 for value in denominators):
        raise ValueError("a ratio's denominator must be positive")
    return [float(top) / float(bottom) for top, bottom in zip(numerators, denominators, strict=True)]


COUNTERS = ("commands", "requests", "bytes_sent", "bytes_received", "connections", "open_shells")


def host_figures(counters: Mapping[str, Any]) -> dict[str, int]:
    """One host's winlab counters (`Lab.counters(name)`) as the figures the tables show."""
    return {
        "commands": int(counters.get("operations", {}).get("Command", 0)),
        "requests": int(counters.get("requests", 0)),
        "bytes_sent": int(counters.get("bytes_sent", 0)),
        "bytes_received": int(counters.get("bytes_received", 0)),
        "connections": int(counters.get("connections", 0)),
        "open_shells": int(counters.get("open_shells", 0)),
    }


def per_group(counters: Mapping[str, Mapping[str, Any]], groups: Mapping[str, str]) -> dict[str, dict]:
    """Per group of hosts (dhcp_servers, base_servers, workstations): how many hosts the run reached
    (at least one HTTP request), and each counter's min/median/max over them and its total.

    `counters`: {host: Lab.counters(host)}; `groups`: {host: group}; hosts of no group are left out.
    """
    figures: dict[str, list[dict[str, int]]] = {}
    for host, values in counters.items():
        group = groups.get(host)
        figures_of_host = host_figures(values)
        if group is None or not figures_of_host["requests"]:
            continue
        figures.setdefault(group, []).append(figures_of_host)
    result = {}
    for group, rows in sorted(figures.items()):
        result[group] = {"hosts": len(rows)}
        for name in COUNTERS:
            column = [row[name] for row in rows]
            result[group][name] = {**summary(column), "total": sum(column)}
    return result


def growth(sizes: Sequence[float], values: Sequence[float]) -> dict[str, float]:
    """How a cost grows with the fleet, from its smallest to its largest size: `size_ratio` and
    `cost_ratio` (largest over smallest), `exponent` (the log-log slope: 1 is linear, 2 quadratic)
    and `per_unit` (cost per unit of size, largest over smallest: at most about 1 when linear)."""
    if len(sizes) != len(values) or len(sizes) < 2:
        raise ValueError("growth needs two sizes or more, each with its value")
    pairs = sorted(zip(sizes, values, strict=True))
    (small, first), (large, last) = pairs[0], pairs[-1]
    if small <= 0 or large <= small or first <= 0:
        raise ValueError("growth needs positive, distinct sizes and a positive first value")
    size_ratio, cost_ratio = large / small, last / first
    return {
        "size_ratio": size_ratio,
        "cost_ratio": cost_ratio,
        "exponent": math.log(cost_ratio) / math.log(size_ratio) if cost_ratio > 0 else 0.0,
        "per_unit": cost_ratio / size_ratio,
    }


def at_most_linear(result: Mapping[str, float], slack: float = 1.25) -> bool:
    """Whether a `growth` result is no worse than linear: the cost per unit of size at the largest
    fleet is at most `slack` times the smallest's (a shared machine's noise needs some)."""
    return result["per_unit"] <= slack
