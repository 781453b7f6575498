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


@pytest.mark.parametrize("fault", [f for f in TRANSPORT_FAULTS if f != "hang"])  # it would wait for ever
def test_a_broken_connection(sivi_mock, fault):
    sivi_mock.add_user("broken", fault=fault)
    with pytest.raises(Unavailable):
        UsageClient(sivi_mock.url, sivi_mock.admin_key).usage("broken")
