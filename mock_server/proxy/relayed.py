"""What is shown of one relayed exchange: the journal's entry for it (`Relayed`) and a finding in one line
(`first_line`), the key that went upstream masked out of both, should the upstream have echoed it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mock_server.judgement import Conformance, Verdict
from mock_server.secret import KeyMask


@dataclass(frozen=True)
class Relayed:
    """What the journal keeps of one upstream exchange; turned into JSON only when the journal is read."""

    url: str
    status: int | None = None
    elapsed: float = 0.0
    verdict: Verdict | None = None
    error: str | None = None
    fault: str | None = None  # an `UpstreamError.Kind`, or `upstream-key`
    sent_key: str | None = None  # masked out of findings, should the upstream have echoed it
    source: str = "mock"  # `upstream` when the caller got the upstream's answer as it was

    @property
    def contract(self) -> Conformance | None:
        return self.verdict.conformance if self.verdict else None

    def as_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"url": self.url}
        if self.status is not None:
            shown.update(status=self.status, ms=round(self.elapsed * 1000, 1))
        if self.verdict is not None:
            findings = [
                {**found, "message": masked(str(found["message"]), self.sent_key)} for found in self.verdict.as_json()
            ]
            shown.update(contract=self.contract, findings=findings)
        if self.status is not None and self.status >= 500:
            shown["serverError"] = True
        if self.error is not None:
            shown.update(error=self.error, fault=self.fault)
        return shown


def masked(text: str, key: str | None) -> str:
    """`text` with the key that went upstream masked, should an answer have echoed it into a finding."""
    return KeyMask([key])(text)


def first_line(message: str, key: str | None) -> str:
    """A finding's message for one log line: its first two lines joined (the check's reason and first error)."""
    return masked(" ".join(message.split("\n")[:2]), key)
