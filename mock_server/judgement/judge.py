"""`Judge`: the whole judgement of one answer, put together once for a contract and a target.

The contract suite builds one for its run, the proxy one for its upstream; both judge every answer through the same
two steps, `failures` (every check) and `judged` (the failures sorted into a `Verdict`, the team's accepted
deviations applied), so both get the same verdict for the same exchange.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date

from mock_server.judgement.accepted import AcceptedDeviations, Entry
from mock_server.judgement.checks import meets, other_methods_refused, refusal_decision, response_conforms, slower_than
from mock_server.judgement.exchange import Exchange
from mock_server.judgement.expectation import (
    UNAUTHENTICATED,
    Expectation,
    RequestShape,
    TargetFacts,
    expectation,
    under_decision,
)
from mock_server.judgement.verdict import Failure, Verdict
from mock_server.spec.contract import Contract


class Judge:
    """`Judge(contract, TargetFacts.of(admin_key, ...)).verdict(exchange)`.

    `accepted`: the team's accepted deviations (`--accept`); `max_response_time`: the seconds an answer may take
    (`None`: any); `today`: the day accepted deviations are judged on (`None`: the day of each verdict, as the
    proxy, which may run past midnight, judges)."""

    def __init__(
        self,
        contract: Contract,
        target: TargetFacts,
        *,
        accepted: AcceptedDeviations | None = None,
        max_response_time: float | None = None,
        today: date | None = None,
    ) -> None:
        self.contract = contract
        self.target = target
        self.shape = RequestShape.from_contract(contract)
        self.method = contract.method.upper()
        self.accepted = accepted
        self.max_response_time = max_response_time
        self.today = today

    def expectation(self, exchange: Exchange) -> Expectation | None:
        """The status the request calls for; `None` for a method the spec does not document."""
        if exchange.method != self.method:
            return None
        return expectation(exchange, self.contract, self.shape, self.target)

    def stated(
        self, exchange: Exchange, check: str, statuses: frozenset[int], decision: str | None = None
    ) -> Expectation:
        """What a test states of an answer (`statuses`, under its own `check`), placed and resting as the request's
        own expectation says: what in the request calls for the status, and the decision it rests on. `decision`
        names the decision the statuses rest on where the request alone does not say it (both ids named, say)."""
        stated = Expectation(check, statuses, "")
        own = self.expectation(exchange)
        if own is None:
            return stated
        stated = replace(stated, where=own.where)
        if decision is not None:
            return under_decision(self.contract, stated, decision, own.statuses | own.core)
        if own.decision is not None:
            return replace(stated, why=own.why, decision=own.decision, core=own.core)
        return stated

    def conformance(self, exchange: Exchange, refused_under: str | None = None) -> list[Failure]:
        """The answer itself: a documented status, JSON, its schema, the envelope (see `response_conforms`)."""
        return response_conforms(exchange, self.contract, refused_under=refused_under)

    def failures(self, exchange: Exchange, expected: Expectation | None = None) -> list[Failure]:
        """Every check of one answer: the answer itself, the status its request calls for (or `expected`, what a
        test states: `stated`), and the time it took. Raises `TooDeepToCheck` for an answer nested deeper than the
        checks can follow: the proxy answers it 502, the suite reports it."""
        return self._checked(exchange, expected) + slower_than(exchange, self.max_response_time)

    def _checked(self, exchange: Exchange, expected: Expectation | None) -> list[Failure]:
        expected = self.expectation(exchange) if expected is None else expected
        if expected is None:
            return other_methods_refused(exchange)
        if exchange.status == UNAUTHENTICATED and self.target.admin_key is None:
            return self.conformance(exchange)  # a caller's own key may be no admin key: its 401 is not judged
        return self.conformance(exchange, refusal_decision(exchange, expected)) + meets(exchange, expected)

    def judged(
        self, failures: Iterable[Failure], *, mirrors: Mapping[str, str] | None = None, met: set[Entry] | None = None
    ) -> Verdict:
        """The failures of one answer as a `Verdict` (violations, differences from decisions, accepted deviations),
        each failure a live entry of the accepted deviations covers marked so. `mirrors`: for a check of another
        tool's, the check of this judgement it says again (an entry for ours accepts it too); `met`: where the
        entries that matched a failure, live or expired, are added."""
        verdict = Verdict.of(failures)
        if self.accepted is None:
            return verdict
        return self.accepted.judged(verdict, self.today, mirrors=mirrors, met=met)

    def verdict(self, exchange: Exchange, expected: Expectation | None = None) -> Verdict:
        """`judged(failures(exchange, expected))`."""
        return self.judged(self.failures(exchange, expected))
