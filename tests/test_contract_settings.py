"""Options and their environment variables: the same meaning in `sivi-contract` and `pytest contract_tests`,
polite defaults for any host that is not this machine, and one clear line for anything wrong."""

from __future__ import annotations

import pytest

from contract_tests.errors import UsageError
from contract_tests.settings import read_settings

STAGING = "https://connect.sivi.ai/api/staging/v2"


def test_remote_run_is_gentle():
    """Against a remote host the run is gentle and bounded by default."""
    settings = read_settings({"base_url": STAGING, "api_key": "k" * 20, "user_id": "u"}, environ={})
    assert settings.rate_limit == 2.0
    assert settings.max_requests == 300
    assert settings.max_examples == 10
    assert settings.deadline == 600, "a CI job should learn why the run ended before the job's own timeout"
    assert not settings.is_loopback


@pytest.mark.parametrize("url", [None, "http://127.0.0.1:4010", "http://localhost:8000/api", "http://[::1]:9000"])
def test_loopback_is_not_throttled(url):
    values = {"base_url": url, "api_key": "k", "user_id": "u"} if url else {}
    settings = read_settings(values, environ={})
    assert settings.is_loopback
    assert settings.rate_limit == 0 and settings.max_requests is None and settings.max_examples == 100


def test_options_from_environment():
    environ = {
        "SIVI_BASE_URL": STAGING + "/",
        "SIVI_API_KEY": "admin-key-from-the-ci-secret",
        "SIVI_USER_ID": "281743-2322-34i44sd3-dkfjgdkjf292",
        "SIVI_WORKSPACE_ID": "workspace-acme-design",
        "SIVI_REGULAR_API_KEY": "regular-key-from-the-ci-secret",
        "SIVI_MAX_EXAMPLES": "3",
        "SIVI_SEED": "42",
        "SIVI_MAX_RESPONSE_TIME": "1.5",
        "SIVI_RATE_LIMIT": "0.5",
        "SIVI_MAX_REQUESTS": "80",
        "SIVI_REQUEST_TIMEOUT": "4",
        "SIVI_REPORT": "reports/staging.html",
        "SIVI_DEADLINE": "300",
    }
    settings = read_settings({}, environ=environ)
    assert settings.base_url == STAGING
    assert settings.api_key == "admin-key-from-the-ci-secret"
    assert settings.regular_api_key == "regular-key-from-the-ci-secret"
    assert (settings.user_id, settings.workspace_id) == ("281743-2322-34i44sd3-dkfjgdkjf292", "workspace-acme-design")
    assert (settings.max_examples, settings.seed, settings.max_response_time) == (3, 42, 1.5)
    assert (settings.rate_limit, settings.max_requests, settings.request_timeout) == (0.5, 80, 4.0)
    assert str(settings.report) == "reports/staging.html"
    assert settings.deadline == 300


def test_command_line_wins():
    settings = read_settings({"seed": "1"}, environ={"SIVI_SEED": "2"})
    assert settings.seed == 1


def test_seed_is_picked_and_printed():
    assert isinstance(read_settings({}, environ={}).seed, int)


@pytest.mark.parametrize(
    ("values", "environ", "message"),
    [
        ({"base_url": STAGING}, {}, "--api-key (or SIVI_API_KEY) is required with --base-url"),
        ({"base_url": STAGING, "api_key": "k"}, {}, "--user-id (or SIVI_USER_ID) is required with --base-url"),
        ({"base_url": "ftp://example.com"}, {}, "--base-url: 'ftp://example.com' is not an http:// or https:// URL"),
        ({"max_examples": "0"}, {}, "--max-examples: '0' must be at least 1"),
        ({}, {"SIVI_RATE_LIMIT": "fast"}, "SIVI_RATE_LIMIT: 'fast' must be a number"),
        ({"seed": "1.5"}, {}, "--seed: '1.5' must be a whole number"),
        ({"report": "out.pdf"}, {}, "--report: 'out.pdf' must end in .md or .html"),
        ({}, {"SIVI_DEADLINE": "0"}, "SIVI_DEADLINE: '0' must be more than 0"),
    ],
)
def test_wrong_option_named(values, environ, message):
    with pytest.raises(UsageError) as raised:
        read_settings(values, environ=environ)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)
