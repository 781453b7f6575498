"""The mutants `sivi-mutate` asks the mock to give: named, pure functions from an answer to an answer, each of a kind
that says what a consumer's test should do when it receives it.

- `meaning`: the answer means something else (another documented status, other data, a fault): the test should fail.
- `form`: the same answer written otherwise (unknown properties, other key order or whitespace, a charset, late):
  the test should pass; a client that breaks on it breaks on an answer the vendor may send any day.
- `values`: other values the contract allows (no months, 24 months, other sizes, zero and huge counts): the test
  may fail on its own assertion, never with an error of the client.

Every mutant's answer of the `form` and `values` kinds still conforms to the contract (`tests/test_mutants.py`).
The mock applies one (`Mutation`), for one test and one answer class or for all; the runner writes no answer.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from mock_server.faults import FAULTS
from mock_server.mock.replies import Replies, Reply, fault_reply
from mock_server.spec.answer_classes import fault_class, fault_of, status_of
from mock_server.spec.contract import Contract
from mock_server.spec.envelope import envelope

Kind = Literal["meaning", "form", "values"]
KINDS: dict[Kind, str] = {
    "meaning": "meaning changed: the test should fail",
    "form": "same meaning, other form: the test should pass",
    "values": "other values the contract allows: the test should notice them, never crash on them",
}
UNKNOWN_PROPERTY = "siviMutantUnknownProperty"
SIZE = re.compile(r"^(0|[1-9][0-9]*)(\.[0-9]+)?([KkMmGgTt]?[Bb])$")


@dataclass(frozen=True)
class Mutant:
    name: str
    kind: Kind
    what: str  # the difference, as the report shows it
    applies: Callable[[Reply], bool]
    change: Callable[[Reply, Replies], Reply]

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "kind": self.kind, "what": self.what}


def is_success(reply: Reply) -> bool:
    return reply.status == 200 and reply.fault is None and reply.body.startswith(b"{")


def is_error_or_fault(reply: Reply) -> bool:
    return reply.fault is not None or (status_of(reply.answer_class) or 200) != 200


def _with_analysis(change: Callable[[Any], Any]) -> Callable[[Reply, Replies], Reply]:
    """A mutant that changes the analysis of a 200 (a copy; the reply's bytes stay as they were)."""

    def mutate(reply: Reply, replies: Replies) -> Reply:
        analysis = json.loads(reply.body)["body"]
        return dataclasses.replace(reply, body=envelope(200, change(analysis)))

    return mutate


def _with_document(change: Callable[[Any], Any], dump: Callable[[Any], str] | None = None) -> Callable[..., Reply]:
    def mutate(reply: Reply, replies: Replies) -> Reply:
        changed = change(json.loads(reply.body))
        text = dump(changed) if dump is not None else json.dumps(changed, separators=(",", ":"))
        return dataclasses.replace(reply, body=text.encode())

    return mutate


def _every(value: Any, leaf: Callable[[str | None, Any], Any], key: str | None = None) -> Any:
    """`value` with `leaf(key, v)` in place of every number and string, at any depth."""
    if isinstance(value, dict):
        return {k: _every(v, leaf, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_every(v, leaf, key) for v in value]
    return leaf(key, value)


def _other(key: str | None, value: Any) -> Any:
    """A different value of the same type that the contract still allows: a count one more, a size one unit more."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return value
    if isinstance(value, int):
        return value + 1
    size = SIZE.match(value)
    if size:
        return f"{int(size[1]) + 1}{size[2] or ''}{size[3]}"
    return value + " (changed)"


def _counts(to: Callable[[int], int]) -> Callable[[Any], Any]:
    def leaf(key: str | None, value: Any) -> Any:
        is_count = isinstance(value, int) and not isinstance(value, bool) and key != "lastAccessed"
        return to(value) if is_count else value

    return lambda analysis: _every(analysis, leaf)


def _sizes(size: str) -> Callable[[Any], Any]:
    return lambda analysis: _every(analysis, lambda key, value: size if key == "mediaSize" else value)


def _months(count: int) -> Callable[[Any], Any]:
    def change(analysis: Any) -> Any:
        months = analysis.get("monthlyAnalysis") or [analysis["yearlyAnalysis"]]
        return {**analysis, "monthlyAnalysis": [months[i % len(months)] for i in range(count)]}

    return change


def _unknown_properties(value: Any) -> Any:
    if isinstance(value, dict):
        return {**{k: _unknown_properties(v) for k, v in value.items()}, UNKNOWN_PROPERTY: "unknown to the client"}
    if isinstance(value, list):
        return [_unknown_properties(v) for v in value]
    return value


def _reordered(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reordered(value[k]) for k in reversed(value)}
    if isinstance(value, list):
        return [_reordered(v) for v in value]
    return value


def _documented(status: int) -> Callable[[Reply, Replies], Reply]:
    return lambda reply, replies: dataclasses.replace(replies.documented(status), delay_ms=reply.delay_ms)


def _fault(fault: str) -> Callable[[Reply, Replies], Reply]:
    return lambda reply, replies: fault_reply(fault, reply)


def _charset(reply: Reply, replies: Replies) -> Reply:
    others = tuple(header for header in reply.headers if header[0] != b"content-type")
    return dataclasses.replace(reply, headers=((b"content-type", b"application/json; charset=utf-8"), *others))


def _late(reply: Reply, replies: Replies) -> Reply:
    return dataclasses.replace(reply, delay_ms=reply.delay_ms + 1000)


def mutant_table(contract: Contract) -> dict[str, Mutant]:
    """Every mutant, by name, in the order a run tries them."""
    table = [
        *[
            Mutant(
                f"status {status}",
                "meaning",
                f"the documented {status} in its envelope"
                + (" in place of the error" if status == 200 else " in place of the 200"),
                is_error_or_fault if status == 200 else is_success,
                _documented(status),
            )
            for status in contract.statuses
        ],
        Mutant(
            "every value changed",
            "meaning",
            "every number and string of the 200 differs, still valid",
            is_success,
            _with_analysis(lambda analysis: _every(analysis, _other)),
        ),
        *[
            Mutant(fault_class(f), "meaning", f"the fault {f} in place of the 200", is_success, _fault(f))
            for f in FAULTS
        ],
        Mutant(
            "unknown properties",
            "form",
            f"an unknown property ({UNKNOWN_PROPERTY}) at every object level",
            is_success,
            _with_document(_unknown_properties),
        ),
        Mutant(
            "keys reordered", "form", "every object's keys in reverse order", is_success, _with_document(_reordered)
        ),
        Mutant(
            "other whitespace",
            "form",
            "indented JSON with a final newline",
            is_success,
            _with_document(lambda document: document, lambda document: json.dumps(document, indent=2) + "\n"),
        ),
        Mutant("charset", "form", "Content-Type: application/json; charset=utf-8", is_success, _charset),
        Mutant("1 s late", "form", "the same answer, 1 s later", is_success, _late),
        Mutant("no months", "values", "monthlyAnalysis: []", is_success, _with_analysis(_months(0))),
        Mutant("24 months", "values", "monthlyAnalysis with 24 months", is_success, _with_analysis(_months(24))),
        *[
            Mutant(f"mediaSize {size}", "values", f"every mediaSize {size}", is_success, _with_analysis(_sizes(size)))
            for size in ("1.5Gb", "512Kb", "0B")
        ],
        Mutant("counts 0", "values", "every count 0", is_success, _with_analysis(_counts(lambda n: 0))),
        Mutant(
            "counts past 2^31",
            "values",
            "every count 2^31 more",
            is_success,
            _with_analysis(_counts(lambda n: n + 2**31)),
        ),
        Mutant(
            "lastAccessed 0",
            "values",
            "lastAccessed: 0",
            is_success,
            _with_analysis(lambda analysis: {**analysis, "lastAccessed": 0}),
        ),
    ]
    return {mutant.name: mutant for mutant in table}


@dataclass(frozen=True)
class Mutation:
    """A mutant in force on the mock: for the answers of class `answer_class` (None: every answer it applies to)
    received by `test` (None: whichever test, or none, is running)."""

    mutant: Mutant
    test: str | None = None
    answer_class: str | None = None

    def apply(self, reply: Reply, current_test: str | None, replies: Replies) -> Reply:
        if self.test is not None and self.test != current_test:
            return reply
        if self.answer_class is not None and reply.answer_class != self.answer_class:
            return reply
        if not self.mutant.applies(reply):
            return reply
        changed = self.mutant.change(reply, replies)
        return dataclasses.replace(changed, answer_class=reply.answer_class, mutant=self.mutant.name)

    def as_json(self) -> dict[str, Any]:
        return {"mutant": self.mutant.name, "kind": self.mutant.kind, "test": self.test, "answer": self.answer_class}


@dataclass(frozen=True)
class Mutations:
    """Mutations in force at once, one per test (`sivi-mutate` reruns several tests in one process, each with its
    own mutant); the one under None holds for any other test."""

    by_test: dict[str | None, Mutation]

    def apply(self, reply: Reply, current_test: str | None, replies: Replies) -> Reply:
        mutation = self.by_test.get(current_test) or self.by_test.get(None)
        return reply if mutation is None else mutation.apply(reply, current_test, replies)

    def as_json(self) -> dict[str, Any]:
        return {"mutations": [mutation.as_json() for mutation in self.by_test.values()]}


def received_like(answer_class: str, replies: Replies) -> Reply | None:
    """An answer of class `answer_class` as the mock gives it, for asking which mutants apply to that class; None
    for a class that is no answer of the API (the mock's own errors, `delay`)."""
    fault = fault_of(answer_class)
    if fault is not None:
        return fault_reply(fault, replies.documented(200)) if fault in FAULTS else None
    status = status_of(answer_class)
    if status is None or status not in replies.contract.statuses:
        return None
    return dataclasses.replace(replies.documented(status), answer_class=answer_class)


def mutants_for(answer_class: str, table: dict[str, Mutant], replies: Replies) -> list[Mutant]:
    """The mutants that change an answer of class `answer_class`, in the table's order."""
    like = received_like(answer_class, replies)
    return [] if like is None else [mutant for mutant in table.values() if mutant.applies(like)]
