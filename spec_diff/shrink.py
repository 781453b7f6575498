"""Shrink a counterexample to the smallest document that still is one, deterministically.

Greedy, like Hypothesis' shrinker but over JSON itself: try the documents one edit away (a member or item left out,
an array cut to its first item, a string cut, a number brought towards zero), simplest first, keep the first that
still has the property, start again; stop when no edit helps or the budget is spent. "Simpler" is a total order
(shorter JSON text, then the smaller text), so it always ends, and always at the same document. An edit's size is
reckoned from the part it changes, so a big document costs no more than a small one per step.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import Any

Path = tuple[str | int, ...]
BUDGET = 1500  # property checks per shrink: each is a validation or two, microseconds
_REMOVE = object()  # an edit that leaves the member or item out


def dumped(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def size(document: Any) -> tuple[int, str]:
    shown = dumped(document)
    return len(shown), shown


def shrink(document: Any, keep: Callable[[Any], bool], budget: int = BUDGET) -> Any:
    """The simplest document reached from `document` by simplifications that all `keep` accepts."""
    best = document
    while budget > 0:
        for _, _, path, value in sorted(_edits(best), key=lambda edit: (edit[0], edit[1])):
            budget -= 1
            candidate = removed(best, path) if value is _REMOVE else replaced(best, path, value)
            if keep(candidate):
                best = candidate
                break
            if budget <= 0:
                break
        else:
            break
    return best


def places(document: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    yield path, document
    if isinstance(document, dict):
        for key, value in document.items():
            yield from places(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from places(value, (*path, index))


def replaced(document: Any, path: Path, value: Any) -> Any:
    """A copy of `document` with the value at `path` replaced; the rest is shared, not copied."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(document, dict):
        return {**document, head: replaced(document[head], rest, value)}
    copy = list(document)
    copy[head] = replaced(document[head], rest, value)  # type: ignore[index]
    return copy


def removed(document: Any, path: Path) -> Any:
    """A copy of `document` without the member or item at `path` (not the root)."""
    head, rest = path[0], path[1:]
    if rest:
        return replaced(document, (head,), removed(document[head], rest))
    if isinstance(document, dict):
        return {key: value for key, value in document.items() if key != head}
    return [item for index, item in enumerate(document) if index != head]


def _edits(document: Any) -> Iterator[tuple[tuple[int, str], str, Path, Any]]:
    """Each simplification of `document`: (how much simpler, as (length change, new text), where, the new value).
    Only edits that make it simpler: shorter, or as long and a smaller text."""
    lengths: dict[Path, int] = {}
    members: dict[Path, int] = {}
    _measure(document, (), lengths, members)
    for path, value in places(document):
        where = json.dumps(path)
        if path:
            key = len(dumped(path[-1])) + 1 if isinstance(path[-1], str) else 0  # `"name":`
            comma = 1 if members[path[:-1]] > 1 else 0
            yield (-(key + lengths[path] + comma), ""), where, path, _REMOVE
        old = dumped(value) if not isinstance(value, dict | list) else None
        for simpler in _simpler_values(value):
            new = dumped(simpler)
            change = len(new) - lengths[path]
            if change < 0 or (change == 0 and old is not None and new < old):
                yield (change, new), where, path, simpler


def _measure(value: Any, path: Path, lengths: dict[Path, int], members: dict[Path, int]) -> int:
    """The length of each place's JSON text (and each container's number of members), once, from the leaves up."""
    if isinstance(value, dict):
        inner = [len(dumped(key)) + 1 + _measure(item, (*path, key), lengths, members) for key, item in value.items()]
    elif isinstance(value, list):
        inner = [_measure(item, (*path, index), lengths, members) for index, item in enumerate(value)]
    else:
        lengths[path] = len(dumped(value))
        return lengths[path]
    members[path] = len(inner)
    lengths[path] = 2 + sum(inner) + max(len(inner) - 1, 0)
    return lengths[path]


def _simpler_values(value: Any) -> Iterator[Any]:
    if isinstance(value, bool):
        if value:
            yield False
    elif isinstance(value, int):
        yield from (0, 1, -1, value // 2, value - 1 if value > 0 else value + 1)
    elif isinstance(value, float) and math.isfinite(value):
        yield from (0, 1, int(value), 0.5, -0.5, round(value, 1), value / 2)
    elif isinstance(value, str):
        yield from ("", value[:1], value[: len(value) // 2], value[:-1], value[1:])
        if len(value) <= 24:
            for index in range(len(value)):
                yield value[:index] + value[index + 1 :]
                yield value[:index] + value[index + 2 :]
            for index, character in enumerate(value):
                for plain in ("0", "a"):
                    if character != plain:
                        yield value[:index] + plain + value[index + 1 :]
    elif isinstance(value, list):
        if len(value) > 1:
            yield value[:1]
        if value:
            yield []
    elif isinstance(value, dict) and value:
        yield {}
