"""`--chaos RATE --chaos-seed N`: that fraction of requests gets a fault or the documented 500, in a pattern the seed
repeats; the journal and `/__mock/health` count what was given; without `--chaos` no request pays for a draw."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mock_server.app import create_app
from mock_server.cli import banner
from mock_server.errors import SettingsError
from mock_server.mock.endpoint import AccountAnalysisEndpoint, ChaoticEndpoint
from mock_server.serving.background import BackgroundServer
from mock_server.settings import Settings
from tests.helpers import ADMIN, DOCUMENTED_USER, PATH, RunningMock

USER = {"abstractUserId": DOCUMENTED_USER}
CHOICES = ("500", "reset", "close", "truncated", "gateway-503")
REQUESTS = 100
RATE = 0.3


def chaotic(seed: int, rate: float = RATE, choices: tuple[str, ...] = CHOICES) -> BackgroundServer:
    return BackgroundServer(create_app(Settings(chaos=rate, chaos_seed=seed, chaos_faults=choices)))


def outcome(client: httpx.Client) -> str:
    """What one request met, as its caller would tell: a status, or the transport error's class."""
    try:
        return str(client.post(PATH, headers=ADMIN, json=USER).status_code)
    except httpx.TransportError as error:
        return type(error).__name__


def run(server: BackgroundServer, requests: int = REQUESTS) -> list[str]:
    with httpx.Client(base_url=server.url, timeout=5) as client:
        return [outcome(client) for _ in range(requests)]


@pytest.fixture(scope="module")
def seed_42() -> Iterator[BackgroundServer]:
    with chaotic(42) as server:
        yield server


def test_chaos_strikes_fraction(seed_42):
    """Chaos strikes that fraction of requests with its choices."""
    pattern = run(seed_42)
    struck = [index for index, seen in enumerate(pattern) if seen != "200"]
    assert abs(len(struck) / REQUESTS - RATE) <= 0.1, f"{len(struck)} of {REQUESTS} struck at --chaos {RATE}"
    assert set(pattern) - {"200"} == {"500", "ReadError", "RemoteProtocolError", "503"}, Counter(pattern)

    entries = httpx.get(seed_42.url + "/__mock/journal").json()["body"]["requests"]
    assert [index for index, entry in enumerate(entries) if entry.get("chaos")] == struck
    given = Counter(entry["fault"] or str(entry["status"]) for entry in entries if entry.get("chaos"))
    chaos = httpx.get(seed_42.url + "/__mock/health").json()["body"]["chaos"]
    assert chaos["given"] == dict(given) and sum(given.values()) == len(struck)
    assert (chaos["rate"], chaos["seed"], chaos["requests"], chaos["choices"]) == (RATE, 42, REQUESTS, list(CHOICES))


def test_seed_repeats_pattern(seed_42):
    """The same seed repeats the same pattern and another seed does not."""
    httpx.post(seed_42.url + "/__mock/reset").raise_for_status()  # the pattern from its start
    first = run(seed_42, 40)
    with chaotic(42) as again:
        repeated = run(again, 40)
    with chaotic(43) as other:
        different = run(other, 40)
    assert repeated == first, "the same seed gave another pattern"
    assert different != first


def test_chaos_after_validation():
    """Chaos comes after authentication and input validation."""
    with chaotic(1, rate=1.0, choices=("500",)) as server, httpx.Client(base_url=server.url) as client:
        no_key = client.post(PATH, json=USER)
        invalid = client.post(PATH, headers=ADMIN, json={"abstractUserId": 7})
        struck = client.post(PATH, headers=ADMIN, json=USER)
        health = client.get("/__mock/health").json()["body"]
    assert (no_key.status_code, invalid.status_code, struck.status_code) == (401, 422, 500)
    assert struck.json() == {"status": 500, "body": {"message": "Server internal error"}}, "the documented 500"
    assert health["chaos"]["requests"] == 1 and health["faults"] == {}


def test_no_chaos_no_draw():
    assert type(create_app().endpoint) is AccountAnalysisEndpoint
    assert type(create_app(Settings(chaos=0.1)).endpoint) is ChaoticEndpoint
    assert create_app().state.mock.chaos is None


def test_hang_only_when_named():
    assert "hang" not in Settings().chaos_faults and "500" in Settings().chaos_faults
    assert Settings(chaos=0.1, chaos_faults=("hang",)).chaos_faults == ("hang",)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"chaos": 1.5}, "--chaos must be a fraction from 0 to 1"),
        ({"chaos": 0.1, "chaos_faults": ("500", "explode")}, "--chaos-faults: unknown 'explode' (choose from 500,"),
        ({"chaos": 0.1, "chaos_faults": ()}, "--chaos-faults must name at least one of 500,reset"),
        ({"chaos_seed": 3}, "--chaos-seed needs --chaos RATE"),
        ({"chaos_faults": ("500",)}, "--chaos-faults needs --chaos RATE"),
        ({"hang_limit": 0}, "--hang-limit must be a positive number of seconds"),
    ],
)
def test_bad_chaos_option_named(options, message):
    with pytest.raises(SettingsError) as raised:
        Settings(**options)
    assert message in str(raised.value)


def test_chaos_run_repeats():
    """sivi-mock with chaos says how to repeat its run, and repeats it."""
    with chaotic(5, rate=0.5, choices=("500", "gateway-502")) as in_process:
        expected = run(in_process, 30)
    mock = RunningMock("--chaos", "0.5", "--chaos-seed", "5", "--chaos-faults", "500,gateway-502")
    try:
        with httpx.Client(base_url=mock.url, timeout=5) as client:
            seen = [outcome(client) for _ in range(30)]
    finally:
        banner = mock.stop()
    assert seen == expected, "the command and the in-process mock gave the same seed different patterns"
    assert re.search(r"chaos: +50% of requests get one of 500,gateway-502; --chaos-seed 5 repeats this run", banner)


def test_seed_drawn_and_shown():
    """Without a seed one is drawn and shown so that the run can be repeated."""
    state = create_app(Settings(chaos=0.1)).state.mock
    seed = state.chaos.seed
    assert isinstance(seed, int) and f"--chaos-seed {seed} repeats this run" in banner(state, generated=False)
    assert create_app(Settings(chaos=0.1)).state.mock.chaos.seed != seed, "each run draws its own"


def test_resilience_page_chaos_run():
    """docs/resilience.md shows a run of 1,000 requests at `--chaos 0.1 --chaos-seed 42`: its banner line and its
    counts are what the mock gives, draw for draw."""
    page = (Path(__file__).resolve().parent.parent / "docs" / "resilience.md").read_text()
    block = re.search(r"```json\n(.*?)```", page, flags=re.S)
    assert block, "docs/resilience.md shows no chaos run (a ```json block of /__mock/health)"
    shown = json.loads(block.group(1))
    state = create_app(Settings(chaos=0.1, chaos_seed=42)).state.mock
    answer = state.loaded.replies.not_found
    for _ in range(shown["chaos"]["requests"]):
        state.chaos.draw(answer, state.loaded.replies)
    assert shown["chaos"] == state.chaos.as_json()
    assert shown["faults"] == {name: count for name, count in state.chaos.given.items() if name != "500"}
    assert banner(state, generated=False).splitlines()[-1] in page
