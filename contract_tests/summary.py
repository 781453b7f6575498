"""What a finished run did (`RunRecord`), and its summary for the terminal: alike warnings grouped by kind, the
differences from decisions by decision, the accepted deviations met. The written report is `contract_tests.report`."""

from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import dataclass, field

from contract_tests.findings import Note, Observations
from contract_tests.settings import SuiteSettings
from mock_server.spec import Contract


@dataclass
class RunRecord:
    """What a finished run did: where, how politely, what it saw, what it found."""

    target: str
    spec: str
    seed: int
    user_id: str
    rate_limit: float
    max_requests: int | None
    sent: int
    statuses: Counter[int]
    documented: tuple[int, ...]
    observed: Observations
    strict: bool = False
    questions: dict[str, str] = field(default_factory=dict)  # decision name -> the question it answers
    waits: str | None = None  # the throttling and blips waited out (`WaitBudget.summary`), if any
    lowered_rate: float | None = None  # the rate throttling brought the run down to, if it did
    accepted_file: str | None = None
    unused: list[str] = field(default_factory=list)  # accepted-deviation entries that matched nothing
    tested: bool = True  # False: the set-up check stopped the run before any test

    @property
    def mode(self) -> str:
        if self.strict:
            return "mode: strict (--strict): every decision of openapi.yaml is enforced, a difference is a violation"
        return (
            "mode: default: what the vendor documents is enforced; a difference from a decision of openapi.yaml "
            "is a warning (--strict enforces them)"
        )

    @property
    def verdict(self) -> str:
        if not self.tested:
            return f"NOT TESTED: {self.observed.stop_reason}"
        if self.observed.stop_reason:
            return f"NOT TESTED to the end: {self.observed.stop_reason}"
        if self.observed.findings or self.observed.run_failures:
            tests = len({finding.test for finding in self.observed.findings})
            checks = ", ".join(self.observed.failed_checks)
            return f"VIOLATIONS: {len(self.observed.findings)} finding(s) in {tests} test(s); checks failed: {checks}"
        decisions = len(self.observed.differences_by_decision())
        accepted = len(self.observed.accepted)
        return (
            "CONFORMS: no violation found"
            + (f"; {decisions} decision(s) differ" if decisions else "")
            + (f"; {accepted} accepted deviation(s)" if accepted else "")
        )


def spec_name(contract: Contract) -> str:
    return f"{contract.source.name} {contract.document.get('info', {}).get('version', '')}".strip()


def not_tested_record(settings: SuiteSettings, observed: Observations, contract: Contract) -> RunRecord:
    """The record of a run the set-up check stopped (`observed.stop_reason` says why): no test ran."""
    return RunRecord(
        target=settings.base_url or "the bundled mock",
        spec=spec_name(contract),
        seed=settings.seed,
        user_id=settings.user_id or "",
        rate_limit=settings.rate_limit,
        max_requests=settings.max_requests,
        sent=observed.setup_requests,
        statuses=Counter(),
        documented=contract.statuses,
        observed=observed,
        strict=settings.strict,
        tested=False,
    )


def _counts(statuses: Counter[int], keep: set[int]) -> str:
    return ", ".join(f"{status} x{count}" for status, count in sorted(statuses.items()) if status in keep) or "none"


def summary_lines(record: RunRecord) -> list[str]:
    documented = set(record.documented)
    pace = f"at most {record.rate_limit:g}/s" if record.rate_limit else "no rate limit"
    budget = f"budget {record.max_requests}" if record.max_requests else "no request budget"
    missing = [str(status) for status in record.documented if status not in record.statuses]
    other = set(record.statuses) - documented
    observed = record.observed
    lines = [
        f"target: {record.target}",
        record.mode,
        f"spec: {record.spec}; seed {record.seed} (repeat this run with --seed {record.seed})",
        f"requests sent: {record.sent} ({pace}, {budget})",
    ]
    if not record.tested:
        return [*lines, record.verdict]
    if record.waits:
        lowered = f"; the rate lowered to {record.lowered_rate:g}/s" if record.lowered_rate else ""
        lines.append(f"waited out (throttling and gateway blips, never findings): {record.waits}{lowered}")
    lines.append(
        f"documented statuses observed: {_counts(record.statuses, documented)}"
        + (f"; not observed: {', '.join(missing)}" if missing else "")
    )
    if other:
        lines.append(f"undocumented statuses observed: {_counts(record.statuses, other)}")
    lines.append(
        f"known user {record.user_id}: {observed.known_user_successes} of {observed.known_user_requests} "
        "requests answered 200"
    )
    if observed.skipped:
        reasons = "; ".join(f"{reason} (x{count})" for reason, count in observed.skipped.items())
        lines.append(f"skipped ({sum(observed.skipped.values())} tests): {reasons}")
    for first, count in observed.information.values():
        lines.append(
            f"information (the vendor's documented example does the same; never a warning): {first}"
            + (f" (in {count} answers)" if count > 1 else "")
        )
    for failure in observed.run_failures:
        lines.append(f"✗ {failure.check}: {failure.message}")
    lines += warning_lines(observed.notes)
    lines += difference_lines(record)
    lines += accepted_lines(record)
    if observed.alike_not_shown:
        lines.append(f"{observed.alike_not_shown} more generated inputs failed like the findings shown (not repeated)")
    lines.append(record.verdict)
    return lines


def warning_lines(notes: Counter[Note]) -> list[str]:
    """The warnings for the terminal, alike ones once: each kind (check, headline, hint) on a line with its count and
    its first instance, its hint below. The reports and JUnit list every instance in full."""
    kinds: dict[tuple[str, str, str], list[tuple[str, int]]] = {}
    for note, count in notes.items():
        first, _, hint = note.message.partition("\n")
        headline, _, detail = first.partition(": ")
        kinds.setdefault((note.check, headline, " ".join(hint.split())), []).append((detail, count))
    lines = [f"warnings ({sum(notes.values())}; reported, never failures; --report and JUnit list each in full):"]
    for (check, headline, hint), instances in kinds.items():
        count, (detail, _) = sum(times for _, times in instances), instances[0]
        alike = f"; {len(instances) - 1} more like it" if len(instances) > 1 else ""
        lines.append(
            f"  - {check}: {headline}{f' (x{count})' if count > 1 else ''}{f': {detail}' if detail else ''}{alike}"
        )
        lines += [f"    {hint}"] if hint else []
    return lines if kinds else []


def accepted_lines(record: RunRecord) -> list[str]:
    """The deviations the team accepted that this run met (each with its request and count), and unused entries."""
    lines = []
    if record.observed.accepted:
        count = len(record.observed.accepted)
        lines.append(f"accepted deviations ({count}; from {record.accepted_file}, never failures):")
        for accepted in record.observed.accepted.values():
            lines.append(f"  - accepted: {accepted.failure.accepted}:")
            lines.append(textwrap.indent(accepted.render(), "      "))
    if record.unused:
        unused = f"({len(record.unused)}; {record.accepted_file} can lose them)"
        lines.append(f"accepted deviations this run did not meet {unused}:")
        lines += [f"  - {entry}" for entry in record.unused]
    return lines


def difference_lines(record: RunRecord) -> list[str]:
    """Answers that differ from a decision only, grouped by decision: each with its request, response and count."""
    grouped = record.observed.differences_by_decision()
    if not grouped:
        return []
    lines = [f"decisions that differ ({len(grouped)}; warnings, violations only under --strict):"]
    for decision, differences in grouped.items():
        lines.append(f"  - {decision} ({record.questions.get(decision, '')}):")
        lines += [textwrap.indent(difference.render(), "      ") for difference in differences]
    return lines
