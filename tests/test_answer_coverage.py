"""Answer coverage: the mock names each answer by its class, journals it with the test that received it, and
`GET /__mock/coverage` sets the classes received against the ones the contract documents."""

from __future__ import annotations

import httpx
import pytest

from mock_server.spec import load_contract
from mock_server.spec.answer_classes import documented_answers, fault_classes
from tests.helpers import DOCUMENTED_USER, CheckedClient


@pytest.fixture
def mock(fresh_mock):
    with CheckedClient(fresh_mock.url) as checked:
        yield checked


def answers_journaled(mock: CheckedClient) -> list[str]:
    return [entry.get("answer") for entry in mock.get("/__mock/journal").json()["body"]["requests"]]


def test_journal_names_answer_class(mock):
    mock.analyze({"abstractUserId": DOCUMENTED_USER})
    mock.analyze({"abstractUserId": "user-12345"})
    mock.analyze({"abstractUserId": "kilobyte-user"})
    mock.analyze({"abstractUserId": "nobody"})
    mock.analyze({"abstractUserId": DOCUMENTED_USER}, key=None)
    mock.analyze({"abstractUserId": DOCUMENTED_USER}, key="mock-regular-key")
    mock.analyze({"abstractUserId": ""})
    mock.analyze({"abstractUserId": "server-error-user"})
    assert answers_journaled(mock) == [
        "200 documented user",
        "200 zero usage",
        "200 account data",
        "400 user not found",
        "401 missing api key",
        "401 regular key",
        "422 invalid input",
        "500 server error",
    ]


def test_prefer_and_faults_named(mock):
    """Prefer directives and faults are journaled by what they gave."""
    mock.analyze({"abstractUserId": DOCUMENTED_USER}, headers={"Prefer": "example=zeroUsage"})
    mock.analyze({"abstractUserId": DOCUMENTED_USER}, headers={"Prefer": "code=500"})
    mock.analyze({"abstractUserId": DOCUMENTED_USER}, headers={"Prefer": "code=200"})
    assert answers_journaled(mock) == ["200 zero usage", "500 server error", "200 documented user"]


def test_classes_come_from_examples():
    """The documented classes come from the contract's examples."""
    assert documented_answers(load_contract()) == {
        200: ("200 documented user", "200 zero usage"),
        400: ("400 user not found",),
        401: ("401 missing api key",),
        422: ("422 invalid input",),
        500: ("500 server error",),
    }


def test_coverage_names_unreceived(mock):
    """Coverage names the documented answers no request received."""
    mock.analyze({"abstractUserId": "kilobyte-user"})
    mock.analyze({"abstractUserId": "slow-user"})
    mock.analyze({"abstractUserId": "nobody"}, key=None)
    coverage = mock.get("/__mock/coverage").json()["body"]
    assert coverage["received"] == {"200 account data": 2, "401 missing api key": 1, "delay": 1}
    assert coverage["notReceived"] == [
        "400 user not found",
        "422 invalid input",
        "500 server error",
        *fault_classes(),
    ], "a 200 of any data covers the documented 200; the statuses and faults never given are named"


def test_coverage_outlives_reset(mock):
    """Coverage outlives a reset and counts answers for the test named."""
    mock.put("/__mock/test", json={"id": "tests/test_client.py::test_usage"})
    mock.analyze({"abstractUserId": DOCUMENTED_USER})
    mock.post("/__mock/reset")
    mock.put("/__mock/test", json={"id": "tests/test_client.py::test_outage"})
    mock.analyze({"abstractUserId": "server-error-user"})
    journal = mock.get("/__mock/journal").json()["body"]["requests"]
    assert [(e["answer"], e["test"]) for e in journal] == [("500 server error", "tests/test_client.py::test_outage")]
    assert mock.get("/__mock/coverage").json()["body"]["tests"] == {
        "tests/test_client.py::test_usage": {"200 documented user": 1},
        "tests/test_client.py::test_outage": {"500 server error": 1},
    }
    mock.delete("/__mock/coverage")
    assert mock.get("/__mock/coverage").json()["body"]["received"] == {}


def test_fault_covered_by_name(mock):
    assert mock.put("/__mock/users/outage", json={"fault": "gateway-503"}).status_code == 201
    answer = httpx.post(
        f"{mock.base_url}/enterprise/account-analysis",
        headers={"sivi-api-key": "mock-admin-key"},
        json={"abstractUserId": "outage"},
    )
    assert answer.status_code == 503
    assert answers_journaled(mock) == ["fault gateway-503"]
    assert "fault gateway-503" not in mock.get("/__mock/coverage").json()["body"]["notReceived"]


def test_naming_needs_test_id(mock):
    response = mock.put("/__mock/test", json={"name": "x"})
    assert response.status_code == 422
    assert "id" in response.json()["body"]["message"]


def test_header_names_the_test(mock):
    """Tests that run side by side against one mock say who they are with each request (`Sivi-Test`)."""
    mock.put("/__mock/test", json={"id": "test_a.mjs"})
    mock.put("/__mock/mutation", json={"mutant": "no months", "test": "test_b.mjs"})
    mine = mock.analyze({"abstractUserId": DOCUMENTED_USER}, headers={"Sivi-Test": "test_b.mjs"})
    theirs = mock.analyze({"abstractUserId": DOCUMENTED_USER})
    assert mine.json()["body"]["monthlyAnalysis"] == [], "the mutant for test_b.mjs reached the request naming it"
    assert theirs.json()["body"]["monthlyAnalysis"] != []
    assert mock.get("/__mock/coverage").json()["body"]["tests"] == {
        "test_b.mjs": {"200 documented user": 1},
        "test_a.mjs": {"200 documented user": 1},
    }
