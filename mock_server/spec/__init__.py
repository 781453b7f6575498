"""The spec: the contract (`openapi.yaml`), its decisions and the fixtures, each read once and checked."""

from mock_server.contract import BUNDLED_SPEC, Contract, SchemaValidator, SpecError, load_contract
from mock_server.fixtures import BUNDLED_FIXTURES, FixtureError, Fixtures, load_fixtures

__all__ = [
    "BUNDLED_FIXTURES",
    "BUNDLED_SPEC",
    "Contract",
    "FixtureError",
    "Fixtures",
    "SchemaValidator",
    "SpecError",
    "load_contract",
    "load_fixtures",
]
