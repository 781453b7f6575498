"""`Judge`: the whole judgement of one answer, put together once for a contract and a target.

The contract suite builds one for its run, the proxy one for its upstream; both get the same verdict for the same
exchange.
"""

from __future__ import annotations

from mock_server.judgement.checks import meets, other_methods_refused, refusal_decision, response_conforms
from mock_server.judgement.exchange import Exchange
from mock_server.judgement.expectation import UNAUTHENTICATED, Expectation, RequestShape, TargetFacts, expectation
from mock_server.judgement.verdict import Failure, Verdict
from mock_server.spec.contract import Contract


class Judge:
    """`Judge(contract, TargetFacts.of(admin_key, ...)).verdict(exchange)`."""

    def __init__(self, contract: Contract, target: TargetFacts) -> None:
        self.contract = contract
        self.target = target
        self.shape = RequestShape.from_contract(contract)
        self.method = contract.method.upper()

    def expectation(self, exchange: Exchange) -> Expectation | None:
        """The status the request calls for; `None` for a method the spec does not document."""
        if exchange.method != self.method:
            return None
        return expectation(exchange, self.contract, self.shape, self.target)

    def conformance(self, exchange: Exchange, refused_under: str | None = None) -> list[Failure]:
        """The answer itself: a documented status, JSON, its schema, the envelope (see `response_conforms`)."""
        return response_conforms(exchange, self.contract, refused_under=refused_under)

    def failures(self, exchange: Exchange) -> list[Failure]:
        """Every check of one answer: the answer itself, and the status its request called for."""
        expected = self.expectation(exchange)
        if expected is None:
            return other_methods_refused(exchange)
        if exchange.status == UNAUTHENTICATED and self.target.admin_key is None:
            return self.conformance(exchange)  # a caller's own key may be no admin key: its 401 is not judged
        return self.conformance(exchange, refusal_decision(exchange, expected)) + meets(exchange, expected)

    def verdict(self, exchange: Exchange) -> Verdict:
        return Verdict.of(self.failures(exchange))
