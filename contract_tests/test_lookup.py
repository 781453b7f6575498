"""The lookup: the known user gets 200 with a complete body, an unknown one 400 with a message, whatever the form of
its id (ids are opaque strings); the workspace id works when given, and `abstractUserId` wins over it ("in order of
preference")."""

from __future__ import annotations

import pytest

from contract_tests.api import Api


def test_the_known_user_gets_200_with_a_complete_body(api: Api) -> None:
    exchange = api.known_user()
    api.expect(exchange, 200, check="known_user_is_200", promise="the known user gets 200 with a complete body")


def test_an_unknown_user_gets_400_with_a_message(api: Api) -> None:
    exchange = api.post({api.shape.user_field: api.unknown_id()})
    api.expect(exchange, 400, check="unknown_user_is_400", promise="an unknown user gets 400 with a message")


def test_an_id_of_any_form_is_looked_up(api: Api) -> None:
    # Spaces and a colon: no form a server might give its ids (a 422 is the opaque-ids decision read another way).
    exchange = api.post({api.shape.user_field: f"no such user: {api.unknown_id()}"})
    api.expect(exchange, 400, check="valid_input_is_answered", promise="an id of any form is looked up (400 unknown)")


def test_an_unknown_workspace_gets_400_with_a_message(api: Api) -> None:
    exchange = api.post({api.shape.workspace_field: api.unknown_id("workspace")})
    api.expect(exchange, 400, check="unknown_user_is_400", promise="an unknown workspace gets 400 with a message")


def test_a_known_workspace_gets_200_with_a_complete_body(api: Api) -> None:
    workspace = known_workspace(api)
    exchange = api.post({api.shape.workspace_field: workspace})
    api.expect(exchange, 200, check="workspace_id_works", promise="a known workspace gets 200 with a complete body")


def test_the_user_id_wins_over_an_unknown_workspace_id(api: Api) -> None:
    body = {api.shape.workspace_field: api.unknown_id("workspace"), api.shape.user_field: api.target.user_id}
    exchange = api.post(body)
    api.expect(exchange, 200, check="user_id_wins", promise="a known user is analysed, whatever the workspace id")


def test_a_known_workspace_id_does_not_rescue_an_unknown_user(api: Api) -> None:
    body = {api.shape.user_field: api.unknown_id(), api.shape.workspace_field: known_workspace(api)}
    exchange = api.post(body)
    # The documentation's "in order of preference" also reads as a fallback to the workspace (200).
    api.expect(
        exchange,
        400,
        check="user_id_wins",
        promise="with both ids, only the user id is looked up",
        decision="user-id-wins",
    )


def test_properties_the_spec_does_not_name_are_ignored(api: Api) -> None:
    body = {api.shape.user_field: api.target.user_id, "requestedBy": "sivi-contract", "page": 2}
    exchange = api.post(body)
    api.expect(exchange, 200, check="extra_properties_ignored", promise="unnamed request properties are ignored")


def known_workspace(api: Api) -> str:
    if not api.target.workspace_id:
        pytest.skip("no --workspace-id (SIVI_WORKSPACE_ID) given, so the workspace lookup was not tried")
    return api.target.workspace_id
