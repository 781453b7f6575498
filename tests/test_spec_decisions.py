"""The spec's decisions are listed once, in `openapi.yaml`: the docs' table is made from that catalogue (the built
page is checked in tests/test_docs.py), every decision marks the nodes it qualifies, and the judgement of an answer
reads the marks (no list of decisions in Python)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from mock_server.judgement import Exchange, Expectation, Judge, TargetFacts
from mock_server.spec import BUNDLED_SPEC, SpecError, load_contract
from mock_server.spec.decisions import REPORTED, marks

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = load_contract()
ADMIN_KEY = "admin-key-for-the-judgement"


def expectation(exchange: Exchange, *, known_ids: tuple[str, ...] = ()) -> Expectation:
    """What the judgement expects of a target whose admin key is `ADMIN_KEY` and that has `known_ids`."""
    expected = Judge(CONTRACT, TargetFacts.of(ADMIN_KEY, known_ids=known_ids)).expectation(exchange)
    assert expected is not None
    return expected


def test_decisions_mark_the_spec():
    marked = {name for _, name in marks(CONTRACT.document)}
    unmarked = set(CONTRACT.decisions.catalogue) - marked
    assert not unmarked, f"decisions that mark no node of openapi.yaml: {sorted(unmarked)}"


def test_unknown_decision_mark(tmp_path):
    """A mark of a decision the catalogue does not list stops the spec."""
    document = yaml.safe_load(BUNDLED_SPEC.read_text(encoding="utf-8"))
    document["components"]["schemas"]["Count"]["x-decision"] = "no-such-decision"
    spec = tmp_path / "openapi.yaml"
    spec.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(SpecError, match=r"components\.schemas\.Count: marks the decision 'no-such-decision'"):
        load_contract(spec)


def sent(body: object, *, content_type: str = "application/json", key: str | None = ADMIN_KEY) -> Exchange:
    headers = {"content-type": content_type} | ({CONTRACT.api_key_header: key} if key else {})
    return Exchange("POST", "http://127.0.0.1:1/", headers, json.dumps(body).encode(), CONTRACT.api_key_header)


@pytest.mark.parametrize(
    ("request_sent", "decision"),
    [
        (sent({"abstractUserId": "u", "workspaceId": ""}), "user-id-wins"),
        (sent({"abstractUserId": "u", "workspaceId": 7}), "user-id-wins"),
        (sent({"abstractUserId": "", "workspaceId": "w"}), "user-id-wins"),
        (sent({"abstractUserId": "u"}, content_type="text/plain"), "content-type"),
        (sent({"abstractUserId": "u", "note": 1}), "unknown-properties"),
        (sent({"workspaceId": "w"}), "user-id-optional"),
        (sent({"abstractUserId": "u"}), "opaque-ids"),
        (sent({"workspaceId": "w", "note": 1}), "user-id-optional"),
        (sent({"abstractUserId": ""}, key=None), "check-order"),
        (sent({"abstractUserId": ""}, content_type="text/plain"), "content-type"),
        # What the documentation itself says: no decision to hide behind.
        (sent({"abstractUserId": ""}), None),
        (sent({"workspaceId": ""}), None),
        (sent({"abstractUserId": "", "workspaceId": ""}), None),
        (sent({"workspaceId": "", "note": 1}), None),
        (sent({"abstractUserId": 7}), None),
        (sent({"workspaceId": None}), None),
        (sent({}), None),
        (sent({"note": "w"}), None),
        (sent(["u"]), None),
        (sent({"abstractUserId": "u"}, key=None), None),
    ],
    ids=lambda value: f"{value.body!r} {value.headers['content-type']}" if isinstance(value, Exchange) else "",
)
def test_judgement_names_decision(request_sent, decision):
    """The judgement of a request names the decision its status rests on."""
    expected = expectation(request_sent)
    assert expected.decision == decision
    if decision is not None:
        assert CONTRACT.decisions[decision].verdict == REPORTED
        assert 500 not in expected.core, "no decision makes a 5xx acceptable"


def test_known_ids_need_no_decision():
    """The target has these ids, so whatever form it gives its ids, they are well-formed: looked up (200 or 400)."""
    for body in ({"abstractUserId": "u"}, {"abstractUserId": "u", "workspaceId": "w"}):
        expected = expectation(sent(body), known_ids=("u", "w"))
        assert (expected.statuses, expected.decision) == (frozenset({200, 400}), None)
    beside = expectation(sent({"abstractUserId": "u", "workspaceId": "x"}), known_ids=("u",))
    assert (beside.decision, beside.core) == ("opaque-ids", frozenset({422})), (
        "an id the run was not given may have a form"
    )


def test_empty_id_names_nobody():
    """The documentation wants 422 for a body whose only id is not a non-empty string: no reading looks it up."""
    for body in ({"abstractUserId": ""}, {"workspaceId": ""}):
        expected = expectation(sent(body))
        assert (expected.statuses, expected.decision) == (frozenset({422}), None), body
    plain = expectation(sent({"abstractUserId": ""}, content_type="text/plain"))
    assert 200 not in plain.core, "an empty id sent as text/plain is no request any reading may answer"
