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

from spec_diff.compare import compare
from spec_diff.documents import SpecDocument, parse
from spec_diff.findings import Finding, Report

ROOT = Path(__file__).resolve().parent.parent
BASE: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text())
OPERATION = ("paths", "/enterprise/account-analysis", "post")
SECONDS_PER_COMPARISON = 10  # the bound, on 2 cores


def spec(name: str, document: dict[str, Any]) -> SpecDocument:
    text = yaml.safe_dump(document, sort_keys=False)
    return SpecDocument(name, text, parse(name, text))


def diff(old: dict[str, Any], new: dict[str, Any], **options: Any) -> Report:
    report = compare(spec("OLD", old), spec("NEW", new), **options)
    assert report.seconds < SECONDS_PER_COMPARISON, f"one comparison took {report.seconds:.1f} s"
    return report


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
def test_a_breaking_change_is_found_with_a_counterexample_that_really_is_one(kind: Kind) -> None:
    old, new = pair(kind)
    report = diff(old, new)
    found = [f for f in report.of("breaking") if f.where == kind.where]
    assert found, f"{kind.name}: nothing breaking at {kind.where}:\n{shown(report)}"
    assert found[0].what == kind.what, f"{kind.name}: called {found[0].what!r}:\n{shown(report)}"
    assert_real_counterexample(found[0], old, new)
    assert report.exit_code == 1


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_the_same_change_backwards_is_safe_or_breaking_both_ways(kind: Kind) -> None:
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
