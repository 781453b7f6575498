"""`SuiteRun`: one run of the suite, owned in one place, whoever started it.

`sivi-contract` creates it and hands it to pytest as a plugin; under plain pytest the suite's conftest creates it
from the options. Either way the hooks read it from `config.stash[RUN]`, and it alone decides what a run's end
means: the exit status (`exit_code`, read by `ExitCode.of` as `sivi-contract`'s 0, 1 or 2: one mapping, as httpx's
`_main.py` has one), the "not tested" path (`not_tested`), the record the summary and the reports read, and the
`Redactor` every text passes through.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

import pytest

from contract_tests.errors import TargetError
from contract_tests.findings import Observations, Redactor
from contract_tests.report import write_report
from contract_tests.settings import SuiteSettings
from contract_tests.summary import RunRecord, not_tested_record, spec_name
from mock_server.judgement import Failure

if TYPE_CHECKING:  # the suite's HTTP stack (requests, Schemathesis) loads once the run starts
    from contract_tests.api import Api


class ExitCode(IntEnum):
    """What `sivi-contract` exits with."""

    CONFORMS = 0
    VIOLATIONS = 1
    NOT_TESTED = 2  # a usage or set-up problem, or a run stopped before its end: always one readable line

    @classmethod
    def of(cls, status: int) -> ExitCode:
        """`sivi-contract`'s code for a run's exit status (`SuiteRun.exit_code`): pytest's own beyond 0 and 1
        (interrupted, an internal or usage error, nothing collected) is a run that did not test."""
        return cls(status) if status in (cls.CONFORMS, cls.VIOLATIONS) else cls.NOT_TESTED


RUN = pytest.StashKey["SuiteRun"]()


@dataclass(eq=False)  # a plugin: pluggy keeps plugins in sets
class SuiteRun:
    """One run: its settings, what it observed, the `Api` once the target is open, its record once it is over.

    `junit_xml`: where `sivi-contract` writes JUnit (a run that tests nothing writes one too); `None` under plain
    pytest, whose own `--junit-xml` writes the file."""

    settings: SuiteSettings
    observed: Observations = field(default_factory=Observations)
    api: Api | None = None
    record: RunRecord | None = None
    junit_xml: Path | None = None
    _redactor: tuple[tuple[str, ...], Redactor] | None = field(default=None, repr=False)

    @pytest.hookimpl(tryfirst=True)  # before the conftest's, which creates a run only where none was handed over
    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[RUN] = self

    @property
    def redact(self) -> Redactor:
        """The run's one `Redactor`: the keys the settings name until the target is open, then the target's (the
        bundled mock's own keys among them); built once for each."""
        secrets = self.api.target_secrets if self.api is not None else self.settings.secrets
        if self._redactor is None or self._redactor[0] != secrets:
            self._redactor = (secrets, Redactor(secrets))
        return self._redactor[1]

    @contextmanager
    def opened(self) -> Iterator[Api]:
        """Start or reach the target and check it (`open_api`); raises `TargetError` when it cannot be tested."""
        from contract_tests.api import open_api  # imported here: it loads the spec and Schemathesis

        with open_api(self.settings, self.observed) as api:
            self.api = api
            yield api

    def not_tested(self, error: TargetError) -> str:
        """The run stopped before any test: its reason in one line, masked, in the report and JUnit if asked for."""
        from contract_tests.generation import CONTRACT  # loaded with the api

        message = " ".join(self.redact(str(error)).split())  # one line, whatever the target sent
        self.observed.stop_reason = message
        if self.settings.report is not None:
            write_report(self.settings.report, not_tested_record(self.settings, self.observed, CONTRACT), self.redact)
        if self.junit_xml is not None:
            write_not_tested_junit(self.junit_xml, message)
        return message

    def exit_code(self, pytest_status: int = pytest.ExitCode.OK) -> int:
        """The run's exit status, the one mapping: 2 when it stopped before its end, 1 when pytest's tests passed but
        the run found something (its own `finish`, or findings judged again: `under_strict`), else pytest's (under
        plain pytest its codes stay its own: a usage error is 4; `sivi-contract` reads them through `ExitCode.of`)."""
        if self.observed.stop_reason:
            return ExitCode.NOT_TESTED
        if pytest_status == pytest.ExitCode.OK and (self.observed.run_failures or self.observed.findings):
            return ExitCode.VIOLATIONS
        return pytest_status

    def under_strict(self) -> SuiteRun:
        """This finished run as `--strict` would have judged it, without sending anything again: strict changes which
        answers fail, never which requests are sent (`Observations.under_strict`). Its record and report are a
        strict run's; the kit's own tests judge one run in both modes so."""
        observed = self.observed.under_strict()
        settings = dataclasses.replace(self.settings, strict=True, report=None)
        record = dataclasses.replace(self.record, observed=observed, strict=True) if self.record else None
        return SuiteRun(settings, observed, self.api, record)

    def stopped_because(self, pytest_status: int) -> str:
        """Why a run exited 2 (`exit_code`), in one line."""
        if self.observed.stop_reason:
            return self.observed.stop_reason
        if pytest_status == pytest.ExitCode.INTERRUPTED:
            return "interrupted"
        return f"pytest could not run the suite (exit status {pytest_status})"

    def finish(self, api: Api) -> RunRecord:
        """The run's own findings once every test ran, and its record (the report written, if asked for)."""
        observed, accepted = self.observed, self.settings.accepted
        if observed.known_user_requests and not observed.known_user_successes and not observed.stop_reason:
            statuses = observed.known_user_statuses
            answers = ", ".join(f"{status} x{count}" for status, count in sorted(statuses.items()))
            # The set-up took the id; refused later, it may have gone from the target meanwhile.
            question = ": does --user-id still exist on the target?" if statuses.keys() & {400, 422} else ""
            found = Failure(
                "known_user_answers_200",
                f"no request for the known user {api.target.user_id!r} was answered 200 (its answers: {answers}), "
                f"so this run proved nothing about success bodies{question}",
            )
            observed.run_failures.append(found)
        if accepted is not None:
            for entry in accepted.expired(api.today):  # whether or not it met its deviation: look at the file again
                message = (
                    f"{accepted.describe(entry)}, accepting {entry.what}, has expired: fix the deviation, or renew it"
                )
                observed.run_failures.append(Failure("accepted_expired", message))
        self.record = RunRecord(
            target=api.target.label,
            spec=spec_name(api.contract),
            seed=self.settings.seed,
            user_id=api.target.user_id,
            rate_limit=self.settings.rate_limit,
            max_requests=self.settings.max_requests,
            sent=api.client.sent,
            statuses=api.client.statuses,
            documented=api.contract.statuses,
            observed=observed,
            strict=self.settings.strict,
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
        if self.settings.report is not None:
            write_report(self.settings.report, self.record, self.redact)
        return self.record


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
