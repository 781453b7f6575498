"""Serve an ASGI app on a loopback port from a background thread (for pytest fixtures and in-process runs)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from mock_server.errors import ServerStartError
from mock_server.serving.protocol import with_request_deadline
from mock_server.settings import Settings


class BackgroundServer:
    """`with BackgroundServer(app) as server: httpx.get(server.url + "/...")` — port 0 picks a free port.

    Half-sent requests get the same deadline as `sivi-mock` gives them: `request_deadline` seconds, by default the
    mock's own `Settings.request_deadline` when `app` is the mock, else `Settings`' default.
    """

    def __init__(
        self,
        app: ASGIApp,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        request_deadline: float | None = None,
        **uvicorn_options: Any,
    ) -> None:
        if request_deadline is None:
            request_deadline = _settings_of(app).request_deadline
        options = {"lifespan": "on", **served_options("warning", request_deadline), **uvicorn_options}
        self._server = KitServer(uvicorn.Config(app, host=host, port=port, **options))
        self._thread = threading.Thread(target=self._server.run, name="sivi-mock", daemon=True)
        self.host = host
        self.port = port
        self.request_deadline = request_deadline

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def open_connections(self) -> int:
        """The client connections open now (a kept-alive one included): a test's check that nothing is left held."""
        return len(self._server.server_state.connections)

    @property
    def running_requests(self) -> int:
        """The requests being answered now (a held `hang` fault included)."""
        return len(self._server.server_state.tasks)

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise ServerStartError(f"the server did not start on {self.host}:{self.port or '(any port)'}")
            time.sleep(0.005)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._server.stop()
        self._thread.join(timeout)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()


def served_options(log_level: str, request_deadline: float) -> dict[str, Any]:
    """The `uvicorn.Config` options of the kit's servers, `sivi-mock`'s and `BackgroundServer`'s alike."""
    return {
        "log_level": log_level,
        "http": with_request_deadline(request_deadline),
        # No X-Forwarded-* rewriting of the client: nothing of the mock reads it, and the middleware runs per request.
        "proxy_headers": False,
    }


class KitServer(uvicorn.Server):
    """uvicorn's server, stopping as soon as it is told to rather than on its next 0.1 s tick.

    uvicorn looks at `should_exit` every 0.1 s and, once stopping, sleeps another 0.1 s before it waits (in 0.1 s
    steps) for the open connections to finish: a fixture's stop cost 0.2 s. Here `stop()` wakes the loop at once and
    the wait for open connections polls finely; what is waited for, and in which order, is uvicorn's.
    """

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._told_to_stop: asyncio.Event | None = None

    def stop(self) -> None:
        """Stop serving, from any thread; `run()` then returns once the open connections are done."""
        self.should_exit = True
        loop, told = self._loop, self._told_to_stop
        if loop is not None and told is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already finished
                loop.call_soon_threadsafe(told.set)

    async def main_loop(self) -> None:
        # `on_tick` still runs every 0.1 s: it refreshes the Date header and honours `limit_max_requests`.
        self._told_to_stop = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._told_to_stop.wait(), 0.1)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        try:
            await asyncio.wait_for(self._open_work_done(), timeout=self.config.timeout_graceful_shutdown)
        except TimeoutError:
            for task in self.server_state.tasks:
                task.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")
        if not self.force_exit:
            await self.lifespan.shutdown()

    async def _open_work_done(self) -> None:
        while (self.server_state.connections or self.server_state.tasks) and not self.force_exit:
            await asyncio.sleep(0.002)
        for server in self.servers:
            await server.wait_closed()


def _settings_of(app: ASGIApp) -> Settings:
    """The mock's settings, when `app` is the mock (`create_app`); the defaults for any other app."""
    mock = getattr(getattr(app, "state", None), "mock", None)
    settings = getattr(mock, "settings", None)
    return settings if isinstance(settings, Settings) else Settings()
