"""What openapi.yaml promises, checked through the same loader the mock and the contract suite use."""

from __future__ import annotations

import copy

import pytest

from mock_server.spec import SpecError, load_contract

CONTRACT = load_contract()
DOCUMENTED_USER = "281743-2322-34i44sd3-dkfjgdkjf292"


def documented_success() -> dict:
    return copy.deepcopy(CONTRACT.examples["documentedUser"].value)


def test_operation_from_spec():
    assert (CONTRACT.method, CONTRACT.path) == ("post", "/enterprise/account-analysis")
    assert CONTRACT.api_key_header == "sivi-api-key"
    assert CONTRACT.statuses == (200, 400, 401, 422, 500)


def test_servers_listed():
    """Servers list staging, production and the local mock."""
    urls = [server["url"] for server in CONTRACT.document["servers"]]
    assert urls == [
        "https://connect.sivi.ai/api/staging/v2",
        "https://connect.sivi.ai/api/prod/v2",
        "http://127.0.0.1:4010",
    ]


def test_every_status_has_example():
    """Every status has a named example that its own schema accepts."""
    for status in CONTRACT.statuses:
        examples = CONTRACT.examples_for(status)
        assert examples, f"response {status} has no named example"
        for example in examples:
            assert CONTRACT.responses[status].errors(example.value) == [], f"example {example.name!r} is invalid"


def test_success_example_is_vendors():
    body = documented_success()["body"]
    assert body["yearlyAnalysis"]["numberOfGeneratedDesignVariations"] == 254
    # The vendor's example breaks "month <= year"; the contract accepts it (a warning, never a failure).
    assert body["monthlyAnalysis"][0]["numberOfMedia"] > body["yearlyAnalysis"]["numberOfMedia"]


@pytest.mark.parametrize(
    "body",
    [
        {"abstractUserId": DOCUMENTED_USER},
        {"workspaceId": "workspace-acme-design"},
        {"abstractUserId": "user-12345", "workspaceId": "workspace-acme-design"},
        {"abstractUserId": "user-12345", "clientVersion": "1.2"},  # unknown properties are ignored
    ],
)
def test_requests_the_api_accepts(body):
    assert CONTRACT.request.errors(body) == []


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({}, "neither id"),
        ({"abstractUserId": ""}, "empty user id"),
        ({"workspaceId": ""}, "empty workspace id"),
        ({"abstractUserId": None}, "null id"),
        ({"abstractUserId": 12345}, "numeric id"),
        ({"workspaceId": ["w"]}, "list id"),
        ({"clientVersion": "1.2"}, "only unknown properties"),
        ([DOCUMENTED_USER], "not an object"),
        ("281743", "a bare string"),
    ],
)
def test_requests_refused_with_422(body, why):
    assert CONTRACT.request.errors(body), f"the request schema should refuse {why}: {body!r}"


@pytest.mark.parametrize("size", ["0Mb", "512Kb", "25Mb", "1.5Gb", "2MB", "100B", "3Tb"])
def test_media_sizes_accepted(size):
    assert CONTRACT.component("MediaSize").is_valid(size)


@pytest.mark.parametrize("size", [25, "lots", "25", "25 Mb", "-1Mb", "1.Gb", "Mb", "01Mb", ""])
def test_media_sizes_refused(size):
    assert not CONTRACT.component("MediaSize").is_valid(size), f"{size!r} should not be a valid mediaSize"


@pytest.mark.parametrize(
    ("change", "expected_error"),
    [
        (lambda b: b["yearlyAnalysis"].update(numberOfMedia=-1), "body.yearlyAnalysis.numberOfMedia"),
        (lambda b: b["yearlyAnalysis"].update(numberOfEditedDesigns=4.5), "body.yearlyAnalysis.numberOfEditedDesigns"),
        (lambda b: b["monthlyAnalysis"][0].update(mediaSize="lots"), "body.monthlyAnalysis[0].mediaSize"),
        (lambda b: b["creditBalance"].pop("usedCredits"), "body.creditBalance"),
        (lambda b: b.update(lastAccessed="2011-12-31"), "body.lastAccessed"),
        (lambda b: b.update(lastAccessed=-5), "body.lastAccessed"),
        (lambda b: b.pop("monthlyAnalysis"), "body"),
    ],
)
def test_broken_guarantee_refused(change, expected_error):
    envelope = documented_success()
    change(envelope["body"])
    errors = CONTRACT.responses[200].errors(envelope)
    assert any(error.startswith(expected_error + ":") for error in errors), errors


def test_additive_changes_allowed():
    envelope = documented_success()
    envelope["requestId"] = "abc"
    envelope["body"]["plan"] = "enterprise"
    envelope["body"]["monthlyAnalysis"][0]["month"] = "2026-10"
    assert CONTRACT.responses[200].errors(envelope) == []


def test_zero_to_twelve_months():
    for months in (0, 1, 12):
        envelope = documented_success()
        envelope["body"]["monthlyAnalysis"] = [envelope["body"]["monthlyAnalysis"][0]] * months
        assert CONTRACT.responses[200].is_valid(envelope), f"{months} monthly entries should be valid"


@pytest.mark.parametrize("status", [400, 401, 422, 500])
def test_envelope_status_matches(status):
    other = 400 if status != 400 else 401
    assert CONTRACT.responses[status].is_valid({"status": status, "body": {"message": "x"}})
    assert not CONTRACT.responses[status].is_valid({"status": other, "body": {"message": "x"}})
    assert not CONTRACT.responses[200].is_valid({"status": status, "body": documented_success()["body"]})


@pytest.mark.parametrize("body", [{}, {"message": ""}, {"message": 42}, {"error": "Invalid input"}])
def test_errors_have_messages(body):
    assert not CONTRACT.responses[422].is_valid({"status": 422, "body": body})


def test_other_messages_valid():
    for message in ("User does not exist", "User does not exists", "No such user"):
        assert CONTRACT.responses[400].is_valid({"status": 400, "body": {"message": message}})


# A broken spec stops whoever loads it with the file, the place inside it and the reason.


def test_missing_spec_named(tmp_path):
    with pytest.raises(SpecError, match=r"nowhere\.yaml: cannot read the spec"):
        load_contract(tmp_path / "nowhere.yaml")


def test_bad_yaml_names_line(tmp_path):
    spec = tmp_path / "openapi.yaml"
    spec.write_text("openapi: 3.1.0\npaths: {\n  bad: [\n")
    with pytest.raises(SpecError, match=r"openapi\.yaml: line \d+, column \d+: not valid YAML"):
        load_contract(spec)


def test_swagger_2_refused(tmp_path):
    spec = tmp_path / "openapi.yaml"
    spec.write_text("swagger: '2.0'\npaths: {}\n")
    with pytest.raises(SpecError, match=r"expected an OpenAPI 3\.1 document"):
        load_contract(spec)


def test_dangling_ref_named(tmp_path):
    """A dangling reference names the schema that holds it."""
    spec = tmp_path / "openapi.yaml"
    text = CONTRACT.source.read_text().replace(
        '$ref: "#/components/schemas/AccountAnalysisRequest"', '$ref: "#/components/schemas/Nope"'
    )
    spec.write_text(text)
    with pytest.raises(SpecError, match=r"paths\./enterprise/account-analysis\.post\.requestBody: not a usable"):
        load_contract(spec)
