"""A real browser: a page on one loopback origin calls the mock on another (CORS), and cannot touch /__mock/."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import FileResponse, HTMLResponse
from starlette.routing import Route

from mock_server.app import create_app
from mock_server.serving.background import BackgroundServer
from tests.helpers import CHROMIUM_FLAGS, chromium
from tests.toy_servers import KNOWN_USER, Toy
from tests.upstreams import PATH, REAL_KEY, proxy, upstream

ROOT = Path(__file__).resolve().parent.parent
PAGE = Path(__file__).parent / "browser" / "page.html"
DOCUMENTED_USER = "281743-2322-34i44sd3-dkfjgdkjf292"  # the user the page asks for


def run_page(browser: str, profile: Path, page_url: str, mock_url: str) -> dict[str, Any]:
    """What the page reports after calling `mock_url` from its own origin."""
    result = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"{page_url}/?mock={mock_url}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    match = re.search(r"RESULT (\{.*\})", result.stdout)
    assert match, f"the page did not finish; chromium said:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    return json.loads(match.group(1).replace("&quot;", '"'))


def page_server() -> BackgroundServer:
    return BackgroundServer(Starlette(routes=[Route("/", lambda request: FileResponse(PAGE))]))


def test_page_cannot_drive_admin(tmp_path):
    """A page on another origin calls the API but cannot drive the admin API."""
    browser = chromium()
    mock_app = create_app()
    state = mock_app.state.mock

    with BackgroundServer(mock_app) as mock, page_server() as page:
        httpx.put(f"{mock.url}/__mock/users/kept", json={"status": 500}).raise_for_status()
        results = run_page(browser, tmp_path / "profile", page.url, mock.url)

        assert results["api"]["status"] == 200, results["api"]
        assert results["api"]["body"]["body"]["creditBalance"] == {"availableCredits": 100, "usedCredits": 20}
        assert "error" in results["put"], f"the browser let a page PUT to /__mock/: {results['put']}"
        runtime = {account.id for account in state.runtime_accounts()}
        assert runtime == {"kept"}, f"a cross-origin page changed the mock's accounts: {runtime}"
        methods = [(e["method"], e["path"]) for e in state.journal.entries()]
        assert methods == [("POST", "/enterprise/account-analysis")], methods


def test_page_never_sees_real_key(tmp_path):
    """A page calls the real API through the proxy with the mock's key, and never sees the real one."""
    browser = chromium()
    toy = Toy()
    toy.users[DOCUMENTED_USER] = toy.users[KNOWN_USER]

    with (
        upstream(toy) as (up, watched),
        page_server() as page,
        proxy(up.url, real_key=True, cors_origins=(page.url,)) as px,
    ):
        results = run_page(browser, tmp_path / "profile", page.url, px.url)

    assert results["api"]["status"] == 200, results["api"]
    assert results["api"]["contract"] == "conforms", "the page cannot read Sivi-Contract (not exposed by CORS)"
    assert results["api"]["body"]["body"]["creditBalance"] == {"availableCredits": 100, "usedCredits": 20}
    assert [seen.headers["sivi-api-key"] for seen in watched.seen] == [REAL_KEY], "the upstream saw another key"
    assert "origin" not in watched.seen[0].headers, "the page's Origin was relayed upstream"
    assert [(seen.method, seen.path) for seen in watched.seen] == [("POST", PATH)], "the admin calls were relayed"


def snippet_page(page: Path, mock_url: str) -> str:
    """A page made of the snippet of `page` that calls the mock, pasted as a reader would: a ```js block into a plain
    <script>, an ```html block as it is; what it logs is written into the page. Only the mock's port is changed."""
    blocks = re.findall(r"^```(js|html)\n(.*?)^```", page.read_text(), flags=re.S | re.M)
    snippet = next(((kind, code) for kind, code in blocks if "http://127.0.0.1:4010/" in code), None)
    assert snippet is not None, f"{page.name} shows no snippet that calls the mock"
    kind, code = snippet
    pasted = code if kind == "html" else f"<script>\n{code}</script>\n"
    logged = "<script>console.log = (...args) => document.body.append('RESULT ' + JSON.stringify(args));</script>"
    return f"<!doctype html><html><body>{logged}\n{pasted.replace('http://127.0.0.1:4010', mock_url)}</body></html>"


@pytest.mark.parametrize("page", [ROOT / "README.md", ROOT / "docs" / "frontend.md"], ids=lambda page: page.name)
def test_docs_js_snippet_runs(tmp_path, page):
    """The docs' JS snippet runs as written in a page and gets the answer Prefer asks for."""
    browser = chromium()
    with BackgroundServer(create_app()) as mock:
        html = snippet_page(page, mock.url)
        app = Starlette(routes=[Route("/", lambda request: HTMLResponse(html))])
        with BackgroundServer(app) as site:
            result = subprocess.run(
                [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", site.url + "/"],
                capture_output=True,
                text=True,
                timeout=60,
            )
    logged = re.search(r"RESULT (\[.*\])", result.stdout)
    assert logged, f"{page.name}'s snippet logged nothing; chromium said:\n{result.stderr[-2000:]}\n{html}"
    status, body = json.loads(logged.group(1).replace("&quot;", '"'))
    assert status == 500 and body["status"] == 500 and body["body"]["message"], body
