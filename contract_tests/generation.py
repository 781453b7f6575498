"""Schemathesis, loaded from the same contract document as the mock and configured for this API.

Upstream defaults, out of the box, fail a correct implementation of this API (a valid request for an unknown
user rightly gets 400, which `positive_data_acceptance` does not expect) and let real bugs through (400 or
500 for invalid input passes the default `negative_data_rejection`). Each setting below says which promise of
the API it encodes; docs/contract-suite.md lists them against the defaults.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
import schemathesis.checks
from schemathesis.core.failures import FailureGroup

from contract_tests.client import SentExchange
from contract_tests.settings import SuiteSettings
from mock_server.judgement import INVALID_INPUT, NOT_FOUND, OK, UNAUTHENTICATED, Failure
from mock_server.spec import load_contract

CONTRACT = load_contract()
SCHEMA = schemathesis.openapi.from_dict(CONTRACT.document)

# Checks whose failure breaks the contract, by their Schemathesis names.
FAILING_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
    "missing_required_header",
    "allow_header_conformance",
)
# RFC 9110 wants 405 with an `Allow` header for an undocumented method; the contract documents neither, and a
# gateway in front of a real deployment may refuse with 404 or 403. A refusal is the promise (checked by
# `other_methods_refused`); the exact status is advice, so this check reports warnings.
ADVISORY_CHECKS = ("unsupported_method",)
# Each by its name: the failing ones first, then the advisory.
CHECKS = {name: getattr(schemathesis.checks, name) for name in (*FAILING_CHECKS, *ADVISORY_CHECKS)}
# Checks of which status an input gets: where the suite's own judgement of the input rests on a decision of the
# spec, their verdict rests on it too.
STATUS_CHECKS = (
    "status_code_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
    "missing_required_header",
)
# The check of the answer's body against its schema: where the suite's own finds the body breaks only a decision of
# the spec, its verdict rests on that decision too.
SCHEMA_CHECK = "response_schema_conformance"


def schemathesis_options(settings: SuiteSettings) -> dict[str, Any]:
    """The `schemathesis.toml` equivalent of a run (see the module docstring for why each value)."""
    return {
        "seed": settings.seed,
        "generation": {
            "max-examples": settings.max_examples,
            # Both kinds of data: valid requests must be answered 200/400, invalid ones refused.
            "mode": "all",
            # A run is reproduced by its printed seed, not by a database in the working directory.
            "database": "none",
            # Findings are collected rather than raised (see test_generated_inputs), so nothing is shrunk.
            "no-shrink": True,
        },
        "phases": {
            # One read-only operation: there is no state to walk through.
            "stateful": {"enabled": False},
        },
        "checks": {
            # A well-formed request with the admin key is answered: found (200) or not found (400).
            "positive_data_acceptance": {"expected-statuses": [str(OK), str(NOT_FOUND)]},
            # Invalid input gets 422, never 400 (that means "unknown user") nor 5xx. When the generator removed or
            # broke the key, 401 is right: authentication comes first.
            "negative_data_rejection": {"expected-statuses": [str(INVALID_INPUT), str(UNAUTHENTICATED)]},
            # The only required header is the API key: its absence is an authentication failure.
            "missing_required_header": {"expected-statuses": [str(UNAUTHENTICATED)]},
            # The probes of `ignored_auth` are what test_authentication sends on purpose, for more cases.
            "ignored_auth": {"enabled": False},
        },
    }


def configure(settings: SuiteSettings) -> None:
    """Apply a run's settings to `SCHEMA`, which `@SCHEMA.parametrize()` reads when pytest collects the tests.

    The pytest integration clones the schema at import time and shares its config object, so a run updates
    that object in place (one process may run the suite several times, as the kit's own tests do).
    """
    fresh = schemathesis.Config.from_dict(schemathesis_options(settings))
    project = fresh.projects.get_default()
    shared = SCHEMA.config
    shared.generation = project.generation
    shared.checks = project.checks
    shared.phases = project.phases
    shared.seed = settings.seed


def forget_tried_methods(collector: pytest.Collector) -> None:
    """Before a run collects the generated tests: Schemathesis tries each undeclared method on a path once per schema
    object (`coverage_unexpected_methods_seen`), and its pytest integration builds the cases from the clone
    `@SCHEMA.parametrize()` made at import, which lives as long as the process. Forgotten at each run, so that a
    second run in one process (as the kit's own tests make) tries them too and sends the same requests."""
    schema = getattr(collector, "schema", None)  # Schemathesis' collector of a parametrized test holds its clone
    tried = getattr(schema, "coverage_unexpected_methods_seen", None)  # the Schemathesis releases that keep one
    if isinstance(tried, set):
        tried.clear()


def schemathesis_failures(case: schemathesis.Case[Any], exchange: SentExchange) -> tuple[list[Failure], list[Failure]]:
    """Run the configured Schemathesis checks on one answer: (failures, advisory warnings)."""
    if exchange.response is None or exchange.error is not None:
        return [], []  # no complete answer: `no_answer` says so
    failures: list[Failure] = []
    advice: list[Failure] = []
    try:  # most answers pass every check: one pass over them all, each check run alone only to name a failure
        case.validate_response(exchange.response, checks=[*CHECKS.values()], headers=exchange.headers)
    except FailureGroup:
        for name, check in CHECKS.items():
            try:
                case.validate_response(exchange.response, checks=[check], headers=exchange.headers)
            except FailureGroup as group:
                found = advice if name in ADVISORY_CHECKS else failures
                found += [Failure(name, f"{error.title}: {error.message}".strip()) for error in group.exceptions]
    return failures, advice
