"""The proxy's one client: HTTP/1.1 to the configured upstream only, pooled, bounded in time and size.

A small client of its own on asyncio and httptools (the parser uvicorn already serves with): measured with
`python -m bench.proxy --libraries`, aiohttp's and httpx's clients cost several times the CPU per request, and
on a proxy the client is most of the work (docs/performance.md). Every fault of the upstream (refused, unknown
host, TLS, timeout, not HTTP, endless, too large) comes back as an `UpstreamError` naming the cause.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
import zlib
from dataclasses import dataclass
from urllib.parse import urlsplit

import httptools

from mock_server.errors import UpstreamError
from mock_server.types import TextHeaders

MAX_ANSWER_BYTES = 1024 * 1024
# Most servers close idle connections after 5 s (uvicorn does); keep a pooled one for less, so it is rarely stale.
IDLE_SECONDS = 4.0
MAX_CONNECTIONS = 100


@dataclass(frozen=True)
class UpstreamAnswer:
    status: int
    headers: TextHeaders
    body: bytes
    elapsed: float


class _Closed(Exception):
    """The connection ended before a whole answer; `answered`: some of the answer had arrived."""

    def __init__(self, answered: bool, reset: bool) -> None:
        self.answered, self.reset = answered, reset


class _Connection(asyncio.Protocol):
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
        self._size, self._complete, self._delimited, self._headers_done = 0, False, False, False
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
            self._fail(UpstreamError(502, f"the answer is longer than the {MAX_ANSWER_BYTES} bytes allowed"))
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(UpstreamError(502, f"it answered something that is not HTTP ({error})"))

    def eof_received(self) -> bool:
        self._ended(reset=False)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._ended(reset=isinstance(exc, ConnectionResetError))

    def on_header(self, name: bytes, value: bytes) -> None:
        header = name.decode("latin-1").lower()
        self._delimited |= header in ("content-length", "transfer-encoding")
        self._headers.append((header, value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self._headers_done = True

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)

    def on_message_complete(self) -> None:
        if 100 <= self._parser.get_status_code() < 200:  # an interim answer: the real one follows
            self._headers, self._chunks, self._headers_done = [], [], False
            return
        self._complete = True
        if not self._parser.should_keep_alive():
            self.close()
        self._resolve()

    def _ended(self, reset: bool) -> None:
        if self._answer is None or self._answer.done():
            return
        if self._headers_done and not self._delimited:  # an answer without a length ends when the connection does
            self._resolve()
        else:
            self._fail(_Closed(answered=self._size > 0, reset=reset))

    def _resolve(self) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result((self._parser.get_status_code(), self._headers, b"".join(self._chunks)))

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


class Upstream:
    """`await upstream.send(method, headers, body)` → `UpstreamAnswer`, or `UpstreamError`.

    The URL is fixed when the proxy starts (the configured base + the operation's path): nothing in a request
    can make the proxy contact another host. Redirects are answers, never followed.
    """

    def __init__(self, base_url: str, path: str, *, timeout: float, insecure: bool = False) -> None:
        parts = urlsplit(base_url.rstrip("/") + path)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"an http:// or https:// URL with a host is needed, not {base_url!r}")
        self.url = parts.geturl()
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.target = parts.path or "/"
        self.timeout = timeout
        self._host_header = parts.netloc.rsplit("@", 1)[-1].encode("idna")
        self._tls: ssl.SSLContext | None = None
        if parts.scheme == "https":
            self._tls = ssl.create_default_context()
            if insecure:
                self._tls.check_hostname = False
                self._tls.verify_mode = ssl.CERT_NONE
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(MAX_CONNECTIONS)

    async def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()

    async def send(self, method: str, headers: TextHeaders, body: bytes, query: str = "") -> UpstreamAnswer:
        request = self._request(method, headers, body, query)
        began = time.monotonic()
        try:
            async with asyncio.timeout(self.timeout), self._slots:
                status, answer_headers, content = await self._exchange(request)
            answer_headers, content = decoded(answer_headers, content)
        except TimeoutError:
            raise UpstreamError(504, f"no complete answer from {self.origin} within {self.timeout:g} s") from None
        except UpstreamError as error:
            raise UpstreamError(error.status, f"{self.origin}: {error.cause}") from None
        except _Closed as closed:
            what = "reset the connection" if closed.reset else "closed the connection"
            cause = f"{what} in the middle of its answer" if closed.answered else f"{what} without answering"
            raise UpstreamError(502, f"{self.origin} {cause}") from None
        except OSError as error:
            raise UpstreamError(502, self._describe(error)) from None
        return UpstreamAnswer(status, answer_headers, content, time.monotonic() - began)

    async def _exchange(self, request: bytes) -> tuple[int, TextHeaders, bytes]:
        while self._idle:
            connection = self._idle.pop()
            if not connection.reusable:
                connection.close()
                continue
            try:
                return await self._use(connection, request)
            except _Closed as closed:
                # A pooled connection the upstream closed while idle; the operation only reads, so one more
                # try on a fresh connection is safe and keeps a stale socket from looking like an outage.
                if closed.answered:
                    raise
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(
            _Connection, self.host, self.port, ssl=self._tls, server_hostname=self.host if self._tls else None
        )
        return await self._use(connection, request)

    async def _use(self, connection: _Connection, request: bytes) -> tuple[int, TextHeaders, bytes]:
        try:
            answer = await connection.exchange(request)
        except BaseException:
            connection.close()  # cancelled (the timeout) or failed: its state is unknown
            raise
        if connection.reusable:
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
        return answer

    def _request(self, method: str, headers: TextHeaders, body: bytes, query: str) -> bytes:
        target = f"{self.target}?{query}" if query else self.target
        lines = [f"{method} {target} HTTP/1.1".encode(), b"host: " + self._host_header]
        lines += [f"{name}: {value}".encode("latin-1") for name, value in headers]
        lines += [f"content-length: {len(body)}".encode(), b"", b""]
        return b"\r\n".join(lines) + body

    def _describe(self, error: OSError) -> str:
        if isinstance(error, socket.gaierror):
            return f"unknown host {self.host!r} (DNS lookup failed: {error.strerror})"
        if isinstance(error, ssl.SSLCertVerificationError):
            return f"TLS failure with {self.origin}: the certificate is not trusted ({error.verify_message})"
        if isinstance(error, ssl.SSLError):
            return f"TLS failure with {self.origin}: {error.reason or error}"
        if isinstance(error, ConnectionRefusedError):
            return f"{self.origin} refused the connection"
        if isinstance(error, ConnectionResetError):
            return f"{self.origin} reset the connection"
        return f"cannot connect to {self.origin}: {error.strerror or error}"


def decoded(headers: TextHeaders, body: bytes) -> tuple[TextHeaders, bytes]:
    """The body without a gzip or deflate `content-encoding` (the proxy asks for none, but a server may send one)."""
    encoding = next((value.strip().lower() for name, value in headers if name == "content-encoding"), None)
    if encoding not in ("gzip", "deflate", "x-gzip"):
        return headers, body
    try:
        inflater = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib, by the header
        plain = inflater.decompress(body, MAX_ANSWER_BYTES) + inflater.flush()
    except zlib.error as error:
        raise UpstreamError(502, f"the {encoding} answer cannot be decoded ({error})") from None
    if inflater.unconsumed_tail:
        raise UpstreamError(502, f"the decoded answer is longer than the {MAX_ANSWER_BYTES} bytes allowed")
    return [(name, value) for name, value in headers if name != "content-encoding"], plain
