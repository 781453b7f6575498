"""The mutants: named, pure functions from an answer to an answer, each of a kind; the mock applies the one in
force (`PUT /__mock/mutation`) to the answers of one test and one class, or to all."""

from __future__ import annotations

import json

import httpx
import pytest

from mock_server.mock.mutants import mutant_table
from mock_server.mock.replies import Replies
from mock_server.spec import load_contract
from tests.helpers import DOCUMENTED_USER, CheckedClient

CONTRACT = load_contract()
ANSWERS = Replies(CONTRACT)
MUTANTS = mutant_table(CONTRACT)


@pytest.fixture
def mock(fresh_mock):
    with CheckedClient(fresh_mock.url) as checked:
        yield checked


def test_table_has_three_kinds():
    by_kind = {kind: [m.name for m in MUTANTS.values() if m.kind == kind] for kind in ("meaning", "form", "values")}
    assert by_kind["meaning"][:6] == [
        "status 200",
        "status 400",
        "status 401",
        "status 422",
        "status 500",
        "every value changed",
    ]
    assert {"fault reset", "fault truncated", "fault garbage", "fault gateway-503", "fault hang"} <= set(
        by_kind["meaning"]
    )
    assert by_kind["form"] == ["unknown properties", "keys reordered", "other whitespace", "charset", "1 s late"]
    assert by_kind["values"] == [
        "no months",
        "24 months",
        "mediaSize 1.5Gb",
        "mediaSize 512Kb",
        "mediaSize 0B",
        "counts 0",
        "counts past 2^31",
        "lastAccessed 0",
    ]


@pytest.mark.parametrize(
    "name", [n for n, m in MUTANTS.items() if m.kind in ("form", "values")] + ["every value changed"]
)
def test_200_mutant_stays_valid(name):
    original = ANSWERS.documented(200)
    mutated = MUTANTS[name].change(original, ANSWERS)
    document = json.loads(mutated.body)
    assert not CONTRACT.responses[200].errors(document), f"{name} breaks the contract"
    assert original.body == ANSWERS.documented(200).body, f"{name} changed the answer it was given"


def test_every_value_changes():
    original = json.loads(ANSWERS.documented(200).body)["body"]
    changed = json.loads(MUTANTS["every value changed"].change(ANSWERS.documented(200), ANSWERS).body)["body"]
    assert changed["yearlyAnalysis"]["mediaSize"] == "26Mb"
    assert changed["lastAccessed"] == original["lastAccessed"] + 1
    assert changed["creditBalance"] == {"availableCredits": 101, "usedCredits": 21}


def test_status_mutant_replaces_200():
    """A status mutant gives the documented error in place of the 200 only."""
    assert MUTANTS["status 500"].applies(ANSWERS.documented(200))
    assert not MUTANTS["status 500"].applies(ANSWERS.not_found), "errors get the 200, not another error"
    assert MUTANTS["status 200"].applies(ANSWERS.not_found)


def test_mutant_only_for_named_test(mock):
    """The mock gives the mutant to the named test and answer class only."""
    mutation = {"mutant": "no months", "test": "t::a", "answer": "200 documented user"}
    assert mock.put("/__mock/mutation", json=mutation).status_code == 200
    mock.put("/__mock/test", json={"id": "t::a"})
    assert mock.analyze({"abstractUserId": DOCUMENTED_USER}).json()["body"]["monthlyAnalysis"] == []
    assert mock.analyze({"abstractUserId": "kilobyte-user"}).json()["body"]["monthlyAnalysis"] != []
    mock.post("/__mock/reset")  # what the fixture does after each test: the mutation stays
    mock.put("/__mock/test", json={"id": "t::b"})
    assert mock.analyze({"abstractUserId": DOCUMENTED_USER}).json()["body"]["monthlyAnalysis"] != []
    mock.put("/__mock/test", json={"id": "t::a"})
    mock.analyze({"abstractUserId": DOCUMENTED_USER})
    last = mock.get("/__mock/journal").json()["body"]["requests"][-1]
    assert (last["answer"], last["mutant"], last["test"]) == ("200 documented user", "no months", "t::a")


def test_fault_mutant_every_request(mock):
    mock.put("/__mock/mutation", json={"mutant": "fault reset"})
    with pytest.raises(httpx.TransportError):
        httpx.post(
            f"{mock.base_url}/enterprise/account-analysis",
            headers={"sivi-api-key": "mock-admin-key"},
            json={"abstractUserId": DOCUMENTED_USER},
        )
    mock.delete("/__mock/mutation")
    assert mock.analyze({"abstractUserId": DOCUMENTED_USER}).status_code == 200


def test_unknown_mutant_refused(mock):
    """An unknown mutant is refused naming the known ones."""
    response = mock.put("/__mock/mutation", json={"mutant": "status 999"})
    assert response.status_code == 422
    assert "status 500" in response.json()["body"]["message"]
    listed = mock.get("/__mock/mutants").json()["body"]["mutants"]
    assert [m["name"] for m in listed] == list(MUTANTS)
