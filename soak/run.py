"""`make soak`: a long Schemathesis run and a minute of mixed load against one `sivi-mock` process.

Bounded (about 3 minutes), traffic only to 127.0.0.1, and it stops only the mock it started, by PID.
Prints a summary table and writes it to soak/results/latest.md.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.load import ensure_wrk
from bench.servers import Probe, ServerCommand, ServerProcess

HERE = Path(__file__).resolve().parent
FUZZ_EXAMPLES = 1000
LOAD_SECONDS = 60
WARMUP_SECONDS = 5
DOCUMENTED_USER = "281743-2322-34i44sd3-dkfjgdkjf292"
PROBE = Probe(
    "/enterprise/account-analysis",
    json.dumps({"abstractUserId": DOCUMENTED_USER}).encode(),
    {"sivi-api-key": "mock-admin-key", "content-type": "application/json"},
)


@dataclass
class Row:
    phase: str
    tried: str
    requests: int
    errors: int
    unexpected_5xx: int
    memory: str
    verdict: bool


def fuzz(url: str) -> Row:
    """The kit's contract suite (Schemathesis with every check, positive and negative data) at length."""
    env = {**os.environ, "SIVI_API_KEY": "mock-admin-key", "SIVI_REGULAR_API_KEY": "mock-regular-key"}
    argv = [
        sys.executable,
        "-m",
        "contract_tests",
        "--base-url",
        url,
        "--user-id",
        DOCUMENTED_USER,
        "--workspace-id",
        "workspace-acme-design",
        "--max-examples",
        str(FUZZ_EXAMPLES),
    ]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=150)
    sent = re.search(r"requests sent: (\d+)", result.stdout)
    requests = int(sent.group(1)) if sent else 0
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-2000:], sep="\n")
    return Row(
        "fuzz: contract suite, all checks",
        f"{FUZZ_EXAMPLES} examples per kind",
        requests,
        0 if result.returncode == 0 else 1,
        0,
        "",
        result.returncode == 0,
    )


def load(wrk: str, url: str, seconds: int) -> dict[str, int]:
    argv = [wrk, "-t1", "-c50", f"-d{seconds}s", "--timeout", "5s", "-s", str(HERE / "mixed_load.lua"), url]
    output = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="sivi-soak-") as logs:
        mock = ServerProcess(
            ServerCommand(
                "sivi-mock", (sys.executable, "-m", "mock_server", "--port", "{port}", "--log-level", "warning")
            ),
            Path(logs),
        )
        mock.start(PROBE)
        try:
            started_mb = mock.rss_mb()
            print(f"soak: sivi-mock pid {mock.pid} on {mock.url}, {started_mb:.1f} MB at start", flush=True)
            print(f"soak: fuzzing with the contract suite, {FUZZ_EXAMPLES} examples per kind...", flush=True)
            rows = [fuzz(mock.url)]
            print(f"soak: warm-up, {WARMUP_SECONDS} s of mixed load...", flush=True)
            load(wrk, mock.url, WARMUP_SECONDS)
            warm_mb = mock.rss_mb()
            print(f"soak: {LOAD_SECONDS} s of mixed load on 50 connections...", flush=True)
            result = load(wrk, mock.url, LOAD_SECONDS)
            after_mb = mock.rss_mb()
            alive = PROBE.status(mock.port) == 200
        finally:
            mock.stop()

    growth = (after_mb - warm_mb) / warm_mb
    rows.append(
        Row(
            f"load: {LOAD_SECONDS} s, 50 connections, 11 kinds of request",
            "mixed traffic",
            result["requests"],
            result["socket_errors"],
            result["other_5xx"],
            f"{warm_mb:.1f} MB after warm-up, {after_mb:.1f} MB after ({growth:+.1%})",
            result["socket_errors"] == 0 and result["other_5xx"] == 0 and abs(growth) <= 0.10 and alive,
        )
    )
    statuses = ", ".join(f"{code} x{count}" for code, count in sorted(result["statuses"].items()))
    table = render(rows, statuses, result["asked_500"])
    print("\n" + table)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "latest.md").write_text(table + "\n")
    return 0 if all(row.verdict for row in rows) else 1


def render(rows: list[Row], statuses: str, asked_500: int) -> str:
    lines = [
        f"sivi-mock soak, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.machine()}",
        "",
        "| phase | cases | requests | errors | 5xx not asked for | memory | result |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row.phase} | {row.tried} | {row.requests:,} | {row.errors} | {row.unexpected_5xx} | "
            f"{row.memory} | {'pass' if row.verdict else 'FAIL'} |"
        )
    lines += [
        "",
        f"Load statuses: {statuses} ({asked_500} of the 5xx were asked for: `Prefer: code=500`, `server-error-user`).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
