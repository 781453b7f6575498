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
    """

    check: str
    message: str
    decision: str | None = None


class Conformance(StrEnum):
    """How an answer keeps the contract: the word of the `Sivi-Contract` header and of the journal's filter."""

    CONFORMS = "conforms"
    DIFFERS = "differs"  # only from decisions of openapi.yaml: a warning
    VIOLATES = "violates"  # from what the documentation says


@dataclass(frozen=True)
class Verdict:
    conformance: Conformance
    failures: tuple[Failure, ...] = ()

    @classmethod
    def of(cls, failures: Iterable[Failure]) -> Verdict:
        found = tuple(failures)
        if not found:
            return cls(Conformance.CONFORMS)
        documented = any(failure.decision is None for failure in found)
        return cls(Conformance.VIOLATES if documented else Conformance.DIFFERS, found)

    @property
    def violations(self) -> list[Failure]:
        return [failure for failure in self.failures if failure.decision is None]

    def as_json(self) -> list[dict[str, str | None]]:
        return [{"check": f.check, "message": f.message, "decision": f.decision} for f in self.failures]
