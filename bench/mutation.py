"""The cost of a `sivi-mutate` run against the clean run of the same tests, as the tests grow: N copies of the robust
consumer's usage test (`tests/mutation_consumers/robust/`), each given the same mutants.

Per-test reruns in batches make a run over N tests cost about the mutants of one test (each run of pytest takes one
mutant of every test), not mutants x the suite: the number of pytest runs stays the same as N grows.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROBUST = ROOT / "tests" / "mutation_consumers" / "robust"
MUTANTS = "status 500,every value changed,fault reset,unknown properties,keys reordered,no months,counts 0"
PYTEST = (sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "mock_server.pytest_plugin")


def project(where: Path, copies: int) -> Path:
    """The robust client, with `copies` copies of its usage test and none of its error tests."""
    shutil.copytree(ROBUST, where, ignore=shutil.ignore_patterns("check_errors.py", "__pycache__"))
    test = (ROBUST / "check_usage.py").read_text()
    head, _, body = test.partition("def test_usage_of_the_documented_user")
    copied = [f"def test_usage_{n}{body}" for n in range(copies)]
    (where / "check_usage.py").write_text(head + "\n\n".join(copied))
    return where


def measure(copies: int, scratch: Path) -> dict[str, float]:
    where = project(scratch / f"tests-{copies}", copies)
    report = scratch / f"mutation-{copies}.json"
    started = time.monotonic()
    subprocess.run(
        [str(Path(sys.executable).parent / "sivi-mutate"), "--mutants", MUTANTS, "--json", str(report), "--", *PYTEST],
        cwd=where,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        capture_output=True,
        check=False,
        timeout=300,
    )
    seconds = time.monotonic() - started
    found = json.loads(report.read_text())
    return {
        "tests": copies,
        "mutants": len(found["mutantRuns"]),
        "processes": found["processes"],
        "clean": found["cleanSeconds"],
        "total": seconds,
    }


def table(rows: list[dict[str, float]]) -> str:
    lines = [
        "| tests | mutant runs | runs of pytest | clean run | whole mutation run | ratio to the clean run |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        ratio = row["total"] / row["clean"] if row["clean"] else float("nan")
        lines.append(
            f"| {row['tests']:.0f} | {row['mutants']:.0f} | {row['processes']:.0f} | {row['clean']:.1f} s"
            f" | {row['total']:.1f} s | {ratio:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mutation", description=__doc__.splitlines()[0])
    parser.add_argument("--tests", default="1,8", help="how many copies of the usage test, comma-separated")
    parser.add_argument("--output", type=Path, help="also write the table to this file")
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sivi-bench-mutation-") as scratch:
        rows = [measure(int(count), Path(scratch)) for count in arguments.tests.split(",")]
    shown = table(rows)
    sys.stdout.write(shown)
    if arguments.output is not None:
        arguments.output.write_text(shown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
