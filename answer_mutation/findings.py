"""What a mutant run means: the findings (`untested`, `unnoticed`, `brittle`, `hang`), judged by the mutant's kind
from what the test did, and the ones a team accepts."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from mock_server.faults import TRANSPORT_FAULTS
from mock_server.mock.mutants import Mutant
from mock_server.spec.answer_classes import fault_of, not_received, status_of
from mock_server.spec.contract import Contract

FindingKind = Literal["untested", "unnoticed", "brittle", "hang"]
Outcome = Literal["passed", "failed", "hang"]
SHOULD = {
    "meaning": "it should fail",
    "form": "it should pass",
    "values": "it should pass or fail on its own assertion",
}


@dataclass(frozen=True)
class Rerun:
    """One mutant run: what the test received, the mutant given in its place, and what the test did."""

    test: str | None
    answer: str
    mutant: Mutant
    outcome: Outcome = "passed"
    seconds: float = 0.0
    failure: str | None = None  # pytest's account of the failure: `assertion` or `error`
    exception: str | None = None
    given: int = 0  # answers the mock changed


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    name: str  # the mutant's, or for `untested` the answer's
    test: str | None
    answer: str
    what: str  # the difference the mutant made, or why the answer counts
    did: str  # what the test did
    should: str = ""  # what the test should have done
    accepted: str | None = None  # the reason, when accepted

    def mutant_text(self) -> str:
        return f"{self.name} in place of {self.answer}"

    def as_json(self) -> dict[str, str | None]:
        return {
            "kind": self.kind,
            "name": self.name,
            "test": self.test,
            "answer": self.answer,
            "what": self.what,
            "did": self.did,
            "should": self.should,
            **({"accepted": self.accepted} if self.accepted is not None else {}),
        }


def untested(contract: Contract, received: dict[str, dict[str, int]]) -> list[Finding]:
    """The documented error statuses and the transport faults no test received."""
    every = {name for counts in received.values() for name in counts}
    found = []
    for name in not_received(contract, every):
        fault = fault_of(name)
        if (fault is None and status_of(name) != 200) or fault in TRANSPORT_FAULTS:
            what = "a transport fault" if fault else "a documented error"
            found.append(Finding("untested", name, None, name, what, "no test received it"))
    return found


def judge(rerun: Rerun, limit: float) -> Finding | str | None:
    """A finding, a note (what the run could not judge), or nothing, from what the test did with the mutant."""
    mutant = rerun.mutant
    if rerun.given == 0:
        return (
            f"{rerun.test or 'COMMAND'}: {mutant.name} on {rerun.answer} was never given (no request got that answer)"
        )
    did = describe(rerun, limit)
    kind: FindingKind | None = None
    if rerun.outcome == "hang":
        kind = "hang"
    elif mutant.kind == "meaning" and rerun.outcome == "passed":
        kind = "unnoticed"
    elif mutant.kind == "form" and rerun.outcome == "failed":
        kind = "brittle"
    elif mutant.kind == "values" and rerun.outcome == "failed":
        if rerun.failure == "error":
            kind = "brittle"
        elif rerun.failure is None:
            return (
                f"{rerun.test or 'COMMAND'}: {mutant.name} on {rerun.answer}: {did}"
                " (only pytest tells its own assertion from a crash of the client)"
            )
    if kind is None:
        return None
    return Finding(kind, mutant.name, rerun.test, rerun.answer, mutant.what, did, SHOULD[mutant.kind])


def describe(rerun: Rerun, limit: float) -> str:
    if rerun.outcome == "hang":
        return f"still running at the limit ({limit:g} s)"
    if rerun.outcome == "passed":
        return "passed"
    cause = {"assertion": "on its own assertion", "error": "with an error"}.get(rerun.failure or "", "")
    return " ".join(filter(None, ["failed", cause, f"({rerun.exception})" if rerun.exception else ""]))


def accept(findings: list[Finding], accepted: dict[str, str]) -> list[Finding]:
    """The findings, those on an accepted mutant, answer or test marked with the reason."""
    marked = []
    for finding in findings:
        reason = next((accepted[n] for n in (finding.name, finding.test, finding.answer) if n in accepted), None)
        marked.append(finding if reason is None else dataclasses.replace(finding, accepted=reason))
    return marked
