"""`sivi-mock --proxy`: what is relayed, what stays local, what the upstream sees, and that it is no open proxy."""

from __future__ import annotations

import gzip
import json
import logging
import socket

import httpx
from starlette.responses import RedirectResponse, Response

from tests.toy_servers import KNOWN_WORKSPACE, CorrectWithOtherChoices, Toy
from tests.upstreams import MOCK_KEY, PATH, REAL_KEY, known_user_body, proxy, upstream

DOCUMENTED_USER = "281743-2322-34i44sd3-dkfjgdkjf292"  # in the mock's fixtures, unknown to the toy upstream


def post(url: str, body: object, key: str | None = MOCK_KEY, **headers: str) -> httpx.Response:
    sent = {"sivi-api-key": key, **headers} if key is not None else headers
    return httpx.post(url + PATH, json=body, headers=sent, timeout=10)


def test_answer_relayed_unchanged():
    """The upstream's answer comes back unchanged, and the caller's key is forwarded as sent."""
    with upstream() as (up, watched), proxy(up.url) as px:
        direct = post(up.url, known_user_body(), key=REAL_KEY)
        relayed = post(px.url, known_user_body(), key=REAL_KEY)
        unknown = post(px.url, {"abstractUserId": "nobody"}, key=REAL_KEY)

    assert (relayed.status_code, relayed.content) == (200, direct.content)
    assert relayed.headers["content-type"] == direct.headers["content-type"]
    assert (unknown.status_code, unknown.json()["body"]["message"]) == (400, "User does not exist")
    assert [seen.headers["sivi-api-key"] for seen in watched.seen] == [REAL_KEY] * 3
    assert {seen.path for seen in watched.seen} == {PATH}


def test_upstream_key_env_swaps_keys(caplog):
    """With --upstream-key-env callers use the mock's key and the upstream sees only the real one."""
    caplog.set_level(logging.DEBUG)
    with upstream() as (up, watched), proxy(up.url, real_key=True) as px:
        answered = post(px.url, known_user_body())
        refused = {
            "no key": post(px.url, known_user_body(), key=None),
            "unknown key": post(px.url, known_user_body(), key="guessed-key-0000000000"),
            "regular key": post(px.url, known_user_body(), key="mock-regular-key"),
            "the real key": post(px.url, known_user_body(), key=REAL_KEY),
        }
        journal = httpx.get(px.url + "/__mock/journal").text

    assert answered.status_code == 200, answered.text
    assert {name: r.status_code for name, r in refused.items()} == dict.fromkeys(refused, 401)
    assert len(watched.seen) == 1, "a request the mock refused reached the upstream"
    assert watched.seen[0].headers["sivi-api-key"] == REAL_KEY
    assert REAL_KEY not in journal and REAL_KEY not in caplog.text, "the real key was written unmasked"


def test_mock_only_requests_stay():
    """Prefer, other methods, the admin API and the docs are never forwarded."""
    with upstream() as (up, watched), proxy(up.url) as px:
        prefer = post(px.url, known_user_body(), prefer="code=500")
        local_user = post(px.url, {"abstractUserId": DOCUMENTED_USER}, prefer="code=200")
        get = httpx.get(px.url + PATH)
        health = httpx.get(px.url + "/__mock/health")
        docs = httpx.get(px.url + "/openapi.json")
        elsewhere = httpx.post(px.url + "/enterprise/other", json={}, headers={"sivi-api-key": MOCK_KEY})

    assert prefer.status_code == 500 and local_user.status_code == 200
    assert (get.status_code, health.status_code, docs.status_code, elsewhere.status_code) == (405, 200, 200, 404)
    assert watched.seen == [], f"the upstream was asked: {[(s.method, s.path) for s in watched.seen]}"


def test_fixtures_first():
    """--fixtures-first answers known ids from the mock and the rest from upstream."""
    with upstream() as (up, watched), proxy(up.url, fixtures_first=True, real_key=True) as px:
        httpx.put(px.url + "/__mock/users/forced-outage", json={"status": 500}).raise_for_status()
        from_fixture = post(px.url, {"abstractUserId": DOCUMENTED_USER})
        from_admin = post(px.url, {"abstractUserId": "forced-outage"})
        from_upstream = post(px.url, known_user_body())
        workspace = post(px.url, {"workspaceId": KNOWN_WORKSPACE})

    assert from_fixture.status_code == 200 and "sivi-contract" not in from_fixture.headers
    assert from_admin.status_code == 500
    assert from_upstream.status_code == 200 and from_upstream.headers["sivi-contract"] == "conforms"
    assert workspace.status_code == 200
    assert [json.loads(seen.body) for seen in watched.seen] == [known_user_body(), {"workspaceId": KNOWN_WORKSPACE}]


class HopByHopHeaders(Toy):
    def answer(self, status: int, body: object, headers: dict[str, str] | None = None) -> Response:
        hops = {"connection": "x-upstream-hop", "x-upstream-hop": "1", "x-upstream-end-to-end": "kept"}
        return super().answer(status, body, {**hops, **(headers or {})})


def test_hop_by_hop_not_relayed():
    with upstream(HopByHopHeaders()) as (up, watched), proxy(up.url, real_key=True) as px:
        answer = post(
            px.url,
            known_user_body(),
            connection="keep-alive, x-private-hop",
            **{"x-private-hop": "1", "keep-alive": "timeout=5", "te": "trailers", "x-end-to-end": "kept"},
        )

    assert answer.status_code == 200
    sent = watched.seen[0].headers
    assert sent["x-end-to-end"] == "kept"
    leaked = {"x-private-hop", "keep-alive", "te", "prefer"} & set(sent)
    assert not leaked, f"hop-by-hop headers reached the upstream: {leaked}"
    assert sent["host"] == up.url.removeprefix("http://"), "the upstream got the caller's Host"
    returned = {"x-upstream-hop", "keep-alive"} & set(answer.headers)
    assert not returned, f"the upstream's hop-by-hop headers reached the caller: {returned}"
    assert answer.headers["x-upstream-end-to-end"] == "kept"


def test_no_open_proxy():
    """No open proxy: Host and absolute-form targets cannot choose another server."""
    with upstream() as (up, watched), upstream() as (elsewhere, elsewhere_seen), proxy(up.url, real_key=True) as px:
        body = json.dumps(known_user_body()).encode()
        other = elsewhere.url.removeprefix("http://")
        requests = [
            f"POST http://{other}{PATH} HTTP/1.1\r\nHost: {other}\r\n",  # absolute-form target
            f"POST {PATH} HTTP/1.1\r\nHost: {other}\r\n",  # another Host
        ]
        statuses = []
        for head in requests:
            raw = (
                f"{head}sivi-api-key: {MOCK_KEY}\r\ncontent-type: application/json\r\n"
                f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
            ).encode() + body
            with socket.create_connection((px.host, px.port), timeout=5) as connection:
                connection.sendall(raw)
                statuses.append(connection.recv(65536).split(b" ", 2)[1])
        traversal = httpx.post(px.url + PATH + "/../../elsewhere", json=known_user_body())

    assert statuses == [b"200", b"200"]
    assert len(watched.seen) == 2 and elsewhere_seen.seen == [], "a request chose the server it was sent to"
    assert traversal.status_code == 404


def test_upstream_connections_pooled():
    with upstream() as (up, watched), proxy(up.url, real_key=True) as px, httpx.Client() as client:
        for _ in range(20):
            client.post(px.url + PATH, json=known_user_body(), headers={"sivi-api-key": MOCK_KEY}).raise_for_status()

    connections = {seen.client_port for seen in watched.seen}
    assert len(watched.seen) == 20 and len(connections) == 1, f"20 requests used {len(connections)} connections"


class Redirects(Toy):
    def lookup(self, data: dict) -> Response:
        return RedirectResponse("http://127.0.0.1:9/elsewhere", status_code=302)


def test_redirect_not_followed():
    with upstream(Redirects()) as (up, watched), proxy(up.url, real_key=True) as px:
        answer = post(px.url, known_user_body())

    assert answer.status_code == 302 and answer.headers["location"] == "http://127.0.0.1:9/elsewhere"
    assert answer.headers["sivi-contract"] == "violates"
    assert len(watched.seen) == 1


class AlwaysGzips(Toy):
    """Compresses every answer, asked or not."""

    def answer(self, status: int, body: object, headers: dict[str, str] | None = None) -> Response:
        content = gzip.compress(json.dumps({"status": status, "body": body}).encode())
        extra = {"content-encoding": "gzip", **(headers or {})}
        return Response(content, status, headers=extra, media_type="application/json")


def test_legal_choices_conform():
    """Answers with other legal choices conform, and a compressed one is relayed decoded."""
    with upstream(CorrectWithOtherChoices()) as (up, _), proxy(up.url, real_key=True) as px:
        other_choices = post(px.url, known_user_body())
    with upstream(AlwaysGzips()) as (up, _), proxy(up.url, real_key=True) as px:
        gzipped = post(px.url, known_user_body())

    assert other_choices.status_code == 200 and other_choices.headers["sivi-contract"] == "conforms"
    assert other_choices.json()["requestId"] == "req-42" and other_choices.headers["x-request-id"] == "req-42"
    assert gzipped.headers["sivi-contract"] == "conforms", gzipped.text
    assert "content-encoding" not in gzipped.headers and gzipped.json()["body"]["creditBalance"]
