"""Bare forwarding prototypes, one per HTTP client library, to choose the proxy's client on measurement.

Each is the least a forwarding proxy does (read the body, POST it upstream on a pooled client, relay status,
content type and body), with no checking, so the rows compare the libraries and nothing else. Served like the
mock: `uvicorn --factory bench.forwarders:with_aiohttp` with `SIVI_BENCH_UPSTREAM` set to the upstream's URL.
"""

from __future__ import annotations

import os
from typing import Any

UPSTREAM_VARIABLE = "SIVI_BENCH_UPSTREAM"


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _relay(send: Any, status: int, content_type: str, body: bytes) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _forwarded(scope: dict[str, Any]) -> dict[str, str]:
    return {
        name.decode(): value.decode() for name, value in scope["headers"] if name in (b"sivi-api-key", b"content-type")
    }


def with_aiohttp() -> Any:
    import aiohttp

    url = os.environ[UPSTREAM_VARIABLE]
    session: aiohttp.ClientSession | None = None

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        nonlocal session
        if scope["type"] != "http":
            return
        if session is None:  # a session belongs to the running loop
            session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
        body = await _body(receive)
        async with session.post(url + scope["path"], data=body, headers=_forwarded(scope)) as response:
            await _relay(send, response.status, response.content_type, await response.read())

    return app


def with_httpx() -> Any:
    import httpx

    url = os.environ[UPSTREAM_VARIABLE]
    client: httpx.AsyncClient | None = None

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        nonlocal client
        if scope["type"] != "http":
            return
        if client is None:
            client = httpx.AsyncClient(limits=httpx.Limits(max_connections=100))
        body = await _body(receive)
        response = await client.post(url + scope["path"], content=body, headers=_forwarded(scope))
        await _relay(send, response.status_code, response.headers.get("content-type", ""), response.content)

    return app


def with_own_client() -> Any:
    from mock_server.proxy.client import Upstream

    upstream: Upstream | None = None

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        nonlocal upstream
        if scope["type"] != "http":
            return
        if upstream is None:
            upstream = Upstream(os.environ[UPSTREAM_VARIABLE], scope["path"], timeout=10)
        body = await _body(receive)
        answer = await upstream.send("POST", list(_forwarded(scope).items()), body)
        content_type = next((value for name, value in answer.headers if name == "content-type"), "")
        await _relay(send, answer.status, content_type, answer.body)

    return app
