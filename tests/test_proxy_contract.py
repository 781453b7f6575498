"""Every upstream answer is judged by the contract suite's own checks: `Sivi-Contract`, the journal, the log,
`?contract=violates`, and `--proxy-errors`."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from tests.hostile_upstreams import ScriptedUpstream, conforming, known_user
from tests.toy_servers import (
    AnswersHtml,
    CorrectWithOtherRefusals,
    ExtraPropertiesRejected,
    LeaksTheKey,
    Toy,
    UnknownUserGets404,
    WrongEnvelopeStatus,
)
from tests.upstreams import MOCK_KEY, PATH, REAL_KEY, known_user_body, proxy, upstream


def ask(url: str, body: object) -> httpx.Response:
    return httpx.post(url + PATH, json=body, headers={"sivi-api-key": MOCK_KEY}, timeout=10)


def journal(url: str, query: str = "") -> list[dict]:
    return httpx.get(f"{url}/__mock/journal{query}").json()["body"]["requests"]


@pytest.mark.parametrize(
    ("toy", "body", "check"),
    [
        (WrongEnvelopeStatus(), {"abstractUserId": "nobody"}, "envelope_status"),
        (UnknownUserGets404(), {"abstractUserId": "nobody"}, "documented_status"),
        (AnswersHtml(), known_user_body(), "json_body"),
    ],
    ids=["envelope says 200", "404 for an unknown user", "an HTML page"],
)
def test_violation_is_marked(toy, body, check, caplog):
    """A violating answer is relayed, marked, journaled and logged."""
    caplog.set_level(logging.WARNING, logger="sivi_mock")
    with upstream(toy) as (up, _), proxy(up.url, real_key=True) as px:
        good = ask(px.url, known_user_body() if check != "json_body" else {"workspaceId": "none"})
        bad = ask(px.url, body)
        violations = journal(px.url, "?contract=violates")
        everything = journal(px.url)

    assert bad.headers["sivi-contract"] == "violates"
    assert check in [finding["check"] for finding in violations[-1]["upstream"]["findings"]]
    entry = violations[-1]["upstream"]
    assert entry["status"] == bad.status_code and entry["ms"] > 0 and entry["contract"] == "violates"
    if check != "json_body":  # the HTML toy answers every request with the same page
        assert good.headers["sivi-contract"] == "conforms"
        assert [e["upstream"]["contract"] for e in everything] == ["conforms", "violates"]
        assert len(violations) == 1
    lines = [r.getMessage() for r in caplog.records if "violates the contract" in r.getMessage()]
    assert any(f": {check}: " in line for line in lines), f"no log line names {check}: {lines}"
    assert all("\n" not in line for line in lines), "a violation took more than one log line"


def test_correct_upstreams_conform():
    """Correct upstreams making other legal choices conform."""
    with upstream(CorrectWithOtherRefusals()) as (up, _), proxy(up.url, real_key=True) as px:
        verdicts = [
            ask(px.url, body).headers["sivi-contract"]
            for body in (known_user_body(), {"abstractUserId": "nobody"}, {"workspaceId": ""}, {"other": 1})
        ]
        no_key = httpx.post(px.url + PATH, json=known_user_body())  # the mock's own 401: not relayed, not judged
    assert verdicts == ["conforms"] * 4
    assert no_key.status_code == 401 and "sivi-contract" not in no_key.headers


def test_proxy_errors_gives_502():
    """--proxy-errors replaces a violating answer with a 502 naming the check."""
    with upstream(WrongEnvelopeStatus()) as (up, _), proxy(up.url, real_key=True, proxy_errors=True) as px:
        good = ask(px.url, known_user_body())
        bad = ask(px.url, {"abstractUserId": "nobody"})
        entry = journal(px.url)[-1]

    assert good.status_code == 200
    assert bad.status_code == 502 and bad.headers["sivi-mock-error"] == "contract"
    assert bad.headers["sivi-contract"] == "violates"
    body = bad.json()
    assert body["status"] == 502 and "envelope_status" in body["body"]["message"]
    assert body["body"]["checks"] == ["envelope_status"]
    assert entry["status"] == 502 and entry["upstream"]["status"] == 400


def test_echoed_key_never_logged(caplog):
    """An upstream echoing the key never gets it into the journal or the log."""
    caplog.set_level(logging.DEBUG)
    with upstream(LeaksTheKey()) as (up, _), proxy(up.url, real_key=True) as px:
        ask(px.url, {"abstractUserId": "nobody"})
        written = httpx.get(px.url + "/__mock/journal").text
    assert REAL_KEY not in written and REAL_KEY not in caplog.text
    assert "violates" in written


def test_unknown_verdict_filter_refused():
    with upstream(Toy()) as (up, _), proxy(up.url, real_key=True) as px:
        answer = httpx.get(px.url + "/__mock/journal?contract=maybe")
    assert answer.status_code == 422 and "violates" in answer.json()["body"]["message"]


def test_difference_is_only_marked(caplog):
    """An answer that only differs from a decided reading is marked `differs`, never replaced."""
    caplog.set_level(logging.WARNING, logger="sivi_mock")
    extra = {**known_user_body(), "clientVersion": "4.2"}  # openapi.yaml decides: unknown properties are ignored
    with upstream(ExtraPropertiesRejected()) as (up, _), proxy(up.url, real_key=True, proxy_errors=True) as px:
        answer = ask(px.url, extra)
        entry = journal(px.url, "?contract=differs")[-1]["upstream"]

    assert answer.status_code == 422 and answer.headers["sivi-contract"] == "differs", answer.text
    assert "sivi-mock-error" not in answer.headers, "--proxy-errors replaced an answer that only differs"
    assert [(f["check"], f["decision"]) for f in entry["findings"]] == [
        ("valid_input_is_answered", "unknown-properties")
    ]
    assert not [r for r in caplog.records if "violates the contract" in r.getMessage()]


def test_repeated_header_judged_whole():
    """A repeated request header goes upstream and is judged with every value."""
    sent = [("sivi-api-key", MOCK_KEY), ("content-type", "text/plain"), ("content-type", "application/json")]
    with ScriptedUpstream(lambda request: conforming()) as up, proxy(up.url, real_key=True) as px:
        got = httpx.post(px.url + PATH, content=json.dumps(known_user()).encode(), headers=sent, timeout=10)
        entries = journal(px.url)
        relayed = [line for line in up.requests[0].head.split(b"\r\n") if line.lower().startswith(b"content-type")]

    assert relayed == [b"content-type: text/plain", b"content-type: application/json"], relayed
    findings = entries[-1]["upstream"]["findings"]
    assert got.headers["sivi-contract"] == "differs", "a body sent as two content types is a decided point"
    assert any("text/plain, application/json" in finding["message"] for finding in findings), (
        f"the judgement did not see both content types: {findings}"
    )
