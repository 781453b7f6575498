"""Under `sivi-mutate`: each test's start, failure and end, told as lines of the outcomes file it names."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest

from mock_server.admin_client import OUTCOMES_VARIABLE


def _tell(test: str, event: str, **more: str) -> None:
    """Under `sivi-mutate`, a line of its outcomes file: a test started, failed or ended."""
    path = os.environ.get(OUTCOMES_VARIABLE)
    if path:
        with open(path, "a", encoding="utf-8") as outcomes:
            outcomes.write(json.dumps({"test": test, "event": event, "time": time.time(), **more}) + "\n")


def pytest_runtest_logstart(nodeid: str, location: Any) -> None:
    _tell(nodeid, "start")


def pytest_runtest_logfinish(nodeid: str, location: Any) -> None:
    _tell(nodeid, "end")


def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> None:
    """Under `sivi-mutate`, tell how a test failed: `assertion` (its own) or `error` (of the code it calls)."""
    excinfo = call.excinfo
    if not os.environ.get(OUTCOMES_VARIABLE) or excinfo is None or excinfo.errisinstance(pytest.skip.Exception):
        return
    # The test's own assertion: raised in its own file or in a conftest.py (where shared assertion helpers live).
    raised_in = str(excinfo.traceback[-1].path)
    in_the_tests = raised_in == str(item.path) or raised_in.endswith("conftest.py")
    own = in_the_tests and excinfo.errisinstance((AssertionError, pytest.fail.Exception))
    exception = excinfo.exconly().splitlines()[0][:300] if excinfo.exconly() else excinfo.typename
    _tell(item.nodeid, "failed", failure="assertion" if own and call.when == "call" else "error", exception=exception)
