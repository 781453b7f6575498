"""Hostile answers change nothing: whatever an upstream sends, the caller gets a usable answer or a named 502.

Each upstream here writes raw bytes (`tests.hostile_upstreams`): a gzip bomb, an encoding nobody asked for, JSON
nested past any checker, a status of 999, answers a browser cannot parse, the proxy's own headers, interim answers
with lengths, trailers, and a second answer in the same bytes.
"""

from __future__ import annotations

import gzip
import json

import httpx
import pytest

from mock_server.serving.background import BackgroundServer
from tests.hostile_upstreams import ScriptedUpstream, analysis, conforming, http, json_answer, known_user
from tests.upstreams import MOCK_KEY, PATH, proxy

FAST = 5.0


def ask(px: BackgroundServer) -> httpx.Response:
    return httpx.post(px.url + PATH, json=known_user(), headers={"sivi-api-key": MOCK_KEY}, timeout=10)


def through_proxy(answer: bytes, **options: object) -> tuple[httpx.Response, list[dict]]:
    """The caller's answer when the upstream answers `answer`, and the journal."""
    with (
        ScriptedUpstream(lambda request: answer) as up,
        proxy(up.url, real_key=True, proxy_timeout=FAST, **options) as px,
    ):
        got = ask(px)
        entries = httpx.get(px.url + "/__mock/journal").json()["body"]["requests"]
        assert httpx.get(px.url + "/__mock/health").status_code == 200, "the proxy stopped serving"
    return got, entries


def assert_named_502(got: httpx.Response, entries: list[dict], fault: str) -> None:
    assert got.status_code == 502, f"{got.status_code}: {got.text[:300]}"
    assert got.headers["content-type"] == "application/json" and got.headers["sivi-mock-error"] == "upstream"
    assert got.json()["status"] == 502 and got.json()["body"]["fault"] == fault, got.text[:300]
    assert [entry["status"] for entry in entries] == [502] and entries[0]["upstream"]["fault"] == fault


def test_gzip_bomb_is_cut():
    """A decompression bomb is cut at the bound after decoding."""
    bomb = gzip.compress(json.dumps({"status": 200, "body": {"pad": "0" * (20 * 1024 * 1024)}}).encode(), 9)
    assert len(bomb) < 100_000
    got, entries = through_proxy(http(200, bomb, "content-type: application/json", "content-encoding: gzip"))
    assert_named_502(got, entries, "too-large")
    assert len(got.content) < 10_000


@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, gzip"])
def test_unknown_encoding_not_relayed(encoding):
    """An encoding the proxy cannot decode is not relayed as if it were the answer."""
    body = json.dumps({"status": 200, "body": analysis()}).encode()
    got, entries = through_proxy(http(200, body, "content-type: application/json", f"content-encoding: {encoding}"))
    assert_named_502(got, entries, "encoding")


def test_deep_json_is_502():
    """JSON nested past any checker gets a 502 in the envelope and a journal entry."""
    deep = b'{"status": 200, "body": ' + b"[" * 600 + b"]" * 600 + b"}"
    got, entries = through_proxy(http(200, deep, "content-type: application/json"))
    assert got.headers.get("content-type") == "application/json", f"{got.status_code}: {got.text[:200]}"
    assert_named_502(got, entries, "unjudgeable")


@pytest.mark.parametrize("status", [999, 600, 99])
def test_bad_status_is_502(status):
    """A status outside 100 to 599 gets a named 502."""
    got, entries = through_proxy(json_answer(status, {"status": status, "body": {}}))
    assert_named_502(got, entries, "not-http")


def with_value(value: bytes) -> bytes:
    """The spec's own success example, with one more property whose value is `value` as written."""
    document = json.dumps({"status": 200, "body": {**analysis(), "extra": "VALUE"}}).encode()
    return document.replace(b'"VALUE"', value)


@pytest.mark.parametrize(
    "body",
    [with_value(b"NaN"), with_value(b"-Infinity"), json.dumps({"status": 200, "body": analysis()}).encode("utf-16")],
    ids=["NaN", "Infinity", "UTF-16"],
)
def test_unparsable_answers_violate(body, tmp_path):
    """Answers a browser cannot parse violate and are never recorded."""
    got, entries = through_proxy(http(200, body, "content-type: application/json"), record_dir=tmp_path)
    assert got.status_code == 200 and got.headers["sivi-contract"] == "violates", got.headers
    assert [finding["check"] for finding in entries[0]["upstream"]["findings"]] == ["json_body"]
    assert not (tmp_path / "recorded.yaml").exists(), "an answer a browser cannot parse was recorded"


def test_upstream_sivi_headers_dropped():
    answer = json_answer(
        400, {"status": 200, "body": {"message": "wrong envelope"}}, "sivi-contract: conforms", "sivi-mock-error: no"
    )
    got, _ = through_proxy(answer)
    assert got.headers.get_list("sivi-contract") == ["violates"], got.headers
    assert "sivi-mock-error" not in got.headers
    assert got.headers.get_list("sivi-source") == ["upstream"]


def test_repeated_answer_header():
    """A repeated header of the answer is relayed and judged with every value."""
    answer = conforming("content-type: text/html", "x-thing: one", "x-thing: two")
    got, entries = through_proxy(answer)
    assert got.headers.get_list("x-thing") == ["one", "two"], got.headers
    assert got.headers.get_list("content-type") == ["application/json", "text/html"], got.headers
    findings = {finding["check"]: finding["message"] for finding in entries[0]["upstream"]["findings"]}
    assert "application/json, text/html" in findings.get("json_content_type", ""), (
        f"the judgement did not see both content types: {findings}"
    )


INTERIM = (
    b"HTTP/1.1 100 Continue\r\n\r\n"
    b"HTTP/1.1 103 Early Hints\r\nlink: </evil.css>\r\ncontent-length: 5\r\n\r\n"
    b"HTTP/1.1 150 Odd\r\nx-interim: 1\r\ncontent-length: 5\r\n\r\n"
)


def chunked_with_trailers() -> bytes:
    body = json.dumps({"status": 200, "body": analysis()}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i : i + 100]), body[i : i + 100]) for i in range(0, len(body), 100))
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
    return head + chunks + b"0\r\nsivi-contract: conforms\r\nx-trailer: evil\r\n\r\n"


def test_extras_never_join_answer():
    """Interim answers, trailers and a second answer never join the answer."""
    second = http(500, b"{}", "x-second: 1", "content-type: text/plain")
    got, entries = through_proxy(INTERIM + chunked_with_trailers() + second)
    assert got.status_code == 200 and got.json() == {"status": 200, "body": analysis()}
    joined = {"link", "x-interim", "x-trailer", "x-second"} & set(got.headers)
    assert not joined, f"headers of other parts joined the answer: {joined}"
    assert got.headers["sivi-contract"] == "conforms" and entries[0]["upstream"]["contract"] == "conforms"


def test_unasked_101_is_502():
    got, entries = through_proxy(b"HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n" + conforming())
    assert_named_502(got, entries, "not-http")
