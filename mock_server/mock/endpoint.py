"""The API operation as a plain ASGI app: auth → body → validate → Prefer/scenario → lookup → the mutant in force,
if any (`sivi-mutate`) → journal and coverage, each answer named by its class.

Plain ASGI rather than Request/Response objects, because this is the hot path of every test run: headers are
scanned once, answers come pre-serialized from `state.Loaded`. A fault, or what `--chaos` chose, leaves the hot path
for `_give` once the answer is known; `--chaos` itself is a subclass chosen when the app is built
(`operation_endpoint`), so that without it no request pays for a draw.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging

from starlette.types import Receive, Scope, Send

from mock_server.errors import BodyTooLarge, InvalidInput
from mock_server.faults import TRANSPORT_FAULTS, Connection, connection_of
from mock_server.mock.chaos import Chaos
from mock_server.mock.coverage import TEST_HEADER
from mock_server.mock.prefer import preferred
from mock_server.mock.replies import (
    INTERNAL_ERROR,
    MOCK_INTERNAL_ERROR,
    TOO_LARGE,
    Reply,
    error_reply,
    send_reply,
)
from mock_server.mock.request_body import read_body
from mock_server.mock.state import Loaded, MockState, RequestIds
from mock_server.mock.transport_faults import give, unavailable_reply

logger = logging.getLogger("sivi_mock")


class AccountAnalysisEndpoint:
    def __init__(self, state: MockState) -> None:
        self.state = state
        self._key_header = state.contract.api_key_name
        self._allow = state.contract.method.upper()
        not_allowed = error_reply(
            405, f"Method not allowed: {state.contract.path} only accepts {self._allow}", "405 method not allowed"
        )
        allow = (b"allow", self._allow.encode())
        self._not_allowed = dataclasses.replace(not_allowed, headers=(*not_allowed.headers, allow))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = scope["headers"]
        keys: list[bytes] = []
        content_types: list[bytes] = []
        prefer: list[str] = []
        declared = named_test = None
        for name, value in headers:  # once for all: ASGI servers hand header names over lowercased
            if name == self._key_header:
                keys.append(value)
            elif name == b"content-type":
                content_types.append(value)
            elif name == b"prefer":
                prefer.append(value.decode("latin-1"))
            elif name == b"content-length" and value.isdigit():
                declared = int(value)
            elif name == TEST_HEADER:  # a request may name its test itself, whatever test the mock was told of
                named_test = value.decode("latin-1")
        body = b""
        try:
            if scope["method"] != self._allow:
                reply = self._not_allowed
            else:
                reply, body = await self._answer(keys, content_types, prefer, declared, receive)
            if self.state.settings.validate_responses and reply.fault is None:
                reply = self._checked(reply)
        except BodyTooLarge:
            reply = TOO_LARGE
        except Exception:  # a bug in the mock: the caller still gets the envelope, the log gets the traceback
            logger.exception("sivi-mock failed on %s %s", scope["method"], scope["path"])
            reply = INTERNAL_ERROR
        state = self.state
        test = named_test if named_test is not None else state.current_test
        if state.mutation is not None:
            mutated = state.mutation.apply(reply, test, state.loaded.replies)
            if mutated is not reply:
                state.mutations_given[test] += 1
                reply = mutated
        if reply.fault is not None or reply.chaos:
            await self._give(scope, send, body, reply, test)
            return
        state.answered(scope["method"], scope["path"], scope["query_string"], headers, body, reply, test)
        if reply.delay_ms:
            await asyncio.sleep(reply.delay_ms / 1000)
        await send_reply(send, reply)

    async def _give(self, scope: Scope, send: Send, body: bytes, reply: Reply, test: str | None) -> None:
        """A fault, or what chaos chose: counted, journaled by name, then given."""
        connection: Connection | None = None
        if reply.fault in TRANSPORT_FAULTS:
            connection = connection_of(scope)
            if connection is None:
                reply = unavailable_reply(reply.fault)
        if reply.fault is not None:
            self.state.faults_given[reply.fault] += 1
        self.state.answered(scope["method"], scope["path"], scope["query_string"], scope["headers"], body, reply, test)
        if reply.delay_ms:
            await asyncio.sleep(reply.delay_ms / 1000)
        if connection is None:
            await send_reply(send, reply)
        else:
            await give(connection, send, reply, self.state.settings.hang_limit)

    async def _answer(
        self, keys: list[bytes], content_types: list[bytes], prefer: list[str], declared: int | None, receive: Receive
    ) -> tuple[Reply, bytes]:
        loaded = self.state.loaded
        refusal = loaded.replies.for_key(loaded.keys.check(keys))
        if refusal is not None:
            return refusal, b""

        body = await read_body(receive, self.state.settings.body_limit, declared)
        try:
            ids = loaded.request_ids(content_types, body)
        except InvalidInput as error:
            return loaded.replies.invalid_input(str(error)), body

        return self._reply(loaded, ids, prefer, body), body

    def _reply(self, loaded: Loaded, ids: RequestIds, prefer: list[str], body: bytes) -> Reply:
        """The answer to a valid request from an admin: the lookup's, or the one `Prefer` asks for."""
        prepared = self.state.next_reply(*ids)
        # The one choice of an answer: the fast path's table is compiled from it too (`mock.compiled_answers`).
        return preferred(prefer, prepared, loaded.replies, self.state.settings.max_delay_ms, seed=body)

    def _checked(self, reply: Reply) -> Reply:
        validator = self.state.contract.responses.get(reply.status)
        if validator is None:
            return reply
        problems = validator.errors(json.loads(reply.body))
        if not problems:
            return reply
        logger.error("the mock's own %s answer breaks the spec: %s", reply.status, "; ".join(problems))
        message = f"sivi-mock answer failed the spec (--validate-responses): {problems[0]}"
        return error_reply(500, message, MOCK_INTERNAL_ERROR)


class ChaoticEndpoint(AccountAnalysisEndpoint):
    """The operation under `--chaos`: every answer to a valid request from an admin is drawn for (`mock.chaos`)."""

    def __init__(self, state: MockState, chaos: Chaos) -> None:
        super().__init__(state)
        self.chaos = chaos

    def _reply(self, loaded: Loaded, ids: RequestIds, prefer: list[str], body: bytes) -> Reply:
        return self.chaos.draw(super()._reply(loaded, ids, prefer, body), loaded.replies)


def operation_endpoint(state: MockState) -> AccountAnalysisEndpoint:
    """The operation's endpoint, chaotic only when `--chaos` asks for it."""
    return AccountAnalysisEndpoint(state) if state.chaos is None else ChaoticEndpoint(state, state.chaos)
