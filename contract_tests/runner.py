"""Run the suite in this process: open the target, hand the run to pytest, and exit as the run says (0, 1 or 2).

`run_suite` is what `sivi-contract` calls, and what the kit's own tests call to run the suite against
deliberately broken implementations without starting a process per run. The run itself, and what its end means,
is `contract_tests.run.SuiteRun`.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TextIO

import pytest

from contract_tests.errors import TargetError
from contract_tests.findings import Redactor
from contract_tests.run import ExitCode, SuiteRun
from contract_tests.settings import SuiteSettings
from mock_server.user_cache import hypothesis_home

PACKAGE_DIR = Path(__file__).resolve().parent
# The suite's pytest loads the plugins it runs on (`suite_plugins`) and no other the environment installed: another
# plugin (a random order, a rerun of failures) has no business in a contract run, and finding them all again costs
# each run a scan of every installed distribution. Nor pytest's check for exceptions in finalizers, which collects
# the whole heap at each run's end for what is never a finding of the target.
OWN_PLUGINS_ONLY = ("--disable-plugin-autoload", "-p", "no:unraisableexception")


@dataclass
class Outcome:
    exit_code: int
    run: SuiteRun
    error: str | None = None

    @property
    def failed_checks(self) -> list[str]:
        return self.run.observed.failed_checks

    def under_strict(self) -> Outcome:
        """The outcome `--strict` would have had, from this run's answers (`SuiteRun.under_strict`)."""
        run = self.run.under_strict()
        return Outcome(ExitCode.of(run.exit_code()), run, self.error)


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
    out = sys.stdout if out is None else out
    if settings.report is not None:
        settings = dataclasses.replace(settings, report=settings.report.resolve())
    junit_xml = junit_xml.resolve() if junit_xml is not None else None
    run = SuiteRun(settings, junit_xml=junit_xml)
    try:
        with run.opened() as api:
            arguments = [str(PACKAGE_DIR), "-c", str(PACKAGE_DIR / "pytest.ini"), "--rootdir", str(PACKAGE_DIR)]
            arguments += ["-v", "--no-header", *OWN_PLUGINS_ONLY]
            if junit_xml is not None:
                arguments.append(f"--junit-xml={junit_xml}")
            print(f"sivi-contract: testing {api.target.label} against {api.contract.source.name}", file=out)
            with redirect_stdout(RedactingWriter(out, run.redact)), _leaving_no_trace():
                status = int(pytest.main(arguments, plugins=[run, *suite_plugins()]))
    except TargetError as error:
        message = run.not_tested(error)
        print(f"sivi-contract: {message}", file=out)
        return Outcome(ExitCode.of(run.exit_code()), run, message)
    if junit_xml is not None and junit_xml.exists():
        junit_xml.write_text(run.redact(junit_xml.read_text(encoding="utf-8")), encoding="utf-8")
    code = ExitCode.of(run.exit_code(status))
    if code != ExitCode.NOT_TESTED:
        return Outcome(code, run)
    reason = run.stopped_because(status)
    print(f"sivi-contract: {run.redact(reason)}", file=out)
    return Outcome(code, run, reason)


def suite_plugins() -> list[ModuleType]:
    """The pytest plugins the suite runs on: Schemathesis' (the generated tests) and Hypothesis' (its tests'
    reports); the suite's own options come with its conftest."""
    # The modules their distributions register as pytest plugins (their `pytest11` entry points).
    return [importlib.import_module(name) for name in ("schemathesis.pytest.plugin", "_hypothesis_pytestplugin")]


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
