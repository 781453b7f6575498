"""The API operation as a plain ASGI app: auth → body → validate → Prefer/scenario → lookup → journal.

Plain ASGI rather than Request/Response objects, because this is the hot path of every test run: headers are
scanned once, answers come pre-serialized from `state.Loaded`.
"""

from __future__ import annotations

import asyncio
import json
import logging

from starlette.types import Receive, Scope, Send

from mock_server.auth import KeyCheck
from mock_server.prefer import NONE, PreferError, parse_prefer
from mock_server.request_body import BodyTooLarge, InvalidInput, parse_request, read_body
from mock_server.respond import Reply, apply_directives, error_reply, mock_error_reply
from mock_server.state import MockState

logger = logging.getLogger("sivi_mock")
TOO_LARGE = error_reply(413, "The request body is too large")
INTERNAL_ERROR = error_reply(500, "sivi-mock internal error (see the mock's log)")


class AccountAnalysisEndpoint:
    def __init__(self, state: MockState) -> None:
        self.state = state
        self._key_header = state.contract.api_key_header.lower().encode("latin-1")
        self._allow = state.contract.method.upper()
        not_allowed = error_reply(405, f"Method not allowed: {state.contract.path} only accepts {self._allow}")
        allow = (b"allow", self._allow.encode())
        self._not_allowed = Reply(405, not_allowed.body, headers=(*not_allowed.headers, allow))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = scope["headers"]
        body = b""
        try:
            if scope["method"] != self._allow:
                reply = self._not_allowed
            else:
                reply, body = await self._answer(headers, receive)
            if self.state.settings.validate_responses:
                reply = self._checked(reply)
        except BodyTooLarge:
            reply = TOO_LARGE
        except Exception:  # a bug in the mock: the caller still gets the envelope, the log gets the traceback
            logger.exception("sivi-mock failed on %s %s", scope["method"], scope["path"])
            reply = INTERNAL_ERROR
        self.state.journal.record(scope["method"], scope["path"], scope["query_string"], headers, body, reply.status)
        if reply.delay_ms:
            await asyncio.sleep(reply.delay_ms / 1000)
        await send_reply(send, reply)

    async def _answer(self, headers: list[tuple[bytes, bytes]], receive: Receive) -> tuple[Reply, bytes]:
        loaded = self.state.loaded
        keys: list[bytes] = []
        content_types: list[bytes] = []
        prefer: list[str] = []
        declared = None
        for name, value in headers:  # ASGI servers hand header names over lowercased
            if name == self._key_header:
                keys.append(value)
            elif name == b"content-type":
                content_types.append(value)
            elif name == b"prefer":
                prefer.append(value.decode("latin-1"))
            elif name == b"content-length" and value.isdigit():
                declared = int(value)

        check = loaded.keys.check(keys)
        if check is not KeyCheck.ADMIN:
            answers = loaded.answers
            reply = {KeyCheck.MISSING: answers.missing_key, KeyCheck.UNKNOWN: answers.unknown_key}
            return reply.get(check, answers.not_admin), b""

        body = await read_body(receive, self.state.settings.body_limit, declared)
        try:
            data = parse_request(content_types, body, loaded.contract)
        except InvalidInput as error:
            return loaded.answers.invalid_input(str(error)), body

        user_field, workspace_field = loaded.contract.id_fields[:2]
        prepared = self.state.reply_for(data.get(user_field), data.get(workspace_field))
        if not prefer:
            return prepared or loaded.answers.not_found, body
        try:
            directives = parse_prefer(prefer, loaded.contract, self.state.settings.max_delay_ms)
            if directives is NONE:
                return prepared or loaded.answers.not_found, body
            return apply_directives(prepared, directives, loaded.answers, seed=body), body
        except PreferError as error:
            return mock_error_reply(error.directive, error.reason), body

    def _checked(self, reply: Reply) -> Reply:
        validator = self.state.contract.responses.get(reply.status)
        if validator is None:
            return reply
        problems = validator.errors(json.loads(reply.body))
        if not problems:
            return reply
        logger.error("the mock's own %s answer breaks the spec: %s", reply.status, "; ".join(problems))
        return error_reply(500, f"sivi-mock answer failed the spec (--validate-responses): {problems[0]}")


async def send_reply(send: Send, reply: Reply) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": reply.status,
            "headers": [*reply.headers, (b"content-length", str(len(reply.body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": reply.body})
