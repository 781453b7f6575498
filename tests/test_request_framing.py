"""How the mock and the proxy read where one request ends and what it asks, over real sockets: a request naming two
hosts, one offering an upgrade this API does not have, and many sent at once on one connection."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.helpers import DOCUMENTED_USER
from tests.toy_servers import KNOWN_USER
from tests.upstreams import MOCK_KEY, PATH, raw, served


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
def test_two_host_headers_get_400_in_the_envelope_and_reach_nothing(kind):
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
def test_an_upgrade_offered_on_a_post_is_ignored_and_the_body_sent_is_the_body_read(kind, offer):
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
def test_connect_gets_400_in_the_envelope_and_reaches_nothing(kind):
    with served(kind) as (server, relayed):
        answer = raw(server, b"CONNECT 127.0.0.1:443 HTTP/1.1\r\nhost: 127.0.0.1:443\r\n\r\n")

    status, envelope = split(answer)
    assert status == b"HTTP/1.1 400 Bad Request", answer[:300]
    assert envelope["body"] == {
        "message": "this API has no CONNECT and no other protocol to upgrade to; the connection is closed"
    }
    assert relayed == []
