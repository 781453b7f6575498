"""The checks of an answer: pure functions of (the request as sent, the response, the contract) that return
`Failure`s; an empty list means the answer keeps the promise.

Each `Failure` says where the expectation comes from: `decision` is `None` when the vendor's documentation says it
(a violation), else the name of the decision in `openapi.yaml` it rests on (a warning, unless the run is strict).
The check names (`envelope_status`, `auth_first`, ...) appear in reports. `mock_server.judgement.Judge` puts them
together for one target; the contract suite also calls them one by one.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from mock_server.judgement.exchange import NOT_JSON, Exchange
from mock_server.judgement.expectation import INVALID_INPUT, OK, STATUS, Expectation
from mock_server.judgement.verdict import Failure
from mock_server.spec.contract import Contract
from mock_server.strict_json import JSON_MEDIA_TYPE, is_json


def response_conforms(exchange: Exchange, contract: Contract, *, refused_under: str | None = None) -> list[Failure]:
    """Every answer: a documented status, JSON, valid against that status's schema, envelope status = HTTP status.

    `refused_under` names the decision under which the request may be refused with any 4xx: then a 4xx the spec does
    not document differs from that decision only, and must still be an error in the envelope.
    """
    if exchange.error is not None:
        return [Failure("no_answer", exchange.error)]
    status = exchange.status or 0
    failures = []
    schema = contract.responses.get(status)
    if schema is None:
        message = contract.undocumented(f"HTTP {status}")
        if refused_under is None or not 400 <= status < 500:
            return [Failure("documented_status", message, where=STATUS)]
        failures.append(Failure("documented_status", message, refused_under, STATUS))
        schema = contract.responses[INVALID_INPUT]  # the error envelope, whatever its status
    if not is_json(exchange.content_type):
        shown = exchange.content_type or "no content-type header"
        failures.append(Failure("json_content_type", f"{shown}; the spec documents {JSON_MEDIA_TYPE}"))
    data = exchange.json()
    if data is NOT_JSON:
        return [*failures, Failure("json_body", "the body is not JSON")]
    envelope_status = data.get("status") if isinstance(data, dict) else None
    errors = schema.located_errors(data)
    if isinstance(data, dict) and "status" in data:
        errors = [(pointer, line) for pointer, line in errors if pointer != "/status"]
        if envelope_status != status:
            message = f"the envelope says status {envelope_status!r}, HTTP says {status}"
            failures.append(Failure("envelope_status", message, where=STATUS))
    if errors:
        # The envelope's status is judged above; the rest of the answer may break only what a decision says.
        judged = {**data, "status": status} if isinstance(data, dict) and "status" in data else data
        decision = contract.decisions.lifted_by(schema.schema, judged)
        message = f"not a valid {status} answer:\n" + "\n".join(line for _, line in errors)
        places = tuple(dict.fromkeys(pointer for pointer, _ in errors))
        failures.append(Failure("response_schema", message, decision, places))
    return failures


def status_is(exchange: Exchange, expected: Iterable[int], check: str, why: str = "") -> list[Failure]:
    return meets(exchange, Expectation(check, frozenset(expected), why))


def other_methods_refused(exchange: Exchange) -> list[Failure]:
    """A method the spec does not document is refused: any 4xx (405 is usual; 401, 404 refuse too), or 501.

    RFC 9110 answers an unrecognised method (TRACE, QUERY on many servers) with 501. OPTIONS asks what is
    allowed, and a server (or a CORS layer) may answer it; answering is not accepting the method.
    """
    if exchange.error is not None:
        return [Failure("no_answer", exchange.error)]
    status = exchange.status or 0
    if 400 <= status < 500 or status == 501 or (exchange.method == "OPTIONS" and 200 <= status < 300):
        return []
    message = f"{exchange.method} got {status}; the spec documents only POST"
    return [Failure("other_methods_refused", message, where=STATUS)]


def meets(exchange: Exchange, expected: Expectation) -> list[Failure]:
    """The answer has one of the expected statuses; a miss within the core of a decision differs from it only."""
    if exchange.error is not None or exchange.status in expected.statuses:
        return []
    message = f"expected {' or '.join(map(str, sorted(expected.statuses)))}, got {exchange.status}"
    message += f": {expected.why}" if expected.why else ""
    # The places of a status failure: what in the request calls for the status, else the status itself.
    where = expected.where or STATUS
    if expected.decision is None:
        return [Failure(expected.check, message, where=where)]
    if exchange.status in expected.core:
        return [Failure(expected.check, message, expected.decision, where)]
    allowed = "refused (4xx)" + (" or answered (200)" if OK in expected.core else "")
    documented = f"whatever {expected.decision} decides, the documentation wants it {allowed}"
    return [Failure(expected.check, f"{message}; {documented}", where=where)]


def refusal_decision(exchange: Exchange, expected: Expectation) -> str | None:
    """The decision under which this answer's status is an acceptable refusal, if it is one."""
    return expected.decision if expected.decision and exchange.status in expected.core else None


def slower_than(exchange: Exchange, budget: float | None) -> list[Failure]:
    if budget is None or exchange.error is not None or exchange.elapsed <= budget:
        return []
    return [Failure("max_response_time", f"answered after {exchange.elapsed:.2f} s, the budget is {budget:g} s")]


def usage_suggestions(analysis: dict[str, Any], now: float | None = None) -> list[str]:
    """What the documentation only suggests about a valid success body: each broken suggestion is a warning.

    The documentation's own example has a month with more media than its year, so none of these can be a rule.
    """
    return [message for _, message in usage_notes(analysis, now)]


MONTH_ABOVE_YEAR, LAST_ACCESSED_AHEAD = "month_above_year", "last_accessed_ahead"


def usage_notes(analysis: dict[str, Any], now: float | None = None) -> list[tuple[str, str]]:
    """`usage_suggestions`, each with the kind of suggestion it breaks (`MONTH_ABOVE_YEAR`, ...): a kind that the
    vendor's own documented example breaks is information rather than a warning (`documented_kinds`)."""
    notes = []
    yearly = analysis.get("yearlyAnalysis", {})
    for index, month in enumerate(analysis.get("monthlyAnalysis", [])):
        for name, total in yearly.items():
            value = month.get(name)
            if isinstance(value, int) and isinstance(total, int) and value > total:
                message = f"monthlyAnalysis[{index}].{name} is {value}, above the yearly total {total}"
                notes.append((MONTH_ABOVE_YEAR, message))
    last = analysis.get("lastAccessed")
    now = time.time() if now is None else now
    if isinstance(last, int) and last > now + 86400 * 365 * 100:
        message = f"lastAccessed {last} is centuries ahead: milliseconds rather than seconds?"
        notes.append((LAST_ACCESSED_AHEAD, message))
    elif isinstance(last, int) and last > now + 86400:
        notes.append((LAST_ACCESSED_AHEAD, f"lastAccessed {last} is in the future"))
    return notes


def documented_kinds(contract: Contract) -> frozenset[str]:
    """The kinds of suggestion the spec's own success examples (the vendor's documented one among them) break."""
    bodies = [example.value.get("body") for example in contract.examples_for(OK) if isinstance(example.value, dict)]
    return frozenset(kind for body in bodies if isinstance(body, dict) for kind, _ in usage_notes(body))
