"""uvicorn's HTTP protocol as `sivi-mock` serves it: a deadline for half-sent requests, one write per answer.

uvicorn waits forever for the rest of a request that a client started and never finished (and for the first
request of a connection that sends nothing): every such client holds a connection and its buffers. Here a
request must be complete (headers and body) within `seconds` of its first byte, and a new connection must send
its first byte within `seconds`. A late request gets `408` in the API's envelope and the connection is closed;
an idle connection that sent nothing is just closed (nothing was asked, so nothing is answered).
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mock_server.corked import CorkedTransport
from mock_server.respond import envelope

DEFAULT_SECONDS = 10.0


def timeout_answer(seconds: float) -> bytes:
    body = envelope(408, {"message": f"the request was not complete within {seconds:g} s; the connection is closed"})
    head = (
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def with_request_deadline(seconds: float = DEFAULT_SECONDS) -> type[HttpToolsProtocol]:
    """The protocol class for `uvicorn.Config(http=...)`."""
    answer = timeout_answer(seconds)

    class RequestDeadlineProtocol(HttpToolsProtocol):
        _deadline: asyncio.TimerHandle | None = None
        _receiving = False

        def connection_made(self, transport: Any) -> None:
            # One write per answer (see `corked`); uvicorn only ever calls transport methods on it.
            super().connection_made(cast(asyncio.Transport, CorkedTransport(transport, self.loop)))
            self._arm()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._receiving = True
            self._arm()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._receiving = False
            self._disarm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(seconds, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            if self.transport.is_closing():
                return
            answered = self.cycle is not None and self.cycle.response_started
            if self._receiving and not answered:
                self.transport.write(answer)
            self.transport.close()

    return RequestDeadlineProtocol
