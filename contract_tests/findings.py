"""What a run found: failures (the contract is broken) and notes (warnings, never failures), and how they read.

Every text a run writes about a request goes through `Redactor`: the API key is shown as `mask_key` shows it,
even where a target echoes it back in a response body, escaped or encoded.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import dataclass, field, replace

from mock_server.judgement import Entry, Exchange, Failure, Verdict
from mock_server.secret import KeyMask

# Identical failures of generated inputs shown in full per test; the rest are counted.
SHOWN_ALIKE = 2


@dataclass
class Finding:
    """A broken promise: what the API promised, the request as sent and what came back."""

    promise: str
    exchange: Exchange | None
    failures: list[Failure]
    test: str = ""

    @property
    def checks(self) -> list[str]:
        return list(dict.fromkeys(failure.check for failure in self.failures))

    def render(self) -> str:
        lines = [f"Promise: {self.promise}"]
        for failure in self.failures:
            lines.append(f"  ✗ {failure.check}: " + textwrap.indent(_described(failure), "      ").lstrip())
        if self.exchange is not None:
            lines += ["  Request:", "      " + self.exchange.curl(), "  Response:"]
            lines.append(textwrap.indent(self.exchange.describe_response(), "      "))
        return "\n".join(lines)


def _described(failure: Failure) -> str:
    if failure.decision is None:
        return failure.message
    return f"{failure.message}\n(the decision {failure.decision} of openapi.yaml, enforced by --strict)"


@dataclass
class Difference:
    """Answers that differ from a decision of openapi.yaml, and from nothing the documentation says: a warning; or
    answers that deviate where the team accepted it (`Failure.accepted`): neither fails the run.

    Alike answers (the same decision or acceptance, check and status) are counted; the first is kept to be shown.
    """

    failure: Failure
    exchange: Exchange
    test: str
    count: int = 1

    @property
    def decision(self) -> str:
        return self.failure.decision or ""

    def render(self) -> str:
        lines = [f"{self.failure.check}: {self.failure.message}" + (f" (x{self.count})" if self.count > 1 else "")]
        lines += ["Request:", "    " + self.exchange.curl(), "Response:"]
        lines.append(textwrap.indent(self.exchange.describe_response(limit=500), "    "))
        return "\n".join(lines)


@dataclass(frozen=True)
class Note:
    """A warning: something the documentation only suggests. Reported, never a failure."""

    check: str
    message: str


# What makes answers alike in the summary: the decision (or acceptance) they differ by, the check, the status.
Alike = tuple[str, str, int | None]


@dataclass(frozen=True)
class Settled:
    """One judged answer that failed a check, as the run settled it (`Observations.settle`): kept so that the
    finished run can be judged again under `--strict` (`Observations.under_strict`)."""

    promise: str
    exchange: Exchange
    verdict: Verdict
    test: str
    stop: bool


class Redactor(KeyMask):
    """Replaces every secret, in every form the kit may write it in (as written, JSON-escaped, HTML-escaped,
    percent-encoded, base64), by its masked form, in any text the run is about to write."""


@dataclass
class Observations:
    """Everything a run observed, in the order it happened; the terminal summary and reports read it."""

    findings: list[Finding] = field(default_factory=list)
    notes: Counter[Note] = field(default_factory=Counter)
    differences: dict[Alike, Difference] = field(default_factory=dict)
    current_test: str = ""
    known_user_requests: int = 0
    known_user_successes: int = 0
    alike_not_shown: int = 0
    stop_reason: str | None = None
    run_failures: list[Failure] = field(default_factory=list)
    known_user_statuses: Counter[int] = field(default_factory=Counter)
    # Accepted deviations met (alike ones counted), and the entries that matched anything, live or expired.
    accepted: dict[Alike, Difference] = field(default_factory=dict)
    entries_used: set[Entry] = field(default_factory=set)
    # What the vendor's own documented example also does: information, shown once per kind (first message, count).
    information: dict[str, tuple[str, int]] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)  # why tests were skipped, and how many
    setup_requests: int = 0  # sent before the tests began: the set-up check
    settled: list[Settled] = field(default_factory=list, repr=False)  # every answer that failed a check, in order
    # Failures of generated inputs alike (the test, the checks, the status), counted: only SHOWN_ALIKE are shown.
    _alike: Counter[tuple[str, tuple[str, ...], int | None]] = field(default_factory=Counter, init=False, repr=False)

    def settle(self, promise: str, exchange: Exchange, verdict: Verdict, *, strict: bool, stop: bool) -> Finding | None:
        """One judged answer: what a team accepted is reported as accepted; differences from a decision are warnings
        (unless `strict`); the rest is a violation (`Verdict.failing`), recorded as a finding and returned, for a test
        that stops at it (`stop`) to raise. A generated input's (`stop=False`) alike findings beyond SHOWN_ALIKE are
        counted, not shown."""
        if verdict.failures:
            self.settled.append(Settled(promise, exchange, verdict, self.current_test, stop))
        for failure in verdict.accepted:
            self.accept(failure, exchange)
        if not strict:
            for failure in verdict.differences:
                self.differ(failure, exchange)
        failures = verdict.failing(strict)
        if not failures:
            return None
        finding = Finding(promise, exchange, failures)
        if stop:
            return self.record(finding)
        alike = (self.current_test, tuple(finding.checks), exchange.status)
        self._alike[alike] += 1
        if self._alike[alike] <= SHOWN_ALIKE:
            return self.record(finding)
        self.alike_not_shown += 1
        return finding

    def under_strict(self) -> Observations:
        """What a finished run observed, as `--strict` makes it: each settled answer judged again, a difference from a
        decision now a violation. True of the whole run because strict changes no request: a test's judgement that
        may stop it is its last step, and generated inputs never stop."""
        strict = replace(self, findings=[], differences={}, accepted={}, alike_not_shown=0, settled=[])
        for settled in self.settled:
            strict.current_test = settled.test
            strict.settle(settled.promise, settled.exchange, settled.verdict, strict=True, stop=settled.stop)
        strict.current_test = self.current_test
        return strict

    def record(self, finding: Finding) -> Finding:
        finding.test = self.current_test
        self.findings.append(finding)
        return finding

    def note(self, check: str, message: str) -> None:
        self.notes[Note(check, message)] += 1

    def differ(self, failure: Failure, exchange: Exchange) -> None:
        self._count_alike(self.differences, failure.decision, failure, exchange)

    def accept(self, failure: Failure, exchange: Exchange) -> None:
        self._count_alike(self.accepted, failure.accepted, failure, exchange)

    def _count_alike(self, table: dict[Alike, Difference], why: str | None, failure: Failure, sent: Exchange) -> None:
        """Alike answers (the same decision or acceptance, check and status) counted; the first kept to be shown."""
        alike = (why or "", failure.check, sent.status)
        if alike in table:
            table[alike].count += 1
        else:
            table[alike] = Difference(failure, sent, self.current_test)

    def inform(self, kind: str, message: str) -> None:
        first, count = self.information.get(kind, (message, 0))
        self.information[kind] = (first, count + 1)

    def differences_by_decision(self) -> dict[str, list[Difference]]:
        grouped: dict[str, list[Difference]] = {}
        for difference in self.differences.values():
            grouped.setdefault(difference.decision, []).append(difference)
        return grouped

    def findings_of(self, test: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.test == test]

    @property
    def failed_checks(self) -> list[str]:
        names = [name for finding in self.findings for name in finding.checks]
        return list(dict.fromkeys(names + [failure.check for failure in self.run_failures]))
