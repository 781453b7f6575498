"""Throttling and a gateway's blips are waited out within a budget, never findings: a throttling server (429 +
`Retry-After`) and a server mid-deploy (HTML 503 for its first moments, `Retry-After` or not) pass, and the summary
counts the waits. A deploy's page leaves the rate as it was; after throttling, the rate climbs back. Past the budget
or the run's deadline the run ends with exit 2, never 1, in bounded time. An input the app crashes on, behind a
gateway that answers its 502 or 503 page for that request every time while others are answered, is still a
violation with its curl, judged after a few short tries."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests

from contract_tests.client import Client
from contract_tests.runner import run_suite
from contract_tests.settings import read_settings
from contract_tests.waits import GATEWAY, THROTTLED, blip_of, parse_retry_after
from mock_server.judgement import Exchange
from mock_server.serving.background import BackgroundServer
from tests import toy_servers as toys
from tests.hostile_upstreams import Received, ScriptedUpstream, conforming, http, known_user

pytestmark = pytest.mark.timeout(60)
PATH = toys.CONTRACT.path


class FakeTime:
    """A clock the client's pacing and waits read and advance, so that a test of minutes runs in moments."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def client_of(url: str, fake: FakeTime, *, rate_limit: float, max_wait: float = 120) -> Client:
    client = Client(
        url,
        key_header="sivi-api-key",
        timeout=5,
        rate_limit=rate_limit,
        max_wait=max_wait,
        clock=fake.clock,
        sleep=fake.sleep,
    )
    health = {"Content-Type": "application/json", "sivi-api-key": toys.ADMIN_KEY}
    client.health_check = requests.Request("POST", url + PATH, headers=health, json=known_user()).prepare()
    return client


GATEWAY_503 = http(
    503, b"<html><body>503 Service Temporarily Unavailable</body></html>", "content-type: text/html", "retry-after: 1"
)


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


def test_throttling_server_passes():
    """A throttling server passes, and the summary counts the waits."""
    toy = toys.Throttles()
    outcome, output = run_against(toy)
    assert outcome.exit_code == 0, output
    assert toy.throttled > 0, "the toy never throttled: this test proves nothing"
    waited = summary_line(output, "waited out (throttling and gateway blips, never findings): ")
    assert f"429 with Retry-After x{toy.throttled}: " in waited, output
    assert "; the rate lowered to " in waited and "/s" in waited
    assert "429" not in summary_line(output, "undocumented statuses observed"), "a 429 was judged as an answer"


def test_deploying_server_passes():
    """A server mid-deploy passes, and the summary counts the waits."""
    outcome, output = run_against(toys.MidDeploy())
    assert outcome.exit_code == 0, output
    waited = summary_line(output, "waited out (throttling and gateway blips, never findings): ")
    assert "503 outside the API's envelope x" in waited, output
    assert outcome.run.observed.findings == []


def test_dead_server_exits_2():
    """A server that goes down for good ends the run with exit 2 once the wait budget is spent."""
    outcome, output = run_against(toys.GoesDownMidRun(), max_wait="1")
    assert outcome.exit_code == 2, output
    assert outcome.error is not None and outcome.error.startswith("http://127.0.0.1:")
    assert "is unavailable: it still answers 503 (text/html; charset=utf-8) outside the API's envelope" in outcome.error
    assert "of --max-wait 1); try later, or raise --max-wait" in outcome.error
    assert outcome.run.api.client.waits.waited <= 1


def test_wait_over_budget_exits_2():
    """A wait longer than the budget ends the run at once with exit 2."""
    outcome, output = run_against(toys.ThrottlesForAnHour(), max_wait="5")
    assert outcome.exit_code == 2, output
    assert (
        "is throttling the run: it answers 429 (text/plain; charset=utf-8) and asks to wait 3600 s, more than" in output
    )
    assert outcome.run.observed.findings == [] and outcome.run.api.client.waits.waited == 0


def test_endless_throttling_exits_2():
    """A target that throttles without pause forever spends the budget and ends the run with exit 2."""
    toy = toys.ThrottlesWithoutPause()
    outcome, output = run_against(toy, max_wait="3")
    assert outcome.exit_code == 2, output
    assert "is throttling the run: it answers 429" in output and "raise --max-wait" in output
    waits = outcome.run.api.client.waits
    assert 0 < waits.waited <= 3 and toy.answered < 20, f"{toy.answered} requests, {waits.waited} s waited"


def test_crash_behind_gateway_violates():
    """An input the app crashes on behind a gateway is still a violation with its curl."""
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
def test_which_answers_are_waited(status, headers, content, kind):
    exchange = Exchange("POST", "http://h/", {}, b"{}", "sivi-api-key", status, headers, content)
    blip = blip_of(exchange)
    assert (blip.kind if blip else None) == kind


def test_retry_after_seconds_or_date():
    assert parse_retry_after("120") == 120
    assert parse_retry_after("0.2") == 0.2
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 50 < (parse_retry_after(in_a_minute) or 0) <= 60
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past: no wait
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None and parse_retry_after("nan") is None


def test_throttling_halves_rate():
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


def test_deploy_blip_keeps_rate():
    """A deploy blip with Retry-After is waited as asked, and the rate stays."""
    fake = FakeTime()
    # A deploy rolling out: the gateway's HTML 503 with `Retry-After: 1` to the first 6 requests, whatever they are.
    with ScriptedUpstream(lambda request: GATEWAY_503 if len(upstream.requests) <= 6 else conforming()) as upstream:
        client = client_of(upstream.url, fake, rate_limit=2)
        answers = [client.request("POST", PATH, body=b'{"abstractUserId": "x"}').status for _ in range(10)]
    assert answers == [200] * 10, "a deploy blip's 503 was handed back as an answer"
    assert client.waits.counts == {"503 with Retry-After outside the API's envelope": 3}, client.waits.counts
    assert 1 in fake.slept, "the wait Retry-After asked for was not taken"
    assert client.lowered_rate is None and client.rate_limit == 2, "a gateway page lowered the run's rate"


def test_rate_climbs_back():
    """After throttling ends, the rate climbs back to the configured one step by step."""
    fake = FakeTime()
    throttled = http(429, b"slow down", "content-type: text/plain", "retry-after: 1")

    def answer(request: Received) -> bytes:
        return throttled if 3 <= len(upstream.requests) <= 4 else conforming()

    with ScriptedUpstream(answer) as upstream:
        client = client_of(upstream.url, fake, rate_limit=2)
        rates = []
        for _ in range(12):
            client.request("POST", PATH, body=b"{}")
            rates.append(client.rate_limit)
    assert client.lowered_rate == 0.5, f"throttled twice, the rate should have halved twice: {rates}"
    climbing = rates[rates.index(min(rates)) :]
    assert climbing == sorted(climbing) and len(set(climbing)) > 2, f"the rate did not climb step by step: {rates}"
    assert rates[-1] == 2, f"the rate never came back to the configured 2/s: {rates}"


def test_run_over_deploy_blip_passes():
    """A run over a deploy blip with Retry-After passes at the rate it was given."""
    outcome, output = run_against(toys.MidDeployAskingToWait(), rate_limit="50")
    assert outcome.exit_code == 0, output
    waited = summary_line(output, "waited out (throttling and gateway blips, never findings): ")
    assert "503 with Retry-After outside the API's envelope x" in waited, output
    assert "the rate lowered" not in waited and outcome.run.api.client.rate_limit == 50, waited


def test_one_input_503_violates():
    """The same 503 with Retry-After for one input, while others are answered, is a violation with its curl."""
    outcome, output = run_against(toys.UnavailableForOneInput(), max_wait="120")
    assert outcome.exit_code == 1, output
    unavailable = [f for f in outcome.run.observed.findings if f.exchange is not None and f.exchange.status == 503]
    assert any(finding.promise == "a JSON array gets 422" for finding in unavailable), output
    assert "curl -i -X POST" in output and "HTTP 503, text/html" in output
    # Judged after a few short tries, not after waiting out `Retry-After: 30` again and again.
    assert outcome.run.api.client.waits.waited < 10, summary_line(output, "waited out")


def test_api_503_for_one_input_waits():
    """The API's own 503 with Retry-After for one input is waited out as throttling, not judged."""
    # The vendor publishes no rate limits: a quota per input, answered in the API's envelope with `Retry-After`, is a
    # reading a careful team could make. Only a gateway's page for one input, every time, is the API failing for it.
    toy = toys.ThrottlesOneInputForAWhile()
    outcome, output = run_against(toy)
    assert outcome.exit_code == 0, output
    assert toy.throttled == toy.throttled_answers, "the toy's quota was never met: the test proves nothing"


def test_dripping_target_hits_deadline():
    """A target that drips its answers ends the run at its deadline with the cause named."""
    toy = toys.DripsForGeneratedInputs()
    outcome, output = run_against(toy, request_timeout="0.5", deadline="4")
    assert outcome.exit_code == 2, output
    assert outcome.error is not None and "\n" not in outcome.error
    assert outcome.error.startswith("the run's deadline passed (--deadline 4 s): "), outcome.error
    assert "requests got no whole answer in time" in outcome.error and "(the target drips)" in outcome.error
    assert f"sivi-contract: {outcome.error}" in output and "Traceback" not in output
