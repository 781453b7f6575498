"""`sivi-mock`'s command line and the `Settings` table: the table's flagged fields as the command's options, and
the parsed arguments back as a `Settings`."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from mock_server.command_line import Option
from mock_server.settings.flags import flagged
from mock_server.settings.table import Settings


def options() -> tuple[Option, ...]:
    """The `sivi-mock` options, one per flagged field, into the field's name; a flag not given reads as None (the
    field's default), and the help shows that default unless it says it already."""
    made = []
    for setting, option in flagged(Settings):
        stated = option.switch or setting.default is None or "default" in option.help
        shown_default = "" if stated else f" (default: {setting.default})"
        made.append(dataclasses.replace(option, name=setting.name, help=option.help + shown_default))
    return tuple(made)


def from_arguments(arguments: argparse.Namespace) -> Settings:
    """The `Settings` of parsed `sivi-mock` arguments: what was given, the defaults for the rest; `SettingsError`
    when they cannot run together."""
    given: dict[str, Any] = {}
    for setting, option in flagged(Settings):
        value = getattr(arguments, setting.name)
        if value is None or (option.switch and value is False):
            continue
        given[setting.name] = tuple(value) if option.repeatable else value
    return Settings(**given)
