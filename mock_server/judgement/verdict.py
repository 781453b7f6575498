"""What a judgement says: each failed check (`Failure`), and the sum of them for one answer (`Verdict`).

This module imports nothing else of the judgement, so that the mock's admin API can name the verdicts (its
journal filters by them) without loading the checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Failure:
    """One check that an answer fails: `check` is the name the report, JUnit and the kit's tests use.

    `decision` is `None` for a documented expectation (a violation); otherwise the name of the decision in
    `openapi.yaml` (`x-decision`) that the expectation rests on (a warning, unless the run is strict).
    `where`: the JSON Pointers of the places the failure is about, into the answer (`/status`, `/body/...`) or,
    under `/request`, into the request body as sent; empty when it is about no one place (a content type, no
    answer). `accepted`: why a team accepted it (`mock_server.judgement.accepted`), when an entry does.
    """

    check: str
    message: str
    decision: str | None = None
    where: tuple[str, ...] = ()
    accepted: str | None = None


class Conformance(StrEnum):
    """How an answer keeps the contract: the word of the `Sivi-Contract` header and of the journal's filter."""

    CONFORMS = "conforms"
    DIFFERS = "differs"  # only from decisions of openapi.yaml: a warning
    ACCEPTED = "accepted"  # only where a team's accepted-deviations file accepts it
    VIOLATES = "violates"  # from what the documentation says


@dataclass(frozen=True)
class Verdict:
    conformance: Conformance
    failures: tuple[Failure, ...] = ()

    @classmethod
    def of(cls, failures: Iterable[Failure]) -> Verdict:
        found = tuple(failures)
        standing = [failure for failure in found if failure.accepted is None]
        if any(failure.decision is None for failure in standing):
            return cls(Conformance.VIOLATES, found)
        if standing:
            return cls(Conformance.DIFFERS, found)
        return cls(Conformance.ACCEPTED if found else Conformance.CONFORMS, found)

    @property
    def violations(self) -> list[Failure]:
        """The documented failures no accepted deviation covers."""
        return [failure for failure in self.failures if failure.decision is None and failure.accepted is None]

    @property
    def differences(self) -> list[Failure]:
        """The failures from a decision of openapi.yaml only (warnings) that no accepted deviation covers."""
        return [failure for failure in self.failures if failure.decision is not None and failure.accepted is None]

    @property
    def accepted(self) -> list[Failure]:
        """The failures a team's accepted deviations cover."""
        return [failure for failure in self.failures if failure.accepted is not None]

    def failing(self, strict: bool = False) -> list[Failure]:
        """What fails a run: the violations, and under `strict` the differences from decisions too, in order."""
        return [f for f in self.failures if f.accepted is None and (strict or f.decision is None)]

    def as_json(self) -> list[dict[str, str | None]]:
        found: list[dict[str, str | None]] = []
        for failure in self.failures:
            shown = {"check": failure.check, "message": failure.message, "decision": failure.decision}
            found.append(shown if failure.accepted is None else {**shown, "accepted": failure.accepted})
        return found
