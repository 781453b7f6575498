"""Local upstreams for the proxy's tests, and a proxy in front of one.

`Watched` wraps any ASGI app and keeps what reached it (path, headers, body, the client's port), so a test can
say what the upstream saw. The upstreams themselves are the contract suite's toys (`toy_servers.py`: correct,
or broken in one way each) and the raw targets (`raw_targets.py`: hanging, resetting, garbage, trickling).
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from mock_server.app import MockApp, create_app
from mock_server.serving.background import BackgroundServer
from mock_server.settings import Settings
from tests.helpers import free_port
from tests.toy_servers import ADMIN_KEY, KNOWN_USER, Toy

PATH = "/enterprise/account-analysis"
MOCK_KEY = "mock-admin-key"
REAL_KEY = ADMIN_KEY  # the toy upstream's admin key plays the real API's key
KEY_ENV = "SIVI_TEST_UPSTREAM_KEY"
PAGE_ORIGIN = "http://localhost:5173"  # the one origin a proxy with the real key lets call it, unless told another


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    client_port: int


@dataclass
class Watched:
    app: Any
    seen: list[Seen] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers = {name.decode(): value.decode() for name, value in scope["headers"]}
        body = b"".join(chunks)
        self.seen.append(Seen(scope["method"], scope["path"], headers, body, scope["client"][1]))
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()  # blocks until the client disconnects
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


@contextlib.contextmanager
def upstream(toy: Toy | None = None) -> Iterator[tuple[BackgroundServer, Watched]]:
    """A toy upstream (correct by default) on a free loopback port, watched."""
    watched = Watched((toy or Toy()).app())
    with BackgroundServer(watched) as server:
        yield server, watched


def proxy_app(url: str, **options: Any) -> MockApp:
    """The app of `sivi-mock --proxy url`; `real_key=True` sets `--upstream-key-env` with the toy's admin key (and,
    as that needs, `--cors-origin` naming one page's origin)."""
    if options.pop("real_key", False):
        os.environ[KEY_ENV] = REAL_KEY
        options["upstream_key_env"] = KEY_ENV
        options.setdefault("cors_origins", (PAGE_ORIGIN,))
    return create_app(settings=Settings(proxy_url=url, **{"proxy_timeout": 3.0, **options}))


@contextlib.contextmanager
def proxy(url: str, **options: Any) -> Iterator[BackgroundServer]:
    """`sivi-mock --proxy url` in-process, on a free loopback port (options: `proxy_app`'s)."""
    with BackgroundServer(proxy_app(url, **options)) as server:
        yield server


@contextlib.contextmanager
def served(kind: str) -> Iterator[tuple[BackgroundServer, list[Any]]]:
    """The mock, or a proxy with the real key in front of a watched upstream: the server and what reached upstream."""
    if kind == "mock":
        with BackgroundServer(create_app()) as server:
            yield server, []
        return
    with upstream() as (up, watched), BackgroundServer(proxy_app(up.url, real_key=True)) as server:
        yield server, watched.seen


def raw(server: BackgroundServer, request: bytes) -> bytes:
    """Everything the server says to `request` until it closes the connection (or 5 s of silence)."""
    with socket.create_connection((server.host, server.port), timeout=5) as connection:
        with contextlib.suppress(OSError):  # the server may refuse and close before it has read everything
            connection.sendall(request)
        received = b""
        with contextlib.suppress(OSError):
            while chunk := connection.recv(65536):
                received += chunk
        return received


def free_port_url() -> str:
    """A loopback URL where nothing listens (the port was free a moment ago)."""
    return f"http://127.0.0.1:{free_port()}"


def known_user_body() -> dict[str, str]:
    return {"abstractUserId": KNOWN_USER}
