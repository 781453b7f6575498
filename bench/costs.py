"""Three promises only a clock can see: the key check takes as long whichever key matches, recording one more
answer costs that one answer, not the whole recording (both measured in this process), and one `sivi-spec diff` of
the slowest kind ends within the bound docs/spec-diff.md promises (a fresh process, as a user runs it).

The key check: a `KeyRing` of 100 keys, timed checking the first key, the last key and a key it does not hold
(each the minimum of a few repeats of 2,000 checks, the three interleaved round by round); the ratios are the
median over rounds of each case against the unknown key, as in `report.paired_ratio`. A check that stopped at its
first match would take a few hundredths of the time for the first key.

The recording: a recording of N accounts already on disk, one more answer recorded and flushed (the writer turns it
into YAML and rewrites the file from the pieces it keeps), against turning the N accounts into YAML once, which is
what a writer that forgot its pieces would do for every answer.

The comparison: `openapi.yaml` against itself with the counts' `minimum` dropped (every count of the success answer
widened: 10 changes, each found and shrunk), in a fresh `sivi-spec diff` process, so that nothing is drawn before;
the time is the one its JSON report gives.
"""

from __future__ import annotations

import argparse
import copy
import json
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from bench.report import Target, target_table
from mock_server.mock.auth import KeyRing
from mock_server.proxy.recorder import RECORDING, Recorder
from mock_server.spec.contract import load_contract
from mock_server.spec.fixtures import ApiKey, load_fixtures

KEYS = 100
KEY_RATIO_RANGE = (0.8, 1.25)  # what a shared machine's noise explains; an early exit scores ~0.04 for the first key
RECORDING_SIZES = (10, 300, 3000)
SECONDS_PER_COMPARISON = 10.0  # the bound docs/spec-diff.md promises for one comparison, on 2 cores
SPEC = Path(__file__).resolve().parent.parent / "openapi.yaml"
RECORDING_RATIO_MAX = 0.05  # one more answer against the whole recording turned into YAML once (about 0.005)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def key_check_seconds(rounds: int = 5) -> dict[str, list[float]]:
    """Seconds per check, one value per round, for the first, the last and an unknown key."""
    keys = [ApiKey(f"key-{secrets.token_hex(12)}", "admin" if n % 2 else "regular") for n in range(KEYS)]
    ring = KeyRing({key.key: key for key in keys})
    sent = {"first": keys[0].key, "last": keys[-1].key, "unknown": f"key-{secrets.token_hex(12)}"}
    seconds: dict[str, list[float]] = {case: [] for case in sent}
    for _ in range(rounds):
        for case, key in sent.items():
            value = [key.encode()]
            seconds[case].append(min(timeit.repeat(lambda v=value: ring.check(v), number=2000, repeat=5)) / 2000)
    return seconds


def key_targets(seconds: dict[str, list[float]]) -> list[Target]:
    low, high = KEY_RATIO_RANGE
    targets = []
    for case in ("first", "last"):
        ratio = statistics.median(mine / theirs for mine, theirs in zip(seconds[case], seconds["unknown"], strict=True))
        targets.append(
            Target(
                f"checking the {case} of {KEYS} keys takes {low} to {high} x checking an unknown key",
                f"{ratio:.2f} x ({statistics.median(seconds[case]) * 1e6:.1f} µs vs "
                f"{statistics.median(seconds['unknown']) * 1e6:.1f} µs)",
                low <= ratio <= high,
            )
        )
    return targets


def recording_seconds(accounts: int, analysis: dict[str, Any], answers: int = 9) -> tuple[float, float]:
    """(median seconds to record and flush one more answer, seconds to turn the `accounts` into YAML once)."""
    users = {f"user-{n:05}": {"analysis": copy.deepcopy(analysis)} for n in range(accounts)}
    started = time.perf_counter()
    whole = yaml.dump({"users": users}, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)
    dump_seconds = time.perf_counter() - started
    keys = load_fixtures(None, load_contract()).keys
    with tempfile.TemporaryDirectory(prefix="sivi-bench-recording-") as directory:
        (Path(directory) / RECORDING).write_text(whole)
        recorder = Recorder(directory, keys, interval=0)
        recorder.record("user", "first-new", analysis)
        recorder.flush()  # the recording read at start is written once; what follows is the steady state
        seconds = []
        for n in range(answers):
            started = time.perf_counter()
            recorder.record("user", f"more-{n}", analysis)
            recorder.flush()
            seconds.append(time.perf_counter() - started)
        recorder.close()
    return statistics.median(seconds), dump_seconds


def recording_table(measured: Sequence[tuple[int, float, float]]) -> list[str]:
    lines = [
        "| accounts recorded | one more answer, recorded and flushed | the whole recording into YAML once | ratio |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for accounts, one_more, whole in measured:
        lines.append(f"| {accounts:,} | {one_more * 1e3:.1f} ms | {whole * 1e3:.1f} ms | {one_more / whole:.3f} |")
    return lines


def recording_target(measured: Sequence[tuple[int, float, float]]) -> Target:
    accounts, one_more, whole = max(measured)
    ratio = one_more / whole
    return Target(
        f"one more answer over {accounts:,} recorded accounts ≤ {RECORDING_RATIO_MAX} x their YAML once",
        f"{ratio:.3f} x ({one_more * 1e3:.1f} ms vs {whole * 1e3:.1f} ms)",
        ratio <= RECORDING_RATIO_MAX,
    )


def comparison_seconds() -> float:
    """Seconds one fresh `sivi-spec diff` of the slowest kind reports for its comparison."""
    widened = yaml.safe_load(SPEC.read_text())
    del widened["components"]["schemas"]["Count"]["minimum"]
    with tempfile.TemporaryDirectory(prefix="sivi-bench-diff-") as directory:
        new = Path(directory) / "new.yaml"
        new.write_text(yaml.dump(widened, Dumper=_DUMPER, sort_keys=False))
        command = [sys.executable, "-m", "spec_diff", "diff", str(SPEC), str(new), "--format", "json"]
        ran = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if ran.returncode != 1:
        raise SystemExit(f"bench.costs: sivi-spec diff did not find the widened counts: {ran.stderr.strip()}")
    return float(json.loads(ran.stdout)["seconds"])


def comparison_target(seconds: float) -> Target:
    return Target(
        f"one `sivi-spec diff` of the slowest kind ≤ {SECONDS_PER_COMPARISON:.0f} s",
        f"{seconds:.1f} s",
        seconds <= SECONDS_PER_COMPARISON,
    )


def document(keys: dict[str, list[float]], recording: Sequence[tuple[int, float, float]], comparison: float) -> str:
    lines = [
        "# What only a clock sees",
        "",
        *recording_table(recording),
        "",
        *target_table([*key_targets(keys), recording_target(recording), comparison_target(comparison)]),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.costs", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, help="also write the tables to this file")
    arguments = parser.parse_args(argv)
    started = time.monotonic()
    analysis = load_contract().examples["documentedUser"].value["body"]
    recording = [(size, *recording_seconds(size, analysis)) for size in RECORDING_SIZES]
    shown = document(key_check_seconds(), recording, comparison_seconds())
    shown += f"\n{time.monotonic() - started:.0f} s in all.\n"
    sys.stdout.write(shown)
    if arguments.output is not None:
        arguments.output.write_text(shown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
