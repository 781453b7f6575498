"""Answer coverage: which answers the mock gave, per test, since it started or was last cleared.

Kept across `POST /__mock/reset`, which the `sivi_mock` fixture calls after every test: coverage is about a whole
run. Cleared only by `DELETE /__mock/coverage`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from mock_server.spec.answer_classes import DELAY, documented_answers, fault_classes, not_received
from mock_server.spec.contract import Contract

NO_TEST = ""  # the key of answers given while no test was named
# The test a request says it comes from (`Sivi-Test: tests/test_x.py::test_y`): for tests that run side by side
# against one mock, which `PUT /__mock/test` cannot tell apart.
TEST_HEADER = b"sivi-test"


class Coverage:
    def __init__(self) -> None:
        self._by_test: dict[str, Counter[str]] = {}

    def add(self, test: str | None, answer_class: str, delayed: bool) -> None:
        counts = self._by_test.get(test or NO_TEST)
        if counts is None:
            counts = self._by_test[test or NO_TEST] = Counter()
        counts[answer_class] += 1
        if delayed:
            counts[DELAY] += 1

    def clear(self) -> None:
        self._by_test.clear()

    def by_test(self) -> dict[str, dict[str, int]]:
        return {test: dict(sorted(counts.items())) for test, counts in self._by_test.items()}

    def received(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for counts in self._by_test.values():
            total.update(counts)
        return total

    def as_json(self, contract: Contract) -> dict[str, Any]:
        received = self.received()
        missing = not_received(contract, received)
        return {
            "message": f"{len(received)} kinds of answer received, {len(missing)} documented ones not",
            "documented": {str(status): list(names) for status, names in documented_answers(contract).items()},
            "faults": list(fault_classes()),
            "received": dict(sorted(received.items())),
            "tests": self.by_test(),
            "notReceived": missing,
        }
