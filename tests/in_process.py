"""The mock answering inside the test process, with no socket: what Starlette's and httpx's own tests do.

`InProcess(app)` is an httpx transport for a plain `httpx.Client`: each request goes to the app through httpx's ASGI
transport, on one event loop in a thread of its own (the app's state lives on it, as under a server), from the
client address 127.0.0.1. No server stands between: what needs one (the protocol's deadlines and head limits, the
faults that take over the connection, `--reload`, the proxy) is tested on a real socket, with `BackgroundServer`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading

import httpx
from starlette.types import ASGIApp

from tests.helpers import CheckedClient

# Where the in-process client says it calls: a loopback Host, as a client on the same machine sends.
URL = "http://127.0.0.1:4010"


def checked_client(app: ASGIApp) -> CheckedClient:
    """A `CheckedClient` of `app`, answering in-process."""
    return CheckedClient(URL, transport=InProcess(app))


class InProcess(httpx.BaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        # A bug in the app is answered as a server answers it (500), not raised into the test.
        self._asgi = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sivi-in-process", daemon=True)
        self._thread.start()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()  # the body as bytes, which the ASGI transport reads asynchronously

        async def answer() -> httpx.Response:
            response = await self._asgi.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        answered = asyncio.run_coroutine_threadsafe(answer(), self._loop)
        read_timeout = request.extensions.get("timeout", {}).get("read")
        try:
            return answered.result(read_timeout)
        except concurrent.futures.TimeoutError:  # as a socket's client: the answer took longer than the read timeout
            answered.cancel()
            raise httpx.ReadTimeout(f"no answer within {read_timeout} s", request=request) from None

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()
