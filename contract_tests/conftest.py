"""The suite's pytest wiring: its options, the `api` fixture, and how findings become test reports.

`pytest contract_tests --base-url ...` and `sivi-contract --base-url ...` run the same tests: the command
line tool prepares the run itself (so that an unreachable target is one line, exit 2) and hands it over as
a `PreparedRun` plugin; under plain pytest this file reads the options and opens the target.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import ExitStack

import pytest
from _pytest import junitxml

from contract_tests import generation
from contract_tests.api import Api, open_api
from contract_tests.errors import StopRun, TargetError, UsageError
from contract_tests.findings import Redactor
from contract_tests.pytest_plugin import add_suite_options
from contract_tests.report import RunRecord, not_tested_record, spec_name, summary_lines, write_report
from contract_tests.runner import PreparedRun
from contract_tests.settings import OPTIONS, read_settings
from mock_server.judgement import Failure
from mock_server.user_cache import hypothesis_home

_RUN = pytest.StashKey[PreparedRun]()
# The order a reader meets the promises in: the cheap, exact ones first, so that a run stopped by its request
# budget has still checked them.
MODULE_ORDER = ("authentication", "invalid_input", "lookup", "methods", "success_bodies", "generated_inputs")


def pytest_addoption(parser: pytest.Parser) -> None:
    # From a checkout, pytest finds this file before it reads the options; from an install, the plugin has added them.
    add_suite_options(parser)


def _option_value(config: pytest.Config, dest: str) -> object:
    value = config.getoption(f"sivi_{dest}", default=None)
    # Another plugin's flag (pytest's own `--strict` is its strict mode, and the suite's too): left off, it reads
    # as not given, so the variable (`SIVI_STRICT`) still counts.
    return value if value is not None else (config.getoption(dest, default=None) or None)


def pytest_configure(config: pytest.Config) -> None:
    prepared = [plugin for plugin in config.pluginmanager.get_plugins() if isinstance(plugin, PreparedRun)]
    run = prepared[0] if prepared else None
    if run is None:
        try:
            settings = read_settings({option.dest: _option_value(config, option.dest) for option in OPTIONS})
        except UsageError as error:
            raise pytest.UsageError(str(error)) from None
        run = PreparedRun(settings)
        # As under `sivi-contract`: Hypothesis' tables in the user's cache, nothing left where pytest ran.
        home = ExitStack()
        home.enter_context(hypothesis_home())
        config.add_cleanup(home.close)
    generation.configure(run.settings)
    config.stash[_RUN] = run


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def place(item: pytest.Item) -> int:
        name = item.nodeid.split("::")[0].rsplit("/", 1)[-1].removeprefix("test_").removesuffix(".py")
        return MODULE_ORDER.index(name) if name in MODULE_ORDER else len(MODULE_ORDER)

    items.sort(key=place)


@pytest.fixture(scope="session")
def api(pytestconfig: pytest.Config) -> Iterator[Api]:
    run = pytestconfig.stash[_RUN]
    with ExitStack() as stack:
        if run.api is None:
            try:
                run.api = stack.enter_context(open_api(run.settings, run.observed))
            except TargetError as error:
                redact = Redactor(run.settings.secrets)
                run.observed.stop_reason = message = " ".join(redact(str(error)).split())
                if run.settings.report is not None:
                    record = not_tested_record(run.settings, run.observed, generation.CONTRACT)
                    write_report(run.settings.report, record, redact)
                pytest.exit(message, returncode=2)
        yield run.api


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.config.stash[_RUN].observed.current_test = item.nodeid


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    run = item.config.stash[_RUN]
    if report.skipped and isinstance(report.longrepr, tuple):  # (file, line, "Skipped: why")
        run.observed.skipped[str(report.longrepr[2]).removeprefix("Skipped: ")] += 1
    redact = Redactor(run.api.target_secrets if run.api else run.settings.secrets)
    stop = _stop_reason(call.excinfo.value if call.excinfo else None)
    findings = run.observed.findings_of(item.nodeid) if call.when == "call" else []
    if call.when == "call":
        # JUnit shows them as properties of the test: warnings, never failures.
        for difference in run.observed.differences.values():
            if difference.test == item.nodeid:
                item.user_properties.append((f"decision differs: {difference.decision}", redact(difference.render())))
        for accepted in run.observed.accepted.values():
            if accepted.test == item.nodeid:
                item.user_properties.append((f"accepted: {accepted.failure.accepted}", redact(accepted.render())))
    if stop is not None:
        run.observed.stop_reason = stop
        item.session.shouldstop = stop
        report.outcome, report.longrepr = "failed", stop
    elif findings:
        # The findings say everything; a Python traceback of the suite itself would only hide them.
        report.outcome = "failed"
        report.longrepr = redact("\n\n".join(finding.render() for finding in findings))
    elif report.failed:
        report.longrepr = redact(str(report.longrepr))
    return report


def _stop_reason(error: BaseException | None) -> str | None:
    if isinstance(error, StopRun):
        return str(error)
    if isinstance(error, BaseExceptionGroup):
        return next(filter(None, map(_stop_reason, error.exceptions)), None)
    return None


@pytest.hookimpl(tryfirst=True)  # before pytest's JUnit writer, which reads the suite's verdict property
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    run = session.config.stash.get(_RUN, None)
    if run is None or run.api is None:
        return
    observed, api = run.observed, run.api
    if observed.known_user_requests and not observed.known_user_successes and not observed.stop_reason:
        statuses = observed.known_user_statuses
        answers = ", ".join(f"{status} x{count}" for status, count in sorted(statuses.items()))
        # The set-up took the id; refused later, it may have gone from the target meanwhile.
        question = ": does --user-id still exist on the target?" if statuses.keys() & {400, 422} else ""
        found = Failure(
            "known_user_answers_200",
            f"no request for the known user {api.target.user_id!r} was answered 200 (its answers: {answers}), so "
            f"this run proved nothing about success bodies{question}",
        )
        observed.run_failures.append(found)
    accepted = run.settings.accepted
    if accepted is not None:
        for entry in accepted.expired(api.today):  # whether or not it met its deviation: look at the file again
            message = f"{accepted.describe(entry)}, accepting {entry.what}, has expired: fix the deviation, or renew it"
            observed.run_failures.append(Failure("accepted_expired", message))
    run.record = RunRecord(
        target=api.target.label,
        spec=spec_name(api.contract),
        seed=run.settings.seed,
        user_id=api.target.user_id,
        rate_limit=run.settings.rate_limit,
        max_requests=run.settings.max_requests,
        sent=api.client.sent,
        statuses=api.client.statuses,
        documented=api.contract.statuses,
        observed=observed,
        strict=run.settings.strict,
        questions={name: decision.question for name, decision in api.contract.decisions.catalogue.items()},
        waits=api.client.waits.summary() if api.client.waits.counts else None,
        lowered_rate=api.client.lowered_rate,
        accepted_file=str(accepted.source) if accepted is not None else None,
        unused=[
            f"line {entry.line}: {entry.what} ({entry.reason})"
            for entry in (accepted.entries if accepted is not None else ())
            if entry not in observed.entries_used and not entry.expired(api.today)
        ],
    )
    junit = session.config.stash.get(junitxml.xml_key, None)
    if junit is not None:
        junit.add_global_property("sivi-contract", f"{run.record.verdict} ({run.record.mode})")
        # Every warning in full, as the report lists them; the terminal shows alike ones once.
        for note, count in observed.notes.items():
            junit.add_global_property(
                f"warning: {note.check}", Redactor(api.target_secrets)(f"{note.message} (x{count})")
            )
    if observed.stop_reason:
        session.exitstatus = 2
    elif observed.run_failures and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if run.settings.report is not None:
        write_report(run.settings.report, run.record, Redactor(api.target_secrets))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    run = config.stash.get(_RUN, None)
    if run is None or run.record is None:
        return
    terminalreporter.write_sep("=", "sivi-contract summary")
    redact = Redactor(run.api.target_secrets if run.api else ())
    for line in summary_lines(run.record):
        bad = line.startswith(("✗", "VIOLATIONS", "NOT TESTED"))
        terminalreporter.write_line(redact(line), red=bad, green=line.startswith("CONFORMS"), bold=bad)
    if run.settings.report is not None:
        terminalreporter.write_line(f"report: {run.settings.report}")
