"""Secrets stay secret and the admin API stays the developer's."""

from __future__ import annotations

import re
import secrets
import shutil
import time

import httpx

from mock_server.mock.auth import KeyCheck, KeyRing
from mock_server.spec.fixtures import BUNDLED_FIXTURES, ApiKey
from tests.helpers import DOCUMENTED_USER, RunningMock


def test_key_never_shown(tmp_path):
    """An API key never appears in the terminal, the logs or the journal."""
    secret = "sk-test-" + secrets.token_hex(12)
    fixtures = tmp_path / "fixtures"
    shutil.copytree(BUNDLED_FIXTURES, fixtures)
    (fixtures / "keys.yaml").write_text(f"keys:\n  {secret}: {{role: admin}}\n")
    mock = RunningMock("--fixtures", str(fixtures), "--log-level", "debug")
    url = mock.url
    try:
        endpoint = f"{url}/enterprise/account-analysis"
        ok = httpx.post(endpoint, headers={"sivi-api-key": secret}, json={"abstractUserId": DOCUMENTED_USER})
        assert ok.status_code == 200
        near_miss = httpx.post(endpoint, headers={"sivi-api-key": secret + "x"}, json={"abstractUserId": "u"})
        assert near_miss.status_code == 401 and secret not in near_miss.text
        httpx.post(endpoint, headers={"sivi-api-key": secret}, content=b"{broken")
        journal = httpx.get(f"{url}/__mock/journal").text
    finally:
        output = mock.stop()
    assert "****" in journal and "sivi-api-key" in journal
    for where, text in (("the journal", journal), ("the terminal and logs", output)):
        assert secret not in text, f"the API key leaked into {where}"
        assert secret[:-4] not in text, f"most of the API key leaked into {where}"


def test_any_key_in_the_ring_is_known():
    # That the check takes as long whichever key matches only a clock sees: `bench/costs.py` measures it.
    keys = [ApiKey("admin-1", "admin"), ApiKey("regular-1", "regular"), ApiKey("admin-2", "admin")]
    ring = KeyRing({key.key: key for key in keys})
    answers = {
        sent: ring.check([sent])
        for sent in (b"admin-1", b"regular-1", b"admin-2", b"admin-", b"admin-22", b"ADMIN-1", b"nope")
    }
    assert answers == {
        b"admin-1": KeyCheck.ADMIN,
        b"regular-1": KeyCheck.NOT_ADMIN,
        b"admin-2": KeyCheck.ADMIN,  # the last key is found as surely as the first
        b"admin-": KeyCheck.UNKNOWN,  # a prefix or a longer key is no match, nor another case
        b"admin-22": KeyCheck.UNKNOWN,
        b"ADMIN-1": KeyCheck.UNKNOWN,
        b"nope": KeyCheck.UNKNOWN,
    }
    assert ring.check([]) is ring.check([b"  "]) is KeyCheck.MISSING
    assert ring.check([b"admin-1", b"admin-1"]) is KeyCheck.UNKNOWN, "a repeated key header authenticated someone"


def test_remote_admin_needs_token():
    """Off loopback the admin API needs the printed token."""
    # Listening on every address; the test itself only ever connects to 127.0.0.1.
    mock = RunningMock("--host", "0.0.0.0")
    url = mock.url
    try:
        time.sleep(0.2)
        refused = httpx.get(f"{url}/__mock/health")
        api = httpx.post(
            f"{url}/enterprise/account-analysis",
            headers={"sivi-api-key": "mock-admin-key"},
            json={"abstractUserId": DOCUMENTED_USER},
        )
    finally:
        output = mock.stop()
    token = re.search(r"Authorization: Bearer (\S+)", output)
    assert token, f"no admin token printed at start:\n{output}"
    assert refused.status_code == 401 and api.status_code == 200
    mock = RunningMock("--host", "0.0.0.0", "--admin-token", "chosen-token")
    url = mock.url
    try:
        assert httpx.get(f"{url}/__mock/health", headers={"authorization": "Bearer chosen-token"}).status_code == 200
        assert (
            httpx.get(f"{url}/__mock/health", headers={"authorization": f"Bearer {token.group(1)}"}).status_code == 401
        )
    finally:
        mock.stop()


def test_loopback_admin_is_open():
    mock = RunningMock()
    try:
        assert httpx.get(f"{mock.url}/__mock/health").status_code == 200
    finally:
        assert "Bearer" not in mock.stop()
