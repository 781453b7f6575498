"""The mock's answers as bytes ready to send (`Reply`), and the ones that do not depend on the request (`Replies`,
serialized once per contract). Pure functions, no I/O."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from mock_server.faults import FAULT_RULES
from mock_server.mock.auth import KeyCheck
from mock_server.spec.answer_classes import documented_answers, example_class, fault_class
from mock_server.spec.contract import Contract
from mock_server.spec.envelope import envelope, error_envelope
from mock_server.spec.fixtures import Account, AccountAnswer
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
    status: int  # 0 for a fault that sends no status line (`Fault.silent`)
    body: bytes
    delay_ms: int = 0
    headers: tuple[Header, ...] = JSON_HEADERS
    fault: str | None = None  # given instead of this answer (`truncated`: cutting it)
    chaos: bool = False  # chosen by `--chaos`, not by the request or the account
    answer_class: str = ""  # what answer this is, in `spec.answer_classes`' words: `401 regular key`, `fault reset`
    mutant: str | None = None  # the mutant that changed it (`sivi-mutate`), if any
    # The headers an ASGI answer starts with (`send_reply`), made once per reply rather than once per request.
    sent_headers: tuple[Header, ...] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        length = (b"content-length", str(len(self.body)).encode())
        object.__setattr__(self, "sent_headers", (*self.headers, length))


# The answers the mock chooses that are no example of the spec, by their class (`spec.answer_classes`).
UNKNOWN_KEY = "401 unknown key"
REGULAR_KEY = "401 regular key"
ACCOUNT_DATA = "200 account data"  # an account's own analysis, not one of the spec's examples
GENERATED = "generated"  # `Prefer: dynamic=true`, after the status
MOCK_ERROR = f"{MOCK_ERROR_STATUS} mock error"
MOCK_INTERNAL_ERROR = "500 mock internal error"


def error_reply(status: int, message: str, answer_class: str | None = None) -> Reply:
    return Reply(status, error_envelope(status, message), answer_class=answer_class or str(status))


def mock_error(
    status: int,
    cause: str,
    message: str,
    *,
    headers: tuple[Header, ...] = (),
    answer_class: str = "",
    **fields: Any,
) -> Reply:
    """The mock's own error, never an answer of the API: the envelope with `mockError: cause` (and `fields`), marked
    `Sivi-Mock-Error: cause` so that no client or check takes it for the API's; `headers` after those."""
    body = envelope(status, {"message": message, "mockError": cause, **fields})
    marked = (*JSON_HEADERS, (MOCK_ERROR_HEADER, cause.encode()), *headers)
    return Reply(status, body, headers=marked, answer_class=answer_class)


def mock_error_reply(directive: str, reason: str) -> Reply:
    message = f"sivi-mock cannot honour Prefer {directive}: {reason}"
    return mock_error(MOCK_ERROR_STATUS, "prefer", message, answer_class=MOCK_ERROR, directive=directive)


# A gateway's own page, as nginx words it: HTML, not the API's envelope.
GATEWAY_PAGE = (
    "<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {phrase}</h1></center>\r\n"
    "<hr><center>gateway (sivi-mock fault {name})</center>\r\n</body>\r\n</html>\r\n"
)
# How long a gateway's 503 asks the client to wait: short, so that a client honouring it keeps a test fast.
RETRY_AFTER_SECONDS = 1


def fault_reply(fault: str, answer: Reply) -> Reply:
    """The fault `fault` given instead of `answer` (the answer it cuts, for `truncated`), after `answer`'s delay."""
    rules = FAULT_RULES[fault]
    if rules.status is not None:
        status = rules.status
        page = GATEWAY_PAGE.format(status=status, phrase=HTTPStatus(status).phrase, name=fault).encode()
        headers: tuple[Header, ...] = ((b"content-type", b"text/html"),)
        if rules.retry_after:
            headers += ((b"retry-after", str(RETRY_AFTER_SECONDS).encode()),)
        return Reply(status, page, answer.delay_ms, headers, fault=fault, answer_class=fault_class(fault))
    if rules.silent:
        return Reply(0, b"", answer.delay_ms, (), fault=fault, answer_class=fault_class(fault))
    return dataclasses.replace(answer, fault=fault, answer_class=fault_class(fault))


class Replies:
    """The answers that do not depend on the request, serialized once per contract."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.messages = {status: example_message(contract, status) for status in contract.statuses if status != 200}
        # Each documented status's answer is named by its first example (`400 user not found`).
        self.classes = {status: names[0] for status, names in documented_answers(contract).items()}
        self.missing_key = self.error(401, self.messages[401])
        self.unknown_key = error_reply(
            401, "Failed to authenticate request: the sivi-api-key is not a known key", UNKNOWN_KEY
        )
        self.not_admin = error_reply(
            401, "Failed to authenticate request: this endpoint needs an Enterprise admin API key", REGULAR_KEY
        )
        # By the key's check, once: the answer to every request whose key is not an admin's.
        self._for_key: dict[KeyCheck, Reply | None] = {
            check: None if check is KeyCheck.ADMIN else self.not_admin for check in KeyCheck
        }
        self._for_key.update({KeyCheck.MISSING: self.missing_key, KeyCheck.UNKNOWN: self.unknown_key})
        self.not_found = self.error(400, self.messages[400])
        self.server_error = self.error(500, self.messages[500]) if 500 in self.messages else None
        # What an account answering 200 without an analysis answers (the fixtures refuse one when there is none).
        documented = contract.examples_for(200)
        self.example_analysis: Any = documented[0].value.get("body") if documented else None
        self._analysis_classes = [(e.value.get("body"), example_class(e)) for e in documented]

    def error(self, status: int, message: str) -> Reply:
        """The documented error `status`, named as its first example."""
        return error_reply(status, message, self.classes.get(status))

    def documented(self, status: int) -> Reply:
        """The documented answer of `status` as the spec's first example gives it (the 200's data, the error's text)."""
        if status == 200:
            return self.success(self.example_analysis)
        return self.error(status, self.messages[status])

    def success(self, analysis: Any, delay_ms: int = 0) -> Reply:
        """A 200 with `analysis`, named as the spec's example it equals, else `200 account data`."""
        named = next((name for body, name in self._analysis_classes if body == analysis), ACCOUNT_DATA)
        return Reply(200, envelope(200, analysis), delay_ms, answer_class=named)

    def for_key(self, check: KeyCheck) -> Reply | None:
        """The answer to a request whose key is not an admin's (its body is never read); None for an admin's."""
        return self._for_key[check]

    def invalid_input(self, reason: str) -> Reply:
        return self.error(422, f"{self.messages[422]}: {reason}")

    def for_account(self, account: Account) -> Reply | tuple[Reply, ...]:
        """The prepared answer of an account: one `Reply`, or a sequence's, in turn."""
        if account.is_sequence:
            return tuple(self.for_answer(answer) for answer in account.answers)
        return self.for_answer(account.answers[0])

    def for_answer(self, answer: AccountAnswer) -> Reply:
        if answer.status == 200:
            analysis = answer.analysis if answer.analysis is not None else self.example_analysis
            reply = self.success(analysis, answer.delay_ms)
        else:
            message = answer.message or self.messages[answer.status]
            reply = dataclasses.replace(self.error(answer.status, message), delay_ms=answer.delay_ms)
        return reply if answer.fault is None else fault_reply(answer.fault, reply)


def example_message(contract: Contract, status: int) -> str:
    """The message of the spec's first named example for an error status."""
    for example in contract.examples_for(status):
        body = example.value.get("body") if isinstance(example.value, dict) else None
        message = body.get("message") if isinstance(body, dict) else None
        if isinstance(message, str):
            return message
    return f"HTTP {status}"


TOO_LARGE = error_reply(413, "The request body is too large", "413 too large")
INTERNAL_ERROR = error_reply(500, "sivi-mock internal error (see the mock's log)", MOCK_INTERNAL_ERROR)


def wire_bytes(reply: Reply) -> bytes:
    """A plain reply's headers and body as an HTTP/1.1 server writes what `send_reply` sends, after the server's
    own headers (`date`, `server`): names lowercased, `content-length` last, then the body."""
    head = b"".join(name.lower() + b": " + value + b"\r\n" for name, value in reply.headers)
    return head + b"content-length: " + str(len(reply.body)).encode() + b"\r\n\r\n" + reply.body


async def send_reply(send: Send, reply: Reply) -> None:
    await send({"type": "http.response.start", "status": reply.status, "headers": reply.sent_headers})
    await send({"type": "http.response.body", "body": reply.body})
