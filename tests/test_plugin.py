"""The `sivi_mock` fixture, used the way a consumer project uses it: through the installed entry point."""

from __future__ import annotations

pytest_plugins = ["pytester"]

CONSUMER_TEST = """
import httpx
import pytest
from mock_server.spec.fixtures import FixtureError

def test_known_user(sivi_mock):
    response = httpx.post(sivi_mock.endpoint, headers={"sivi-api-key": sivi_mock.admin_key},
                          json={"abstractUserId": "281743-2322-34i44sd3-dkfjgdkjf292"})
    assert response.json()["body"]["creditBalance"] == {"availableCredits": 100, "usedCredits": 20}
    assert [entry["status"] for entry in sivi_mock.journal()] == [200]

def test_forced_outage(sivi_mock):
    sivi_mock.add_user("u-42", status=500, message="Database unavailable")
    response = httpx.post(sivi_mock.endpoint, headers={"sivi-api-key": sivi_mock.admin_key},
                          json={"abstractUserId": "u-42"})
    assert response.status_code == 500

def test_accounts_do_not_leak_between_tests(sivi_mock):
    response = httpx.post(sivi_mock.endpoint, headers={"sivi-api-key": sivi_mock.admin_key},
                          json={"abstractUserId": "u-42"})
    assert response.status_code == 400
    assert sivi_mock.journal()[0]["headers"]["sivi-api-key"] == "****"

def test_an_invalid_user_is_refused_with_the_reason(sivi_mock):
    with pytest.raises(FixtureError, match="lastAccessed"):
        sivi_mock.add_user("u-43", {"yearlyAnalysis": {}, "monthlyAnalysis": [], "creditBalance": {},
                                    "lastAccessed": "soon"})
"""


def test_a_consumer_project_gets_the_fixture_by_installing_the_kit(pytester):
    pytester.makepyfile(test_consumer=CONSUMER_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_add_user_and_add_workspace_name_their_options():
    import inspect

    import pytest

    from mock_server import SiviMock

    for method in (SiviMock.add_user, SiviMock.add_workspace):
        parameters = inspect.signature(method).parameters
        keyword_only = [name for name, p in parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY]
        assert keyword_only == ["status", "message", "delay_ms", "fault", "sequence"], method.__name__
        with pytest.raises(TypeError, match="stauts"):
            method(None, "u-1", stauts=500)  # type: ignore[arg-type, call-arg]
