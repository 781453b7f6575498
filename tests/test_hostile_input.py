"""A misbehaving client never breaks the mock: bad bytes get the envelope, and the mock keeps serving."""

from __future__ import annotations

import hashlib
import json
import socket
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from mock_server.app import create_app
from mock_server.serving.background import BackgroundServer
from mock_server.spec.fixtures import BUNDLED_FIXTURES
from tests.helpers import DOCUMENTED_USER, PATH, CheckedClient


def raw_exchange(port: int, request: bytes, *, then_send: bytes = b"", timeout: float = 5.0) -> bytes:
    """Send bytes as a client would put them on the wire; return what the mock answered (up to the close)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(request)
        if then_send:
            connection.sendall(then_send)
        answer = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = connection.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            answer += chunk
            if b"\r\n\r\n" in answer and _complete(answer):
                break
        return answer


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def status_and_envelope(answer: bytes) -> tuple[int, dict]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    envelope = json.loads(body)
    assert envelope["status"] == status, f"envelope {envelope['status']} for HTTP {status}"
    return status, envelope


def head(headers: list[tuple[str, str]], method: str = "POST", path: str = PATH) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"] + [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


ADMIN_JSON = [("sivi-api-key", "mock-admin-key"), ("Content-Type", "application/json")]


@pytest.fixture(scope="module")
def mock():
    with BackgroundServer(create_app()) as server:
        yield server


@pytest.fixture(autouse=True)
def still_serving(mock):
    """After every hostile request, the documented user still gets its 200."""
    yield
    with CheckedClient(mock.url) as client:
        assert client.analyze({"abstractUserId": DOCUMENTED_USER}).status_code == 200, "the mock stopped serving"


def test_declared_10_mb_is_413(mock):
    """A declared 10 MB body gets 413 before it is sent."""
    answer = raw_exchange(mock.port, head([*ADMIN_JSON, ("Content-Length", str(10 * 1024 * 1024))]))
    assert status_and_envelope(answer)[0] == 413


def test_real_10_mb_is_413(mock):
    body = b'{"abstractUserId": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    answer = raw_exchange(mock.port, head([*ADMIN_JSON, ("Content-Length", str(len(body)))]) + body, timeout=10)
    assert status_and_envelope(answer)[0] == 413


def test_endless_body_is_413(mock):
    """A body that never ends gets 413 once past the limit."""
    # Chunked with no last chunk: the mock must stop reading at its bound, not buffer forever.
    chunk = b"%x\r\n%s\r\n" % (8192, b" " * 8192)
    answer = raw_exchange(mock.port, head([*ADMIN_JSON, ("Transfer-Encoding", "chunked")]), then_send=chunk * 12)
    assert status_and_envelope(answer)[0] == 413


def test_truncated_body_no_hang(mock):
    body = b'{"abstractUserId": "281743'
    with socket.create_connection(("127.0.0.1", mock.port), timeout=5) as connection:
        connection.sendall(head([*ADMIN_JSON, ("Content-Length", "200")]) + body)
        # the client gives up half-way: closing the socket must not leave the mock stuck


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000,  # 100,000 levels: past the size limit
        b'{"a":' * 10_000 + b"1" + b"}" * 10_000,  # deep, within the size limit
        b'{"abstractUserId": "a", "n": Infinity}',
        b'{"abstractUserId": "a", "n": -Infinity}',
        b'{"abstractUserId": "a", "n": ' + b"9" * 5000 + b"}",
        b'{"abstractUserId": "a\x00b"}',
        b"\xff\xfe{\x00}\x00",
        b"",
        b"null",
    ],
)
def test_hostile_json_422_or_413(mock, content):
    answer = raw_exchange(mock.port, head([*ADMIN_JSON, ("Content-Length", str(len(content)))]) + content)
    assert status_and_envelope(answer)[0] in (413, 422)


def test_two_content_types_is_422(mock):
    body = b'{"abstractUserId": "user-12345"}'
    headers = [*ADMIN_JSON, ("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
    assert status_and_envelope(raw_exchange(mock.port, head(headers) + body))[0] == 422


@pytest.mark.parametrize(
    "user_id",
    ["../../etc/passwd", "../fixtures/keys", "/etc/shadow", "users.yaml", "a\x00b", "\x1b[31mred", "C:\\boot.ini"],
)
def test_ids_never_touch_files(mock, user_id):
    before = _fingerprint(BUNDLED_FIXTURES)
    with CheckedClient(mock.url) as client:
        assert client.analyze({"abstractUserId": user_id}).status_code == 400
        assert client.analyze({"workspaceId": user_id}).status_code == 400
        assert client.put(f"/__mock/users/{quote(user_id, safe='')}", json={"status": 500}).status_code == 201
        assert client.analyze({"abstractUserId": user_id}).status_code == 500  # an id, nothing more
        client.post("/__mock/reset")
    assert _fingerprint(BUNDLED_FIXTURES) == before, "a request changed the fixture files"


@pytest.mark.parametrize(
    ("method", "path", "content"),
    [
        ("PUT", "/__mock/users/u", b"\xff\xfe"),
        ("PUT", "/__mock/users/u", b"[" * 50_000),
        ("PUT", "/__mock/users/u", b'{"analysis": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
        ("PUT", "/__mock/workspaces/w", b'"just a string"'),
        ("PUT", "/__mock/users/u", b"x" * (2 * 1024 * 1024)),
        ("POST", "/__mock/journal", b"{}"),
        ("GET", "/__mock/journal?limit=-1", b""),
        ("GET", "/__mock/journal?limit=abc", b""),
        ("DELETE", "/__mock/reset", b""),
    ],
)
def test_admin_refuses_with_4xx(mock, method, path, content):
    with CheckedClient(mock.url) as client:
        response = client.request(method, path, content=content)
    assert 400 <= response.status_code < 500, response.text


def _fingerprint(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}
