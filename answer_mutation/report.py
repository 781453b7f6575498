"""What a mutation run found, for a person (text) and for a CI job (`--json FILE`)."""

from __future__ import annotations

import json
import shlex
from collections import Counter
from pathlib import Path

from answer_mutation.findings import Finding
from answer_mutation.run import Result


def text(result: Result) -> str:
    tests = len([test for test in result.received if test])
    who = f"pytest, {tests} tests" if result.pytest else "one command"
    lines = [
        f"sivi-mutate: {shlex.join(result.command)} ({who}) against its own mock",
        f"  clean run {result.clean_seconds:.1f} s; {count(len(result.reruns), 'mutant run')} in"
        f" {count(result.processes, 'run')} of COMMAND, {'each test' if result.pytest else 'each'} limited to"
        f" {result.time_limit:g} s; seed {result.seed}",
        "",
    ]
    untested = [finding for finding in result.findings if finding.kind == "untested"]
    if untested:
        names = ", ".join(f.name + (f" [accepted: {f.accepted}]" if f.accepted else "") for f in untested)
        lines += [f"untested   no test received {names}", ""]
    for finding in result.findings:
        if finding.kind != "untested":
            lines += _finding(finding)
    for note in result.notes:
        lines.append(f"note       {note}")
    if result.left_out:
        lines.append(
            f"left out   {count(len(result.left_out), 'mutant run')} (a bound): " + "; ".join(result.left_out[:10])
        )
        if len(result.left_out) > 10:
            lines.append(f"           ... and {len(result.left_out) - 10} more (--json lists them all)")
    counts = Counter(finding.kind for finding in result.open_findings)
    accepted = len(result.findings) - len(result.open_findings)
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items())) or "no finding"
    if lines[-1]:
        lines.append("")
    lines.append(
        f"{count(len(result.open_findings), 'finding')}: {summary}" + (f" ({accepted} accepted)" if accepted else "")
    )
    return "\n".join(lines) + "\n"


def count(number: int, thing: str) -> str:
    return f"{number} {thing}" + ("" if number == 1 else "s")


def _finding(finding: Finding) -> list[str]:
    accepted = f"  [accepted: {finding.accepted}]" if finding.accepted is not None else ""
    should = finding.should if finding.kind != "hang" else "it waits for ever: give the client a timeout"
    return [
        f"{finding.kind:<10} {finding.test or 'COMMAND'}{accepted}",
        f"  received {finding.answer}",
        f"  mutant   {finding.name}: {finding.what}",
        f"  the test {finding.did}" + (f" ({should})" if should else ""),
        "",
    ]


def as_json(result: Result) -> dict[str, object]:
    return {
        "command": list(result.command),
        "seed": result.seed,
        "cleanSeconds": round(result.clean_seconds, 3),
        "timeLimit": result.time_limit,
        "processes": result.processes,
        "received": result.received,
        "mutantRuns": [
            {"test": r.test, "answer": r.answer, "mutant": r.mutant.name, "kind": r.mutant.kind, "outcome": r.outcome}
            for r in result.reruns
        ],
        "findings": [finding.as_json() for finding in result.findings],
        "notes": result.notes,
        "leftOut": result.left_out,
    }


def write_json(result: Result, path: Path) -> None:
    path.write_text(json.dumps(as_json(result), indent=2) + "\n", encoding="utf-8")


def ci_annotations(result: Result) -> str:
    """GitHub Actions workflow commands, one `::error` per open finding, on the test's file when there is one."""
    lines = []
    for finding in result.open_findings:
        place = [f"file={finding.test.split('::', 1)[0]}"] if finding.test else []
        message = (
            f"no test received {finding.answer}"
            if finding.kind == "untested"
            else f"{finding.test or 'COMMAND'}: {finding.mutant_text()}: the test {finding.did}"
        )
        lines.append(f"::error {','.join([*place, f'title=sivi-mutate {finding.kind}'])}::{message}")
    return "".join(line + "\n" for line in lines)
