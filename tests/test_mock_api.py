"""The mock answers as the contract says: the API's order of checks, its envelope, its statuses."""

from __future__ import annotations

import httpx
import pytest

from mock_server.app import create_app
from mock_server.faults import FAULTS
from mock_server.serving.background import BackgroundServer
from mock_server.settings import Settings
from mock_server.spec.contract import load_contract
from tests.helpers import DOCUMENTED_USER
from tests.in_process import checked_client

CONTRACT = load_contract()


def test_documented_user_example(client):
    response = client.analyze({"abstractUserId": DOCUMENTED_USER})
    assert response.status_code == 200
    assert response.json() == CONTRACT.examples["documentedUser"].value


def test_workspace_by_id(client):
    response = client.analyze({"workspaceId": "workspace-acme-design"})
    assert response.status_code == 200
    assert response.json()["body"]["yearlyAnalysis"]["mediaSize"] == "1.5Gb"


def test_user_id_wins(client):
    both = client.analyze({"abstractUserId": "user-12345", "workspaceId": "workspace-acme-design"})
    assert both.json()["body"]["yearlyAnalysis"]["numberOfGeneratedDesignVariations"] == 0
    unknown_user = client.analyze({"abstractUserId": "nobody", "workspaceId": "workspace-acme-design"})
    assert unknown_user.status_code == 400


def test_unknown_user_is_400(client):
    """An unknown user gets 400 with the documented message."""
    response = client.analyze({"abstractUserId": "nobody"})
    assert response.json() == {"status": 400, "body": {"message": "User does not exist"}}


@pytest.mark.parametrize(
    ("key", "message_part"),
    [
        (None, "Please add sivi-api-key header"),
        ("", "Please add sivi-api-key header"),
        ("not-a-key", "not a known key"),
        ("mock-regular-key", "needs an Enterprise admin API key"),
    ],
)
def test_wrong_key_is_401(client, key, message_part):
    """Anything but an admin key gets 401."""
    response = client.analyze({"abstractUserId": DOCUMENTED_USER}, key=key)
    assert response.status_code == 401
    assert message_part in response.json()["body"]["message"]


def test_two_key_headers_fail(client):
    headers = [("sivi-api-key", "mock-admin-key"), ("sivi-api-key", "mock-admin-key")]
    response = client.post("/enterprise/account-analysis", headers=headers, json={"abstractUserId": DOCUMENTED_USER})
    assert response.status_code == 401


@pytest.mark.parametrize("body", [{"abstractUserId": "nobody"}, {"abstractUserId": DOCUMENTED_USER}, {}, "[1"])
def test_auth_comes_first(client, body):
    """Authentication comes first so nothing leaks about users."""
    options = {"content": body, "headers": {"content-type": "application/json"}} if isinstance(body, str) else {}
    response = client.analyze(None if options else body, key="mock-regular-key", **options)
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("content", "content_type", "reason"),
    [
        (b'{"abstractUserId": ', "application/json", "not valid JSON"),
        (b'["281743"]', "application/json", "must be a JSON object"),
        (b'"281743"', "application/json", "must be a JSON object"),
        (b"{}", "application/json", "needs abstractUserId or workspaceId"),
        (b'{"abstractUserId": ""}', "application/json", "shorter than 1 character"),
        (b'{"abstractUserId": 42}', "application/json", 'is not of type "string"'),
        (b'{"workspaceId": null}', "application/json", 'is not of type "string"'),
        (b'{"abstractUserId": "a", "abstractUserId": "b"}', "application/json", "appears twice"),
        (b'{"abstractUserId": "a", "n": NaN}', "application/json", "NaN is not JSON"),
        (b'{"abstractUserId": "\xff"}', "application/json", "not UTF-8"),
        (b'{"abstractUserId": "a"}', "text/plain", "Content-Type must be application/json"),
        (b"[" * 20_000 + b"]" * 20_000, "application/json", "nested too deeply"),
    ],
)
def test_invalid_input_is_422(client, content, content_type, reason):
    response = client.analyze(None, content=content, headers={"content-type": content_type})
    assert response.status_code == 422
    message = response.json()["body"]["message"]
    assert message.startswith("Invalid input") and reason in message, message


def test_no_content_type_is_422(client):
    response = client.analyze(None, content=b'{"abstractUserId": "x"}')
    assert response.status_code == 422


def test_json_with_charset_is_json(client):
    headers = {"content-type": "application/json; charset=utf-8"}
    response = client.analyze(None, content=b'{"abstractUserId": "user-12345"}', headers=headers)
    assert response.status_code == 200


def test_unknown_properties_ignored(client):
    assert client.analyze({"abstractUserId": "user-12345", "clientVersion": "2.1"}).status_code == 200


def test_large_body_is_413(client):
    """A body over the limit gets 413 and the mock keeps serving."""
    response = client.analyze(None, content=b" " * (65 * 1024), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert client.analyze({"abstractUserId": DOCUMENTED_USER}).status_code == 200


def test_other_methods_are_405(client):
    """Other methods get 405 with Allow."""
    for method in ("GET", "PUT", "DELETE", "PATCH"):
        response = client.request(method, "/enterprise/account-analysis")
        assert response.status_code == 405, method
        assert response.headers["allow"] == "POST"


def test_unknown_path_is_404(client):
    response = client.post("/enterprise/account-analysys", json={"abstractUserId": DOCUMENTED_USER})
    assert response.status_code == 404
    assert "POST /enterprise/account-analysis" in response.json()["body"]["message"]


@pytest.mark.parametrize(
    ("user", "status", "message"),
    [
        ("server-error-user", 500, "Server internal error"),
        ("deleted-user", 400, "User does not exists"),
    ],
)
def test_scenario_users_status(client, user, status, message):
    response = client.analyze({"abstractUserId": user})
    assert (response.status_code, response.json()["body"]["message"]) == (status, message)


def test_scenario_default_message(client):
    """A scenario workspace without a message gets the spec's example."""
    response = client.analyze({"workspaceId": "workspace-outage"})
    assert response.json() == CONTRACT.examples["serverError"].value


def test_spec_and_docs_served(client):
    assert client.get("/openapi.json").json()["paths"].keys() == {"/enterprise/account-analysis"}
    assert client.get("/openapi.yaml").content == CONTRACT.source.read_bytes()
    assert client.get("/openapi.json").json()["servers"][0]["url"] == str(client.base_url).rstrip("/")
    docs = client.get("/docs")
    assert docs.status_code == 200 and 'src="/docs/static/swagger-ui-bundle.js"' in docs.text
    assert "http://" not in docs.text and "https://" not in docs.text, "the docs page must not load anything remote"
    assert client.get("/docs/static/swagger-ui-bundle.js").status_code == 200


def test_cors_preflight_answered(client):
    response = client.options(
        "/enterprise/account-analysis",
        headers={
            "origin": "http://localhost:5173",
            "access-control-request-method": "POST",
            "access-control-request-headers": "sivi-api-key, content-type, prefer",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in ("*", "http://localhost:5173")
    assert "sivi-api-key" in response.headers["access-control-allow-headers"].lower()


def test_mock_bug_is_enveloped(caplog):
    """A bug inside the mock is answered in the envelope and the mock keeps serving."""
    app = create_app()
    state = app.state.mock

    def broken_lookup(*ids):
        raise RuntimeError("lookup exploded")

    with checked_client(app) as client:
        state.reply_for = broken_lookup
        response = client.analyze({"abstractUserId": DOCUMENTED_USER})
        assert response.status_code == 500
        assert "sivi-mock internal error" in response.json()["body"]["message"]
        assert "lookup exploded" not in response.text, "a traceback must not reach the caller"
        assert "lookup exploded" in caplog.text, "the mock's log must say what went wrong"
        assert client.get("/__mock/journal").json()["body"]["requests"][-1]["status"] == 500
        del state.reply_for
        assert client.analyze({"abstractUserId": DOCUMENTED_USER}).status_code == 200


def test_served_spec_offers_prefer(client):
    """The served spec offers prefer with every choice and the file stays as written."""
    served = client.get("/openapi.json").json()
    operation = served["paths"][CONTRACT.path][CONTRACT.method]
    prefer = next(parameter for parameter in operation["parameters"] if parameter["name"] == "Prefer")
    assert (prefer["in"], prefer["required"]) == ("header", False)
    values = {example["value"] for example in prefer["examples"].values()}
    assert {f"fault={fault}" for fault in FAULTS} <= values
    assert {f"code={status}" for status in CONTRACT.statuses} | {
        f"example={name}" for name in CONTRACT.examples
    } <= values
    assert "mock-admin-key" in operation["description"] and "/__mock/journal" in operation["description"]
    written = CONTRACT.document["paths"][CONTRACT.path][CONTRACT.method]
    assert "parameters" not in written and "On this mock" not in written["description"], "the spec itself changed"


def test_docs_page_preauthorized(client):
    page = client.get("/docs").text
    assert 'const adminKey = {"key": "mock-admin-key"};' in page
    assert 'preauthorizeApiKey("enterpriseAdminKey", adminKey.key)' in page


def test_own_keys_not_in_page(tmp_path):
    """A key of your own fixtures is never put in a page."""
    (tmp_path / "keys.yaml").write_text("keys:\n  sk-live-secret-0001: {role: admin}\n")
    with BackgroundServer(create_app(Settings(fixtures_dir=tmp_path))) as server:
        pages = [httpx.get(server.url + path).text for path in ("/docs", "/openapi.json")]
    assert not any("sk-live-secret" in page for page in pages)
    assert "const adminKey = null;" in pages[0]
