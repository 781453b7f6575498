"""A report as text (one line per finding, for a terminal and CI logs), Markdown (a pull-request comment) or JSON
(for tools)."""

from __future__ import annotations

import json
from typing import Any

from spec_diff.findings import BREAKING, SAFE, WARNING, Counterexample, Finding, Report

FORMATS = ("text", "markdown", "json")
MARKDOWN_SAFE_SHOWN = 50  # a pull-request comment stays readable


def render(report: Report, form: str) -> str:
    return {"text": as_text, "markdown": as_markdown, "json": as_json}[form](report)


def summary(report: Report) -> str:
    counts = [f"{len(report.of(verdict))} {name}" for verdict, name in _NAMES.items()]
    timing = f"{report.documents_checked} documents judged in {report.seconds:.1f} s"
    return f"{', '.join(counts)}; {report.fixtures.line}; {timing}"


_NAMES = {BREAKING: "breaking", WARNING: "warnings", SAFE: "safe"}
# The fixtures are the kit's (edited in its own release), so they are shown apart and never count in the verdict.
_FIXTURES_APART = "fixtures, apart from the verdict (sivi-mock would refuse to start with them)"


def _document(document: Any, indent: int | None = None) -> str:
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(document, separators=separators, indent=indent)


def _sides(counterexample: Counterexample) -> str:
    if counterexample.kind == "request":
        return "the old contract accepts it, the new one refuses it"
    return "the new contract allows it, a client built on the old one rejects it"


def _head(finding: Finding) -> str:
    line = f"{finding.where}: {finding.what}"
    if finding.detail:
        line += f" ({finding.detail})"
    if finding.decision:
        line += f" [decision: {finding.decision}]"
    return line


def as_text(report: Report) -> str:
    lines = [f"sivi-spec diff {report.old} {report.new}" + (" --strict" if report.strict else "")]
    for finding in report.findings:
        line = f"{report.verdict_of(finding)}: {_head(finding)}"
        if finding.reason:
            line += f": {finding.reason}"
        example = finding.counterexample
        if example is not None:
            shown = f" {_document(example.document)}" if example.has_document else ""
            line += f"; counterexample: {example.description}{shown}, {_sides(example)}: {'; '.join(example.reasons)}"
        lines.append(line)
    if report.fixtures.problems:
        lines.append(f"{_FIXTURES_APART}: {report.fixtures.line}: {report.fixtures.shown}")
    lines.append(summary(report))
    lines.append(_verdict(report))
    return "\n".join(lines) + "\n"


def _verdict(report: Report) -> str:
    if report.exit_code:
        return f"BREAKING: {report.new} breaks a client of {report.old}"
    return f"NO BREAKING CHANGE: {report.new} breaks no client of {report.old}"


def as_markdown(report: Report) -> str:
    breaking, warnings, safe = report.of(BREAKING), report.of(WARNING), report.of(SAFE)
    lines = [
        f"## `sivi-spec diff`: {len(breaking)} breaking change{'s' if len(breaking) != 1 else ''}",
        "",
        f"`{report.old}` → `{report.new}`" + (" (`--strict`: warnings count as breaking)" if report.strict else ""),
        "",
    ]
    for title, findings in (("Breaking", breaking), ("Warnings", warnings)):
        if findings:
            lines += [f"### {title} ({len(findings)})", ""]
            for finding in findings:
                lines += _markdown_finding(finding)
    if safe:
        lines += [f"<details><summary>Safe ({len(safe)})</summary>", ""]
        lines += [_markdown_safe(finding) for finding in safe[:MARKDOWN_SAFE_SHOWN]]
        if len(safe) > MARKDOWN_SAFE_SHOWN:
            lines.append(f"- and {len(safe) - MARKDOWN_SAFE_SHOWN} more (`--format text` lists them all)")
        lines += ["", "</details>", ""]
    if report.fixtures.problems:
        line = report.fixtures.line
        lines += ["### Fixtures, apart from the verdict", "", f"{line[:1].upper()}{line[1:]}: sivi-mock would refuse to"
                  " start with them. The kit's own question, not a client's: it counts in no verdict.", ""]  # fmt: skip
        lines += [f"- {problem}" for problem in report.fixtures.problems] + [""]
    counts, fixtures, timing = summary(report).split("; ")
    lines += [f"{counts}. {fixtures[:1].upper()}{fixtures[1:]}; {timing}.", ""]
    return "\n".join(lines)


def _markdown_safe(finding: Finding) -> str:
    line = f"- `{finding.where}`: {finding.what}" + (f" (`{finding.detail}`)" if finding.detail else "")
    return line + (f": {finding.reason}" if finding.reason else "")


def _markdown_finding(finding: Finding) -> list[str]:
    head = f"- **`{finding.where}`**: {finding.what}" + (f" (`{finding.detail}`)" if finding.detail else "")
    if finding.decision:
        names = finding.decision.split(", ")
        head += f", resting on the decision{'s' if len(names) > 1 else ''} " + ", ".join(f"`{name}`" for name in names)
    lines = [head + (f". {finding.reason}" if finding.reason else "")]
    example = finding.counterexample
    if example is not None:
        lines.append(f"  Counterexample, {example.description}: {_sides(example)}.")
        if example.has_document:
            lines += [
                "",
                "  ```json",
                *[f"  {line}" for line in _document(example.document, 2).splitlines()],
                "  ```",
                "",
            ]
        lines += [f"  {'The new contract' if example.accepted_by == 'old' else 'The old contract'}: "
                  + "; ".join(f"`{reason}`" for reason in example.reasons)]  # fmt: skip
    lines.append("")
    return lines


def as_json(report: Report) -> str:
    data = {
        "old": report.old,
        "new": report.new,
        "strict": report.strict,
        "exit_code": report.exit_code,
        "counts": {name: len(report.of(verdict)) for verdict, name in _NAMES.items()},
        "fixtures": report.fixtures.line,
        "fixtures_problems": list(report.fixtures.problems),
        "documents_checked": report.documents_checked,
        "seconds": round(report.seconds, 2),
        "findings": [{**finding.as_json(), "counts_as": report.verdict_of(finding)} for finding in report.findings],
    }
    return json.dumps(data, indent=2) + "\n"
