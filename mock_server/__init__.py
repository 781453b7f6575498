"""A mock of the Sivi Enterprise Account Analysis API, served from `openapi.yaml` and `fixtures/`.

    from mock_server import BackgroundServer, Settings, create_app

    with BackgroundServer(create_app(Settings(journal_size=100))) as server:
        ...  # server.url

The names below are imported when first used, so that `sivi-mock --help` does not load Starlette or uvicorn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_server.lazy import lazy_names

if TYPE_CHECKING:
    from mock_server.app import MockApp, create_app
    from mock_server.errors import FixtureError, SiviKitError, SpecError
    from mock_server.pytest_plugin import SiviMock
    from mock_server.secret import mask_key
    from mock_server.serving.background import BackgroundServer
    from mock_server.settings import Settings
    from mock_server.spec.contract import Contract, load_contract

__all__ = [
    "BackgroundServer",
    "Contract",
    "FixtureError",
    "MockApp",
    "Settings",
    "SiviKitError",
    "SiviMock",
    "SpecError",
    "create_app",
    "load_contract",
    "mask_key",
]

_HOMES = {
    "BackgroundServer": "mock_server.serving.background",
    "Contract": "mock_server.spec.contract",
    "FixtureError": "mock_server.errors",
    "MockApp": "mock_server.app",
    "Settings": "mock_server.settings",
    "SiviKitError": "mock_server.errors",
    "SiviMock": "mock_server.pytest_plugin",
    "SpecError": "mock_server.errors",
    "create_app": "mock_server.app",
    "load_contract": "mock_server.spec.contract",
    "mask_key": "mock_server.secret",
}

__getattr__, __dir__ = lazy_names(__name__, _HOMES)
