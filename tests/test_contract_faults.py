"""A target that hangs, resets connections, answers something that is not HTTP or stops answering halfway is
reported as a finding or ends the run with exit 2 and one clear line: always within bounded time."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from contract_tests.client import Client
from contract_tests.errors import StopRun
from contract_tests.runner import run_suite
from contract_tests.settings import read_settings
from mock_server.serving.background import BackgroundServer
from tests import toy_servers as toys
from tests.helpers import free_port
from tests.hostile_upstreams import ScriptedUpstream, conforming
from tests.raw_targets import RawServer

# A bound, not a measurement: any of these runs that hangs fails here instead of holding the test suite.
pytestmark = pytest.mark.timeout(60)


def settings_for(url: str, **options: str):
    values = {
        "base_url": url,
        "api_key": toys.ADMIN_KEY,
        "user_id": toys.KNOWN_USER,
        "max_examples": "3",
        "seed": "3",
        "request_timeout": "0.5",
        **options,
    }
    return read_settings(values, environ={})


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        ("hang", "no answer within 0.5 s"),
        ("reset", "connection reset by the target"),
        ("garbage", "the target did not answer with HTTP (it sent '220 smtp.example.com ESMTP ready')"),
        ("trickle", "the response headers did not arrive within 1.5 s"),
    ],
)
def test_non_http_target_exits_2(behaviour, reason):
    """A target that is no HTTP server ends the run with exit 2 and one line."""
    out = io.StringIO()
    with RawServer(behaviour) as server:
        outcome = run_suite(settings_for(server.url), out=out)
    assert outcome.exit_code == 2
    assert out.getvalue() == f"sivi-contract: cannot reach {server.url}: {reason}\n"


def test_target_dying_halfway_exits_2():
    out = io.StringIO()
    with BackgroundServer(toys.StopsAnswering().app(), log_level="critical", timeout_graceful_shutdown=0.1) as server:
        outcome = run_suite(settings_for(server.url, request_timeout="0.3"), out=out)
    assert outcome.exit_code == 2
    assert outcome.error == (
        f"{server.url} stopped answering: 5 requests in a row got no usable answer (no answer within 0.3 s)"
    )
    assert out.getvalue().rstrip().endswith(f"sivi-contract: {outcome.error}")
    assert outcome.run.api is not None and outcome.run.api.client.sent == 6  # the probe, then five tries: no more


def test_spent_budget_exits_2():
    out = io.StringIO()
    with BackgroundServer(toys.Toy().app(), log_level="critical") as server:
        outcome = run_suite(settings_for(server.url, max_requests="20", request_timeout="5"), out=out)
    assert outcome.exit_code == 2
    assert outcome.run.api is not None and outcome.run.api.client.sent == 20
    assert "the request budget is spent (raise --max-requests, or lower --max-examples)" in out.getvalue()


def test_unreachable_target_exits_2():
    """An unreachable target is one line and exit 2 from the command line."""
    url = f"http://127.0.0.1:{free_port()}"
    script = Path(sys.executable).with_name("sivi-contract")
    result = subprocess.run(
        [str(script), "--base-url", url, "--api-key", "k", "--user-id", "u"],
        capture_output=True,
        text=True,
        timeout=60,
        env={name: value for name, value in os.environ.items() if not name.startswith("SIVI_")},
    )
    assert result.returncode == 2
    assert result.stdout + result.stderr == f"sivi-contract: cannot reach {url}: connection refused\n"


def test_client_paces_to_rate_limit():
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    with BackgroundServer(toys.Toy().app(), log_level="critical") as server:
        client = Client(
            server.url, key_header="sivi-api-key", timeout=5, rate_limit=2, clock=lambda: now[0], sleep=sleep
        )
        for _ in range(5):
            client.request("POST", "/enterprise/account-analysis", body=b"{}")
    assert slept == [0.5, 0.5, 0.5, 0.5]  # two requests a second: the first at once, then one every 0.5 s


def test_client_keeps_to_budget():
    with BackgroundServer(toys.Toy().app(), log_level="critical") as server:
        client = Client(server.url, key_header="sivi-api-key", timeout=5, max_requests=2)
        client.request("POST", "/enterprise/account-analysis", body=b"{}")
        client.request("POST", "/enterprise/account-analysis", body=b"{}")
        with pytest.raises(StopRun, match="budget is spent"):
            client.request("POST", "/enterprise/account-analysis", body=b"{}")
    assert client.sent == 2


@contextmanager
def with_a_line_without_a_colon(server: BackgroundServer) -> Iterator[ScriptedUpstream]:
    """A raw front for `server`: each request relayed to it (through one client), each answer sent back as it came,
    but for a line that is no header field (`X-Debug-Line-Without-Colon`) at the end of its head."""

    def relayed(relay: httpx.Client, request) -> bytes:
        request_line, *lines = request.head.decode("latin-1").split("\r\n")
        method, target, _ = request_line.split(" ", 2)
        headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines if ":" in line]
        kept = [(name, value) for name, value in headers if name.lower() not in ("host", "content-length")]
        got = relay.request(method, server.url + target, headers=kept, content=request.body)
        head = [f"HTTP/1.1 {got.status_code} {got.reason_phrase}"]
        head += [f"{name}: {value}" for name, value in got.headers.items() if name != "content-length"]
        head += [f"content-length: {len(got.content)}", "X-Debug-Line-Without-Colon"]
        return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + got.content

    with httpx.Client(timeout=10) as relay, ScriptedUpstream(lambda request: relayed(relay, request)) as front:
        yield front


def test_colonless_header_passes():
    """A correct implementation whose heads carry a line without a colon passes with a warning."""
    # HTTP's framing is nothing the vendor's docs speak of: a careful team's server could send such a line.
    out = io.StringIO()
    with (
        BackgroundServer(toys.Toy().app(), log_level="critical") as server,
        with_a_line_without_a_colon(server) as front,
    ):
        # One generated example: every answer's head carries the line, and the explicit cases are the most of them.
        outcome = run_suite(settings_for(front.url, request_timeout="5", max_examples="1"), out=out)
    output = out.getvalue()
    assert outcome.exit_code == 0, output
    assert "a line without a colon ('X-Debug-Line-Without-Colon')" in output, output


def test_colonless_header_warns():
    """A header line without a colon is a warning in the summary, never a traceback."""
    # The spec's own 200 to every request, its head ending in a line that is not a header field: the tests fail
    # (no key gets 200), and pytest shows what was logged during each failing test.
    head_end = b"\r\n\r\n"
    answer = conforming().replace(head_end, b"\r\nX-Debug-Line-Without-Colon" + head_end, 1)
    out = io.StringIO()
    with ScriptedUpstream(lambda request: answer) as upstream:
        outcome = run_suite(settings_for(upstream.url, request_timeout="5"), out=out)
    output = out.getvalue()
    assert outcome.exit_code == 1, output
    assert "Traceback" not in output and "HeaderParsingError" not in output, "urllib3's traceback reached the output"
    warning = next((line for line in output.splitlines() if "http_head: " in line), "(no http_head warning)")
    assert "a line without a colon ('X-Debug-Line-Without-Colon')" in warning, output
    assert "http_head" not in outcome.failed_checks, "a point of HTTP the vendor does not document failed the run"
