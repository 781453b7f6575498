"""The mock's ASGI app: the operation from the spec, and Starlette for the admin API, the docs and the envelope
of everything outside the spec."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Sequence

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.loopback import is_this_server
from mock_server.mock.admin import ADMIN_PREFIX, admin_routes, json_response
from mock_server.mock.compiled_answers import CompiledAnswers
from mock_server.mock.docs import docs_routes
from mock_server.mock.endpoint import operation_endpoint
from mock_server.mock.reload import watch_files
from mock_server.mock.replies import INTERNAL_ERROR, MOCK_ERROR_HEADER, mock_error, send_reply
from mock_server.mock.state import MockState
from mock_server.settings import Settings
from mock_server.spec.contract import Contract

logger = logging.getLogger("sivi_mock")


def create_app(settings: Settings | None = None, contract: Contract | None = None) -> MockApp:
    """The mock as `settings` describe it (`Settings()`: the bundled spec and fixtures).

    `contract` is a spec already loaded with `load_contract`, to skip reading it again; the mock then reloads
    and resets from its file.
    """
    settings = settings or Settings()
    if contract is not None:
        settings = dataclasses.replace(settings, spec_path=contract.source)
    state = MockState(settings, contract)
    routes = [*admin_routes(state), *docs_routes(state)]
    endpoint: ASGIApp = operation_endpoint(state)
    proxy = None
    if settings.proxy_url is not None:
        from mock_server.proxy.endpoint import build_proxy  # the proxy's modules are only imported by a proxy

        endpoint = proxy = build_proxy(state, endpoint)
        if settings.upstream_key_env is not None:
            endpoint = _this_server_only(endpoint, state)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        watcher = asyncio.create_task(watch_files(state)) if settings.reload else None
        yield
        if watcher:
            watcher.cancel()
        if proxy is not None:
            await proxy.upstream.close()
            if proxy.recorder is not None:
                await asyncio.to_thread(proxy.recorder.close)  # what was recorded reaches the file

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        if not request.url.path.startswith(ADMIN_PREFIX):
            state.journal_request(request.scope, error.status_code)
        message = error.detail
        if error.status_code == 404:
            message = f"Not found: this mock serves {state.contract.method.upper()} {state.contract.path}"
        return json_response(error.status_code, {"message": message}, error.headers)

    async def server_error(request: Request, error: Exception) -> Response:
        logger.exception("sivi-mock failed on %s %s", request.method, request.url.path)
        return Response(INTERNAL_ERROR.body, 500, media_type="application/json")

    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: http_error, Exception: server_error},
        lifespan=lifespan,
    )
    app.state.mock = state
    mock = MockApp(app, endpoint, state.contract.path, settings.cors_origins)
    # The fast path of the kit's server (`serving.fast_path`) answers plain requests from these.
    mock.ready_answers = CompiledAnswers(state, state.contract.path, state.contract.api_key_header)
    return mock


class MockApp:
    """The ASGI app: where every request comes in. The documented operation goes straight to its endpoint,
    everything else (admin API, docs, 404/405) to Starlette; CORS applies to the API and the docs but never to
    `/__mock/` (a web page must not be able to drive the mock).

    The operation skips Starlette altogether because it is the hot path of every test run: measured with
    `make bench`, Starlette's middleware and routing cost more CPU per request than the whole endpoint. The
    endpoint answers its own failures with the envelope, so it needs none of Starlette's error handling.
    `state` is the Starlette app's, so `app.state.mock` reads as it would on a Starlette app.
    """

    ready_answers: CompiledAnswers | None = None

    def __init__(self, app: Starlette, endpoint: ASGIApp, path: str, origins: Sequence[str]) -> None:
        self.app, self.endpoint, self.path = app, endpoint, path
        self.state = app.state
        self._served = app.state.mock.served
        self.cors_app = _cors(app, origins)
        self.cors_endpoint = _cors(endpoint, origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Browsers send Origin with every cross-origin request; without one, CORS has nothing to do.
        cross_origin = any(name == b"origin" for name, _ in scope["headers"])
        if scope["path"] == self.path:
            self._served["asgi"] += 1
            await (self.cors_endpoint if cross_origin else self.endpoint)(scope, receive, send)
        elif cross_origin and not scope["path"].startswith(ADMIN_PREFIX):
            await self.cors_app(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _this_server_only(endpoint: ASGIApp, state: MockState) -> ASGIApp:
    """The operation, answered only for a `Host` that names this server (loopback or `--host`), as the admin API.

    With the real key behind the proxy, a page whose own name resolves to 127.0.0.1 (DNS rebinding) is same-origin
    to the browser, so CORS does not stop it; the `Host` it sends still names the page's site.
    """
    listening_on = state.settings.host
    message = "sivi-mock: this proxy answers only for its own host name"
    refusal = mock_error(403, "host", message, headers=((b"sivi-source", b"mock"),))

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        host = next((value for name, value in scope["headers"] if name == b"host"), b"").decode("latin-1")
        if is_this_server(host, listening_on):
            await endpoint(scope, receive, send)
            return
        state.journal_request(scope, 403)
        await send_reply(send, refusal)

    return guarded


def _cors(app: ASGIApp, origins: Sequence[str]) -> CORSMiddleware:
    return CORSMiddleware(
        app,
        allow_origins=list(origins),
        allow_methods=["POST", "GET", "OPTIONS"],
        allow_headers=["sivi-api-key", "content-type", "prefer"],
        expose_headers=[MOCK_ERROR_HEADER.decode(), "sivi-contract", "sivi-source"],
        max_age=600,
    )
