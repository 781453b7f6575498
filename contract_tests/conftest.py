"""The suite's pytest wiring: its options, the `api` fixture, and how findings become test reports.

`pytest contract_tests --base-url ...` and `sivi-contract --base-url ...` run the same tests: the command
line tool prepares the run itself (so that an unreachable target is one line, exit 2) and hands its `SuiteRun`
over as a plugin; under plain pytest this file reads the options and creates the run. The hooks read it from
`config.stash[RUN]`; what the run's end means (exit code, "not tested", report) is the run's own.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import ExitStack

import pytest
from _pytest import junitxml

from contract_tests import generation
from contract_tests.api import Api
from contract_tests.errors import StopRun, TargetError, UsageError
from contract_tests.pytest_plugin import add_suite_options
from contract_tests.run import RUN, SuiteRun
from contract_tests.settings import OPTIONS, read_settings
from contract_tests.summary import summary_lines
from mock_server.user_cache import hypothesis_home

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
    run = config.stash.get(RUN, None)  # handed over by `sivi-contract`
    if run is None:
        try:
            settings = read_settings({option.dest: _option_value(config, option.dest) for option in OPTIONS})
        except UsageError as error:
            raise pytest.UsageError(str(error)) from None
        run = config.stash[RUN] = SuiteRun(settings)
        # As under `sivi-contract`: Hypothesis' tables in the user's cache, nothing left where pytest ran.
        home = ExitStack()
        home.enter_context(hypothesis_home())
        config.add_cleanup(home.close)
    generation.configure(run.settings)


def pytest_collectstart(collector: pytest.Collector) -> None:
    generation.forget_tried_methods(collector)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def place(item: pytest.Item) -> int:
        name = item.nodeid.split("::")[0].rsplit("/", 1)[-1].removeprefix("test_").removesuffix(".py")
        return MODULE_ORDER.index(name) if name in MODULE_ORDER else len(MODULE_ORDER)

    items.sort(key=place)


@pytest.fixture(scope="session")
def api(pytestconfig: pytest.Config) -> Iterator[Api]:
    run = pytestconfig.stash[RUN]
    with ExitStack() as stack:
        if run.api is None:
            try:
                stack.enter_context(run.opened())
            except TargetError as error:
                pytest.exit(run.not_tested(error), returncode=run.exit_code())
        assert run.api is not None
        yield run.api


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.config.stash[RUN].observed.current_test = item.nodeid


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    run = item.config.stash[RUN]
    if report.skipped and isinstance(report.longrepr, tuple):  # (file, line, "Skipped: why")
        run.observed.skipped[str(report.longrepr[2]).removeprefix("Skipped: ")] += 1
    redact = run.redact
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
    run = session.config.stash.get(RUN, None)
    if run is None or run.api is None:
        return
    record = run.finish(run.api)
    junit = session.config.stash.get(junitxml.xml_key, None)
    if junit is not None:
        junit.add_global_property("sivi-contract", f"{record.verdict} ({record.mode})")
        # Every warning in full, as the report lists them; the terminal shows alike ones once.
        for note, count in run.observed.notes.items():
            junit.add_global_property(f"warning: {note.check}", run.redact(f"{note.message} (x{count})"))
    session.exitstatus = run.exit_code(session.exitstatus)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    run = config.stash.get(RUN, None)
    if run is None or run.record is None:
        return
    terminalreporter.write_sep("=", "sivi-contract summary")
    for line in summary_lines(run.record):
        bad = line.startswith(("✗", "VIOLATIONS", "NOT TESTED"))
        terminalreporter.write_line(run.redact(line), red=bad, green=line.startswith("CONFORMS"), bold=bad)
    if run.settings.report is not None:
        terminalreporter.write_line(f"report: {run.settings.report}")
