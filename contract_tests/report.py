"""The run's summary for the terminal, and the human report (Markdown or HTML, by the file's extension)."""

from __future__ import annotations

import html
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from contract_tests.findings import Observations, Redactor
from contract_tests.settings import REPORT_FORMATS


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
        if self.observed.stop_reason:
            return f"NOT TESTED to the end: {self.observed.stop_reason}"
        if self.observed.findings or self.observed.run_failures:
            tests = len({finding.test for finding in self.observed.findings})
            checks = ", ".join(self.observed.failed_checks)
            return f"VIOLATIONS: {len(self.observed.findings)} finding(s) in {tests} test(s); checks failed: {checks}"
        decisions = len(self.observed.differences_by_decision())
        return "CONFORMS: no violation found" + (f"; {decisions} decision(s) differ" if decisions else "")


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
        f"documented statuses observed: {_counts(record.statuses, documented)}"
        + (f"; not observed: {', '.join(missing)}" if missing else ""),
    ]
    if other:
        lines.append(f"undocumented statuses observed: {_counts(record.statuses, other)}")
    lines.append(
        f"known user {record.user_id}: {observed.known_user_successes} of {observed.known_user_requests} "
        "requests answered 200"
    )
    for failure in observed.run_failures:
        lines.append(f"✗ {failure.check}: {failure.message}")
    if observed.notes:
        lines.append(f"warnings ({len(observed.notes)}; reported, never failures):")
        for note, count in observed.notes.items():
            lines.append(f"  - {note.check}: {note.message}" + (f" (x{count})" if count > 1 else ""))
    lines += difference_lines(record)
    if observed.alike_not_shown:
        lines.append(f"{observed.alike_not_shown} more generated inputs failed like the findings shown (not repeated)")
    lines.append(record.verdict)
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
    return [line for line in lines if not line.startswith(("  ", "warnings (", "decisions that differ ("))]


_DIFFERENCES_INTRO = (
    "Answers that differ from a decision openapi.yaml made where the vendor's documentation is silent, and from "
    "nothing the documentation says: warnings by default, violations under --strict."
)


def write_report(path: Path, record: RunRecord, redact: Redactor) -> None:
    text = _markdown(record) if REPORT_FORMATS[path.suffix.lower()] == "markdown" else _html(record)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(redact(text), encoding="utf-8")


def _markdown(record: RunRecord) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [f"# Contract report: {record.target}", "", f"_{stamp}_", "", f"**{record.verdict}**", "", "## Run", ""]
    out += [f"- {line}" for line in _run_lines(record)]
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
    parts.append("<h2>Warnings</h2><p>Things the documentation only suggests; never failures.</p><ul>")
    parts += [f"<li>{esc(n.check)}: {esc(n.message)} (x{c})</li>" for n, c in record.observed.notes.items()]
    parts.append("</ul></body></html>")
    return "\n".join(parts) + "\n"
