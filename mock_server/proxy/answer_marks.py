"""What the proxy marks on every answer of the operation: who gave it (`Sivi-Source: mock` or `upstream`) and,
on an answer from upstream, the judgement's word on it (`Sivi-Contract`); the proxy's own errors, marked as the
mock's so that no one takes them for an upstream answer."""

from __future__ import annotations

from typing import Any

from starlette.types import Message, Send

from mock_server.judgement import Conformance, Verdict
from mock_server.mock.replies import Reply, mock_error
from mock_server.proxy.relayed import first_line

CONTRACT_HEADER = b"sivi-contract"
# Who gave an answer: the mock (its fixtures, Prefer, its refusals, the proxy's own errors) or the upstream (its
# answer, relayed).
SOURCE_HEADER = b"sivi-source"
FROM_MOCK, FROM_UPSTREAM = (SOURCE_HEADER, b"mock"), (SOURCE_HEADER, b"upstream")


def proxy_error(status: int, cause: str, message: str, **extra: Any) -> Reply:
    """The proxy's own failure, in the API's envelope, marked so that no one takes it for an upstream answer."""
    return mock_error(status, cause, message, headers=(FROM_MOCK,), **extra)


def violation_reply(verdict: Verdict, sent_key: str | None) -> Reply:
    """Under `--proxy-errors`, the 502 in place of an answer that violates the contract, naming its checks."""
    first = verdict.violations[0]
    checks = list(dict.fromkeys(failure.check for failure in verdict.violations))
    reason = first_line(first.message, sent_key)
    message = f"sivi-mock: the upstream's answer violates the contract: {first.check}: {reason}"
    reply = proxy_error(502, "contract", message, checks=checks)
    violates = Conformance.VIOLATES.encode()
    return Reply(reply.status, reply.body, headers=(*reply.headers, (CONTRACT_HEADER, violates)))


def from_mock(send: Send) -> Send:
    """`send`, with `Sivi-Source: mock` added to the answer's headers."""

    async def sourced(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), FROM_MOCK]}
        await send(message)

    return sourced
