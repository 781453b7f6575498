"""Choosing what happens without code: Prism-style `Prefer` directives."""

from __future__ import annotations

import pytest

from mock_server.spec.contract import load_contract
from tests.helpers import DOCUMENTED_USER

CONTRACT = load_contract()


def prefer(client, directives: str, body: dict | None = None):
    return client.analyze(body or {"abstractUserId": "nobody"}, headers={"prefer": directives})


@pytest.mark.parametrize("status", CONTRACT.statuses)
def test_code_forces_status(client, status):
    response = prefer(client, f"code={status}")
    assert response.status_code == status


def test_code_200_keeps_data(client):
    response = prefer(client, "code=200", {"abstractUserId": "user-12345"})
    assert response.json()["body"]["yearlyAnalysis"]["mediaSize"] == "0Mb"


@pytest.mark.parametrize("name", list(CONTRACT.examples))
def test_example_answers_example(client, name):
    response = prefer(client, f"example={name}")
    example = CONTRACT.examples[name]
    assert (response.status_code, response.json()) == (example.status, example.value)


def test_dynamic_is_valid_and_stable(client):
    """`dynamic` bodies are valid and reproducible for the same request."""
    first = prefer(client, "dynamic=true, code=200", {"abstractUserId": "a"})
    again = prefer(client, "dynamic=true, code=200", {"abstractUserId": "a"})
    other = prefer(client, "dynamic=true, code=200", {"abstractUserId": "b"})
    assert first.status_code == 200  # the checked client has validated it against the spec
    assert first.json() == again.json()
    assert first.json() != other.json()


def test_dynamic_keeps_status(client):
    assert prefer(client, "dynamic=true").status_code == 400
    assert prefer(client, "dynamic=true", {"abstractUserId": DOCUMENTED_USER}).status_code == 200


def test_delay_is_honoured(client):
    # No timing assertion: a delay longer than the client's timeout proves the wait happened.
    import httpx

    with pytest.raises(httpx.ReadTimeout):
        client.analyze({"abstractUserId": DOCUMENTED_USER}, headers={"prefer": "delay=1500"}, timeout=0.3)
    assert prefer(client, "delay=0", {"abstractUserId": DOCUMENTED_USER}).status_code == 200


@pytest.mark.parametrize(
    ("directives", "named"),
    [
        ("code=302", "code=302"),
        ("code=abc", "code=abc"),
        ("example=nope", "example=nope"),
        ("example=serverError, code=200", "example=serverError"),
        ("delay=-5", "delay=-5"),
        ("delay=600001", "delay=600001"),
        ("dynamic=maybe", "dynamic=maybe"),
        ("colour=blue", "colour=blue"),
        ("code=200, code=500", "code=500"),
    ],
)
def test_unhonourable_is_mock_error(client, directives, named):
    """A directive the mock cannot honour is a mock error, not an API error."""
    response = prefer(client, directives)
    assert response.status_code == 412, "a status the spec never documents, so it cannot pass for an API answer"
    assert response.headers["sivi-mock-error"] == "prefer"
    body = response.json()["body"]
    assert body["mockError"] == "prefer" and body["directive"] == named
    assert named in body["message"]


def test_auth_and_input_first(client):
    assert client.analyze({"abstractUserId": "x"}, key=None, headers={"prefer": "code=200"}).status_code == 401
    assert client.analyze({}, headers={"prefer": "code=200"}).status_code == 422


@pytest.mark.parametrize("status", [status for status in CONTRACT.statuses if status != 200])
def test_generated_error_message(client, status):
    """A generated error reads as the documented message, never a random word."""
    documented = {example.value["body"]["message"] for example in CONTRACT.examples_for(status)}
    for user in ("a", "b", "nobody"):
        assert prefer(client, f"dynamic=true, code={status}", {"abstractUserId": user}).json()["body"] == {
            "message": next(iter(documented))
        }


def test_generated_unknown_id_is_400(client):
    assert prefer(client, "dynamic=true").json() == {"status": 400, "body": {"message": "User does not exist"}}
