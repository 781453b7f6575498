"""The docs' reference tables, made from what they describe, so they cannot drift from it: each command's flags
from its own argument parser, the spec decisions from `openapi.yaml`'s `x-decisions` as the kit reads them.

Run with the kit's Python (`.venv/bin/python docs/reference_tables.py`): prints the tables as JSON, each as its
head and its rows (a flag table's rows with the flags each one documents). `docs/hooks.py` runs it while MkDocs
builds, because the docs' own environment does not have the kit's packages.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

# The help of a `sivi-contract` option ends with the environment variable that can give it: "... [SIVI_SEED]".
VARIABLE = re.compile(r"\s*\[(?P<name>[A-Z][A-Z0-9_]*)\]$")


def parsers() -> dict[str, argparse.ArgumentParser]:
    from answer_mutation.cli import build_parser as mutate_parser
    from contract_tests.cli import build_parser as contract_parser
    from mock_server.cli import build_parser as mock_parser
    from spec_diff.cli import diff_parser as spec_parser

    return {
        "sivi-mock": mock_parser(),
        "sivi-contract": contract_parser(),
        "sivi-spec": spec_parser(),
        "sivi-mutate": mutate_parser(),
    }


def options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [action for action in parser._actions if action.option_strings and action.help != argparse.SUPPRESS]


def flag_cell(action: argparse.Action) -> str:
    takes_value = action.nargs != 0
    if action.choices and takes_value:
        value = " {" + ",".join(str(choice) for choice in action.choices) + "}"
    elif takes_value:
        value = f" {action.metavar or action.dest.upper()}"
    else:
        value = ""
    return ", ".join(f"`{name}{value}`" for name in action.option_strings)


def table(parser: argparse.ArgumentParser) -> dict[str, Any]:
    """The table's head and one row per option, keyed by each of its flags (`-h` and `--help` name one row)."""
    with_variables = any(VARIABLE.search(action.help or "") for action in options(parser))
    head = ["flag", "variable", "meaning"] if with_variables else ["flag", "meaning"]
    rows = []
    for action in options(parser):
        help_text = (action.help or "") % {"default": action.default, "prog": parser.prog}
        found = VARIABLE.search(help_text)
        cells = [flag_cell(action)]
        if with_variables:
            cells.append(f"`{found['name']}`" if found else "")
        cells.append(VARIABLE.sub("", help_text).replace("|", "\\|"))
        rows.append({"flags": action.option_strings, "row": "| " + " | ".join(cells) + " |"})
    return {"head": ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"], "rows": rows}


def decisions() -> dict[str, Any]:
    from mock_server.spec.contract import load_contract
    from mock_server.spec.decisions import COLUMNS

    head = ["decision", "question", "the docs", "`openapi.yaml` decides", "why", "default run"]
    rows = []
    for name, decision in load_contract().decisions.catalogue.items():
        cells = [f"`{name}`", *(getattr(decision, column.replace("-", "_")) for column in COLUMNS)]
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return {"head": ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"], "rows": rows}


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    tables = {"flags": {program: table(parser) for program, parser in parsers().items()}, "decisions": decisions()}
    json.dump(tables, sys.stdout)


if __name__ == "__main__":
    main()
