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
    from mock_server.app import MockApp as MockApp
    from mock_server.app import create_app as create_app
    from mock_server.errors import FixtureError as FixtureError
    from mock_server.errors import SiviKitError as SiviKitError
    from mock_server.errors import SpecError as SpecError
    from mock_server.pytest_plugin import SiviMock as SiviMock
    from mock_server.secret import mask_key as mask_key
    from mock_server.serving.background import BackgroundServer as BackgroundServer
    from mock_server.settings import Settings as Settings
    from mock_server.spec.contract import Contract as Contract
    from mock_server.spec.contract import load_contract as load_contract

__getattr__, __dir__, __all__ = lazy_names(__name__, __file__)
