"""Answers, by the answer rule: everything the new contract allows must be valid under the old one.

An answer is a status, a media type and a body. A status the old contract did not cover (neither by itself, nor by a
range such as `4XX`, nor by `default`) is newly documented: a client built on the old one rejects it, and an answer
the new contract allows with it is the counterexample. A removed status breaks no answer, but it breaks a client
built to handle it and every integration test that asks the mock for it (`Prefer: code=`, a fixture account with
that status): it is breaking too, with no counterexample. Media types follow the same rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spec_diff.findings import BREAKING, Counterexample, Finding
from spec_diff.operations import Operation
from spec_diff.parts import Schema, Subject, judge
from spec_diff.shrink import shrink

REMOVED_REASON = (
    "no answer becomes invalid, but a client built on the old contract handles it (a generated client has a type for "
    "it) and integration tests ask the mock for it (Prefer: code=..., a fixture account), which the mock then refuses"
)
SchemaOf = Callable[[Any], Schema]  # a schema of one side -> it, ready to read and compile


def covering(responses: dict[str, Any], status: str) -> str | None:
    """Which documented answer of `responses` covers `status`: itself, its range (`4XX`), or `default`."""
    if status in responses:
        return status
    if status[:1].isdigit():
        for key in (f"{status[0]}XX", f"{status[0]}xx"):
            if key in responses:
                return key
    return "default" if "default" in responses else None


def answer_findings(
    old: Operation, new: Operation, old_schema: SchemaOf, new_schema: SchemaOf, prefix: str = ""
) -> tuple[list[Finding], int]:
    findings: list[Finding] = []
    checked = 0
    for status in sorted(new.responses, key=_order):
        covered = covering(old.responses, status)
        where = f"{prefix}responses.{status}"
        if covered is None:
            findings.append(_added(where, status, new, new_schema))
            continue
        found, tried = _media(
            where, status, old.responses[covered], new.responses[status], old, new, old_schema, new_schema
        )
        findings += found
        checked += tried
    for status in sorted(set(old.responses) - set(new.responses), key=_order):
        where = f"{prefix}responses.{status}"
        covered = covering(new.responses, status)
        if covered is None:
            findings.append(Finding(BREAKING, where, "status removed", reason=REMOVED_REASON))
            continue
        found, tried = _media(
            where, status, old.responses[status], new.responses[covered], old, new, old_schema, new_schema
        )
        findings += found
        checked += tried
    return findings, checked


def _media(
    where: str,
    status: str,
    before: dict[str, Any],
    after: dict[str, Any],
    old: Operation,
    new: Operation,
    old_schema: SchemaOf,
    new_schema: SchemaOf,
) -> tuple[list[Finding], int]:
    findings, checked = [], 0
    for media in sorted(after):
        subject = Subject(f"{where} {media}", "answer", f"an answer {status} {media}")
        if media not in before:
            document = _an_answer(new_schema(after[media]), new.examples.get(f"{status} {media}", []))
            findings.append(
                Finding(
                    BREAKING,
                    subject.where,
                    "media type added",
                    counterexample=_allowed(subject.described, document, "the old contract documents no such answer"),
                )
            )
            continue
        examples = [*new.examples.get(f"{status} {media}", []), *old.examples.get(f"{status} {media}", [])]
        found, tried = judge(subject, old_schema(before[media]), new_schema(after[media]), examples)
        findings += found
        checked += tried
    for media in sorted(set(before) - set(after)):
        findings.append(Finding(BREAKING, f"{where} {media}", "media type removed", reason=REMOVED_REASON))
    return findings, checked


def _added(where: str, status: str, new: Operation, new_schema: SchemaOf) -> Finding:
    content = new.responses[status]
    media = sorted(content)[0] if content else ""
    document = _an_answer(new_schema(content[media]), new.examples.get(f"{status} {media}", [])) if media else None
    described = f"an answer {status} {media}".strip()
    return Finding(
        BREAKING,
        where,
        "status added",
        reason="newly documented: a client built on the old contract, generated or checked, rejects it",
        counterexample=_allowed(described, document, "the old contract documents no such status (nor a default)"),
    )


def _an_answer(schema: Schema, examples: list[Any]) -> Any:
    """The simplest answer the new contract allows with this schema, or None if none is found."""
    validator = schema.validator()
    for document in [*examples, *schema.documents()]:
        if validator.is_valid(document):
            return shrink(document, validator.is_valid)
    return None


def _allowed(described: str, document: Any, reason: str) -> Counterexample:
    return Counterexample(
        kind="answer",
        description=described,
        document=document,
        has_document=document is not None,
        accepted_by="new",
        reasons=(reason,),
    )


def _order(status: str) -> tuple[int, str]:
    return (0 if status[:1].isdigit() else 1, status)
