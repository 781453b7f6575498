"""Hypothesis properties over success bodies.

Any valid request for the known user gets 200 and a body with everything the documentation guarantees
(non-negative integer counts, size strings, a Unix time): the spec's schema, so a broken guarantee fails.
What the documentation only suggests (a month's count at most the year's total) is a warning in the report,
never a failure: its own example breaks it. The requests vary what the spec leaves free: properties it does
not name, their values, the order of the keys, and a workspace id beside the user id (the user id wins).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from contract_tests.api import Api

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)


def test_any_valid_request_for_the_known_user_gets_a_complete_body(api: Api) -> None:
    ids = {api.shape.user_field, api.shape.workspace_field}
    extra_properties = st.dictionaries(
        st.text(min_size=1, max_size=12).filter(lambda k: k not in ids), JSON_VALUES, max_size=3
    )

    @seed(api.settings.seed)
    @settings(
        max_examples=api.settings.max_examples,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(extra=extra_properties, workspace=st.none() | st.text(min_size=1, max_size=40), user_first=st.booleans())
    def valid_requests_for_the_known_user(extra: dict[str, Any], workspace: str | None, user_first: bool) -> None:
        ids = {api.shape.user_field: api.target.user_id}
        if workspace is not None:
            ids[api.shape.workspace_field] = workspace
        body = {**ids, **extra} if user_first else {**extra, **dict(reversed(ids.items()))}
        exchange = api.post(body)
        api.expect(
            exchange,
            200,
            check="known_user_is_200",
            stop=False,
            promise="any valid request for the known user gets 200 with a complete body",
        )

    valid_requests_for_the_known_user()
