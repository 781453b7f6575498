"""Authentication comes first: without an admin key, every request gets 401, whatever its body.

A missing key, an unknown key and a valid key without admin rights are refused alike, for a user that exists,
a user that does not and a body that is not even valid, so no answer tells an outsider whether a user exists.
"""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.api import Api

CREDENTIALS = ("no key", "an unknown key", "the regular key")
BODIES = ("the known user", "an unknown user", "an empty user id", "malformed JSON")


def request_with(api: Api, body: str) -> dict[str, Any]:
    user = api.shape.user_field
    requests: dict[str, dict[str, Any]] = {
        "the known user": {"body": {user: api.target.user_id}},
        "an unknown user": {"body": {user: api.unknown_id()}},
        "an empty user id": {"body": {user: ""}},
        "malformed JSON": {"raw": f'{{"{user}": '.encode()},
    }
    return requests[body]


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("credential", CREDENTIALS)
def test_a_caller_without_an_admin_key_gets_401(api: Api, credential: str, body: str) -> None:
    keys = api.credentials()
    if credential not in keys:
        pytest.skip("no --regular-api-key (SIVI_REGULAR_API_KEY) given, so a non-admin key was not tried")
    exchange = api.post(**request_with(api, body), key=keys[credential])
    api.expect(exchange, 401, check="auth_first", promise=f"{credential} gets 401, even for {body}")
