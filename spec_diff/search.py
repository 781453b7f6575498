"""The search for counterexamples between two schemas of one part (a request body, an answer).

Every seed document the source side accepts, and every document one edit away from a seed (a value replaced by a
probe or by what another seed has there, a member or item left out or added), is judged by both sides' validators.
A document the source accepts and the target refuses is a counterexample; it is blamed on the change whose location
the target's error names, and the smallest one of each change is shrunk. For a request the source is OLD (the new
contract must accept it); for an answer it is NEW (a client built on OLD must accept it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from typing import Any

from mock_server.spec import SchemaValidator
from spec_diff.instances import GENERIC, at, error_places, pattern_of
from spec_diff.schemas import ITEM, Change, Location, text
from spec_diff.shrink import Path as DocumentPath
from spec_diff.shrink import places, removed, replaced, shrink, size

MAX_CANDIDATES = 60_000  # documents judged per part: a bound on time, far above what this spec's parts need
KEPT_PER_PLACE = 3  # counterexamples kept (then blamed) per edited place: enough to reach each change there
EDITED_ALIKE = 2  # places of one location edited per seed (`/monthlyAnalysis/*` may have dozens)
POOLED = 4  # values of other seeds kept per location, to transplant
UNNAMED = "unnamedProperty"
_WHOLE: Location = ("<the whole document>",)


@dataclass
class Outcome:
    blamed: dict[int, tuple[Any, list[str]]] = field(default_factory=dict)  # change -> counterexample, reasons
    unexplained: dict[Location, tuple[Any, list[str]]] = field(default_factory=dict)  # error location -> the same
    checked: int = 0


@dataclass
class Search:
    source: SchemaValidator  # accepts every document tried
    target: SchemaValidator  # must accept them too, or it is a counterexample
    changes: list[Change]
    breaks: list[bool]  # per change: whether its effect can break a client (preferred when blaming)
    probes: dict[Location, list[Any]]
    names: dict[Location, set[str]]
    _probes_at: dict[Location, list[Any]] = field(default_factory=dict)

    def blame(self, document: Any) -> int | None:
        """The change a counterexample comes from: one at the place of the target's error; the change of the
        keyword the error is about first, then one that may break a client, then the deepest."""
        suspects: dict[int, bool] = {}
        for error, keyword, message in set(error_places(self.target, document)):
            nearby = [index for depth in range(len(error) + 1) for index in self._at.get(error[:depth], ())]
            for index in [*nearby, *self._wild]:
                if self.changes[index].covers(error, message):
                    about = keyword != "" and self.changes[index].keyword.endswith(keyword)
                    suspects[index] = suspects.get(index, False) or about
        if not suspects:
            return None
        return min(suspects, key=lambda index: self._rank(index, suspects[index]))

    def _rank(self, index: int, about: bool) -> tuple[bool, bool, bool, int, int]:
        change = self.changes[index]
        return (not about, not self.breaks[index], change.keyword == "$ref", -len(change.location), index)

    def __post_init__(self) -> None:
        # Changes by location, to blame in a lookup; those under an object's other properties (`*`) are few.
        self._at: dict[Location, list[int]] = {}
        self._wild: list[int] = []
        for index, change in enumerate(self.changes):
            if ITEM in change.location:
                self._wild.append(index)
            else:
                self._at.setdefault(change.location, []).append(index)

    def is_counterexample(self, document: Any) -> bool:
        return self.source.is_valid(document) and not self.target.is_valid(document)

    def run(self, seeds: list[Any]) -> Outcome:
        # Smallest first: the first counterexamples found are the cheapest to blame and to shrink.
        seeds = sorted({text(seed): seed for seed in seeds if self.source.is_valid(seed)}.values(), key=size)
        pool = _pool(seeds)
        outcome = Outcome()
        # The smallest counterexamples of each edited place: blaming one reads all of the target's errors, so only
        # these are blamed, once the search is over.
        kept: dict[Location, list[Any]] = {}
        for seed in seeds:
            for place, document in chain([(_WHOLE, seed)], self._edits(seed, pool)):
                if outcome.checked >= MAX_CANDIDATES:
                    break
                outcome.checked += 1
                # The seeds go smallest first, so the first few of a place are about its smallest.
                if len(kept.get(place, ())) < KEPT_PER_PLACE and self.is_counterexample(document):
                    kept.setdefault(place, []).append(document)
        found: dict[Any, tuple[tuple[int, str], Any]] = {}  # change index, or ("unexplained", location) -> smallest
        for place in sorted(kept):
            for document in kept[place]:
                measure = size(document)
                index = self.blame(document)
                key = index if index is not None else ("unexplained", self._first_error(document))
                if key not in found or measure < found[key][0]:
                    found[key] = (measure, document)
        for key, (_, document) in sorted(found.items(), key=lambda item: str(item[0])):
            if isinstance(key, int):
                # Shrinking as any counterexample needs no blame and mostly stays this change's; if it does not,
                # shrink again keeping the blame.
                shrunk = shrink(document, self.is_counterexample)
                if self.blame(shrunk) != key:
                    shrunk = shrink(document, partial(self._still, index=key))
                outcome.blamed[key] = (shrunk, self.target.errors(shrunk))
            else:
                shrunk = shrink(document, self.is_counterexample)
                outcome.unexplained[key[1]] = (shrunk, self.target.errors(shrunk))
        return outcome

    def _place(self, path: DocumentPath) -> Location:
        """Where an edit is, as a schema location: a property neither side declares is any other property (`*`),
        so that the random names Schemathesis gives extra properties do not each count as a place of their own."""
        place: list[str] = []
        for part in pattern_of(path):
            known = part == ITEM or part in at(self.names, tuple(place), set())
            place.append(part if known else ITEM)
        return tuple(place)

    def _probes(self, place: Location) -> list[Any]:
        if place not in self._probes_at:
            self._probes_at[place] = at(self.probes, place, [])
        return self._probes_at[place]

    def _still(self, document: Any, index: int) -> bool:
        return self.is_counterexample(document) and self.blame(document) == index

    def _first_error(self, document: Any) -> Location:
        errors = error_places(self.target, document)
        return errors[0][0] if errors else ()

    def _edits(self, seed: Any, pool: dict[Location, list[Any]]) -> Iterator[tuple[Location, Any]]:
        """Documents one edit away from `seed`, with the location each edit is at. The items of a long array are
        alike: only the first few of each location are edited."""
        edited: Counter[Location] = Counter()
        for path, value in places(seed):
            place = self._place(path)
            edited[place] += 1
            if edited[place] > EDITED_ALIKE:
                continue
            for probe in chain(GENERIC, self._probes(place), pool.get(place, [])):
                yield place, replaced(seed, path, probe)
            if path:
                yield place, removed(seed, path)
            if isinstance(value, dict):
                for name in sorted(at(self.names, place, set()) - value.keys()):
                    member = (*place, name)
                    for probe in chain(GENERIC, self._probes(member), pool.get(member, [])):
                        yield member, replaced(seed, path, {**value, name: probe})
                if UNNAMED not in value:
                    yield (*place, UNNAMED), replaced(seed, path, {**value, UNNAMED: 1})
            elif isinstance(value, list):
                for item in pool.get((*place, ITEM), []):
                    yield (*place, ITEM), replaced(seed, path, [*value, item])
                if value:
                    yield (*place, ITEM), replaced(seed, path, [*value, value[0]])


def _pool(seeds: list[Any]) -> dict[Location, list[Any]]:
    """Values the seeds have at each location, a few each: what one seed lacks, another may give it."""
    pool: dict[Location, dict[str, Any]] = {}
    for seed in seeds:
        for path, value in places(seed):
            kept = pool.setdefault(pattern_of(path), {})
            if len(kept) < POOLED:
                kept.setdefault(text(value), value)
    return {location: list(values.values()) for location, values in pool.items()}
