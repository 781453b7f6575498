"""The ASGI apps the bench serves besides the mock itself (uvicorn loads them with `--factory`).

The runner passes what they need in environment variables, so the baseline process imports nothing but
Starlette: its start-up time is the floor the mock is compared with.
"""

from __future__ import annotations

import os
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PATH_VARIABLE = "SIVI_BENCH_PATH"  # the operation's path, e.g. /enterprise/account-analysis
BODY_VARIABLE = "SIVI_BENCH_BODY"  # the serialized success envelope the baseline answers with
COUNT_PATH = "/__bench/requests"  # where the counting mock tells how many requests it has served


def baseline() -> Starlette:
    """A bare Starlette route answering fixed bytes: the fastest this framework can answer the endpoint."""
    body = os.environ[BODY_VARIABLE].encode()

    async def answer(request: Request) -> Response:
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route(os.environ[PATH_VARIABLE], answer, methods=["POST"])])


class RequestCounter:
    """Wraps an ASGI app and counts the HTTP requests it serves; `GET /__bench/requests` reads the count.

    The contract-suite row divides this server-side count by each client's wall time, so both clients are
    measured the same way whatever they report themselves.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.count = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["path"] == COUNT_PATH:
            await Response(str(self.count), media_type="text/plain")(scope, receive, send)
        else:
            self.count += 1
            await self.app(scope, receive, send)


def counted_mock() -> RequestCounter:
    """The mock with its defaults (bundled spec and fixtures), wrapped in a request counter."""
    from mock_server.app import create_app  # imported here: the baseline process must not pay for it

    return RequestCounter(create_app())
