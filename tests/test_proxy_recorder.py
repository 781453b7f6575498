"""`--record DIR`: conforming 200 answers become fixtures that `sivi-mock --fixtures DIR` replays as they were."""

from __future__ import annotations

import os

import httpx
import pytest
import yaml

from mock_server.app import create_app
from mock_server.proxy.recorder import RECORDING, Recorder
from mock_server.serving.background import BackgroundServer
from mock_server.settings import Settings
from mock_server.spec.contract import load_contract
from mock_server.spec.fixtures import load_fixtures
from tests.toy_servers import KNOWN_USER, KNOWN_WORKSPACE, NegativeCount, Toy
from tests.upstreams import MOCK_KEY, PATH, REAL_KEY, proxy, upstream

ASKED = [{"abstractUserId": KNOWN_USER}, {"workspaceId": KNOWN_WORKSPACE}, {"abstractUserId": "nobody"}]


def ask(url: str, body: object, key: str = MOCK_KEY) -> httpx.Response:
    return httpx.post(url + PATH, json=body, headers={"sivi-api-key": key}, timeout=10)


def test_recording_replays(tmp_path):
    """A recording is valid fixtures and replays the same bodies with the mock's keys."""
    with upstream() as (up, _), proxy(up.url, real_key=True, record_dir=tmp_path) as px:
        live = [ask(px.url, body) for body in ASKED]

    load_fixtures(tmp_path, load_contract())  # the kit's own fixture validation: raises on any problem
    recorded = (tmp_path / RECORDING).read_text()
    assert REAL_KEY not in recorded, "the real key was written into the recording"
    assert "nobody" not in recorded, "a 400 answer was recorded"
    with BackgroundServer(create_app(Settings(fixtures_dir=tmp_path))) as replay:
        replayed = [ask(replay.url, body) for body in ASKED]
    assert [r.status_code for r in live] == [200, 200, 400]
    assert [r.json() for r in replayed] == [r.json() for r in live]


def test_only_conforming_recorded(tmp_path):
    """An answer that does not conform is not recorded and a later answer replaces an earlier one."""
    with upstream(NegativeCount()) as (up, _), proxy(up.url, real_key=True, record_dir=tmp_path) as px:
        failing = ask(px.url, {"abstractUserId": KNOWN_USER})
    assert failing.status_code == 200 and failing.headers["sivi-contract"] != "conforms"
    assert not (tmp_path / RECORDING).exists()

    toy = Toy()
    with upstream(toy) as (up, _), proxy(up.url, real_key=True, record_dir=tmp_path) as px:
        ask(px.url, {"abstractUserId": KNOWN_USER})
        toy.users[KNOWN_USER] = {**toy.users[KNOWN_USER], "lastAccessed": 1700000001}
        ask(px.url, {"abstractUserId": KNOWN_USER})
    users = yaml.safe_load((tmp_path / RECORDING).read_text())["users"]
    assert list(users) == [KNOWN_USER] and users[KNOWN_USER]["analysis"]["lastAccessed"] == 1700000001


def test_failed_write_keeps_recording(tmp_path, monkeypatch):
    """A write that fails halfway leaves the previous recording whole."""
    contract = load_contract()
    recorder = Recorder(tmp_path, load_fixtures(None, contract).keys)
    analysis = contract.examples["documentedUser"].value["body"]
    recorder.record("user", "first", analysis)
    recorder.flush()
    before = (tmp_path / RECORDING).read_bytes()

    def crash(descriptor: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError):
        recorder.record("user", "second", analysis)
        recorder.flush()  # the recorder writes from its own thread: flush() waits, and raises what the write did
    assert (tmp_path / RECORDING).read_bytes() == before
    assert [path.name for path in tmp_path.iterdir()] == [RECORDING], "a temporary file was left behind"
