"""`--proxy URL`: the API operation relayed to the real API, every answer judged against the contract.

Only `POST <operation path>` without `Prefer` goes upstream; a request with `Prefer`, another method, the admin
API and the docs stay with the mock. With `--upstream-key-env`, callers authenticate with the mock's keys and
the upstream gets the real key; with `--fixtures-first`, ids the mock knows are answered by the mock.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from mock_server.auth import KeyCheck
from mock_server.conformance import Exchange
from mock_server.endpoint import TOO_LARGE, AccountAnalysisEndpoint, send_reply
from mock_server.recorder import Recorder
from mock_server.request_body import BodyTooLarge, read_body
from mock_server.respond import JSON_HEADERS, MOCK_ERROR_HEADER, Reply, envelope
from mock_server.secret import mask_key
from mock_server.state import MockState
from mock_server.upstream import Upstream, UpstreamAnswer, UpstreamError
from mock_server.verdict import CONFORMS, VIOLATES, Judge, Verdict

logger = logging.getLogger("sivi_mock")
CONTRACT_HEADER = b"sivi-contract"
# RFC 9110 7.6.1: meaningful for one connection only, never relayed (plus whatever `Connection` names).
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
# Set again by the proxy's own client for the upstream: its host, the body's length, the encodings it decodes.
# Cookies, Origin and Referer belong to the page and the proxy's origin, not to the upstream.
NOT_FORWARDED = HOP_BY_HOP | {"host", "content-length", "accept-encoding", "cookie", "origin", "referer", "prefer"}
# CORS is the mock's own layer; the mock's server sets its own Date and Server; cookies belong to the upstream's site.
NOT_RETURNED = HOP_BY_HOP | {"content-length", "set-cookie", "date", "server"}


class ProxySetupError(Exception):
    """The proxy cannot start as configured; the message says what to change."""


def build_proxy(state: MockState, local: AccountAnalysisEndpoint) -> ProxyEndpoint:
    """The proxy endpoint `state.settings` describes; `ProxySetupError` when it cannot work."""
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
    return ProxyEndpoint(state, local, upstream, upstream_key=upstream_key, recorder=recorder)


class ProxyEndpoint:
    """The operation's ASGI app in proxy mode: decides local or upstream, relays, judges, journals, records."""

    def __init__(
        self,
        state: MockState,
        local: AccountAnalysisEndpoint,
        upstream: Upstream,
        *,
        upstream_key: str | None,
        recorder: Recorder | None = None,
    ) -> None:
        self.state, self.local, self.upstream = state, local, upstream
        self.upstream_key = upstream_key
        self.recorder = recorder
        self.judge = Judge(state.contract, admin_key_known=upstream_key is not None)
        self._method = state.contract.method.upper()
        self._key_header = state.contract.api_key_header.lower()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        if scope["method"] != self._method or any(name == b"prefer" for name, _ in headers):
            await self.local(scope, receive, send)
            return
        key_values = [value for name, value in headers if name == self._key_header.encode()]
        if self.upstream_key is not None and self.state.loaded.keys.check(key_values) is not KeyCheck.ADMIN:
            await self.local(scope, receive, send)  # the mock's 401, exactly as without the proxy
            return
        declared = next((int(v) for n, v in headers if n == b"content-length" and v.isdigit()), None)
        try:
            body = await read_body(receive, self.state.settings.body_limit, declared)
        except BodyTooLarge:
            self.state.journal.record(scope["method"], scope["path"], scope["query_string"], headers, b"", 413)
            await send_reply(send, TOO_LARGE)
            return
        named = self._account(body)
        if self.state.settings.fixtures_first and named and self.state.reply_for(*named) is not None:
            await self.local(scope, _replay(body, receive), send)
            return
        await self._forward(scope, headers, body, named, send)

    async def _forward(
        self,
        scope: dict[str, Any],
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        named: tuple[str | None, str | None] | None,
        send: Any,
    ) -> None:
        outgoing = self._outgoing(headers)
        sent_key = next((value for name, value in outgoing if name == self._key_header), None)
        query = scope["query_string"].decode("latin-1")
        try:
            answer = await self.upstream.send(self._method, outgoing, body, query)
        except UpstreamError as error:
            logger.warning("upstream failed: %s", error.cause)
            reply = proxy_error(error.status, "upstream", f"sivi-mock: no usable answer from upstream: {error.cause}")
            upstream = {"url": self.upstream.url, "error": error.cause}
            self._journal(scope, headers, body, reply.status, upstream)
            await send_reply(send, reply)
            return

        exchange = Exchange(
            method=self._method,
            url=self.upstream.url,
            headers=dict(outgoing),
            body=body,
            key_header=self._key_header,
            status=answer.status,
            response_headers={name.lower(): value for name, value in answer.headers},
            content=answer.body,
            elapsed=answer.elapsed,
        )
        verdict = self.judge.judge(exchange, sent_key)
        for failure in verdict.violations:
            shown = first_line(failure.message, sent_key)
            logger.warning("upstream answer violates the contract: %s: %s", failure.check, shown)
        if verdict.word == VIOLATES and self.state.settings.proxy_errors:
            reply = self._violation_reply(verdict, sent_key)
        else:
            reply = Reply(answer.status, answer.body, headers=self._returned(answer, verdict))
        self._journal(scope, headers, body, reply.status, self._upstream_entry(answer, verdict, sent_key))
        # Only what conforms: fixtures are held to every reading of the spec, decided ones included.
        if self.recorder is not None and named and answer.status == 200 and verdict.word == CONFORMS:
            self._record(named, answer)
        await send_reply(send, reply)

    def _outgoing(self, headers: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
        """The caller's headers as the upstream gets them: hop-by-hop and the page's own headers left out, the
        real key in place of the mock's when one is configured."""
        named_by_connection = {
            token.strip().lower()
            for name, value in headers
            if name == b"connection"
            for token in value.decode("latin-1").split(",")
        }
        outgoing = []
        for raw_name, raw_value in headers:
            name = raw_name.decode("latin-1")
            if name in NOT_FORWARDED or name in named_by_connection:
                continue
            if name == self._key_header and self.upstream_key is not None:
                continue
            outgoing.append((name, raw_value.decode("latin-1")))
        if self.upstream_key is not None:
            outgoing.append((self._key_header, self.upstream_key))
        return outgoing

    def _returned(self, answer: UpstreamAnswer, verdict: Verdict) -> tuple[tuple[bytes, bytes], ...]:
        named_by_connection = {
            token.strip().lower()
            for name, value in answer.headers
            if name.lower() == "connection"
            for token in value.split(",")
        }
        kept = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in answer.headers
            if name.lower() not in NOT_RETURNED
            and name.lower() not in named_by_connection
            and not name.lower().startswith("access-control-")
        ]
        return (*kept, (CONTRACT_HEADER, verdict.word.encode()))

    def _violation_reply(self, verdict: Verdict, sent_key: str | None) -> Reply:
        first = verdict.violations[0]
        checks = list(dict.fromkeys(failure.check for failure in verdict.violations))
        reason = first_line(first.message, sent_key)
        message = f"sivi-mock: the upstream's answer violates the contract: {first.check}: {reason}"
        reply = proxy_error(502, "contract", message, checks=checks)
        return Reply(reply.status, reply.body, headers=(*reply.headers, (CONTRACT_HEADER, VIOLATES.encode())))

    def _upstream_entry(self, answer: UpstreamAnswer, verdict: Verdict, sent_key: str | None) -> dict[str, Any]:
        findings = [{**finding, "message": masked(str(finding["message"]), sent_key)} for finding in verdict.as_json()]
        return {
            "url": self.upstream.url,
            "status": answer.status,
            "ms": round(answer.elapsed * 1000, 1),
            "contract": verdict.word,
            "findings": findings,
        }

    def _journal(
        self, scope: dict[str, Any], headers: list[tuple[bytes, bytes]], body: bytes, status: int, upstream: Any
    ) -> None:
        self.state.journal.record(
            scope["method"], scope["path"], scope["query_string"], headers, body, status, upstream=upstream
        )

    def _account(self, body: bytes) -> tuple[str | None, str | None] | None:
        """The (user id, workspace id) a request names, if its body is a JSON object naming one."""
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return None
        if not isinstance(data, dict):
            return None
        user_field, workspace_field = self.state.contract.id_fields[:2]
        user, workspace = data.get(user_field), data.get(workspace_field)
        user = user if isinstance(user, str) else None
        workspace = workspace if isinstance(workspace, str) else None
        return (user, workspace) if user or workspace else None

    def _record(self, named: tuple[str | None, str | None], answer: UpstreamAnswer) -> None:
        assert self.recorder is not None
        data = json.loads(answer.body)
        user, workspace = named
        kind, account_id = ("user", user) if user else ("workspace", workspace)
        assert account_id is not None
        try:
            self.recorder.record(kind, account_id, data["body"])
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


def _replay(body: bytes, receive: Any) -> Any:
    """A `receive` that hands the already-read body over again, for the local endpoint."""
    sent = False

    async def replayed() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return await receive()  # after the body, only the client's disconnect is left to hear
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
