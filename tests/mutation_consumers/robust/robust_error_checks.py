"""The robust project's checks of the error answers. Its `check_errors.py` runs them all; a weak project's
`check_errors.py` runs some of them and states what it does otherwise."""

import pytest
from usage_client import InvalidRequest, Unauthorized, Unavailable, UnknownUser, UsageClient

from mock_server.faults import TRANSPORT_FAULTS


def test_an_unknown_user(sivi_mock):
    with pytest.raises(UnknownUser):
        UsageClient(sivi_mock.url, sivi_mock.admin_key).usage("nobody")


def test_a_regular_key_is_refused(sivi_mock):
    with pytest.raises(Unauthorized):
        UsageClient(sivi_mock.url, sivi_mock.regular_key).usage("nobody")


def test_an_empty_id_is_refused(sivi_mock):
    with pytest.raises(InvalidRequest):
        UsageClient(sivi_mock.url, sivi_mock.admin_key).usage("")


def test_an_outage(sivi_mock):
    sivi_mock.add_user("down", status=500)
    with pytest.raises(Unavailable):
        UsageClient(sivi_mock.url, sivi_mock.admin_key).usage("down")


@pytest.mark.parametrize("fault", TRANSPORT_FAULTS)
def test_a_broken_connection(sivi_mock, fault):
    sivi_mock.add_user("broken", fault=fault)
    with pytest.raises(Unavailable):
        UsageClient(sivi_mock.url, sivi_mock.admin_key, timeout=0.5).usage("broken")
