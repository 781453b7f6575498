"""A mutation run: the clean run of COMMAND against the run's own mock, then one rerun per (test, answer, mutant),
each outcome judged by the mutant's kind.

The runner writes no answer: it asks the mock for a mutant of its table (`mock_server.mock.mutants`) for one test and
one answer class, and reruns that test. For pytest, only that test (`COMMAND` + its node id); for any other command,
the whole command, with the mutant in force for every request.
"""

from __future__ import annotations

import dataclasses
import random
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from answer_mutation.command import CommandRunner, Ran, command_for_tests, is_pytest
from answer_mutation.errors import NothingToMutate
from answer_mutation.findings import Finding, Outcome, Rerun, accept, judge, untested
from mock_server.admin_client import MOCK_URL_VARIABLE
from mock_server.app import create_app
from mock_server.mock.coverage import NO_TEST
from mock_server.mock.mutants import KINDS, Mutant, Mutation, Mutations, mutants_for
from mock_server.mock.state import MockState
from mock_server.serving.background import BackgroundServer
from mock_server.settings import Settings

# A mutant run may take at most this many times the clean run (for pytest: a test, its slowest test), never less
# than the floor.
LIMIT_FACTOR = 3
LIMIT_FLOOR = 10.0
TEST_LIMIT_FLOOR = 5.0


@dataclass(frozen=True)
class Options:
    command: tuple[str, ...]
    seed: int | None = None
    time_limit: float | None = None  # seconds a rerun may take; from the clean run when None
    max_mutants: int | None = None
    max_seconds: float | None = None  # the whole run's budget for reruns
    only: tuple[str, ...] = ()  # mutant names or kinds to try; all when empty
    accepted: dict[str, str] = field(default_factory=dict)  # a mutant, answer or test name -> why it is accepted


@dataclass
class Result:
    command: tuple[str, ...]
    pytest: bool
    seed: int
    clean_seconds: float
    time_limit: float
    received: dict[str, dict[str, int]]
    reruns: list[Rerun] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the run could not judge
    left_out: list[str] = field(default_factory=list)  # the mutant runs a bound left out
    processes: int = 0  # the runs of COMMAND the mutants took

    @property
    def open_findings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.accepted is None]


def mutate(options: Options) -> Result:
    """The whole run; raises `NothingToMutate` when nothing could be tested."""
    if not options.command or shutil.which(options.command[0]) is None:
        raise NothingToMutate(f"COMMAND not found: {options.command[0] if options.command else '(none given)'}")
    seed = options.seed if options.seed is not None else secrets.randbelow(2**32)
    pytest_command = is_pytest(options.command)
    app = create_app(Settings())
    state: MockState = app.state.mock
    table = state.loaded.mutants
    unknown = [name for name in options.only if name not in table and name not in KINDS]
    if unknown:
        known = ", ".join([*KINDS, *table])
        raise NothingToMutate(f"--mutants: no mutant or kind named {', '.join(unknown)} (the mock has {known})")
    with BackgroundServer(app) as server, tempfile.TemporaryDirectory(prefix="sivi-mutate-") as scratch:
        runner = CommandRunner(options.command, server.url, state, Path(scratch))
        clean = runner.run(options.command, None, per_test=False)
        if clean.code != 0:
            raise NothingToMutate(f"the clean run of COMMAND failed (exit {clean.code}), so no mutant can be judged: "
                           f"{clean.last_line}")  # fmt: skip
        received = state.coverage.by_test()
        if not received:
            raise NothingToMutate(
                f"COMMAND never called the mock at {MOCK_URL_VARIABLE} (its clean run passed without it)"
            )
        limit = options.time_limit or default_limit(clean, pytest_command)
        # From now on the mock holds a hang longer than a mutant run may last: a client without a timeout is then
        # still waiting at the limit, and is seen as hanging.
        state.settings = dataclasses.replace(state.settings, hang_limit=limit + 5)
        result = Result(options.command, pytest_command, seed, clean.seconds, limit, received)
        result.findings.extend(untested(state.contract, received))
        plan = planned(state, received, options, pytest_command)
        if options.max_mutants is not None and len(plan) > options.max_mutants:
            kept = set(random.Random(seed).sample(range(len(plan)), options.max_mutants))
            result.left_out.extend(str(plan[i]) for i in range(len(plan)) if i not in kept)
            plan = [plan[i] for i in sorted(kept)]
        budget_end = time.monotonic() + options.max_seconds if options.max_seconds is not None else None
        batches = in_batches(plan) if pytest_command else [[item] for item in plan]
        while batches:
            batch = batches.pop(0)
            if budget_end is not None and time.monotonic() > budget_end:
                result.left_out.extend(str(item) for b in [batch, *batches] for item in b)
                break
            reruns, not_run = rerun(runner, state, batch, limit, pytest_command)
            result.processes += 1
            for one in reruns:
                result.reruns.append(one)
                judged = judge(one, limit)
                if isinstance(judged, Finding):
                    result.findings.append(judged)
                elif judged is not None:
                    result.notes.append(judged)
            # The tests a hang kept from running get a process of their own, one each.
            batches.extend([item] for item in not_run if len(batch) > 1)
            result.notes.extend(f"{item}: the test did not run" for item in not_run if len(batch) == 1)
    result.findings = accept(result.findings, options.accepted)
    return result


def default_limit(clean: Ran, pytest_command: bool) -> float:
    """How long a mutant run may take: for pytest, per test, 3 x the clean run's slowest test; else 3 x the run."""
    if pytest_command and clean.durations():
        return max(TEST_LIMIT_FLOOR, LIMIT_FACTOR * max(clean.durations().values()))
    return max(LIMIT_FLOOR, LIMIT_FACTOR * clean.seconds)


@dataclass(frozen=True)
class Planned:
    test: str | None  # None: the whole command, the mutant for every request
    answer: str
    mutant: Mutant

    def __str__(self) -> str:
        return f"{self.test or 'COMMAND'}: {self.mutant.name} on {self.answer}"


def in_batches(plan: list[Planned]) -> list[list[Planned]]:
    """As few processes as the mutants allow: each takes at most one mutant of each test."""
    by_test: dict[str, list[Planned]] = {}
    for item in plan:
        if item.test is not None:
            by_test.setdefault(item.test, []).append(item)
    rounds = max((len(items) for items in by_test.values()), default=0)
    batches = [[items[k] for items in by_test.values() if k < len(items)] for k in range(rounds)]
    # An answer no test was named for: the whole command, that mutant alone on every request.
    return batches + [[item] for item in plan if item.test is None]


def rerun(
    runner: CommandRunner, state: MockState, batch: list[Planned], limit: float, pytest_command: bool
) -> tuple[list[Rerun], list[Planned]]:
    """Run the batch's tests, each with its mutant; what each did, and the ones that did not run."""
    state.reset()
    state.mutations_given.clear()
    state.mutation = Mutations({item.test: Mutation(item.mutant, item.test, item.answer) for item in batch})
    argv = command_for_tests(runner.command, [i.test for i in batch if i.test]) if pytest_command else None
    try:
        ran = runner.run(argv or runner.command, limit, per_test=pytest_command)
    finally:
        state.mutation = None
    done, not_run = [], []
    for item in batch:
        given = state.mutations_given[item.test] if item.test is not None else state.mutations_given.total()
        if not pytest_command or item.test is None:
            outcome: Outcome = "hang" if ran.code is None else "passed" if ran.code == 0 else "failed"
            done.append(Rerun(item.test, item.answer, item.mutant, outcome, ran.seconds, given=given))
            continue
        events = ran.told.get(item.test, [])
        failed = next((e for e in events if e["event"] == "failed" and e["failure"] == "error"), None) or next(
            (e for e in events if e["event"] == "failed"), None
        )
        if ran.hung == item.test:
            done.append(Rerun(item.test, item.answer, item.mutant, "hang", limit, given=given))
        elif failed is not None:
            failure, exception = failed["failure"], failed["exception"]
            done.append(Rerun(item.test, item.answer, item.mutant, "failed", 0, failure, exception, given))
        elif any(e["event"] == "end" for e in events):
            done.append(Rerun(item.test, item.answer, item.mutant, "passed", 0, given=given))
        else:
            not_run.append(item)
    return done, not_run


def planned(
    state: MockState, received: dict[str, dict[str, int]], options: Options, pytest_command: bool
) -> list[Planned]:
    plan = []
    table, replies = state.loaded.mutants, state.loaded.replies
    for test in sorted(received):
        for answer in sorted(received[test]):
            for mutant in mutants_for(answer, table, replies):
                if options.only and mutant.name not in options.only and mutant.kind not in options.only:
                    continue
                # Answers no test was named for (another language, or no fixture): the whole command, every request.
                plan.append(Planned(test if pytest_command and test != NO_TEST else None, answer, mutant))
    # One rerun per (test, answer, mutant): a command with no test names gets each mutant once per answer.
    return list(dict.fromkeys(plan))
