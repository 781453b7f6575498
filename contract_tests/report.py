"""The run's summary for the terminal, and the human report (Markdown or HTML, by the file's extension)."""

from __future__ import annotations

import html
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from contract_tests.findings import Note, Observations, Redactor
from contract_tests.settings import REPORT_FORMATS, SuiteSettings
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


def _run_lines(record: RunRecord) -> list[str]:
    """The summary without the verdict and the warnings, which the reports show in sections of their own."""
    lines = summary_lines(record)[:-1]
    sections = ("  ", "warnings (", "decisions that differ (", "accepted deviations")
    return [line for line in lines if not line.startswith(sections)]


_DIFFERENCES_INTRO = (
    "Answers that differ from a decision openapi.yaml made where the vendor's documentation is silent, and from "
    "nothing the documentation says: warnings by default, violations under --strict."
)


_ACCEPTED_INTRO = (
    "Deviations the team accepted (--accept), each with its reason: reported, never failures, until the entry expires."
)


def write_report(path: Path, record: RunRecord, redact: Redactor) -> None:
    text = _markdown(record) if REPORT_FORMATS[path.suffix.lower()] == "markdown" else _html(record)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(redact(text), encoding="utf-8")


def _markdown(record: RunRecord) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [f"# Contract report: {record.target}", "", f"_{stamp}_", "", f"**{record.verdict}**", "", "## Run", ""]
    out += [f"- {line}" for line in _run_lines(record)]
    if not record.tested:
        return "\n".join(out) + "\n"
    out += ["", "## Findings", ""]
    if not record.observed.findings:
        out += ["None.", ""]
    for number, finding in enumerate(record.observed.findings, 1):
        out += [f"### {number}. {finding.promise}", "", f"Test: `{finding.test}`", ""]
        out += [f"- **{failure.check}**: {failure.message}".replace("\n", "\n  ") for failure in finding.failures]
        if finding.exchange is not None:
            out += ["", "Request:", "", "```sh", finding.exchange.curl(), "```", "", "Response:", "", "```"]
            out += [finding.exchange.describe_response(), "```"]
        out.append("")
    out += ["## Decisions that differ", "", _DIFFERENCES_INTRO, ""]
    grouped = record.observed.differences_by_decision()
    for decision, differences in grouped.items():
        out += [f"### {decision}: {record.questions.get(decision, '')}", ""]
        for difference in differences:
            count = f" (x{difference.count})" if difference.count > 1 else ""
            out += [f"- **{difference.failure.check}**{count}: {difference.failure.message}", ""]
            exchange = difference.exchange
            out += ["```sh", exchange.curl(), "```", "", "```", exchange.describe_response(), "```"]
            out.append("")
    if not grouped:
        out += ["None.", ""]
    if record.accepted_file is not None:
        out += ["## Accepted deviations", "", f"{_ACCEPTED_INTRO} ({record.accepted_file})", ""]
        for accepted in record.observed.accepted.values():
            count = f" (x{accepted.count})" if accepted.count > 1 else ""
            out += [f"### {accepted.failure.accepted}", ""]
            out += [f"- **{accepted.failure.check}**{count}: {accepted.failure.message}".replace("\n", "\n  "), ""]
            exchange = accepted.exchange
            out += ["```sh", exchange.curl(), "```", "", "```", exchange.describe_response(), "```", ""]
        if not record.observed.accepted:
            out += ["None met in this run.", ""]
        if record.unused:
            out += ["Entries this run did not meet (the file can lose them):", ""]
            out += [f"- {entry}" for entry in record.unused] + [""]
    out += ["## Warnings", "", "Things the documentation only suggests; never failures.", ""]
    notes = record.observed.notes
    out += [f"- {note.check}: {note.message} (x{count})" for note, count in notes.items()] or ["None."]
    return "\n".join(out) + "\n"


def _html(record: RunRecord) -> str:
    esc = html.escape
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Contract report: {esc(record.target)}</title>",
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}pre{background:#f4f4f4;padding:.5rem;"
        "overflow-x:auto;white-space:pre-wrap}.bad{color:#a00}.ok{color:#060}</style></head><body>",
        f"<h1>Contract report: {esc(record.target)}</h1><p><em>{stamp}</em></p>",
        f'<p class="{"ok" if record.verdict.startswith("CONFORMS") else "bad"}"><strong>{esc(record.verdict)}'
        "</strong></p><h2>Run</h2><ul>",
    ]
    parts += [f"<li>{esc(line)}</li>" for line in _run_lines(record)]
    if not record.tested:
        return "\n".join([*parts, "</ul></body></html>"]) + "\n"
    parts.append("</ul><h2>Findings</h2>")
    if not record.observed.findings:
        parts.append("<p>None.</p>")
    for number, finding in enumerate(record.observed.findings, 1):
        parts.append(f"<h3>{number}. {esc(finding.promise)}</h3><p>Test: <code>{esc(finding.test)}</code></p><ul>")
        parts += [f"<li><strong>{esc(f.check)}</strong>: <pre>{esc(f.message)}</pre></li>" for f in finding.failures]
        parts.append("</ul>")
        if finding.exchange is not None:
            parts.append(f"<p>Request:</p><pre>{esc(finding.exchange.curl())}</pre>")
            parts.append(f"<p>Response:</p><pre>{esc(finding.exchange.describe_response())}</pre>")
    parts.append(f"<h2>Decisions that differ</h2><p>{esc(_DIFFERENCES_INTRO)}</p>")
    grouped = record.observed.differences_by_decision()
    for decision, differences in grouped.items():
        parts.append(f"<h3>{esc(decision)}: {esc(record.questions.get(decision, ''))}</h3><ul>")
        for difference in differences:
            count = f" (x{difference.count})" if difference.count > 1 else ""
            failure = difference.failure
            parts.append(f"<li><strong>{esc(failure.check)}</strong>{count}: {esc(failure.message)}")
            parts.append(f"<pre>{esc(difference.exchange.curl())}</pre>")
            parts.append(f"<pre>{esc(difference.exchange.describe_response())}</pre></li>")
        parts.append("</ul>")
    if not grouped:
        parts.append("<p>None.</p>")
    if record.accepted_file is not None:
        parts.append(f"<h2>Accepted deviations</h2><p>{esc(_ACCEPTED_INTRO)} ({esc(record.accepted_file)})</p><ul>")
        for accepted in record.observed.accepted.values():
            count = f" (x{accepted.count})" if accepted.count > 1 else ""
            failure = accepted.failure
            parts.append(f"<li><strong>{esc(failure.check)}</strong>{count}: {esc(failure.message)}")
            parts.append(f"<p>accepted: {esc(failure.accepted or '')}</p>")
            parts.append(f"<pre>{esc(accepted.exchange.curl())}</pre>")
            parts.append(f"<pre>{esc(accepted.exchange.describe_response())}</pre></li>")
        parts.append("</ul>" if record.observed.accepted else "</ul><p>None met in this run.</p>")
        if record.unused:
            parts.append("<p>Entries this run did not meet (the file can lose them):</p><ul>")
            parts += [f"<li>{esc(entry)}</li>" for entry in record.unused]
            parts.append("</ul>")
    parts.append("<h2>Warnings</h2><p>Things the documentation only suggests; never failures.</p>")
    notes = [f"<li>{esc(n.check)}: {esc(n.message)} (x{c})</li>" for n, c in record.observed.notes.items()]
    parts += ["<ul>", *notes, "</ul>"] if notes else ["<p>None.</p>"]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
