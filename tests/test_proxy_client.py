"""The proxy's connection to its upstream fed byte streams, no sockets (h11's tests are the model): what it makes
of each answer.

Each test hands a connection the bytes an upstream could send, in the segments given, and reads what came out:
an answer (status, headers, body), or an `UpstreamError` of a kind. The hostile cases are over real HTTP in
`test_proxy_hostile_answers.py`; these pin down the parsing itself, at every split of the bytes.
"""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import Iterable

import pytest

from mock_server.errors import UpstreamClosed, UpstreamError
from mock_server.proxy.content_coding import decoded
from mock_server.proxy.upstream_connection import MAX_ANSWER_BYTES, UpstreamConnection
from mock_server.types import TextHeaders

Kind = UpstreamError.Kind
REQUEST = b"POST /enterprise/account-analysis HTTP/1.1\r\nhost: upstream\r\ncontent-length: 2\r\n\r\n{}"
OK = b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{"a": true}'


class Transport:
    """What the connection writes, and whether it closed; nothing goes anywhere."""

    def __init__(self) -> None:
        self.written = b""
        self.closed = False

    def write(self, data: bytes) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


def exchange(segments: Iterable[bytes], *, end: str | None = None) -> tuple[UpstreamConnection, object]:
    """Feed `segments` to a fresh connection after it sent REQUEST; `end`: "eof" or "reset" after them. Returns the
    connection and the answer as `(status, headers, body)`, or the exception, or None when none came yet."""

    async def run() -> tuple[UpstreamConnection, object]:
        connection = UpstreamConnection()
        transport = Transport()
        connection.connection_made(transport)  # type: ignore[arg-type]
        answer = connection.exchange(REQUEST)
        assert transport.written == REQUEST
        for segment in segments:
            connection.data_received(segment)
        if end == "eof":
            connection.eof_received()
            connection.connection_lost(None)
        elif end == "reset":
            connection.connection_lost(ConnectionResetError())
        if not answer.done():
            return connection, None
        return connection, answer.exception() or answer.result()

    return asyncio.run(run())


def every_split(data: bytes) -> list[list[bytes]]:
    return [[data[:at], data[at:]] for at in range(1, len(data))] + [[bytes([byte]) for byte in data]]


def kind_of(outcome: object) -> Kind:
    assert isinstance(outcome, UpstreamError), f"expected an UpstreamError, got {outcome!r}"
    return outcome.kind


def test_length_answer_any_split():
    """An answer with a length reads the same at every split and the connection stays usable."""
    for segments in every_split(OK):
        connection, outcome = exchange(segments)
        assert outcome == (200, [("content-type", "application/json"), ("content-length", "11")], b'{"a": true}')
        assert connection.reusable


def test_chunked_trailers_ignored():
    """A chunked answer keeps its body and never takes its trailers for headers."""
    chunked = (
        b'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\n{"a"\r\n7\r\n: true}\r\n0\r\n'
        b"sivi-contract: conforms\r\nx-trailer: 1\r\n\r\n"
    )
    for segments in every_split(chunked):
        _, outcome = exchange(segments)
        assert outcome == (200, [("transfer-encoding", "chunked")], b'{"a": true}'), segments


@pytest.mark.parametrize(
    "interim",
    [
        b"HTTP/1.1 100 Continue\r\n\r\n",
        b"HTTP/1.1 103 Early Hints\r\nlink: </style.css>\r\ncontent-length: 3\r\n\r\n",
        b"HTTP/1.1 150 Whatever\r\ncontent-length: 3\r\n\r\n",
        b"HTTP/1.0 102 Processing\r\n\r\nHTTP/1.1 100 Continue\r\nx-interim: 1\r\n\r\n",
    ],
    ids=["100", "103 with a length", "150 with a length", "two of them"],
)
def test_interim_answers_dropped(interim):
    """Interim answers are dropped whole whatever length they claim."""
    for segments in every_split(interim + OK)[:: max(1, len(interim) // 12)]:
        _, outcome = exchange(segments)
        assert outcome == (200, [("content-type", "application/json"), ("content-length", "11")], b'{"a": true}')


def test_unasked_101_is_no_answer():
    _, outcome = exchange([b"HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n" + OK])
    assert kind_of(outcome) is Kind.NOT_HTTP


@pytest.mark.parametrize("status", [b"999", b"600", b"099", b"000"])
def test_bad_status_is_no_answer(status):
    """A status outside 200 to 599 is no answer."""
    _, outcome = exchange([b"HTTP/1.1 " + status + b" Odd\r\ncontent-length: 2\r\n\r\n{}"])
    assert kind_of(outcome) is Kind.NOT_HTTP


def test_second_answer_not_merged():
    """A second answer in the same bytes is never merged into the first and ends the connection."""
    second = b"HTTP/1.1 500 Oops\r\nx-second: 1\r\ncontent-length: 2\r\n\r\n{}"
    connection, outcome = exchange([OK + second])
    assert outcome == (200, [("content-type", "application/json"), ("content-length", "11")], b'{"a": true}')
    assert not connection.reusable, "a connection that said more than it was asked can be used again"


def test_late_extra_bytes_close():
    """Bytes after the answer in a later segment end the connection."""
    connection, outcome = exchange([OK, b"HTTP/1.1 200 OK\r\n"])
    assert outcome is not None and not isinstance(outcome, Exception)
    assert not connection.reusable


def test_unframed_answer_ends_at_close():
    """An answer without a length ends with the connection in order but not with a reset."""
    no_length = b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{"a": '
    _, in_order = exchange([no_length, b"true}"], end="eof")
    assert in_order == (200, [("content-type", "application/json")], b'{"a": true}')
    _, cut = exchange([no_length], end="reset")
    assert isinstance(cut, UpstreamClosed) and cut.reset and cut.answered, "a reset answer was taken for a whole one"


def test_close_and_http10_not_pooled():
    closing = OK.replace(b"content-length: 11", b"connection: close\r\ncontent-length: 11")
    connection, outcome = exchange([closing])
    assert not isinstance(outcome, Exception) and not connection.reusable
    connection, _ = exchange([OK.replace(b"HTTP/1.1", b"HTTP/1.0")])
    assert not connection.reusable


def test_cut_answer_says_what_arrived():
    _, silent = exchange([], end="eof")
    assert isinstance(silent, UpstreamClosed) and not silent.answered and not silent.reset
    _, halfway = exchange([OK[:30]], end="eof")
    assert isinstance(halfway, UpstreamClosed) and halfway.answered


def test_garbage_and_endless_named():
    _, smtp = exchange([b"220 smtp.example.com ESMTP ready\r\n"])
    assert kind_of(smtp) is Kind.NOT_HTTP
    endless = b"HTTP/1.1 200 OK\r\ncontent-length: 99999999\r\n\r\n" + b"x" * (MAX_ANSWER_BYTES + 1)
    _, too_long = exchange([endless[i : i + 65536] for i in range(0, len(endless), 65536)])
    assert kind_of(too_long) is Kind.TOO_LARGE


def test_early_bytes_are_the_answer():
    """What a new connection said before it was asked is judged as its answer."""

    async def run() -> object:
        connection = UpstreamConnection()
        connection.connection_made(Transport())  # type: ignore[arg-type]
        connection.data_received(b"220 ready\r\n")
        answer = connection.exchange(REQUEST)
        return answer.exception()

    assert kind_of(asyncio.run(run())) is Kind.NOT_HTTP


def gzipped(headers: TextHeaders, body: bytes) -> tuple[TextHeaders, bytes, int]:
    return [*headers, ("content-encoding", "gzip")], gzip.compress(body), MAX_ANSWER_BYTES


def test_decoding_is_bounded():
    """Decoding keeps its bound after inflating and names what it cannot decode."""
    plain = b'{"status": 200}'
    assert decoded(*gzipped([("x", "1")], plain)) == ([("x", "1")], plain)
    assert decoded([("content-encoding", "deflate")], zlib.compress(plain), MAX_ANSWER_BYTES) == ([], plain)
    assert decoded([("content-encoding", "identity")], plain, MAX_ANSWER_BYTES) == ([], plain)
    bomb = gzip.compress(b"\0" * (8 * MAX_ANSWER_BYTES), compresslevel=9)
    assert len(bomb) < 100_000
    for bound_broken in (bomb, gzip.compress(b"\0" * (MAX_ANSWER_BYTES + 1))):
        with pytest.raises(UpstreamError) as raised:
            decoded([("content-encoding", "gzip")], bound_broken, MAX_ANSWER_BYTES)
        assert raised.value.kind is Kind.TOO_LARGE
    for encoding, body in [("br", plain), ("gzip, br", plain), ("zstd", plain), ("gzip", plain), ("gzip", bomb[:500])]:
        with pytest.raises(UpstreamError) as raised:
            decoded([("content-encoding", encoding)], body, MAX_ANSWER_BYTES)
        assert raised.value.kind is Kind.ENCODING, encoding


def test_only_a_timeout_is_a_504():
    assert {kind: kind.status for kind in Kind} == {kind: 504 if kind is Kind.TIMEOUT else 502 for kind in Kind}
    assert UpstreamError(Kind.TIMEOUT, "slow").status == 504
