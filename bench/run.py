"""`make bench` (`python -m bench.run`): the mock next to a bare-Starlette baseline, loaded by wrk, one table.

Plan (about 100 s on 2 cores, 170 s budget; every step checks the budget and records what it skipped):
1. start each server and time it from spawn to its first 200 answer to the documented example;
2. warm each up for 1 s, then run wrk rounds (default 3 of 5 s), all servers interleaved round by round, so
   that background load on the machine hits every row alike; the table shows the median of each metric;
3. a fresh mock under sustained load: RSS after ~100k and after ~300k requests;
4. the `sivi-mock` CLI's own start to first 200;
5. the contract suite next to upstream `schemathesis run`, against one local mock.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import clients, report
from bench.apps import BODY_VARIABLE, PATH_VARIABLE
from bench.ceiling import ceiling_command
from bench.load import ensure_wrk, run_wrk, write_script
from bench.prism import prism_command
from bench.report import ClientRun, ServerRow
from bench.servers import HOST, Probe, ServerCommand, ServerProcess, uvicorn_command
from mock_server.secret import mask_key
from mock_server.spec.contract import Contract, SpecError, load_contract
from mock_server.spec.fixtures import FixtureError, load_fixtures

RESULTS = Path(__file__).resolve().parent / "results" / "latest.md"
WARMUP_SECONDS = 1
SOAK_CHECKPOINTS = (100_000, 300_000)


class Clock:
    """The bench's time budget: every optional step asks whether it still fits."""

    def __init__(self, budget: float) -> None:
        self.began, self.budget = time.monotonic(), budget

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.began

    @property
    def remaining(self) -> float:
        return self.budget - self.elapsed


def bench_inputs() -> tuple[str, Contract, str] | None:
    """What every bench needs before any load: wrk, the contract and the bundled admin key.

    None, after one readable line on stderr, when one of them cannot be had.
    """
    try:
        wrk = ensure_wrk()
        contract = load_contract()
        admin_key = load_fixtures(None, contract).admin_keys[0]
    except (RuntimeError, OSError, SpecError, FixtureError) as error:
        print(f"bench: error: {error}", file=sys.stderr)
        return None
    return wrk, contract, admin_key


def cli_argv(*flags: str) -> tuple[str, ...]:
    """`sivi-mock` as a user starts it (`python -m mock_server`), its defaults but for `flags`."""
    return (sys.executable, "-m", "mock_server", "--host", HOST, "--port", "{port}", "--log-level", "warning", *flags)


def documented_probe(contract: Contract, admin_key: str) -> Probe:
    """The spec's first request example (the documented user), sent with an admin key."""
    operation = contract.resolve(contract.document["paths"][contract.path][contract.method])
    media = contract.resolve(operation["requestBody"])["content"]["application/json"]
    example = contract.resolve(next(iter(media["examples"].values())))["value"]
    headers = {"content-type": "application/json", contract.api_key_header: admin_key}
    return Probe(contract.path, json.dumps(example).encode(), headers)


def measure_servers(
    commands: list[ServerCommand],
    rows: list[ServerRow],
    probe: Probe,
    wrk: str,
    scratch: Path,
    clock: Clock,
    seconds: int,
    runs: int,
    reserve: float,
) -> None:
    """Steps 1 and 2: start every server, then interleaved wrk rounds; fills `rows` in place."""
    script = write_script(scratch, probe.body, probe.headers)
    with contextlib.ExitStack() as running:
        live: list[tuple[ServerRow, ServerProcess]] = []
        for command, row in zip(commands, rows, strict=True):
            server = ServerProcess(command, scratch)
            running.callback(server.stop)
            try:
                row.start_s = server.start(probe)
            except RuntimeError as error:
                row.note = f"did not start: {error}"
                server.stop()
                continue
            live.append((row, server))
        for _row, server in live:
            run_wrk(wrk, server.url + probe.path, script, WARMUP_SECONDS)
        for done in range(runs):
            if clock.remaining - reserve < len(live) * (seconds + 1):
                print(f"bench: time budget: stopping after {done} of {runs} rounds", flush=True)
                break
            for row, server in live:
                cpu_before = server.cpu_seconds()
                row.runs.append(run_wrk(wrk, server.url + probe.path, script, seconds))
                row.cpu_us.append((server.cpu_seconds() - cpu_before) / max(1, row.runs[-1].requests) * 1e6)
            speeds = ", ".join(f"{row.label.split(',')[0]} {row.runs[-1].rps:,.0f} req/s" for row, _ in live)
            print(f"bench: round {done + 1}/{runs}: {speeds}", flush=True)
        for row, server in live:
            row.rss_mb = server.rss_mb()
            if row.failed_requests:
                row.note = f"{row.failed_requests:,} non-2xx or failed requests"


def soak(
    command: ServerCommand,
    rate: float,
    probe: Probe,
    wrk: str,
    scratch: Path,
    clock: Clock,
    reserve: float,
    checkpoints_at: tuple[int, ...] = SOAK_CHECKPOINTS,
) -> list[tuple[int, float]]:
    """Step 3: a fresh server, loaded until each checkpoint; returns [(requests served so far, RSS in MB)]."""
    script = write_script(scratch, probe.body, probe.headers)
    server = ServerProcess(command, scratch)
    checkpoints: list[tuple[int, float]] = []
    try:
        server.start(probe)
        served = 0
        for target in checkpoints_at:
            # wrk always runs its whole duration: the duration is what reaches the request count.
            # 10% over, and each stage at the rate of the one before: the machine's speed drifts.
            seconds = max(1, math.ceil((target - served) / rate * 1.1))
            if clock.remaining - reserve < seconds + 1:
                print(f"bench: time budget: memory soak stopped before {target:,} requests", flush=True)
                break
            result = run_wrk(wrk, server.url + probe.path, script, seconds)
            served, rate = served + result.requests, result.rps or rate
            checkpoints.append((served, server.rss_mb()))
            print(f"bench: {command.label} RSS after {served:,} requests: {checkpoints[-1][1]:.1f} MB", flush=True)
    except RuntimeError as error:
        print(f"bench: memory soak failed: {error}", flush=True)
    finally:
        server.stop()
    return checkpoints


def start_only(command: ServerCommand, probe: Probe, scratch: Path) -> tuple[float | None, str]:
    """Step 4: spawn to first 200 of one command, then stop it."""
    server = ServerProcess(command, scratch)
    try:
        return server.start(probe), ""
    except RuntimeError as error:
        return None, str(error)
    finally:
        server.stop()


def compare_clients(
    spec: Path, header: str, key: str, probe: Probe, scratch: Path, clock: Clock
) -> tuple[ClientRun, ClientRun]:
    """Step 5: the contract suite and upstream `schemathesis run` against one counting mock."""
    examples = clients.default_examples()
    user_id = str(json.loads(probe.body).get("abstractUserId", ""))
    suite = ClientRun(clients.SUITE_LABEL, note="not run: no time left")
    upstream = ClientRun(clients.UPSTREAM_LABEL, note="not run: no time left")
    server = ServerProcess(uvicorn_command("counting mock", "bench.apps:counted_mock", "uvloop"), scratch)
    try:
        server.start(probe)
        if clock.remaining > 15:
            argv = clients.upstream_argv(spec, server.url, header, key, examples)
            upstream = clients.timed_client(
                upstream.label, argv, server.url, scratch / "schemathesis.log", timeout=(clock.remaining - 5) / 2
            )
        if clock.remaining > 10:
            suite = clients.timed_client(
                suite.label,
                clients.suite_argv(server.url),
                server.url,
                scratch / "contract-suite.log",
                timeout=clock.remaining - 5,
                env=clients.suite_env(key, user_id),
            )
    except RuntimeError as error:
        upstream = ClientRun(upstream.label, note=f"the mock did not start: {error}")
    finally:
        server.stop()
    return suite, upstream


def publish(document: str, output: Path, clock: Clock) -> None:
    """Print the results and write them to `output`."""
    print(document)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(document, encoding="utf-8")
    print(f"bench: written to {output} in {clock.elapsed:.0f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    try:
        return bench(argv)
    except KeyboardInterrupt:  # Ctrl-C, or `make bench`'s timeout: the servers were stopped on the way out
        print("bench: interrupted; no results written", file=sys.stderr)
        return 130


def bench(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="length of one wrk run (default 5)")
    parser.add_argument("--runs", type=int, default=3, help="wrk runs per server; the table shows the median")
    parser.add_argument("--budget", type=float, default=170, help="time budget in seconds (default 170)")
    parser.add_argument("--no-prism", action="store_true", help="leave Prism out")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"where to write the table (default {RESULTS})")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    options = parser.parse_args(argv)
    clock = Clock(options.budget)
    machine = report.machine_description()  # before any load, so its load average describes the machine
    inputs = bench_inputs()
    if inputs is None:
        return 2
    wrk, contract, admin_key = inputs
    probe = documented_probe(contract, admin_key)
    success = json.dumps(contract.examples_for(200)[0].value, separators=(",", ":"))
    baseline_env = {PATH_VARIABLE: contract.path, BODY_VARIABLE: success}

    commands = [
        uvicorn_command(
            "baseline: bare Starlette, uvicorn uvloop + httptools", "bench.apps:baseline", "uvloop", baseline_env
        ),
        uvicorn_command("baseline, uvicorn asyncio + h11", "bench.apps:baseline", "asyncio", baseline_env),
    ]
    mock_command = uvicorn_command("sivi-mock, uvicorn uvloop + httptools", "mock_server.app:create_app", "uvloop")
    own_server = ServerCommand("sivi-mock, its own server (fast path)", cli_argv())
    # wrk runs on the same cores as the workers: the ratio says what a second process gives on this machine.
    two_workers = ServerCommand("sivi-mock --workers 2 (wrk on the same cores)", cli_argv("--workers", "2"))
    commands += [mock_command, own_server, two_workers, ceiling_command(success)]
    rows = [ServerRow(command.label) for command in commands]
    mock_row, own_row, workers_row, ceiling_row = rows[-4:]
    prism, why_not = (None, "skipped (--no-prism)") if options.no_prism else prism_command(contract.source, 60)
    prism_row = ServerRow(prism.label if prism else "Prism", note=why_not)
    if prism is not None:
        commands.append(prism)
        rows.append(prism_row)
    baseline = rows[0]

    checkpoints: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory(prefix="sivi-bench-") as directory:
        scratch = Path(directory)
        reserve = 75  # the soak and the contract clients come after the rounds
        measure_servers(commands, rows, probe, wrk, scratch, clock, options.seconds, options.runs, reserve)
        if mock_row.measured:
            checkpoints = soak(mock_command, mock_row.rps, probe, wrk, scratch, clock, reserve=45)
        cli = ServerCommand("sivi-mock CLI", cli_argv())
        cli_start, cli_note = start_only(cli, probe, scratch)
        suite, upstream = compare_clients(contract.source, contract.api_key_header, admin_key, probe, scratch, clock)

    targets = [
        *report.load_targets(mock_row, baseline),
        *report.ceiling_targets(own_row, ceiling_row),
        *report.memory_targets(checkpoints),
        report.start_target("the mock under uvicorn", mock_row.start_s),
        report.start_target(f"`python -m mock_server`{': ' + cli_note if cli_note else ''}", cli_start),
        report.contract_target(suite, upstream),
    ]
    document = "\n".join(
        [
            "# sivi-mock benchmark",
            "",
            f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {clock.elapsed:.0f} s. Machine: {machine}.",
            "",
            f"Method: `wrk -t1 -c50 -d{options.seconds}s --latency`, POST {contract.path} with the documented example "
            f"body and an admin key ({mask_key(admin_key)}), loopback only. Each server is warmed up for "
            f"{WARMUP_SECONDS} s, then loaded {options.runs} times, all servers interleaved round by round; each "
            "cell is the median of the runs, and each ratio the median of the per-round ratios to the baseline. "
            "Memory: VmRSS of the server process after its runs. Start: from process spawn to the first 200 answer "
            "to that request. CPU: the server's user + system time per request served.",
            "",
            *report.server_table([*rows[:2], mock_row, own_row, workers_row, ceiling_row, prism_row], baseline),
            "",
            f"`--workers 2` against one worker: {report.workers_ratio(workers_row, own_row)}; wrk shares the "
            f"machine's {os.cpu_count()} cores with the workers, so a second worker competes with the load generator.",
            "",
            "## Targets",
            "",
            *report.target_table(targets),
            "",
            f"## Contract clients against the same local mock (`--max-examples {clients.default_examples()}`)",
            "",
            *report.client_table([suite, upstream]),
            "",
        ]
    )
    publish(document, options.output, clock)
    if not baseline.measured:
        return 1
    return 1 if options.check and any(target.passed is False for target in targets) else 0


if __name__ == "__main__":
    sys.exit(main())
