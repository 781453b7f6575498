"""`sivi-mutate -- COMMAND`, run for real on the consumer projects of `tests/mutation_consumers/`: the robust one gets
no finding, each weak one the finding its weakness earns, by kind, mutant and test. `sivi-mutate` runs by its `main`
in the test's process (its console script is run by tests/test_installs.py); COMMAND's runs are real processes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from answer_mutation.cli import main
from answer_mutation.run import Planned, in_batches
from mock_server.mock.mutants import mutant_table
from mock_server.spec import load_contract

# Under `pytest -n` two workers share these tests, the weak projects on one: each test is a mutation run of several
# processes, and the third worker stays free for the rest of the suite.
pytestmark = pytest.mark.xdist_group("answer_mutation")
CONSUMERS = Path(__file__).parent / "mutation_consumers"
PAGE = (Path(__file__).parent.parent / "docs" / "answer-mutation.md").read_text(encoding="utf-8")
# The consumers' pytest loads only the kit's plugin: Schemathesis' and Hypothesis' would triple each rerun's start.
PYTEST = (sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "mock_server.pytest_plugin")


def project(tmp_path: Path, weakness: str | None = None) -> Path:
    """`robust/`, with the files of the weak project `weakness` in place of its own."""
    shutil.copytree(CONSUMERS / "robust", tmp_path / "project")
    if weakness is not None:
        for file in (CONSUMERS / weakness).iterdir():
            shutil.copy(file, tmp_path / "project" / file.name)
    return tmp_path / "project"


@pytest.fixture
def mutate_cli(monkeypatch, capsys) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`sivi-mutate ARGUMENTS` run by its `main` in this process, as the console script runs it (one interpreter
    start and import fewer per run): its exit status, stdout and stderr. COMMAND's processes get this environment."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")

    def run(*arguments: str, cwd: Path | None = None, env: dict[str, str] | None = None):
        with monkeypatch.context() as scoped:
            if cwd is not None:
                scoped.chdir(cwd)
            for name, value in (env or {}).items():
                scoped.setenv(name, value)
            capsys.readouterr()
            try:
                code = main(list(arguments))
            except SystemExit as exit:  # a usage error: argparse ends it with its status
                code = exit.code if isinstance(exit.code, int) else 1
            out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["sivi-mutate", *arguments], code, out, err)

    return run


@pytest.fixture
def sivi_mutate(mutate_cli) -> Callable[..., tuple[subprocess.CompletedProcess[str], dict]]:
    """`sivi-mutate --json FILE ARGUMENTS -- COMMAND` in the project `where`: what it printed, and its report."""

    def run(where: Path, *arguments: str, command=PYTEST, env: dict[str, str] | None = None):
        report = where.parent / "mutation.json"
        ran = mutate_cli("--json", str(report), *arguments, "--", *command, cwd=where, env=env)
        return ran, json.loads(report.read_text()) if report.exists() else {}

    return run


def named(findings: list[dict]) -> set[tuple[str, str, str | None]]:
    return {(finding["kind"], finding["name"], finding["test"]) for finding in findings}


USAGE_TEST = "check_usage.py::test_usage_of_the_documented_user"


def test_robust_client_no_finding(tmp_path, sivi_mutate):
    """A robust client whose tests check what they receive gets no finding."""
    mutants = "every value changed,fault hang,unknown properties,no months,status 200"  # one of each kind, and a hang
    real_key = {"SIVI_API_KEY": "sk-live-real-staging-key"}  # what a developer's shell may hold
    ran, report = sivi_mutate(project(tmp_path), "--mutants", mutants, env=real_key)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert report["findings"] == []
    assert "sk-live" not in ran.stdout + json.dumps(report), "the run's mock and its report never see the real key"
    runs = {(run["test"], run["mutant"]) for run in report["mutantRuns"]}
    assert (USAGE_TEST, "fault hang") in runs and ("check_errors.py::test_an_outage", "status 200") in runs
    assert "0 findings: no finding" in ran.stdout


WEAK = [
    ("only_checks_returned", "every value changed", {("unnoticed", "every value changed", USAGE_TEST)}),
    ("refuses_unknown_properties", "unknown properties", {("brittle", "unknown properties", USAGE_TEST)}),
    ("divides_by_months", "no months", {("brittle", "no months", USAGE_TEST)}),
    ("reads_only_mb", "mediaSize 1.5Gb", {("brittle", "mediaSize 1.5Gb", USAGE_TEST)}),
    ("no_timeout", "fault hang", {("hang", "fault hang", USAGE_TEST), ("untested", "fault hang", None)}),
]


@pytest.mark.xdist_group("answer_mutation_weak")
@pytest.mark.parametrize(("weakness", "mutant", "found"), WEAK, ids=[weak[0] for weak in WEAK])
def test_weak_consumer_named(tmp_path, weakness, mutant, found, sivi_mutate):
    # A hang is seen at the time limit: 2 s rather than the default floor of 5 (a test here takes well under 1).
    limit = ("--time-limit", "2") if mutant == "fault hang" else ()
    ran, report = sivi_mutate(project(tmp_path, weakness), "--mutants", mutant, *limit)
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert named(report["findings"]) == found, ran.stdout
    if weakness == "divides_by_months":  # the docs' example project: the page shows the report this run prints
        shown = re.search(r"```text\n\$ sivi-mutate --mutants \"no months\".*?\n(brittle.*?)```", PAGE, re.S)
        assert shown, "docs/answer-mutation.md shows no report of the divides_by_months project"
        assert shown[1].strip() in ran.stdout, "the docs page's report is not what sivi-mutate prints"
        assert (
            f"brittle    {USAGE_TEST}\n"
            "  received 200 documented user\n"
            "  mutant   no months: monthlyAnalysis: []\n"
            "  the test failed with an error (ZeroDivisionError: division by zero)"
        ) in ran.stdout


def test_unseen_401_is_untested(tmp_path, sivi_mutate):
    """Tests that never see a 401 leave the documented 401 untested."""
    # --max-mutants 0: the clean run alone says what no test received; the bound says what it left out.
    in_ci = {"GITHUB_ACTIONS": "true"}
    ran, report = sivi_mutate(project(tmp_path, "never_sees_401"), "--max-mutants", "0", env=in_ci)
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert named(report["findings"]) == {("untested", "401 missing api key", None)}
    assert report["mutantRuns"] == []
    assert "check_errors.py::test_an_outage: status 200 on 500 server error" in report["leftOut"]
    assert "untested   no test received 401 missing api key" in ran.stdout
    assert f"left out   {len(report['leftOut'])} mutant runs (a bound)" in ran.stdout
    assert "::error title=sivi-mutate untested::no test received 401 missing api key" in ran.stdout


def test_accepted_finding_passes(tmp_path, sivi_mutate):
    """An accepted finding is shown with its reason and does not fail the run."""
    ran, report = sivi_mutate(
        project(tmp_path, "never_sees_401"),
        "--max-mutants",
        "0",
        "--accept",
        "401 missing api key=the gateway in front of the client answers 401s",
    )
    assert ran.returncode == 0, ran.stdout
    assert report["findings"][0]["accepted"] == "the gateway in front of the client answers 401s"
    assert "[accepted: the gateway in front of the client answers 401s]" in ran.stdout


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js (node --test)")
def test_javascript_consumer(tmp_path, sivi_mutate):
    """A JavaScript consumer reading SIVI_MOCK_URL is mutated as one command."""
    where = tmp_path / "javascript"
    shutil.copytree(CONSUMERS / "javascript", where)
    ran, report = sivi_mutate(where, "--mutants", "every value changed,status 500", command=("node", "--test"))
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert ("unnoticed", "every value changed", None) in named(report["findings"]), ran.stdout
    assert ("unnoticed", "status 500", None) not in named(report["findings"]), "its client throws on a 500"


@pytest.mark.parametrize(
    ("command", "says"),
    [
        (("sivi-no-such-command",), "sivi-mutate: COMMAND not found: sivi-no-such-command"),
        ((sys.executable, "-c", "pass"), "sivi-mutate: COMMAND never called the mock at SIVI_MOCK_URL"),
        ((sys.executable, "-c", "raise SystemExit('broken')"), "sivi-mutate: the clean run of COMMAND failed (exit 1)"),
    ],
    ids=["not found", "never calls the mock", "clean run fails"],
)
def test_nothing_to_test_exits_2(tmp_path, command, says, sivi_mutate):
    ran, report = sivi_mutate(tmp_path, command=command)
    assert ran.returncode == 2
    assert ran.stderr.startswith(says) and ran.stderr.count("\n") == 1, ran.stderr
    assert ran.stdout == "" and report == {}


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ((), "sivi-mutate: give the test command after --"),
        (("--accept", "status 500", "--", "pytest"), "sivi-mutate: --accept 'status 500': expected NAME=REASON"),
        (("--mutants", "status 999", "--", "true"), "sivi-mutate: --mutants: no mutant or kind named status 999"),
    ],
    ids=["no command", "accept without reason", "unknown mutant"],
)
def test_usage_error_exits_2(arguments, says, mutate_cli):
    ran = mutate_cli(*arguments)
    assert ran.returncode == 2
    assert ran.stderr.startswith(says) and ran.stderr.count("\n") == 1, ran.stderr


def test_one_mutant_per_process():
    """Each pytest process takes at most one mutant of each test."""
    table = mutant_table(load_contract())
    plan = [
        Planned(test, "200 documented user", table[name]) for test in ("a", "b") for name in ("status 500", "charset")
    ]
    plan.append(Planned("c", "500 server error", table["status 200"]))
    plan.append(Planned(None, "500 server error", table["status 200"]))
    batches = in_batches(plan)
    assert [[(item.test, item.mutant.name) for item in batch] for batch in batches] == [
        [("a", "status 500"), ("b", "status 500"), ("c", "status 200")],
        [("a", "charset"), ("b", "charset")],
        [(None, "status 200")],
    ], "N tests cost as many processes as the test with the most mutants; an answer of no test named, one alone"
