"""Half-sent requests have a deadline, in the mock and the proxy alike: a client that starts a request and stops
gets 408 and loses its connection; a client that connects and sends nothing is disconnected; others are served."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from mock_server.app import create_app
from mock_server.serving.background import BackgroundServer
from mock_server.serving.protocol import with_request_deadline
from tests.upstreams import PATH, proxy_app, upstream

DEADLINE = 0.5
HALF_HEADERS = f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n".encode()
HALF_BODY = HALF_HEADERS + b'content-length: 100\r\nsivi-api-key: mock-admin-key\r\n\r\n{"abstractUserId": '


@contextlib.contextmanager
def served(kind: str) -> Iterator[BackgroundServer]:
    protocol = with_request_deadline(DEADLINE)
    if kind == "mock":
        with BackgroundServer(create_app(), http=protocol) as server:
            yield server
        return
    with upstream() as (up, _), BackgroundServer(proxy_app(up.url, real_key=True), http=protocol) as server:
        yield server


def wait_for_close(connection: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and how long that took."""
    began, received = time.monotonic(), b""
    connection.settimeout(DEADLINE * 10)
    while chunk := connection.recv(65536):
        received += chunk
    return received, time.monotonic() - began


@pytest.mark.parametrize("kind", ["mock", "proxy"])
@pytest.mark.parametrize("sent", [HALF_HEADERS, HALF_BODY], ids=["half the headers", "half the body"])
def test_half_request_is_408(kind, sent):
    """A half-sent request gets 408 at the deadline while others are served."""
    with served(kind) as server:
        stalled = [socket.create_connection((server.host, server.port)) for _ in range(20)]
        for connection in stalled:
            connection.sendall(sent)
        served_meanwhile = httpx.post(
            server.url + PATH, json={"abstractUserId": "nobody"}, headers={"sivi-api-key": "mock-admin-key"}
        )
        received, took = wait_for_close(stalled[0])
        for connection in stalled:
            connection.close()

    assert served_meanwhile.status_code == 400, served_meanwhile.text
    assert received.startswith(b"HTTP/1.1 408 "), received[:200]
    assert b'"status":408' in received and b"not complete within 0.5 s" in received
    assert took < DEADLINE + 2, f"the half-sent request was held {took:.1f} s; the deadline is {DEADLINE} s"


def test_silent_connection_closed():
    """A connection that sends nothing is closed without an answer."""
    with served("mock") as server, socket.create_connection((server.host, server.port)) as idle:
        received, took = wait_for_close(idle)
    assert received == b"" and took < DEADLINE + 2


def test_slow_answer_not_cut():
    with served("mock") as server:
        answer = httpx.post(
            server.url + PATH,
            json={"abstractUserId": "281743-2322-34i44sd3-dkfjgdkjf292"},
            headers={"sivi-api-key": "mock-admin-key", "prefer": f"delay={int(DEADLINE * 2000)}"},
            timeout=10,
        )
    assert answer.status_code == 200


def test_next_request_gets_whole_deadline():
    # The deadline runs from a request's first byte, not from the connection's or an earlier request's.
    deadline = 0.6
    body = b'{"abstractUserId": "nobody"}'
    request = (
        f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nsivi-api-key: mock-admin-key\r\n"
        f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    ).encode() + body
    with (
        BackgroundServer(create_app(), http=with_request_deadline(deadline)) as server,
        socket.create_connection((server.host, server.port)) as connection,
    ):
        connection.sendall(request)
        assert connection.recv(65536).startswith(b"HTTP/1.1 400 "), "the first request must be answered"
        time.sleep(deadline * 2 / 3)
        connection.sendall(HALF_BODY)
        connection.settimeout(deadline / 2)
        with pytest.raises(TimeoutError):
            cut = connection.recv(65536)
            pytest.fail(f"the next request was cut before its own deadline: {cut[:80]!r}")
        received, _ = wait_for_close(connection)
    assert received.startswith(b"HTTP/1.1 408 "), received[:200]
