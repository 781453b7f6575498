from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_server.app import MockApp, create_app
from mock_server.serving.background import BackgroundServer
from tests.helpers import CheckedClient
from tests.in_process import checked_client


@pytest.fixture(scope="session")
def bundled_mock() -> Iterator[BackgroundServer]:
    """The mock on its bundled fixtures, shared by tests that do not change its state."""
    with BackgroundServer(create_app()) as server:
        yield server


@pytest.fixture(scope="session")
def bundled_app() -> MockApp:
    """The mock on its bundled fixtures, answering in-process (`tests.in_process`), for tests that change nothing."""
    return create_app()


@pytest.fixture
def client(bundled_app: MockApp) -> Iterator[CheckedClient]:
    """A checking client of the bundled mock, in-process: the mock's answers need no socket."""
    with checked_client(bundled_app) as checked:
        yield checked


@pytest.fixture
def fresh_mock(tmp_path) -> Iterator[BackgroundServer]:
    """A mock of its own, for tests that add accounts or clear the journal."""
    with BackgroundServer(create_app()) as server:
        yield server


@pytest.fixture
def fresh_client() -> Iterator[CheckedClient]:
    """A checking client of a mock of its own, in-process, for tests that add accounts or clear the journal."""
    with checked_client(create_app()) as checked:
        yield checked
