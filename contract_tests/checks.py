"""The checks that need an understanding of this API, beyond what a schema alone says.

Each check takes an `Exchange` (and what it needs from the contract) and returns `Failure`s; an empty list
means the answer keeps the promise. The names (`envelope_status`, `auth_first`, ...) appear in reports.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from contract_tests.client import NOT_JSON, Exchange
from contract_tests.findings import Failure
from mock_server.contract import Contract, SpecError

JSON_MEDIA_TYPE = "application/json"
# Statuses with a meaning this suite relies on; `RequestShape.from_contract` checks the spec documents them.
OK, NOT_FOUND, UNAUTHENTICATED, INVALID_INPUT = 200, 400, 401, 422


@dataclass(frozen=True)
class RequestShape:
    """The two ids of the request body, in order of preference, as the spec's request schema names them."""

    user_field: str
    workspace_field: str

    @classmethod
    def from_contract(cls, contract: Contract) -> RequestShape:
        missing = {OK, NOT_FOUND, UNAUTHENTICATED, INVALID_INPUT} - set(contract.statuses)
        if missing:
            raise SpecError(contract.source, "responses", f"the suite needs the statuses {sorted(missing)} documented")
        if len(contract.id_fields) != 2:
            raise SpecError(contract.source, "requestBody", "the suite expects two ids: a user's and a workspace's")
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


def response_conforms(exchange: Exchange, contract: Contract) -> list[Failure]:
    """Every answer: a documented status, JSON, valid against that status's schema, envelope status = HTTP status."""
    if exchange.error is not None:
        return [Failure("no_answer", exchange.error)]
    status = exchange.status
    if status not in contract.statuses:
        documented = ", ".join(map(str, contract.statuses))
        return [Failure("documented_status", f"HTTP {status} is not a status the spec documents ({documented})")]
    failures = []
    if media_type(exchange.content_type) != JSON_MEDIA_TYPE:
        shown = exchange.content_type or "no content-type header"
        failures.append(Failure("json_content_type", f"{shown}; the spec documents {JSON_MEDIA_TYPE}"))
    data = exchange.json()
    if data is NOT_JSON:
        return [*failures, Failure("json_body", "the body is not JSON")]
    envelope_status = data.get("status") if isinstance(data, dict) else None
    errors = contract.responses[status].errors(data)
    if isinstance(data, dict) and "status" in data and envelope_status != status:
        failures.append(Failure("envelope_status", f"the envelope says status {envelope_status!r}, HTTP says {status}"))
        errors = [error for error in errors if not error.startswith("status:")]
    if errors:
        failures.append(Failure("response_schema", f"not a valid {status} answer:\n" + "\n".join(errors)))
    return failures


def status_is(exchange: Exchange, expected: Iterable[int], check: str, why: str = "") -> list[Failure]:
    expected = sorted(set(expected))
    if exchange.error is not None or exchange.status in expected:
        return []
    wanted = " or ".join(map(str, expected))
    return [Failure(check, f"expected {wanted}, got {exchange.status}" + (f": {why}" if why else ""))]


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


def input_handling(exchange: Exchange, contract: Contract, shape: RequestShape, *, admin_key: str) -> list[Failure]:
    """The status any request must get, from what was actually sent, in the spec's order: 401, 422, 200/400."""
    if exchange.method != contract.method.upper():
        return refused(exchange)
    if header(exchange.headers, contract.api_key_header) != admin_key:
        return status_is(exchange, {UNAUTHENTICATED}, "auth_first", "the request carries no admin key")
    sent_type = header(exchange.headers, "content-type") or ""
    if media_type(sent_type) != JSON_MEDIA_TYPE:
        why = f"the body is sent as {sent_type or 'no content type'}, not {JSON_MEDIA_TYPE}"
        return status_is(exchange, {INVALID_INPUT}, "invalid_input_is_422", why)
    data = parse_request_json(exchange.body)
    if data is NOT_JSON:
        return status_is(exchange, {INVALID_INPUT}, "invalid_input_is_422", "the body is not JSON")
    errors = contract.request.errors(data)
    if errors:
        return status_is(exchange, {INVALID_INPUT}, "invalid_input_is_422", f"the body is invalid ({errors[0]})")
    why = f"a valid request names a {shape.user_field} or {shape.workspace_field} that exists (200) or not (400)"
    return status_is(exchange, {OK, NOT_FOUND}, "valid_input_is_answered", why)


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
