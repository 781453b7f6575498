"""One keep-alive connection to the upstream: a request written, its answer parsed from the bytes as they come.

An asyncio protocol on httptools (the parser uvicorn already serves with), bounded in size. What the parser is
not left to decide, it is told here, as h11 would: an interim `1xx` answer is dropped whole (whatever length it
claims), a `101` nobody asked for is no answer, trailers never join the answer's headers, and bytes after the
answer end the connection instead of becoming part of it. Driven by bytes alone, it is tested without sockets.
"""

from __future__ import annotations

import asyncio
import time

import httptools

from mock_server.errors import StopParsing, UpstreamClosed, UpstreamError
from mock_server.types import TextHeaders

Kind = UpstreamError.Kind
MAX_ANSWER_BYTES = 1024 * 1024
# Most servers close idle connections after 5 s (uvicorn does); keep a pooled one for less, so it is rarely stale.
IDLE_SECONDS = 4.0
_ALLOWED = f"the {MAX_ANSWER_BYTES} bytes allowed"
_INTERIM = b"HTTP/1.1 1"


class UpstreamConnection(asyncio.Protocol):
    """One keep-alive connection; one exchange at a time. httptools calls the `on_*` methods while parsing."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.idle_since = time.monotonic()
        self.closed = False
        self._answer: asyncio.Future[tuple[int, TextHeaders, bytes]] | None = None
        self._unasked = b""  # what a server said before it was asked anything

    def exchange(self, request: bytes) -> asyncio.Future[tuple[int, TextHeaders, bytes]]:
        assert self.transport is not None
        self._parser = httptools.HttpResponseParser(self)
        self._headers: TextHeaders = []
        self._chunks: list[bytes] = []
        self._size, self._complete, self._delimited, self._headers_done, self._begun = 0, False, False, False, False
        self._head = b""  # the start of an answer, until it is known whether it is an interim 1xx
        self._sniffing = True
        self._fault: UpstreamError | None = None
        self._answer = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        if self._unasked:  # a new connection's first words, which were not HTTP or not in time: judged as the answer
            unasked, self._unasked = self._unasked, b""
            self.data_received(unasked)
        if self.closed:
            self._ended(reset=False)
        return self._answer

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's transports do not subclass asyncio's

    def data_received(self, data: bytes) -> None:
        if self._answer is None:
            self._unasked = (self._unasked + data)[: MAX_ANSWER_BYTES + 1]
            return
        if self._answer.done():  # more than the answer, or a word while idle: the connection is not usable
            self.close()
            return
        self._size += len(data)
        if self._size > MAX_ANSWER_BYTES:
            self._fail(UpstreamError(Kind.TOO_LARGE, f"the answer is longer than {_ALLOWED}"))
            return
        if self._sniffing:
            data = self._past_interim(data)
            if not data:
                return
        try:
            self._parser.feed_data(data)
        except (httptools.HttpParserError, httptools.HttpParserUpgrade) as error:
            if self._answer.done():  # a second answer in the same bytes: the first stands, the connection ends
                self.close()
                return
            cause = f"it answered something that is not HTTP ({error})"
            self._fail(self._fault or UpstreamError(Kind.NOT_HTTP, cause))

    def _past_interim(self, data: bytes) -> bytes:
        """What is left of `data` once interim answers (`1xx`) are dropped whole; b"" while that is not known yet.

        httptools reads the body of a `150` that claims a length and chokes on a `103` that claims one; an interim
        answer has no body whatever it claims (RFC 9110 15.2), so the parser only ever sees the final answer.
        """
        head = self._head + data
        while True:
            start = head[: len(_INTERIM)].replace(b"HTTP/1.0", b"HTTP/1.1")
            if not _INTERIM.startswith(start):
                break  # not an interim answer: the parser takes it from here
            end = head.find(b"\r\n\r\n")
            if len(start) < len(_INTERIM) or end < 0:
                self._head = head  # wait for more (bounded by MAX_ANSWER_BYTES, like any answer)
                return b""
            if head[9:12] == b"101":
                cause = "it switched protocols (101), which it was not asked to"
                self._fail(UpstreamError(Kind.NOT_HTTP, cause))
                return b""
            head = head[end + 4 :]
        self._sniffing, self._head = False, b""
        return head

    def eof_received(self) -> bool:
        self._ended(reset=False)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._ended(reset=isinstance(exc, ConnectionResetError))

    def on_message_begin(self) -> None:
        if self._begun:  # a second answer to one request: never merged into the first
            raise StopParsing
        self._begun = True

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._headers_done:  # a trailer (after a chunked body): not a header of the answer
            return
        header = name.decode("latin-1").lower()
        self._delimited |= header in ("content-length", "transfer-encoding")
        self._headers.append((header, value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self._headers_done = True
        status = self._parser.get_status_code()
        if not 200 <= status <= 599:
            cause = f"it answered status {status}, which is no final HTTP status"
            self._fault = UpstreamError(Kind.NOT_HTTP, cause)
            raise StopParsing

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)

    def on_message_complete(self) -> None:
        self._complete = True
        if not self._parser.should_keep_alive():
            self.close()
        self._resolve()

    def _ended(self, reset: bool) -> None:
        if self._answer is None or self._answer.done():
            return
        # An answer without a length ends when the connection does, in order: a reset may have cut it short.
        if self._headers_done and not self._delimited and not reset:
            self._resolve()
        else:
            self._fail(UpstreamClosed(answered=self._size > 0, reset=reset))

    def _resolve(self) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result((self._parser.get_status_code(), list(self._headers), b"".join(self._chunks)))

    def _fail(self, error: Exception) -> None:
        self.close()
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(error)

    @property
    def reusable(self) -> bool:
        return not self.closed and self._complete and time.monotonic() - self.idle_since < IDLE_SECONDS

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()
