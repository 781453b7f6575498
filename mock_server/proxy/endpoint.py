"""`--proxy URL`: the API operation relayed to the real API, every answer judged against the contract.

Only `POST <operation path>` without `Prefer` goes upstream; a request with `Prefer`, another method, the admin
API and the docs stay with the mock. With `--upstream-key-env`, callers authenticate with the mock's keys and
the upstream gets the real key; with `--fixtures-first`, ids the mock knows are answered by the mock.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.errors import AcceptedFileError, BodyTooLarge, ProxySetupError, UpstreamError
from mock_server.judgement import (
    AcceptedDeviations,
    Conformance,
    Exchange,
    RequestReading,
    Verdict,
    joined_headers,
    load_accepted,
)
from mock_server.mock.auth import KeyCheck
from mock_server.mock.replies import TOO_LARGE, Reply, send_reply
from mock_server.mock.request_body import read_body
from mock_server.mock.state import MockState
from mock_server.proxy.answer_marks import (
    CONTRACT_HEADER,
    FROM_MOCK,
    FROM_UPSTREAM,
    from_mock,
    proxy_error,
    violation_reply,
)
from mock_server.proxy.client import Upstream, UpstreamAnswer
from mock_server.proxy.recorder import Recorder
from mock_server.proxy.relayed import Relayed, first_line, masked
from mock_server.proxy.relayed_headers import forwarded, returned
from mock_server.proxy.upstream_key import echo_of, read_upstream_key, refused_key_message
from mock_server.proxy.verdicts import RememberingJudge
from mock_server.spec.fixtures import account_named
from mock_server.types import Headers, TextHeaders

Kind = UpstreamError.Kind
logger = logging.getLogger("sivi_mock")


def build_proxy(state: MockState, local: ASGIApp) -> ProxyEndpoint:
    """The proxy endpoint `state.settings` describes, in front of the mock's `local` endpoint."""
    settings = state.settings
    assert settings.proxy_url is not None
    upstream = Upstream(
        settings.proxy_url, state.contract.path, timeout=settings.proxy_timeout, insecure=settings.proxy_insecure
    )
    upstream_key = read_upstream_key(settings.upstream_key_env) if settings.upstream_key_env is not None else None
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
        self._key_name = state.contract.api_key_name
        self._key_header = self._key_name.decode("latin-1")  # the same name, in the client's text header lists

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers: Headers = scope["headers"]
        if scope["method"] != self._method or any(name == b"prefer" for name, _ in headers):
            await self.local(scope, receive, from_mock(send))
            return
        if self.upstream_key is not None:
            keys = [value for name, value in headers if name == self._key_name]
            if self.state.loaded.keys.check(keys) is not KeyCheck.ADMIN:
                await self.local(scope, receive, from_mock(send))  # the mock's 401, exactly as without the proxy
                return
        declared = next((int(v) for n, v in headers if n == b"content-length" and v.isdigit()), None)
        aborted = False

        async def watched() -> Message:
            nonlocal aborted
            message = await receive()
            aborted = message["type"] == "http.disconnect"
            return message

        try:
            body = await read_body(watched, self.state.settings.body_limit, declared)
        except BodyTooLarge:
            self.state.journal_request(scope, 413)
            await send_reply(send, Reply(413, TOO_LARGE.body, headers=(*TOO_LARGE.headers, FROM_MOCK)))
            return
        if aborted:
            # The request never arrived whole: the client went away, the request deadline cut it off, or the server
            # refused its body. Only a whole request is relayed (and there is no one to answer).
            logger.info("a request ended before its whole body arrived: not relayed")
            return
        # The body is read once, here or by the judgement, and the recorder takes that reading (`Exchange.request`).
        reading = None
        if self.state.settings.fixtures_first:
            reading = RequestReading.of(body)
            if self.state.reply_for(*self._ids(reading)) is not None:
                await self.local(scope, _replay(body, receive), from_mock(send))
                return
        await send_reply(send, await self._relay(scope, headers, body, reading))

    async def _relay(self, scope: Scope, headers: Headers, body: bytes, reading: RequestReading | None) -> Reply:
        outgoing = forwarded(headers, self._key_header, self.upstream_key)
        sent_key = next((value for name, value in outgoing if name == self._key_header), None)
        try:
            answer = await self.upstream.send(self._method, outgoing, body, scope["query_string"].decode("latin-1"))
            if self.upstream_key is not None and answer.status == 401:
                return self._key_refused(scope, body, answer)
            exchange = self._exchange(outgoing, body, answer, reading)
            verdict = self._verdict(exchange, sent_key)
        except UpstreamError as error:
            return self._failed(scope, body, error, Relayed(self.upstream.url, error=error.cause, fault=error.kind))

        refused = verdict.conformance is Conformance.VIOLATES and self.state.settings.proxy_errors
        source = "mock" if refused else "upstream"  # who gave the caller its answer
        relayed = Relayed(self.upstream.url, answer.status, answer.elapsed, verdict, sent_key=sent_key, source=source)
        echoed = None  # looked for where it matters: the real key (never handed back), a recording (a file)
        if sent_key is not None and (self.upstream_key is not None or self.recorder is not None):
            echoed = echo_of(sent_key, answer.headers, answer.body)
        if echoed is not None and self.upstream_key is not None:
            # Judged and journaled (masked) like any answer, but never handed to the caller: masking would leave
            # other spellings of the key (encoded, split) in place; refusing leaves none.
            cause = f"the answer carries the real key back (in {echoed}): refused, so that no caller sees it"
            echo = UpstreamError(Kind.ECHOED_KEY, cause)
            return self._failed(scope, body, echo, replace(relayed, error=cause, fault=echo.kind, source="mock"))

        for failure in verdict.violations:
            shown = first_line(failure.message, sent_key)
            logger.warning("upstream answer violates the contract: %s: %s", failure.check, shown)
        if refused:
            reply = violation_reply(verdict, sent_key)
        else:
            headers_back = (*returned(answer.headers), (CONTRACT_HEADER, verdict.conformance.encode()), FROM_UPSTREAM)
            reply = Reply(answer.status, answer.body, headers=headers_back)
        self.state.journal_request(scope, reply.status, body, relayed)
        # Only what conforms: fixtures are held to every reading of the spec, decided ones included. Never an
        # answer with the key that went upstream in it (a caller's own key, echoed: a recording is a file).
        if self.recorder is not None and answer.status == 200 and verdict.conformance is Conformance.CONFORMS:
            if echoed is None:
                self._record(exchange)
            else:
                logger.warning("not recorded: the answer carries the key that was sent (in %s)", echoed)
        return reply

    def _failed(self, scope: Scope, body: bytes, error: UpstreamError, relayed: Relayed) -> Reply:
        logger.warning("upstream failed: %s", error.cause)
        message = f"sivi-mock: no usable answer from upstream: {error.cause}"
        reply = proxy_error(error.status, "upstream", message, fault=error.kind)
        self.state.journal_request(scope, reply.status, body, relayed)
        return reply

    def _verdict(self, exchange: Exchange, sent_key: str | None) -> Verdict:
        """The judgement of the answer; an answer that breaks the judgement itself is no usable answer."""
        try:
            return self.judge.verdict(exchange)
        except Exception as error:  # the answer's fault, not the caller's: the message is masked, it may quote it
            cause = masked(f"its answer could not be judged ({type(error).__name__}: {error})", sent_key)
            raise UpstreamError(Kind.UNJUDGEABLE, cause[:500]) from None

    def _key_refused(self, scope: Scope, body: bytes, answer: UpstreamAnswer) -> Reply:
        """A 401 to a request the proxy authenticated: the real key is wrong, not the contract broken."""
        variable = self.state.settings.upstream_key_env
        assert variable is not None
        message = refused_key_message(variable, self.upstream.url)
        logger.warning("%s", message)
        relayed = Relayed(self.upstream.url, answer.status, answer.elapsed, error=message, fault="upstream-key")
        reply = proxy_error(502, "upstream-key", f"sivi-mock: {message}")
        self.state.journal_request(scope, reply.status, body, relayed)
        return reply

    def _exchange(
        self, outgoing: TextHeaders, body: bytes, answer: UpstreamAnswer, reading: RequestReading | None
    ) -> Exchange:
        """The one value the judgement and the recorder both read: the request as it went upstream and the answer,
        each body read once; a repeated header's values all kept (joined, as the contract suite's client joins
        them)."""
        return Exchange(
            method=self._method,
            url=self.upstream.url,
            headers=joined_headers(outgoing),
            body=body,
            key_header=self._key_header,
            status=answer.status,
            response_headers=joined_headers(answer.headers),
            content=answer.body,
            elapsed=answer.elapsed,
            request_reading=reading,
        )

    def _ids(self, reading: RequestReading) -> tuple[str | None, str | None]:
        """The (user id, workspace id) a request's body names; None for each it does not."""
        data = reading.data
        if not isinstance(data, dict):
            return None, None
        found = [data.get(field) for field in self.state.contract.id_fields[:2]]
        user, workspace = (value if isinstance(value, str) else None for value in found)
        return user, workspace

    def _record(self, exchange: Exchange) -> None:
        assert self.recorder is not None
        named = account_named(*self._ids(exchange.request()))
        if named is not None:
            self.recorder.record(*named, exchange.json()["body"])  # written by the recorder's thread


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
