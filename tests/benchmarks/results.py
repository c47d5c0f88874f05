"""Summaries of timings, the printed tables and the JSON files under var/bench/."""

from __future__ import annotations

import json
import platform
import statistics
import subprocess
from datetime import UTC, datetime

from tests.benchmarks.database import BASE_DIR, BENCH_DIR


def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def summary(seconds: list[float]) -> dict[str, float | int]:
    return {
        "runs": len(seconds),
        "median_s": statistics.median(seconds),
        "p95_s": percentile(seconds, 0.95),
        "p99_s": percentile(seconds, 0.99),
        "min_s": min(seconds),
        "max_s": max(seconds),
        "mean_s": statistics.fmean(seconds),
    }


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain text table: first column left-aligned, the others right-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        first, *rest = cells
        return "  ".join(
            [first.ljust(widths[0]), *(cell.rjust(width) for cell, width in zip(rest, widths[1:], strict=True))]
        )

    return "\n".join([line(headers), "  ".join("-" * width for width in widths), *(line(row) for row in rows)])


def seconds(value: float) -> str:
    return f"{value:.3f} s"


def milliseconds(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine(*, postgres: str) -> dict[str, str | int]:
    import os

    return {
        "cpus": os.cpu_count() or 0,
        "load_average_1_5_15_at_start": list(os.getloadavg()),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "postgresql": postgres,
        "commit": _git_commit(),
    }


def write(name: str, *, parameters: dict, results: dict, machine_info: dict) -> str:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"{name}.json"
    document = {
        "benchmark": name,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info,
        "parameters": parameters,
        "results": results,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return str(path.relative_to(BASE_DIR))
