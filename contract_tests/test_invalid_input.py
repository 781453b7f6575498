"""Invalid input gets 422 in the error envelope, never 200, 400 (that means "unknown user") or a 5xx.

Invalid means: malformed JSON, JSON that is not an object, neither id, an id that is not a string, an empty
id, or a body that is not sent as application/json. Where only a decision of openapi.yaml makes the input
invalid (its content type, a malformed id beside a valid one, a key given twice), the judgement of the request
says so: another
answer is then a warning, unless it is a 5xx, outside the envelope, or a 2xx for what must be refused.
"""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.api import Api

INVALID = (
    "malformed JSON",
    "an empty body",
    "a JSON array",
    "a JSON string",
    "JSON null",
    "a number",
    "an object without either id",
    "only a property the spec does not name",
    "a number as the user id",
    "null as the user id",
    "a list as the workspace id",
    "an empty user id",
    "an empty workspace id",
    "an empty user id beside a workspace id",
    "a number as the workspace id beside the known user",
    "the user id given twice, the known one last",
    "a valid body sent as text/plain",
    "an object without either id sent as text/plain",
)


def invalid_request(api: Api, name: str) -> dict[str, Any]:
    user, workspace, known = api.shape.user_field, api.shape.workspace_field, api.target.user_id
    requests: dict[str, dict[str, Any]] = {
        "malformed JSON": {"raw": f'{{"{user}": "{known}"'.encode()},
        "an empty body": {"raw": b""},
        "a JSON array": {"body": [{user: known}]},
        "a JSON string": {"body": known},
        "JSON null": {"raw": b"null"},
        "a number": {"raw": b"42"},
        "an object without either id": {"body": {}},
        "only a property the spec does not name": {"body": {"userId": known}},
        "a number as the user id": {"body": {user: 281743}},
        "null as the user id": {"body": {user: None}},
        "a list as the workspace id": {"body": {workspace: [api.target.workspace_id or "w"]}},
        "an empty user id": {"body": {user: ""}},
        "an empty workspace id": {"body": {workspace: ""}},
        "an empty user id beside a workspace id": {"body": {user: "", workspace: api.target.workspace_id or "w"}},
        "a number as the workspace id beside the known user": {"body": {user: known, workspace: 7}},
        "the user id given twice, the known one last": {
            "raw": f'{{"{user}": "{api.unknown_id()}", "{user}": "{known}"}}'.encode()
        },
        "a valid body sent as text/plain": {"body": {user: known}, "content_type": "text/plain"},
        "an object without either id sent as text/plain": {"body": {}, "content_type": "text/plain"},
    }
    return requests[name]


@pytest.mark.parametrize("name", INVALID)
def test_invalid_input_gets_422(api: Api, name: str) -> None:
    exchange = api.post(**invalid_request(api, name))
    api.expect(exchange, 422, check="invalid_input_is_422", promise=f"{name} gets 422")
