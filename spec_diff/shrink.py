"""Shrink a counterexample to the smallest document that still is one, deterministically.

Greedy, like Hypothesis' shrinker but over JSON itself: try each simpler document one edit away (a member or item
left out, a string cut, a number brought towards zero), keep the first that still has the property, start again;
stop when no edit helps or the budget is spent. "Simpler" is a total order (shorter JSON text, then the text), so it
always ends, and always at the same document.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import Any

Path = tuple[str | int, ...]
BUDGET = 1500  # property checks per shrink: each is a validation or two, microseconds


def size(document: Any) -> tuple[int, str]:
    shown = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return len(shown), shown


def shrink(document: Any, keep: Callable[[Any], bool], budget: int = BUDGET) -> Any:
    """The simplest document reached from `document` by simplifications that all `keep` accepts. The simplest
    candidates are tried first, so that a big step (an array emptied) is taken before the small ones."""
    best, best_size = document, size(document)
    while budget > 0:
        candidates = sorted(
            {(candidate_size, index): candidate for index, candidate in enumerate(_simpler(best))
             if (candidate_size := size(candidate)) < best_size}.items()
        )  # fmt: skip
        for (candidate_size, _), candidate in candidates:
            budget -= 1
            if keep(candidate):
                best, best_size = candidate, candidate_size
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


def _simpler(document: Any) -> Iterator[Any]:
    # Leaving parts out first: that shrinks the most.
    for path, value in places(document):
        if path:
            yield removed(document, path)
        if isinstance(value, list) and len(value) > 1:
            yield replaced(document, path, value[:1])
    for path, value in places(document):
        for simpler in _simpler_values(value):
            yield replaced(document, path, simpler)


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
    elif isinstance(value, dict | list) and value:
        yield type(value)()
