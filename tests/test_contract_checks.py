"""Hypothesis properties of the suite's own checks over success bodies, without any server: every body the
documentation allows passes (whatever its units, month count, key order or extra properties), a broken
guarantee always fails, and what the documentation only suggests is a warning, never a failure."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.judgement import Exchange, response_conforms, usage_notes, usage_suggestions
from mock_server.spec.contract import load_contract

CONTRACT = load_contract()
SIZE_PATTERN = CONTRACT.resolve(CONTRACT.component("MediaSize").schema)["pattern"]  # the spec's own
COUNT = st.integers(min_value=0, max_value=10**12)
EXTRA = st.dictionaries(st.sampled_from(["note", "month", "currency", "plan"]), st.text(max_size=5), max_size=2)


def with_extras(required: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A mapping with the required keys, extra properties the spec does not name, in any key order."""
    return st.tuples(EXTRA, st.permutations(list(required))).map(
        lambda drawn: {**drawn[0], **{key: required[key] for key in drawn[1]}}
    )


METRICS = st.fixed_dictionaries(
    {
        "numberOfGeneratedDesignVariations": COUNT,
        "numberOfEditedDesigns": COUNT,
        "numberOfDownloadedDesigns": COUNT,
        "numberOfMedia": COUNT,
        "mediaSize": st.from_regex(SIZE_PATTERN, fullmatch=True),
    }
).flatmap(with_extras)
ANALYSES = st.fixed_dictionaries(
    {
        "yearlyAnalysis": METRICS,
        "monthlyAnalysis": st.lists(METRICS, max_size=12),
        "creditBalance": st.fixed_dictionaries({"availableCredits": COUNT, "usedCredits": COUNT}).flatmap(with_extras),
        "lastAccessed": st.integers(min_value=0, max_value=2**40),
    }
).flatmap(with_extras)


def answered(body: Any, status: int = 200, content_type: str = "application/json") -> Exchange:
    return Exchange(
        method="POST",
        url="http://127.0.0.1:1/enterprise/account-analysis",
        headers={},
        body=b"{}",
        key_header=CONTRACT.api_key_header,
        status=status,
        response_headers={"content-type": content_type},
        content=json.dumps({"status": status, "body": body}).encode(),
    )


@settings(max_examples=100, deadline=None)
@given(analysis=ANALYSES, content_type=st.sampled_from(["application/json", "application/json; charset=utf-8"]))
def test_documented_bodies_pass(analysis, content_type):
    assert response_conforms(answered(analysis, content_type=content_type), CONTRACT) == []


@settings(max_examples=50, deadline=None)
@given(analysis=ANALYSES, broken=st.sampled_from(["negative count", "size as a number", "timestamp as text"]))
def test_broken_guarantee_fails(analysis, broken):
    if broken == "negative count":
        analysis["creditBalance"]["usedCredits"] = -1
    elif broken == "size as a number":
        analysis["yearlyAnalysis"]["mediaSize"] = 25
    else:
        analysis["lastAccessed"] = "2011-12-31T06:17:02Z"
    failures = response_conforms(answered(analysis), CONTRACT)
    assert [(failure.check, failure.decision) for failure in failures] == [("response_schema", None)]


@settings(max_examples=50, deadline=None)
@given(analysis=ANALYSES, size=st.sampled_from(["25 MB", "1024", "2.5 GiB", "25", "lots", ""]))
def test_other_size_form_differs(analysis, size):
    """A size string of another form differs from the media-size decision only."""
    analysis["yearlyAnalysis"]["mediaSize"] = size
    failures = response_conforms(answered(analysis), CONTRACT)
    assert [(failure.check, failure.decision) for failure in failures] == [("response_schema", "media-size")]


@settings(max_examples=50, deadline=None)
@given(analysis=ANALYSES, surplus=st.integers(min_value=1, max_value=1000))
def test_month_above_year_warns(analysis, surplus):
    month = dict(analysis["yearlyAnalysis"], numberOfMedia=analysis["yearlyAnalysis"]["numberOfMedia"] + surplus)
    analysis["monthlyAnalysis"] = [month]
    assert response_conforms(answered(analysis), CONTRACT) == []
    assert any("above the yearly total" in note for note in usage_suggestions(analysis))


def test_documented_example_warns():
    example = CONTRACT.examples["documentedUser"].value["body"]
    assert response_conforms(answered(example), CONTRACT) == []
    assert usage_suggestions(example, now=1_800_000_000) == [
        "monthlyAnalysis[0].numberOfMedia is 250, above the yearly total 25"
    ]


def test_milliseconds_warn():
    example = dict(CONTRACT.examples["documentedUser"].value["body"], monthlyAnalysis=[], lastAccessed=1325312222000)
    assert response_conforms(answered(example), CONTRACT) == []
    assert usage_suggestions(example, now=1_800_000_000) == [
        "lastAccessed 1325312222000 is centuries ahead: milliseconds rather than seconds?"
    ]


def test_judgement_loads_alone():
    """The mock's proxy judges answers with the same functions: importing them must not drag in the suite."""
    probe = (
        "import sys, mock_server.judgement.checks; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'contract_tests', 'requests', 'schemathesis'}))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", f"mock_server.judgement.checks imports {loaded.strip()}"


def test_example_breaks_are_information():
    """Only what the documented example itself breaks is information rather than a warning."""
    from mock_server.judgement import documented_kinds
    from mock_server.judgement.checks import LAST_ACCESSED_AHEAD, MONTH_ABOVE_YEAR

    assert documented_kinds(CONTRACT) == {MONTH_ABOVE_YEAR}
    future = dict(CONTRACT.examples["documentedUser"].value["body"], lastAccessed=1_900_000_000)
    assert [kind for kind, _ in usage_notes(future, now=1_800_000_000)] == [MONTH_ABOVE_YEAR, LAST_ACCESSED_AHEAD]
