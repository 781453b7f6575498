"""The one judgement of an answer: does what a server answered to a request keep the contract?

Pure functions of (the request as sent, the response, the contract) that return `Failure`s; an empty list means
the answer keeps the promise. The contract suite judges every answer of a run with them, the mock's proxy every
answer it relays. Each `Failure` says where the expectation comes from: `decision` is `None` when the vendor's
documentation says it (a violation), else the name of the decision in `openapi.yaml` it rests on (a warning,
unless the run is strict). The check names (`envelope_status`, `auth_first`, ...) appear in reports.
"""

from __future__ import annotations

import json
import shlex
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mock_server.contract import Contract, SpecError
from mock_server.secret import mask_key

JSON_MEDIA_TYPE = "application/json"
# Statuses with a meaning the judgement relies on; `RequestShape.from_contract` checks the spec documents them.
OK, NOT_FOUND, UNAUTHENTICATED, INVALID_INPUT = 200, 400, 401, 422
NOT_JSON: Any = object()
# Headers an HTTP client adds on its own: left out of the curl command, which adds its own.
_TRANSPORT_HEADERS = {
    "user-agent",
    "accept-encoding",
    "accept",
    "connection",
    "content-length",
    "x-schemathesis-testcaseid",
}


@dataclass
class Exchange:
    """One request as sent and what came back: a response, or `error` saying why there is none."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    key_header: str
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""
    elapsed: float = 0.0
    error: str | None = None

    @property
    def content_type(self) -> str:
        return self.response_headers.get("content-type", "")

    def json(self) -> Any:
        """The response body parsed as JSON, or `NOT_JSON`."""
        try:
            return json.loads(self.content)
        except ValueError:
            return NOT_JSON

    def curl(self) -> str:
        """A runnable `curl` command for this request, with the API key masked."""
        parts = ["curl", "-i", "-X", self.method, shlex.quote(self.url)]
        for name, value in self.headers.items():
            if name.lower() in _TRANSPORT_HEADERS:
                continue
            shown = mask_key(value) if name.lower() == self.key_header.lower() else value
            parts += ["-H", shlex.quote(f"{name}: {shown}")]
        if self.body is None:
            return " ".join(parts)
        try:
            text: str | None = self.body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and "\x00" not in text:
            return " ".join([*parts, "--data-binary", shlex.quote(text)])
        # Bytes a shell cannot quote: printf writes them, curl reads them from stdin.
        escaped = "".join(f"\\x{byte:02x}" for byte in self.body)
        return f"printf '%b' '{escaped}' | " + " ".join([*parts, "--data-binary", "@-"])

    def describe_response(self, limit: int = 2000) -> str:
        if self.error is not None:
            return f"no response: {self.error}"
        text = self.content.decode("utf-8", errors="replace")
        if len(text) > limit:
            text = text[:limit] + f"... ({len(self.content)} bytes in all)"
        content_type = self.content_type or "(no content-type)"
        return f"HTTP {self.status}, {content_type}, after {self.elapsed:.2f} s\n{text}"


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
    wanted_statuses = sorted(set(expected))
    if exchange.error is not None or exchange.status in wanted_statuses:
        return []
    wanted = " or ".join(map(str, wanted_statuses))
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
