"""A suite that cannot fail proves nothing: it rejects every broken toy with the check that names its defect,
and passes correct toys that make other legal choices (zero false alarms)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from contract_tests.report import write_report
from contract_tests.runner import Outcome, run_suite
from contract_tests.settings import read_settings
from contract_tests.summary import summary_lines
from mock_server.secret import mask_key
from mock_server.serving.background import BackgroundServer
from tests import toy_servers as toys

# Small and fixed: every toy run is fast and sends the same requests each time.
TOY_OPTIONS = {
    "api_key": toys.ADMIN_KEY,
    "user_id": toys.KNOWN_USER,
    "workspace_id": toys.KNOWN_WORKSPACE,
    "regular_api_key": toys.REGULAR_KEY,
    "max_examples": "5",
    "seed": "7",
    "request_timeout": "5",  # generous: a loaded machine must not turn a slow answer into a finding
}


@contextmanager
def serving(toy: toys.Toy) -> Iterator[str]:
    with BackgroundServer(toy.app(), log_level="critical", timeout_graceful_shutdown=0.1) as server:
        yield server.url


def run_against(url: str, **options: Any) -> tuple[Outcome, str]:
    return run_with_junit(url, None, **options)


def run_with_junit(url: str, junit_xml: Path | None, **options: Any) -> tuple[Outcome, str]:
    out = io.StringIO()
    outcome = run_suite(
        read_settings({**TOY_OPTIONS, "base_url": url, **options}, environ={}), junit_xml=junit_xml, out=out
    )
    return outcome, out.getvalue()


def report_also(path: Path, outcome: Outcome) -> None:
    """The report `--report=path` writes, of a run made already: one run gives both forms (Markdown and HTML)."""
    assert outcome.run.record is not None, "the run ended before its record was made"
    write_report(path, outcome.run.record, outcome.run.redact)


def judged_strict(default: Outcome) -> tuple[Outcome, str]:
    """The run as `--strict` judges it (`Outcome.under_strict`), with what the terminal would show: each finding,
    then the summary."""
    strict = default.under_strict()
    assert strict.run.record is not None, "the run ended before its record was made"
    shown = [finding.render() for finding in strict.run.observed.findings] + summary_lines(strict.run.record)
    return strict, "\n".join(shown)


DefaultRun = tuple[Outcome, str, Path]


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> Callable[[type[toys.Toy]], DefaultRun]:
    """A default run against a correct toy, with an HTML report and a JUnit file (`contract.xml` beside it), made
    once: the tests about what it shows share it (one xdist group, so that they share it under `-n` too)."""
    made: dict[type[toys.Toy], DefaultRun] = {}

    def run(toy: type[toys.Toy]) -> DefaultRun:
        if toy not in made:
            page = tmp_path_factory.mktemp(toy.__name__) / "report.html"
            with serving(toy()) as url:
                made[toy] = (*run_with_junit(url, page.with_name("contract.xml"), report=str(page)), page)
        return made[toy]

    return run


@pytest.mark.xdist_group("toy_default_runs")
@pytest.mark.parametrize("toy", [toys.Toy, toys.CorrectWithOtherChoices, toys.CorrectWithOtherRefusals])
def test_correct_toys_pass(toy, default_run):
    """A correct implementation passes whatever legal choices it makes."""
    outcome, output, _ = default_run(toy)
    assert outcome.exit_code == 0, f"a false alarm on {toy.__name__}:\n{output}"
    assert "CONFORMS: no violation found" in output


@pytest.mark.parametrize(
    ("toy", "check"),
    [
        (toys.WrongEnvelopeStatus, "envelope_status"),
        (toys.UnknownUserGets200, "unknown_user_is_400"),
        (toys.UnknownUserGets404, "documented_status"),
        (toys.AuthenticatesAfterLookup, "auth_first"),
        (toys.RegularKeyAccepted, "auth_first"),
        (toys.ServerErrorOnUnusualText, "schemathesis:not_a_server_error"),
        (toys.ServerErrorOnNonObjectJson, "invalid_input_is_422"),
        (toys.InvalidInputGets400, "invalid_input_is_422"),
        (toys.EmptyIdIsLookedUp, "invalid_input_is_422"),
        (toys.ErrorWithoutMessage, "response_schema"),
        (toys.PlainTextContentType, "json_content_type"),
        (toys.NegativeCount, "response_schema"),
        (toys.IncompleteSuccessBody, "response_schema"),
        (toys.WorkspaceWins, "user_id_wins"),
        (toys.GetAccepted, "other_methods_refused"),
        # Broken behind a decision: what the decision leaves open, the documentation still rules out.
        (toys.ServerErrorForTextPlain, "invalid_input_is_422"),
        (toys.ServerErrorForMalformedIgnoredId, "invalid_input_is_422"),
        (toys.AnswersAnyBodyNotSentAsJson, "invalid_input_is_422"),
        (toys.PlainTextRefusalOfContentType, "json_body"),
        (toys.ServerErrorForWorkspaceOnly, "workspace_id_works"),
        (toys.MediaSizeAsNumber, "response_schema"),
        (toys.ServerErrorOnRepeatedKey, "invalid_input_is_422"),
        (toys.DeeplyNestedAnswer, "json_body"),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else value,
)
def test_broken_toys_fail(toy, check):
    """A broken implementation fails with the check that names its defect."""
    # One generated example: the suite's explicit cases meet each defect (checked with seeds 1, 2, 3 and 7); a toy
    # whose defect needs generated inputs asks for more in its suite_options.
    with serving(toy()) as url:
        outcome, output = run_against(url, **{"max_examples": "1", **toy.suite_options})
    assert outcome.exit_code == 1, output
    assert check in outcome.failed_checks, f"{toy.__name__} was not caught by {check}:\n{output}"
    assert f"✗ {check}:" in output and "curl -i -X" in output


@pytest.mark.parametrize(
    ("toy", "decision", "check"),
    [
        (toys.AcceptsAnyContentType, "content-type", "invalid_input_is_422"),
        (toys.UnsupportedMediaType, "content-type", "invalid_input_is_422"),
        (toys.IgnoredIdNotValidated, "user-id-wins", "invalid_input_is_422"),
        (toys.WorkspaceFallback, "user-id-wins", "user_id_wins"),
        (toys.ForbiddenForRegularKey, "non-admin-key", "auth_first"),
        (toys.ValidatesBeforeAuthenticating, "check-order", "auth_first"),
        (toys.ExtraPropertiesRejected, "unknown-properties", "extra_properties_ignored"),
        (toys.UserIdRequired, "user-id-optional", "workspace_id_works"),
        (toys.OtherSizeStrings, "media-size", "response_schema"),
        (toys.IdFormatChecked, "opaque-ids", "valid_input_is_answered"),
        (toys.LastValueWins, "repeated-keys", "invalid_input_is_422"),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else value,
)
def test_other_reading_warns(toy, decision, check):
    """Another reading of a decision is a warning by default and a violation under --strict."""
    # One generated example, as for the broken toys: a toy read only by generated inputs asks for more.
    few = {"max_examples": "1", **toy.suite_options}
    with serving(toy()) as url:
        default, output = run_against(url, **few)
    assert default.exit_code == 0, f"{toy.__name__} reads {decision} another way, which is no violation:\n{output}"
    assert "mode: default" in output and "decision(s) differ" in output
    assert f"  - {decision} (" in output, f"the warning does not name {decision}:\n{output}"
    differ = {difference.decision for difference in default.run.observed.differences.values()}
    assert decision in differ and differ <= {decision, *toy.also_differs_from}, output
    strict, output = judged_strict(default)  # the same answers: --strict sends the same requests
    assert strict.exit_code == 1, output
    assert "mode: strict" in output
    assert check in strict.failed_checks, f"under --strict, {toy.__name__} was not caught by {check}:\n{output}"
    assert f"the decision {decision} of openapi.yaml, enforced by --strict" in output


def test_strict_judges_as_a_strict_run():
    # The one toy read both ways for real: it differs in explicit tests and in generated inputs, alike ones counted.
    options = {"max_examples": "1"}
    with serving(toys.IgnoredIdNotValidated()) as url:
        default, _ = run_against(url, **options)
        strict, output = run_against(url, **options, strict="1")
    judged, _ = judged_strict(default)
    assert strict.exit_code == judged.exit_code == 1, output
    assert strict.run.record is not None and judged.run.record is not None
    assert summary_lines(judged.run.record) == summary_lines(strict.run.record), output
    assert "more generated inputs failed like the findings shown" in output, "no alike findings were counted"
    found = [(finding.test, finding.promise, finding.checks) for finding in strict.run.observed.findings]
    assert [(f.test, f.promise, f.checks) for f in judged.run.observed.findings] == found, output


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("toy", "reason"),
    [
        (toys.HangsOnTheWorkspace, "no answer within 0.5 s"),
        (toys.EndlessBodyForTheKnownUser, "the response body exceeds 1024 KiB"),
        (toys.TricklesForTheKnownUser, "the response did not end within 1.5 s"),
    ],
    ids=["silence", "an endless body", "a body that trickles forever"],
)
def test_endless_answer_is_finding(toy, reason):
    """An answer that never ends is a finding within bounded time."""
    with serving(toy()) as url:
        outcome, output = run_against(url, request_timeout="0.5", max_examples="1")  # the explicit cases meet it
    assert outcome.exit_code == 1, output
    assert "no_answer" in outcome.failed_checks
    assert f"no response: {reason}" in output


def test_slow_answer_needs_budget():
    """A slow answer is a violation only with a latency budget."""
    with serving(toys.SlowKnownUser()) as url:
        without_budget, _ = run_against(url, max_examples="1")  # the explicit cases send the plain request
    with serving(toys.SlowKnownUser()) as url:
        with_budget, output = run_against(url, max_examples="1", max_response_time="0.1")
    assert without_budget.exit_code == 0
    assert with_budget.exit_code == 1 and with_budget.failed_checks == ["max_response_time"], output


def test_wrong_user_id_not_tested():
    """A wrong user id is 'not tested' rather than a violation, and the line names the user id."""
    with serving(toys.Toy()) as url:
        outcome, output = run_against(url, user_id="someone-the-target-does-not-know")
    assert outcome.exit_code == 2, f"a set-up mistake was judged as the API's fault:\n{output}"
    assert output.startswith("sivi-contract: --user-id 'someone-the-target-does-not-know' (or SIVI_USER_ID) is not a")
    assert "HTTP 400" in output and output.count("\n") == 1, output


def test_known_user_without_200_fails():
    """A known user the API never answers 200 is the API's fault and fails the run."""
    with serving(toys.KnownUserGets500()) as url:
        outcome, output = run_against(url, max_examples="1")  # its known user is met by the explicit cases
    assert outcome.exit_code == 1, output
    assert "known_user_answers_200" in outcome.failed_checks, output
    assert "(its answers: 500 x" in output and "--user-id" not in output, "a failing API was blamed on the set-up"


@pytest.mark.xdist_group("toy_default_runs")
def test_vendor_example_is_information(default_run):
    """What the vendor's own example does is information shown once, never a warning or a failure."""
    outcome, output, _ = default_run(toys.Toy)  # the documented example: a month with 250 media, a year with 25
    assert outcome.exit_code == 0
    shown = [line for line in output.splitlines() if "above the yearly total" in line]
    information = "information (the vendor's documented example does the same; never a warning): "
    assert len(shown) == 1, f"shown more than once:\n{output}"
    assert re.fullmatch(
        re.escape(information + "monthlyAnalysis[0].numberOfMedia is 250, above the yearly total 25")
        + r" \(in \d+ answers\)",
        shown[0],
    ), output
    assert "warnings (" not in output, output


@pytest.mark.skipif(shutil.which("curl") is None or shutil.which("bash") is None, reason="needs curl and bash")
def test_finding_shows_curl():
    """A finding shows a curl command that reproduces it once the key is filled in."""
    with serving(toys.WrongEnvelopeStatus()) as url:
        outcome, _ = run_against(url, max_examples="1")  # an explicit case meets the defect
        exchange = next(f.exchange for f in outcome.run.observed.findings if f.exchange and f.exchange.status == 400)
        command = exchange.curl().replace(mask_key(toys.ADMIN_KEY), toys.ADMIN_KEY)
        replay = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30)
    assert replay.stdout.startswith("HTTP/1.1 400")
    assert replay.stdout.endswith(exchange.content.decode())


def test_reports_show_differences(tmp_path):
    """Reports show the decisions that differ as warnings and JUnit never as failures."""
    junit, markdown, page = tmp_path / "contract.xml", tmp_path / "contract.md", tmp_path / "contract.html"
    with serving(toys.UnsupportedMediaType()) as url:
        settings = read_settings(
            {**TOY_OPTIONS, "base_url": url, "report": str(markdown), "max_examples": "1"}, environ={}
        )
        outcome = run_suite(settings, junit_xml=junit, out=io.StringIO())
    report_also(page, outcome)
    assert outcome.exit_code == 0
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0" and suite.get("errors") == "0"
    verdict = {prop.get("name"): prop.get("value") for prop in suite.findall("properties/property")}
    assert str(verdict["sivi-contract"]).startswith("CONFORMS: no violation found; 1 decision(s) differ (mode: default")
    differences = [prop for prop in suite.iter("property") if prop.get("name") == "decision differs: content-type"]
    shown = [prop.get("value", "") for prop in differences]
    assert any("expected 422, got 415" in value and "curl -i -X POST" in value for value in shown), shown
    report = markdown.read_text(encoding="utf-8")
    assert "## Decisions that differ" in report and "### content-type: Body not sent as `application/json`" in report
    assert "curl -i -X POST" in report.split("## Decisions that differ")[1]
    assert "<h3>content-type: Body not sent as `application/json`</h3>" in page.read_text(encoding="utf-8")


def test_skips_are_explained(tmp_path):
    """The summary and the reports say which tests were skipped and why."""
    page, markdown = tmp_path / "report.html", tmp_path / "report.md"
    without = {**TOY_OPTIONS, "regular_api_key": None, "workspace_id": None, "max_examples": "1"}
    with serving(toys.Toy()) as url:
        outcome, output = run_against(url, **without, report=str(page))
    report_also(markdown, outcome)
    assert outcome.exit_code == 0, output
    skipped = (
        "skipped (6 tests): no --regular-api-key (SIVI_REGULAR_API_KEY) given, so a non-admin key was not tried (x4); "
        "no --workspace-id (SIVI_WORKSPACE_ID) given, so the workspace lookup was not tried (x2)"
    )
    assert skipped in output.splitlines(), output
    assert f"<li>{skipped}</li>" in page.read_text(encoding="utf-8")
    assert f"- {skipped}" in markdown.read_text(encoding="utf-8").splitlines()


@pytest.mark.xdist_group("toy_default_runs")
def test_clean_reports_say_none(default_run, tmp_path):
    """A conforming run's reports say none under warnings as they do under findings."""
    outcome, output, page = default_run(toys.Toy)
    markdown = tmp_path / "report.md"
    report_also(markdown, outcome)
    assert outcome.exit_code == 0 and "warnings (" not in output, output
    html_warnings = page.read_text(encoding="utf-8").split("<h2>Warnings</h2>")[1]
    assert "<p>None.</p>" in html_warnings and "<ul>" not in html_warnings, f"HTML Warnings section: {html_warnings}"
    assert markdown.read_text(encoding="utf-8").split("## Warnings")[1].strip().endswith("None.")


@pytest.mark.xdist_group("toy_default_runs")
def test_alike_warnings_counted(
    default_run,
):
    """Alike warnings are shown once with a count in the terminal and each in full in JUnit and the report."""
    outcome, output, page = default_run(toys.CorrectWithOtherRefusals)  # 404 or 501 for each undeclared method
    junit = page.with_name("contract.xml")
    assert outcome.exit_code == 0, output
    hint = "Return 405 for methods not listed in the OpenAPI spec"
    shown = [line for line in output.splitlines() if "schemathesis:unsupported_method" in line]
    assert len(shown) == 1 and output.count(hint) == 1, f"alike warnings repeated:\n{output}"
    properties = ElementTree.parse(junit).getroot().iter("property")
    in_junit = [p.get("value", "") for p in properties if p.get("name") == "warning: schemathesis:unsupported_method"]
    methods = {"GET", "PUT", "PATCH", "DELETE"}  # each answered 404 by this toy
    assert len(in_junit) >= len(methods) and all(hint in value for value in in_junit), in_junit
    count = len(in_junit)
    assert f"(x{count})" in shown[0] and f"{count - 1} more like it" in shown[0], shown[0]
    report = page.read_text(encoding="utf-8").split("<h2>Warnings</h2>")[1]
    for method in methods:
        assert f"Unsupported method {method} returned 404" in report and any(method in v for v in in_junit), method


@pytest.mark.xdist_group("toy_default_runs")
def test_a_second_run_tests_the_same(default_run):
    first, _, _ = default_run(toys.CorrectWithOtherRefusals)
    with serving(toys.CorrectWithOtherRefusals()) as url:
        again, output = run_against(url)  # a later run in this process than the one it is compared with
    assert first.run.record is not None and again.run.record is not None
    assert again.run.record.sent == first.run.record.sent, f"a second run in one process sent other requests:\n{output}"
    tried = [note for note in again.run.observed.notes if note.check == "schemathesis:unsupported_method"]
    assert tried, f"a second run in one process tried no undeclared method:\n{output}"
