"""`--proxy URL`: the API operation relayed to the real API, every answer judged against the contract.

Only `POST <operation path>` without `Prefer` goes upstream; a request with `Prefer`, another method, the admin
API and the docs stay with the mock. With `--upstream-key-env`, callers authenticate with the mock's keys and
the upstream gets the real key; with `--fixtures-first`, ids the mock knows are answered by the mock.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.errors import AcceptedFileError, BodyTooLarge, ProxySetupError, UpstreamError
from mock_server.judgement import AcceptedDeviations, Conformance, Exchange, Verdict, load_accepted
from mock_server.mock.auth import KeyCheck
from mock_server.mock.replies import JSON_HEADERS, MOCK_ERROR_HEADER, TOO_LARGE, Reply, send_reply
from mock_server.mock.request_body import read_body
from mock_server.mock.state import MockState
from mock_server.proxy.client import Upstream, UpstreamAnswer
from mock_server.proxy.recorder import Recorder
from mock_server.proxy.relayed_headers import forwarded, returned
from mock_server.proxy.verdicts import RememberingJudge
from mock_server.secret import mask_key
from mock_server.spec.envelope import envelope
from mock_server.spec.fixtures import account_named
from mock_server.strict_json import NotJson, read_answer_json, read_request_json
from mock_server.types import Headers, TextHeaders

logger = logging.getLogger("sivi_mock")
CONTRACT_HEADER = b"sivi-contract"


def build_proxy(state: MockState, local: ASGIApp) -> ProxyEndpoint:
    """The proxy endpoint `state.settings` describes, in front of the mock's `local` endpoint."""
    settings = state.settings
    assert settings.proxy_url is not None
    try:
        upstream = Upstream(
            settings.proxy_url, state.contract.path, timeout=settings.proxy_timeout, insecure=settings.proxy_insecure
        )
    except ValueError as error:
        raise ProxySetupError(f"--proxy: {error}") from None
    upstream_key = None
    if settings.upstream_key_env is not None:
        upstream_key = os.environ.get(settings.upstream_key_env, "").strip()
        if not upstream_key or not upstream_key.isprintable():
            raise ProxySetupError(
                f"--upstream-key-env {settings.upstream_key_env}: that environment variable is empty or not one line"
            )
    recorder = Recorder(settings.record_dir, state.fixtures.keys) if settings.record_dir is not None else None
    accepted = None
    if settings.accept_file is not None:
        try:
            accepted = load_accepted(settings.accept_file)
        except AcceptedFileError as error:
            raise ProxySetupError(f"--accept: {error}") from None
        for entry in accepted.expired():
            logger.warning("--accept: %s has expired: it accepts nothing", accepted.describe(entry))
    return ProxyEndpoint(state, local, upstream, upstream_key=upstream_key, recorder=recorder, accepted=accepted)


@dataclass(frozen=True)
class Relayed:
    """What the journal keeps of one upstream exchange; turned into JSON only when the journal is read."""

    url: str
    status: int | None = None
    elapsed: float = 0.0
    verdict: Verdict | None = None
    error: str | None = None
    sent_key: str | None = None  # masked out of findings, should the upstream have echoed it

    @property
    def contract(self) -> Conformance | None:
        return self.verdict.conformance if self.verdict else None

    def as_json(self) -> dict[str, Any]:
        if self.verdict is None:
            return {"url": self.url, "error": self.error}
        findings = [
            {**found, "message": masked(str(found["message"]), self.sent_key)} for found in self.verdict.as_json()
        ]
        ms = round(self.elapsed * 1000, 1)
        return {"url": self.url, "status": self.status, "ms": ms, "contract": self.contract, "findings": findings}


class ProxyEndpoint:
    """The operation's ASGI app in proxy mode: decides local or upstream, relays, judges, journals, records."""

    def __init__(
        self,
        state: MockState,
        local: ASGIApp,
        upstream: Upstream,
        *,
        upstream_key: str | None,
        recorder: Recorder | None,
        accepted: AcceptedDeviations | None = None,
    ) -> None:
        self.state, self.local, self.upstream = state, local, upstream
        self.upstream_key = upstream_key
        self.recorder = recorder
        self.judge = RememberingJudge(state.contract, upstream_key=upstream_key, accepted=accepted)
        self._method = state.contract.method.upper()
        self._key_header = state.contract.api_key_header.lower()
        self._key_name = self._key_header.encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers: Headers = scope["headers"]
        if scope["method"] != self._method or any(name == b"prefer" for name, _ in headers):
            await self.local(scope, receive, send)
            return
        if self.upstream_key is not None:
            keys = [value for name, value in headers if name == self._key_name]
            if self.state.loaded.keys.check(keys) is not KeyCheck.ADMIN:
                await self.local(scope, receive, send)  # the mock's 401, exactly as without the proxy
                return
        declared = next((int(v) for n, v in headers if n == b"content-length" and v.isdigit()), None)
        try:
            body = await read_body(receive, self.state.settings.body_limit, declared)
        except BodyTooLarge:
            self.state.journal.record(scope["method"], scope["path"], scope["query_string"], headers, b"", 413)
            await send_reply(send, TOO_LARGE)
            return
        if self.state.settings.fixtures_first and self.state.reply_for(*self._ids(body)) is not None:
            await self.local(scope, _replay(body, receive), send)
            return
        await send_reply(send, await self._relay(scope, headers, body))

    async def _relay(self, scope: Scope, headers: Headers, body: bytes) -> Reply:
        outgoing = forwarded(headers, self._key_header, self.upstream_key)
        sent_key = next((value for name, value in outgoing if name == self._key_header), None)
        try:
            answer = await self.upstream.send(self._method, outgoing, body, scope["query_string"].decode("latin-1"))
        except UpstreamError as error:
            logger.warning("upstream failed: %s", error.cause)
            reply = proxy_error(error.status, "upstream", f"sivi-mock: no usable answer from upstream: {error.cause}")
            self._journal(scope, body, reply.status, Relayed(self.upstream.url, error=error.cause))
            return reply

        verdict = self.judge.verdict(self._exchange(outgoing, body, answer))
        for failure in verdict.violations:
            shown = first_line(failure.message, sent_key)
            logger.warning("upstream answer violates the contract: %s: %s", failure.check, shown)
        if verdict.conformance is Conformance.VIOLATES and self.state.settings.proxy_errors:
            reply = self._violation_reply(verdict, sent_key)
        else:
            headers_back = (*returned(answer.headers), (CONTRACT_HEADER, verdict.conformance.encode()))
            reply = Reply(answer.status, answer.body, headers=headers_back)
        relayed = Relayed(self.upstream.url, answer.status, answer.elapsed, verdict, sent_key=sent_key)
        self._journal(scope, body, reply.status, relayed)
        # Only what conforms: fixtures are held to every reading of the spec, decided ones included.
        if self.recorder is not None and answer.status == 200 and verdict.conformance is Conformance.CONFORMS:
            self._record(body, answer)
        return reply

    def _exchange(self, outgoing: TextHeaders, body: bytes, answer: UpstreamAnswer) -> Exchange:
        return Exchange(
            method=self._method,
            url=self.upstream.url,
            headers=dict(outgoing),
            body=body,
            key_header=self._key_header,
            status=answer.status,
            response_headers=dict(answer.headers),
            content=answer.body,
            elapsed=answer.elapsed,
        )

    def _violation_reply(self, verdict: Verdict, sent_key: str | None) -> Reply:
        first = verdict.violations[0]
        checks = list(dict.fromkeys(failure.check for failure in verdict.violations))
        reason = first_line(first.message, sent_key)
        message = f"sivi-mock: the upstream's answer violates the contract: {first.check}: {reason}"
        reply = proxy_error(502, "contract", message, checks=checks)
        violates = Conformance.VIOLATES.encode()
        return Reply(reply.status, reply.body, headers=(*reply.headers, (CONTRACT_HEADER, violates)))

    def _journal(self, scope: Scope, body: bytes, status: int, relayed: Relayed) -> None:
        journal = self.state.journal
        journal.record(
            scope["method"], scope["path"], scope["query_string"], scope["headers"], body, status, upstream=relayed
        )

    def _ids(self, body: bytes) -> tuple[str | None, str | None]:
        """The (user id, workspace id) a request's body names; None for each it does not."""
        try:
            data = read_request_json(body)
        except NotJson:
            return None, None
        if not isinstance(data, dict):
            return None, None
        found = [data.get(field) for field in self.state.contract.id_fields[:2]]
        user, workspace = (value if isinstance(value, str) else None for value in found)
        return user, workspace

    def _record(self, body: bytes, answer: UpstreamAnswer) -> None:
        assert self.recorder is not None
        named = account_named(*self._ids(body))
        if named is None:
            return
        try:
            self.recorder.record(*named, read_answer_json(answer.body)["body"])
        except OSError as error:
            logger.error("cannot write the recording %s: %s", self.recorder.path, error)


def proxy_error(status: int, cause: str, message: str, **extra: Any) -> Reply:
    """The proxy's own failure, in the API's envelope, marked so that no one takes it for an upstream answer."""
    body = envelope(status, {"message": message, "mockError": cause, **extra})
    return Reply(status, body, headers=(*JSON_HEADERS, (MOCK_ERROR_HEADER, cause.encode())))


def masked(text: str, key: str | None) -> str:
    """`text` with the key that went upstream masked, should an answer have echoed it into a finding."""
    return text.replace(key, mask_key(key)) if key else text


def first_line(message: str, key: str | None) -> str:
    """A finding's message for one log line: its first two lines joined (the check's reason and first error)."""
    return masked(" ".join(message.split("\n")[:2]), key)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already-read body over again, for the local endpoint."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # after the body, only the client's disconnect is left to hear
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
