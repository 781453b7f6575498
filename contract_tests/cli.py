"""`sivi-contract`: check an implementation of the Account Analysis API against `openapi.yaml`.

Exit status: 0 the target conforms, 1 violations found, 2 usage or configuration error, or the target could not
be tested (unreachable, stopped answering, request budget spent) - always with one readable line.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from contract_tests.errors import UsageError
from contract_tests.settings import OPTIONS, read_settings
from mock_server.command_line import Command, Option
from mock_server.distribution import DISTRIBUTION, kit_version, missing_for_extra

EPILOG = """\
exit status: 0 conforms, 1 violations found, 2 usage error or target not testable.
Without --base-url the bundled mock is started in-process and tested with its own keys and ids.
Example: SIVI_API_KEY=... sivi-contract --base-url https://connect.sivi.ai/api/staging/v2 --user-id ID
"""
# The command's own, not the suite's: under plain pytest, pytest's `--junit-xml` is the one.
JUNIT_XML_VARIABLE = "SIVI_JUNIT_XML"
JUNIT_XML = Option("--junit-xml", "write a JUnit XML file for CI", env=JUNIT_XML_VARIABLE, metavar="FILE")


def command() -> Command:
    return Command(
        "sivi-contract",
        "Check an implementation of the Sivi Account Analysis API against openapi.yaml.",
        (*OPTIONS, JUNIT_XML),
        version=kit_version(),
        epilog=EPILOG,
    )


def build_parser() -> argparse.ArgumentParser:
    return command().parser()


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    missing = missing_for_extra("contract")
    if missing:
        print(
            f"sivi-contract: the contract suite is not installed ({', '.join(missing)} missing): "
            f"pip install '{DISTRIBUTION}[contract]'",
            file=sys.stderr,
        )
        return 2
    try:
        settings = read_settings(vars(arguments))
    except UsageError as error:
        print(f"sivi-contract: {error}", file=sys.stderr)
        return 2
    junit = arguments.junit_xml or os.environ.get(JUNIT_XML_VARIABLE) or None
    from contract_tests.runner import run_suite  # the suite loads Schemathesis: not needed for --help

    try:
        outcome = run_suite(settings, junit_xml=Path(junit) if junit else None)
    except KeyboardInterrupt:
        print("sivi-contract: interrupted", file=sys.stderr)
        return 2
    return outcome.exit_code
