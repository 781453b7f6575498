"""Upstream faults: each becomes a 502 (504 for the timeout) in the envelope, named, journaled, within the timeout;
the proxy keeps serving."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
import pytest

from mock_server.errors import UpstreamError
from mock_server.serving.background import BackgroundServer
from tests.raw_targets import RawServer
from tests.toy_servers import EndlessBodyForTheKnownUser, Toy
from tests.upstreams import MOCK_KEY, PATH, free_port_url, known_user_body, proxy, upstream

Kind = UpstreamError.Kind
TIMEOUT = 0.5  # what the hanging and trickling upstreams make the client wait
FAST = 5.0  # for faults that come at once: a loaded machine must not turn them into timeouts


def ask(px: BackgroundServer) -> tuple[httpx.Response, float]:
    began = time.monotonic()
    answer = httpx.post(px.url + PATH, json=known_user_body(), headers={"sivi-api-key": MOCK_KEY}, timeout=10)
    return answer, time.monotonic() - began


def assert_upstream_fault(
    px: BackgroundServer, status: int, cause: str, timeout: float = TIMEOUT, *, kind: Kind
) -> None:
    for _ in range(2):  # the second request proves the proxy still serves after the first fault
        answer, took = ask(px)
        assert answer.status_code == status, answer.text
        assert answer.headers["sivi-mock-error"] == "upstream"
        assert answer.json()["status"] == status
        assert answer.json()["body"]["fault"] == kind, answer.text
        message = answer.json()["body"]["message"]
        assert cause in message, f"the message does not name the cause ({cause!r}): {message}"
        assert took < timeout + 1.5, f"the client waited {took:.1f} s, the proxy timeout is {timeout} s"
    journal = httpx.get(px.url + "/__mock/journal").json()["body"]["requests"]
    assert [entry["status"] for entry in journal] == [status, status]
    assert cause in journal[-1]["upstream"]["error"]
    assert journal[-1]["upstream"]["fault"] == kind and kind.status == status
    assert httpx.get(px.url + "/__mock/health").status_code == 200


@pytest.mark.parametrize(
    ("behaviour", "status", "cause", "kind"),
    [
        ("hang", 504, "no complete answer", Kind.TIMEOUT),
        ("trickle", 504, "no complete answer", Kind.TIMEOUT),
        ("reset", 502, "reset the connection", Kind.RESET),
        ("garbage", 502, "not HTTP", Kind.NOT_HTTP),
    ],
)
def test_non_http_upstream_named(behaviour, status, cause, kind):
    """An upstream that is no HTTP server gets a named 502 or 504."""
    timeout = TIMEOUT if status == 504 else FAST
    with RawServer(behaviour) as raw, proxy(raw.url, proxy_timeout=timeout, real_key=True) as px:
        assert_upstream_fault(px, status, cause, timeout, kind=kind)


def test_refused_and_unknown_named():
    with proxy(free_port_url(), proxy_timeout=FAST, real_key=True) as px:
        assert_upstream_fault(px, 502, "refused the connection", FAST, kind=Kind.REFUSED)
    with proxy("http://sivi-upstream.invalid", proxy_timeout=FAST, real_key=True) as px:
        assert_upstream_fault(px, 502, "unknown host 'sivi-upstream.invalid'", FAST, kind=Kind.UNKNOWN_HOST)


def test_endless_answer_cut():
    with upstream(EndlessBodyForTheKnownUser()) as (up, _), proxy(up.url, proxy_timeout=5, real_key=True) as px:
        answer, _ = ask(px)
    assert answer.status_code == 502 and "bytes allowed" in answer.json()["body"]["message"], answer.text
    assert answer.json()["body"]["fault"] == Kind.TOO_LARGE


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("tls")
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


def test_tls_is_verified(self_signed):
    """TLS is verified, and --proxy-insecure accepts a local self-signed upstream."""
    key, cert = self_signed
    with BackgroundServer(Toy().app(), ssl_keyfile=str(key), ssl_certfile=str(cert)) as up:
        url = up.url.replace("http://", "https://")
        with proxy(url, proxy_timeout=FAST, real_key=True) as px:
            assert_upstream_fault(px, 502, "TLS failure", FAST, kind=Kind.TLS)
        with proxy(url, proxy_timeout=FAST, real_key=True, proxy_insecure=True) as px:
            answer, _ = ask(px)
            assert answer.status_code == 200, answer.text


def test_tls_to_plain_http_fails():
    with upstream() as (up, _), proxy(up.url.replace("http", "https"), proxy_timeout=FAST, real_key=True) as px:
        assert_upstream_fault(px, 502, "TLS failure", FAST, kind=Kind.TLS)
