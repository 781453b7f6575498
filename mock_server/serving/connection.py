"""The connection, offered to the app in each request's scope (the `sivi.connection` extension of
`mock_server.faults`), for the faults that need it: reset, close, bytes that are not HTTP, an answer cut short, or
none at all until the client leaves.

The server stays whole whatever the app does with it: every coroutine of `ServedConnection` returns once uvicorn has
seen the connection go (its request is then disconnected, so uvicorn neither logs nor answers for the app), a held
connection is closed after the app's bound or at shutdown, and nothing outlives the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mock_server.faults import CONNECTION_EXTENSION

# SO_LINGER on, 0 seconds: close() sends RST instead of FIN and drops what was not sent.
_LINGER_ZERO = struct.pack("ii", 1, 0)


class ServedConnection:
    """One client connection of uvicorn's httptools protocol, as `mock_server.faults.Connection`."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._lost = False
        self._gone: asyncio.Future[None] | None = None
        self._holding = False

    def write(self, data: bytes) -> None:
        self._transport.write(data)

    async def close(self) -> None:
        self._transport.close()
        await self._wait_gone()

    async def reset(self) -> None:
        sock: Any = self._transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):  # the peer left already: it is closed either way
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_ZERO)
        self._transport.abort()
        await self._wait_gone()

    async def hold(self, seconds: float) -> None:
        self._holding = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._future()), seconds)
        await self.close()

    def lost(self) -> None:
        """The server saw the connection go."""
        self._lost = True
        if self._gone is not None and not self._gone.done():
            self._gone.set_result(None)

    def release(self) -> None:
        """The server shuts down: a held connection is closed now rather than at the app's bound."""
        if self._holding and not self._lost:
            self._transport.close()

    def _future(self) -> asyncio.Future[None]:
        if self._gone is None:
            self._gone = asyncio.get_running_loop().create_future()
            if self._lost:
                self._gone.set_result(None)
        return self._gone

    async def _wait_gone(self) -> None:
        if not self._lost:
            await self._future()


class ConnectionOffering(HttpToolsProtocol):
    """uvicorn's httptools protocol, offering each request its connection as the `sivi.connection` extension."""

    _served: ServedConnection | None = None
    _extensions: dict[str, Any] | None = None

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._extensions is None:  # once per connection: a request pays one dictionary entry
            self._served = ServedConnection(self.transport)
            self._extensions = {CONNECTION_EXTENSION: {"connection": self._served}}
        self.scope["extensions"] = self._extensions

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if self._served is not None:
            self._served.lost()

    def shutdown(self) -> None:
        if self._served is not None:
            self._served.release()
        super().shutdown()
