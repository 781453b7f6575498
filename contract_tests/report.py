"""The human report of a run, Markdown or HTML by the file's extension (`--report FILE`): the summary's lines, then
every finding, difference, accepted deviation and warning in full."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

from contract_tests.findings import Redactor
from contract_tests.settings import REPORT_FORMATS
from contract_tests.summary import RunRecord, summary_lines


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
