"""The proxy's verdict on an upstream answer: `conforms`, `differs` or `violates`, from the shared judgement.

The checks themselves are `mock_server.conformance`, the same code the contract suite runs; this module only
hands them what the proxy saw and sums their findings up.
"""

from __future__ import annotations

from dataclasses import dataclass

from mock_server.conformance import Exchange, Failure, RequestShape, judge, response_conforms
from mock_server.contract import Contract

CONFORMS, DIFFERS, VIOLATES = "conforms", "differs", "violates"
VERDICTS = (CONFORMS, DIFFERS, VIOLATES)
REMEMBERED = 1024


@dataclass(frozen=True)
class Verdict:
    word: str
    failures: tuple[Failure, ...] = ()

    @property
    def violations(self) -> list[Failure]:
        return [failure for failure in self.failures if failure.decision is None]

    def as_json(self) -> list[dict[str, str | None]]:
        return [{"check": f.check, "message": f.message, "decision": f.decision} for f in self.failures]


class Judge:
    """Judges every answer the proxy relays. `admin_key_known`: the key sent upstream is the configured one,
    so the upstream must treat it as an admin key; a caller's own key may be any key, so its 401 is not judged."""

    def __init__(self, contract: Contract, *, admin_key_known: bool) -> None:
        self.contract = contract
        self.shape = RequestShape.from_contract(contract)
        self.admin_key_known = admin_key_known
        self._remembered: dict[int, Verdict] = {}

    def judge(self, exchange: Exchange, sent_key: str | None) -> Verdict:
        """The verdict on one exchange. The checks are a pure function of what was sent and answered, and a client
        asks the same things again and again: verdicts are remembered by a hash of the exchange (the key only
        counts as sent or not: the checks compare it with itself), the last `REMEMBERED` of them."""
        digest = self._digest(exchange, sent_key is not None)
        verdict = self._remembered.get(digest)
        if verdict is None:
            verdict = self._judged(exchange, sent_key)
            if len(self._remembered) >= REMEMBERED:
                del self._remembered[next(iter(self._remembered))]
            self._remembered[digest] = verdict
        return verdict

    def _digest(self, exchange: Exchange, key_sent: bool) -> int:
        # Python's own hash (SipHash, seeded per process, so no one can craft a collision from outside): the
        # table holds numbers, never bodies, and a wrong hit would need a 64-bit collision among 1,024 entries.
        key_header = exchange.key_header.lower()
        headers = tuple((name, value) for name, value in exchange.headers.items() if name.lower() != key_header)
        answer = (exchange.status, exchange.content_type, exchange.content)
        return hash((key_sent, exchange.method, headers, exchange.body, answer))

    def _judged(self, exchange: Exchange, sent_key: str | None) -> Verdict:
        if exchange.status == 401 and not self.admin_key_known:
            failures = response_conforms(exchange, self.contract)  # the caller's own key may be no admin key
        else:
            failures = judge(exchange, self.contract, self.shape, admin_key=sent_key or "")
        if not failures:
            return Verdict(CONFORMS)
        word = VIOLATES if any(failure.decision is None for failure in failures) else DIFFERS
        return Verdict(word, tuple(failures))
