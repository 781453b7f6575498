"""What a comparison finds: one `Finding` per change, each breaking, a warning or safe, and the `Report` of them all.

A breaking finding carries a `Counterexample` whenever one exists: a request the old contract accepted that the new
one refuses, or an answer the new contract allows that a client built on the old one rejects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

BREAKING: Final = "breaking"
WARNING: Final = "warning"
SAFE: Final = "safe"
Verdict = Literal["breaking", "warning", "safe"]


@dataclass(frozen=True)
class Counterexample:
    """A document (or a request or answer described in words) that one side accepts and the other refuses."""

    kind: Literal["request", "answer"]
    description: str  # "a request body", "an answer 404 application/json", "a request sending header x"
    document: Any = None
    has_document: bool = True
    accepted_by: Literal["old", "new"] = "old"
    reasons: tuple[str, ...] = ()  # why the other side refuses it, as its validator says

    @classmethod
    def request_lacking(cls, description: str, requirement: str) -> Counterexample:
        """A request told in words (no body to show) that the old contract let in and the new one refuses for
        lacking `requirement`."""
        reasons = (f"the new contract requires {requirement}",)
        return cls("request", description, has_document=False, accepted_by="old", reasons=reasons)

    @property
    def refused_by(self) -> str:
        return "new" if self.accepted_by == "old" else "old"

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "description": self.description,
            "accepted_by": self.accepted_by,
            "refused_by": self.refused_by,
            "reasons": list(self.reasons),
        }
        if self.has_document:
            data["document"] = self.document
        return data


@dataclass(frozen=True)
class Finding:
    verdict: Verdict
    where: str  # the part and the JSON location: "responses.200 application/json /body/creditBalance/usedCredits"
    what: str  # the kind of change: "removed", "now optional", "type widened", "newly required", ...
    detail: str = ""  # the change itself: "type: integer -> integer, number"
    reason: str = ""  # why this verdict, when the counterexample does not say it all
    counterexample: Counterexample | None = None
    decision: str = ""  # the spec decision (`x-decision`) the changed place rests on, if any

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"verdict": self.verdict, "where": self.where, "what": self.what}
        for name in ("detail", "reason", "decision"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.counterexample is not None:
            data["counterexample"] = self.counterexample.as_json()
        return data


SHOWN_PROBLEMS = 3


@dataclass(frozen=True)
class FixturesCheck:
    """Whether the fixtures conform to NEW, apart from the verdict: `line` says it in one line, `problems` are the
    reasons when they do not."""

    line: str
    problems: tuple[str, ...] = ()

    @property
    def shown(self) -> str:
        more = len(self.problems) - SHOWN_PROBLEMS
        return "; ".join(self.problems[:SHOWN_PROBLEMS]) + (f"; and {more} more" if more > 0 else "")


@dataclass
class Report:
    old: str
    new: str
    findings: list[Finding] = field(default_factory=list)
    # Whether the fixtures still conform to NEW: the kit's own question, apart from the findings and the verdict.
    fixtures: FixturesCheck = FixturesCheck("")
    strict: bool = False
    documents_checked: int = 0
    seconds: float = 0.0

    def of(self, verdict: str) -> list[Finding]:
        return [finding for finding in self.findings if self.verdict_of(finding) == verdict]

    def verdict_of(self, finding: Finding) -> str:
        """A warning counts as breaking under `--strict`."""
        return BREAKING if self.strict and finding.verdict == WARNING else finding.verdict

    @property
    def exit_code(self) -> int:
        return 1 if self.of(BREAKING) else 0
