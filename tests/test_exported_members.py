"""The public surface: what the docs tell people to import, from the package itself, and nothing heavy until
it is used (`sivi-mock --help` and `sivi-contract --help` stay quick)."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from types import ModuleType

import pytest

import contract_tests
import mock_server
import spec_diff

EXPORTED = {
    mock_server: [
        "BackgroundServer",
        "Contract",
        "FixtureError",
        "MockApp",
        "Settings",
        "SiviKitError",
        "SiviMock",
        "SpecError",
        "create_app",
        "load_contract",
        "mask_key",
    ],
    contract_tests: [
        "Outcome",
        "SiviKitError",
        "SuiteSettings",
        "TargetError",
        "UsageError",
        "read_settings",
        "run_suite",
    ],
    spec_diff: ["Counterexample", "Finding", "Report", "SpecDocument", "compare", "read_spec", "render"],
}
HEAVY = ["starlette", "uvicorn", "pytest", "_pytest", "schemathesis", "hypothesis", "requests"]


@pytest.mark.parametrize("package", EXPORTED, ids=lambda package: package.__name__)
def test_public_names_exported(package: ModuleType):
    assert package.__all__ == EXPORTED[package]
    namespace: dict[str, object] = {}
    exec(f"from {package.__name__} import *", namespace)
    assert sorted(name for name in namespace if name != "__builtins__") == package.__all__
    for name in package.__all__:
        member = getattr(package, name)
        assert member.__module__.split(".")[0] in ("mock_server", "contract_tests", "spec_diff"), name
        assert name in dir(package)
    with pytest.raises(AttributeError, match="no attribute 'create_ap'"):
        package.create_ap  # noqa: B018 - a typo is an AttributeError naming it


def test_errors_share_one_type():
    errors = [getattr(package, name) for package in EXPORTED for name in package.__all__ if name.endswith("Error")]
    from mock_server.errors import BodyTooLarge, InvalidInput, PreferError

    for error in [*errors, PreferError, InvalidInput, BodyTooLarge]:
        assert issubclass(error, mock_server.SiviKitError), error
    with pytest.raises(mock_server.SiviKitError, match=r"openapi\.yaml: cannot read the spec"):
        mock_server.load_contract("/nonexistent/openapi.yaml")


def kit_modules() -> list[ModuleType]:
    """Every module of the three packages, imported (not the `python -m` entry points, nor the suite's tests)."""
    names = [
        info.name
        for package in EXPORTED
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
        if not info.name.rpartition(".")[2].startswith(("__main__", "test_", "conftest"))
    ]
    return [importlib.import_module(name) for name in names]


def test_exceptions_live_in_errors():
    """Every exception class of the kit lives in an errors module and is a SiviKitError."""
    defined = {
        value
        for module in kit_modules()
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, BaseException) and value.__module__ == module.__name__
    }
    assert len(defined) > 10
    elsewhere = sorted(
        f"{error.__module__}.{error.__qualname__}"
        for error in defined
        if error.__module__.rpartition(".")[2] != "errors"
    )
    assert not elsewhere, f"exception classes outside the errors modules: {elsewhere}"
    # `StopRun` ends the run from inside Hypothesis, which an `except Exception` must not catch.
    from contract_tests.errors import StopRun

    apart = sorted(
        error.__qualname__ for error in defined - {StopRun} if not issubclass(error, mock_server.SiviKitError)
    )
    assert not apart, f"errors of the kit that `except SiviKitError` does not catch: {apart}"


@pytest.mark.parametrize("command", ["mock_server.cli", "contract_tests.cli", "spec_diff.cli", "answer_mutation.cli"])
def test_flags_parse_without_servers(command: str):
    """The commands parse their flags without loading the servers or the suite."""
    probe = (
        f"import sys, {command} as cli\n"
        f"with __import__('contextlib').suppress(SystemExit): cli.main(['--help'])\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[-1] == "[]", f"`--help` imports {result.stdout.splitlines()[-1]}"
