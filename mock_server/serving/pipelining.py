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

A usual request (one read, a few hundred bytes, nothing waiting) pays two comparisons.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

WAITING_LIMIT = 16  # requests parsed and waiting behind the one being answered
PIECE = 4096  # the bytes fed to the parser at once when requests may pile up: at most ~100 small requests


class PipelineBound(HttpToolsProtocol):
    """uvicorn's `HttpToolsProtocol`, with at most `WAITING_LIMIT` pipelined requests parsed ahead per connection."""

    _unparsed = b""  # received, held back until answers go out

    def data_received(self, data: bytes) -> None:
        if self._unparsed:
            data, self._unparsed = self._unparsed + data, b""
        if len(data) <= PIECE and len(self.pipeline) < WAITING_LIMIT:
            super().data_received(data)
        else:
            self._feed(data)

    def on_response_complete(self) -> None:
        super().on_response_complete()  # starts the next waiting request, resumes reading
        if self._unparsed and not self.transport.is_closing():
            held, self._unparsed = self._unparsed, b""
            self._feed(held)

    def _feed(self, data: bytes) -> None:
        start, end = 0, len(data)
        while start < end and len(self.pipeline) < WAITING_LIMIT and not self.transport.is_closing():
            super().data_received(data[start : start + PIECE])
            start += PIECE
        if start < end and not self.transport.is_closing():
            self._unparsed = data[start:]
            self.flow.pause_reading()
