"""`/__mock/`: the journal and run-time accounts, and why a web page cannot use them."""

from __future__ import annotations

import httpx
import pytest

from mock_server.app import create_app
from mock_server.settings import Settings
from tests.helpers import DOCUMENTED_USER, CheckedClient
from tests.in_process import checked_client

HEAVY = {
    "yearlyAnalysis": {
        "numberOfGeneratedDesignVariations": 9,
        "numberOfEditedDesigns": 8,
        "numberOfDownloadedDesigns": 7,
        "numberOfMedia": 6,
        "mediaSize": "5Gb",
    },
    "monthlyAnalysis": [],
    "creditBalance": {"availableCredits": 1, "usedCredits": 2},
    "lastAccessed": 1,
}


@pytest.fixture
def mock(fresh_client):
    return fresh_client


@pytest.fixture
def served(fresh_mock):
    """On a socket: for what a second, plain client sends."""
    with CheckedClient(fresh_mock.url) as checked:
        yield checked


def test_journal_masks_key(mock):
    mock.analyze({"abstractUserId": DOCUMENTED_USER})
    mock.analyze({"abstractUserId": "nobody"}, key="mock-regular-key")
    entries = mock.get("/__mock/journal").json()["body"]["requests"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/enterprise/account-analysis", 200),
        ("POST", "/enterprise/account-analysis", 401),
    ]
    assert entries[0]["body"] == f'{{"abstractUserId":"{DOCUMENTED_USER}"}}'
    assert entries[0]["headers"]["sivi-api-key"] == "****"
    assert "mock-admin-key" not in mock.get("/__mock/journal").text


def test_journal_bounded_and_cleared(tmp_path):
    with checked_client(create_app(Settings(journal_size=3))) as mock:
        for _ in range(5):
            mock.analyze({"abstractUserId": "nobody"})
        assert len(mock.get("/__mock/journal").json()["body"]["requests"]) == 3
        assert len(mock.get("/__mock/journal?limit=1").json()["body"]["requests"]) == 1
        assert mock.delete("/__mock/journal").json()["body"]["cleared"] == 3
        assert mock.get("/__mock/journal").json()["body"]["requests"] == []


def test_added_user_until_reset(mock):
    assert mock.put("/__mock/users/new-user", json={"analysis": HEAVY}).status_code == 201
    assert mock.analyze({"abstractUserId": "new-user"}).json()["body"] == HEAVY
    assert mock.put("/__mock/users/new-user", json={"status": 500}).status_code == 200
    assert mock.analyze({"abstractUserId": "new-user"}).status_code == 500
    listed = mock.get("/__mock/users").json()["body"]["users"]
    assert {"id": "new-user", "status": 500, "delayMs": 0, "source": "runtime"} in listed
    assert mock.post("/__mock/reset").status_code == 200
    assert mock.analyze({"abstractUserId": "new-user"}).status_code == 400


def test_workspace_forced_to_fail(mock):
    mock.put("/__mock/workspaces/ws-1", json={"status": 500, "message": "Database unavailable"})
    response = mock.analyze({"workspaceId": "ws-1"})
    assert response.json() == {"status": 500, "body": {"message": "Database unavailable"}}


def test_invalid_account_refused(mock):
    """An account that breaks the spec is refused with the reasons."""
    bad = {**HEAVY, "lastAccessed": "yesterday"}
    response = mock.put("/__mock/users/bad-user", json={"analysis": bad})
    assert response.status_code == 422
    assert response.json()["body"]["problems"] == [
        'users.bad-user.analysis.lastAccessed: "yesterday" is not of type "integer"'
    ]
    assert mock.analyze({"abstractUserId": "bad-user"}).status_code == 400


@pytest.mark.parametrize("content", [b"not json", b"[1, 2]", b'{"status": 999}', b'{"analysis": {}, "x": 1}'])
def test_wrong_admin_body_is_422(mock, content):
    assert mock.put("/__mock/users/u", content=content).status_code == 422


def test_health_shows_loaded(mock):
    body = mock.get("/__mock/health").json()["body"]
    assert body["users"] == 8 and body["workspaces"] == 2 and body["journal"]["max"] == 1000


def test_admin_refuses_foreign_origins(served):
    """The admin API refuses other origins and rebound hosts."""
    mock = served
    for headers in (
        {"origin": "http://evil.example"},
        {"origin": "null"},
        {"host": "evil.example"},
        {"sec-fetch-site": "cross-site"},
    ):
        response = mock.post("/__mock/reset", headers=headers)
        assert response.status_code == 403, headers
    preflight = httpx.options(
        f"{mock.base_url}/__mock/reset",
        headers={"origin": "http://evil.example", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_token_protects_admin():
    with checked_client(create_app(Settings(admin_token="t0ken"))) as mock:
        assert mock.get("/__mock/health").status_code == 401
        assert mock.get("/__mock/health", headers={"authorization": "Bearer wrong"}).status_code == 401
        assert mock.get("/__mock/health", headers={"authorization": "Bearer t0ken"}).status_code == 200
