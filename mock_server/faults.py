"""The faults the mock gives on purpose, by name, and the ASGI extension through which an app asks its server for the
ones that need the connection itself.

A fault is outside the contract: what a client meets on the way to the API rather than from it. Gateway faults are
ordinary HTTP answers (a gateway's HTML page), which any ASGI server can send. The others cannot be said in ASGI:
a reset, a close without an answer, bytes that are not HTTP, an answer cut short, an answer that never comes. For
those the kit's server (`mock_server.serving.protocol`) offers the connection in each request's scope:

    connection = scope["extensions"]["sivi.connection"]["connection"]   # a `Connection`
    connection.write(b"...")        # raw bytes, no HTTP framing
    await connection.close()        # FIN, once what was written is sent
    await connection.reset()        # RST (SO_LINGER 0), what was not sent is dropped
    await connection.hold(seconds)  # nothing, until the client leaves or `seconds` pass; then close

Each coroutine returns once the connection is gone, so the server has counted the request as disconnected by the
time the app returns (no "returned without a response" error). A server without the extension (plain uvicorn,
Hypercorn, Granian) leaves it out of the scope: `connection_of(scope)` is then None and the mock says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # settings imports this module: `sivi-mock --help` loads no Starlette
    from starlette.types import Scope

# Each fault and what the client sees, in the order the docs list them.
WHAT_THE_CLIENT_SEES = {
    "reset": "the connection reset (RST), no answer",
    "close": "the connection closed, no answer",
    "truncated": "the headers and half the body, then the connection closed",
    "garbage": "bytes that are not HTTP, then the connection closed",
    "hang": "nothing, until the client gives up (the mock closes it after --hang-limit)",
    "gateway-502": "a gateway's 502 HTML page, not the API's envelope",
    "gateway-503": "a gateway's 503 HTML page, with Retry-After",
    "gateway-504": "a gateway's 504 HTML page",
}
FAULTS = tuple(WHAT_THE_CLIENT_SEES)
TRANSPORT_FAULTS = ("reset", "close", "truncated", "garbage", "hang")
GATEWAY_FAULTS = {"gateway-502": 502, "gateway-503": 503, "gateway-504": 504}
# The faults after which the client has no status at all (`truncated` sends its status line, then stops).
SILENT_FAULTS = ("reset", "close", "garbage", "hang")

CONNECTION_EXTENSION = "sivi.connection"


class Connection(Protocol):
    """One client connection, as the server hands it to the app (see the module's docstring)."""

    def write(self, data: bytes) -> None: ...

    async def close(self) -> None: ...

    async def reset(self) -> None: ...

    async def hold(self, seconds: float) -> None: ...


def connection_of(scope: Scope) -> Connection | None:
    """The connection the server offers for this request, or None when it offers none."""
    extension = (scope.get("extensions") or {}).get(CONNECTION_EXTENSION)
    connection: Connection | None = extension.get("connection") if isinstance(extension, dict) else None
    return connection
