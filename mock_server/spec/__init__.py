"""The spec: the contract (`openapi.yaml`), its decisions and the fixtures, each read once and checked.

from mock_server.spec import load_contract, load_fixtures

contract = load_contract()  # the bundled openapi.yaml; SpecError names the file, the place and the reason
fixtures = load_fixtures(None, contract)  # the bundled fixtures; FixtureError lists every problem
"""

from mock_server.errors import FixtureError, SpecError
from mock_server.spec.contract import BUNDLED_SPEC, Contract, SchemaValidator, load_contract
from mock_server.spec.fixtures import BUNDLED_FIXTURES, Fixtures, load_fixtures

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
