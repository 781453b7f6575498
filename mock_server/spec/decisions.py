"""The spec's own decisions: where the vendor's documentation is silent, `openapi.yaml` decides, and says so.

`openapi.yaml` lists its decisions once, in `x-decisions` (the docs' *Spec decisions* table is made from that
catalogue), and marks every node a decision qualifies with `x-decision: <name>`. A decision is either
`enforced` (what it decides follows from the documentation: a violation in every run), `reported` (a careful
team could have read the documentation the other way: a warning, a violation only under `--strict`) or
`not a rule` (never a failure: a warning, or information, in every run).

A schema node marked by a `reported` decision is what the documentation does not say: lifting the decision gives
the schema as the other reading has it (`Decisions.lifted_by`). A marked schema keeps only its `type` (the type is
the documentation's word, "String" or "Integer"; the rest is the decision's); a marked item of a list of schemas
(an `anyOf` alternative the decision allows beyond the documentation's other words) is left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from mock_server.errors import DecisionError

ENFORCED, REPORTED, NOT_A_RULE = "enforced", "reported", "not a rule"
CATALOGUE_KEY, MARK_KEY = "x-decisions", "x-decision"
# The docs' table shows these columns of the catalogue, in this order (after the decision's name).
COLUMNS = ("question", "docs", "decides", "why", "default-run")


@dataclass(frozen=True)
class Decision:
    name: str
    question: str
    docs: str
    decides: str
    why: str
    default_run: str

    @property
    def verdict(self) -> str:
        """`enforced`, `reported` or `not a rule`: the first words of the default-run column."""
        return next(word for word in (ENFORCED, REPORTED, NOT_A_RULE) if self.default_run.startswith(word))


def read_catalogue(document: dict[str, Any]) -> dict[str, Decision]:
    entries = document.get(CATALOGUE_KEY) or {}
    if not isinstance(entries, dict):
        raise DecisionError(CATALOGUE_KEY, "expected a mapping of decision names")
    catalogue = {}
    for name, entry in entries.items():
        where = f"{CATALOGUE_KEY}.{name}"
        if not isinstance(entry, dict) or any(not isinstance(entry.get(column), str) for column in COLUMNS):
            raise DecisionError(where, f"each decision needs the texts {', '.join(COLUMNS)}")
        if not entry["default-run"].startswith((ENFORCED, REPORTED, NOT_A_RULE)):
            raise DecisionError(f"{where}.default-run", f"must start with {ENFORCED!r}, {REPORTED!r} or {NOT_A_RULE!r}")
        catalogue[name] = Decision(name, *(entry[column] for column in COLUMNS))
    for where, name in marks(document):
        if name not in catalogue:
            raise DecisionError(where, f"marks the decision {name!r}, which {CATALOGUE_KEY} does not list")
    return catalogue


def marks(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """Every `x-decision` mark in the document, with where it is."""
    if isinstance(node, dict):
        if MARK_KEY in node:
            yield where or "(top level)", str(node[MARK_KEY])
        for key, value in node.items():
            if key != CATALOGUE_KEY:
                yield from marks(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from marks(value, f"{where}[{index}]")


def _lifted(node: Any, names: frozenset[str]) -> Any:
    """A copy of a schema as the other reading of `names` has it: each schema they mark keeps only its type, each
    alternative they mark is left out."""
    if isinstance(node, dict):
        if node.get(MARK_KEY) in names:
            return {"type": node["type"]} if "type" in node else {}
        return {key: _lifted(value, names) for key, value in node.items()}
    if isinstance(node, list):
        return [
            _lifted(value, names) for value in node if not (isinstance(value, dict) and value.get(MARK_KEY) in names)
        ]
    return node


class Decisions:
    """The catalogue of one spec, and for its schemas: which reported decision an invalid instance breaks."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.catalogue = read_catalogue(document)
        marked = {name for _, name in marks(document)}
        # In the catalogue's order: the first decision whose other reading accepts an instance names it.
        self._reported = [
            name for name, decision in self.catalogue.items() if decision.verdict == REPORTED and name in marked
        ]
        # (id of the schema, decision) -> the schema with that decision's constraints lifted, compiled on first use
        self._lifted: dict[tuple[int, str], jsonschema_rs.Validator] = {}
        self._document = document

    def __getitem__(self, name: str) -> Decision:
        return self.catalogue[name]

    def lifted_by(self, schema: dict[str, Any], instance: Any) -> str | None:
        """The reported decision whose other reading accepts `instance`, invalid in `schema`, if any."""
        for name in self._reported:
            key = (id(schema), name)
            if key not in self._lifted:
                components = _lifted(self._document.get("components", {}), frozenset({name}))
                self._lifted[key] = jsonschema_rs.validator_for(
                    {**_lifted(schema, frozenset({name})), "components": components}
                )
            if self._lifted[key].is_valid(instance):
                return name
        return None
