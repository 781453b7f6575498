"""Choosing the answer: which status and body a request gets. Pure functions, no I/O."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mock_server.contract import Contract
from mock_server.fixtures import Account
from mock_server.prefer import Directives, PreferError

JSON_HEADERS = ((b"content-type", b"application/json"),)
MOCK_ERROR_HEADER = b"sivi-mock-error"
# A directive the mock cannot honour is the caller's mistake about the mock, not an API answer: it gets a
# status the spec never documents, so no client or contract check can take it for a real API error.
MOCK_ERROR_STATUS = 412


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    delay_ms: int = 0
    headers: tuple[tuple[bytes, bytes], ...] = JSON_HEADERS


def envelope(status: int, body: Any) -> bytes:
    return json.dumps({"status": status, "body": body}, separators=(",", ":"), ensure_ascii=False).encode()


def error_reply(status: int, message: str) -> Reply:
    return Reply(status, envelope(status, {"message": message}))


def mock_error_reply(directive: str, reason: str) -> Reply:
    body = envelope(
        MOCK_ERROR_STATUS,
        {
            "message": f"sivi-mock cannot honour Prefer {directive}: {reason}",
            "mockError": "prefer",
            "directive": directive,
        },
    )
    return Reply(MOCK_ERROR_STATUS, body, headers=(*JSON_HEADERS, (MOCK_ERROR_HEADER, b"prefer")))


class Answers:
    """The answers that do not depend on the request, serialized once per contract."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.messages = {status: example_message(contract, status) for status in contract.statuses if status != 200}
        self.missing_key = error_reply(401, self.messages[401])
        self.unknown_key = error_reply(401, "Failed to authenticate request: the sivi-api-key is not a known key")
        self.not_admin = error_reply(
            401, "Failed to authenticate request: this endpoint needs an Enterprise admin API key"
        )
        self.not_found = error_reply(400, self.messages[400])

    def invalid_input(self, reason: str) -> Reply:
        return error_reply(422, f"{self.messages[422]}: {reason}")

    def for_account(self, account: Account) -> Reply:
        if account.status == 200:
            return Reply(200, envelope(200, account.analysis), account.delay_ms)
        message = account.message or self.messages[account.status]
        return Reply(account.status, envelope(account.status, {"message": message}), account.delay_ms)


def example_message(contract: Contract, status: int) -> str:
    """The message of the spec's first named example for an error status."""
    for example in contract.examples_for(status):
        body = example.value.get("body") if isinstance(example.value, dict) else None
        message = body.get("message") if isinstance(body, dict) else None
        if isinstance(message, str):
            return message
    return f"HTTP {status}"


def apply_directives(prepared: Reply | None, directives: Directives, answers: Answers, seed: bytes) -> Reply:
    """The answer once `Prefer` has spoken. `prepared` is the lookup's answer (None: unknown user)."""
    contract = answers.contract
    status = directives.code
    if directives.example is not None:
        example = contract.examples[directives.example]
        if status is not None and status != example.status:
            raise PreferError(f"example={example.name}", f"it is an example of {example.status}, not of {status}")
        reply = Reply(example.status, envelope(example.status, example.value.get("body")))
    elif directives.dynamic:
        if status is None:
            status = prepared.status if prepared is not None else 400
        from mock_server.dynamic import generate_body  # the generator is only imported when first asked for

        reply = Reply(status, envelope(status, generate_body(contract, status, seed)))
    elif status is None:
        reply = prepared or answers.not_found
    elif prepared is not None and prepared.status == status:
        reply = prepared
    elif status == 200:
        first = contract.examples_for(200)[0]
        reply = Reply(200, envelope(200, first.value.get("body")))
    else:
        reply = error_reply(status, answers.messages[status])

    delay = directives.delay_ms if directives.delay_ms is not None else (prepared.delay_ms if prepared else 0)
    if delay != reply.delay_ms:
        reply = Reply(reply.status, reply.body, delay, reply.headers)
    return reply
