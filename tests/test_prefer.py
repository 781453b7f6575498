"""`Prefer` read and applied without HTTP (tests/test_mock_prefer.py says the same through a running mock).

    directives = parse_prefer(["code=500, delay=20"], contract, max_delay_ms=1000)
    reply = apply_prefer(prepared, directives, replies, seed=b"the request")
    reply = preferred(header_values, prepared, replies, max_delay_ms, seed)  # both; a mistake is the mock's 412

`prepared` is what the lookup chose (the account's answer), `None` for an id the fixtures do not have.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from mock_server.errors import PreferError
from mock_server.mock.prefer import NONE, Directives, apply_prefer, parse_prefer, preferred
from mock_server.mock.replies import MOCK_ERROR_HEADER, MOCK_ERROR_STATUS, Replies, Reply
from mock_server.spec.contract import load_contract
from mock_server.spec.fixtures import AccountAnswer

CONTRACT = load_contract()
ANSWERS = Replies(CONTRACT)
MAX_DELAY_MS = 1000
SEED = b'{"abstractUserId": "someone"}'
DOCUMENTED = CONTRACT.examples["documentedUser"]
KNOWN = ANSWERS.for_answer(AccountAnswer(analysis=DOCUMENTED.value["body"]))
SLOW = ANSWERS.for_answer(AccountAnswer(analysis=DOCUMENTED.value["body"], delay_ms=700))


def parsed(*values: str) -> Directives:
    return parse_prefer(list(values), CONTRACT, MAX_DELAY_MS)


def body_of(reply: Reply) -> Any:
    envelope = json.loads(reply.body)
    assert envelope["status"] == reply.status, f"the envelope says {envelope['status']}, the reply {reply.status}"
    return envelope["body"]


def valid(reply: Reply) -> bool:
    return CONTRACT.responses[reply.status].is_valid(json.loads(reply.body))


# Reading the header


@pytest.mark.parametrize("values", [[], [""], [" , ,"]])
def test_no_directive(values: list[str]) -> None:
    assert parse_prefer(values, CONTRACT, MAX_DELAY_MS) is NONE


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["code=500"], Directives(code=500)),
        (["example=zeroUsage"], Directives(example="zeroUsage")),
        (["dynamic=true"], Directives(dynamic=True)),
        (["dynamic=FALSE"], Directives(dynamic=False)),
        (["delay=0"], Directives(delay_ms=0)),
        ([f"delay={MAX_DELAY_MS}"], Directives(delay_ms=MAX_DELAY_MS)),
        (['Code = "401"'], Directives(code=401)),  # names in any case, spaces and quotes around a value
        (["code=200, dynamic=true,delay=5"], Directives(code=200, dynamic=True, delay_ms=5)),
        (["code=200", "delay=5"], Directives(code=200, delay_ms=5)),  # several Prefer headers are one list
    ],
)
def test_each_directive_is_read(values: list[str], expected: Directives) -> None:
    assert parsed(*values) == expected


@pytest.mark.parametrize(
    ("values", "directive", "reason"),
    [
        (["code=302"], "code=302", "not a status the spec documents for this operation (200, 400, 401, 422, 500)"),
        (["code=abc"], "code=abc", "not a status the spec documents"),
        (["code="], "code=", "not a status the spec documents"),
        (['CODE="404"'], 'CODE="404"', "not a status the spec documents"),
        (["example=nope"], "example=nope", "no such named example (the spec has documentedUser, zeroUsage,"),
        (["example=ZeroUsage"], "example=ZeroUsage", "no such named example"),  # example names are exact
        (["dynamic=maybe"], "dynamic=maybe", "expected true or false"),
        (["delay=-5"], "delay=-5", f"expected milliseconds, a whole number from 0 to {MAX_DELAY_MS}"),
        (["delay=1.5"], "delay=1.5", "expected milliseconds"),
        ([f"delay={MAX_DELAY_MS + 1}"], f"delay={MAX_DELAY_MS + 1}", "expected milliseconds"),
        (["colour=blue"], "colour=blue", "unknown directive (the mock knows code, example, dynamic, delay, fault)"),
        (["return=minimal"], "return=minimal", "unknown directive"),
        (["code=200, code=500"], "code=500", "code is given twice"),
        (["delay=1", "Delay=2"], "Delay=2", "delay is given twice"),  # across headers too
    ],
)
def test_unhonourable_named_as_sent(values: list[str], directive: str, reason: str) -> None:
    with pytest.raises(PreferError) as refused:
        parsed(*values)
    assert refused.value.directive == directive, f"the error names {refused.value.directive!r}"
    assert refused.value.reason.startswith(reason), refused.value.reason


# Applying it to the lookup's answer


def test_lookup_without_directives() -> None:
    assert apply_prefer(KNOWN, Directives(), ANSWERS, SEED) == KNOWN
    assert apply_prefer(None, Directives(dynamic=False), ANSWERS, SEED) == ANSWERS.not_found


def test_code_of_own_status_keeps_data() -> None:
    assert apply_prefer(KNOWN, Directives(code=200), ANSWERS, SEED) == KNOWN


def test_code_200_unknown_id_example() -> None:
    """`code=200` for an unknown id answers the first documented example."""
    reply = apply_prefer(None, Directives(code=200), ANSWERS, SEED)
    assert (reply.status, body_of(reply)) == (200, CONTRACT.examples_for(200)[0].value["body"])


@pytest.mark.parametrize("status", [400, 401, 422, 500])
def test_code_of_error_uses_example(status: int) -> None:
    """`code` of an error answers that error with the spec example's message."""
    reply = apply_prefer(KNOWN, Directives(code=status), ANSWERS, SEED)
    assert (reply.status, body_of(reply)) == (status, {"message": ANSWERS.messages[status]})
    assert valid(reply)


@pytest.mark.parametrize("name", list(CONTRACT.examples))
def test_example_answers_whole(name: str) -> None:
    example = CONTRACT.examples[name]
    for directives in (Directives(example=name), Directives(example=name, code=example.status)):
        reply = apply_prefer(KNOWN, directives, ANSWERS, SEED)
        assert (reply.status, json.loads(reply.body)) == (example.status, example.value), directives


def test_example_code_mismatch_refused() -> None:
    """An `example` of another status than `code` is refused naming the example."""
    with pytest.raises(PreferError) as refused:
        apply_prefer(KNOWN, Directives(code=200, example="serverError"), ANSWERS, SEED)
    assert refused.value.directive == "example=serverError"
    assert refused.value.reason == "it is an example of 500, not of 200"


def test_example_overrides_dynamic() -> None:
    """`example` names the body, so `dynamic` has nothing to generate."""
    reply = apply_prefer(KNOWN, Directives(example="zeroUsage", dynamic=True), ANSWERS, SEED)
    assert json.loads(reply.body) == CONTRACT.examples["zeroUsage"].value


def test_dynamic_keeps_status_and_body() -> None:
    """`dynamic` keeps the lookup's status, and the same request gets the same body."""
    known = apply_prefer(KNOWN, Directives(dynamic=True), ANSWERS, SEED)
    unknown = apply_prefer(None, Directives(dynamic=True), ANSWERS, SEED)
    assert (known.status, unknown.status) == (200, 400)
    assert valid(known) and valid(unknown)
    assert known.body != KNOWN.body, "dynamic=true answered the fixture's own analysis"
    assert apply_prefer(KNOWN, Directives(dynamic=True), ANSWERS, SEED) == known
    assert apply_prefer(KNOWN, Directives(dynamic=True), ANSWERS, b"another request").body != known.body


@pytest.mark.parametrize("status", CONTRACT.statuses)
def test_dynamic_with_code(status: int) -> None:
    """`dynamic` with `code` generates a valid answer of that status."""
    reply = apply_prefer(None, Directives(code=status, dynamic=True), ANSWERS, SEED)
    assert reply.status == status and valid(reply), reply.body


def test_delay_replaces_own_delay() -> None:
    """`delay` replaces the account's own delay, which is kept otherwise."""
    assert apply_prefer(KNOWN, Directives(delay_ms=250), ANSWERS, SEED).delay_ms == 250
    assert apply_prefer(SLOW, Directives(delay_ms=0), ANSWERS, SEED).delay_ms == 0
    assert apply_prefer(SLOW, Directives(code=500), ANSWERS, SEED).delay_ms == 700, "code= dropped the slow delay"
    assert apply_prefer(None, Directives(delay_ms=30, example="serverError"), ANSWERS, SEED).delay_ms == 30
    delayed = apply_prefer(KNOWN, Directives(delay_ms=250), ANSWERS, SEED)
    assert (delayed.status, delayed.body) == (KNOWN.status, KNOWN.body)


# Both at once, as the endpoint asks: a directive the mock cannot honour is its own error, never an API answer


def test_preferred_without_prefer() -> None:
    assert preferred([], KNOWN, ANSWERS, MAX_DELAY_MS, SEED) == KNOWN
    assert preferred([], None, ANSWERS, MAX_DELAY_MS, SEED) == ANSWERS.not_found


def test_preferred_applies_directives() -> None:
    reply = preferred(["code=500", "delay=10"], KNOWN, ANSWERS, MAX_DELAY_MS, SEED)
    assert (reply.status, reply.delay_ms) == (500, 10)


@pytest.mark.parametrize(
    ("values", "directive"),
    [
        (["code=302"], "code=302"),
        (["example=serverError, code=200"], "example=serverError"),
        ([f"delay={MAX_DELAY_MS + 1}"], f"delay={MAX_DELAY_MS + 1}"),
        (["Colour=Blue"], "Colour=Blue"),
    ],
)
def test_preferred_mistake_is_mock_error(values: list[str], directive: str) -> None:
    reply = preferred(values, KNOWN, ANSWERS, MAX_DELAY_MS, SEED)
    assert reply.status == MOCK_ERROR_STATUS and reply.status not in CONTRACT.statuses
    assert (MOCK_ERROR_HEADER, b"prefer") in reply.headers
    body = body_of(reply)
    assert (body["mockError"], body["directive"]) == ("prefer", directive)
    assert body["message"].startswith(f"sivi-mock cannot honour Prefer {directive}: ")
