"""The `sivi_mock` fixture and its options: the session's mock (its own, or the one `SIVI_MOCK_URL` names), reset
after each test; each test named to it; the answers no test received, in the session's summary."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mock_server.admin_client import MOCK_URL_VARIABLE
from mock_server.pytest_plugin.remote_mock import RemoteSiviMock
from mock_server.pytest_plugin.sivi_mock import SiviMock

if TYPE_CHECKING:  # the plugin loads with every pytest run of a project that installs the kit: it imports lazily
    from mock_server.settings import Settings


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
