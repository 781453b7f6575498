"""A Schemathesis + Hypothesis suite that checks any base URL against `openapi.yaml`.

    from contract_tests import read_settings, run_suite

    outcome = run_suite(read_settings({"base_url": "http://127.0.0.1:4010", "api_key": "...", "user_id": "..."}))
    outcome.exit_code  # 0 conforms, 1 violations, 2 not testable

The names below are imported when first used, so that `sivi-contract --help` does not load the suite.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_server.lazy import lazy_names

if TYPE_CHECKING:
    from contract_tests.runner import Outcome, run_suite
    from contract_tests.settings import SuiteSettings, read_settings
    from mock_server.errors import SiviKitError, TargetError, UsageError

__all__ = [
    "Outcome",
    "SiviKitError",
    "SuiteSettings",
    "TargetError",
    "UsageError",
    "read_settings",
    "run_suite",
]

_HOMES = {
    "Outcome": "contract_tests.runner",
    "SiviKitError": "mock_server.errors",
    "SuiteSettings": "contract_tests.settings",
    "TargetError": "mock_server.errors",
    "UsageError": "mock_server.errors",
    "read_settings": "contract_tests.settings",
    "run_suite": "contract_tests.runner",
}

__getattr__, __dir__ = lazy_names(__name__, _HOMES)
