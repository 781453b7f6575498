"""The proxy's one client: HTTP/1.1 to the configured upstream only, pooled, bounded in time and size.

A small client of its own on asyncio and httptools (the parser uvicorn already serves with): measured with
`python -m bench.proxy --libraries`, aiohttp's and httpx's clients cost several times the CPU per request, and
on a proxy the client is most of the work (docs/performance.md). Every fault of the upstream comes back as an
`UpstreamError` whose `kind` (`UpstreamError.Kind`) says which, with a cause for a person.

Each connection is an `UpstreamConnection` (`upstream_connection`): this module pools them, writes the request,
bounds the exchange in time, undoes the answer's content coding and names each fault.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from mock_server.errors import ProxySetupError, UpstreamClosed, UpstreamError
from mock_server.proxy.content_coding import decoded
from mock_server.proxy.upstream_connection import MAX_ANSWER_BYTES, UpstreamConnection
from mock_server.settings import proxy_url_problem
from mock_server.types import TextHeaders

Kind = UpstreamError.Kind
MAX_CONNECTIONS = 100


@dataclass(frozen=True)
class UpstreamAnswer:
    status: int
    headers: TextHeaders
    body: bytes
    elapsed: float


class Upstream:
    """`await upstream.send(method, headers, body)` → `UpstreamAnswer`, or `UpstreamError`.

    The URL is fixed when the proxy starts (the configured base + the operation's path): nothing in a request
    can make the proxy contact another host. Redirects are answers, never followed.
    """

    def __init__(self, base_url: str, path: str, *, timeout: float, insecure: bool = False) -> None:
        problem = proxy_url_problem(base_url)
        if problem is not None:
            raise ProxySetupError(problem)
        parts = urlsplit(base_url.rstrip("/") + path)
        assert parts.hostname is not None
        self.url = parts.geturl()
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.target = parts.path or "/"
        self.timeout = timeout
        self._host_header = parts.netloc.encode("idna")
        self._tls: ssl.SSLContext | None = None
        if parts.scheme == "https":
            self._tls = ssl.create_default_context()
            if insecure:
                self._tls.check_hostname = False
                self._tls.verify_mode = ssl.CERT_NONE
        self._idle: list[UpstreamConnection] = []
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
            answer_headers, content = decoded(answer_headers, content, MAX_ANSWER_BYTES)
        except TimeoutError:
            cause = f"no complete answer from {self.origin} within {self.timeout:g} s"
            raise UpstreamError(Kind.TIMEOUT, cause) from None
        except UpstreamError as error:
            raise UpstreamError(error.kind, f"{self.origin}: {error.cause}") from None
        except UpstreamClosed as closed:
            what = "reset the connection" if closed.reset else "closed the connection"
            cause = f"{what} in the middle of its answer" if closed.answered else f"{what} without answering"
            kind = Kind.RESET if closed.reset else Kind.CLOSED
            raise UpstreamError(kind, f"{self.origin} {cause}") from None
        except OSError as error:
            raise self._connect_error(error) from None
        return UpstreamAnswer(status, answer_headers, content, time.monotonic() - began)

    async def _exchange(self, request: bytes) -> tuple[int, TextHeaders, bytes]:
        pooled = self._pooled()
        if pooled is not None:
            try:
                return await self._use(pooled, request)
            except UpstreamClosed as closed:
                # The keep-alive race: the upstream closed the idle connection as the request went out. Sent again
                # once, on a fresh connection (the operation only reads); a fresh connection's failure never is.
                if closed.answered:
                    raise
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(
            UpstreamConnection, self.host, self.port, ssl=self._tls, server_hostname=self.host if self._tls else None
        )
        return await self._use(connection, request)

    def _pooled(self) -> UpstreamConnection | None:
        """The most recently used idle connection that can still be used; the unusable ones are closed."""
        while self._idle:
            connection = self._idle.pop()
            if connection.reusable:
                return connection
            connection.close()
        return None

    async def _use(self, connection: UpstreamConnection, request: bytes) -> tuple[int, TextHeaders, bytes]:
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

    def _connect_error(self, error: OSError) -> UpstreamError:
        if isinstance(error, socket.gaierror):
            cause = f"unknown host {self.host!r} (DNS lookup failed: {error.strerror})"
            return UpstreamError(Kind.UNKNOWN_HOST, cause)
        if isinstance(error, ssl.SSLCertVerificationError):
            cause = f"TLS failure with {self.origin}: the certificate is not trusted ({error.verify_message})"
            return UpstreamError(Kind.TLS, cause)
        if isinstance(error, ssl.SSLError):
            return UpstreamError(Kind.TLS, f"TLS failure with {self.origin}: {error.reason or error}")
        if isinstance(error, ConnectionRefusedError):
            return UpstreamError(Kind.REFUSED, f"{self.origin} refused the connection")
        if isinstance(error, ConnectionResetError):
            return UpstreamError(Kind.RESET, f"{self.origin} reset the connection")
        return UpstreamError(Kind.CONNECT, f"cannot connect to {self.origin}: {error.strerror or error}")
