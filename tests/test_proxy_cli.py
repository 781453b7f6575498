"""`sivi-mock --proxy` as a user runs it: its banner, its warnings and its one-line refusals."""

from __future__ import annotations

import os

import httpx

from tests.helpers import RunningMock, sivi_mock_at_start
from tests.upstreams import MOCK_KEY, PATH, REAL_KEY, known_user_body, upstream


def test_proxy_options_need_proxy():
    """Proxy options without a proxy or a key are refused in one line."""
    without_proxy = sivi_mock_at_start("--fixtures-first", "--record", "somewhere")
    assert without_proxy.returncode == 2
    assert "--fixtures-first, --record needs --proxy URL" in without_proxy.stderr

    no_key = sivi_mock_at_start(
        *("--proxy", "http://127.0.0.1:9", "--upstream-key-env", "SIVI_TEST_NO_SUCH_VARIABLE"),
        *("--cors-origin", "http://localhost:5173"),
    )
    assert no_key.returncode == 2
    assert no_key.stderr.strip().splitlines() == [
        "sivi-mock: --upstream-key-env SIVI_TEST_NO_SUCH_VARIABLE: that environment variable is empty or not one line"
    ]

    not_a_url = sivi_mock_at_start("--proxy", "ftp://example.com/api")
    assert not_a_url.returncode == 2 and "http:// or https:// URL" in not_a_url.stderr
    assert "Traceback" not in without_proxy.stderr + no_key.stderr + not_a_url.stderr


def test_banner_names_upstream(tmp_path):
    """The proxy banner says where requests go, and --proxy-insecure says so loudly."""
    os.environ["SIVI_TEST_CLI_KEY"] = REAL_KEY
    with upstream() as (up, watched):
        proxy = RunningMock(
            *("--proxy", up.url, "--upstream-key-env", "SIVI_TEST_CLI_KEY", "--record", str(tmp_path)),
            *("--cors-origin", "http://localhost:5173"),
            "--proxy-insecure",
        )
        try:
            answer = httpx.post(proxy.url + PATH, json=known_user_body(), headers={"sivi-api-key": MOCK_KEY})
        finally:
            output = proxy.stop()

    assert answer.status_code == 200 and answer.headers["sivi-contract"] == "conforms"
    assert f"relayed to {up.url}{PATH}" in output
    assert "upstream key: from $SIVI_TEST_CLI_KEY" in output
    assert "WARNING: --proxy-insecure" in output and "NOT verified" in output
    assert REAL_KEY not in output, "the real key was printed"
    assert watched.seen[0].headers["sivi-api-key"] == REAL_KEY
