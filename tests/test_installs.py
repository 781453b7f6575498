"""The kit installed the ways its users install it, in the environments `make envs` builds (see the Makefile):

- `.envs/lowest`: every base dependency at the lower bound `pyproject.toml` declares; the mock's and the plugin's
  own tests must pass there, and without the `[contract]` extra `sivi-contract` says what to install;
- `.envs/lowest-contract`: the same with `[contract]` at its lower bounds; the contract suite must pass there, and
  `sivi-spec diff` must find a breaking change;
- `.envs/fastapi`, `.envs/pytest8`: consumer projects (`tests/consumers/*/requirements.txt`) that installed the kit
  with pip over their pinned packages; none may have changed, and the README's `sivi_mock` example must pass.

A missing environment fails (never skips): `make test` builds them before it runs pytest.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# One worker runs this module under `pytest -n`: its module fixture starts the long lowest-versions runs once.
pytestmark = pytest.mark.xdist_group("installs")
ENVS = ROOT / ".envs"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
CONSUMERS = sorted(path.name for path in (ROOT / "tests" / "consumers").iterdir())
# The mock's and the plugin's own tests that lean on its libraries, run again on the lowest versions: Starlette and
# jsonschema-rs (the API, the admin API), uvicorn's protocol (the request deadline, the faults that take over the
# connection, the CLI's start, banner and Ctrl-C), httptools (the proxy's client), PyYAML's constructor (the
# fixtures' loader, and its errors and alias bombs at the CLI's start) and pytest 8 (the plugin). Prefer's and the
# sequences' own logic adds no library to these; nor do the CLI's `--reload` and reset (the kit's own polling and
# swap, over the loader already run here), its `python -m` door or its port-in-use line (the standard library's
# socket): those run in the kit's environment only, and 2-3 s of processes fewer run here. Within a file, so do the
# tests of the kit's own checks over what a library gave it (the comments below say which stay): 94 tests, not 159.
MOCK_TESTS = [
    # PyYAML's constructor (empty files, `.yml`, duplicate keys, non-UTF-8, `.nan`) and jsonschema-rs's messages;
    # the rest of test_fixtures.py is the kit's own checks over what these return.
    *(f"test_fixtures.py::{name}" for name in ["test_bundled_fixtures_validate", "test_each_drift_named"]),
    *(f"test_fixtures.py::{name}" for name in ["test_yml_is_yaml", "test_empty_file_is_harmless"]),
    *(f"test_fixtures.py::{name}" for name in ["test_key_twice_in_file_masked", "test_non_utf8_file_named"]),
    *(f"test_fixtures.py::{name}" for name in ["test_non_json_number_refused", "test_all_problems_at_once"]),
    # Starlette's routing, request body, CORS and error handling; the scenario users and keys are the kit's own.
    *(f"test_mock_api.py::{name}" for name in ["test_documented_user_example", "test_wrong_key_is_401"]),
    *(f"test_mock_api.py::{name}" for name in ["test_auth_comes_first", "test_invalid_input_is_422"]),
    *(f"test_mock_api.py::{name}" for name in ["test_no_content_type_is_422", "test_json_with_charset_is_json"]),
    *(f"test_mock_api.py::{name}" for name in ["test_large_body_is_413", "test_other_methods_are_405"]),
    *(f"test_mock_api.py::{name}" for name in ["test_unknown_path_is_404", "test_spec_and_docs_served"]),
    *(f"test_mock_api.py::{name}" for name in ["test_cors_preflight_answered", "test_mock_bug_is_enveloped"]),
    # The admin API's own routes on Starlette: its body, its origin check and its token.
    *(f"test_mock_admin.py::{name}" for name in ["test_journal_masks_key", "test_added_user_until_reset"]),
    *(f"test_mock_admin.py::{name}" for name in ["test_wrong_admin_body_is_422", "test_token_protects_admin"]),
    "test_mock_admin.py::test_admin_refuses_foreign_origins",
    "test_mock_cli.py::test_cli_serves_bundled",
    "test_mock_cli.py::test_broken_fixture_stops_start",
    "test_mock_cli.py::test_alias_bomb_stops_start",
    "test_mock_cli.py::test_broken_spec_stops_start",
    "test_plugin.py",
    "test_proxy.py",
    # uvicorn's protocol: the deadline's timer on both doors (one half request each), its cancel and its restart.
    "test_request_deadline.py::test_half_request_is_408[half the headers-mock]",
    "test_request_deadline.py::test_half_request_is_408[half the body-proxy]",
    *(f"test_request_deadline.py::{name}" for name in ["test_silent_connection_closed", "test_slow_answer_not_cut"]),
    "test_request_deadline.py::test_next_request_gets_whole_deadline",
    # uvicorn's transport under each fault; the journal's and the fixtures' faults are the kit's own bookkeeping.
    *(f"test_mock_faults.py::{name}" for name in ["test_reset_and_close_faults", "test_truncated_halves_body"]),
    *(f"test_mock_faults.py::{name}" for name in ["test_truncated_cuts_shaped_answer", "test_garbage_is_not_http"]),
    *(f"test_mock_faults.py::{name}" for name in ["test_hang_closes_at_bound", "test_abandoned_hang_is_freed"]),
    *(f"test_mock_faults.py::{name}" for name in ["test_stop_ends_hang", "test_delay_before_fault"]),
    *(f"test_mock_faults.py::{name}" for name in ["test_faults_harm_nobody_else", "test_plain_uvicorn_fault_error"]),
]
DOCUMENTED_USER = "281743-2322-34i44sd3-dkfjgdkjf292"  # a user of the bundled fixtures
LOWER_BOUND = re.compile(r"^([A-Za-z0-9._-]+)\s*>=\s*([0-9.]+)")


def environment(name: str) -> Path:
    python = ENVS / name / "bin" / "python"
    assert (ENVS / name / ".installed").exists() and python.exists(), (
        f"the environment {ENVS / name} is missing: `make envs` builds it (make test does, before pytest)"
    )
    return python


def run(command: list[str | Path], **options) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True, timeout=100, **options)


def installed_versions(python: Path) -> dict[str, str]:
    probe = (
        "import json, importlib.metadata as m\n"
        "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
    )
    return {normalized(name): version for name, version in json.loads(run([python, "-c", probe]).stdout).items()}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def release(version: str) -> tuple[int, ...]:
    parts = [int(part) for part in version.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def lower_bounds(requirements: list[str]) -> dict[str, str]:
    bounds = {}
    for requirement in requirements:
        match = LOWER_BOUND.match(requirement)
        assert match, f"pyproject.toml: {requirement!r} has no tested lower bound (name>=version)"
        bounds[normalized(match.group(1))] = match.group(2)
    return bounds


def readme_example() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### In your tests: the `sivi_mock` pytest fixture", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def tail(result: subprocess.CompletedProcess[str], lines: int = 40) -> str:
    return "\n".join((result.stdout + result.stderr).splitlines()[-lines:])


class Started:
    """A long run begun when the module starts, so that it overlaps the module's quicker tests."""

    def __init__(self, command: list[str | Path], log: Path, cwd: Path = ROOT) -> None:
        self.log = log
        with log.open("w") as output:
            self.process = subprocess.Popen(
                [str(part) for part in command], cwd=cwd, stdout=output, stderr=subprocess.STDOUT, text=True
            )

    def finish(self) -> tuple[int, str]:
        code = self.process.wait(timeout=100)
        return code, "\n".join(self.log.read_text().splitlines()[-40:])


@pytest.fixture(scope="module", autouse=True)
def lowest_runs(tmp_path_factory) -> Iterator[dict[str, Started]]:
    logs = tmp_path_factory.mktemp("lowest-runs")
    runs: dict[str, Started] = {}
    command: list[str | Path]
    if (ENVS / "lowest" / ".installed").exists():
        tests = [f"tests/{name}" for name in MOCK_TESTS]
        command = [ENVS / "lowest" / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests]
        runs["lowest"] = Started(command, logs / "lowest.log")
    if (ENVS / "lowest-contract" / ".installed").exists():
        command = [ENVS / "lowest-contract" / "bin" / "sivi-contract", "--max-examples", "5", "--seed", "1"]
        runs["lowest-contract"] = Started(command, logs / "lowest-contract.log")
        # A change that breaks a client (every id at least 5 characters long): found, with its counterexample.
        narrowed = logs / "narrowed.yaml"
        narrowed.write_text((ROOT / "openapi.yaml").read_text().replace("minLength: 1", "minLength: 5"))
        command = [ENVS / "lowest-contract" / "bin" / "sivi-spec", "diff", ROOT / "openapi.yaml", narrowed]
        runs["lowest-spec-diff"] = Started(command, logs / "lowest-spec-diff.log")
        # The suite under plain pytest, as a project that installed the kit runs it: from its own folder, against a
        # mock of its own (a process, on a free port), with the suite's options on the command line.
        mock = subprocess.Popen(
            [ENVS / "lowest-contract" / "bin" / "sivi-mock", "--port", "0"], stdout=subprocess.PIPE, text=True
        )
        assert mock.stdout is not None
        target = mock.stdout.readline().split(" on ", 1)[-1].strip()
        project = tmp_path_factory.mktemp("a-project")
        command = [ENVS / "lowest-contract" / "bin" / "pytest", "-p", "no:cacheprovider", "--pyargs", "contract_tests"]
        command += ["--base-url", target, "--api-key", "mock-admin-key", "--user-id", DOCUMENTED_USER]
        command += ["--max-examples", "3", "--seed", "1", "-k", "authentication or lookup"]
        runs["lowest-contract-pytest"] = Started(command, logs / "lowest-contract-pytest.log", cwd=project)
    yield runs
    for started in runs.values():
        if started.process.poll() is None:
            started.process.kill()
            started.process.wait()
    if "lowest-contract" in runs:
        mock.terminate()  # the mock this fixture started, by its process
        mock.wait(10)


@pytest.mark.parametrize(
    ("name", "declared"),
    [("lowest", PYPROJECT["dependencies"]), ("lowest-contract", PYPROJECT["optional-dependencies"]["contract"])],
)
def test_lowest_envs_hold_bounds(name, declared):
    """The lowest environments hold the declared lower bounds."""
    installed = installed_versions(environment(name))
    wrong = {
        package: f"declared >={bound}, installed {installed.get(package, 'nothing')}"
        for package, bound in lower_bounds(declared).items()
        if package not in installed or release(installed[package]) != release(bound)
    }
    assert not wrong, f".envs/{name} does not test the lower bounds pyproject.toml declares: {wrong}"


@pytest.mark.parametrize("consumer", CONSUMERS)
def test_install_keeps_packages(consumer):
    """Installing the kit changes none of a consumer project's packages."""
    python = environment(consumer)
    pins = (ROOT / "tests" / "consumers" / consumer / "requirements.txt").read_text().splitlines()
    wanted = dict(line.split("==") for line in pins if line and not line.startswith("#"))
    installed = installed_versions(python)
    changed = {
        name: f"pinned {version}, now {installed.get(normalized(name), 'removed')}"
        for name, version in wanted.items()
        if installed.get(normalized(name)) != version
    }
    assert "sivi-contract-kit" in installed, f".envs/{consumer} does not have the kit installed"
    assert not changed, f"installing the kit changed the {consumer} project's packages: {changed}"
    check = run([python, "-m", "pip", "check"])
    assert check.returncode == 0, f"pip check in the {consumer} project: {check.stdout}"


@pytest.fixture(scope="module")
def consumer_runs(tmp_path_factory) -> Iterator[dict[str, Started]]:
    """One pytest run in each consumer project of the tests its team wrote: the README's `sivi_mock` example, and a
    test of its own `--base-url` (as pytest-base-url, which pytest-playwright brings, adds one), given on the command
    line. One run for both: each pytest start-up in these environments is a second of CPU."""
    runs = {}
    for consumer in CONSUMERS:
        if not (ENVS / consumer / ".installed").exists():
            continue
        project = tmp_path_factory.mktemp(f"{consumer}-project")
        (project / "test_readme_example.py").write_text(readme_example())
        (project / "conftest.py").write_text(
            "def pytest_addoption(parser):\n    parser.addoption('--base-url', default='http://localhost:8000')\n"
        )
        (project / "test_own.py").write_text(
            "def test_own(pytestconfig):\n    assert pytestconfig.getoption('base_url') == 'http://127.0.0.1:1234'\n"
        )
        python = ENVS / consumer / "bin" / "python"
        command: list[str | Path] = [python, "-m", "pytest", "-rA", "-p", "no:cacheprovider"]
        runs[consumer] = Started([*command, "--base-url", "http://127.0.0.1:1234"], project / "run.log", cwd=project)
    yield runs
    for started in runs.values():
        if started.process.poll() is None:
            started.process.kill()
            started.process.wait()


def outcome_of(output: str, test: str) -> str:
    """What `pytest -rA` said of `test` (`PASSED`, `FAILED`, `ERROR`), or `not run`."""
    said = re.search(rf"^(PASSED|FAILED|ERROR) {re.escape(test)}\b", output, re.MULTILINE)
    return said[1] if said else "not run"


@pytest.mark.parametrize("consumer", CONSUMERS)
def test_readme_example_passes(consumer, consumer_runs):
    """The README's example passes in a consumer project."""
    environment(consumer)
    _, output = consumer_runs[consumer].finish()
    outcome = outcome_of(output, "test_readme_example.py::test_report_survives_an_outage")
    assert outcome == "PASSED", f"the README's sivi_mock example fails in the {consumer} project:\n{output}"


def test_base_install_serves_mock():
    """The base install serves the mock and names the extra for the suite."""
    python = environment("pytest8")  # a base install, at today's versions
    bin_dir = python.parent
    modules = (
        "import importlib, pkgutil, mock_server\n"
        "for module in pkgutil.iter_modules(mock_server.__path__):\n"
        "    if module.name != '__main__':  # that one runs the CLI\n"
        "        importlib.import_module('mock_server.' + module.name)"
    )
    imported = run([python, "-c", modules])
    assert imported.returncode == 0, f"a mock_server module needs more than the base install:\n{tail(imported)}"

    for command in (["sivi-contract", "--base-url", "http://127.0.0.1:9"], ["sivi-spec", "diff", "a.yaml", "b.yaml"]):
        result = run([bin_dir / command[0], *command[1:]])
        assert result.returncode == 2, result.stdout + result.stderr
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1, f"not one line: {result.stderr!r}"
        assert "pip install 'sivi-contract-kit[contract]'" in result.stderr

    mock = subprocess.Popen(
        [bin_dir / "sivi-mock", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert mock.stdout is not None
    try:
        first_line = mock.stdout.readline()
        assert first_line.startswith("sivi-mock serving openapi.yaml on http://127.0.0.1:"), first_line
        base_url = first_line.split(" on ", 1)[1].strip()
        request = (
            "import sys, urllib.request as u\n"
            "r = u.Request(sys.argv[1] + '/enterprise/account-analysis', data=b'{\"abstractUserId\": \"user-12345\"}',"
            " headers={'sivi-api-key': 'mock-admin-key', 'content-type': 'application/json'})\n"
            "print(u.urlopen(r, timeout=10).status)"
        )
        answered = run([sys.executable, "-c", request, base_url])
        assert answered.stdout.strip() == "200", f"the base install's sivi-mock did not answer 200:\n{tail(answered)}"
    finally:
        mock.terminate()
        mock.wait(10)


def test_versions_match_changelog():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    latest = re.search(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.MULTILINE)
    assert latest, "CHANGELOG.md has no released version (## [x.y.z] - YYYY-MM-DD)"
    assert PYPROJECT["version"] == latest.group(1), "pyproject.toml's version is not the changelog's latest release"
    for command in ("sivi-mock", "sivi-contract", "sivi-spec", "sivi-mutate"):
        result = run([Path(sys.executable).parent / command, "--version"])
        assert result.stdout == f"{command} {latest.group(1)}\n", result.stdout + result.stderr


# Last in the module: by now the runs begun at its start have had the other tests' time to finish.
def test_mock_on_lowest_versions(lowest_runs):
    """The mock and the plugin pass their tests on the lowest versions."""
    environment("lowest")
    code, output = lowest_runs["lowest"].finish()
    assert code == 0, f"the mock's tests fail on the lowest versions allowed:\n{output}"


def test_suite_on_lowest_versions(lowest_runs):
    environment("lowest-contract")
    code, output = lowest_runs["lowest-contract"].finish()
    assert code == 0, f"the contract suite fails on the lowest versions allowed:\n{output}"
    assert "CONFORMS" in output


def test_suite_under_plain_pytest(lowest_runs):
    """The suite runs under plain pytest from an install with its options on the command line."""
    environment("lowest-contract")
    code, output = lowest_runs["lowest-contract-pytest"].finish()
    assert "unrecognized arguments" not in output, (
        f"pytest --pyargs contract_tests does not take its options:\n{output}"
    )
    assert code == 0, f"pytest --pyargs contract_tests --base-url ... from an install:\n{output}"
    assert "target: http://127.0.0.1:" in output and "CONFORMS" in output, output


@pytest.mark.parametrize("consumer", CONSUMERS)
def test_consumer_base_url_untouched(consumer, consumer_runs):
    """A consumer project's own base URL option and help are untouched by the suite's options."""
    python = environment(consumer)
    # Its own `--base-url`, given on the command line, reaches its own test (consumer_runs).
    code, output = consumer_runs[consumer].finish()
    assert code == 0 and outcome_of(output, "test_own.py::test_own") == "PASSED", output
    project = consumer_runs[consumer].log.parent
    shown = run([python, "-m", "pytest", "--help", "-p", "no:cacheprovider"], cwd=project).stdout
    assert "sivi-contract" not in shown and "--user-id" not in shown, (
        "the suite's options show in another project's run"
    )


def test_suite_missing_says_what_to_do(tmp_path):
    """Pytest asked for the suite where it cannot run says what to do in one line."""
    python = environment("pytest8")  # a base install: no [contract] extra
    told = {}
    for command in (["contract_tests"], ["--pyargs", "contract_tests"]):
        result = run(
            [python, "-m", "pytest", "-p", "no:cacheprovider", *command, "--base-url", "http://x"], cwd=tmp_path
        )
        assert result.returncode == 4 and "Traceback" not in result.stderr, tail(result)
        told[command[0]] = result.stderr.strip()
    assert told == {
        "contract_tests": "ERROR: no folder contract_tests here (a checkout has it): from an install, run pytest "
        "--pyargs contract_tests ...",
        "--pyargs": "ERROR: the contract suite is not installed (hypothesis, schemathesis missing): pip install "
        "'sivi-contract-kit[contract]'",
    }


def test_spec_diff_on_lowest_versions(lowest_runs):
    """The spec diff finds a breaking change with its counterexample on the lowest versions."""
    environment("lowest-contract")
    code, output = lowest_runs["lowest-spec-diff"].finish()
    assert code == 1, f"sivi-spec diff on the lowest versions allowed:\n{output}"
    assert "narrowed (minLength: 1 -> 5)" in output and 'counterexample: a request body {"abstractUserId":"' in output
    assert output.rstrip().endswith("breaks a client of " + str(ROOT / "openapi.yaml")), output


def test_install_page_ranges():
    """Rows of docs/install.md's table: `| `uvloop`, `httptools` | `>=0.17`, `>=0.5` | why |`, `[contract]` for the
    extra."""
    install = (ROOT / "docs" / "install.md").read_text()
    documented = {}
    for packages, ranges in re.findall(r"^\| (`[a-z0-9-]+`[^|]*) \| (`[^|]*`) \| ", install, re.MULTILINE):
        extra = "contract" if "(`[contract]`)" in packages else ""
        names = re.findall(r"`([a-z0-9-]+)`", packages.split("(")[0])
        documented.update(
            {(name, extra): spec for name, spec in zip(names, re.findall(r"`([^`]+)`", ranges), strict=True)}
        )
    declared = {}
    for extra in ("", "contract"):
        requirements = PYPROJECT["optional-dependencies"][extra] if extra else PYPROJECT["dependencies"]
        for requirement in requirements:
            name, spec = LOWER_BOUND.match(requirement).group(1), requirement.split(";")[0]  # type: ignore[union-attr]
            declared[(normalized(name), extra)] = spec[len(name) :].strip()
    differing = sorted(set(documented.items()) ^ set(declared.items()))
    assert not differing, f"docs/install.md and pyproject.toml disagree on these dependencies or ranges: {differing}"
