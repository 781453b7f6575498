"""A request's head as `sivi-mock` takes it: beyond `HEAD_LIMIT` bytes in all, `431`; not HTTP at all, or with two
`Host` headers, `400`; each in the API's envelope, and the connection closed.

uvicorn's httptools protocol takes a head of any size: a 2 MB header is buffered, handed to the app, and kept in
the journal. `BoundedHeadProtocol` is the base of the protocol `sivi-mock` serves with (the mock and the proxy
alike): a head longer than `HEAD_LIMIT` never reaches the app; its client gets `431` in the API's envelope and the
connection is closed. Browsers and HTTP clients send a few hundred bytes; Node refuses heads over 16 KiB too, nginx
and Apache a header line over 8 KiB.

The parser only hands a header over once it has all of it, so the size is counted twice: exactly, once the head is
complete (the target and the headers the parser handed over), and roughly, from the bytes received while a head is
incomplete, so that a client that never ends a header costs at most the limit and one read.

Bytes the parser cannot read as HTTP get uvicorn's own `400` in `text/plain`; here the same status comes in the
envelope, like every other refusal of the mock, so a client's error handling meets one shape.

Two `Host` headers: uvicorn hands both to the app, and whoever reads the first (the admin API's and the proxy's
loopback check) and whoever reads the last may disagree on which server was asked. RFC 9112 (section 3.2) says a
server MUST answer such a request 400.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mock_server.spec.envelope import raw_error_answer
from mock_server.types import HEAD_LIMIT, head_size


def head_too_large_answer() -> bytes:
    return raw_error_answer(431, f"the request's target and headers are longer than {HEAD_LIMIT} bytes in all")


def not_http_answer() -> bytes:
    return raw_error_answer(400, "the request is not valid HTTP/1.1; the connection is closed")


def hosts_answer(hosts: int) -> bytes:
    return raw_error_answer(400, f"the request has {hosts} Host headers; HTTP/1.1 allows one; the connection is closed")


_ANSWER = head_too_large_answer()
_NOT_HTTP = not_http_answer()


class BoundedHeadProtocol(HttpToolsProtocol):
    """uvicorn's `HttpToolsProtocol`, refusing a head longer than `HEAD_LIMIT` with 431 and one that is not HTTP or
    names two hosts with 400, in the envelope."""

    _in_head = True  # the next bytes belong to a request's head (also between requests)
    _events = 0  # heads and messages completed so far: a read in which one completes is not all head
    _head_received = 0  # bytes of reads that were all head, since the head began
    _refused = False

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        in_head, events = self._in_head, self._events
        super().data_received(data)
        if in_head and self._in_head and events == self._events:
            self._head_received += len(data)
            if self._head_received > HEAD_LIMIT:
                self._refuse()

    def on_headers_complete(self) -> None:
        self._in_head, self._events = False, self._events + 1
        # Counted once the head is whole (a call per header would cost every request more than this sum).
        size, hosts = head_size(self.headers)
        if len(self.url) + size > HEAD_LIMIT:
            self._refuse()
        elif hosts > 1:
            self._refuse(hosts_answer(hosts))
        if not self._refused:
            super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        self._in_head, self._events, self._head_received = True, self._events + 1, 0
        if not self._refused:
            super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        # uvicorn's answer to bytes its parser refuses (it has logged `msg` already)
        if not self.transport.is_closing():
            self.transport.write(_NOT_HTTP)
            self.transport.close()

    def _refuse(self, answer: bytes = _ANSWER) -> None:
        self._refused = True
        if not self.transport.is_closing():
            self.transport.write(answer)
            self.transport.close()
