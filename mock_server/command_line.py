"""What the kit's commands (`sivi-mock`, `sivi-contract`, `sivi-spec`, `sivi-mutate`) share on the command line.

Each command declares its options once, as a tuple of `Option` records in its `Command`; `Command.parser` (or
`add_options`) makes the argparse parser from them, and `Command.listed` names every option `--help` shows, which
the docs' flag tables and their tests read. An option with an environment variable is read after argparse, from
its flag or else its variable, by `given_values`: one parse for both, and a wrong value names the flag or the
variable it came from. An option without one is parsed by argparse as it reads the line.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from mock_server.errors import OptionError


class OneLineParser(argparse.ArgumentParser):
    """argparse, with a usage error told in one line instead of the usage block: the option, what is wrong with it,
    and where to read more. Exit status 2, as argparse's."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def yes_or_no(text: str) -> bool:
    """A switch's variable: `1`, `true`, `yes` are on; `0`, `false`, `no` and empty are off."""
    value = text.lower()
    if value not in ("1", "true", "yes", "0", "false", "no", ""):
        raise ValueError("must be 1 or 0")
    return value in ("1", "true", "yes")


@dataclass(frozen=True)
class Option:
    """One option of a command: its flag (a name without dashes is a positional argument), what it means, and how
    its text is read. `switch` takes no value; `repeatable` is given again for each value (a list); `rest` takes the
    rest of the command line. `env` names the variable that gives it when the flag does not."""

    flag: str
    help: str
    parse: Callable[[str], Any] | None = None
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    switch: bool = False
    repeatable: bool = False
    rest: bool = False
    env: str | None = None
    default: Any = None
    name: str | None = None  # where the value goes, when it is not the flag's own name (`--spec` -> `spec_path`)
    short: str | None = None  # a one-letter form, as `-h` of `--help`

    @property
    def flags(self) -> tuple[str, ...]:
        """Its flags, the short form first: `("-h", "--help")`."""
        return (self.flag,) if self.short is None else (self.short, self.flag)

    @property
    def value_shown(self) -> str:
        """What `--help` writes after the flag for its value: nothing for a switch, else `{a,b}` for choices argparse
        checks, else the metavar (argparse's default: the dest in capitals)."""
        if self.switch:
            return ""
        if self.choices and self.env is None:
            return "{" + ",".join(self.choices) + "}"
        return self.metavar or self.dest.upper()

    @property
    def dest(self) -> str:
        return self.name or self.flag.removeprefix("--").replace("-", "_")

    @property
    def shown_help(self) -> str:
        """The help as `--help` shows it: with the variable, when there is one, as `[SIVI_SEED]`."""
        return self.help if self.env is None else f"{self.help} [{self.env}]"

    @property
    def argument(self) -> dict[str, Any]:
        """How argparse (or pytest's `addoption`) reads it, its flag and dest aside."""
        arguments: dict[str, Any] = {"help": self.shown_help}
        if self.default is not None:
            arguments["default"] = self.default
        if self.env is not None:
            # Read as text and parsed later with the variable's text: a switch gives what `SIVI_STRICT=1` gives.
            arguments.update({"action": "store_const", "const": "1"} if self.switch else {"metavar": self.metavar})
            return arguments
        if self.switch:
            arguments["action"] = "store_true"
            return arguments
        arguments.update(metavar=self.metavar, choices=self.choices)
        if self.parse is not None:
            arguments["type"] = self.parse
        if self.repeatable:
            arguments["action"] = "append"
        if self.rest:
            arguments["nargs"] = argparse.REMAINDER
        return {key: value for key, value in arguments.items() if value is not None}

    def read(self, text: str, source: str) -> Any:
        """`text` as this option's value; `OptionError` names `source` (its flag or its variable) when it cannot."""
        parse = self.parse or (yes_or_no if self.switch else str)
        try:
            return parse(text.strip())
        except ValueError as error:
            raise OptionError(f"{source}: {text!r} {error}") from None


# argparse's own two, with its words: every command has the first, and the kit's four the second.
HELP = Option("--help", "show this help message and exit", switch=True, short="-h")
VERSION = Option("--version", "show program's version number and exit", switch=True)


def add_options(parser: argparse.ArgumentParser, options: Sequence[Option]) -> argparse.ArgumentParser:
    for option in options:
        if option.flag.startswith("-"):
            parser.add_argument(*option.flags, dest=option.dest, **option.argument)
        else:
            parser.add_argument(option.flag, **option.argument)
    return parser


@dataclass(frozen=True)
class Command:
    """A command line: its name, what it does, its options in order, and its version when it reports one."""

    prog: str
    description: str
    options: Sequence[Option]
    version: str | None = None
    epilog: str | None = None

    @property
    def listed(self) -> tuple[Option, ...]:
        """Every flag `--help` lists, in its order: `--help`, `--version` when there is one, then the command's own
        (positional arguments aside)."""
        built_in = (HELP,) if self.version is None else (HELP, VERSION)
        return (*built_in, *(option for option in self.options if option.flag.startswith("-")))

    def parser(self) -> argparse.ArgumentParser:
        """One line for a usage error, `--help`, `--version` when given one, then the options in order."""
        parser = OneLineParser(
            prog=self.prog,
            description=self.description,
            epilog=self.epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            add_help=False,
        )
        parser.add_argument(*HELP.flags, action="help", help=HELP.help)
        if self.version is not None:
            parser.add_argument(VERSION.flag, action="version", version=f"%(prog)s {self.version}", help=VERSION.help)
        return add_options(parser, self.options)


@dataclass(frozen=True)
class Given:
    """An option's value, and the flag or variable that gave it (for a message about it)."""

    value: Any
    source: str


def given_values(options: Sequence[Option], values: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, Given]:
    """What each option was given, by its dest: its flag's value in `values` (None: not given), else its variable's
    when not empty; text is parsed by the option. An option given neither is left out; `OptionError` names the
    flag or the variable of a value that cannot be read."""
    given: dict[str, Given] = {}
    for option in options:
        raw, source = values.get(option.dest), option.flag
        if raw is None and option.env is not None and environ.get(option.env, "") != "":
            raw, source = environ[option.env], option.env
        if raw is None:
            continue
        given[option.dest] = Given(option.read(raw, source) if isinstance(raw, str) else raw, source)
    return given
