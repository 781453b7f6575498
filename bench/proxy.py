"""`python -m bench.proxy` (part of `make bench`): the validating proxy vs calling its upstream directly.

Plan (about 100 s on 2 cores, 170 s budget):
1. the bundled mock as the upstream (uvicorn uvloop + httptools, one worker), on a port chosen beforehand;
2. in front of it, each started and timed to its first 200: `sivi-mock --proxy` with every answer checked
   (callers use the mock's key, the upstream gets its own through `--upstream-key-env`) and Prism's proxy;
   with `--libraries`, also the bare forwarding prototypes of `bench/forwarders.py` (aiohttp, httpx);
3. the same interleaved wrk rounds as `bench.run` (`-c50`): "direct" is wrk against the upstream itself;
4. a fresh proxy (and a fresh upstream) loaded to ~20k then ~120k requests: its RSS at both points.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench import report
from bench.forwarders import UPSTREAM_VARIABLE
from bench.prism import prism_proxy_command
from bench.report import ServerRow, Target, paired_ratio
from bench.run import WARMUP_SECONDS, Clock, bench_inputs, documented_probe, measure_servers, publish, soak
from bench.servers import HOST, ServerCommand, ServerProcess, free_port, uvicorn_command

RESULTS = Path(__file__).resolve().parent / "results" / "proxy.md"
KEY_VARIABLE = "SIVI_BENCH_UPSTREAM_KEY"
SOAK_CHECKPOINTS = (20_000, 120_000)  # the first is often overshot: wrk runs whole seconds at a guessed rate
# The targets, relative to calling the upstream directly in the same run.
THROUGHPUT_RATIO_MIN = 0.45
P99_RATIO_MAX = 4.0
MEMORY_MB_MAX = 80.0
MEMORY_GROWTH_MB_MAX = 2.0  # "flat": what allocator noise can explain between ~20k and ~120k requests


def proxy_command(upstream: str, key: str) -> ServerCommand:
    argv = (sys.executable, "-m", "mock_server", "--host", HOST, "--port", "{port}", "--log-level", "warning")
    argv += ("--proxy", upstream, "--upstream-key-env", KEY_VARIABLE, "--cors-origin", "http://localhost:5173")
    return ServerCommand("sivi-mock --proxy, every answer checked", argv, {KEY_VARIABLE: key})


def targets(proxy: ServerRow, direct: ServerRow, checkpoints: list[tuple[int, float]]) -> list[Target]:
    found = []
    if proxy.measured and direct.measured:
        throughput, p99 = paired_ratio(proxy, direct, "rps"), paired_ratio(proxy, direct, "p99_ms")
        found += [
            Target(
                f"throughput ≥ {THROUGHPUT_RATIO_MIN} x direct",
                f"{throughput:.2f} x",
                throughput >= THROUGHPUT_RATIO_MIN,
            ),
            Target(f"p99 ≤ {P99_RATIO_MAX:g} x direct", f"{p99:.2f} x", p99 <= P99_RATIO_MAX),
        ]
    if checkpoints:
        (first_n, first_mb), (last_n, last_mb) = checkpoints[0], checkpoints[-1]
        found.append(
            Target(
                f"proxy memory ≤ {MEMORY_MB_MAX:.0f} MB", f"{last_mb:.1f} MB after {last_n:,}", last_mb <= MEMORY_MB_MAX
            )
        )
        if len(checkpoints) > 1:
            growth = last_mb - first_mb
            found.append(
                Target(
                    f"proxy memory flat (growth ≤ {MEMORY_GROWTH_MB_MAX:.0f} MB from {first_n:,} to {last_n:,})",
                    f"{growth:+.1f} MB",
                    growth <= MEMORY_GROWTH_MB_MAX,
                )
            )
    return found or [Target("proxy vs direct", "not measured", None)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.proxy", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="length of one wrk run (default 5)")
    parser.add_argument("--runs", type=int, default=3, help="wrk runs per server; the table shows the median")
    parser.add_argument("--budget", type=float, default=170, help="time budget in seconds (default 170)")
    parser.add_argument("--no-prism", action="store_true", help="leave Prism's proxy out")
    parser.add_argument("--libraries", action="store_true", help="add the bare aiohttp and httpx forwarders")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"where to write the table (default {RESULTS})")
    options = parser.parse_args(argv)
    clock = Clock(options.budget)
    machine = report.machine_description()
    inputs = bench_inputs()
    if inputs is None:
        return 2
    wrk, contract, key = inputs
    probe = documented_probe(contract, key)
    port = free_port()
    upstream_url = f"http://{HOST}:{port}"
    direct = uvicorn_command(
        "direct: the bundled mock, uvicorn uvloop + httptools", "mock_server.app:create_app", "uvloop"
    )
    direct = ServerCommand(direct.label, direct.argv, direct.env, port)
    commands = [direct, proxy_command(upstream_url, key)]
    if options.libraries:
        env = {UPSTREAM_VARIABLE: upstream_url}
        commands += [
            uvicorn_command("bare forwarder: aiohttp ClientSession", "bench.forwarders:with_aiohttp", "uvloop", env),
            uvicorn_command("bare forwarder: httpx AsyncClient", "bench.forwarders:with_httpx", "uvloop", env),
            uvicorn_command("bare forwarder: the kit's own client", "bench.forwarders:with_own_client", "uvloop", env),
        ]
    prism, why_not = (
        (None, "skipped (--no-prism)") if options.no_prism else prism_proxy_command(contract.source, upstream_url, 60)
    )
    rows = [ServerRow(command.label) for command in commands]
    prism_row = ServerRow(prism.label if prism else "Prism proxy", note=why_not)
    if prism is not None:
        commands.append(prism)
        rows.append(prism_row)

    checkpoints: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory(prefix="sivi-bench-proxy-") as directory:
        scratch = Path(directory)
        measure_servers(commands, rows, probe, wrk, scratch, clock, options.seconds, options.runs, reserve=50)
        if rows[1].measured:
            upstream = ServerProcess(direct, scratch)
            try:
                upstream.start(probe)
                checkpoints = soak(commands[1], rows[1].rps, probe, wrk, scratch, clock, 5, SOAK_CHECKPOINTS)
            except RuntimeError as error:
                print(f"bench: the upstream for the memory soak did not start: {error}", flush=True)
            finally:
                upstream.stop()

    document = "\n".join(
        [
            "# sivi-mock proxy benchmark",
            "",
            f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {clock.elapsed:.0f} s. Machine: {machine}.",
            "",
            f"Method: `wrk -t1 -c50 -d{options.seconds}s --latency`, POST {contract.path} with the documented example "
            f"body, loopback only; the upstream of every proxy is the first row's server. Warm-up {WARMUP_SECONDS} s, "
            f"{options.runs} rounds, servers interleaved; medians, and ratios as medians of per-round ratios to "
            "direct. The upstream's own CPU is not in a proxy's CPU column.",
            "",
            *report.server_table(rows if prism else [*rows, prism_row], rows[0]),
            "",
            "## Targets",
            "",
            *report.target_table(targets(rows[1], rows[0], checkpoints)),
            "",
        ]
    )
    publish(document, options.output, clock)
    return 0 if rows[0].measured else 1


if __name__ == "__main__":
    sys.exit(main())
