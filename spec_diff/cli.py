"""`sivi-spec diff OLD NEW`: which changes between two versions of the spec break a client, each with a counterexample.

Exit status: 0 no change breaks a client (warnings aside, unless --strict), 1 a change does, 2 a file cannot be read
or is not a usable OpenAPI 3.1 document, or the [contract] extra is missing - always with one readable line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from mock_server.command_line import Command, OneLineParser, Option, add_options
from mock_server.distribution import DISTRIBUTION, kit_version, missing_for_extra

FORMATS = ("text", "markdown", "json")
EPILOG = """\
OLD and NEW are files, or git:REV:path for a revision's copy (git show REV:path, no checkout needed).
exit status: 0 no breaking change, 1 a change breaks a client, 2 a spec cannot be read or used.
Example: sivi-spec diff git:origin/main:openapi.yaml openapi.yaml --format markdown
"""


DESCRIPTION = "Which changes between two versions of openapi.yaml break a client, each with a counterexample."
DIFF_OPTIONS = (
    Option("old", "the spec a client was built on: a file or git:REV:path", metavar="OLD"),
    Option("new", "the changed spec: a file or git:REV:path", metavar="NEW"),
    Option(
        "--format",
        "text (one line each), markdown (a pull-request comment), json",
        choices=FORMATS,
        default="text",
    ),
    Option("--strict", "count warnings (changes reasonable people judge apart) as breaking", switch=True),
    Option(
        "--fixtures",
        "the fixtures the mock serves, checked against NEW and reported apart from the verdict (the bundled ones)",
        parse=Path,
        metavar="DIR",
    ),
)


def diff_command() -> Command:
    """`sivi-spec diff` on its own: the docs' flag table lists its options."""
    return Command("sivi-spec diff", DESCRIPTION, DIFF_OPTIONS, epilog=EPILOG)


def build_parser() -> argparse.ArgumentParser:
    parser = Command("sivi-spec", DESCRIPTION, (), version=kit_version(), epilog=EPILOG).parser()
    commands = parser.add_subparsers(dest="command", metavar="diff", parser_class=OneLineParser)
    diff = commands.add_parser(
        "diff",
        help="compare OLD with NEW",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_options(diff, DIFF_OPTIONS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    if arguments.command != "diff":
        parser.error("a command is required: sivi-spec diff OLD NEW")
    missing = missing_for_extra("contract")
    try:
        # Hypothesis and Schemathesis (the [contract] extra) generate the documents: not needed for --help.
        from mock_server.spec import SpecError
        from spec_diff.comparison import compare
        from spec_diff.documents import read_spec
        from spec_diff.report import render
    except ImportError as error:
        missing = missing or [str(error.name)]
    if missing:
        print(
            f"sivi-spec: the spec diff is not installed ({', '.join(missing)} missing): "
            f"pip install '{DISTRIBUTION}[contract]'",
            file=sys.stderr,
        )
        return 2
    try:
        report = compare(read_spec(arguments.old), read_spec(arguments.new), arguments.fixtures, arguments.strict)
    except SpecError as error:
        print(f"sivi-spec: {error}", file=sys.stderr)
        return 2
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        # A document YAML reads but OpenAPI would not (a list where a mapping belongs ...): one line, no traceback.
        reason = f"{type(error).__name__}: {error}"
        which = f"{arguments.old} with {arguments.new}"
        print(f"sivi-spec: cannot compare {which} ({reason}): is each a valid OpenAPI 3.1 document?", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sivi-spec: interrupted", file=sys.stderr)
        return 2
    sys.stdout.write(render(report, arguments.format))
    return report.exit_code
