"""Generated inputs, valid and invalid (Schemathesis: the spec's examples, its boundaries, then fuzzing), never
break the contract: each answer is documented, JSON, valid, in an envelope, and the status the input calls for
(401 without the key, 422 for invalid input, 200 or 400 for valid input), never a 5xx.

Findings are collected rather than raised, so one run reports every kind of failure it meets.
"""

from __future__ import annotations

from typing import Any

import schemathesis

from contract_tests.api import Api
from contract_tests.generation import SCHEMA


@SCHEMA.parametrize()
def test_generated_inputs_never_break_the_contract(case: schemathesis.Case[Any], api: Api) -> None:
    exchange = api.send_case(case)
    api.judge_case(case, exchange, promise="generated inputs never break the contract")
