"""The judgement: what an answer should be and whether it is. The one API the contract suite and the proxy import.

    from mock_server.judgement import Exchange, Judge, TargetFacts

    judge = Judge(contract, TargetFacts.of(admin_key, known_ids=[user_id]))
    judge.verdict(exchange).conformance  # Conformance.CONFORMS, DIFFERS or VIOLATES
    load_accepted(path).judged(verdict)  # ... or ACCEPTED, where a team's --accept file covers every violation

The names are imported when first used: the mock's admin API names the verdicts without loading the checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_server.lazy import lazy_names

if TYPE_CHECKING:
    from mock_server.judgement.accepted import Acceptance, AcceptedDeviations, Entry, load_accepted
    from mock_server.judgement.checks import (
        documented_kinds,
        meets,
        refusal,
        refused,
        response_conforms,
        slower_than,
        status_is,
        usage_notes,
        usage_suggestions,
    )
    from mock_server.judgement.exchange import NOT_JSON, Exchange
    from mock_server.judgement.expectation import (
        INVALID_INPUT,
        NOT_FOUND,
        OK,
        UNAUTHENTICATED,
        Expectation,
        RequestShape,
        TargetFacts,
        expectation,
        header,
        request_json,
        under_decision,
    )
    from mock_server.judgement.judge import Judge
    from mock_server.judgement.verdict import Conformance, Failure, Verdict

__all__ = [
    "INVALID_INPUT",
    "NOT_FOUND",
    "NOT_JSON",
    "OK",
    "UNAUTHENTICATED",
    "Acceptance",
    "AcceptedDeviations",
    "Conformance",
    "Entry",
    "Exchange",
    "Expectation",
    "Failure",
    "Judge",
    "RequestShape",
    "TargetFacts",
    "Verdict",
    "documented_kinds",
    "expectation",
    "header",
    "load_accepted",
    "meets",
    "refusal",
    "refused",
    "request_json",
    "response_conforms",
    "slower_than",
    "status_is",
    "under_decision",
    "usage_notes",
    "usage_suggestions",
]

_MODULES = {
    "accepted": ("Acceptance", "AcceptedDeviations", "Entry", "load_accepted"),
    "checks": (
        "documented_kinds",
        "meets",
        "refusal",
        "refused",
        "response_conforms",
        "slower_than",
        "status_is",
        "usage_notes",
        "usage_suggestions",
    ),
    "exchange": ("NOT_JSON", "Exchange"),
    "expectation": (
        "INVALID_INPUT",
        "NOT_FOUND",
        "OK",
        "UNAUTHENTICATED",
        "Expectation",
        "RequestShape",
        "TargetFacts",
        "expectation",
        "header",
        "request_json",
        "under_decision",
    ),
    "judge": ("Judge",),
    "verdict": ("Conformance", "Failure", "Verdict"),
}
__getattr__, __dir__ = lazy_names(
    __name__, {name: f"{__name__}.{module}" for module, names in _MODULES.items() for name in names}
)
