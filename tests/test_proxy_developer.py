"""What a developer sees through the proxy: outages the API documents conform, every answer says who gave it, the
mock's own refusals conform through it, and the README's command works as written."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from mock_server.app import create_app
from mock_server.serving.background import BackgroundServer
from tests.helpers import DOCUMENTED_USER, free_port
from tests.hostile_upstreams import ScriptedUpstream, http, json_answer, known_user
from tests.toy_servers import KNOWN_USER
from tests.upstreams import MOCK_KEY, PAGE_ORIGIN, PATH, REAL_KEY, proxy, upstream

ROOT = Path(__file__).resolve().parent.parent


def ask(url: str, body: object, **headers: str) -> httpx.Response:
    return httpx.post(url + PATH, json=body, headers={"sivi-api-key": MOCK_KEY, **headers}, timeout=10)


def journal(url: str) -> list[dict]:
    return httpx.get(url + "/__mock/journal").json()["body"]["requests"]


OUTAGES = {
    "a documented 500 in the envelope": (json_answer(500, {"status": 500, "body": {"message": "DB down"}}), "conforms"),
    "a 503 the API does not document": (json_answer(503, {"status": 503, "body": {"message": "busy"}}), "violates"),
    "a 500 outside the envelope": (http(500, b"Internal Server Error", "content-type: text/plain"), "violates"),
}


@pytest.mark.parametrize("outage", OUTAGES)
def test_documented_5xx_conforms(outage):
    """A server error the API documents conforms and the journal notes it."""
    answer, verdict = OUTAGES[outage]
    with ScriptedUpstream(lambda request: answer) as up, proxy(up.url, real_key=True) as px:
        got = ask(px.url, known_user())
        entry = journal(px.url)[-1]["upstream"]
    assert got.headers["sivi-contract"] == verdict, entry["findings"]
    assert entry["contract"] == verdict and entry["serverError"] is True


def test_answers_say_who_gave_them():
    """With --fixtures-first each answer says who gave it, and so does the journal."""
    with upstream() as (up, _), proxy(up.url, real_key=True, fixtures_first=True) as px:
        answers = {
            "fixture": ask(px.url, {"abstractUserId": DOCUMENTED_USER}),
            "upstream": ask(px.url, {"abstractUserId": KNOWN_USER}),
            "prefer": ask(px.url, {"abstractUserId": KNOWN_USER}, prefer="code=500"),
            "refused": ask(px.url, {"abstractUserId": KNOWN_USER}, **{"sivi-api-key": "guessed"}),
            "from a page": ask(px.url, {"abstractUserId": KNOWN_USER}, origin=PAGE_ORIGIN),
        }
        entries = journal(px.url)

    sources = {name: answer.headers.get_list("sivi-source") for name, answer in answers.items()}
    assert sources == {
        "fixture": ["mock"],
        "upstream": ["upstream"],
        "prefer": ["mock"],
        "refused": ["mock"],
        "from a page": ["upstream"],
    }
    assert [entry["source"] for entry in entries] == ["mock", "upstream", "mock", "mock", "upstream"]
    assert "sivi-source" in answers["from a page"].headers["access-control-expose-headers"]


def test_repeated_key_422_conforms():
    """The mock's own 422 for a repeated key conforms through the proxy."""
    repeated = f'{{"abstractUserId": "nobody", "abstractUserId": "{DOCUMENTED_USER}"}}'.encode()
    os.environ["SIVI_TEST_MOCK_AS_UPSTREAM"] = MOCK_KEY
    options = {"upstream_key_env": "SIVI_TEST_MOCK_AS_UPSTREAM", "cors_origins": (PAGE_ORIGIN,)}
    with BackgroundServer(create_app()) as mock, proxy(mock.url, **options) as px:
        headers = {"sivi-api-key": MOCK_KEY, "content-type": "application/json"}
        got = httpx.post(px.url + PATH, content=repeated, headers=headers, timeout=10)
        entry = journal(px.url)[-1]["upstream"]
    assert got.status_code == 422 and "appears twice" in got.json()["body"]["message"], got.text
    assert got.headers["sivi-contract"] == "conforms", entry["findings"]


def started_make(arguments: list[str], environment: dict[str, str]) -> subprocess.Popen[str]:
    """`make -s ARGUMENTS` started in a session of its own (stopped with its children after), output piped."""
    # -o: the environment is the one this run uses; make must not rebuild it here
    return subprocess.Popen(
        ["make", "-s", "-o", ".venv/.installed", *arguments],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


@contextmanager
def make_proxy(*variables: str) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """`make proxy` with these variables, on a free port, stopped (make and its sivi-mock, nothing else) after."""
    port = free_port()
    running = started_make(["proxy", f"PROXY_PORT={port}", *variables], {**os.environ, "SIVI_STAGING_KEY": REAL_KEY})
    try:
        yield running, port
    finally:
        if running.poll() is None:
            os.killpg(running.pid, signal.SIGINT)
        running.wait(timeout=10)


def ask_when_up(running: subprocess.Popen[str], port: int, origin: str) -> httpx.Response:
    for _ in range(100):
        try:
            return ask(f"http://127.0.0.1:{port}", {"abstractUserId": KNOWN_USER}, origin=origin)
        except httpx.TransportError:
            assert running.poll() is None, running.communicate()[0]
            time.sleep(0.1)
    raise AssertionError(f"make proxy did not answer on port {port}")


def test_readme_proxy_command():
    """The README's proxy command works as written beside `make mock`."""
    makefile = (ROOT / "Makefile").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make proxy" in readme and "\nproxy:" in makefile
    with upstream() as (up, watched), make_proxy(f"PROXY_URL={up.url}") as (running, port):
        answer = ask_when_up(running, port, PAGE_ORIGIN)
        os.killpg(running.pid, signal.SIGINT)
        output = running.communicate(timeout=10)[0]

    assert answer.status_code == 200, output
    assert answer.headers["sivi-contract"] == "conforms" and answer.headers["sivi-source"] == "upstream"
    assert answer.headers["access-control-allow-origin"] == PAGE_ORIGIN
    assert watched.seen[-1].headers["sivi-api-key"] == REAL_KEY and json.loads(watched.seen[-1].body) == known_user()
    assert port != 4010 and "--port 4010" not in makefile
    assert REAL_KEY not in output


def test_make_proxy_origins():
    """`make proxy` takes several origins, space-separated, and answers each."""
    origins = ["http://localhost:5173", "http://localhost:3000"]
    with (
        upstream() as (up, _),
        make_proxy(f"PROXY_URL={up.url}", f"PROXY_ORIGIN={' '.join(origins)}") as (running, port),
    ):
        answers = {origin: ask_when_up(running, port, origin) for origin in [*origins, "https://ads.example"]}
    allowed = {origin: answer.headers.get("access-control-allow-origin") for origin, answer in answers.items()}
    assert allowed == {**{origin: origin for origin in origins}, "https://ads.example": None}, allowed


def test_make_proxy_any_origin():
    """`make proxy` with any origin shows why sivi-mock refuses it, not the file names of the checkout."""
    with make_proxy("PROXY_ORIGIN=*") as (running, _):
        output = running.communicate(timeout=30)[0]
    assert running.returncode != 0
    assert "sivi-mock: --upstream-key-env refuses --cors-origin '*'" in output, output
    assert "unrecognized arguments" not in output and "README.md" not in output, output


def documented_dry_run() -> list[list[str]]:
    """The commands of docs/proxy.md's dry run, one argument list each (continued lines joined, comments dropped)."""
    page = (ROOT / "docs" / "proxy.md").read_text()
    block = re.search(r"<!-- proxy-dry-run -->\n```sh\n(.*?)```", page, flags=re.S)
    assert block, "docs/proxy.md shows no dry run (a ```sh block after <!-- proxy-dry-run -->)"
    return [shlex.split(line, comments=True) for line in block.group(1).replace("\\\n", " ").splitlines()]


def wait_for_port(port: int, running: subprocess.Popen[str]) -> None:
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        assert running.poll() is None, running.communicate()[0]
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


def test_proxy_dry_run_documented():
    # The documented ports are moved to free ones (others may be taken on this machine); nothing else changes.
    ports = {"4010": str(free_port()), "4011": str(free_port())}
    environment = {name: value for name, value in os.environ.items() if name != "SIVI_STAGING_KEY"}
    started: list[subprocess.Popen[str]] = []
    answers: dict[str, str] = {}
    try:
        for command in documented_dry_run():
            command = [re.sub(r"(?<=127\.0\.0\.1:)(4010|4011)", lambda m: ports[m.group(1)], part) for part in command]
            if command[0] == "export":
                name, _, value = command[1].partition("=")
                environment[name] = value
            elif command[:2] in (["make", "mock"], ["make", "proxy"]):
                port = ports["4010" if command[1] == "mock" else "4011"]
                variable = "MOCK_PORT" if command[1] == "mock" else "PROXY_PORT"
                running = started_make([*command[1:], f"{variable}={port}"], environment)
                started.append(running)
                wait_for_port(int(port), running)
            else:
                assert command[0] == "curl", f"docs/proxy.md's dry run runs {command[0]}, which this test does not know"
                done = subprocess.run(command, capture_output=True, text=True, timeout=30, env=environment)
                answers[command[-1]] = done.stdout
    finally:
        for running in reversed(started):  # make and the sivi-mock it started, nothing else
            if running.poll() is None:
                os.killpg(running.pid, signal.SIGINT)
            running.communicate(timeout=10)

    relayed = answers['{"abstractUserId": "only-upstream"}']
    assert relayed.startswith("HTTP/1.1 200"), relayed
    assert "sivi-source: upstream" in relayed and "sivi-contract: conforms" in relayed, relayed
    bundled = answers['{"abstractUserId": "281743-2322-34i44sd3-dkfjgdkjf292"}']
    assert bundled.startswith("HTTP/1.1 200") and "sivi-source: mock" in bundled, bundled
