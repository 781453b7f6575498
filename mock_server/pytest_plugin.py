"""The `sivi_mock` pytest fixture: the mock on a free port for the test session.

Installed kits register it through the `pytest11` entry point, so a consumer project just asks for it:

    def test_report_shows_usage(sivi_mock):
        client = MyServiceClient(base_url=sivi_mock.url, api_key=sivi_mock.admin_key)
        ...

A team's own fixtures and spec: `--sivi-fixtures DIR` and `--sivi-spec FILE`, or `sivi_fixtures` and `sivi_spec`
in the ini file (relative to it); the command line wins.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from mock_server.app import create_app
from mock_server.errors import SiviKitError
from mock_server.mock.state import MockState
from mock_server.serving.background import BackgroundServer
from mock_server.settings import Settings
from mock_server.spec.fixtures import AccountKind, parse_account


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
        return next((k.key for k in self._state.fixtures.keys.values() if not k.is_admin), None)

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
        section = "users" if kind == "user" else "workspaces"
        # Raises FixtureError naming what is wrong, exactly as a fixture file would.
        self._state.put_account(parse_account(kind, account_id, data, self._state.contract, f"{section}.{account_id}"))


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
    return Settings(fixtures_dir=fixtures) if spec is None else Settings(spec_path=spec, fixtures_dir=fixtures)


@pytest.fixture(scope="session")
def sivi_mock_session(pytestconfig: pytest.Config) -> Iterator[SiviMock]:
    """The mock for the whole session, on a free port, never reset: tests use `sivi_mock`, which resets it after
    each test. It serves `--sivi-fixtures`/`sivi_fixtures` and `--sivi-spec`/`sivi_spec` (default: the bundled
    ones). To start it another way, override this fixture in your conftest.py (see the integration tests docs)."""
    settings = mock_settings(pytestconfig)
    try:
        app = create_app(settings)
    except SiviKitError as error:  # the team's files: one readable failure, not a traceback into the kit
        pytest.fail(f"sivi_mock cannot start: {error}", pytrace=False)
    with BackgroundServer(app) as server:
        yield SiviMock(server, app.state.mock)


@pytest.fixture
def sivi_mock(sivi_mock_session: SiviMock) -> Iterator[SiviMock]:
    """The mock (a `mock_server.SiviMock`: `url`, `endpoint`, `admin_key`, `add_user(...)`, `journal()`, ...),
    reset after each test so that no test sees another's accounts or journal."""
    sivi_mock_session.clear_journal()
    yield sivi_mock_session
    sivi_mock_session.reset()
