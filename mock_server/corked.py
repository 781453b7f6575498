"""One socket write per answer: a transport that gathers what is written in one turn of the event loop.

uvicorn writes an answer's status line and headers, then its body, as two writes: two system calls, and on
loopback two wake-ups of the reader. Both happen in the same turn of the event loop (the ASGI `send` of the
headers does not wait), so gathering the writes of one turn and flushing them at its end sends an answer in one.
"""

from __future__ import annotations

import asyncio
from typing import Any


class CorkedTransport:
    """Wraps a transport: `write` gathers, the end of the loop's turn (or `close`) flushes; all else passes."""

    def __init__(self, transport: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._transport, self._loop = transport, loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(data)

    def flush(self) -> None:
        if self._pending:
            data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
            self._pending = []
            if not self._transport.is_closing():  # the peer left meanwhile: nobody to send it to
                self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
