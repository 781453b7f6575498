"""The mock's answers as bytes ready to send (`Reply`), and the ones that do not depend on the request (`Answers`,
serialized once per contract). Pure functions, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mock_server.spec.contract import Contract
from mock_server.spec.envelope import envelope, error_envelope
from mock_server.spec.fixtures import Account
from mock_server.types import Header

if TYPE_CHECKING:
    from starlette.types import Send

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
    headers: tuple[Header, ...] = JSON_HEADERS


def error_reply(status: int, message: str) -> Reply:
    return Reply(status, error_envelope(status, message))


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


TOO_LARGE = error_reply(413, "The request body is too large")
INTERNAL_ERROR = error_reply(500, "sivi-mock internal error (see the mock's log)")


async def send_reply(send: Send, reply: Reply) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": reply.status,
            "headers": [*reply.headers, (b"content-length", str(len(reply.body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": reply.body})
