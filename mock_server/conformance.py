"""The one judgement of an answer: does what a server answered to a request keep the contract?

Pure functions of (the request as sent, the response, the contract) that return `Failure`s; an empty list means
the answer keeps the promise. The contract suite judges every answer of a run with them, the mock's proxy every
answer it relays. Each `Failure` says where the expectation comes from: `decision` is `None` when the vendor's
documentation says it (a violation), else the name of the decision in `openapi.yaml` it rests on (a warning,
unless the run is strict). The check names (`envelope_status`, `auth_first`, ...) appear in reports.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from typing import Any

from mock_server.contract import Contract, SpecError
from mock_server.decisions import REPORTED
from mock_server.exchange import NOT_JSON, Exchange

__all__ = [
    "INVALID_INPUT",
    "JSON_MEDIA_TYPE",
    "NOT_FOUND",
    "NOT_JSON",
    "OK",
    "UNAUTHENTICATED",
    "Exchange",
    "Expectation",
    "Failure",
    "RequestShape",
    "expectation",
    "header",
    "input_handling",
    "judge",
    "media_type",
    "meets",
    "parse_request_json",
    "refusal",
    "refused",
    "response_conforms",
    "slower_than",
    "status_is",
    "under_decision",
    "usage_suggestions",
]

JSON_MEDIA_TYPE = "application/json"
# Statuses with a meaning the judgement relies on; `RequestShape.from_contract` checks the spec documents them.
OK, NOT_FOUND, UNAUTHENTICATED, INVALID_INPUT = 200, 400, 401, 422


@dataclass(frozen=True)
class Failure:
    """One check that an answer fails: `check` is the name the report, JUnit and the kit's tests use.

    `decision` is `None` for a documented expectation (a violation); otherwise the name of the decision in
    `openapi.yaml` (`x-decision`) that the expectation rests on (a warning, unless the run is strict).
    """

    check: str
    message: str
    decision: str | None = None


@dataclass(frozen=True)
class RequestShape:
    """The two ids of the request body, in order of preference, as the spec's request schema names them."""

    user_field: str
    workspace_field: str

    @classmethod
    def from_contract(cls, contract: Contract) -> RequestShape:
        missing = {OK, NOT_FOUND, UNAUTHENTICATED, INVALID_INPUT} - set(contract.statuses)
        if missing:
            raise SpecError(contract.source, "responses", f"the judgement needs the statuses {sorted(missing)}")
        unlisted = set(APPLIED) - set(contract.decisions.catalogue)
        if unlisted:
            raise SpecError(contract.source, "x-decisions", f"the judgement applies the decisions {sorted(unlisted)}")
        if len(contract.id_fields) != 2:
            raise SpecError(contract.source, "requestBody", "expected two ids: a user's and a workspace's")
        user_field, workspace_field = contract.id_fields
        return cls(user_field=user_field, workspace_field=workspace_field)


def media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def header(headers: dict[str, str], name: str) -> str | None:
    """A request header by name, whatever its letter case."""
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


def parse_request_json(body: bytes | None) -> Any:
    """The request body as a strict JSON parser reads it (UTF-8, no NaN/Infinity), or `NOT_JSON`."""
    if body is None:
        return NOT_JSON

    def reject(constant: str) -> Any:
        raise ValueError(constant)

    try:
        return json.loads(body.decode("utf-8"), parse_constant=reject)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return NOT_JSON


def response_conforms(exchange: Exchange, contract: Contract, *, refusal: str | None = None) -> list[Failure]:
    """Every answer: a documented status, JSON, valid against that status's schema, envelope status = HTTP status.

    `refusal` names the decision under which the request may be refused with any 4xx: then a 4xx the spec does
    not document differs from that decision only, and must still be an error in the envelope.
    """
    if exchange.error is not None:
        return [Failure("no_answer", exchange.error)]
    status = exchange.status or 0
    failures = []
    schema = contract.responses.get(status)
    if schema is None:
        documented = ", ".join(map(str, contract.statuses))
        failure = Failure("documented_status", f"HTTP {status} is not a status the spec documents ({documented})")
        if refusal is None or not 400 <= status < 500:
            return [failure]
        failures.append(Failure(failure.check, failure.message, refusal))
        schema = contract.responses[INVALID_INPUT]  # the error envelope, whatever its status
    if media_type(exchange.content_type) != JSON_MEDIA_TYPE:
        shown = exchange.content_type or "no content-type header"
        failures.append(Failure("json_content_type", f"{shown}; the spec documents {JSON_MEDIA_TYPE}"))
    data = exchange.json()
    if data is NOT_JSON:
        return [*failures, Failure("json_body", "the body is not JSON")]
    envelope_status = data.get("status") if isinstance(data, dict) else None
    errors = schema.errors(data)
    if isinstance(data, dict) and "status" in data:
        errors = [error for error in errors if not error.startswith("status:")]
        if envelope_status != status:
            message = f"the envelope says status {envelope_status!r}, HTTP says {status}"
            failures.append(Failure("envelope_status", message))
    if errors:
        # The envelope's status is judged above; the rest of the answer may break only what a decision says.
        judged = {**data, "status": status} if isinstance(data, dict) and "status" in data else data
        decision = contract.decisions.lifted_by(schema.schema, judged)
        failures.append(Failure("response_schema", f"not a valid {status} answer:\n" + "\n".join(errors), decision))
    return failures


def status_is(exchange: Exchange, expected: Iterable[int], check: str, why: str = "") -> list[Failure]:
    return meets(exchange, Expectation(check, frozenset(expected), why))


def refused(exchange: Exchange) -> list[Failure]:
    """A method the spec does not document is refused: any 4xx (405 is usual; 401, 404 refuse too), or 501.

    RFC 9110 answers an unrecognised method (TRACE, QUERY on many servers) with 501. OPTIONS asks what is
    allowed, and a server (or a CORS layer) may answer it; answering is not accepting the method.
    """
    if exchange.error is not None:
        return [Failure("no_answer", exchange.error)]
    status = exchange.status or 0
    if 400 <= status < 500 or status == 501 or (exchange.method == "OPTIONS" and 200 <= status < 300):
        return []
    return [Failure("other_methods_refused", f"{exchange.method} got {status}; the spec documents only POST")]


@dataclass(frozen=True)
class Expectation:
    """The statuses a request calls for, and where that comes from.

    `decision` is `None` when the documentation says so; else the statuses are that decision's reading, and only
    `core` (what the documentation says whatever the reading: refused with a 4xx, or also answered) is a rule.
    """

    check: str
    statuses: frozenset[int]
    why: str
    decision: str | None = None
    core: frozenset[int] = frozenset()


def meets(exchange: Exchange, expected: Expectation) -> list[Failure]:
    """The answer has one of the expected statuses; a miss within the core of a decision differs from it only."""
    if exchange.error is not None or exchange.status in expected.statuses:
        return []
    message = f"expected {' or '.join(map(str, sorted(expected.statuses)))}, got {exchange.status}"
    message += f": {expected.why}" if expected.why else ""
    if expected.decision is None:
        return [Failure(expected.check, message)]
    if exchange.status in expected.core:
        return [Failure(expected.check, message, expected.decision)]
    allowed = "refused (4xx)" + (" or answered (200)" if OK in expected.core else "")
    documented = f"whatever {expected.decision} decides, the documentation wants it {allowed}"
    return [Failure(expected.check, f"{message}; {documented}")]


REFUSED = frozenset(range(400, 500))
# The decisions of openapi.yaml this judgement applies by name; `RequestShape.from_contract` checks the spec lists
# them. Whether each is only reported (a warning) or enforced is the spec's `x-decisions` to say.
APPLIED = CONTENT_TYPE, CHECK_ORDER, NON_ADMIN_KEY, UNKNOWN_PROPERTIES, USER_ID_OPTIONAL, OPAQUE_IDS = (
    "content-type",
    "check-order",
    "non-admin-key",
    "unknown-properties",
    "user-id-optional",
    "opaque-ids",
)


def expectation(
    exchange: Exchange,
    contract: Contract,
    shape: RequestShape,
    *,
    admin_key: str,
    regular_keys: Collection[str] = (),
    known_ids: Collection[str] = (),
) -> Expectation:
    """The status a request of the documented method must get, from what was actually sent: 401, 422, 200/400.

    `known_ids` are ids the target is known to have (a run's `--user-id`, `--workspace-id`): whatever form a server
    gives its ids, these are well-formed, so a request naming only such ids is looked up.
    """
    sent_type = header(exchange.headers, "content-type") or ""
    data = parse_request_json(exchange.body)
    errors = contract.request.errors(data) if data is not NOT_JSON else ["the body is not JSON"]
    lifted = contract.decisions.lifted_by(contract.request.schema, data) if errors and data is not NOT_JSON else None
    ids = {shape.user_field, shape.workspace_field}
    if lifted == OPAQUE_IDS and not any(isinstance(data.get(field), str) and data[field] for field in ids):
        # opaque-ids decides the form of an id, not whether an empty one names anything: a body whose only ids
        # are empty names neither, and the documentation wants 422 for it whatever a server's ids look like.
        lifted = None
    # Could a server that reads the documentation another way process this request? Then 200 is in the core.
    answerable = REFUSED | {OK} if not errors or lifted else REFUSED

    key = header(exchange.headers, contract.api_key_header)
    if key != admin_key:
        unauthenticated = Expectation("auth_first", frozenset({UNAUTHENTICATED}), "the request carries no admin key")
        invalid = bool(errors) or media_type(sent_type) != JSON_MEDIA_TYPE
        # 422 for an invalid body is the order of checks; any other refusal of a regular key is its status.
        if key in regular_keys and not (invalid and exchange.status == INVALID_INPUT):
            # A regular key is refused; answering 400 for a valid body would be a lookup, which is no refusal.
            core = REFUSED if invalid else REFUSED - {NOT_FOUND}
            return under_decision(contract, unauthenticated, NON_ADMIN_KEY, core)
        if invalid:
            return under_decision(contract, unauthenticated, CHECK_ORDER, REFUSED)
        return unauthenticated
    bad_input = Expectation("invalid_input_is_422", frozenset({INVALID_INPUT}), "")
    if media_type(sent_type) != JSON_MEDIA_TYPE:
        why = f"the body is sent as {sent_type or 'no content type'}, not {JSON_MEDIA_TYPE}"
        return under_decision(contract, replace(bad_input, why=why), CONTENT_TYPE, answerable)
    if errors:
        why = "the body is not JSON" if data is NOT_JSON else f"the body is invalid ({errors[0]})"
        return under_decision(contract, replace(bad_input, why=why), lifted, answerable)
    why = f"a valid request names a {shape.user_field} or {shape.workspace_field} that exists (200) or not (400)"
    valid = Expectation("valid_input_is_answered", frozenset({OK, NOT_FOUND}), why)
    # Another reading may refuse a valid request the spec answers; answering it other than 200/400 is no reading.
    if shape.user_field not in data:
        return under_decision(contract, valid, USER_ID_OPTIONAL, REFUSED)
    if set(data) - ids:
        return under_decision(contract, valid, UNKNOWN_PROPERTIES, REFUSED)
    if {data[field] for field in ids & set(data)} <= set(known_ids):
        return valid
    # A server that gives its ids a form may find one malformed: invalid input, the one refusal that reading has.
    return under_decision(contract, valid, OPAQUE_IDS, frozenset({INVALID_INPUT}))


def under_decision(contract: Contract, expected: Expectation, name: str | None, core: frozenset[int]) -> Expectation:
    """`expected` as the reading of decision `name`, with `core` documented, if the spec only reports `name`."""
    if name is None or contract.decisions[name].verdict != REPORTED:
        return expected
    return replace(expected, decision=name, core=core)


def input_handling(
    exchange: Exchange,
    contract: Contract,
    shape: RequestShape,
    *,
    admin_key: str,
    regular_keys: Collection[str] = (),
    known_ids: Collection[str] = (),
) -> list[Failure]:
    """The status any request must get, from what was actually sent, in the spec's order: 401, 422, 200/400."""
    if exchange.method != contract.method.upper():
        return refused(exchange)
    expected = expectation(
        exchange, contract, shape, admin_key=admin_key, regular_keys=regular_keys, known_ids=known_ids
    )
    return meets(exchange, expected)


def judge(
    exchange: Exchange,
    contract: Contract,
    shape: RequestShape,
    *,
    admin_key: str,
    regular_keys: Collection[str] = (),
    known_ids: Collection[str] = (),
) -> list[Failure]:
    """The whole judgement of one answer: the answer itself, and the status its request called for."""
    if exchange.method != contract.method.upper():
        return refused(exchange)
    expected = expectation(
        exchange, contract, shape, admin_key=admin_key, regular_keys=regular_keys, known_ids=known_ids
    )
    return response_conforms(exchange, contract, refusal=refusal(exchange, expected)) + meets(exchange, expected)


def refusal(exchange: Exchange, expected: Expectation) -> str | None:
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
    notes = []
    yearly = analysis.get("yearlyAnalysis", {})
    for index, month in enumerate(analysis.get("monthlyAnalysis", [])):
        for name, total in yearly.items():
            value = month.get(name)
            if isinstance(value, int) and isinstance(total, int) and value > total:
                notes.append(f"monthlyAnalysis[{index}].{name} is {value}, above the yearly total {total}")
    last = analysis.get("lastAccessed")
    now = time.time() if now is None else now
    if isinstance(last, int) and last > now + 86400 * 365 * 100:
        notes.append(f"lastAccessed {last} is centuries ahead: milliseconds rather than seconds?")
    elif isinstance(last, int) and last > now + 86400:
        notes.append(f"lastAccessed {last} is in the future")
    return notes
