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
    from contract_tests.errors import TargetError as TargetError
    from contract_tests.errors import UsageError as UsageError
    from contract_tests.runner import Outcome as Outcome
    from contract_tests.runner import run_suite as run_suite
    from contract_tests.settings import SuiteSettings as SuiteSettings
    from contract_tests.settings import read_settings as read_settings
    from mock_server.errors import SiviKitError as SiviKitError

__getattr__, __dir__, __all__ = lazy_names(__name__, __file__)
