"""The `sivi_mock` fixture and answer coverage: it names each test to the mock, prints at the end of a session which
documented answers no test received, and, with `SIVI_MOCK_URL` set, uses that mock instead of starting one."""

from __future__ import annotations

import json

import httpx

pytest_plugins = ["pytester"]
# The consumer's run loads only this kit's plugins: Schemathesis', Hypothesis' and the kit's own test tools' would
# triple its start-up.
OTHER_PLUGINS = ("schemathesis", "hypothesispytest", "xdist", "xdist.looponfail", "timeout", "anyio")
QUIET = ("-p", "no:cacheprovider", *(option for name in OTHER_PLUGINS for option in ("-p", f"no:{name}")))

CONSUMER_TEST = """
import json

import httpx
import pytest
from mock_server.spec.fixtures import FixtureError

def analyze(sivi_mock, user, key=None):
    return httpx.post(sivi_mock.endpoint, headers={"sivi-api-key": key or sivi_mock.admin_key},
                      json={"abstractUserId": user})

def test_usage(sivi_mock):
    assert analyze(sivi_mock, "281743-2322-34i44sd3-dkfjgdkjf292").status_code == 200

def test_outage(sivi_mock):
    sivi_mock.add_user("u-42", status=500, message="Database unavailable")
    assert analyze(sivi_mock, "u-42").status_code == 500
    assert [entry["answer"] for entry in sivi_mock.journal()] == ["500 server error"]

def test_added_users_are_gone_after_reset(sivi_mock):
    assert analyze(sivi_mock, "u-42").status_code == 400

def test_a_regular_key(sivi_mock):
    assert analyze(sivi_mock, "u-1", key=sivi_mock.regular_key).status_code == 401

def test_an_invalid_user_is_refused(sivi_mock):
    with pytest.raises(FixtureError, match="lastAccessed"):
        sivi_mock.add_user("u-43", {"yearlyAnalysis": {}, "monthlyAnalysis": [], "creditBalance": {},
                                    "lastAccessed": "soon"})
"""


def test_session_lists_unreceived(pytester):
    """The session ends naming the documented answers no test received."""
    pytester.makepyfile(test_consumer=CONSUMER_TEST)
    result = pytester.runpytest_subprocess(*QUIET)
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(
        ["sivi_mock: no test received these answers (9): 422 invalid input, fault reset, fault close, *"]
    )
    summary = result.stdout.str().split("received these answers")[1]
    assert "401" not in summary, "a 401 of any kind (here the regular key's) covers the documented 401"


def test_mock_url_steers_that_mock(pytester, fresh_mock, monkeypatch):
    """With SIVI_MOCK_URL the fixture steers that mock and names each test."""
    monkeypatch.setenv("SIVI_MOCK_URL", fresh_mock.url)
    pytester.makepyfile(test_consumer=CONSUMER_TEST)
    result = pytester.runpytest_subprocess(*QUIET)
    result.assert_outcomes(passed=5)
    coverage = httpx.get(f"{fresh_mock.url}/__mock/coverage").json()["body"]
    assert coverage["tests"] == {
        "test_consumer.py::test_usage": {"200 documented user": 1},
        "test_consumer.py::test_outage": {"500 server error": 1},
        "test_consumer.py::test_added_users_are_gone_after_reset": {"400 user not found": 1},
        "test_consumer.py::test_a_regular_key": {"401 regular key": 1},
    }, "each answer is counted for the test that received it, on the mock SIVI_MOCK_URL names"
    result.stdout.fnmatch_lines(["sivi_mock: no test received these answers (9): 422 invalid input, fault reset, *"])


def test_mock_url_without_mock(pytester, monkeypatch):
    """With SIVI_MOCK_URL and no mock there the session says so."""
    from tests.helpers import free_port

    monkeypatch.setenv("SIVI_MOCK_URL", f"http://127.0.0.1:{free_port()}")
    pytester.makepyfile(test_consumer=CONSUMER_TEST)
    result = pytester.runpytest_subprocess(*QUIET, "-k", "usage")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*no mock answers at SIVI_MOCK_URL=http://127.0.0.1:*"])


def test_remote_mock_url_refused(pytester, monkeypatch):
    """A SIVI_MOCK_URL off this machine is refused before any key is sent to it."""
    monkeypatch.setenv("SIVI_MOCK_URL", "http://mock.invalid:4010")
    monkeypatch.setenv("SIVI_API_KEY", "real-staging-key-1234")
    pytester.makepyfile(test_consumer=CONSUMER_TEST)
    result = pytester.runpytest_subprocess(*QUIET, "-k", "usage")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*SIVI_MOCK_URL=http://mock.invalid:4010 is not on this machine*"])
    assert "real-staging-key-1234" not in result.stdout.str() + result.stderr.str()


def test_mutate_failures_told(pytester, monkeypatch):
    """Under sivi-mutate each failure is told as the test's own assertion or an error."""
    told = pytester.path / "outcomes.jsonl"
    monkeypatch.setenv("SIVI_MUTATE_OUTCOMES", str(told))
    pytester.makepyfile(client="def average(total, months):\n    return total / months\n")
    pytester.makeconftest("def assert_positive(value):\n    assert value > 0, value\n")
    pytester.makepyfile(
        test_usage="""
from client import average
from conftest import assert_positive

def test_its_own_assertion():
    assert average(10, 2) == 4

def test_a_helper_of_the_tests():
    assert_positive(average(0, 2))

def test_a_crash_of_the_client():
    assert average(10, 0) == 5

def test_passes():
    assert average(10, 2) == 5
"""
    )
    pytester.runpytest_subprocess(*QUIET).assert_outcomes(failed=3, passed=1)
    events = [json.loads(line) for line in told.read_text().splitlines()]
    failures = {e["test"].split("::")[1]: (e["failure"], e["exception"]) for e in events if e["event"] == "failed"}
    assert failures == {
        "test_its_own_assertion": ("assertion", "AssertionError: assert 5.0 == 4"),
        "test_a_helper_of_the_tests": ("assertion", "AssertionError: 0.0"),
        "test_a_crash_of_the_client": ("error", "ZeroDivisionError: division by zero"),
    }
    ended = [e["test"].split("::")[1] for e in events if e["event"] == "end"]
    assert ended == [
        "test_its_own_assertion",
        "test_a_helper_of_the_tests",
        "test_a_crash_of_the_client",
        "test_passes",
    ]
