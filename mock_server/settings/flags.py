"""A `Settings` field that `sivi-mock` also takes as a flag: the `Option` in the field's metadata, read back.

`flag(...)` is that metadata (an `Option` of `mock_server.command_line`, the one way the kit's commands declare
options); `flagged` finds the flagged fields of a table, in their order; `option_name` is how a message names a
field, by its flag when it has one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mock_server.command_line import Option

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def comma_list(text: str) -> tuple[str, ...]:
    """`500,reset, gateway-503` -> `("500", "reset", "gateway-503")`."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def flag(
    name: str,
    help: str,
    *,
    parse: Callable[[str], object] | None = None,
    metavar: str | None = None,
    choices: tuple[str, ...] | None = None,
    switch: bool = False,
    repeatable: bool = False,
) -> dict[str, Option]:
    """The metadata of a `Settings` field that `sivi-mock` also takes as `name` (an `Option` of the command line)."""
    option = Option(name, help, parse=parse, metavar=metavar, choices=choices, switch=switch, repeatable=repeatable)
    return {"flag": option}


def flagged(table: type[DataclassInstance]) -> list[tuple[dataclasses.Field[Any], Option]]:
    """Each field of `table` that is also a flag, with its `Option`, in the fields' order."""
    return [(each, each.metadata["flag"]) for each in dataclasses.fields(table) if "flag" in each.metadata]


def option_name(table: type[DataclassInstance], setting: str) -> str:
    """How a message names the field `setting` of `table`: its flag, or `Settings.<field>` for one no flag sets."""
    flags = (option.flag for each, option in flagged(table) if each.name == setting)
    return next(flags, f"{table.__name__}.{setting}")
