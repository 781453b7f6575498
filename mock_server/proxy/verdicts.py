"""The proxy's verdicts: the shared judgement of every answer it relays, with the recent ones remembered.

The checks are `mock_server.judgement`, the same code the contract suite runs; this module hands them what the
proxy saw. One reading is the proxy's own: a server error the API documents (a 500 in the envelope) conforms,
whatever the request, because a developer working against staging meets outages; the suite, which asks on purpose,
holds a server to answering.
"""

from __future__ import annotations

from mock_server.judgement import (
    AcceptedDeviations,
    Exchange,
    Expectation,
    Failure,
    Judge,
    TargetFacts,
    Verdict,
    header,
)
from mock_server.spec.contract import Contract

REMEMBERED = 1024


class RememberingJudge:
    """Judges every answer the proxy relays. `upstream_key`: the key the proxy sends upstream in place of the
    caller's (the upstream must take it as an admin key); `None` when callers' own keys go upstream (any of them may
    be no admin key, so a 401 is judged only as an answer). `accepted`: the team's accepted deviations (`--accept`),
    applied to each verdict as it is given (an entry may expire while the proxy runs)."""

    def __init__(
        self, contract: Contract, *, upstream_key: str | None, accepted: AcceptedDeviations | None = None
    ) -> None:
        self.judge = Judge(contract, TargetFacts.of(upstream_key), accepted=accepted)
        self._remembered: dict[int, list[Failure]] = {}

    def verdict(self, exchange: Exchange) -> Verdict:
        """The verdict on one exchange. The checks are a pure function of what was sent and answered, and a client
        asks the same things again and again: their failures are remembered by a hash of the exchange, the last
        `REMEMBERED` of them (the accepted deviations are applied to each verdict as it is given)."""
        digest = self._digest(exchange)
        failures = self._remembered.get(digest)
        if failures is None:
            failures = self.judge.failures(exchange, self._expected(exchange))
            if len(self._remembered) >= REMEMBERED:
                del self._remembered[next(iter(self._remembered))]
            self._remembered[digest] = failures
        return self.judge.judged(failures)

    def _expected(self, exchange: Exchange) -> Expectation | None:
        status = exchange.status
        if status is not None and status >= 500 and status in self.judge.contract.statuses:
            # A server error the API documents is one of its answers to any request (a deploy blip, a database
            # down): judged as an answer (documented status, the envelope, its schema), never as a wrong status.
            return Expectation("documented_server_error", frozenset({status}), "")
        return None  # the status the request calls for

    def _digest(self, exchange: Exchange) -> int:
        # Python's own hash (SipHash, seeded per process, so no one can craft a collision from outside): the
        # table holds numbers, never bodies, and a wrong hit would need a 64-bit collision among 1,024 entries.
        # The key counts only as the judgement reads it (taken as an admin key or not), never as its value.
        key_header = exchange.key_header.lower()
        headers = tuple((name, value) for name, value in exchange.headers.items() if name.lower() != key_header)
        key = self.judge.target.takes_as_admin(header(exchange.headers, exchange.key_header))
        answer = (exchange.status, exchange.content_type, exchange.content)
        return hash((key, exchange.method, headers, exchange.body, answer))
