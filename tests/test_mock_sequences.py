"""An account that answers a sequence, through each way in (a fixture file, the admin API, the `sivi_mock` pytest
fixture): its answers in turn, the last one repeating, from the start again after a reset. And an account answering
200 with no analysis of its own answers the spec's documented example."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mock_server.app import create_app
from mock_server.errors import FixtureError
from mock_server.pytest_plugin import SiviMock
from mock_server.serving.background import BackgroundServer
from mock_server.settings import Settings
from mock_server.spec.contract import load_contract
from mock_server.spec.fixtures import load_fixtures
from tests.helpers import ADMIN, PATH
from tests.upstreams import proxy, upstream

CONTRACT = load_contract()
DOCUMENTED = CONTRACT.examples["documentedUser"].value["body"]
ZERO = CONTRACT.examples["zeroUsage"].value["body"]
FLAKY = """
users:
  flaky-user:
    description: fails twice, then answers
    sequence:
      - {status: 500, message: Database unavailable}
      - {fault: gateway-503}
      - {}
"""
HTTP = httpx.Client(timeout=10)


def fixtures_with(directory: Path, users: str) -> Path:
    (directory / "keys.yaml").write_text("keys:\n  mock-admin-key: {role: admin}\n")
    (directory / "users.yaml").write_text(users)
    return directory


@pytest.fixture
def flaky_files(tmp_path: Path) -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app(Settings(fixtures_dir=fixtures_with(tmp_path, FLAKY)))) as server:
        yield server


def calls(url: str, account: str, times: int) -> list[int]:
    return [HTTP.post(url + PATH, headers=ADMIN, json={"abstractUserId": account}).status_code for _ in range(times)]


def test_fixture_sequence_in_turn(flaky_files):
    """A sequence in a fixture file answers in turn, the last repeating, and reset starts it again."""
    url = flaky_files.url
    assert calls(url, "flaky-user", 4) == [500, 503, 200, 200]
    last = HTTP.post(url + PATH, headers=ADMIN, json={"abstractUserId": "flaky-user"})
    assert last.json()["body"] == DOCUMENTED, "a step answering 200 without an analysis answers the documented one"
    HTTP.post(url + "/__mock/reset").raise_for_status()
    first = HTTP.post(url + PATH, headers=ADMIN, json={"abstractUserId": "flaky-user"})
    assert first.json() == {"status": 500, "body": {"message": "Database unavailable"}}
    listed = HTTP.get(url + "/__mock/users").json()["body"]["users"]
    assert [(user["id"], user["sequence"]) for user in listed] == [("flaky-user", 3)]


def test_flaky_user_fails_twice(fresh_mock):
    """The bundled flaky user fails twice, then answers, and a reset starts it again."""

    def statuses() -> list[int]:
        answers = [
            HTTP.post(fresh_mock.url + PATH, headers=ADMIN, json={"abstractUserId": "flaky-user"}) for _ in range(4)
        ]
        return [answer.status_code for answer in answers]

    assert statuses() == [500, 503, 200, 200], "a client that retries twice does not get its data"
    assert HTTP.post(fresh_mock.url + "/__mock/reset").status_code == 200
    assert statuses() == [500, 503, 200, 200], "the reset did not start the sequence again"


def test_admin_sequence_in_turn(fresh_mock):
    """A sequence put through the admin API is served in turn until reset."""
    url = fresh_mock.url
    steps = [{"fault": "close"}, {"status": 500}, {"analysis": ZERO}]
    put = HTTP.put(url + "/__mock/users/u-flaky", json={"sequence": steps})
    assert put.status_code == 201 and put.json()["body"]["sequence"] == 3
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(url + PATH, headers=ADMIN, json={"abstractUserId": "u-flaky"})
    assert calls(url, "u-flaky", 3) == [500, 200, 200]
    assert [entry["fault"] for entry in HTTP.get(url + "/__mock/journal").json()["body"]["requests"]] == [
        "close",
        None,
        None,
        None,
    ]
    HTTP.put(url + "/__mock/users/u-flaky", json={"sequence": steps[1:]}).raise_for_status()
    assert calls(url, "u-flaky", 2) == [500, 200], "a replaced account starts its own sequence"
    HTTP.post(url + "/__mock/reset").raise_for_status()
    assert calls(url, "u-flaky", 1) == [400], "reset drops accounts added at run time"


def test_plugin_sequence_journaled(sivi_mock):
    """A sequence from the pytest fixture is served in turn, and the journal shows every call."""
    sivi_mock.add_user("u-retry", sequence=[{"status": 500}, {"status": 500}, {"analysis": ZERO}])
    answers = [
        httpx.post(
            sivi_mock.endpoint, headers={"sivi-api-key": sivi_mock.admin_key}, json={"abstractUserId": "u-retry"}
        )
        for _ in range(3)
    ]
    assert [answer.status_code for answer in answers] == [500, 500, 200]
    assert answers[2].json()["body"] == ZERO
    assert [entry["status"] for entry in sivi_mock.journal()] == [500, 500, 200]


def test_fixture_reset_restarts(tmp_path):
    app = create_app(Settings(fixtures_dir=fixtures_with(tmp_path, FLAKY)))
    with BackgroundServer(app) as server:
        mock = SiviMock(server, app.state.mock)
        assert calls(mock.url, "flaky-user", 2) == [500, 503]
        mock.reset()  # what `sivi_mock` does after each test
        assert calls(mock.url, "flaky-user", 1) == [500]


def test_proxy_keeps_sequence_steps(tmp_path):
    """With a sequence the proxy answers from the mock without skipping a step."""
    files = fixtures_with(tmp_path, FLAKY)
    with upstream() as (up, watched), proxy(up.url, fixtures_first=True, fixtures_dir=files) as px:
        assert calls(px.url, "flaky-user", 3) == [500, 503, 200]
    assert watched.seen == [], "an id the mock knows is not relayed"


def test_bare_200_is_example(sivi_mock):
    """An account answering 200 without an analysis answers the documented example."""
    sivi_mock.add_user("slow", delay_ms=1500)
    sivi_mock.add_user("plain")
    for user, prefer in (("slow", "delay=0"), ("plain", None)):
        headers = {"sivi-api-key": sivi_mock.admin_key, **({"prefer": prefer} if prefer else {})}
        answer = httpx.post(sivi_mock.endpoint, headers=headers, json={"abstractUserId": user})
        assert (answer.status_code, answer.json()["body"]) == (200, DOCUMENTED), user


@pytest.mark.parametrize(
    ("account", "problem"),
    [
        ("{sequence: []}", "users.u1.sequence: []"),  # the schema library words why
        ("{sequence: [{}, {status: 404}]}", "users.u1.sequence[1].status: 404 is not a status the spec documents"),
        ("{sequence: [{status: 500, analysis: {}}]}", "users.u1.sequence[0].analysis: an account answering 500"),
        ("{status: 500, sequence: [{}]}", "users.u1: an account with a sequence gives every answer in it: move status"),
        ("{sequence: [{fault: hang, status: 500}]}", "users.u1.sequence[0]: fault hang sends no answer"),
        ("{sequence: [reset]}", 'users.u1.sequence[0]: "reset" is not of type "object"'),
    ],
)
def test_bad_sequence_steps_named(tmp_path, account, problem):
    with pytest.raises(FixtureError) as raised:
        load_fixtures(fixtures_with(tmp_path, f"users:\n  u1: {account}\n"), CONTRACT)
    assert any(problem in line for line in raised.value.problems), raised.value.problems


def test_plugin_refuses_bad_sequence(sivi_mock):
    """The pytest fixture refuses a sequence as a fixture file would."""
    with pytest.raises(FixtureError, match=r"users\.u1\.sequence\[1\]\.status: 302"):
        sivi_mock.add_user("u1", sequence=[{"status": 500}, {"status": 302}])
