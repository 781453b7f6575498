"""Serve an ASGI app on a loopback port from a background thread (for pytest fixtures and in-process runs)."""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import Any

import uvicorn
from starlette.types import ASGIApp

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
        options = {
            "log_level": "warning",
            "lifespan": "on",
            "http": with_request_deadline(request_deadline),
            "proxy_headers": False,  # as `sivi-mock` serves
            **uvicorn_options,
        }
        self._server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, **options))
        self._thread = threading.Thread(target=self._server.run, name="sivi-mock", daemon=True)
        self.host = host
        self.port = port
        self.request_deadline = request_deadline

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start on {self.host}:{self.port or '(any port)'}")
            time.sleep(0.005)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()


def _settings_of(app: ASGIApp) -> Settings:
    """The mock's settings, when `app` is the mock (`create_app`); the defaults for any other app."""
    mock = getattr(getattr(app, "state", None), "mock", None)
    settings = getattr(mock, "settings", None)
    return settings if isinstance(settings, Settings) else Settings()
