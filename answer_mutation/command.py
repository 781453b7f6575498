"""Running COMMAND against the run's mock, bounded in time, and reading what the kit's pytest plugin told of each
test (`SIVI_MUTATE_OUTCOMES`: a JSON line when a test starts, fails and ends).

For pytest the bound is per test: a test that started and has not ended after the limit is the one hanging, and the
run is stopped there; for any other command the bound is the whole run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from answer_mutation.errors import NothingToMutate
from mock_server.admin_client import MOCK_URL_VARIABLE, OUTCOMES_VARIABLE
from mock_server.mock.state import MockState

# pytest's options whose value may be a path: a path after one of them is not a test to run.
PYTEST_PATH_OPTIONS = {"-c", "--rootdir", "--confcutdir", "--basetemp", "--junitxml", "--junit-xml", "--ignore", "-p"}
POLL_SECONDS = 0.05


@dataclass
class Ran:
    """What one run of COMMAND did."""

    code: int | None  # None: stopped at the limit
    last_line: str
    seconds: float
    hung: str | None = None  # for pytest, the test still running at the limit
    told: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # for pytest, each test's events

    def durations(self) -> dict[str, float]:
        """Each test's time from its start to its end, as pytest told."""
        found = {}
        for test, events in self.told.items():
            start = next((e["time"] for e in events if e["event"] == "start"), None)
            end = next((e["time"] for e in events if e["event"] == "end"), None)
            if start is not None and end is not None:
                found[test] = end - start
        return found


def is_pytest(command: Sequence[str]) -> bool:
    names = [Path(part).name for part in command]
    return any(name in ("pytest", "py.test") for name in names) or any(
        names[i] == "-m" and names[i + 1] == "pytest" for i in range(len(names) - 1)
    )


def command_for_tests(command: Sequence[str], tests: Sequence[str]) -> list[str]:
    """pytest's COMMAND for only these tests: the paths it names left out, the node ids added."""
    kept: list[str] = []
    for index, part in enumerate(command):
        previous = command[index - 1] if index else ""
        after_pytest = index > 0 and is_pytest(command[:index])
        if after_pytest and previous not in PYTEST_PATH_OPTIONS and not part.startswith("-") and Path(part).exists():
            continue
        kept.append(part)
    return [*kept, *tests]


class CommandRunner:
    def __init__(self, command: Sequence[str], url: str, state: MockState, scratch: Path) -> None:
        self.command = tuple(command)
        self.scratch = scratch
        self.outcomes = scratch / "outcomes.jsonl"
        self.env = {
            **os.environ,
            MOCK_URL_VARIABLE: url,
            # The mock's own keys: whatever key the caller's environment holds, none reaches COMMAND.
            "SIVI_API_KEY": state.fixtures.admin_keys[0],
            "SIVI_REGULAR_API_KEY": state.fixtures.regular_key or "",
            OUTCOMES_VARIABLE: str(self.outcomes),
        }

    def run(self, argv: Sequence[str], limit: float | None, per_test: bool) -> Ran:
        self.outcomes.unlink(missing_ok=True)
        log = self.scratch / "output.log"
        started = time.monotonic()
        hung: str | None = None
        with log.open("wb") as output:
            try:
                process = subprocess.Popen(
                    list(argv), stdout=output, stderr=subprocess.STDOUT, env=self.env, start_new_session=True
                )
            except OSError as error:
                raise NothingToMutate(f"COMMAND cannot be run: {error}") from None
            code = process.poll()
            while code is None:
                time.sleep(POLL_SECONDS)
                code = process.poll()
                if code is not None or limit is None:
                    continue
                if per_test:
                    hung = self._running_past(limit)
                if hung is not None or (not per_test and time.monotonic() - started > limit):
                    with suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)  # its own session: COMMAND and what it started
                    process.wait()
                    code = None
                    break
        lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
        last = lines[-1].strip() if lines else "no output"
        return Ran(code, last, time.monotonic() - started, hung, self._told())

    def _told(self) -> dict[str, list[dict[str, Any]]]:
        told: dict[str, list[dict[str, Any]]] = {}
        if self.outcomes.exists():
            for line in self.outcomes.read_text(encoding="utf-8").splitlines():
                with suppress(ValueError):  # a line cut by the kill
                    event = json.loads(line)
                    told.setdefault(event["test"], []).append(event)
        return told

    def _running_past(self, limit: float) -> str | None:
        now = time.time()
        for test, events in self._told().items():
            kinds = {event["event"] for event in events}
            if "start" in kinds and "end" not in kinds and now - events[0]["time"] > limit:
                return test
        return None
