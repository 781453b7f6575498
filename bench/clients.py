"""The contract suite's default run next to upstream `schemathesis run`, both against one local mock.

Both clients run as their users run them (a fresh process, default options except the target, the key and
the example count), so the wall time includes start-up. Requests are counted by the server
(`bench.apps.RequestCounter`), so each client is measured the same way whatever it reports itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.apps import COUNT_PATH
from bench.report import ClientRun

UPSTREAM_LABEL = "upstream `schemathesis run`"
SUITE_LABEL = "contract suite (`sivi-contract`)"


def default_examples() -> int:
    """The contract suite's default example count against loopback; upstream gets the same `--max-examples`."""
    from contract_tests.settings import LOCAL_MAX_EXAMPLES

    return LOCAL_MAX_EXAMPLES


def served_requests(base_url: str) -> int:
    with urllib.request.urlopen(base_url + COUNT_PATH, timeout=5) as response:  # loopback only
        return int(response.read())


def timed_client(
    label: str, argv: list[str], base_url: str, log: Path, timeout: float, env: dict[str, str] | None = None
) -> ClientRun:
    """Run one client to completion and measure it.

    It runs in the log's (temporary) directory, so the caches it writes (`.hypothesis/`, `.schemathesis/`)
    never land in the working tree; its output goes to `log`.
    """
    before = served_requests(base_url)
    began = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=log.parent,
            env={**os.environ, **(env or {})},
        )
        try:
            exit_code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
            return ClientRun(label, note=f"stopped after {timeout:.0f} s (time budget)")
    seconds = time.perf_counter() - began
    return ClientRun(label, seconds, served_requests(base_url) - before, exit_code)


def upstream_argv(spec: Path, base_url: str, header: str, key: str, examples: int) -> list[str]:
    """`schemathesis run` with its defaults (all phases, all default checks) plus the target, the key, `-n`,
    a fixed seed like the suite's, and `--continue-on-failure`: its positive-data check reports the documented
    400 for generated (unknown) ids, and without this flag it would stop there and skip most of its examples.
    """
    schemathesis = Path(sys.executable).with_name("schemathesis")
    return [
        str(schemathesis),
        "run",
        str(spec),
        "--url",
        base_url,
        "--header",
        f"{header}: {key}",
        "--max-examples",
        str(examples),
        "--seed",
        "0",
        "--continue-on-failure",
        "--no-color",
    ]


def suite_argv(base_url: str) -> list[str]:
    """`sivi-contract --base-url URL`: its defaults for a loopback target (example count, no rate limit)."""
    return [str(Path(sys.executable).with_name("sivi-contract")), "--base-url", base_url]


def suite_env(key: str, user_id: str) -> dict[str, str]:
    """The key and the user go in the suite's variables, not on its command line (which others can see)."""
    return {"SIVI_API_KEY": key, "SIVI_USER_ID": user_id}
