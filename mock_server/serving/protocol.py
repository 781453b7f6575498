"""uvicorn's HTTP protocol as `sivi-mock` serves it: a deadline for half-sent requests, one write per answer, and
each request's connection offered to the app for the faults that need it (`mock_server.serving.connection`),
(from `request_head`) a bound on a request's head, (from `upgrade`) an `Upgrade` offered ignored, and (from
`pipelining`) a bound on the requests parsed ahead of their answers.

One write per answer: uvicorn writes an answer's status line and headers, then its body, as two writes: two system
calls, and on loopback two wake-ups of the reader. Both happen in the same turn of the event loop (the ASGI `send`
of the headers does not wait), so gathering the writes of one turn and flushing them at its end sends an answer in
one (`CorkedTransport`).

The deadline:
uvicorn waits forever for the rest of a request that a client started and never finished (and for the first
request of a connection that sends nothing): every such client holds a connection and its buffers. Here a
request must be complete (headers and body) within `seconds` of its first byte, and a new connection must send
its first byte within `seconds`. A late request gets `408` in the API's envelope and the connection is closed;
an idle connection that sent nothing is just closed (nothing was asked, so nothing is answered).
"""

from __future__ import annotations

import asyncio
from typing import cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mock_server.serving.connection import ConnectionOffering
from mock_server.serving.fast_path import FastPathProtocol, KnownRequests
from mock_server.serving.pipelining import PipelineBound
from mock_server.serving.request_head import BoundedHeadProtocol
from mock_server.serving.upgrade import UpgradeIgnored
from mock_server.spec.envelope import raw_error_answer


def timeout_answer(seconds: float) -> bytes:
    return raw_error_answer(408, f"the request was not complete within {seconds:g} s; the connection is closed")


def with_request_deadline(seconds: float) -> type[HttpToolsProtocol]:
    """The protocol class for `uvicorn.Config(http=...)`."""
    answer = timeout_answer(seconds)

    # Pipelined requests bounded (serving/pipelining.py), heads bounded (serving/request_head.py), before the fast
    # path takes a request, which it may answer again from its bytes alone (serving/fast_path.py); an upgrade
    # offered read as a plain request (serving/upgrade.py).
    class RequestDeadlineProtocol(
        KnownRequests, PipelineBound, ConnectionOffering, BoundedHeadProtocol, UpgradeIgnored, FastPathProtocol
    ):
        _timer: asyncio.TimerHandle | None = None  # one per connection at most, checked when it fires
        _deadline: float | None = None  # the loop's time by which the request must be whole; None: none armed
        _receiving = False

        _corked: CorkedTransport

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            # One write per answer (see `corked`); uvicorn only ever calls transport methods on it.
            self._corked = CorkedTransport(transport, self.loop)
            super().connection_made(cast(asyncio.Transport, self._corked))
            self._arm()

        def _write_alone(self, data: bytes) -> None:
            self._corked.write_through(data)

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
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            super().connection_lost(exc)

        def _arm(self) -> None:
            # A timer per request would be made and cancelled for every request; here the deadline is a number,
            # and one timer per connection checks it when it fires (`_check`), re-armed for what is left.
            self._deadline = self.loop.time() + seconds
            if self._timer is None:
                self._timer = self.loop.call_later(seconds, self._check)

        def _disarm(self) -> None:
            self._deadline = None

        def _check(self) -> None:
            self._timer = None
            deadline = self._deadline
            if deadline is None:
                return
            left = deadline - self.loop.time()
            if left > 0:
                self._timer = self.loop.call_later(left, self._check)
                return
            self._expired()

        def _expired(self) -> None:
            self._deadline = None
            if self.transport.is_closing():
                return
            answered = self.cycle is not None and self.cycle.response_started
            if self._receiving and not answered:
                self.transport.write(answer)
            self.transport.close()

    return RequestDeadlineProtocol


class CorkedTransport:
    """Wraps a transport: `write` gathers, the end of the loop's turn (or `close`) flushes; all else passes."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport, self._loop = transport, loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(data)

    def write_through(self, data: bytes) -> None:
        """`write` for what is all the connection writes in this turn: at once, with no flush to wait for."""
        if self._pending:
            self.write(data)
        elif not self._transport.is_closing():
            self._transport.write(data)

    def is_closing(self) -> bool:  # asked for every request: worth more than `__getattr__`'s detour
        return self._transport.is_closing()

    def flush(self) -> None:
        if self._pending:
            data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
            self._pending = []
            if not self._transport.is_closing():  # the peer left meanwhile: nobody to send it to
                self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> object:
        return getattr(self._transport, name)
