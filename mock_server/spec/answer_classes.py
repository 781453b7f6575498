"""The names of the answers the mock gives (their classes), so that the journal, `/__mock/coverage`, the pytest
plugin and `sivi-mutate` say the same words.

A documented answer is named by its status and the spec's example it is: `200 documented user`, `200 zero usage`,
`400 user not found` (the example's name, `zeroUsage`, in words). The answers the mock chooses without an example
of their own are named where it chooses them (`mock.replies`: `401 regular key`, `200 account data`, ...). A fault
is `fault reset`; a late answer is also counted as `delay`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from mock_server.faults import FAULTS
from mock_server.spec.contract import Contract, Example

FAULT_PREFIX = "fault "
DELAY = "delay"


def in_words(name: str) -> str:
    """`zeroUsage` -> `zero usage`, `missingApiKey` -> `missing api key`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ").lower()


def example_class(example: Example) -> str:
    return f"{example.status} {in_words(example.name)}"


def documented_answers(contract: Contract) -> dict[int, tuple[str, ...]]:
    """Every status the contract documents, with the classes of its named examples (the status alone without)."""
    return {
        status: tuple(example_class(e) for e in contract.examples_for(status)) or (str(status),)
        for status in contract.statuses
    }


def fault_class(fault: str) -> str:
    return FAULT_PREFIX + fault


def fault_classes() -> tuple[str, ...]:
    """Every fault the mock gives, as a class, in `faults.FAULTS`' order."""
    return tuple(map(fault_class, FAULTS))


def status_of(answer_class: str) -> int | None:
    """The HTTP status an answer class names (`401 regular key` -> 401); None for a fault or `delay`."""
    first = answer_class.split(" ", 1)[0]
    return int(first) if first.isdigit() else None


def fault_of(answer_class: str) -> str | None:
    return answer_class.removeprefix(FAULT_PREFIX) if answer_class.startswith(FAULT_PREFIX) else None


def not_received(contract: Contract, received: Iterable[str]) -> list[str]:
    """The documented answers and the faults no request received: a documented status counts as received when any
    answer of that status was (`200 account data` covers the 200), a fault only when it was given."""
    got = set(received)
    statuses = {status_of(name) for name in got}
    missing = [
        name for status, names in documented_answers(contract).items() if status not in statuses for name in names
    ]
    return missing + [name for name in fault_classes() if name not in got]
