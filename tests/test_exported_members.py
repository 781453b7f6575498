"""The public surface: what the docs tell people to import, from the package itself, and nothing heavy until
it is used (`sivi-mock --help` and `sivi-contract --help` stay quick)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
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
def test_the_package_exports_its_public_names(package: ModuleType):
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


def test_every_error_of_the_kit_is_caught_as_one_type():
    errors = [getattr(package, name) for package in EXPORTED for name in package.__all__ if name.endswith("Error")]
    from mock_server.errors import BodyTooLarge, InvalidInput, PreferError

    for error in [*errors, PreferError, InvalidInput, BodyTooLarge]:
        assert issubclass(error, mock_server.SiviKitError), error
    with pytest.raises(mock_server.SiviKitError, match=r"openapi\.yaml: cannot read the spec"):
        mock_server.load_contract("/nonexistent/openapi.yaml")


def test_every_error_class_lives_in_errors_py_and_its_docstring_draws_it_in_the_tree():
    from mock_server import errors

    tree = [re.match(r"[ │├└─]*(\w+)", line) for line in (errors.__doc__ or "").splitlines()]
    drawn = [(match.group(1), match.start(1)) for match in tree if match and match.group(1)[:1].isupper()]
    defined = [
        value for value in vars(errors).values() if isinstance(value, type) and value.__module__ == errors.__name__
    ]
    assert len(defined) > 10
    for error in defined:
        assert issubclass(error, mock_server.SiviKitError), f"{error.__name__} is not a SiviKitError"
        at = next((i for i, (name, _) in enumerate(drawn) if name == error.__name__), None)
        assert at is not None, f"the tree in mock_server/errors.py does not draw {error.__name__}"
        if error is not mock_server.SiviKitError:
            parent = next(name for name, column in reversed(drawn[:at]) if column < drawn[at][1])
            assert parent == error.__mro__[1].__name__, f"the tree draws {error.__name__} under {parent}"
    elsewhere = []
    for package in ("mock_server", "contract_tests", "spec_diff", "answer_mutation"):
        for source in (Path(__file__).parent.parent / package).rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef) and node.name.endswith("Error") and source.name != "errors.py":
                    elsewhere.append(f"{source.relative_to(source.parents[1])}: {node.name}")
    assert not elsewhere, f"error classes outside mock_server/errors.py: {elsewhere}"


@pytest.mark.parametrize("command", ["mock_server.cli", "contract_tests.cli", "spec_diff.cli", "answer_mutation.cli"])
def test_the_commands_parse_their_flags_without_loading_the_servers_or_the_suite(command: str):
    probe = (
        f"import sys, {command} as cli\n"
        f"with __import__('contextlib').suppress(SystemExit): cli.main(['--help'])\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[-1] == "[]", f"`--help` imports {result.stdout.splitlines()[-1]}"
