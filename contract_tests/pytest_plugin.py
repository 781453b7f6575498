"""The suite's options for plain pytest, from an install: `pytest --pyargs contract_tests --base-url ...`.

Installed kits register this module through the `pytest11` entry point. pytest reads its options before it finds
the suite's `conftest.py` in site-packages, so the options come from here; but only for a run that names the suite.
Every other pytest run of a project that installed the kit gets no option from it: nothing to collide with another
plugin's `--base-url` (pytest-base-url's), nothing new in its `--help`. This module imports only the options table,
so a base install (without the `[contract]` extra) loads it at no cost.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contract_tests.settings import OPTIONS
from mock_server.distribution import DISTRIBUTION, missing_for_extra

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE = PACKAGE_DIR.name


def add_suite_options(parser: pytest.Parser) -> None:
    """The suite's options (`OPTIONS`), each also reading its variable; a flag another plugin or an earlier call
    already took is left to it (`conftest._option_value` reads another plugin's under its own name)."""
    group = parser.getgroup("sivi-contract", "the Sivi contract suite (each option also reads its variable)")
    # pytest has no public way to ask which flags other plugins took; its parser keeps them in these groups.
    groups = [parser._anonymous, *parser._groups]
    taken = {name for other in groups for argument in other.options for name in argument.names()}
    for option in OPTIONS:
        if option.flag in taken:
            continue
        group.addoption(option.flag, dest=f"sivi_{option.dest}", **option.argument)


def names_the_suite(args: list[str], started_in: Path) -> bool:
    """Whether a pytest command line asks for the suite: its module name (`--pyargs contract_tests`, or
    `contract_tests.test_lookup`), or a path in its folder (a checkout's `contract_tests`, the installed one)."""
    for arg in args:
        if arg.startswith("-"):
            continue
        target = arg.split("::")[0]
        if target == PACKAGE or target.startswith(f"{PACKAGE}."):
            return True
        path = (started_in / target).resolve()
        if path == PACKAGE_DIR or PACKAGE_DIR in path.parents:
            return True
    return False


@pytest.hookimpl(trylast=True)  # after every plugin has added its own options: theirs are left to them
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    started_in = early_config.invocation_params.dir
    if not names_the_suite(args, started_in):
        return
    if PACKAGE in args and not early_config.known_args_namespace.pyargs and not (started_in / PACKAGE).exists():
        # pytest would only say "file or directory not found": the folder is a checkout's; an install has the module.
        raise pytest.UsageError(
            f"no folder {PACKAGE} here (a checkout has it): from an install, run pytest --pyargs {PACKAGE} ..."
        )
    missing = missing_for_extra("contract")
    if missing:  # the suite's conftest would fail to import Schemathesis, in a traceback
        raise pytest.UsageError(
            f"the contract suite is not installed ({', '.join(missing)} missing): "
            f"pip install '{DISTRIBUTION}[contract]'"
        )
    add_suite_options(parser)
