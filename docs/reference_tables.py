"""The docs' reference tables, made from what they describe, so they cannot drift from it: each command's flags
from the options it declares (`Command.listed`), the spec decisions from `openapi.yaml`'s `x-decisions` as the kit
reads them.

Run with the kit's Python (`.venv/bin/python docs/reference_tables.py`): prints the tables as JSON, each as its
head and its rows (a flag table's rows with the flags each one documents). `docs/hooks.py` runs it while MkDocs
builds, because the docs' own environment does not have the kit's packages.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported once `main` has put the checkout on the path
    from mock_server.command_line import Command, Option


def commands() -> dict[str, Command]:
    from answer_mutation.cli import command as mutate_command
    from contract_tests.cli import command as contract_command
    from mock_server.cli import command as mock_command
    from spec_diff.cli import diff_command

    return {
        "sivi-mock": mock_command(),
        "sivi-contract": contract_command(),
        "sivi-spec": diff_command(),
        "sivi-mutate": mutate_command(),
    }


def flag_cell(option: Option) -> str:
    value = f" {option.value_shown}" if option.value_shown else ""
    return ", ".join(f"`{name}{value}`" for name in option.flags)


def table(command: Command) -> dict[str, Any]:
    """The table's head and one row per option, keyed by each of its flags (`-h` and `--help` name one row)."""
    with_variables = any(option.env for option in command.listed)
    head = ["flag", "variable", "meaning"] if with_variables else ["flag", "meaning"]
    rows = []
    for option in command.listed:
        cells = [flag_cell(option)]
        if with_variables:
            cells.append(f"`{option.env}`" if option.env else "")
        cells.append(option.help.replace("|", "\\|"))
        rows.append({"flags": list(option.flags), "row": "| " + " | ".join(cells) + " |"})
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
    tables = {"flags": {program: table(command) for program, command in commands().items()}, "decisions": decisions()}
    json.dump(tables, sys.stdout)


if __name__ == "__main__":
    main()
