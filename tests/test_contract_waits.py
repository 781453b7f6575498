"""Throttling and a gateway's blips are waited out within a budget, never findings: a throttling server (429 +
`Retry-After`) and a server mid-deploy (HTML 503 for its first moments) pass, and the summary counts the waits. Past
the budget the run ends with exit 2, never 1, in bounded time. An input the app crashes on, behind a gateway that
answers its 502 page for that request every time while others are answered, is still a violation with its curl."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from contract_tests.client import Client
from contract_tests.runner import run_suite
from contract_tests.settings import read_settings
from contract_tests.waits import GATEWAY, THROTTLED, blip_of, parse_retry_after
from mock_server.judgement import Exchange
from mock_server.serving.background import BackgroundServer
from tests import toy_servers as toys

pytestmark = pytest.mark.timeout(60)
PATH = toys.CONTRACT.path


def run_against(toy: toys.Toy, **options: str):
    values = {
        "api_key": toys.ADMIN_KEY,
        "user_id": toys.KNOWN_USER,
        "workspace_id": toys.KNOWN_WORKSPACE,
        "regular_api_key": toys.REGULAR_KEY,
        "max_examples": "3",
        "seed": "11",
        "request_timeout": "5",
        "max_wait": "10",
        **options,
    }
    out = io.StringIO()
    with BackgroundServer(toy.app(), log_level="critical", timeout_graceful_shutdown=0.1) as server:
        outcome = run_suite(read_settings({**values, "base_url": server.url}, environ={}), out=out)
    return outcome, out.getvalue()


def summary_line(output: str, start: str) -> str:
    return next((line for line in output.splitlines() if line.startswith(start)), f"(no line {start!r})")


def test_a_throttling_server_passes_and_the_summary_counts_the_waits():
    toy = toys.Throttles()
    outcome, output = run_against(toy)
    assert outcome.exit_code == 0, output
    assert toy.throttled > 0, "the toy never throttled: this test proves nothing"
    waited = summary_line(output, "waited out (throttling and gateway blips, never findings): ")
    assert f"429 with Retry-After x{toy.throttled}: " in waited, output
    assert "; the rate lowered to " in waited and "/s" in waited
    assert "429" not in summary_line(output, "undocumented statuses observed"), "a 429 was judged as an answer"


def test_a_server_mid_deploy_passes_and_the_summary_counts_the_waits():
    outcome, output = run_against(toys.MidDeploy())
    assert outcome.exit_code == 0, output
    waited = summary_line(output, "waited out (throttling and gateway blips, never findings): ")
    assert "503 outside the API's envelope x" in waited, output
    assert outcome.run.observed.findings == []


def test_a_server_that_goes_down_for_good_ends_the_run_with_exit_2_once_the_wait_budget_is_spent():
    outcome, output = run_against(toys.GoesDownMidRun(), max_wait="1")
    assert outcome.exit_code == 2, output
    assert outcome.error is not None and outcome.error.startswith("http://127.0.0.1:")
    assert "is unavailable: it still answers 503 (text/html; charset=utf-8) outside the API's envelope" in outcome.error
    assert "of --max-wait 1); try later, or raise --max-wait" in outcome.error
    assert outcome.run.api.client.waits.waited <= 1


def test_a_wait_longer_than_the_budget_ends_the_run_at_once_with_exit_2():
    outcome, output = run_against(toys.ThrottlesForAnHour(), max_wait="5")
    assert outcome.exit_code == 2, output
    assert (
        "is throttling the run: it answers 429 (text/plain; charset=utf-8) and asks to wait 3600 s, more than" in output
    )
    assert outcome.run.observed.findings == [] and outcome.run.api.client.waits.waited == 0


def test_a_target_that_throttles_without_pause_forever_spends_the_budget_and_ends_the_run_with_exit_2():
    toy = toys.ThrottlesWithoutPause()
    outcome, output = run_against(toy, max_wait="3")
    assert outcome.exit_code == 2, output
    assert "is throttling the run: it answers 429" in output and "raise --max-wait" in output
    waits = outcome.run.api.client.waits
    assert 0 < waits.waited <= 3 and toy.answered < 20, f"{toy.answered} requests, {waits.waited} s waited"


def test_an_input_the_app_crashes_on_behind_a_gateway_is_still_a_violation_with_its_curl():
    outcome, output = run_against(toys.CrashesBehindAGateway())
    assert outcome.exit_code == 1, output
    crashed = [f for f in outcome.run.observed.findings if f.exchange is not None and f.exchange.status == 502]
    assert crashed, output
    assert any(finding.promise == "a JSON array gets 422" for finding in crashed), output
    assert "invalid_input_is_422" in outcome.failed_checks
    assert "curl -i -X POST" in output and "HTTP 502, text/html" in output
    assert "502 outside the API's envelope x" in summary_line(output, "waited out")


@pytest.mark.parametrize(
    ("status", "headers", "content", "kind"),
    [
        (429, {}, b"slow down", THROTTLED),
        (429, {"retry-after": "2"}, b'{"status": 429, "body": {}}', THROTTLED),
        (503, {"retry-after": "2"}, b'{"status": 503, "body": {"message": "maintenance"}}', THROTTLED),
        (503, {}, b"<html>Service Unavailable</html>", GATEWAY),
        (502, {}, b"", GATEWAY),
        (504, {}, b"upstream timed out", GATEWAY),
        (503, {}, b'{"status": 503, "body": {"message": "down"}}', None),  # the API's own answer: judged
        (500, {}, b"<html>Internal Server Error</html>", None),  # a crash is judged, never waited
        (200, {"retry-after": "2"}, b"{}", None),
    ],
)
def test_which_answers_are_waited_out(status, headers, content, kind):
    exchange = Exchange("POST", "http://h/", {}, b"{}", "sivi-api-key", status, headers, content)
    blip = blip_of(exchange)
    assert (blip.kind if blip else None) == kind


def test_retry_after_is_read_in_seconds_or_as_a_date():
    assert parse_retry_after("120") == 120
    assert parse_retry_after("0.2") == 0.2
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 50 < (parse_retry_after(in_a_minute) or 0) <= 60
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past: no wait
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None and parse_retry_after("nan") is None


def test_the_client_halves_its_rate_each_time_it_is_throttled():
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    toy = toys.ThrottlesForAnHour()
    toy.answered = -2  # four answers, then 429 with Retry-After: 3600
    with BackgroundServer(toy.app(), log_level="critical") as server:
        client = Client(
            server.url,
            key_header="sivi-api-key",
            timeout=5,
            rate_limit=2,
            max_wait=7300,
            clock=lambda: now[0],
            sleep=sleep,
        )
        for _ in range(4):
            client.request("POST", PATH, body=b"{}")
        with pytest.raises(BaseException, match="is throttling the run"):
            client.request("POST", PATH, body=b"{}")
    assert client.waits.counts == {"429 with Retry-After": 2} and client.waits.waited == 7200
    assert client.lowered_rate == 0.5  # 2/s, then 1/s, then 0.5/s
