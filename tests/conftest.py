from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_server.app import create_app
from mock_server.serving.background import BackgroundServer
from tests.helpers import CheckedClient


@pytest.fixture(scope="session")
def bundled_mock() -> Iterator[BackgroundServer]:
    """The mock on its bundled fixtures, shared by tests that do not change its state."""
    with BackgroundServer(create_app()) as server:
        yield server


@pytest.fixture
def client(bundled_mock: BackgroundServer) -> Iterator[CheckedClient]:
    with CheckedClient(bundled_mock.url) as checked:
        yield checked


@pytest.fixture
def fresh_mock(tmp_path) -> Iterator[BackgroundServer]:
    """A mock of its own, for tests that add accounts or clear the journal."""
    with BackgroundServer(create_app()) as server:
        yield server
