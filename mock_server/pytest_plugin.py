"""The `sivi_mock` pytest fixture: the mock on a free port for the test session.

Installed kits register it through the `pytest11` entry point, so a consumer project just asks for it:

    def test_report_shows_usage(sivi_mock):
        client = MyServiceClient(base_url=sivi_mock.url, api_key=sivi_mock.admin_key)
        ...

A team's own fixtures and spec: `--sivi-fixtures DIR` and `--sivi-spec FILE`, or `sivi_fixtures` and `sivi_spec`
in the ini file (relative to it); the command line wins.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from mock_server.admin_client import MOCK_URL_VARIABLE, OUTCOMES_VARIABLE, AdminClient, bundled_keys

if TYPE_CHECKING:  # the plugin loads with every pytest run of a project that installs the kit: it imports lazily
    from mock_server.mock.state import MockState
    from mock_server.serving.background import BackgroundServer
    from mock_server.settings import Settings
    from mock_server.spec.fixtures import AccountKind


class SiviMock:
    """A running mock, and what a test needs to steer it."""

    def __init__(self, server: BackgroundServer, state: MockState) -> None:
        self._server = server
        self._state = state

    @property
    def url(self) -> str:
        """The base URL, e.g. `http://127.0.0.1:53211`; the endpoint is `url + "/enterprise/account-analysis"`."""
        return self._server.url

    @property
    def endpoint(self) -> str:
        return self.url + self._state.contract.path

    @property
    def admin_key(self) -> str:
        return self._state.fixtures.admin_keys[0]

    @property
    def regular_key(self) -> str | None:
        return self._state.fixtures.regular_key

    def journal(self) -> list[dict[str, Any]]:
        """The requests received so far (oldest first), with API keys masked."""
        return self._state.journal.entries()

    def clear_journal(self) -> None:
        self._state.journal.clear()

    def add_user(
        self,
        user_id: str,
        analysis: dict[str, Any] | None = None,
        *,
        status: int | None = None,
        message: str | None = None,
        delay_ms: int = 0,
        fault: str | None = None,
        sequence: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        """Serve `analysis` (an `AccountAnalysis` body; without one, the spec's documented example) for `user_id`,
        or always answer `status` (a documented error, with `message` or the spec's example text); `delay_ms`
        answers late; `fault` gives that fault instead (`truncated` cuts the answer). `sequence` gives answers in
        turn, the last one repeating, each in the fixture format (`{"status": 500}`, `{"fault": "reset"}`,
        `{"analysis": {...}, "delayMs": 100}`); the fixture's reset after each test starts it again. Raises
        `FixtureError` naming what breaks the spec."""
        self._add("user", user_id, analysis, status, message, delay_ms, fault, sequence)

    def add_workspace(
        self,
        workspace_id: str,
        analysis: dict[str, Any] | None = None,
        *,
        status: int | None = None,
        message: str | None = None,
        delay_ms: int = 0,
        fault: str | None = None,
        sequence: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        """As `add_user`, for a `workspaceId`."""
        self._add("workspace", workspace_id, analysis, status, message, delay_ms, fault, sequence)

    def reset(self) -> None:
        """Back to the fixture files: added accounts dropped, sequences at their start, journal cleared."""
        self._state.reset()

    def _add(
        self,
        kind: AccountKind,
        account_id: str,
        analysis: dict[str, Any] | None,
        status: int | None,
        message: str | None,
        delay_ms: int,
        fault: str | None,
        sequence: Sequence[Mapping[str, Any]] | None,
    ) -> None:
        given = {"analysis": analysis, "status": status, "message": message, "fault": fault}
        data: dict[str, Any] = {name: value for name, value in given.items() if value is not None}
        if delay_ms:
            data["delayMs"] = delay_ms
        if sequence is not None:
            data["sequence"] = list(sequence)  # checked as a fixture file would be, each step named on error
        self._put(kind, account_id, data)

    def _put(self, kind: AccountKind, account_id: str, data: dict[str, Any]) -> None:
        from mock_server.spec.fixtures import parse_account

        section = "users" if kind == "user" else "workspaces"
        # Raises FixtureError naming what is wrong, exactly as a fixture file would.
        self._state.put_account(parse_account(kind, account_id, data, self._state.contract, f"{section}.{account_id}"))

    def name_test(self, test_id: str) -> None:
        """The answers from now on were received by `test_id` (the fixture names each test at its set-up)."""
        self._state.current_test = test_id

    def coverage(self) -> dict[str, Any]:
        """The answers received, per test, against the documented ones (`GET /__mock/coverage`'s body)."""
        return self._state.coverage.as_json(self._state.contract)


class RemoteSiviMock(SiviMock):
    """A mock running elsewhere (`SIVI_MOCK_URL`), steered through its admin API."""

    def __init__(self, url: str) -> None:
        from mock_server.errors import RemoteMockError
        from mock_server.loopback import is_loopback_url

        # Tests send `admin_key` (`SIVI_API_KEY`, maybe a real key in CI) to this mock: it must be on this machine.
        if not is_loopback_url(url):
            raise RemoteMockError(
                f"{MOCK_URL_VARIABLE}={url} is not on this machine: tests send SIVI_API_KEY to the mock it names, so "
                "the sivi_mock fixture takes only a mock on loopback (127.0.0.1, localhost)"
            )
        self._url = url.rstrip("/")
        self._call = AdminClient(self._url, MOCK_URL_VARIABLE).call
        health = self._call("GET", "/health")
        self._path: str = health.get("path", "/enterprise/account-analysis")

    @property
    def url(self) -> str:
        return self._url

    @property
    def endpoint(self) -> str:
        return self._url + self._path

    @property
    def admin_key(self) -> str:
        return os.environ.get("SIVI_API_KEY") or bundled_keys()[0]

    @property
    def regular_key(self) -> str | None:
        return os.environ.get("SIVI_REGULAR_API_KEY") or bundled_keys()[1]

    def journal(self) -> list[dict[str, Any]]:
        requests: list[dict[str, Any]] = self._call("GET", "/journal")["requests"]
        return requests

    def clear_journal(self) -> None:
        self._call("DELETE", "/journal")

    def reset(self) -> None:
        self._call("POST", "/reset")

    def _put(self, kind: AccountKind, account_id: str, data: dict[str, Any]) -> None:
        section = "users" if kind == "user" else "workspaces"
        self._call("PUT", f"/{section}/{quote(account_id, safe='')}", data)

    def name_test(self, test_id: str) -> None:
        self._call("PUT", "/test", {"id": test_id})

    def coverage(self) -> dict[str, Any]:
        return self._call("GET", "/coverage")


# The mock's own files, as options and ini settings of the same name: (name, flag, metavar, what it is).
FILE_OPTIONS = (
    ("sivi_fixtures", "--sivi-fixtures", "DIR", "the fixtures directory sivi_mock serves"),
    ("sivi_spec", "--sivi-spec", "FILE", "the OpenAPI file sivi_mock serves"),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sivi-mock", "the sivi_mock fixture (each option also an ini setting of the same name)")
    for name, flag, metavar, what in FILE_OPTIONS:
        group.addoption(flag, dest=name, metavar=metavar, help=f"{what} (default: the bundled one)")
        parser.addini(name, f"{what}, relative to the ini file (default: the bundled one)")


def _given_path(config: pytest.Config, name: str) -> Path | None:
    """The option (relative to where pytest was started), else the ini setting (relative to the ini file)."""
    given, ini = config.getoption(name), str(config.getini(name) or "")
    if given:
        return config.invocation_params.dir / str(given)
    if ini:
        return (config.inipath.parent if config.inipath else config.rootpath) / ini
    return None


def mock_settings(config: pytest.Config) -> Settings:
    """The mock's `Settings` from `--sivi-fixtures`/`sivi_fixtures` and `--sivi-spec`/`sivi_spec`; neither given:
    the bundled spec and fixtures."""
    spec = _given_path(config, "sivi_spec")
    fixtures = _given_path(config, "sivi_fixtures")
    from mock_server.settings import Settings

    return Settings(fixtures_dir=fixtures) if spec is None else Settings(spec_path=spec, fixtures_dir=fixtures)


@pytest.fixture(scope="session")
def sivi_mock_session(request: pytest.FixtureRequest) -> Iterator[SiviMock]:
    """The mock for the whole session, on a free port, never reset: tests use `sivi_mock`, which resets it after
    each test. It serves `--sivi-fixtures`/`sivi_fixtures` and `--sivi-spec`/`sivi_spec` (default: the bundled
    ones); with `SIVI_MOCK_URL` set, it is the mock running there instead. To start it another way, override this
    fixture in your conftest.py (see the integration tests docs)."""
    url = os.environ.get(MOCK_URL_VARIABLE)
    if url:
        mock: SiviMock = RemoteSiviMock(url)
        request.config.stash[_USED] = mock
        yield mock
        return
    from mock_server.app import create_app
    from mock_server.errors import SiviKitError
    from mock_server.serving.background import BackgroundServer

    try:
        app = create_app(mock_settings(request.config))
    except SiviKitError as error:  # the team's files: one readable failure, not a traceback into the kit
        pytest.fail(f"sivi_mock cannot start: {error}", pytrace=False)
    with BackgroundServer(app) as server:
        mock = request.config.stash[_USED] = SiviMock(server, app.state.mock)
        yield mock
        _print_coverage(request.config, mock)  # while the mock still runs
        del request.config.stash[_USED]


@pytest.fixture
def sivi_mock(sivi_mock_session: SiviMock, request: pytest.FixtureRequest) -> Iterator[SiviMock]:
    """The mock (a `mock_server.SiviMock`: `url`, `endpoint`, `admin_key`, `add_user(...)`, `journal()`, ...),
    reset after each test so that no test sees another's accounts or journal. The answers it gives during the test
    are journaled, and counted in its coverage, as received by this test."""
    sivi_mock_session.name_test(request.node.nodeid)
    sivi_mock_session.clear_journal()
    yield sivi_mock_session
    sivi_mock_session.reset()


_USED = pytest.StashKey[SiviMock]()
_COVERAGE_LINES = pytest.StashKey[list[str]]()


def _print_coverage(config: pytest.Config, mock: SiviMock) -> None:
    """Keep, for the session's summary, which documented answers and faults no test received."""
    missing = mock.coverage()["notReceived"]
    lines = ["sivi_mock: every documented answer and fault was received by a test"]
    if missing:
        lines = [f"sivi_mock: no test received these answers ({len(missing)}): " + ", ".join(missing)]
    config.stash[_COVERAGE_LINES] = lines


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Once the session's mock is up, each test is named to it before its fixtures are made: what they ask the mock
    counts for this test too (the first test is named by the `sivi_mock` fixture itself)."""
    mock = item.config.stash.get(_USED, None)
    if mock is not None:
        mock.name_test(item.nodeid)


def pytest_sessionfinish(session: pytest.Session) -> None:
    mock = session.config.stash.get(_USED, None)
    if mock is not None:  # a remote mock: still running, asked now
        _print_coverage(session.config, mock)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    for line in config.stash.get(_COVERAGE_LINES, []):
        terminalreporter.write_line(line)


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
