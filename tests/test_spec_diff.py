"""`sivi-spec diff OLD NEW`: each kind of change to `openapi.yaml`, made to the real spec and judged in both
directions. The breaking direction must come with a counterexample that really is one (checked here with a
validator of its own: a request the old schema accepts and the new one refuses, or an answer the new schema allows
and the old one refuses); the other direction must be safe, with no breaking finding at all.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml

from spec_diff.comparison import compare
from spec_diff.documents import SpecDocument, parse
from spec_diff.findings import Finding, Report

ROOT = Path(__file__).resolve().parent.parent
BASE: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text())
OPERATION = ("paths", "/enterprise/account-analysis", "post")


# Writing the spec out is a third of this module's time in pure Python; libyaml writes the same YAML.
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def spec(name: str, document: dict[str, Any]) -> SpecDocument:
    text = yaml.dump(document, Dumper=DUMPER, sort_keys=False)
    return SpecDocument(name, text, parse(name, text))


def diff(old: dict[str, Any], new: dict[str, Any], **options: Any) -> Report:
    return compare(spec("OLD", old), spec("NEW", new), **options)


def schemas(document: dict[str, Any]) -> dict[str, Any]:
    return document["components"]["schemas"]


def operation(document: dict[str, Any]) -> dict[str, Any]:
    return document["paths"]["/enterprise/account-analysis"]["post"]


def part_validator(document: dict[str, Any], where: str) -> jsonschema_rs.Validator:
    """The schema of `requestBody ...` or `responses.N ...`, compiled here, apart from the tool."""
    if where.startswith("requestBody"):
        holder = operation(document)["requestBody"]
    else:
        status = where.split()[0].split(".")[1]
        responses = operation(document)["responses"]
        holder = responses.get(status) or responses["default"]
    schema = holder["content"]["application/json"]["schema"]
    return jsonschema_rs.validator_for({**schema, "components": document["components"]})


def assert_real_counterexample(finding: Finding, old: dict[str, Any], new: dict[str, Any]) -> None:
    example = finding.counterexample
    assert example is not None and example.has_document, f"no counterexample document: {finding}"
    before, after = part_validator(old, finding.where), part_validator(new, finding.where)
    if example.kind == "request":
        assert before.is_valid(example.document), f"the old schema refuses the 'accepted' request: {finding}"
        assert not after.is_valid(example.document), f"the new schema accepts the 'refused' request: {finding}"
    else:
        assert after.is_valid(example.document), f"the new schema refuses the 'allowed' answer: {finding}"
        assert not before.is_valid(example.document), f"the old schema accepts it, so no client breaks: {finding}"


def shown(report: Report) -> str:
    return "\n".join(f"{f.verdict}: {f.where}: {f.what} ({f.detail}) {f.reason}" for f in report.findings)


@dataclass(frozen=True)
class Kind:
    """A change to the real spec: breaking in the direction named (OLD -> NEW), safe backwards, or both ways."""

    name: str
    change: Callable[[dict[str, Any]], None]
    where: str  # where the breaking finding is, e.g. `responses.200 application/json /status`
    what: str  # what it is called in the breaking direction
    safe_what: str | None  # what it is called in the safe direction; None: breaking both ways
    start: Callable[[dict[str, Any]], None] | None = None  # OLD is the real spec with this done to it first


def enum_property(values: list[str]) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        schemas(document)["CreditBalance"]["properties"]["plan"] = {"type": "string", "enum": values}

    return change


def set_at(name: str, *path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        node = schemas(document)[name]
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return change


def drop_at(name: str, *path: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        node = schemas(document)[name]
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return change


def period_property(values: list[str]) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        for name in ("AccountAnalysisRequestByUser", "AccountAnalysisRequestByWorkspace"):
            schemas(document)[name]["properties"]["period"] = {"type": "string", "enum": values}

    return change


def only_the_user_alternative(document: dict[str, Any]) -> None:
    request = schemas(document)["AccountAnalysisRequest"]
    request["anyOf"] = request["anyOf"][:1]


def workspace_id_required_beside_the_user_id(document: dict[str, Any]) -> None:
    schemas(document)["AccountAnalysisRequestByUser"]["required"] = ["abstractUserId", "workspaceId"]


REQUEST = "requestBody application/json"
SUCCESS = "responses.200 application/json"
MEDIA_SIZE_WITH_A_SPACE = "^(0|[1-9][0-9]*)(\\.[0-9]+)? ?([KkMmGgTt]?[Bb])$"
KINDS = [
    Kind("envelope status const changed", set_at("AccountAnalysisEnvelope", "properties", "status", "const", value=201),
         f"{SUCCESS} /status", "const changed", None),
    Kind("envelope status const dropped", drop_at("AccountAnalysisEnvelope", "properties", "status", "const"),
         f"{SUCCESS} /status", "const removed", "const added"),
    Kind("by-workspace alternative removed from the request's anyOf", only_the_user_alternative,
         f"{REQUEST} /", "alternative removed", "alternative added"),
    Kind("request refuses unknown properties",
         set_at("AccountAnalysisRequestByUser", "additionalProperties", value=False),
         f"{REQUEST} /", "unknown properties refused", "unknown properties allowed"),
    Kind("answer allows unknown properties again", drop_at("CreditBalance", "additionalProperties"),
         f"{SUCCESS} /body/creditBalance", "unknown properties allowed", "unknown properties refused",
         start=set_at("CreditBalance", "additionalProperties", value=False)),
    Kind("answer field now optional", set_at("CreditBalance", "required", value=["availableCredits"]),
         f"{SUCCESS} /body/creditBalance/usedCredits", "now optional", "now always present"),
    Kind("request field newly required", workspace_id_required_beside_the_user_id,
         f"{REQUEST} /workspaceId", "newly required", "now optional"),
    Kind("id minLength raised", set_at("Identifier", "minLength", value=3),
         f"{REQUEST} /abstractUserId", "narrowed", "widened"),
    Kind("id pattern added", set_at("Identifier", "pattern", value="^[a-z0-9-]+$"),
         f"{REQUEST} /abstractUserId", "narrowed", "widened"),
    Kind("mediaSize pattern loosened", set_at("MediaSize", "pattern", value=MEDIA_SIZE_WITH_A_SPACE),
         f"{SUCCESS} /body/yearlyAnalysis/mediaSize", "changed", "changed"),
    Kind("count minimum dropped", drop_at("Count", "minimum"),
         f"{SUCCESS} /body/creditBalance/usedCredits", "widened", "narrowed"),
    Kind("answer enum value added", enum_property(["free", "pro", "enterprise"]),
         f"{SUCCESS} /body/creditBalance/plan", "enum value added", "enum value removed",
         start=enum_property(["free", "pro"])),
    Kind("request enum value removed", period_property(["year"]),
         f"{REQUEST} /period", "enum value removed", "enum value added", start=period_property(["year", "month"])),
    Kind("answer now nullable",
         set_at("AccountAnalysis", "properties", "lastAccessed", "type", value=["integer", "null"]),
         f"{SUCCESS} /body/lastAccessed", "now nullable", "no longer nullable"),
    Kind("answer type widened",
         set_at("CreditBalance", "properties", "usedCredits", value={"type": "number", "minimum": 0}),
         f"{SUCCESS} /body/creditBalance/usedCredits", "type widened", "type narrowed"),
    Kind("$ref to another schema",
         set_at("CreditBalance", "properties", "usedCredits", value={"$ref": "#/components/schemas/Identifier"}),
         f"{SUCCESS} /body/creditBalance/usedCredits", "type changed", None),
]  # fmt: skip


def pair(kind: Kind) -> tuple[dict[str, Any], dict[str, Any]]:
    old = copy.deepcopy(BASE)
    if kind.start is not None:
        kind.start(old)
    new = copy.deepcopy(old)
    kind.change(new)
    return old, new


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_breaking_change_counterexample(kind: Kind) -> None:
    """A breaking change is found with a counterexample that really is one."""
    old, new = pair(kind)
    report = diff(old, new)
    found = [f for f in report.of("breaking") if f.where == kind.where]
    assert found, f"{kind.name}: nothing breaking at {kind.where}:\n{shown(report)}"
    assert found[0].what == kind.what, f"{kind.name}: called {found[0].what!r}:\n{shown(report)}"
    assert_real_counterexample(found[0], old, new)
    assert report.exit_code == 1


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_change_backwards(kind: Kind) -> None:
    """The same change backwards is safe, or breaking, both ways."""
    old, new = pair(kind)
    report = diff(new, old)
    if kind.safe_what is None:
        found = [f for f in report.of("breaking") if f.where == kind.where]
        assert found, f"{kind.name} backwards: nothing breaking at {kind.where}:\n{shown(report)}"
        assert_real_counterexample(found[0], new, old)
        return
    assert report.exit_code == 0, f"{kind.name} backwards is safe, but:\n{shown(report)}"
    assert not report.of("warning"), shown(report)
    safe = [f for f in report.of("safe") if f.where == kind.where]
    assert safe and kind.safe_what in safe[0].what, f"{kind.name} backwards: not listed as safe:\n{shown(report)}"
    assert "no counterexample among" in safe[0].reason, safe[0].reason


def breaking_at(report: Report, where: str) -> Finding:
    found = [f for f in report.of("breaking") if f.where == where]
    assert found, f"nothing breaking at {where}:\n{shown(report)}"
    return found[0]


def changed(change: Callable[[dict[str, Any]], None], document: dict[str, Any] = BASE) -> dict[str, Any]:
    copied = copy.deepcopy(document)
    change(copied)
    return copied


# Security: every way in the old contract allowed must still let a request in.


def header_renamed(document: dict[str, Any]) -> None:
    document["components"]["securitySchemes"]["enterpriseAdminKey"]["name"] = "x-api-key"


def bearer_as_another_way_in(document: dict[str, Any]) -> None:
    document["components"]["securitySchemes"]["bearer"] = {"type": "http", "scheme": "bearer"}
    operation(document)["security"] = [{"enterpriseAdminKey": []}, {"bearer": []}]


def test_renamed_key_header_breaks() -> None:
    """A renamed API key header breaks every client both ways."""
    for old, new in ((BASE, changed(header_renamed)), (changed(header_renamed), BASE)):
        finding = breaking_at(diff(old, new), "security")
        assert finding.what == "credentials no longer accepted"
        assert finding.counterexample is not None and finding.counterexample.kind == "request"
        assert finding.counterexample.description in (
            "a request presenting header sivi-api-key",
            "a request presenting header x-api-key",
        )


def test_added_auth_way_is_safe() -> None:
    """Another way in is safe, and taking it away breaks its clients."""
    added = diff(BASE, changed(bearer_as_another_way_in))
    assert added.exit_code == 0, shown(added)
    assert any(f.where == "security" and f.what == "another way in" for f in added.of("safe")), shown(added)
    taken = breaking_at(diff(changed(bearer_as_another_way_in), BASE), "security")
    assert taken.counterexample is not None
    assert taken.counterexample.description == "a request presenting HTTP bearer authorization"


def test_renamed_scheme_is_refactor() -> None:
    def renamed(document: dict[str, Any]) -> None:
        schemes = document["components"]["securitySchemes"]
        schemes["adminKey"] = schemes.pop("enterpriseAdminKey")
        document["security"] = operation(document)["security"] = [{"adminKey": []}]

    report = diff(BASE, changed(renamed))
    assert not report.of("breaking") and not report.of("warning"), shown(report)


# Statuses and media types, by the answer rule.


def not_found_documented(document: dict[str, Any]) -> None:
    schemas(document)["NotFoundEnvelope"] = {
        "type": "object",
        "required": ["status", "body"],
        "properties": {"status": {"type": "integer", "const": 404}, "body": {"$ref": "#/components/schemas/ErrorBody"}},
    }
    operation(document)["responses"]["404"] = {
        "description": "Not found.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NotFoundEnvelope"}}},
    }


def default_answer(document: dict[str, Any]) -> None:
    operation(document)["responses"]["default"] = {
        "description": "Any other error.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["status", "body"],
                    "properties": {"status": {"type": "integer"}, "body": {"$ref": "#/components/schemas/ErrorBody"}},
                }
            }
        },
    }


def test_new_status_breaks_clients() -> None:
    """A newly documented status breaks clients with an answer they reject."""
    new = changed(not_found_documented)
    finding = breaking_at(diff(BASE, new), "responses.404")
    assert finding.what == "status added"
    example = finding.counterexample
    assert example is not None and example.kind == "answer" and example.description == "an answer 404 application/json"
    assert part_validator(new, "responses.404 application/json").is_valid(example.document), example.document
    assert example.document["status"] == 404


def test_removed_status_breaks() -> None:
    """A removed status breaks clients and tests that ask the mock for it."""
    report = diff(changed(not_found_documented), BASE)
    finding = breaking_at(report, "responses.404")
    assert finding.what == "status removed" and finding.counterexample is None
    assert "Prefer: code=" in finding.reason, finding.reason


def test_new_status_vs_old_default() -> None:
    """A new status the old default answer covered is judged against it."""
    old = changed(default_answer)
    covered = diff(old, changed(not_found_documented, old))
    assert not [f for f in covered.of("breaking") if f.where.startswith("responses.")], shown(covered)

    def empty_message_allowed(document: dict[str, Any]) -> None:
        not_found_documented(document)
        schemas(document)["NotFoundEnvelope"]["properties"]["body"] = {
            "type": "object", "required": ["message"], "properties": {"message": {"type": "string"}},
        }  # fmt: skip

    new = changed(empty_message_allowed, old)
    report = diff(old, new)
    finding = breaking_at(report, "responses.404 application/json /body/message")
    example = finding.counterexample
    assert example is not None
    assert part_validator(new, "responses.404").is_valid(example.document)
    assert not part_validator(old, "responses.default").is_valid(example.document), example.document


def test_new_media_type() -> None:
    """An answer in a new media type breaks clients; a request in one does not."""

    def csv_answer(document: dict[str, Any]) -> None:
        operation(document)["responses"]["200"]["content"]["text/csv"] = {"schema": {"type": "string"}}

    finding = breaking_at(diff(BASE, changed(csv_answer)), "responses.200 text/csv")
    assert finding.what == "media type added" and finding.counterexample is not None

    def form_request(document: dict[str, Any]) -> None:
        content = operation(document)["requestBody"]["content"]
        content["application/x-www-form-urlencoded"] = {"schema": content["application/json"]["schema"]}

    added = diff(BASE, changed(form_request))
    assert added.exit_code == 0, shown(added)
    removed = breaking_at(diff(changed(form_request), BASE), "requestBody application/x-www-form-urlencoded")
    assert removed.what == "media type removed"
    assert removed.counterexample is not None and removed.counterexample.kind == "request"


# The operation itself.


def test_changed_method_breaks() -> None:
    def put(document: dict[str, Any]) -> None:
        item = document["paths"]["/enterprise/account-analysis"]
        item["put"] = item.pop("post")

    finding = breaking_at(diff(BASE, changed(put)), "paths./enterprise/account-analysis.post")
    assert finding.what == "method changed"
    assert finding.counterexample is not None
    assert finding.counterexample.description == "a request POST /enterprise/account-analysis"


def test_differing_reading_warns() -> None:
    """Where reasonable people differ it is a warning, and --strict makes it breaking."""

    def renamed(document: dict[str, Any]) -> None:
        operation(document)["operationId"] = "analyseAccount"

    def period(document: dict[str, Any]) -> None:
        for name in ("AccountAnalysisRequestByUser", "AccountAnalysisRequestByWorkspace"):
            schemas(document)[name]["properties"]["period"] = {"type": "string", "enum": ["year", "month"]}

    for change, where in ((renamed, "operationId"), (period, f"{REQUEST} /period")):
        report = diff(BASE, changed(change))
        assert report.exit_code == 0 and not report.of("breaking"), shown(report)
        warning = [f for f in report.of("warning") if f.where == where]
        assert warning and "--strict" in warning[0].reason, shown(report)
        strict = diff(BASE, changed(change), strict=True)
        assert strict.exit_code == 1 and [f for f in strict.of("breaking") if f.where == where], shown(strict)
    # The new request property comes with a request the old contract ignored the value of.
    finding = next(f for f in diff(BASE, changed(period)).of("warning") if f.where == f"{REQUEST} /period")
    assert_real_counterexample(finding, BASE, changed(period))


def test_new_optional_property_safe() -> None:
    """A new optional request property where unknown ones were refused is safe."""

    def closed(document: dict[str, Any]) -> None:
        for name in ("AccountAnalysisRequestByUser", "AccountAnalysisRequestByWorkspace"):
            schemas(document)[name]["additionalProperties"] = False

    def period(document: dict[str, Any]) -> None:
        closed(document)
        for name in ("AccountAnalysisRequestByUser", "AccountAnalysisRequestByWorkspace"):
            schemas(document)[name]["properties"]["period"] = {"type": "string"}

    report = diff(changed(closed), changed(period))
    assert report.exit_code == 0 and not report.of("warning"), shown(report)
    assert any(f.where == f"{REQUEST} /period" and f.what == "optional property added" for f in report.of("safe"))


def test_new_answer_property_safe() -> None:
    report = diff(BASE, changed(enum_property(["free", "pro"])))
    assert report.exit_code == 0, shown(report)
    assert any(
        f.where == f"{SUCCESS} /body/creditBalance/plan" and f.what == "property added" for f in report.of("safe")
    )


# What validates nothing, and refactors that accept the same documents.


def documentation_edited(document: dict[str, Any]) -> None:
    document["info"]["description"] += "\nEdited."
    schemas(document)["Count"]["description"] = "A count."
    schemas(document)["MediaSize"]["examples"] = ["1Tb"]
    schemas(document)["MediaSize"]["x-decision"] = "counts"
    document["x-decisions"]["counts"]["why"] = "Said otherwise."
    operation(document)["requestBody"]["content"]["application/json"]["examples"]["byUser"]["value"] = {
        "abstractUserId": "someone-else"
    }


def count_renamed(document: dict[str, Any]) -> None:
    schemas(document)["NonNegativeCount"] = schemas(document).pop("Count")
    renamed = yaml.safe_dump(document).replace("schemas/Count", "schemas/NonNegativeCount")
    document.clear()
    document.update(yaml.safe_load(renamed))


def count_inlined(document: dict[str, Any]) -> None:
    for name in ("availableCredits", "usedCredits"):
        schemas(document)["CreditBalance"]["properties"][name] = {"type": "integer", "minimum": 0}


RELEASED = yaml.safe_load((ROOT / "tests" / "released" / "openapi-0.2.0.yaml").read_text())


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (BASE, changed(documentation_edited)),
        (BASE, changed(count_renamed)),
        (changed(count_renamed), BASE),
        (BASE, changed(count_inlined)),
        (changed(count_inlined), BASE),
        (RELEASED, BASE),  # the request as a union of by-user and by-workspace objects, and back
        (BASE, RELEASED),
    ],
    ids=["documentation", "component renamed", "renamed back", "$ref inlined", "inlined back", "0.2.0 to now", "back"],
)
def test_refactors_are_safe(old, new) -> None:
    """Documentation and refactors that accept the same documents are safe."""
    report = diff(old, new)
    assert report.exit_code == 0 and not report.of("warning"), shown(report)
    assert report.of("safe"), "a change was made, and none is listed"


def test_ref_refactor_named() -> None:
    """A ref refactor is named and proved by the schema itself."""
    report = diff(BASE, changed(count_renamed))
    refactors = [f for f in report.of("safe") if f.what == "$ref refactor"]
    assert refactors and '"Count" -> "NonNegativeCount"' in refactors[0].detail, shown(report)
    assert refactors[0].reason.startswith("accepts the same documents"), refactors[0].reason


def test_changed_decision_is_safe() -> None:
    """A decision that changes its verdict is safe for clients and says what it does to a run."""
    finding = next(f for f in diff(RELEASED, BASE).findings if f.where == "x-decisions.opaque-ids")
    assert finding.verdict == "safe" and "enforced -> reported" in finding.detail
    assert "the contract suite now warns where it failed" in finding.reason


# The kit itself: the mock must still start with NEW; whether its fixtures conform is reported apart.


def test_fixture_breakage_apart() -> None:
    """A change the bundled fixtures break is reported apart and leaves the verdict to clients."""
    report = diff(BASE, changed(set_at("Count", "maximum", value=10)))
    assert report.exit_code == 0 and not report.of("breaking"), shown(report)
    assert [f for f in report.of("safe") if f.what == "narrowed"], "for a client it is a tightened output"
    assert report.fixtures.line == "the bundled fixtures no longer conform to NEW"
    assert any("254 is greater than the maximum of 10" in problem for problem in report.fixtures.problems)


def test_diff_is_deterministic() -> None:
    new = changed(drop_at("Count", "minimum"))
    first, second = diff(BASE, new), diff(BASE, new)
    assert [f.as_json() for f in first.findings] == [f.as_json() for f in second.findings]
    assert first.documents_checked == second.documents_checked


def test_required_parameter_breaks() -> None:
    """A newly required parameter breaks requests without it; an optional one does not."""

    def parameter(required: bool) -> Callable[[dict[str, Any]], None]:
        def change(document: dict[str, Any]) -> None:
            operation(document)["parameters"] = [
                {"name": "X-Request-Id", "in": "header", "required": required, "schema": {"type": "string"}}
            ]

        return change

    finding = breaking_at(diff(BASE, changed(parameter(True))), "parameters.header.x-request-id")
    assert finding.what == "newly required"
    assert finding.counterexample is not None
    assert finding.counterexample.description == "a request without the header parameter x-request-id"
    optional = diff(BASE, changed(parameter(False)))
    assert optional.exit_code == 0, shown(optional)
    assert diff(changed(parameter(False)), changed(parameter(True))).exit_code == 1


def test_removed_server_warns() -> None:
    """A removed server is a warning, and a removed request body too."""

    def staging_gone(document: dict[str, Any]) -> None:
        document["servers"] = document["servers"][1:]

    report = diff(BASE, changed(staging_gone))
    (warning,) = report.of("warning")
    assert (warning.where, warning.what) == ("servers", "server removed"), shown(report)
    assert warning.detail == "https://connect.sivi.ai/api/staging/v2"

    def no_body(document: dict[str, Any]) -> None:
        del operation(document)["requestBody"]

    body = [f for f in diff(BASE, changed(no_body)).findings if f.where == "requestBody"]
    assert body and body[0].verdict == "warning" and body[0].what == "request body removed", body


def test_reordered_alternatives() -> None:
    """Alternatives in another order accept the same requests, but the mock prefers the other id."""

    def workspace_first(document: dict[str, Any]) -> None:
        request = schemas(document)["AccountAnalysisRequest"]
        request["anyOf"] = request["anyOf"][::-1]

    report = diff(BASE, changed(workspace_first))
    assert report.exit_code == 0 and not report.of("breaking"), shown(report)
    (warning,) = report.of("warning")
    assert (warning.where, warning.what) == ("mock", "order of preference changed"), shown(report)
    assert warning.detail == "abstractUserId, workspaceId -> workspaceId, abstractUserId"
    assert any(f.where == f"{REQUEST} /" and f.what == "alternatives changed" for f in report.of("safe"))
