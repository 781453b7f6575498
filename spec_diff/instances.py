"""Documents of a schema: drawn by Hypothesis through Schemathesis' positive generation (as the kit's proof that two
schema forms are equivalent does), and probes near each changed keyword's boundaries. All of it deterministic:
Hypothesis is derandomized and writes no example database.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from mock_server.spec import SchemaValidator
from spec_diff.schemas import ITEM, Facet, Location, matches, text
from spec_diff.shrink import Path as DocumentPath

DRAWN = 10  # documents Hypothesis draws from a schema: seeds that the probes then edit one place at a time
PATTERN_STRINGS = 6  # strings drawn from each `pattern` of either side, as probes
# Values that sit on the boundaries of most schemas: each JSON type, empty and near-miss values.
GENERIC: tuple[Any, ...] = (None, True, 0, -1, 1.5, "", "a", "0", [], {})
TYPE_SAMPLES: dict[str, tuple[Any, ...]] = {
    "null": (None,), "boolean": (True, False), "integer": (0, 1), "number": (0.5, -0.5),
    "string": ("a", ""), "array": ([],), "object": ({},),
}  # fmt: skip
_drawn: dict[str, list[Any]] = {}  # by the canonical text of what was drawn from: comparisons share their seeds
_matching: dict[str, list[Any]] = {}  # strings drawn from each pattern


def draw(strategy: SearchStrategy[Any], count: int) -> list[Any]:
    """`count` values of `strategy`, the same ones on every run."""
    values: list[Any] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @given(strategy)
    def collect(value: Any) -> None:
        values.append(value)

    # A schema Hypothesis cannot draw from leaves the probes to do the work.
    with contextlib.suppress(Exception):
        collect()
    return values


def drawn_documents(schema: Any, components: dict[str, Any], count: int = DRAWN) -> list[Any]:
    """Documents Schemathesis' positive generation makes from `schema` (which may `$ref` into `components`). What
    is drawn depends on the schema alone: draw from its canonical form (references inlined) when it has one, and
    two comparisons that share a schema share its documents."""
    key = text([schema, components, count])
    if key not in _drawn:
        import schemathesis  # the [contract] extra; imported here so that `sivi-spec --help` stays quick
        from schemathesis import GenerationMode

        api = {
            "openapi": "3.1.0",
            "info": {"title": "one schema", "version": "1"},
            "paths": {
                "/document": {
                    "post": {
                        "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
                        "responses": {"200": {"description": "ok"}},
                    }
                }
            },
            "components": components,
        }
        try:
            operation = schemathesis.openapi.from_dict(api)["/document"]["POST"]
            strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
        except Exception:  # Schemathesis refuses some schemas: the probes still run
            _drawn[key] = []
        else:
            _drawn[key] = [case.body for case in draw(strategy, count) if _is_json(case.body)]
    return _drawn[key]


def _is_json(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(key, str) and _is_json(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_is_json(item) for item in value)
    return value is None or isinstance(value, str | bool | int) or (isinstance(value, float) and math.isfinite(value))


def pattern_strings(pattern: str) -> list[Any]:
    """Strings that match `pattern`, the same on every run (and drawn once per process)."""
    if pattern not in _matching:
        try:
            re.compile(pattern)
        except re.error:  # an ECMA pattern Python cannot read: no probes from it
            _matching[pattern] = []
        else:
            _matching[pattern] = draw(st.from_regex(pattern), PATTERN_STRINGS)
    return _matching[pattern]


def probes(facets: Iterable[Facet]) -> dict[Location, list[Any]]:
    """Values on both sides of each keyword's boundary, by the location the keyword applies to."""
    found: dict[Location, list[Any]] = defaultdict(list)
    for facet in sorted(set(facets), key=lambda facet: (facet.location, facet.keyword, facet.value)):
        value = _loads(facet.value)
        values: list[Any] = []
        if facet.keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") and _is_number(value):
            values = [value - 1, value, value + 1, value - 0.5, value + 0.5]
        elif facet.keyword in ("minLength", "maxLength") and isinstance(value, int) and value <= 1000:
            values = [
                character * length for length in (value - 1, value, value + 1) if length >= 0 for character in "a0"
            ]
        elif facet.keyword == "multipleOf" and _is_number(value):
            values = [value, value * 1.5, value / 2]
        elif facet.keyword == "const":
            values = [value]
        elif facet.keyword == "enum":
            values = [_loads(item) for item in value]
        elif facet.keyword == "pattern" and isinstance(value, str):
            values = pattern_strings(value)
        elif facet.keyword == "type":
            values = [sample for name in value for sample in TYPE_SAMPLES.get(name, ())]
        found[facet.location].extend(values)
    return {location: _unique(values) for location, values in found.items()}


def declared_names(facets: Iterable[Facet]) -> dict[Location, set[str]]:
    """The property names either side declares, by the location of their object."""
    names: dict[Location, set[str]] = defaultdict(set)
    for facet in facets:
        if facet.keyword == "property":
            names[facet.location].add(str(_loads(facet.value)))
    return names


def pattern_of(path: DocumentPath) -> Location:
    return tuple(ITEM if isinstance(part, int) else part for part in path)


def at(table: dict[Location, Any], location: Location, empty: Any) -> Any:
    """The entry of `table` whose schema location names `location` (`*` in a key matches any part)."""
    if location in table:
        return table[location]
    return next((value for key, value in table.items() if matches(key, location)), empty)


# The keyword behind each of the validator's messages, to blame the change of that keyword before its neighbours.
MESSAGES = (
    (" is not of type ", "type"), (" is a required property", "required"), (" is shorter than ", "minLength"),
    (" is longer than ", "maxLength"), (" does not match ", "pattern"),
    ("less than or equal to the minimum", "exclusiveMinimum"), ("less than the minimum", "minimum"),
    ("greater than or equal to the maximum", "exclusiveMaximum"), ("greater than the maximum", "maximum"),
    (" is not one of ", "enum"), (" was expected", "const"),
    ("Additional properties are not allowed", "additionalProperties"),
    ("False schema does not allow", "additionalProperties"), ("'anyOf'", "anyOf"), ("'oneOf'", "oneOf"),
    (" is not a multiple of ", "multipleOf"), (" is not allowed for ", "not"), ("non-unique elements", "uniqueItems"),
    (" item", "Items"), (" propert", "Properties"),
)  # fmt: skip


def error_places(validator: SchemaValidator, document: Any) -> list[tuple[Location, str, str]]:
    """Where the validator's errors about `document` are, as location patterns (list indices as `*`), each with the
    keyword its message is about (`minItems` and `maxItems` both read as `Items`) and the message."""
    return [(_located(line, document), _keyword(line), line) for line in validator.errors(document)]


def _keyword(line: str) -> str:
    return next((keyword for words, keyword in MESSAGES if words in line), "")


def _located(line: str, document: Any) -> Location:
    """The place an error line names (`body.monthlyAnalysis[0].mediaSize: ...`, `(top level): ...`), followed
    through `document` itself, so that a property name holding a dot is still read as one name."""
    rest, node = line, document
    path: list[str | int] = []
    while not rest.startswith((": ", "(top level): ")):
        if isinstance(node, list) and rest.startswith("["):
            index = rest[1 : rest.find("]")]
            if not index.isdigit() or int(index) >= len(node):
                break
            node, rest = node[int(index)], rest[len(index) + 2 :]
            path.append(int(index))
            continue
        lead = "." if path else ""
        if not isinstance(node, dict) or not rest.startswith(lead):
            break
        token = re.split(r"[.\[]|: ", rest[len(lead) :], maxsplit=1)[0]
        names = [token] if token in node else [
            name for name in node
            if rest.startswith(lead + name) and rest[len(lead + name) : len(lead + name) + 1] in (".", "[", ":")
        ]  # fmt: skip
        if not names:
            break
        name = max(names, key=len)
        node, rest = node[name], rest[len(lead + name) :]
        path.append(name)
    return pattern_of(tuple(path))


def _loads(value: str) -> Any:
    return json.loads(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _unique(values: list[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for value in values:
        seen.setdefault(text(value), value)
    return list(seen.values())
