"""The judgement: what an answer should be and whether it is. The one API the contract suite and the proxy import.

    from mock_server.judgement import Exchange, Judge, TargetFacts

    judge = Judge(contract, TargetFacts.of(admin_key, known_ids=[user_id]), accepted=load_accepted(path))
    judge.verdict(exchange).conformance  # Conformance.CONFORMS, DIFFERS or VIOLATES; or ACCEPTED, where the
                                         # team's --accept file covers every violation

`Judge.verdict` is `Judge.judged(Judge.failures(...))`: the one way the contract suite and the proxy judge an
answer (the suite adds Schemathesis' failures between the two steps).

The names are imported when first used: the mock's admin API names the verdicts without loading the checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_server.lazy import lazy_names

if TYPE_CHECKING:
    from mock_server.judgement.accepted import Acceptance as Acceptance
    from mock_server.judgement.accepted import AcceptedDeviations as AcceptedDeviations
    from mock_server.judgement.accepted import Entry as Entry
    from mock_server.judgement.accepted import load_accepted as load_accepted
    from mock_server.judgement.checks import documented_kinds as documented_kinds
    from mock_server.judgement.checks import meets as meets
    from mock_server.judgement.checks import other_methods_refused as other_methods_refused
    from mock_server.judgement.checks import refusal_decision as refusal_decision
    from mock_server.judgement.checks import response_conforms as response_conforms
    from mock_server.judgement.checks import slower_than as slower_than
    from mock_server.judgement.checks import status_is as status_is
    from mock_server.judgement.checks import usage_notes as usage_notes
    from mock_server.judgement.checks import usage_suggestions as usage_suggestions
    from mock_server.judgement.exchange import NOT_JSON as NOT_JSON
    from mock_server.judgement.exchange import Exchange as Exchange
    from mock_server.judgement.exchange import RequestReading as RequestReading
    from mock_server.judgement.exchange import joined_headers as joined_headers
    from mock_server.judgement.expectation import INVALID_INPUT as INVALID_INPUT
    from mock_server.judgement.expectation import NOT_FOUND as NOT_FOUND
    from mock_server.judgement.expectation import OK as OK
    from mock_server.judgement.expectation import UNAUTHENTICATED as UNAUTHENTICATED
    from mock_server.judgement.expectation import Expectation as Expectation
    from mock_server.judgement.expectation import RequestShape as RequestShape
    from mock_server.judgement.expectation import TargetFacts as TargetFacts
    from mock_server.judgement.expectation import expectation as expectation
    from mock_server.judgement.expectation import header as header
    from mock_server.judgement.expectation import request_json as request_json
    from mock_server.judgement.expectation import under_decision as under_decision
    from mock_server.judgement.judge import Judge as Judge
    from mock_server.judgement.verdict import Conformance as Conformance
    from mock_server.judgement.verdict import Failure as Failure
    from mock_server.judgement.verdict import Verdict as Verdict

__getattr__, __dir__, __all__ = lazy_names(__name__, __file__)
