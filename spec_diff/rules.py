"""The operations of OLD and NEW compared part by part: the operation itself, its security, its request (body and
parameters) by the request rule, its answers by the answer rule (`answers.py`).

The request rule: every request the old contract accepted, the new one must accept. An operation that moved or went,
a credential no longer accepted, a body or parameter newly required, a media type no longer read: each is shown with
a request the old contract accepted that the new one refuses. Where reasonable people differ (a renamed
`operationId` renames a generated client's method, but no request or answer changes), it is a warning.
"""

from __future__ import annotations

from typing import Any

from spec_diff.answers import answer_findings
from spec_diff.documents import SpecDocument
from spec_diff.findings import BREAKING, SAFE, WARNING, Counterexample, Finding
from spec_diff.operations import Operation, Resolver, operations
from spec_diff.parts import Schema, Subject, judge
from spec_diff.security import security_findings


def operation_findings(old: SpecDocument, new: SpecDocument) -> tuple[list[Finding], int]:
    """Every finding about the operations, and how many documents were judged."""
    before, after = operations(old), operations(new)
    pairs = [(before[key], after[key]) for key in sorted(before.keys() & after.keys())]
    gone = [before[key] for key in sorted(before.keys() - after.keys())]
    added = [after[key] for key in sorted(after.keys() - before.keys())]
    findings: list[Finding] = []
    for operation in list(gone):
        # Moved: the same operationId elsewhere, or the one operation of each side.
        moved = next((o for o in added if o.operation_id and o.operation_id == operation.operation_id), None)
        if moved is None and len(gone) == len(added) == 1:
            moved = added[0]
        if moved is not None:
            gone.remove(operation)
            added.remove(moved)
            pairs.append((operation, moved))
            kind = "method changed" if moved.path == operation.path else "path changed"
            findings.append(_refused(operation, kind, f"{operation.title} -> {moved.title}"))
    findings += [_refused(operation, "operation removed", operation.title) for operation in gone]
    findings += [Finding(SAFE, f"paths.{o.path}.{o.method}", "operation added", o.title) for o in added]
    several = len(before) > 1 or len(after) > 1
    checked = 0
    old_schema, new_schema = _reader(old), _reader(new)
    for operation, other in pairs:
        prefix = f"{other.title} " if several else ""
        if operation.operation_id != other.operation_id:
            findings.append(
                Finding(
                    WARNING,
                    f"{prefix}operationId",
                    "operationId renamed",
                    f"{operation.operation_id} -> {other.operation_id}",
                    reason="no request or answer changes, but a generated client's method is renamed "
                    "(--strict: breaking)",
                )
            )
        findings += security_findings(operation, other, prefix)
        found, tried = _request_findings(operation, other, old_schema, new_schema, prefix)
        findings += found
        checked += tried
        found, tried = answer_findings(operation, other, old_schema, new_schema, prefix)
        findings += found
        checked += tried
    return findings, checked


def _reader(spec: SpecDocument) -> Any:
    components = spec.document.get("components") or {}
    resolver = Resolver(spec)

    def schema_of(schema: Any) -> Schema:
        return Schema(schema if schema is not None else {}, components, resolver.target, spec.name)

    return schema_of


def _refused(operation: Operation, kind: str, detail: str) -> Finding:
    example = next(iter(operation.examples.get("requestBody application/json", [])), None)
    return Finding(
        BREAKING,
        f"paths.{operation.path}.{operation.method}",
        kind,
        detail,
        counterexample=Counterexample(
            kind="request",
            description=f"a request {operation.title}",
            document=example,
            has_document=example is not None,
            accepted_by="old",
            reasons=(f"the new contract documents no {operation.title}",),
        ),
    )


def _without(what: str, where: str, kind: str) -> Finding:
    return Finding(
        BREAKING,
        where,
        kind,
        counterexample=Counterexample.request_lacking(f"a request without {what}", what),
    )


def _request_findings(
    old: Operation, new: Operation, old_schema: Any, new_schema: Any, prefix: str
) -> tuple[list[Finding], int]:
    findings: list[Finding] = []
    checked = 0
    where = f"{prefix}requestBody"
    if new.body_required and not old.body_required:
        findings.append(_without("a body", where, "newly required"))
    elif old.body_required is not None and new.body_required is None:
        findings.append(
            Finding(WARNING, where, "request body removed", reason="a client still sends one: the server may refuse it")
        )
    elif old.body_required and new.body_required is False:
        findings.append(Finding(SAFE, where, "now optional", reason="relaxed input"))
    for media in sorted(old.request.keys() - new.request.keys()):
        if new.body_required is not None:
            body = next(iter(old.examples.get(f"requestBody {media}", [])), None)
            findings.append(
                Finding(
                    BREAKING,
                    f"{where} {media}",
                    "media type removed",
                    counterexample=Counterexample(
                        "request",
                        f"a request body sent as {media}",
                        body,
                        body is not None,
                        "old",
                        (f"the new contract reads no {media} body",),
                    ),
                )
            )
    findings += [
        Finding(SAFE, f"{where} {media}", "media type added", reason="relaxed input")
        for media in sorted(new.request.keys() - old.request.keys())
    ]
    for media in sorted(old.request.keys() & new.request.keys()):
        subject = Subject(f"{where} {media}", "request", "a request body")
        examples = [*old.examples.get(f"requestBody {media}", []), *new.examples.get(f"requestBody {media}", [])]
        found, tried = judge(subject, old_schema(old.request[media]), new_schema(new.request[media]), examples)
        findings += found
        checked += tried
    for (place, name), parameter in sorted(new.parameters.items()):
        at = f"{prefix}parameters.{place}.{name}"
        previous = old.parameters.get((place, name))
        if parameter.required and (previous is None or not previous.required):
            findings.append(_without(f"the {place} parameter {name}", at, "newly required"))
        elif previous is None:
            findings.append(Finding(SAFE, at, "optional parameter added", reason="relaxed input"))
        if previous is not None:
            subject = Subject(at, "request", f"the {place} parameter {name}")
            found, tried = judge(subject, old_schema(previous.schema), new_schema(parameter.schema), [])
            findings += found
            checked += tried
    for place, name in sorted(old.parameters.keys() - new.parameters.keys()):
        findings.append(
            Finding(
                SAFE,
                f"{prefix}parameters.{place}.{name}",
                "parameter removed",
                reason="no longer documented; a request that still sends it is not refused for it",
            )
        )
    return findings, checked
