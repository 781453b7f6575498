"""The judgement read as a table: what was sent, what came back, and the verdict `Judge` gives it, without HTTP.

    judge = Judge(contract, TargetFacts.of(ADMIN, regular_keys=[REGULAR], known_ids=[KNOWN_USER, KNOWN_WORKSPACE]))
    judge.verdict(exchange)  # Verdict(conformance, failures)

Each row names the decision of `openapi.yaml` it shows (`None`: what the vendor's documentation says itself); a
row that breaks only a `reported` decision differs from it (a warning), one that breaks the documentation violates
it. Every decision of the catalogue has a row: a decision added to `x-decisions` without one fails this file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from mock_server.judgement import Conformance, Exchange, Failure, Judge, TargetFacts, Verdict
from mock_server.spec.contract import load_contract

CONTRACT = load_contract()
ADMIN, REGULAR = "admin-key", "regular-key"
KNOWN_USER, KNOWN_WORKSPACE = "known-user", "known-workspace"
JUDGE = Judge(CONTRACT, TargetFacts.of(ADMIN, regular_keys=[REGULAR], known_ids=[KNOWN_USER, KNOWN_WORKSPACE]))
# The proxy relaying a caller's own key: what the admin key is, nobody knows.
KEY_UNKNOWN = Judge(CONTRACT, TargetFacts.of(None))

CONFORMS, DIFFERS, VIOLATES = Conformance.CONFORMS, Conformance.DIFFERS, Conformance.VIOLATES
ANALYSIS: dict[str, Any] = CONTRACT.examples["documentedUser"].value["body"]
NO_KEY = None


def analysis(**changes: Any) -> dict[str, Any]:
    """The documented analysis, with `changes` (`yearlyAnalysis={...}` replaces that part whole)."""
    return {**json.loads(json.dumps(ANALYSIS)), **changes}


def yearly(**changes: Any) -> dict[str, Any]:
    return analysis(yearlyAnalysis={**ANALYSIS["yearlyAnalysis"], **changes})


def error(message: str = "User does not exist") -> dict[str, Any]:
    return {"message": message}


@dataclass(frozen=True)
class Case:
    """One row: the request (`sent`, as JSON unless bytes), the answer (`status` and `body` in the envelope, unless
    `raw` bytes), and the verdict with its failures as (check, decision) pairs."""

    shows: str | None  # the decision of openapi.yaml this row shows; None: the documentation's own word
    title: str
    sent: Any
    status: int
    body: Any
    verdict: Conformance
    failures: tuple[tuple[str, str | None], ...] = ()
    key: str | None = ADMIN
    content_type: str = "application/json"
    method: str = "POST"
    raw: bytes | None = None
    answer_type: str = "application/json"
    envelope_status: int | None = None  # the envelope's `status`, when it is not the HTTP status
    no_answer: str | None = None  # why nothing came back
    judge: Judge = field(default=JUDGE, compare=False)

    def exchange(self) -> Exchange:
        headers = {"content-type": self.content_type} if self.sent is not None else {}
        if self.key is not None:
            headers[CONTRACT.api_key_header] = self.key
        sent = self.sent if isinstance(self.sent, bytes | None) else json.dumps(self.sent).encode()
        envelope = {"status": self.status if self.envelope_status is None else self.envelope_status, "body": self.body}
        return Exchange(
            method=self.method,
            url=f"http://127.0.0.1:1{CONTRACT.path}",
            headers=headers,
            body=sent,
            key_header=CONTRACT.api_key_header,
            status=self.status if self.no_answer is None else None,
            response_headers={"content-type": self.answer_type},
            content=self.raw if self.raw is not None else json.dumps(envelope).encode(),
            error=self.no_answer,
        )


USER, WORKSPACE = {"abstractUserId": KNOWN_USER}, {"workspaceId": KNOWN_WORKSPACE}
UNKNOWN_USER = {"abstractUserId": "someone-else"}
WITHOUT_CREDITS = {name: part for name, part in ANALYSIS.items() if name != "creditBalance"}
# Checks named in the failures: what status the request called for, and whether the answer is one at all.
ANSWERED, IS_422, AUTH = "valid_input_is_answered", "invalid_input_is_422", "auth_first"

CASES = [
    # --- the documentation's own word: violations in every run
    Case(None, "a known user answered with the documented analysis", USER, 200, ANALYSIS, CONFORMS),
    Case(None, "an unknown user answered 400", UNKNOWN_USER, 400, error(), CONFORMS),
    Case(None, "the envelope's status is not the HTTP status", UNKNOWN_USER, 400, error(), VIOLATES,
         (("envelope_status", None),), envelope_status=200),
    Case(None, "a status the spec does not document (404)", UNKNOWN_USER, 404, error(), VIOLATES,
         (("documented_status", None), (ANSWERED, None))),
    Case(None, "an answer that is not JSON", USER, 200, None, VIOLATES,
         (("json_content_type", None), ("json_body", None)), raw=b"<html>oops</html>", answer_type="text/html"),
    Case(None, "JSON sent as text/plain", USER, 200, ANALYSIS, VIOLATES,
         (("json_content_type", None),), answer_type="text/plain"),
    Case(None, "NaN in an answer is no JSON (JSON.parse refuses it)", USER, 200, None, VIOLATES,
         (("json_body", None),), raw=b'{"status": 200, "body": NaN}'),
    Case(None, "an analysis without its creditBalance", USER, 200, WITHOUT_CREDITS, VIOLATES,
         (("response_schema", None),)),
    Case(None, "a 5xx for a valid request", USER, 500, error("Server internal error"), VIOLATES,
         ((ANSWERED, None),)),
    Case(None, "a 5xx for an invalid body", {"abstractUserId": 7}, 500, error("boom"), VIOLATES, ((IS_422, None),)),
    Case(None, "a body naming neither id answered 200", {}, 200, ANALYSIS, VIOLATES, ((IS_422, None),)),
    Case(None, "no answer at all", USER, 0, None, VIOLATES, (("no_answer", None),), no_answer="connection reset"),
    # --- other methods: refused with any 4xx or 501; OPTIONS may be answered
    Case(None, "GET refused with 405", None, 405, error("Method not allowed"), CONFORMS, method="GET"),
    Case(None, "DELETE refused with 404", None, 404, error("Not found"), CONFORMS, method="DELETE"),
    Case(None, "TRACE answered 501", None, 501, error("Not implemented"), CONFORMS, method="TRACE"),
    Case(None, "OPTIONS answered 204 (a CORS preflight)", None, 204, None, CONFORMS, method="OPTIONS"),
    Case(None, "GET answered 200", None, 200, ANALYSIS, VIOLATES, (("other_methods_refused", None),), method="GET"),
    Case(None, "PUT answered 500", None, 500, error("boom"), VIOLATES, (("other_methods_refused", None),),
         method="PUT"),
    # --- the admin key is not known (the proxy with the caller's own key): a 401 is judged only as an answer
    Case(None, "key unknown: a 401 in the envelope", USER, 401, error("no"), CONFORMS, key="caller-key",
         judge=KEY_UNKNOWN),
    Case(None, "key unknown: a 401 outside the envelope", USER, 401, None, VIOLATES,
         (("json_body", None),), key="caller-key", raw=b"Unauthorized", judge=KEY_UNKNOWN),
    Case(None, "key unknown: a 200 for the caller's key", USER, 200, ANALYSIS, CONFORMS, key="caller-key",
         judge=KEY_UNKNOWN),
    Case(None, "key unknown: a 200 without any key", USER, 200, ANALYSIS, VIOLATES, ((AUTH, None),), key=NO_KEY,
         judge=KEY_UNKNOWN),
    # --- known ids (a run's --user-id, --workspace-id): whatever form a server gives its ids, these are looked up
    Case(None, "a known user refused with 422", USER, 422, error("Invalid input"), VIOLATES, ((ANSWERED, None),)),
    Case(None, "a known user answered 400", USER, 400, error(), CONFORMS),
    # --- one or more rows for each decision of openapi.yaml
    Case("user-id-optional", "a workspace id alone answered", WORKSPACE, 200, ANALYSIS, CONFORMS),
    Case("user-id-optional", "a workspace id alone refused with 422 (the parameter table's reading)", WORKSPACE,
         422, error("Invalid input"), DIFFERS, ((ANSWERED, "user-id-optional"),)),
    Case("user-id-optional", "a workspace id alone answered 500", WORKSPACE, 500, error("boom"), VIOLATES,
         ((ANSWERED, None),)),
    Case("user-id-wins", "both ids, the answer 200: one answer cannot show which id was used (the suite's lookup "
         "test compares answers)", {**UNKNOWN_USER, **WORKSPACE}, 200, ANALYSIS, CONFORMS),
    Case("user-id-wins", "both ids, the workspace id empty, processed (the user id wins)", {**USER, "workspaceId": ""},
         200, ANALYSIS, DIFFERS, ((IS_422, "user-id-wins"),)),
    Case("opaque-ids", "an id the run does not know refused with 422 (a server whose ids have a form)",
         UNKNOWN_USER, 422, error("Invalid input"), DIFFERS, ((ANSWERED, "opaque-ids"),)),
    Case("opaque-ids", "an empty id alone answered 400", {"abstractUserId": ""}, 400, error(), VIOLATES,
         ((IS_422, None),)),
    Case("unknown-properties", "an extra property ignored", {**USER, "colour": "red"}, 200, ANALYSIS, CONFORMS),
    Case("unknown-properties", "an extra property refused with 422", {**USER, "colour": "red"}, 422,
         error("Invalid input"), DIFFERS, ((ANSWERED, "unknown-properties"),)),
    Case("content-type", "a valid body sent as text/plain answered 422", USER, 422, error("Invalid input"),
         CONFORMS, content_type="text/plain"),
    Case("content-type", "a valid body sent as text/plain processed", USER, 200, ANALYSIS, DIFFERS,
         ((IS_422, "content-type"),), content_type="text/plain"),
    Case("content-type", "a valid body sent as text/plain refused with 415", USER, 415, error("Unsupported"),
         DIFFERS, (("documented_status", "content-type"), (IS_422, "content-type")), content_type="text/plain"),
    Case("invalid-json", "malformed JSON answered 422", b'{"abstractUserId": ', 422, error("Invalid input"),
         CONFORMS),
    Case("invalid-json", "JSON that is not an object answered 400", b"[]", 400, error(), VIOLATES,
         ((IS_422, None),)),
    Case("repeated-keys", "a key given twice answered 422", b'{"abstractUserId": "a", "abstractUserId": "b"}', 422,
         error("Invalid input"), CONFORMS),
    Case("repeated-keys", "a key given twice read as the last value (400)",
         b'{"abstractUserId": "a", "abstractUserId": "b"}', 400, error(), DIFFERS, ((IS_422, "repeated-keys"),)),
    Case("repeated-keys", "a key given twice crashes the server", b'{"abstractUserId": "a", "abstractUserId": "b"}',
         500, error("boom"), VIOLATES, ((IS_422, None),)),
    Case(None, "a key given twice, empty whichever wins, answered 400", b'{"abstractUserId": "", "abstractUserId": ""}',
         400, error(), VIOLATES, ((IS_422, None),)),
    Case("check-order", "no key, an invalid body: 401 first", {}, 401, error("no key"), CONFORMS, key=NO_KEY),
    Case("check-order", "no key, an invalid body answered 422", {}, 422, error("Invalid input"), DIFFERS,
         ((AUTH, "check-order"),), key=NO_KEY),
    Case("check-order", "no key, a valid body looked up (400)", UNKNOWN_USER, 400, error(), VIOLATES,
         ((AUTH, None),), key=NO_KEY),
    Case("non-admin-key", "a regular key answered 401", USER, 401, error("not an admin key"), CONFORMS, key=REGULAR),
    Case("non-admin-key", "a regular key refused with 403", USER, 403, error("Forbidden"), DIFFERS,
         (("documented_status", "non-admin-key"), (AUTH, "non-admin-key")), key=REGULAR),
    Case("non-admin-key", "a regular key answered 200", USER, 200, ANALYSIS, VIOLATES, ((AUTH, None),), key=REGULAR),
    Case("message-texts", "another text for the message", UNKNOWN_USER, 400, error("No such user"), CONFORMS),
    Case("message-texts", "an empty message", UNKNOWN_USER, 400, error(""), VIOLATES, (("response_schema", None),)),
    Case("envelope", "an answer without the envelope", USER, 200, None, VIOLATES, (("response_schema", None),),
         raw=json.dumps(ANALYSIS).encode()),
    Case("extra-response-properties", "properties the spec does not name", USER, 200,
         analysis(plan="enterprise", yearlyAnalysis={**ANALYSIS["yearlyAnalysis"], "currency": "EUR"}), CONFORMS),
    Case("counts", "a negative count", USER, 200, yearly(numberOfMedia=-1), VIOLATES, (("response_schema", None),)),
    Case("media-size", "a size in another form (25 MB)", USER, 200, yearly(mediaSize="25 MB"), DIFFERS,
         (("response_schema", "media-size"),)),
    Case("media-size", "a size that is not a string", USER, 200, yearly(mediaSize=25), VIOLATES,
         (("response_schema", None),)),
    Case("last-accessed", "a time in milliseconds (a warning of the suite, no failure)", USER, 200,
         analysis(lastAccessed=1325312222000), CONFORMS),
    Case("last-accessed", "a time as text", USER, 200, analysis(lastAccessed="2011-12-31"), VIOLATES,
         (("response_schema", None),)),
    Case("monthly-analysis", "no month at all", USER, 200, analysis(monthlyAnalysis=[]), CONFORMS),
    Case("month-totals", "a month above its year (the documented example itself)", USER, 200, ANALYSIS, CONFORMS),
    Case("unknown-user-400", "a user the server does not have answered 400", UNKNOWN_USER, 400, error(), CONFORMS),
    Case("unknown-user-400", "a user the server does not have answered 404", UNKNOWN_USER, 404, error(), VIOLATES,
         (("documented_status", None), (ANSWERED, None))),
    Case("security", "no key answered 401", USER, 401, error("no key"), CONFORMS, key=NO_KEY),
    Case("security", "no key answered 200", USER, 200, ANALYSIS, VIOLATES, ((AUTH, None),), key=NO_KEY),
]  # fmt: skip


def described(verdict: Verdict) -> str:
    failures = "".join(f"\n  {f.check} [{f.decision or 'documented'}]: {f.message}" for f in verdict.failures)
    return f"{verdict.conformance}{failures}"


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.shows or 'documented'}: {case.title}")
def test_each_answer_verdict(case: Case) -> None:
    verdict = case.judge.verdict(case.exchange())
    got = (verdict.conformance, tuple((failure.check, failure.decision) for failure in verdict.failures))
    assert got == (case.verdict, case.failures), (
        f"{case.title}: expected {case.verdict} {list(case.failures)}, the judge says {described(verdict)}"
    )


def test_every_decision_has_a_row() -> None:
    shown = {case.shows for case in CASES}
    missing = [name for name in CONTRACT.decisions.catalogue if name not in shown]
    assert not missing, f"decisions of openapi.yaml with no row in this table: {missing}"
    unknown = sorted(name for name in shown if name is not None and name not in CONTRACT.decisions.catalogue)
    assert not unknown, f"rows that name decisions openapi.yaml does not list: {unknown}"


def test_reported_decision_row_differs() -> None:
    """A reported decision is a reading the documentation allows: some answer breaks it only (a warning)."""
    reported = [name for name, decision in CONTRACT.decisions.catalogue.items() if decision.verdict == "reported"]
    differing = {decision for case in CASES if case.verdict == DIFFERS for _, decision in case.failures}
    missing = [name for name in reported if name not in differing]
    assert not missing, f"reported decisions no row shows as a warning: {missing}"


def test_difference_fails_strict_only() -> None:
    """A difference fails only a strict run, and an accepted failure none."""
    violation = Failure("json_body", "the body is not JSON")
    difference = Failure("invalid_input_is_422", "expected 422, got 400", decision="check-order")
    accepted = Failure("response_schema", "not a valid 200 answer", accepted="vendor ticket SIVI-1234")
    verdict = Verdict.of([difference, accepted, violation])
    assert verdict.conformance == VIOLATES
    assert verdict.failing() == [violation], "by default a difference from a decision is a warning"
    assert verdict.failing(strict=True) == [difference, violation], "--strict fails it, in the order found"
    assert (verdict.differences, verdict.accepted) == ([difference], [accepted])
