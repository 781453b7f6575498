"""What a structural change is called, and what it does to the documents a schema accepts.

The effect (`narrows`: fewer documents, `widens`: more, `changes`: some of each) only names a change and orders the
candidates a counterexample may be blamed on; whether a change breaks anyone is decided by the counterexample.
A request that narrows may break a client; an answer that widens may.
"""

from __future__ import annotations

import json
from typing import Literal

from spec_diff.schemas import Change

Part = Literal["request", "answer"]
NARROWS, WIDENS, CHANGES = "narrows", "widens", "changes"
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains")


def effect(change: Change) -> str:
    before, after = change.old, change.new
    if change.keyword in ("property", "$ref"):
        return CHANGES
    if change.keyword in ("required", "false", "pattern", "format", "multipleOf", "not", "uniqueItems", "const"):
        return NARROWS if not before else WIDENS if not after else CHANGES
    if change.keyword == "additionalProperties":
        was, now = before[0] if before else "true", after[0] if after else "true"
        if "false" in (was, now) or "true" in (was, now):
            return NARROWS if now == "false" or was == "true" else WIDENS
        return CHANGES
    if change.keyword in LOWER_BOUNDS + UPPER_BOUNDS:
        if not before or not after:
            return NARROWS if not before else WIDENS
        rising = _number(after) > _number(before)
        return NARROWS if rising == (change.keyword in LOWER_BOUNDS) else WIDENS
    if change.keyword in ("type", "enum"):
        old, new = _set(before), _set(after)
        if change.keyword == "type":
            old, new = _types(old), _types(new)
        if not before or not after:
            return NARROWS if not before else WIDENS
        return WIDENS if old < new else NARROWS if new < old else CHANGES
    if change.keyword in ("anyOf", "oneOf"):
        old, new = _set(before), _set(after)
        if not before or not after:
            return CHANGES
        return WIDENS if old < new else NARROWS if new < old else CHANGES
    if change.keyword == "allOf":
        old, new = _set(before), _set(after)
        return NARROWS if old < new else WIDENS if new < old else CHANGES
    return NARROWS if not before else WIDENS if not after else CHANGES


def may_break(part: Part, change: Change) -> bool:
    """Whether the change can, by its effect, break a client: a narrower request, a wider answer."""
    return effect(change) in (CHANGES, NARROWS if part == "request" else WIDENS)


def what(part: Part, change: Change) -> str:
    """The kind of change, in the words the report uses: removed, now optional, type widened, newly required, ..."""
    kind, done = change.keyword, effect(change)
    if kind == "property":
        if change.moved:
            return "declaration moved"
        if change.new:
            if part == "answer":
                return "property added"
            return "newly required" if change.required[1] else "optional property added"
        return "removed" if part == "answer" else "property removed"
    if kind == "required":
        if change.new:
            return "newly required" if part == "request" else "now always present"
        return "now optional"
    if kind == "type":
        old, new = _set(change.old), _set(change.new)
        if new - old == {"null"}:
            return "now nullable"
        if old - new == {"null"}:
            return "no longer nullable"
        return {NARROWS: "type narrowed", WIDENS: "type widened"}.get(done, "type changed")
    if kind == "enum":
        return {NARROWS: "enum value removed", WIDENS: "enum value added"}.get(done, "enum changed")
    if kind == "const":
        return "const changed" if change.old and change.new else "const added" if change.new else "const removed"
    if kind == "additionalProperties":
        return {NARROWS: "unknown properties refused", WIDENS: "unknown properties allowed"}.get(done, "changed")
    if kind in ("anyOf", "oneOf", "allOf"):
        return {NARROWS: "alternative removed", WIDENS: "alternative added"}.get(done, "alternatives changed")
    if kind == "$ref":
        return "$ref refactor"
    return {NARROWS: "narrowed", WIDENS: "widened"}.get(done, "changed")


def detail(change: Change) -> str:
    """The change itself, in the schema's words: `minLength: 1 -> 3`, `type: integer -> integer, number`."""
    where = f" (in {change.scope})" if change.scope else ""
    if change.keyword in ("property", "required"):
        return f"{change.keyword} {change.name!r} " + ("added" if change.new else "removed") + where
    return f"{change.keyword}: {_shown(change.old)} -> {_shown(change.new)}{where}"


def _shown(values: tuple[str, ...]) -> str:
    if not values:
        return "absent"
    shown = []
    for value in values:
        parsed = json.loads(value)
        if isinstance(parsed, list) and all(isinstance(item, str) for item in parsed):
            shown.append(", ".join(parsed))
        else:
            shown.append(value)
    return " | ".join(shown)


def _set(values: tuple[str, ...]) -> set[str]:
    return {str(item) for value in values for item in json.loads(value)}


def _types(names: set[str]) -> set[str]:
    # An integer is a number: `number` accepts every integer too.
    return names | {"integer"} if "number" in names else names


def _number(values: tuple[str, ...]) -> float:
    return max(float(json.loads(value)) for value in values)
