"""One rule for "this machine": the admin API answers only for it, the contract suite is polite to anything else."""

from __future__ import annotations

import pytest

from contract_tests.settings import read_settings
from mock_server.loopback import is_loopback

HOSTS = [
    ("127.0.0.1", True),
    ("127.8.9.10", True),
    ("localhost", True),
    ("LocalHost", True),
    ("[::1]", True),
    # Resolved by /etc/hosts and DNS unless the machine runs systemd-resolved: it may lead anywhere.
    ("app.localhost", False),
    ("localhost.example.com", False),
    ("10.0.0.1", False),
    ("[2001:db8::1]", False),
    ("connect.sivi.ai", False),
]


@pytest.mark.parametrize(("host", "loopback"), HOSTS)
def test_loopback_agrees(client, host, loopback):
    """The admin API and the suite agree on what is this machine."""
    assert is_loopback(host) is loopback

    admin = client.get("/__mock/health", headers={"host": f"{host}:4010"})
    assert admin.status_code == (200 if loopback else 403), f"the admin API for Host {host}"

    settings = read_settings({"base_url": f"http://{host}:4010", "api_key": "k", "user_id": "u"}, environ={})
    assert settings.is_loopback is loopback
    assert settings.rate_limit == (0 if loopback else 2.0), f"the suite's pace against {host}"
