import pytest
from usage_client import InvalidRequest, Unavailable, UnknownUser, UsageClient

from mock_server.faults import TRANSPORT_FAULTS


def test_an_unknown_user(sivi_mock):
    with pytest.raises(UnknownUser):
        UsageClient(sivi_mock.url, sivi_mock.admin_key).usage("nobody")


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
