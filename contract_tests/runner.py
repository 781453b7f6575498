"""Run the suite in this process: open the target, hand it to pytest, and map the result to 0, 1 or 2.

`run_suite` is what `sivi-contract` calls, and what the kit's own tests call to run the suite against
deliberately broken implementations without starting a process per run.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from xml.etree import ElementTree

import pytest

from contract_tests.errors import TargetError
from contract_tests.findings import Observations, Redactor
from contract_tests.report import RunRecord
from contract_tests.settings import SuiteSettings
from mock_server.user_cache import hypothesis_home

if TYPE_CHECKING:  # the suite's HTTP stack (requests, Schemathesis) loads once the run starts, in conftest
    from contract_tests.api import Api

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(eq=False)  # a plugin: pluggy keeps plugins in sets
class PreparedRun:
    """A run whose target `sivi-contract` already opened; registered as a pytest plugin for conftest to find."""

    settings: SuiteSettings
    observed: Observations = field(default_factory=Observations)
    api: Api | None = None  # once open
    record: RunRecord | None = None  # once the session is over


@dataclass
class Outcome:
    exit_code: int
    run: PreparedRun
    error: str | None = None

    @property
    def failed_checks(self) -> list[str]:
        return self.run.observed.failed_checks


class RedactingWriter:
    """A text stream that masks the run's secrets in everything written through it."""

    def __init__(self, stream: TextIO, redact: Redactor) -> None:
        self._stream = stream
        self._redact = redact

    def write(self, text: str) -> int:
        self._stream.write(self._redact(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def run_suite(
    settings: SuiteSettings,
    *,
    junit_xml: Path | None = None,
    out: TextIO | None = None,
) -> Outcome:
    """Run the whole suite against `settings`' target; everything printed goes (masked) to `out`."""
    from contract_tests.api import open_api  # imported here: it loads the spec and Schemathesis

    out = sys.stdout if out is None else out
    if settings.report is not None:
        settings = dataclasses.replace(settings, report=settings.report.resolve())
    junit_xml = junit_xml.resolve() if junit_xml is not None else None
    run = PreparedRun(settings)
    redact = Redactor(settings.secrets)
    try:
        with open_api(settings, run.observed) as api:
            run.api = api
            redact = Redactor(api.target_secrets)
            arguments = [str(PACKAGE_DIR), "-c", str(PACKAGE_DIR / "pytest.ini"), "--rootdir", str(PACKAGE_DIR)]
            arguments += ["-v", "--no-header"]
            if junit_xml is not None:
                arguments.append(f"--junit-xml={junit_xml}")
            print(f"sivi-contract: testing {api.target.label} against {api.contract.source.name}", file=out)
            with redirect_stdout(RedactingWriter(out, redact)), _leaving_no_trace():
                code = int(pytest.main(arguments, plugins=[run]))
    except TargetError as error:
        message = " ".join(redact(str(error)).split())  # one line, whatever the target sent
        print(f"sivi-contract: {message}", file=out)
        run.observed.stop_reason = message
        if settings.report is not None:
            from contract_tests.generation import CONTRACT  # loaded with the api above
            from contract_tests.report import not_tested_record, write_report

            write_report(settings.report, not_tested_record(settings, run.observed, CONTRACT), redact)
        if junit_xml is not None:
            write_not_tested_junit(junit_xml, message)
        return Outcome(2, run, message)
    if junit_xml is not None and junit_xml.exists():
        junit_xml.write_text(redact(junit_xml.read_text(encoding="utf-8")), encoding="utf-8")
    if code in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        return Outcome(code, run)
    reason = run.observed.stop_reason or (
        "interrupted" if code == pytest.ExitCode.INTERRUPTED else f"pytest could not run the suite (exit status {code})"
    )
    print(f"sivi-contract: {redact(reason)}", file=out)
    return Outcome(2, run, reason)


def write_not_tested_junit(path: Path, message: str) -> None:
    """A JUnit file for a run that tested nothing: one test, `set-up`, in error with the reason. CI's JUnit step then
    shows why the build is red instead of a missing file."""
    suite = ElementTree.Element("testsuite", name="sivi-contract", tests="1", errors="1", failures="0", skipped="0")
    case = ElementTree.SubElement(suite, "testcase", classname="sivi-contract", name="set-up")
    ElementTree.SubElement(case, "error", message=f"NOT TESTED: {message}", type="TargetError").text = message
    root = ElementTree.Element("testsuites")
    root.append(suite)
    path.parent.mkdir(parents=True, exist_ok=True)
    ElementTree.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


@contextmanager
def _leaving_no_trace() -> Iterator[None]:
    """Run from the package's parent (short test ids in the output) with Hypothesis' cache in the user's cache
    directory: a run leaves nothing behind in the directory it was started from."""
    started_in = Path.cwd()
    with hypothesis_home():
        os.chdir(PACKAGE_DIR.parent)
        try:
            yield
        finally:
            os.chdir(started_in)
