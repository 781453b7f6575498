"""The errors of the contract suite alone; each is a `SiviKitError` (`mock_server.errors`), so that
`except SiviKitError` still catches any error of the kit.

    SiviKitError                 (mock_server.errors)
    ├── UsageError               an option of the contract suite is missing or wrong
    ├── TargetError              the contract suite's target cannot be tested (exit 2)
    ├── HeadersTooSlow           the target's answer did not start within the request timeout
    └── ContractViolation        a promise the target broke, raised inside the test that found it (an AssertionError)

    StopRun                      not an error but the end of the run (exit 2): a BaseException, see its docstring
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_server.errors import SiviKitError

if TYPE_CHECKING:
    from contract_tests.findings import Finding


class UsageError(SiviKitError):
    """An option of the contract suite is missing or wrong. The message is one line naming the option."""


class TargetError(SiviKitError):
    """The contract suite's target cannot be tested (unreachable, not the API, or the bundled mock cannot start).
    One line, exit 2."""


class HeadersTooSlow(SiviKitError):
    """The target's answer did not start within the request timeout (`contract_tests.client`)."""


class ContractViolation(SiviKitError, AssertionError):
    """Raised inside a test when a promise is broken; the test report shows the rendered finding. An
    `AssertionError` too, so that pytest reports it as the test's failure."""

    def __init__(self, finding: Finding) -> None:
        self.finding = finding
        super().__init__(finding.render())


class StopRun(BaseException):
    """End the whole run now (exit 2). A BaseException, so that Hypothesis does not shrink or retry it: the one
    class the kit raises that is no `SiviKitError`, since `except Exception` must not catch it."""
