"""The API operation as a plain ASGI app: auth → body → validate → Prefer/scenario → lookup → journal.

Plain ASGI rather than Request/Response objects, because this is the hot path of every test run: headers are
scanned once, answers come pre-serialized from `state.Loaded`.
"""

from __future__ import annotations

import asyncio
import json
import logging

from starlette.types import Receive, Scope, Send

from mock_server.errors import BodyTooLarge, InvalidInput
from mock_server.mock.auth import KeyCheck
from mock_server.mock.prefer import preferred
from mock_server.mock.replies import INTERNAL_ERROR, TOO_LARGE, Reply, error_reply, send_reply
from mock_server.mock.request_body import parse_request, read_body
from mock_server.mock.state import MockState
from mock_server.types import Headers

logger = logging.getLogger("sivi_mock")


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

    async def _answer(self, headers: Headers, receive: Receive) -> tuple[Reply, bytes]:
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
        return preferred(prefer, prepared, loaded.answers, self.state.settings.max_delay_ms, seed=body), body

    def _checked(self, reply: Reply) -> Reply:
        validator = self.state.contract.responses.get(reply.status)
        if validator is None:
            return reply
        problems = validator.errors(json.loads(reply.body))
        if not problems:
            return reply
        logger.error("the mock's own %s answer breaks the spec: %s", reply.status, "; ".join(problems))
        return error_reply(500, f"sivi-mock answer failed the spec (--validate-responses): {problems[0]}")
