"""The bench's results as Markdown: one table of servers with ratios to the baseline, and the targets."""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.load import LoadResult

# The performance targets, all relative to the baseline measured in the same run (absolute numbers drift).
THROUGHPUT_RATIO_MIN = 0.85
P99_RATIO_MAX = 1.5
MEMORY_MB_MAX = 60.0
MEMORY_GROWTH_MB_MAX = 2.0  # "flat": what allocator noise can explain between ~100k and ~300k requests
START_SECONDS_MAX = 0.5
CONTRACT_WALL_RATIO_MAX = 2.0
# The default `sivi-mock` (its own server, fast path on) against the raw ceiling (`bench/ceiling.py`).
CEILING_THROUGHPUT_RATIO_MIN = 0.5
CEILING_P99_RATIO_MAX = 2.0

DASH = "—"


@dataclass
class ServerRow:
    """One server: its wrk runs (the table shows the median of each metric), memory and start time."""

    label: str
    runs: list[LoadResult] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)  # server CPU time per request, one value per run
    rss_mb: float | None = None
    start_s: float | None = None
    note: str = ""

    @property
    def measured(self) -> bool:
        return bool(self.runs)

    @property
    def rps(self) -> float:
        return statistics.median(run.rps for run in self.runs)

    @property
    def p50_ms(self) -> float:
        return statistics.median(run.p50_ms for run in self.runs)

    @property
    def p99_ms(self) -> float:
        return statistics.median(run.p99_ms for run in self.runs)

    @property
    def cpu_us_per_request(self) -> float | None:
        return statistics.median(self.cpu_us) if self.cpu_us else None

    @property
    def failed_requests(self) -> int:
        return sum(run.non_2xx + run.socket_errors for run in self.runs)


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    passed: bool | None  # None: could not be measured in this run


@dataclass(frozen=True)
class ClientRun:
    """One contract-testing client against the same local mock."""

    label: str
    seconds: float | None = None
    requests: int | None = None
    exit_code: int | None = None
    note: str = ""

    @property
    def rps(self) -> float | None:
        if self.seconds and self.requests is not None:
            return self.requests / self.seconds
        return None


def ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline else float("nan")


def paired_ratio(row: ServerRow, baseline: ServerRow, metric: str) -> float:
    """The median over rounds of `row`'s metric divided by the baseline's in the same round.

    Rounds are interleaved, so the two runs of one round are seconds apart: a burst of other load on the machine
    moves both, and their ratio much less than either number.
    """
    pairs = zip(row.runs, baseline.runs, strict=False)
    return statistics.median(ratio(getattr(mine, metric), getattr(theirs, metric)) for mine, theirs in pairs)


def server_table(rows: Sequence[ServerRow], baseline: ServerRow) -> list[str]:
    lines = [
        "| server | req/s | p50 | p99 | memory after load | start to first 200 | req/s vs baseline | p99 vs baseline "
        "| server CPU per request |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        if not row.measured:
            lines.append(f"| {row.label} | {row.note or 'not measured'} |" + f" {DASH} |" * 7)
            continue
        label = f"{row.label} ({row.note})" if row.note else row.label
        throughput = f"{paired_ratio(row, baseline, 'rps'):.2f}" if baseline.measured else DASH
        p99 = f"{paired_ratio(row, baseline, 'p99_ms'):.2f}" if baseline.measured else DASH
        lines.append(
            f"| {label} | {row.rps:,.0f} | {row.p50_ms:.1f} ms | {row.p99_ms:.1f} ms | {_mb(row.rss_mb)} "
            f"| {_seconds(row.start_s)} | {throughput} | {p99} | {_microseconds(row.cpu_us_per_request)} |"
        )
    return lines


def target_table(targets: Sequence[Target]) -> list[str]:
    lines = ["| target | measured | verdict |", "| --- | --- | --- |"]
    for target in targets:
        verdict = "n/a" if target.passed is None else ("pass" if target.passed else "**FAIL**")
        lines.append(f"| {target.name} | {target.measured} | {verdict} |")
    return lines


def client_table(runs: Sequence[ClientRun]) -> list[str]:
    lines = ["| client | wall time | requests | req/s | exit code |", "| --- | ---: | ---: | ---: | ---: |"]
    for run in runs:
        if run.seconds is None:
            lines.append(f"| {run.label} | {run.note or 'not run'} | {DASH} | {DASH} | {DASH} |")
            continue
        label = f"{run.label} ({run.note})" if run.note else run.label
        requests = f"{run.requests:,}" if run.requests is not None else DASH
        rps = f"{run.rps:,.0f}" if run.rps is not None else DASH
        lines.append(f"| {label} | {run.seconds:.1f} s | {requests} | {rps} | {run.exit_code} |")
    return lines


def load_targets(mock: ServerRow, baseline: ServerRow) -> list[Target]:
    """The throughput and p99 targets, from the per-round ratios (see `paired_ratio`)."""
    if not (mock.measured and baseline.measured):
        return [
            Target(f"throughput ≥ {THROUGHPUT_RATIO_MIN} x baseline", "not measured", None),
            Target(f"p99 ≤ {P99_RATIO_MAX} x baseline", "not measured", None),
        ]
    throughput, p99 = paired_ratio(mock, baseline, "rps"), paired_ratio(mock, baseline, "p99_ms")
    return [
        Target(
            f"throughput ≥ {THROUGHPUT_RATIO_MIN} x baseline",
            f"{throughput:.2f} x (medians {mock.rps:,.0f} vs {baseline.rps:,.0f} req/s)",
            throughput >= THROUGHPUT_RATIO_MIN,
        ),
        Target(
            f"p99 ≤ {P99_RATIO_MAX} x baseline",
            f"{p99:.2f} x (medians {mock.p99_ms:.1f} vs {baseline.p99_ms:.1f} ms)",
            p99 <= P99_RATIO_MAX,
        ),
    ]


def ceiling_targets(mock: ServerRow, ceiling: ServerRow) -> list[Target]:
    """The default `sivi-mock` against the raw ceiling, from the per-round ratios (see `paired_ratio`)."""
    names = (
        f"`sivi-mock` throughput ≥ {CEILING_THROUGHPUT_RATIO_MIN} x raw ceiling",
        f"`sivi-mock` p99 ≤ {CEILING_P99_RATIO_MAX:.0f} x raw ceiling",
    )
    if not (mock.measured and ceiling.measured):
        return [Target(name, mock.note or ceiling.note or "not measured", None) for name in names]
    throughput, p99 = paired_ratio(mock, ceiling, "rps"), paired_ratio(mock, ceiling, "p99_ms")
    return [
        Target(
            names[0],
            f"{throughput:.2f} x (medians {mock.rps:,.0f} vs {ceiling.rps:,.0f} req/s)",
            throughput >= CEILING_THROUGHPUT_RATIO_MIN,
        ),
        Target(
            names[1],
            f"{p99:.2f} x (medians {mock.p99_ms:.1f} vs {ceiling.p99_ms:.1f} ms)",
            p99 <= CEILING_P99_RATIO_MAX,
        ),
    ]


def workers_ratio(workers: ServerRow, one: ServerRow) -> str:
    """The throughput of several workers against one, per round (see `paired_ratio`)."""
    if not (workers.measured and one.measured):
        return "not measured"
    return (
        f"{paired_ratio(workers, one, 'rps'):.2f} x the throughput (medians {workers.rps:,.0f} vs {one.rps:,.0f} req/s)"
    )


def memory_targets(checkpoints: Sequence[tuple[int, float]]) -> list[Target]:
    """`checkpoints`: (requests served so far, RSS in MB) after ~100k and after ~300k requests."""
    if len(checkpoints) < 2:
        measured = "not measured" if not checkpoints else f"{checkpoints[0][1]:.1f} MB after {checkpoints[0][0]:,}"
        return [
            Target(
                f"memory after 100k requests ≤ {MEMORY_MB_MAX:.0f} MB",
                measured,
                checkpoints[0][1] <= MEMORY_MB_MAX if checkpoints else None,
            ),
            Target("memory flat from 100k to 300k requests", "not measured", None),
        ]
    (first_n, first_mb), (last_n, last_mb) = checkpoints[0], checkpoints[-1]
    growth = last_mb - first_mb
    return [
        Target(
            f"memory after 100k requests ≤ {MEMORY_MB_MAX:.0f} MB",
            f"{first_mb:.1f} MB after {first_n:,}",
            first_mb <= MEMORY_MB_MAX,
        ),
        Target(
            f"memory flat from 100k to 300k requests (growth ≤ {MEMORY_GROWTH_MB_MAX:.0f} MB)",
            f"{growth:+.1f} MB ({first_mb:.1f} → {last_mb:.1f} MB, {first_n:,} → {last_n:,} requests)",
            growth <= MEMORY_GROWTH_MB_MAX,
        ),
    ]


def start_target(label: str, seconds: float | None) -> Target:
    if seconds is None:
        return Target(f"start to first 200 ≤ {START_SECONDS_MAX} s ({label})", "not measured", None)
    return Target(
        f"start to first 200 ≤ {START_SECONDS_MAX} s ({label})", f"{seconds:.2f} s", seconds <= START_SECONDS_MAX
    )


def contract_target(suite: ClientRun, upstream: ClientRun) -> Target:
    name = f"contract suite wall time ≤ {CONTRACT_WALL_RATIO_MAX:.0f} x `schemathesis run`"
    if suite.seconds is None or upstream.seconds is None:
        return Target(name, suite.note or upstream.note or "not measured", None)
    wall = ratio(suite.seconds, upstream.seconds)
    return Target(
        name, f"{wall:.2f} x ({suite.seconds:.1f} s vs {upstream.seconds:.1f} s)", wall <= CONTRACT_WALL_RATIO_MAX
    )


def machine_description() -> str:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):  # noqa: SIM115 - a one-pass read of a tiny file
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Linux {platform.release()}, Python {platform.python_version()}; "
        f"load average before the run: {load}"
    )


def _mb(value: float | None) -> str:
    return f"{value:.0f} MB" if value is not None else DASH


def _microseconds(value: float | None) -> str:
    return f"{value:.0f} µs" if value is not None else DASH


def _seconds(value: float | None) -> str:
    return f"{value:.2f} s" if value is not None else DASH
