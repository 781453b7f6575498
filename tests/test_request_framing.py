"""How the mock and the proxy read where one request ends and what it asks, over real sockets: a request naming two
hosts, one offering an upgrade this API does not have, and many sent at once on one connection."""

from __future__ import annotations

import contextlib
import json
import select
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import DOCUMENTED_USER, RunningMock
from tests.toy_servers import KNOWN_USER
from tests.upstreams import MOCK_KEY, PATH, raw, served, upstream


def known(kind: str) -> bytes:
    """A body asking for a user the mock (its bundled fixtures) or the proxy's upstream (the toy) knows."""
    return json.dumps({"abstractUserId": DOCUMENTED_USER if kind == "mock" else KNOWN_USER}).encode()


def post(body: bytes, *extra_headers: str) -> bytes:
    """The operation, with the mock's key, `extra_headers` and `connection: close`."""
    lines = [
        f"POST {PATH} HTTP/1.1",
        *extra_headers,
        f"sivi-api-key: {MOCK_KEY}",
        "content-type: application/json",
        f"content-length: {len(body)}",
        "connection: close",
    ]
    return "\r\n".join(lines).encode() + b"\r\n\r\n" + body


def split(answer: bytes) -> tuple[bytes, dict[str, object]]:
    """The status line and the envelope of an answer in the API's envelope."""
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower(), f"not the API's envelope:\n{answer[:300]!r}"
    return head.split(b"\r\n", 1)[0], json.loads(body)


@pytest.mark.parametrize("kind", ["mock", "proxy"])
def test_two_hosts_is_400(kind):
    """Two Host headers get 400 in the envelope and reach nothing."""
    with served(kind) as (server, relayed):
        one = raw(server, post(known(kind), "host: 127.0.0.1"))
        two = raw(server, post(known(kind), "host: 127.0.0.1", "host: evil.example"))
        entries = httpx.get(server.url + "/__mock/journal").json()["body"]["requests"]

    assert split(one)[0] == b"HTTP/1.1 200 OK", one[:300]
    status, envelope = split(two)
    assert status == b"HTTP/1.1 400 Bad Request", two[:300]
    assert envelope == {
        "status": 400,
        "body": {"message": "the request has 2 Host headers; HTTP/1.1 allows one; the connection is closed"},
    }
    assert [entry["status"] for entry in entries] == [200], "the request naming two hosts reached the journal"
    assert len(relayed) == (1 if kind == "proxy" else 0), "the request naming two hosts reached the upstream"


OFFERS = {
    "h2c": ("connection: Upgrade, HTTP2-Settings", "upgrade: h2c", "http2-settings: AAMAAABkAARAAAAAAAIAAAAA"),
    "websocket": (
        "connection: Upgrade",
        "upgrade: websocket",
        "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-version: 13",
    ),
}


def offering(body: bytes, offer: str) -> bytes:
    """The operation offering an upgrade, kept alive (its `Connection` names the upgrade, not `close`)."""
    lines = [
        f"POST {PATH} HTTP/1.1",
        "host: 127.0.0.1",
        *OFFERS[offer],
        f"sivi-api-key: {MOCK_KEY}",
        "content-type: application/json",
        f"content-length: {len(body)}",
    ]
    return "\r\n".join(lines).encode() + b"\r\n\r\n" + body


@pytest.mark.parametrize("offer", OFFERS)
@pytest.mark.parametrize("kind", ["mock", "proxy"])
def test_upgrade_is_ignored(kind, offer):
    """An Upgrade offered on a POST is ignored, and the body sent is the body read."""
    body = known(kind)
    with served(kind) as (server, relayed):
        # The offer, then a plain request on the same connection, in one write: both are read as HTTP/1.1.
        answers = raw(server, offering(body, offer) + post(body, "host: 127.0.0.1"))

    first, second = answers.split(b"HTTP/1.1 ")[1:]
    assert first.startswith(b"200 OK"), answers[:600]
    assert second.startswith(b"200 OK"), answers[:600]
    assert b'"status":200' in first and b"creditBalance" in first, first[:400]
    if kind == "proxy":
        assert [seen.body for seen in relayed] == [body, body], "the upstream got another body than the one sent"
        assert "upgrade" not in relayed[0].headers, relayed[0].headers


@pytest.mark.parametrize("kind", ["mock", "proxy"])
def test_connect_is_400(kind):
    """CONNECT gets 400 in the envelope and reaches nothing."""
    with served(kind) as (server, relayed):
        answer = raw(server, b"CONNECT 127.0.0.1:443 HTTP/1.1\r\nhost: 127.0.0.1:443\r\n\r\n")

    status, envelope = split(answer)
    assert status == b"HTTP/1.1 400 Bad Request", answer[:300]
    assert envelope["body"] == {
        "message": "this API has no CONNECT and no other protocol to upgrade to; the connection is closed"
    }
    assert relayed == []


HEALTH = b"GET /__mock/health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n"
_LOOKUP = json.dumps({"abstractUserId": DOCUMENTED_USER}).encode()
# The operation with the bundled key: the mock answers it on its fast path, as it is parsed, so it never waits in
# uvicorn's pipeline; only its answer's bytes wait, unsent, when the client does not read.
OPERATION = (
    f"POST {PATH} HTTP/1.1\r\nhost: 127.0.0.1\r\nsivi-api-key: {MOCK_KEY}\r\ncontent-type: application/json\r\n"
    f"content-length: {len(_LOOKUP)}\r\n\r\n"
).encode() + _LOOKUP
PIPELINED = 200_000  # 9.6 MB in one write: more than the sockets between client and server hold


def resident_mb(pid: int) -> float:
    """The memory a process holds (VmRSS), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) / 1024


def sent_until_refused(connection: socket.socket, payload: bytes) -> int:
    """Send `payload` without reading until the peer takes no more for a second: the bytes it took."""
    connection.setblocking(False)
    view, sent = memoryview(payload), 0
    while sent < len(payload) and select.select([], [connection], [], 1.0)[1]:
        with contextlib.suppress(BlockingIOError):
            sent += connection.send(view[sent : sent + 65536])
    connection.setblocking(True)
    return sent


def answers_read(connection: socket.socket, count: int) -> int:
    """Read until `count` answers of 200 have come (or 10 s of silence): how many did."""
    connection.settimeout(10)
    seen, tail = 0, b""
    with contextlib.suppress(TimeoutError):
        while seen < count and (chunk := connection.recv(1 << 20)):
            seen += (tail + chunk).count(b"HTTP/1.1 200 OK")
            tail = chunk[-14:]  # a byte short of a status line: one cut in two counts once, a whole one never twice
    return seen


@pytest.fixture
def server_process(request) -> Iterator[RunningMock]:
    """`sivi-mock` in a process of its own (its memory is its own), or a proxy in front of a toy upstream."""
    with contextlib.ExitStack() as stack:
        if request.param == "proxy":
            up, _ = stack.enter_context(upstream())
            process = RunningMock("--proxy", up.url)
        else:
            process = RunningMock()
        stack.callback(process.stop)
        yield process


@pytest.mark.parametrize(
    ("server_process", "request_bytes"),
    [("mock", HEALTH), ("mock", OPERATION), ("proxy", HEALTH)],
    ids=["mock", "mock fast path", "proxy"],
    indirect=["server_process"],
)
def test_pipelining_is_bounded(server_process, request_bytes):
    """Requests pipelined without reading the answers cost a bounded amount."""
    server = server_process
    with socket.create_connection(("127.0.0.1", server.port)) as reading:
        # 1,000 in one write, their answers read as they come: each is answered, those held back once others are.
        reading.sendall(request_bytes * 1000)
        assert answers_read(reading, 1000) == 1000, "pipelined requests were left unanswered"
    before = resident_mb(server.process.pid)

    with socket.create_connection(("127.0.0.1", server.port)) as not_reading:
        taken = sent_until_refused(not_reading, request_bytes * PIPELINED)
        grown = resident_mb(server.process.pid) - before
        others = httpx.get(server.url + "/__mock/health", timeout=10)

    assert taken < len(request_bytes) * PIPELINED, "the server read every request without any answer being read"
    assert grown < 20, f"the server grew {grown:.0f} MB holding the requests of one connection that reads nothing"
    assert others.status_code == 200, "another client was not answered meanwhile"
