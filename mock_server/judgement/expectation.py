"""What status a request calls for, from what was actually sent: 401, 422, 200/400, and where that comes from.

`expectation` reads the request (its key, content type and body) against the contract and returns an
`Expectation`: the statuses the spec wants, and, where a decision of `openapi.yaml` is all they rest on, that
decision and the documented core any reading keeps. `mock_server.judgement.checks` judges an answer against it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from mock_server.errors import SpecError
from mock_server.judgement.exchange import NOT_JSON, Exchange, RequestReading
from mock_server.spec.contract import Contract
from mock_server.spec.decisions import REPORTED
from mock_server.strict_json import JSON_MEDIA_TYPE, media_type

# Statuses with a meaning the judgement relies on; `RequestShape.from_contract` checks the spec documents them.
OK, NOT_FOUND, UNAUTHENTICATED, INVALID_INPUT = 200, 400, 401, 422
# The places a failure names (`Failure.where`): the answer's status, and the request body as sent.
STATUS, REQUEST = ("/status",), "/request"


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


@dataclass(frozen=True)
class TargetFacts:
    """What the judgement knows of the server it judges.

    `admin_key`: the key the target must take as an Enterprise admin key; `None` when it is not known (the proxy
    relaying a caller's own key), and then a 401 is judged only as an answer. `regular_keys`: keys it must refuse.
    `known_ids`: ids the target is known to have (a run's `--user-id`, `--workspace-id`): whatever form a server
    gives its ids, these are well-formed, so a request naming only such ids is looked up.
    """

    admin_key: str | None
    regular_keys: frozenset[str] = field(default_factory=frozenset)
    known_ids: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls, admin_key: str | None, regular_keys: Iterable[str | None] = (), known_ids: Iterable[str | None] = ()
    ) -> TargetFacts:
        """The facts, leaving out the keys and ids that were not given (`None` or empty)."""
        return cls(admin_key, frozenset(k for k in regular_keys if k), frozenset(i for i in known_ids if i))

    def takes_as_admin(self, key: str | None) -> bool:
        """Whether the target must take `key` as an admin key: any key sent, when the admin key is not known."""
        return key == self.admin_key if self.admin_key is not None else bool(key)


def header(headers: dict[str, str], name: str) -> str | None:
    """A request header by name, whatever its letter case."""
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


def request_json(body: bytes | None) -> Any:
    """The request body as the API reads it (`mock_server.strict_json`), or `NOT_JSON`."""
    return RequestReading.of(body).data


@dataclass(frozen=True)
class Expectation:
    """The statuses a request calls for, and where that comes from.

    `decision` is `None` when the documentation says so; else the statuses are that decision's reading, and only
    `core` (what the documentation says whatever the reading: refused with a 4xx, or also answered) is a rule.
    `where`: the places in the request (`/request/...` JSON Pointers) that make it invalid input, if any.
    """

    check: str
    statuses: frozenset[int]
    why: str
    decision: str | None = None
    core: frozenset[int] = frozenset()
    where: tuple[str, ...] = ()


REFUSED = frozenset(range(400, 500))
# The decisions of openapi.yaml this judgement applies by name; `RequestShape.from_contract` checks the spec lists
# them. Whether each is only reported (a warning) or enforced is the spec's `x-decisions` to say.
APPLIED = CONTENT_TYPE, CHECK_ORDER, NON_ADMIN_KEY, UNKNOWN_PROPERTIES, USER_ID_OPTIONAL, OPAQUE_IDS, REPEATED_KEYS = (
    "content-type",
    "check-order",
    "non-admin-key",
    "unknown-properties",
    "user-id-optional",
    "opaque-ids",
    "repeated-keys",
)


def expectation(exchange: Exchange, contract: Contract, shape: RequestShape, target: TargetFacts) -> Expectation:
    """The status a request of the documented method must get, from what was actually sent: 401, 422, 200/400."""
    sent_type = header(exchange.headers, "content-type") or ""
    reading = exchange.request()
    data = reading.data
    located = contract.request.located_errors(data) if data is not NOT_JSON else [("", "the body is not JSON")]
    errors = [line for _, line in located]
    lifted = contract.decisions.lifted_by(contract.request.schema, data) if errors and data is not NOT_JSON else None
    last_wins = reading.last_wins
    if last_wins is not NOT_JSON:
        # JSON's grammar allows a key twice: a server whose parser keeps the last value may look the body up.
        located = [("", "the body names a key twice in one object")]
        errors = [line for _, line in located]
        lifted = REPEATED_KEYS if contract.request.is_valid(last_wins) else None
    ids = {shape.user_field, shape.workspace_field}
    if lifted == OPAQUE_IDS and not any(isinstance(data.get(field), str) and data[field] for field in ids):
        # opaque-ids decides the form of an id, not whether an empty one names anything: a body whose only ids
        # are empty names neither, and the documentation wants 422 for it whatever a server's ids look like.
        lifted = None
    # Could a server that reads the documentation another way process this request? Then 200 is in the core.
    answerable = REFUSED | {OK} if not errors or lifted else REFUSED

    key = header(exchange.headers, contract.api_key_header)
    if not target.takes_as_admin(key):
        unauthenticated = Expectation("auth_first", frozenset({UNAUTHENTICATED}), "the request carries no admin key")
        invalid = bool(errors) or media_type(sent_type) != JSON_MEDIA_TYPE
        # 422 for an invalid body is the order of checks; any other refusal of a regular key is its status.
        if key in target.regular_keys and not (invalid and exchange.status == INVALID_INPUT):
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
        why = errors[0] if data is NOT_JSON else f"the body is invalid ({errors[0]})"
        where = tuple(dict.fromkeys(REQUEST + pointer for pointer, _ in located))
        return under_decision(contract, replace(bad_input, why=why, where=where), lifted, answerable)
    why = f"a valid request names a {shape.user_field} or {shape.workspace_field} that exists (200) or not (400)"
    valid = Expectation("valid_input_is_answered", frozenset({OK, NOT_FOUND}), why)
    # Another reading may refuse a valid request the spec answers; answering it other than 200/400 is no reading.
    if shape.user_field not in data:
        return under_decision(contract, valid, USER_ID_OPTIONAL, REFUSED)
    if set(data) - ids:
        return under_decision(contract, valid, UNKNOWN_PROPERTIES, REFUSED)
    if {data[field] for field in ids & set(data)} <= target.known_ids:
        return valid
    # A server that gives its ids a form may find one malformed: invalid input, the one refusal that reading has.
    return under_decision(contract, valid, OPAQUE_IDS, frozenset({INVALID_INPUT}))


def under_decision(contract: Contract, expected: Expectation, name: str | None, core: frozenset[int]) -> Expectation:
    """`expected` as the reading of decision `name`, with `core` documented, if the spec only reports `name`."""
    if name is None or contract.decisions[name].verdict != REPORTED:
        return expected
    return replace(expected, decision=name, core=core)
