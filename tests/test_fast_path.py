"""The fast path (answers compiled ahead, written by the kit's server without entering ASGI) never changes an answer:
the same requests, sent to a mock with it and to one forced onto the ASGI path (`--no-fast-path`), get the same
status, headers (less `date`), body bytes and journal entry, whatever accounts the admin API adds, changes or
resets between them."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server.app import create_app
from mock_server.serving.background import BackgroundServer
from mock_server.settings import Settings
from tests.helpers import DOCUMENTED_USER, PATH

DOCUMENTED_BODY = json.dumps({"abstractUserId": DOCUMENTED_USER}).encode()
BODY_LIMIT = 2048  # small, so that bodies at the bound stay cheap to send
IDS = [DOCUMENTED_USER, "user-12345", "deleted-user", "server-error-user", "flaky-user", "no-such-user", "rt-1"]
WORKSPACES = ["workspace-acme-design", "workspace-outage", "no-such-workspace", "rt-w"]
# The key headers and content types a request sends: mostly the plain case the fast path takes, then the rest.
KEYS = [["mock-admin-key"]] * 4 + [["mock-regular-key"], ["not-a-key"], [""], [], ["mock-admin-key"] * 2]
CONTENT_TYPES = [["application/json"]] * 3 + [
    ["application/json; charset=utf-8"],
    ["APPLICATION/JSON"],
    ["text/plain"],
    [],
    ["application/json"] * 2,
]
# What the admin API may put in place of an account (delays are left out: they only cost time).
ACCOUNTS = [
    {},
    {"status": 400, "message": "gone"},
    {"status": 500},
    {"fault": "gateway-502"},
    {"sequence": [{}, {"status": 500}]},
]


class Mock:
    """One of the two mocks under comparison, and a client for its admin API."""

    def __init__(self, server: BackgroundServer) -> None:
        self.server, self.port = server, server.port
        self.admin = httpx.Client(base_url=server.url)

    def last_entry(self) -> dict[str, object] | None:
        """The journal's last entry, less its id and time; None while it is empty (a request the server refused
        before the app, such as one with two `Host` headers, reaches no journal on either path)."""
        entries = self.admin.get("/__mock/journal?limit=1").json()["body"]["requests"]
        if not entries:
            return None
        return {name: value for name, value in entries[-1].items() if name not in ("id", "time")}

    def change(self, what: Change) -> int:
        section, account_id, account = what
        if section == "reset":
            return self.admin.post("/__mock/reset").status_code
        return self.admin.put(f"/__mock/{section}/{account_id}", json=account).status_code

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def served(self) -> dict[str, object]:
        served: dict[str, object] = self.admin.get("/__mock/health").json()["body"]["served"]
        return served


@pytest.fixture(scope="module")
def two_mocks() -> Iterator[tuple[Mock, Mock]]:
    fast = create_app(Settings(port=0, body_limit=BODY_LIMIT))
    asgi = create_app(Settings(port=0, body_limit=BODY_LIMIT, no_fast_path=True))
    with BackgroundServer(fast) as fast_server, BackgroundServer(asgi) as asgi_server:
        mocks = Mock(fast_server), Mock(asgi_server)
        yield mocks
        for mock in mocks:
            mock.admin.close()


def spelled(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from([name, name.upper(), name.title()])


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["user", "workspace", "both", "neither", "extra", "not json", "array", "twice", "big"]))
    user, workspace = draw(st.sampled_from(IDS)), draw(st.sampled_from(WORKSPACES))
    spacing = draw(st.sampled_from([(",", ":"), (", ", ": ")]))
    data: object = {
        "user": {"abstractUserId": user},
        "workspace": {"workspaceId": workspace},
        "both": {"abstractUserId": user, "workspaceId": workspace},
        "neither": {},
        "extra": {"abstractUserId": user, "colour": "blue"},
        "array": [user],
        "big": {"abstractUserId": user, "padding": "x" * draw(st.integers(BODY_LIMIT - 60, BODY_LIMIT - 20))},
    }.get(kind, {})
    if kind == "not json":
        return b'{"abstractUserId": '
    if kind == "twice":
        return f'{{"abstractUserId": "{user}", "abstractUserId": "{user}"}}'.encode()
    return json.dumps(data, separators=spacing).encode()


@st.composite
def requests(draw: st.DrawFn) -> bytes:
    body = draw(bodies())
    headers: list[tuple[str, str]] = [("Host", "127.0.0.1")]
    for key in draw(st.sampled_from(KEYS)):
        headers.append((draw(spelled("sivi-api-key")), key))
    for content_type in draw(st.sampled_from(CONTENT_TYPES)):
        headers.append((draw(spelled("content-type")), content_type))
    extra = draw(
        st.sampled_from(
            [
                None,
                None,
                ("Prefer", "code=500"),
                ("Origin", "http://localhost:5173"),
                ("Host", "127.0.0.1:1"),  # a second Host
                ("Upgrade", "h2c"),
            ]
        )
    )
    if extra is not None:
        headers.append(extra)
    headers.append(("Content-Length", str(len(body))))
    headers = draw(st.permutations(headers))
    separator = draw(st.sampled_from([": ", ":", ":   "]))
    target = draw(st.sampled_from([PATH, PATH, PATH, PATH + "?trace=1"]))
    head = "".join(f"{name}{separator}{value}\r\n" for name, value in headers)
    return f"POST {target} HTTP/1.1\r\n{head}\r\n".encode() + body


# An admin-API change between requests: an account put in place (or replaced), or everything reset.
Change = tuple[str, str, dict[str, object]]
changes: st.SearchStrategy[Change] = st.one_of(
    st.tuples(
        st.sampled_from(["users", "workspaces"]),
        st.sampled_from(["rt-1", "rt-w", "user-12345"]),
        st.sampled_from(ACCOUNTS),
    ),
    st.just(("reset", "", {})),
)


def exchange(connection: socket.socket, request: bytes) -> tuple[list[bytes], bytes]:
    """The answer's head lines less `date`, and its body, on a keep-alive connection."""
    connection.sendall(request)
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(65536)
        assert chunk, f"the connection closed before an answer; it sent {received!r}"
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = next(int(line.split(b":")[1]) for line in lines if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += connection.recv(65536)
    return [line for line in lines if not line.lower().startswith(b"date:")], body


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.one_of(requests(), changes), min_size=1, max_size=5))
def test_fast_path_matches_asgi(two_mocks, steps):
    """The fast path and the ASGI path give the same answer and journal entry."""
    fast, asgi = two_mocks
    # One keep-alive connection each, every request sent twice: a request repeated on a connection is answered
    # from its bytes alone, and that must not change its answer either.
    to_fast, to_asgi = fast.connect(), asgi.connect()
    try:
        for step in steps:
            if isinstance(step, tuple):
                assert fast.change(step) == asgi.change(step), f"the admin API answered {step} differently"
                continue
            for _ in range(2):
                answers = exchange(to_fast, step), exchange(to_asgi, step)
                assert answers[0] == answers[1], f"the two paths answered differently:\n{step!r}"
                assert fast.last_entry() == asgi.last_entry(), f"the two paths journaled differently:\n{step!r}"
                if b"connection: close" in answers[0][0]:  # the server closed both (two `Host` headers): anew
                    to_fast.close(), to_asgi.close()
                    to_fast, to_asgi = fast.connect(), asgi.connect()
                    break
    finally:
        to_fast.close(), to_asgi.close()


def test_health_counts_each_path(two_mocks):
    """Health counts the requests each path took, and the forced mock takes none fast."""
    fast, asgi = two_mocks
    plain = {"sivi-api-key": "mock-admin-key", "Host": "127.0.0.1"}
    for mock in two_mocks:
        mock.change(("reset", "", {}))
        mock.admin.post(PATH, json={"abstractUserId": DOCUMENTED_USER}, headers=plain)
        mock.admin.post(PATH, json={"abstractUserId": DOCUMENTED_USER}, headers={**plain, "Prefer": "code=500"})
    assert fast.served() == {"fastPath": 1, "asgi": 1, "fastPathOffBy": None}, "Prefer must go through ASGI"
    assert asgi.served() == {"fastPath": 0, "asgi": 2, "fastPathOffBy": "--no-fast-path"}


def test_fast_connection_keep_alive():
    """A connection answered from known requests stays open while used and closes once idle past keep-alive."""
    app = create_app(Settings(port=0))
    request = (
        f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nsivi-api-key: mock-admin-key\r\n"
        f"content-type: application/json\r\ncontent-length: {len(DOCUMENTED_BODY)}\r\n\r\n"
    ).encode() + DOCUMENTED_BODY
    with (
        BackgroundServer(app, timeout_keep_alive=0.5) as server,
        socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection,
    ):
        for _ in range(12):  # 1.2 s of requests, 0.1 s apart: more than twice the keep-alive time in all
            assert exchange(connection, request)[0][0] == b"HTTP/1.1 200 OK", "a connection in use must stay open"
            time.sleep(0.1)
        time.sleep(1.5)
        assert connection.recv(1) == b"", "a connection idle past the keep-alive time must be closed"
    assert app.state.mock.served["fast path"] == 12
