"""The real key's power stays with the developer: no web page, hostile upstream or half-sent request can use it.

Each test plays the attacker against a proxy with `--upstream-key-env`: a page on another site or one that rebinds
its DNS name to 127.0.0.1, a client that sends half a request, an upstream that echoes the key or closes every
connection it reads a request on.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from mock_server.app import create_app
from mock_server.errors import ProxySetupError, SettingsError
from mock_server.serving.background import BackgroundServer
from mock_server.settings import Settings
from tests.helpers import RunningMock, sivi_mock_at_start
from tests.hostile_upstreams import Received, ScriptedUpstream, analysis, conforming, http, json_answer, known_user
from tests.toy_servers import Toy
from tests.upstreams import KEY_ENV, MOCK_KEY, PAGE_ORIGIN, PATH, REAL_KEY, proxy, proxy_app, upstream

FAST = 5.0


def ask(url: str, body: object | None = None, key: str = MOCK_KEY, **headers: str) -> httpx.Response:
    sent = {"sivi-api-key": key, **headers}
    return httpx.post(url + PATH, json=known_user() if body is None else body, headers=sent, timeout=10)


def journal(url: str) -> list[dict]:
    return httpx.get(url + "/__mock/journal").json()["body"]["requests"]


REFUSED_ANY_ORIGIN = "--upstream-key-env refuses --cors-origin '*' (any origin; also the default when no --cors-origin"


def test_any_origin_refused():
    """With the real key any origin is refused at start and the error names the flag to give."""
    os.environ[KEY_ENV] = REAL_KEY
    for origins in [("*",), ("http://localhost:5173", "*")]:
        with pytest.raises(SettingsError, match=re.escape(REFUSED_ANY_ORIGIN)):
            Settings(proxy_url="http://127.0.0.1:9", upstream_key_env=KEY_ENV, cors_origins=origins)
    for given in [(), ("--cors-origin", "*")]:  # left to its default, or `*` given: either way `*` is what is refused
        started = sivi_mock_at_start("--proxy", "http://127.0.0.1:9", "--upstream-key-env", KEY_ENV, *given)
        assert started.returncode == 2, started.stderr
        assert started.stderr.startswith(f"sivi-mock: {REFUSED_ANY_ORIGIN}"), started.stderr
        assert "any origin would let every web page you visit spend it" in started.stderr, started.stderr
        assert started.stderr.rstrip().endswith(
            "Give your page's own: --cors-origin ORIGIN, e.g. http://localhost:5173"
        )
        assert "Traceback" not in started.stderr and REAL_KEY not in started.stderr + started.stdout


def test_only_named_origin_reads():
    """With the real key only the named origin may read answers."""
    with upstream() as (up, _), proxy(up.url, real_key=True) as px:
        named = ask(px.url, origin=PAGE_ORIGIN)
        other = ask(px.url, origin="https://ads.example")
        preflight = httpx.options(
            px.url + PATH,
            headers={"origin": "https://ads.example", "access-control-request-method": "POST"},
        )

    assert named.headers["access-control-allow-origin"] == PAGE_ORIGIN
    assert "sivi-source" in named.headers["access-control-expose-headers"]
    assert "access-control-allow-origin" not in other.headers, "a page of another site can read the answer"
    assert "access-control-allow-origin" not in preflight.headers


def test_dns_rebinding_gets_none():
    """With the real key the operation answers only a Host of this server: DNS rebinding gets none."""
    with upstream() as (up, watched), proxy(up.url, real_key=True) as px:
        port = px.url.rsplit(":", 1)[1]
        rebound = {
            host: ask(px.url, host=host) for host in (f"rebind.attacker.example:{port}", "sivi.localhost", "10.0.0.7")
        }
        with_prefer = ask(px.url, host=f"rebind.attacker.example:{port}", prefer="code=200")
        relayed_before = len(watched.seen)
        ours = [ask(px.url, host=host) for host in (f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST")]
        entries = journal(px.url)

    for host, answer in {**rebound, "with Prefer": with_prefer}.items():
        assert answer.status_code == 403, f"Host {host}: {answer.status_code} {answer.text}"
        assert answer.headers["sivi-mock-error"] == "host" and answer.json()["status"] == 403
    assert relayed_before == 0, "a request for another host name reached the upstream with the real key"
    assert [answer.status_code for answer in ours] == [200, 200, 200]
    assert [entry["status"] for entry in entries[:4]] == [403] * 4


def test_host_check_follows_host():
    os.environ[KEY_ENV] = REAL_KEY
    with upstream() as (up, _):
        settings = Settings(proxy_url=up.url, upstream_key_env=KEY_ENV, cors_origins=(PAGE_ORIGIN,), host="mock.lan")
        with BackgroundServer(create_app(settings)) as px:  # served on loopback; `--host` only names it here
            by_its_name = ask(px.url, host="mock.lan:4011")
            by_another = ask(px.url, host="intranet.example")
    assert (by_its_name.status_code, by_another.status_code) == (200, 403)


class TogetherThenMute:
    """Answers once `together` requests are in at the same time (so that each took a connection of its own), until
    told to go mute: then it reads each request and closes the connection without a word."""

    def __init__(self, together: int) -> None:
        self.all_in = threading.Barrier(together, timeout=5)
        self.mute = False

    def __call__(self, request: Received) -> bytes | None:
        if self.mute:
            return None
        self.all_in.wait()
        return conforming()


def test_post_resent_at_most_once():
    """A POST is sent again at most once, and only when a pooled connection was closed under it."""
    script = TogetherThenMute(10)
    with ScriptedUpstream(script) as up, proxy(up.url, real_key=True, proxy_timeout=FAST) as px:
        with ThreadPoolExecutor(10) as pool:
            warm = list(pool.map(lambda _: ask(px.url), range(10)))
        assert [answer.status_code for answer in warm] == [200] * 10
        assert up.connections == 10, f"{up.connections} upstream connections; the test needs 10 pooled ones"
        script.mute = True
        before = len(up.requests)
        answer = ask(px.url)
        reached = up.requests[before:]

    assert len(reached) == 2, f"one request reached the upstream {len(reached)} times"
    assert reached[0].connection <= 10 < reached[1].connection, "the resend was not on a fresh connection"
    assert answer.status_code == 502 and answer.json()["body"]["fault"] == "closed", answer.text


def test_fresh_failure_not_resent():
    """A request that fails on a fresh connection is never sent again."""
    with ScriptedUpstream(lambda request: None) as up, proxy(up.url, real_key=True, proxy_timeout=FAST) as px:
        answer = ask(px.url)
        time.sleep(0.1)
    assert answer.status_code == 502 and answer.json()["body"]["fault"] == "closed"
    assert len(up.requests) == 1, f"sent {len(up.requests)} times on fresh connections"


def half_sent(host: str, port: int, raw: bytes, then: str) -> bytes:
    """Send `raw`, then `close` at once or `wait` for whatever the server says until it closes."""
    with socket.create_connection((host, port), timeout=5) as connection:
        connection.sendall(raw)
        if then == "close":
            return b""
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
        return received


def test_only_whole_requests_relayed():
    """Only a whole request is relayed, never one cut off by its client, the deadline or a malformed body."""
    body = json.dumps(known_user()).encode()
    head = f"POST {PATH} HTTP/1.1\r\nhost: 127.0.0.1\r\nsivi-api-key: {MOCK_KEY}\r\ncontent-type: application/json\r\n"
    declared = (head + f"content-length: {len(body) + 40}\r\n\r\n").encode() + body
    chunked = (head + "transfer-encoding: chunked\r\n\r\n").encode() + b"%x\r\n" % len(body) + body + b"\r\nZZZ\r\n"
    with upstream() as (up, watched), BackgroundServer(proxy_app(up.url, real_key=True), request_deadline=0.5) as px:
        half_sent(px.host, px.port, declared, "close")  # the client gives up halfway through the body
        timed_out = half_sent(px.host, px.port, declared, "wait")  # the client stalls: the deadline cuts it off
        malformed = half_sent(px.host, px.port, chunked, "wait")  # the server refuses the body after the headers
        time.sleep(0.2)
        whole = ask(px.url)

    assert timed_out.startswith(b"HTTP/1.1 408 "), timed_out[:100]
    assert malformed.startswith(b"HTTP/1.1 400 "), malformed[:100]
    assert whole.status_code == 200
    relayed = [json.loads(seen.body) for seen in watched.seen]
    assert relayed == [known_user()], f"requests that never arrived whole were relayed: {len(relayed) - 1}"


def escaped(text: str) -> str:
    return "".join(f"\\u{ord(char):04x}" for char in text)


ECHOES = {
    "in a header": conforming(f"x-debug: called with {REAL_KEY}"),
    "in a header, percent-encoded": conforming(f"link: <https://up.example/?k={REAL_KEY.replace('-', '%2D')}>"),
    "in an error body": json_answer(400, {"status": 400, "body": {"message": f"no such user (key {REAL_KEY})"}}),
    "in an extra property of a conforming 200": conforming(debug=REAL_KEY),
}


def echoing(request: Received) -> bytes:
    asked = json.loads(request.body)["abstractUserId"]
    if asked == "json-escaped":
        document = json.dumps({"status": 200, "body": {**analysis(), "debug": "KEY"}}).encode()
        return http(
            200, document.replace(b'"KEY"', f'"{escaped(REAL_KEY)}"'.encode()), "content-type: application/json"
        )
    return ECHOES[asked]


def test_echoed_real_key_is_502(tmp_path, caplog):
    """An upstream that echoes the real key gets a 502 that says why and is never recorded."""
    caplog.set_level(logging.DEBUG)
    with ScriptedUpstream(echoing) as up, proxy(up.url, real_key=True, record_dir=tmp_path) as px:
        answers = {where: ask(px.url, {"abstractUserId": where}) for where in [*ECHOES, "json-escaped"]}
        entries = journal(px.url)
        written = httpx.get(px.url + "/__mock/journal").text

    for where, answer in answers.items():
        assert answer.status_code == 502, f"{where}: {answer.status_code}"
        assert answer.headers["sivi-mock-error"] == "upstream" and answer.json()["body"]["fault"] == "echoed-key"
        assert "carries the real key back" in answer.json()["body"]["message"]
        seen = (str(answer.headers) + answer.text).lower()
        assert REAL_KEY.lower() not in seen and escaped(REAL_KEY) not in answer.text, f"{where}: the key reached us"
    assert [entry["upstream"]["fault"] for entry in entries] == ["echoed-key"] * len(answers)
    assert entries[-1]["upstream"]["contract"] == "conforms", "the refused answer was not judged"
    assert REAL_KEY not in written and REAL_KEY not in caplog.text
    recorded = tmp_path / "recorded.yaml"
    assert not recorded.exists() or REAL_KEY not in recorded.read_text(), "an answer with the key was recorded"


def test_echoed_own_key_not_recorded(tmp_path):
    """A caller's own key echoed back is relayed to that caller but never recorded."""
    caller_key = "sk-callers-own-key-0123456789"
    echoing_callers_key = ScriptedUpstream(lambda request: conforming(debug=caller_key))
    with echoing_callers_key as up, proxy(up.url, record_dir=tmp_path) as px:
        answer = ask(px.url, key=caller_key)
    assert answer.status_code == 200 and answer.headers["sivi-contract"] == "conforms"
    assert not (tmp_path / "recorded.yaml").exists(), "an answer with the caller's key was recorded"


ODD_KEYS = ["sk-live-ключ-0123456789", "sk-live-\u00e9t\u00e9-0123456789", "sk-live-\U0001f511-0123456789"]


def test_unsendable_key_refused():
    """A key that cannot go in a header is refused at start in one line."""
    for key in ODD_KEYS:
        os.environ["SIVI_TEST_ODD_KEY"] = key
        settings = Settings(
            proxy_url="http://127.0.0.1:9", upstream_key_env="SIVI_TEST_ODD_KEY", cors_origins=(PAGE_ORIGIN,)
        )
        with pytest.raises(ProxySetupError, match="cannot go in an HTTP header"):
            create_app(settings)
    started = sivi_mock_at_start(
        *("--proxy", "http://127.0.0.1:9", "--upstream-key-env", "SIVI_TEST_ODD_KEY", "--cors-origin", PAGE_ORIGIN),
        env={"SIVI_TEST_ODD_KEY": ODD_KEYS[0]},
    )
    assert started.returncode == 2
    assert started.stderr.strip().splitlines() == [
        "sivi-mock: --upstream-key-env SIVI_TEST_ODD_KEY: the key has characters that cannot go in an HTTP header"
        " (printable ASCII only)"
    ]


WRONG_KEY = "sk-not-the-right-key-0123456789"


def test_upstream_401_names_key_variable(caplog):
    """A 401 to a request the proxy authenticated names the key variable not a contract violation."""
    caplog.set_level(logging.WARNING, logger="sivi_mock")
    os.environ["SIVI_TEST_WRONG_KEY"] = WRONG_KEY
    options = {"upstream_key_env": "SIVI_TEST_WRONG_KEY", "cors_origins": (PAGE_ORIGIN,)}
    with upstream() as (up, watched), proxy(up.url, **options) as px:
        answer = ask(px.url)
        entry = journal(px.url)[-1]

    assert watched.seen[0].headers["sivi-api-key"] == WRONG_KEY
    assert answer.status_code == 502 and answer.headers["sivi-mock-error"] == "upstream-key", answer.text
    assert "sivi-contract" not in answer.headers, "a wrong key was judged as the upstream's contract"
    assert "$SIVI_TEST_WRONG_KEY" in answer.json()["body"]["message"]
    assert entry["upstream"]["fault"] == "upstream-key" and "contract" not in entry["upstream"]
    assert any("$SIVI_TEST_WRONG_KEY" in record.getMessage() for record in caplog.records)
    assert WRONG_KEY not in caplog.text + answer.text


def test_wrong_real_key_named_at_start():
    os.environ["SIVI_TEST_WRONG_KEY"] = WRONG_KEY
    with upstream(Toy()) as (up, watched):
        running = RunningMock(
            *("--proxy", up.url, "--upstream-key-env", "SIVI_TEST_WRONG_KEY", "--cors-origin", PAGE_ORIGIN)
        )
        output = running.stop()

    assert "WARNING: the upstream refuses the key in $SIVI_TEST_WRONG_KEY" in output
    assert [seen.body for seen in watched.seen] == [b"{}"], "the start-up check is more than one request"
    assert WRONG_KEY not in output
