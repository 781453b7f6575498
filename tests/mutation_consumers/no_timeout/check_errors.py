"""The robust project's checks of the error answers (`robust/robust_error_checks.py`), but a broken connection is
tried without a timeout, and never with a hang: it would wait for ever."""

import pytest
from robust_error_checks import (
    test_a_regular_key_is_refused,
    test_an_empty_id_is_refused,
    test_an_outage,
    test_an_unknown_user,
)
from usage_client import Unavailable, UsageClient

from mock_server.faults import TRANSPORT_FAULTS

__all__ = ["test_a_regular_key_is_refused", "test_an_empty_id_is_refused", "test_an_outage", "test_an_unknown_user"]


@pytest.mark.parametrize("fault", [f for f in TRANSPORT_FAULTS if f != "hang"])
def test_a_broken_connection(sivi_mock, fault):
    sivi_mock.add_user("broken", fault=fault)
    with pytest.raises(Unavailable):
        UsageClient(sivi_mock.url, sivi_mock.admin_key).usage("broken")
