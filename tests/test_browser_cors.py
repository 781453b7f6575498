"""A real browser: a page on one loopback origin calls the mock on another (CORS), and cannot touch /__mock/."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import FileResponse
from starlette.routing import Route

from mock_server.app import create_app
from mock_server.background import BackgroundServer

PAGE = Path(__file__).parent / "browser" / "page.html"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=10000",
    "--dump-dom",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("SIVI_SKIP_BROWSER") == "1":
        pytest.skip("SIVI_SKIP_BROWSER=1: the browser test was asked not to run")
    pytest.fail(
        "chromium is not installed: `make test` installs Debian's chromium (as root), or set SIVI_SKIP_BROWSER=1"
    )


def test_a_page_on_another_origin_calls_the_api_but_cannot_drive_the_admin_api(tmp_path):
    browser = chromium()
    mock_app = create_app()
    state = mock_app.state.mock
    page_app = Starlette(routes=[Route("/", lambda request: FileResponse(PAGE))])

    with BackgroundServer(mock_app) as mock, BackgroundServer(page_app) as page:
        httpx.put(f"{mock.url}/__mock/users/kept", json={"status": 500}).raise_for_status()
        result = subprocess.run(
            [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"{page.url}/?mock={mock.url}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        match = re.search(r"RESULT (\{.*\})", result.stdout)
        assert match, f"the page did not finish; chromium said:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        results = json.loads(match.group(1).replace("&quot;", '"'))

        assert results["api"]["status"] == 200, results["api"]
        assert results["api"]["body"]["body"]["creditBalance"] == {"availableCredits": 100, "usedCredits": 20}
        assert "error" in results["put"], f"the browser let a page PUT to /__mock/: {results['put']}"
        runtime = {account.id for account in state.runtime_accounts()}
        assert runtime == {"kept"}, f"a cross-origin page changed the mock's accounts: {runtime}"
        methods = [(e["method"], e["path"]) for e in state.journal.entries()]
        assert methods == [("POST", "/enterprise/account-analysis")], methods
