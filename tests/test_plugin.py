"""The `sivi_mock` fixture, used the way a consumer project uses it: through the installed entry point."""

from __future__ import annotations

import re
from pathlib import Path

# pytester's in-process runs drop the modules first imported during them: httpx imports httpcore at its first
# request, and a copy imported again later no longer matches the exceptions httpx mapped from the first one (the
# worker's next test then sees httpcore.ConnectError, never httpx's). Imported here, before any run, it stays one.
import httpcore  # noqa: F401
import pytest

pytest_plugins = ["pytester"]
# The consumer's run loads the kit's plugins by their entry points, as an install does, but not Schemathesis' and
# Hypothesis' (a consumer without the [contract] extra has neither) nor the kit's own test tools: they would triple its
# start-up.
OTHER_PLUGINS = ("schemathesis", "hypothesispytest", "xdist", "xdist.looponfail", "timeout", "anyio")
QUIET = ("-p", "no:cacheprovider", *(option for name in OTHER_PLUGINS for option in ("-p", f"no:{name}")))

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


def test_install_gives_fixture(pytester):
    pytester.makepyfile(test_consumer=CONSUMER_TEST)
    result = pytester.runpytest_subprocess(*QUIET)
    result.assert_outcomes(passed=4)


def test_add_user_names_options():
    """add_user and add_workspace name their options."""
    import inspect

    import pytest

    from mock_server import SiviMock

    for method in (SiviMock.add_user, SiviMock.add_workspace):
        parameters = inspect.signature(method).parameters
        keyword_only = [name for name, p in parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY]
        assert keyword_only == ["status", "message", "delay_ms", "fault", "sequence"], method.__name__
        with pytest.raises(TypeError, match="stauts"):
            method(None, "u-1", stauts=500)  # type: ignore[arg-type, call-arg]


def documented_project(group: str) -> dict[str, str]:
    """The files docs/integration-tests.md shows for one example project (each block marked `<!-- GROUP: path -->`)."""
    page = (Path(__file__).resolve().parent.parent / "docs" / "integration-tests.md").read_text()
    files = dict(re.findall(rf"<!-- {group}: (\S+) -->\n```\w+\n(.*?)```", page, flags=re.S))
    assert files, f"docs/integration-tests.md shows no {group} example"
    return files


def write_project(pytester, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.mark.parametrize("group", ["own-files", "override"])
def test_documented_projects_pass(pytester, group):
    """The documented projects with their own fixtures or their own mock pass."""
    files = documented_project(group)
    write_project(pytester, files)
    tests = sum(len(re.findall(r"^def test_", text, flags=re.M)) for text in files.values())
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    assert result.ret == 0, "\n".join(result.outlines[-30:])
    result.assert_outcomes(passed=tests)


def test_command_line_wins_over_ini(pytester):
    """The command line gives the fixtures and the spec and wins over the ini."""
    write_project(pytester, documented_project("own-files"))
    (pytester.path / "elsewhere").mkdir()
    (pytester.path / "elsewhere" / "keys.yaml").write_text("keys:\n  other-admin-key: {role: admin}\n")
    spec = Path(__file__).resolve().parent.parent / "openapi.yaml"
    pytester.makepyfile(test_other="def test_other(sivi_mock):\n    assert sivi_mock.admin_key == 'other-admin-key'\n")
    arguments = ["-p", "no:cacheprovider", "--sivi-fixtures", "elsewhere", "--sivi-spec", str(spec), "test_other.py"]
    result = pytester.runpytest_inprocess(*arguments)
    result.assert_outcomes(passed=1)


def test_invalid_fixtures_fail_tests(pytester):
    """Fixtures that break the spec fail the tests with one line naming the field."""
    pytester.makeini("[pytest]\nsivi_fixtures = broken\n")
    (pytester.path / "broken").mkdir()
    (pytester.path / "broken" / "users.yaml").write_text("users:\n  u-1: {status: 299}\n")
    pytester.makepyfile(test_any="def test_any(sivi_mock):\n    pass\n")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    output = "\n".join(result.outlines)
    assert "sivi_mock cannot start: " in output and "users.u-1" in output, output
    assert "Traceback" not in output and "site-packages" not in output, output


def test_fixtures_are_described(pytester):
    """Every fixture the plugin registers says what it is in `pytest --fixtures`."""
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--fixtures")
    output = "\n".join(result.outlines)
    for fixture in ("sivi_mock", "sivi_mock_session"):
        shown = re.search(rf"^{fixture}( \[session scope\])? -- .*\n(.*)", output, flags=re.M)
        assert shown and "no docstring available" not in shown.group(2), f"{fixture}:\n{output}"
