"""`sivi-mutate -- COMMAND...`: run a consumer's tests against the kit's mock, then again with the answers changed,
and report what the tests did not notice.

Exit status: 0 no finding, 1 findings, 2 nothing could be tested (COMMAND not found, its clean run failed, or it
never called the mock) - always with one readable line.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from mock_server.command_line import Command, Option
from mock_server.distribution import kit_version

DESCRIPTION = "Does your client handle every answer? Mutate the mock's answers and see which your tests notice."
EPILOG = """\
COMMAND gets the mock's address in SIVI_MOCK_URL and its admin key in SIVI_API_KEY; the sivi_mock fixture uses them.
For pytest, each mutant reruns only the test that received the answer (COMMAND + its node id).
exit status: 0 no finding, 1 findings, 2 nothing could be tested.
Example: sivi-mutate --json mutation.json -- python -m pytest -q
"""


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


OPTIONS = (
    Option("--json", "also write the findings as JSON to FILE", parse=Path, metavar="FILE"),
    Option("--seed", "the seed of the sample --max-mutants takes (drawn and shown)", parse=int),
    Option(
        "--time-limit",
        "seconds a test (pytest) or COMMAND may run with a mutant before it counts as a hang (3 x the clean"
        " run's slowest test, at least 5; 3 x the whole clean run, at least 10)",
        parse=_positive,
        metavar="S",
    ),
    Option("--max-mutants", "run at most N mutants, a seeded sample", parse=int, metavar="N"),
    Option("--max-time", "start no mutant run after S seconds", parse=_positive, metavar="S"),
    Option(
        "--mutants",
        "only these mutants or kinds, comma-separated (`status 500,values`); GET /__mock/mutants lists them",
        metavar="LIST",
        default="",
    ),
    Option(
        "--accept",
        "a finding on this mutant, answer or test is accepted, for that reason (repeatable)",
        metavar="NAME=REASON",
        repeatable=True,
        default=[],
    ),
    Option("command", "the consumer's test command", metavar="-- COMMAND", rest=True),
)


def command() -> Command:
    return Command("sivi-mutate", DESCRIPTION, OPTIONS, version=kit_version(), epilog=EPILOG)


def build_parser() -> argparse.ArgumentParser:
    return command().parser()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    command = list(arguments.command)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        parser.error("give the test command after --, e.g. sivi-mutate -- python -m pytest")
    accepted = {}
    for item in arguments.accept:
        name, sep, reason = item.partition("=")
        if not sep or not name.strip() or not reason.strip():
            parser.error(f"--accept {item!r}: expected NAME=REASON")
        accepted[name.strip()] = reason.strip()
    from answer_mutation.errors import NothingToMutate
    from answer_mutation.report import ci_annotations, text, write_json
    from answer_mutation.run import Options, mutate

    options = Options(
        command=tuple(command),
        seed=arguments.seed,
        time_limit=arguments.time_limit,
        max_mutants=arguments.max_mutants,
        max_seconds=arguments.max_time,
        only=tuple(part.strip() for part in arguments.mutants.split(",") if part.strip()),
        accepted=accepted,
    )
    try:
        result = mutate(options)
    except NothingToMutate as error:
        print(f"sivi-mutate: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(text(result))
    if os.environ.get("GITHUB_ACTIONS") == "true":  # a CI job's annotations, on the tests' files
        sys.stdout.write(ci_annotations(result))
    if arguments.json is not None:
        write_json(result, arguments.json)
    return 1 if result.open_findings else 0


if __name__ == "__main__":
    sys.exit(main())
