"""Judge one part of an operation (a request body, a parameter, one answer) whose schema OLD and NEW both have.

The structure names and places each change; the verdict is the search's: a change with a counterexample breaks a
client (or, where reasonable people differ, is a warning), a change without one is safe, and says how many
documents were tried. Two schemas that are the same once references are inlined accept the same documents: nothing
is searched, and only a `$ref` refactor is left to list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from mock_server.spec import SchemaValidator, SpecError
from spec_diff import kinds
from spec_diff.findings import BREAKING, SAFE, WARNING, Counterexample, Finding, Verdict
from spec_diff.instances import declared_names, drawn_documents, probes
from spec_diff.kinds import Part
from spec_diff.schemas import Change, Facet, Location, Resolve, canonical, changes, decisions_at, facets, pointer, text
from spec_diff.search import Outcome, Search

REQUESTS_OR_ANSWERS = {"request": "requests", "answer": "answers"}


@dataclass(frozen=True)
class Schema:
    """One side's schema of a part, with what it needs to be read and compiled."""

    schema: Any
    components: dict[str, Any]
    resolve: Resolve
    spec: str  # the spec's name, as the user wrote it

    def documents(self) -> list[Any]:
        """What Hypothesis draws from this schema: from its canonical form unless a recursive `$ref` is left."""
        inlined = canonical(self.schema, self.resolve)
        if '"$ref"' in text(inlined):
            return drawn_documents(self.schema, self.components)
        return drawn_documents(inlined, {})

    def validator(self, where: str = "") -> SchemaValidator:
        compiled = self.schema if isinstance(self.schema, dict) else {"not": {}} if self.schema is False else {}
        try:
            return SchemaValidator(compiled, self.components)
        except (ValueError, jsonschema_rs.ReferencingError) as error:
            raise SpecError(self.spec, where, f"not a usable JSON Schema ({error})") from None


@dataclass(frozen=True)
class Subject:
    where: str  # `requestBody application/json`, `responses.200 application/json`
    part: Part
    described: str  # the counterexample in words: `a request body`, `an answer 200 application/json`


def judge(subject: Subject, old: Schema, new: Schema, examples: list[Any]) -> tuple[list[Finding], int]:
    """The findings of one part, and how many documents were judged."""
    old_facets, new_facets = facets(old.schema, old.resolve), facets(new.schema, new.resolve)
    found = changes(old_facets, new_facets)
    if text(canonical(old.schema, old.resolve)) == text(canonical(new.schema, new.resolve)):
        reason = "accepts the same documents: the same schema once references are inlined"
        return _safe_groups(subject, found, old_facets | new_facets, reason), 0
    # A request must stay acceptable to NEW; an answer NEW allows must be acceptable to OLD.
    source, target = (old, new) if subject.part == "request" else (new, old)
    search = Search(
        source=source.validator(subject.where),
        target=target.validator(subject.where),
        changes=found,
        breaks=[kinds.may_break(subject.part, change) for change in found],
        probes=probes(old_facets | new_facets),
        names=declared_names(old_facets | new_facets),
    )
    outcome = search.run([*examples, *source.documents()])
    marks = old_facets | new_facets
    return _findings(subject, found, outcome, old_facets, marks), outcome.checked


def _findings(
    subject: Subject, found: list[Change], outcome: Outcome, old_facets: set[Facet], marks: set[Facet]
) -> list[Finding]:
    tried = f"no counterexample among {outcome.checked} {REQUESTS_OR_ANSWERS[subject.part]} the "
    tried += "old contract accepts" if subject.part == "request" else "new contract allows"
    if not found and not outcome.unexplained:
        # Written otherwise, with no assertion of its own changed at any place (alternatives reordered ...).
        return [Finding(SAFE, f"{subject.where} /", "rewritten", reason=tried)]
    groups: dict[Location, list[int]] = defaultdict(list)
    for index, change in enumerate(found):
        groups[change.shown_at].append(index)
    findings = []
    quiet: list[Change] = []
    for shown_at, indices in groups.items():
        blamed = [index for index in indices if index in outcome.blamed]
        if not blamed:
            quiet.extend(found[index] for index in indices)
            continue
        first = min(blamed, key=lambda index: (found[index].keyword == "$ref", index))
        document, reasons = outcome.blamed[first]
        change = found[first]
        verdict: Verdict = BREAKING
        reason = ""
        if _ignored_before(subject, change, old_facets):
            verdict = WARNING
            reason = (
                f"the old contract ignored an unknown property {change.name!r} (any value was accepted); the new one "
                "declares it, so a client that already sent it with another value is refused (--strict: breaking)"
            )
        findings.append(
            Finding(
                verdict=verdict,
                where=f"{subject.where} {pointer(shown_at)}",
                what=kinds.what(subject.part, change),
                detail="; ".join(kinds.detail(found[index]) for index in indices),
                reason=reason,
                counterexample=_counterexample(subject, document, reasons),
                decision=", ".join(decisions_at(marks, shown_at)),
            )
        )
    findings += _safe_groups(subject, quiet, marks, tried)
    for location, (document, reasons) in outcome.unexplained.items():
        findings.append(
            Finding(
                verdict=BREAKING,
                where=f"{subject.where} {pointer(location)}",
                what="narrowed" if subject.part == "request" else "widened",
                detail=reasons[0] if reasons else "",
                counterexample=_counterexample(subject, document, reasons),
            )
        )
    return findings


def _ignored_before(subject: Subject, change: Change, old_facets: set[Facet]) -> bool:
    """A new optional request property where OLD allowed unknown ones: reasonable people differ (a warning)."""
    if subject.part != "request" or change.keyword != "property" or not change.new or change.required[1]:
        return False
    return not any(
        facet.location == change.location and facet.keyword == "additionalProperties" and facet.value == "false"
        for facet in old_facets
    )


def _counterexample(subject: Subject, document: Any, reasons: list[str]) -> Counterexample:
    return Counterexample(
        kind=subject.part,
        description=subject.described,
        document=document,
        accepted_by="old" if subject.part == "request" else "new",
        reasons=tuple(reasons),
    )


def _safe_groups(subject: Subject, quiet: list[Change], marks: set[Facet], reason: str) -> list[Finding]:
    """One safe finding per location; the `$ref` refactors of a part in one finding, however many places."""
    references = [change for change in quiet if change.keyword == "$ref"]
    grouped: dict[Location, list[Change]] = defaultdict(list)
    for change in quiet:
        if change.keyword != "$ref":
            grouped[change.shown_at].append(change)
    findings = [
        Finding(
            verdict=SAFE,
            where=f"{subject.where} {pointer(shown_at)}",
            what=", ".join(dict.fromkeys(kinds.what(subject.part, change) for change in group)),
            detail="; ".join(kinds.detail(change) for change in group),
            reason=reason,
            decision=", ".join(decisions_at(marks, shown_at)),
        )
        for shown_at, group in grouped.items()
    ]
    if references:
        places = sorted({pointer(change.location) for change in references})
        shown = ", ".join(places[:3]) + (f" and {len(places) - 3} more" if len(places) > 3 else "")
        findings.append(
            Finding(
                verdict=SAFE,
                where=f"{subject.where} {places[0]}",
                what="$ref refactor",
                detail=f"at {shown}: " + "; ".join(dict.fromkeys(kinds.detail(change) for change in references)),
                reason=reason,
            )
        )
    return findings
