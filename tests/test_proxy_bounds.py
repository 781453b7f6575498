"""Bounds and cost: request heads, journal entries, recording, and the URLs a proxy may be pointed at.

A client that sends megabytes of headers gets 431 from the mock and the proxy alike and costs nothing after; a
journal entry keeps a bounded amount whatever it was handed; recording never holds up an answer and adds to the
recording already there; a `--proxy` URL that would leak or misroute is refused at start. That recording one more
answer costs that answer and not the whole recording only a clock sees: `bench/costs.py` measures it.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import httpx
import pytest
import yaml

from mock_server.errors import SettingsError
from mock_server.mock.journal import Journal, request_facts
from mock_server.proxy.recorder import RECORDING, Recorder
from mock_server.secret import mask_key
from mock_server.serving.background import BackgroundServer
from mock_server.settings import Settings
from mock_server.spec.contract import load_contract
from mock_server.spec.fixtures import load_fixtures
from mock_server.spec.yaml_file import read_yaml
from mock_server.types import HEAD_LIMIT
from tests.helpers import sivi_mock_at_start
from tests.hostile_upstreams import analysis
from tests.toy_servers import KNOWN_USER
from tests.upstreams import MOCK_KEY, PATH, proxy_app, raw, served, upstream


def request_with(padding: int, *, end: bool = True) -> bytes:
    head = (
        f"POST {PATH} HTTP/1.1\r\nhost: 127.0.0.1\r\nsivi-api-key: {MOCK_KEY}\r\ncontent-type: application/json\r\n"
        f"connection: close\r\nx-padding: {'a' * padding}\r\n"
    ).encode()
    body = b'{"abstractUserId": "nobody"}'
    return head + f"content-length: {len(body)}\r\n\r\n".encode() + body if end else head


@pytest.mark.parametrize("kind", ["mock", "proxy"])
def test_large_head_is_431(kind):
    """A request head over 16 KiB gets 431 in the envelope and reaches nothing."""
    with served(kind) as (server, relayed):
        fits = raw(server, request_with(HEAD_LIMIT - 1024))
        too_large = raw(server, request_with(HEAD_LIMIT))
        endless = raw(server, request_with(4 * 1024 * 1024, end=False))  # 4 MB of one header, never ended
        megabytes = [raw(server, request_with(2 * 1024 * 1024)) for _ in range(3)]
        entries = httpx.get(server.url + "/__mock/journal").json()["body"]["requests"]

    assert fits.startswith(b"HTTP/1.1 400 "), fits[:200]
    for answer in [too_large, endless, *megabytes]:
        assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
        assert b'{"status":431,"body":{"message":"the request\'s target and headers are longer than 16384' in answer
    assert [entry["status"] for entry in entries] == [400], "a refused head reached the journal"
    assert len(relayed) == (1 if kind == "proxy" else 0), "a refused head reached the upstream"


@pytest.mark.parametrize("kind", ["mock", "proxy"])
def test_non_http_bytes_are_400(kind):
    """Bytes that are not HTTP get 400 in the envelope and reach nothing."""
    with served(kind) as (server, relayed):
        answers = [
            raw(server, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(64)),  # a TLS hello on the plain port
            raw(server, b"GARBAGE\r\n\r\n"),
            raw(server, f"POST {PATH} HTTP/1.1\r\nhost: 127.0.0.1\r\nbad header\r\n\r\n".encode()),
        ]
        entries = httpx.get(server.url + "/__mock/journal").json()["body"]["requests"]

    for answer in answers:
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 "), answer[:200]
        assert b"content-type: application/json" in head.lower(), f"not the API's envelope:\n{answer[:300]!r}"
        assert body.startswith(b'{"status":400,"body":{"message":"the request is not valid HTTP'), body[:200]
    assert entries == [] and relayed == [], "bytes that are not HTTP reached the journal or the upstream"


def test_journal_entry_is_bounded():
    journal = Journal(60, "sivi-api-key")
    headers = [(b"sivi-api-key", b"k" * 40), *[(b"x-padding-%d" % i, b"a" * (200 * 1024)) for i in range(10)]]
    for _ in range(60):
        journal.add(request_facts("POST", PATH, b"q=" + b"b" * (1024 * 1024), headers, b"{}", 401))
    entries = journal.entries()
    sizes = [
        sum(len(name) + len(value) for name, value in entry["headers"].items()) + len(entry["query"])
        for entry in entries
    ]
    assert max(sizes) <= 20 * 1024 + 64, f"an entry keeps {max(sizes)} bytes of a 2 MB head"
    assert all(entry["headTruncated"] for entry in entries)
    assert entries[0]["headers"]["sivi-api-key"] == mask_key("k" * 40), "the key stopped being masked"
    small = Journal(1, "sivi-api-key")
    small.add(request_facts("POST", PATH, b"", [(b"x-small", b"1")], b"{}", 200))
    assert "headTruncated" not in small.entries()[0]


class BlockedWrites:
    """Holds every write to disk (`os.fsync`, which the recording's every write ends with) until released, counting
    them: a disk that does not answer."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.writes = 0

    def __call__(self, original: Any) -> Any:
        def held(fd: int) -> None:
            self.release.wait(10)
            self.writes += 1
            original(fd)

        return held


def ask(url: str, user: str) -> httpx.Response:
    return httpx.post(url + PATH, json={"abstractUserId": user}, headers={"sivi-api-key": MOCK_KEY}, timeout=5)


def test_recording_never_delays(tmp_path, monkeypatch):
    """Recording never holds up an answer and what was recorded reaches the file."""
    blocked = BlockedWrites()
    monkeypatch.setattr(os, "fsync", blocked(os.fsync))
    with upstream() as (up, _), BackgroundServer(proxy_app(up.url, real_key=True, record_dir=tmp_path)) as px:
        answers = [ask(px.url, KNOWN_USER) for _ in range(3)]  # while every write is held
        held = blocked.writes
        blocked.release.set()
    assert [answer.status_code for answer in answers] == [200] * 3, "an answer waited for the recording"
    assert held == 0
    recorded = yaml.safe_load((tmp_path / RECORDING).read_text())
    assert list(recorded["users"]) == [KNOWN_USER], "what was recorded did not reach the file at shutdown"


def test_recording_adds_to_an_old_one(tmp_path):
    contract_keys = {"mock-admin-key": {"role": "admin"}}
    users = {f"user-{n:05}": {"analysis": analysis()} for n in range(10)}
    (tmp_path / RECORDING).write_text(yaml.safe_dump({"keys": contract_keys, "users": users}, sort_keys=False))
    recorder = Recorder(tmp_path, load_fixtures(None, load_contract()).keys, interval=0)
    for n in range(6):
        recorder.record("user", f"more-{n}", {**analysis(), "lastAccessed": 1700000000 + n})
        recorder.flush()
    recorder.close()
    replayed = read_yaml(tmp_path / RECORDING)["users"]
    assert list(replayed) == [*users, *(f"more-{n}" for n in range(6))], "the old recording was not added to"
    assert {account: replayed[account] for account in users} == users, "an account already recorded changed"
    assert replayed["more-5"]["analysis"]["lastAccessed"] == 1700000005
    load_fixtures(tmp_path, load_contract())  # still fixtures the mock serves as they are: raises on any problem


REFUSED_URLS = {
    "https://user:s3cret-pass@staging.example/api": "no user or password",
    "https://staging.example/api?version=2": "no query or fragment",
    "https://staging.example/api#v2": "no query or fragment",
    "http://127.0.0.1:0/api": "port 0",
    "http://127.0.0.1:99999/api": "not a usable URL",
}


def test_bad_proxy_url_refused():
    """A proxy URL that would leak or misroute is refused at start."""
    for url, reason in REFUSED_URLS.items():
        with pytest.raises(SettingsError, match=reason):
            Settings(proxy_url=url)
    with_password = next(iter(REFUSED_URLS))
    started = sivi_mock_at_start("--proxy", with_password)
    assert started.returncode == 2
    errors = started.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith("sivi-mock: --proxy") and "no user or password" in errors[0], (
        started.stderr
    )
    assert "s3cret-pass" not in started.stderr + started.stdout and "Traceback" not in started.stderr
