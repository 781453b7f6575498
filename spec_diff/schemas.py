"""The structure of two schemas, compared only to name and place what changed (the verdict is the instances').

A schema is read as facets: each assertion keyword that applies at an instance location (`/body/creditBalance`,
`/body/monthlyAnalysis/*` for every item), through `$ref`, `allOf`, `anyOf` and `oneOf` alike. Two schemas whose
facets differ at a location have a `Change` there. Annotations (`description`, `examples`, `x-` keys ...) assert
nothing and are left to `documentation.py`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Location = tuple[str, ...]
ITEM = "*"  # every item of an array, or every property an object does not name
ANNOTATIONS = frozenset(
    {"description", "title", "summary", "examples", "example", "default", "deprecated", "readOnly", "writeOnly",
     "$comment", "externalDocs", "xml", "discriminator", "$schema", "$id", "$anchor", "$defs", "definitions"}
)  # fmt: skip
COMBINATORS = ("anyOf", "oneOf", "allOf")
DECISION = "x-decision"
# Keywords whose value is data, not a schema: never read as one.
VALUES = frozenset({"const", "enum", "required", "type", "pattern", "format", "dependentRequired"})
# Keywords whose value is a list of names, each judged on its own: a property declared, a name required.
PER_NAME = ("property", "required")

Resolve = Callable[[str], Any]  # a `$ref` -> what it names


def text(value: Any) -> str:
    """One canonical JSON text per value: sorted keys, no spaces."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def is_annotation(key: str) -> bool:
    return key in ANNOTATIONS or key.startswith("x-")


def canonical(schema: Any, resolve: Resolve, stack: frozenset[str] = frozenset()) -> Any:
    """The schema as it validates: references inlined (a recursive one kept), annotations left out. Two schemas
    with the same canonical form accept the same documents."""
    if isinstance(schema, list):
        return [canonical(item, resolve, stack) for item in schema]
    if not isinstance(schema, dict):
        return schema
    inlined: dict[str, Any] = {}
    reference = schema.get("$ref")
    if isinstance(reference, str) and reference not in stack:
        target = canonical(resolve(reference), resolve, stack | {reference})
        if len(schema) == 1:
            return target
        inlined["allOf"] = [target]  # a `$ref` beside other keywords: both apply
    elif isinstance(reference, str):
        inlined["$ref"] = reference
    for key, value in schema.items():
        if key == "$ref" or is_annotation(key):
            continue
        if key in VALUES:
            inlined[key] = value
        elif key in ("properties", "patternProperties", "dependentSchemas") and isinstance(value, dict):
            inlined[key] = {name: canonical(sub, resolve, stack) for name, sub in value.items()}
        else:
            inlined[key] = canonical(value, resolve, stack)
    return inlined


@dataclass(frozen=True)
class Facet:
    location: Location
    keyword: str
    value: str  # canonical JSON
    scope: str = ""  # the alternative it sits in, at this location: `anyOf AccountAnalysisRequestByUser`


def facets(schema: Any, resolve: Resolve) -> set[Facet]:
    found: set[Facet] = set()
    _walk(schema, (), resolve, frozenset(), found, "")
    return found


def _walk(node: Any, at: Location, resolve: Resolve, stack: frozenset[str], found: set[Facet], scope: str) -> None:
    # A property or an item starts afresh: what applies to `/abstractUserId` is the same from either alternative.
    def add(keyword: str, value: Any) -> None:
        found.add(Facet(at, keyword, text(value), scope))

    if node is False:
        add("false", True)
    if not isinstance(node, dict):
        return
    if DECISION in node:  # not an assertion: kept to say which decision a changed place rests on
        add(DECISION, node[DECISION])
    reference = node.get("$ref")
    if isinstance(reference, str):
        add("$ref", reference.rsplit("/", 1)[-1])
        if reference not in stack:
            _walk(resolve(reference), at, resolve, stack | {reference}, found, scope)
    for key, value in node.items():
        if key == "$ref" or is_annotation(key):
            continue
        if key == "properties" and isinstance(value, dict):
            for name, sub in value.items():
                add("property", name)
                _walk(sub, (*at, str(name)), resolve, stack, found, "")
        elif key == "required" and isinstance(value, list):
            for name in value:
                add("required", name)
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            _walk(value, (*at, ITEM), resolve, stack, found, "")
            add(key, "a schema")
        elif key in COMBINATORS and isinstance(value, list):
            labels = [_label(branch, index) for index, branch in enumerate(value)]
            add(key, labels)
            for label, branch in zip(labels, value, strict=True):
                _walk(branch, at, resolve, stack, found, f"{scope} {key} {label}".strip())
        elif key == "type":
            add(key, sorted(value) if isinstance(value, list) else [value])
        elif key == "enum" and isinstance(value, list):
            add(key, sorted(text(item) for item in value))
        elif key in VALUES:
            add(key, value)
        else:
            add(key, canonical(value, resolve, stack))


def _label(branch: Any, index: int) -> str:
    if isinstance(branch, dict) and isinstance(branch.get("$ref"), str):
        return str(branch["$ref"]).rsplit("/", 1)[-1]
    return f"alternative {index + 1}"


@dataclass(frozen=True)
class Change:
    location: Location
    keyword: str  # an assertion keyword, or `property` / `required` for one name
    old: tuple[str, ...]  # the keyword's values at this location in OLD (canonical JSON), () when absent
    new: tuple[str, ...]
    name: str = ""  # for `property` and `required`: the property
    required: tuple[bool, bool] = (False, False)  # for `property`: whether OLD, NEW require it
    scope: str = ""  # the alternative it is in (see `Facet.scope`)
    moved: bool = False  # for `property`: still declared here by another alternative, or already was

    @property
    def shown_at(self) -> Location:
        """Where a person looks for it: a property's own location, not its parent's."""
        return (*self.location, self.name) if self.name else self.location

    def covers(self, error_at: Location, message: str = "") -> bool:
        """Whether a validator's error at `error_at` (a location pattern) can come from this change."""
        depth = len(self.location)
        if len(error_at) < depth or not matches(self.location, error_at[:depth]):
            return False
        if len(error_at) == depth:
            # At the parent, a change of one name only explains an error that names it ("x" is required).
            return self.keyword not in PER_NAME or f'"{self.name}"' in message or f"'{self.name}'" in message
        # A property's own errors are below its parent; so is an unknown property that is refused.
        named = self.keyword in PER_NAME and error_at[depth] == self.name
        return named or (self.keyword == "additionalProperties" and len(error_at) == depth + 1)


def matches(location: Location, at: Location) -> bool:
    """Whether a schema location (`*`: any item or other property) names the instance location `at`."""
    return len(location) == len(at) and all(part in (ITEM, other) for part, other in zip(location, at, strict=True))


def decisions_at(found: set[Facet], location: Location) -> list[str]:
    """The spec decisions (`x-decision`) that mark the schema at `location`."""
    return sorted(
        {json.loads(facet.value) for facet in found if facet.keyword == DECISION and facet.location == location}
    )


def pointer(location: Location) -> str:
    return "/" + "/".join(location)


def changes(old: set[Facet], new: set[Facet]) -> list[Change]:
    """What differs between two schemas' facets, one change per (location, keyword, alternative), or per name. A
    property that appears or goes covers everything below it, and the `required` of the same name."""
    grouped: dict[tuple[Location, str, str], tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for facet in old:
        grouped[facet.location, facet.keyword, facet.scope][0].add(facet.value)
    for facet in new:
        grouped[facet.location, facet.keyword, facet.scope][1].add(facet.value)
    declared = {
        (f.location, f.value, side) for side, found in ((0, old), (1, new)) for f in found if f.keyword == "property"
    }
    found: list[Change] = []
    for (location, keyword, scope), (before, after) in sorted(grouped.items()):
        if before == after or keyword == DECISION:
            continue
        if keyword not in PER_NAME:
            found.append(Change(location, keyword, tuple(sorted(before)), tuple(sorted(after)), scope=scope))
            continue
        required = grouped.get((location, "required", scope), (set(), set()))
        for value in sorted(before ^ after):
            side = 1 if value in before else 0  # the side that lacks it
            found.append(
                Change(
                    location,
                    keyword,
                    (value,) if value in before else (),
                    (value,) if value in after else (),
                    str(json.loads(value)),
                    (value in required[0], value in required[1]),
                    scope,
                    moved=(location, value, side) in declared,
                )
            )
    gone = {change.shown_at for change in found if change.keyword == "property" and not change.moved}
    # What an alternative that appeared or went asserted is part of that change, not one of its own.
    alternatives = {
        (change.location, f"{change.keyword} {label}")
        for change in found
        if change.keyword in COMBINATORS
        for label in set(_labels(change.old)) ^ set(_labels(change.new))
    }
    # A `$ref` that changed where the schema changed too says nothing more: only a pure refactor is listed.
    constrained = {change.location for change in found if change.keyword != "$ref"}
    return [
        change
        for change in found
        if not any(change.location[: len(place)] == place for place in gone)
        and not (change.keyword == "required" and change.shown_at in gone)
        and not (change.keyword == "$ref" and change.location in constrained)
        and not any(location == change.location and inside in change.scope for location, inside in alternatives)
    ]


def _labels(values: tuple[str, ...]) -> list[str]:
    return [str(label) for value in values for label in json.loads(value)]
