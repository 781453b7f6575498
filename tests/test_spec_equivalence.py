"""openapi.yaml's schemas accept and refuse exactly the documents their previous form did.

The previous form (`previous_schemas.yaml`) wrapped each response in an `allOf` of a generic envelope and a
refinement, and wrote the request as one object with an `anyOf` of `required` lists: client generators and
Swagger UI could read neither. For the request and for each response, Hypothesis generates documents through
Schemathesis from both forms, valid and invalid (positive and negative generation), and from each of them every
document one edit away: a member removed, a member added, a value replaced by a probe or by another part of the
same document. Every document must get the same verdict from both forms.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from mock_server.spec.contract import SchemaValidator, load_contract

CONTRACT = load_contract()
PREVIOUS = yaml.safe_load((Path(__file__).parent / "previous_schemas.yaml").read_text())["components"]
DOCUMENTS_PER_SCHEMA = 10_000
# A success body can have hundreds of places; editing every one of them would cost minutes and add little.
EDITED_PLACES = 24
# Up to 150 draws as before (5 rounds of 30), in small rounds that stop once the count is reached: a success body
# gives hundreds of documents a draw, so rounds of 5 stop near the count where one round of 15 drew three times it.
EXAMPLES_PER_ROUND = 5
ROUNDS = 30

# Values that sit on the schemas' boundaries: wrong types, empty and near-miss strings, the other statuses.
PROBES: tuple[Any, ...] = (
    None, True, 0, -1, 1.5, 200, 200.0, 400, 401, 422, 500, "", "x", "25Mb", "25 Mb", "200", [], {}, {"message": "x"},
)  # fmt: skip

# The request and each response, by the schema the operation points at (a `$ref` into components).
TARGETS: dict[str, tuple[dict[str, Any], SchemaValidator]] = {
    "request": (CONTRACT.request.schema, CONTRACT.request),
    **{str(status): (validator.schema, validator) for status, validator in CONTRACT.responses.items()},
}


def as_request_bodies(components: dict[str, Any]) -> schemathesis.BaseSchema:
    """One POST per target whose request body is that target's schema, so Schemathesis generates its documents."""
    operation = {"responses": {"200": {"description": "ok"}}}
    return schemathesis.openapi.from_dict(
        {
            "openapi": "3.1.0",
            "info": {"title": "schemas of openapi.yaml", "version": "1"},
            "paths": {
                f"/{name}": {
                    "post": {
                        **operation,
                        "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
                    }
                }
                for name, (schema, _) in TARGETS.items()
            },
            "components": {"schemas": components["schemas"]},
        }
    )


FORMS = {"previous": as_request_bodies(PREVIOUS), "current": as_request_bodies(CONTRACT.document["components"])}


def locations(document: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    yield path, document
    if isinstance(document, dict):
        for key, value in document.items():
            yield from locations(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from locations(value, (*path, index))


def edited(document: Any, path: tuple[str | int, ...], value: Any, *, remove: bool = False) -> Any:
    """A copy of `document` with the value at `path` replaced (or removed); the rest is shared, not copied."""
    if not path:
        return value
    head, *rest = path
    if isinstance(document, dict):
        if remove and not rest:
            return {key: item for key, item in document.items() if key != head}
        return {**document, head: edited(document[head], tuple(rest), value, remove=remove)}
    copy = list(document)
    if remove and not rest:
        del copy[head]  # type: ignore[arg-type]
    else:
        copy[head] = edited(document[head], tuple(rest), value, remove=remove)  # type: ignore[index]
    return copy


def neighbours(document: Any) -> Iterator[Any]:
    """Documents one edit away from `document`: at up to `EDITED_PLACES` places spread over it, every edit."""
    places = list(locations(document))
    # Transplants: the document's own parts, down to the members of `body` (a body where the status should be...).
    replacements = [*PROBES, *(value for path, value in places if len(path) <= 2)]
    for path, value in places[:: -(-len(places) // EDITED_PLACES)]:
        for replacement in replacements:
            yield edited(document, path, replacement)
        if path:
            yield edited(document, path, None, remove=True)
        if isinstance(value, dict):
            yield edited(document, path, {**value, "unnamedProperty": 1})


@dataclass
class Tally:
    documents: int = 0
    accepted: int = 0
    drawn: dict[str, int] = field(default_factory=dict)
    disagreements: list[str] = field(default_factory=list)


def json_body(case: schemathesis.Case) -> tuple[bool, Any]:
    """Negative generation sometimes leaves the body out or sends bytes: those are not documents."""
    body = case.body
    return isinstance(body, dict | list | str | int | float | bool) or body is None, body


@pytest.mark.parametrize("target", TARGETS)
def test_both_forms_agree(target):
    """Every generated document gets the same verdict from both forms."""
    schema, current = TARGETS[target]
    previous = SchemaValidator(schema, PREVIOUS)
    tally = Tally()
    sources = {
        f"{form} {mode.value}": schemas[f"/{target}"]["POST"].as_strategy(generation_mode=mode)
        for form, schemas in FORMS.items()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    }

    def judge(document: Any) -> None:
        tally.documents += 1
        before, after = previous.is_valid(document), current.is_valid(document)
        tally.accepted += after
        if before != after and len(tally.disagreements) < 5:
            tally.disagreements.append(
                f"{document!r}\n  previous form: {previous.errors(document) or 'valid'}"
                f"\n  openapi.yaml:  {current.errors(document) or 'valid'}"
            )

    @settings(max_examples=EXAMPLES_PER_ROUND, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries(sources))
    def generate(cases: dict[str, schemathesis.Case]) -> None:
        for source, case in cases.items():
            is_document, document = json_body(case)
            if not is_document:
                continue
            tally.drawn[source] = tally.drawn.get(source, 0) + 1
            judge(document)
            for neighbour in neighbours(document):
                judge(neighbour)

    # Drawing is most of the cost: draw in rounds until the count is reached and every source has given a document
    # (a big success body reaches it in one round; a run of small documents takes more) rather than flake.
    for _ in range(ROUNDS):
        generate()
        if tally.documents >= DOCUMENTS_PER_SCHEMA and set(tally.drawn) == set(sources):
            break
    print(f"{target}: {tally.documents} documents, {tally.accepted} valid; drawn by Hypothesis: {tally.drawn}")
    assert not tally.disagreements, f"the forms disagree on {target} documents:\n" + "\n".join(tally.disagreements)
    assert tally.documents >= DOCUMENTS_PER_SCHEMA, f"only {tally.documents} {target} documents were generated"
    assert set(tally.drawn) == set(sources), f"some sources generated no document: {tally.drawn}"
    share_valid = tally.accepted / tally.documents
    assert 0.01 < share_valid < 0.99, f"{share_valid:.1%} of {target} documents were valid: the proof saw one verdict"
