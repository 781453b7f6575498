"""Methods other than POST are refused: the path documents one operation, and nothing else may answer 2xx."""

from __future__ import annotations

import pytest

from contract_tests.api import Api
from contract_tests.generation import CONTRACT

OTHER_METHODS = [method for method in ("GET", "PUT", "PATCH", "DELETE") if method != CONTRACT.method.upper()]


@pytest.mark.parametrize("method", OTHER_METHODS)
def test_methods_other_than_the_documented_one_are_refused(api: Api, method: str) -> None:
    exchange = api.post({api.shape.user_field: api.target.user_id}, method=method)
    api.expect_refused(exchange, promise=f"{method} is refused: the spec documents only {api.method}")
