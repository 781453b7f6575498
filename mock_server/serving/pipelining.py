"""Pipelined requests bounded per connection: at most `WAITING_LIMIT` parsed and waiting for their turn; the bytes
after them stay unparsed, and the connection is not read, until answers have gone out.

HTTP/1.1 lets a client send requests without waiting for the answers; a server answers them in order. uvicorn
parses every request a read holds (a read is up to 256 KiB: thousands of small requests), queues each with its
scope, and reads again after every answer, so a client that sends 200,000 requests in one write and never reads
its answers had them all parsed and queued: the mock grew from 43 to 324 MB, and kept it while the connection was
open. h11 and nginx read one request ahead at most. Here the parser is fed `PIECE` bytes at a time while fewer
than `WAITING_LIMIT` requests wait; once that many do, what is left waits, unparsed, with reading paused, and is
fed again as each answer completes. A client that does not read its answers stops being answered (the socket
fills), so it stops being read: it costs at most `WAITING_LIMIT` requests and a piece, whatever it sends.

Answers unsent count too: the fast path (`serving.fast_path`) answers a request as it is parsed, so none waits in
the pipeline, but its bytes wait to be written. At most `WAITING_LIMIT` answers are made in one turn of the event
loop (the turn's writes go out at its end, `CorkedTransport`), and none while the transport asks to stop writing
(its buffer past the high-water mark); what is left is held the same way, and fed again at the next turn, or once
the transport has drained.

A usual request (one read, a few hundred bytes, nothing waiting) pays three comparisons.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

WAITING_LIMIT = 16  # requests parsed and waiting behind the one being answered
PIECE = 4096  # the bytes fed to the parser at once when requests may pile up: at most ~100 small requests


class PipelineBound(HttpToolsProtocol):
    """uvicorn's `HttpToolsProtocol`, with at most `WAITING_LIMIT` pipelined requests parsed ahead per connection."""

    _unparsed = b""  # received, held back until answers go out
    _answered_in_turn = 0  # answers completed in this turn of the event loop, not yet written

    def data_received(self, data: bytes) -> None:
        if self._unparsed:
            data, self._unparsed = self._unparsed + data, b""
        if len(data) <= PIECE and self._has_room():
            super().data_received(data)
        else:
            self._feed(data)

    def on_response_complete(self) -> None:
        if not self._answered_in_turn:
            self.loop.call_soon(self._next_turn)
        self._answered_in_turn += 1
        super().on_response_complete()  # starts the next waiting request, resumes reading
        self._feed_held()

    def resume_writing(self) -> None:
        super().resume_writing()
        self._feed_held()

    def _has_room(self) -> bool:
        return (
            len(self.pipeline) < WAITING_LIMIT and self._answered_in_turn < WAITING_LIMIT and not self.flow.write_paused
        )

    def _next_turn(self) -> None:
        self._answered_in_turn = 0

    def _feed_held(self) -> None:
        if not self._unparsed or self.transport.is_closing():
            return
        if self._has_room():
            held, self._unparsed = self._unparsed, b""
            self._feed(held)
        else:
            self.flow.pause_reading()  # uvicorn resumed reading with the answer: the held bytes go first

    def _feed(self, data: bytes) -> None:
        start, end = 0, len(data)
        while start < end and self._has_room() and not self.transport.is_closing():
            super().data_received(data[start : start + PIECE])
            start += PIECE
        if start < end and not self.transport.is_closing():
            self._unparsed = data[start:]
            self.flow.pause_reading()
            self.loop.call_soon(self._feed_held)  # after this turn's answers are written: room again, or wait
