"""`sivi-mock` as a user runs it: a real process, its banner, its errors, and `--reload`."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from mock_server.spec.fixtures import BUNDLED_FIXTURES
from tests.helpers import DOCUMENTED_USER, SIVI_MOCK, CheckedClient, RunningMock, free_port, wait_for


@pytest.fixture
def running() -> Iterator[list[RunningMock]]:
    started: list[RunningMock] = []
    yield started
    for mock in started:
        if mock.process.poll() is None:
            mock.process.kill()
            mock.process.wait()


def test_cli_serves_bundled(running):
    """The CLI serves the bundled fixtures and says how to call it."""
    mock = RunningMock()
    running.append(mock)
    with CheckedClient(mock.url) as client:
        assert client.analyze({"abstractUserId": DOCUMENTED_USER}).status_code == 200
    output = mock.stop()
    assert mock.process.returncode == 0
    assert f"on {mock.url}" in output
    assert "sivi-api-key: mock-admin-key" in output
    assert DOCUMENTED_USER in output and "workspace-acme-design" in output
    assert "Traceback" not in output


def copied_fixtures(tmp_path: Path) -> Path:
    """A copy of the bundled fixtures, to change."""
    fixtures = tmp_path / "fixtures"
    shutil.copytree(BUNDLED_FIXTURES, fixtures)
    return fixtures


def mock_on_a_copy(tmp_path: Path, running: list[RunningMock], *flags: str) -> tuple[Path, RunningMock, CheckedClient]:
    """`sivi-mock` serving a copy of the bundled fixtures (stopped after the test), and a client for it."""
    fixtures = copied_fixtures(tmp_path)
    mock = RunningMock("--fixtures", str(fixtures), *flags)
    running.append(mock)
    return fixtures, mock, CheckedClient(mock.url)


def test_broken_fixture_stops_start(tmp_path):
    """A broken fixture stops start-up with file path and reason."""
    fixtures = copied_fixtures(tmp_path)
    users = fixtures / "users.yaml"
    users.write_text(users.read_text().replace("lastAccessed: 1325312222", "lastAccessed: yesterday", 1))
    result = subprocess.run(
        [str(SIVI_MOCK), "--port", str(free_port()), "--fixtures", str(fixtures)],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode != 0
    assert f"{users}: users.{DOCUMENTED_USER}.analysis.lastAccessed:" in result.stderr
    assert "is not of type" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def billion_laughs() -> str:
    """A user whose analysis carries nine anchors of nine aliases each: 800 bytes that write out to 43 million."""
    anchors = ["        l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    anchors += [f"        l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 8)]
    return "\n".join(
        [
            "users:",
            "  laughing-user:",
            "    analysis:",
            "      yearlyAnalysis: {numberOfGeneratedDesignVariations: 0, numberOfEditedDesigns: 0,"
            " numberOfDownloadedDesigns: 0, numberOfMedia: 0, mediaSize: 0Mb}",
            "      monthlyAnalysis: []",
            "      creditBalance: {availableCredits: 1, usedCredits: 0}",
            "      lastAccessed: 1700000000",
            "      laughs:",
            *anchors,
            "",
        ]
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (billion_laughs(), "its aliases (`*name`) write it out to more than 1,000,000 characters"),
        ("users: &loop {again: *loop}\n", "an anchor contains an alias of itself"),
    ],
    ids=["billion-laughs", "an-anchor-inside-itself"],
)
def test_alias_bomb_stops_start(tmp_path, text, reason):
    """A fixture whose aliases never end stops start-up naming the file."""
    fixtures = copied_fixtures(tmp_path)
    laughs = fixtures / "laughs.yaml"
    laughs.write_text(text)
    assert len(text.encode()) < 1000
    result = subprocess.run(
        [str(SIVI_MOCK), "--port", str(free_port()), "--fixtures", str(fixtures)],
        capture_output=True,
        text=True,
        timeout=20,  # the old loader took a minute and gigabytes here: a timeout is that failure
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{laughs}: {reason}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_broken_spec_stops_start(tmp_path):
    spec = tmp_path / "openapi.yaml"
    spec.write_text("openapi: 3.0.3\n")
    result = subprocess.run(
        [str(SIVI_MOCK), "--spec", str(spec), "--port", "0"], capture_output=True, text=True, timeout=20
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"sivi-mock: the spec is invalid: {spec}: openapi: expected an OpenAPI 3.1 document, found '3.0.3'"
    )


def test_port_in_use_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([str(SIVI_MOCK), "--port", str(port)], capture_output=True, text=True, timeout=20)
    assert result.returncode == 2
    assert result.stderr.startswith(f"sivi-mock: cannot listen on 127.0.0.1:{port}")
    assert len(result.stderr.strip().splitlines()) == 1


def test_reload_keeps_last_good_fixtures(tmp_path, running):
    """Reload swaps in good fixtures, keeps the last good ones and keeps run-time users."""
    fixtures, mock, client = mock_on_a_copy(tmp_path, running, "--reload")
    client.put("/__mock/users/added-at-run-time", json={"status": 500})

    workspaces = fixtures / "workspaces.yaml"
    workspaces.write_text(workspaces.read_text().replace("workspace-acme-design:", "workspace-renamed:"))
    wait_for(lambda: client.analyze({"workspaceId": "workspace-renamed"}).status_code == 200, "the new workspace")
    assert client.analyze({"abstractUserId": "added-at-run-time"}).status_code == 500

    workspaces.write_text(workspaces.read_text().replace("mediaSize: 1.5Gb", "mediaSize: lots"))
    time.sleep(1.5)  # three polls: long enough for the mock to have seen (and refused) the broken file
    assert client.analyze({"workspaceId": "workspace-renamed"}).json()["body"]["yearlyAnalysis"]["mediaSize"] == "1.5Gb"

    output = mock.stop()
    assert f"{workspaces}: workspaces.workspace-renamed.analysis.yearlyAnalysis.mediaSize:" in output
    assert "kept the previous spec and fixtures" in output


PIPED_USER = "user-read-from-a-pipe"  # in no bundled file
SLOW_USER = """users:
  user-read-from-a-pipe:
    analysis:
      yearlyAnalysis: {numberOfGeneratedDesignVariations: 0, numberOfEditedDesigns: 0, numberOfDownloadedDesigns: 0,
        numberOfMedia: 0, mediaSize: 0Mb}
      monthlyAnalysis: []
      creditBalance: {availableCredits: 7, usedCredits: 0}
      lastAccessed: 1700000000
"""


def write_end_once_read(fifo: os.PathLike[str]) -> int:
    """The write end of `fifo`, opened once someone opens it to read (ENXIO until then)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            assert error.errno == errno.ENXIO, error
            assert time.monotonic() < deadline, "--reload never read the new fixture file"
            time.sleep(0.05)


def answers_while_reading(client: CheckedClient, reader: str) -> None:
    """The mock answers its health check while `reader` waits on a fixture file."""
    try:
        health = client.get("/__mock/health", timeout=5)
    except httpx.TimeoutException:
        pytest.fail(f"the mock answered nothing while {reader} was reading a fixture file")
    assert health.status_code == 200


def test_slow_reload_blocks_nothing(tmp_path, running):
    """A fixture file on a slow disk, played by a named pipe: reading it lasts until the test writes it."""
    fixtures, _, client = mock_on_a_copy(tmp_path, running, "--reload")
    slow = fixtures / "slow.yaml"
    os.mkfifo(slow)
    writer = write_end_once_read(slow)  # the mock is reading the file now, and waits for its bytes
    try:
        answers_while_reading(client, "--reload")
        assert client.analyze({"abstractUserId": DOCUMENTED_USER}).status_code == 200
        written = tmp_path / "slow.yaml"
        written.write_text(SLOW_USER)
        os.replace(written, slow)  # the next polls read a plain file: the pipe is read this once
        os.write(writer, SLOW_USER.encode())
    finally:
        os.close(writer)
    wait_for(lambda: client.analyze({"abstractUserId": PIPED_USER}).status_code == 200, "the file read in")
    assert client.analyze({"abstractUserId": PIPED_USER}).json()["body"]["creditBalance"]["availableCredits"] == 7


def test_slow_reset_blocks_nothing(tmp_path, running):
    """While a reset reads a slow fixture file every request is answered."""
    fixtures, _, client = mock_on_a_copy(tmp_path, running)
    slow = fixtures / "slow.yaml"
    os.mkfifo(slow)
    with ThreadPoolExecutor(1) as resetting:
        reset = resetting.submit(client.post, "/__mock/reset")
        writer = write_end_once_read(slow)  # the reset is reading the file now, and waits for its bytes
        try:
            answers_while_reading(client, "POST /__mock/reset")
            os.write(writer, SLOW_USER.encode())
        finally:
            os.close(writer)
        assert reset.result().status_code == 200
    assert client.analyze({"abstractUserId": PIPED_USER}).json()["body"]["creditBalance"]["availableCredits"] == 7


def test_python_m_same_cli():
    result = subprocess.run([sys.executable, "-m", "mock_server", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "--cors-origin" in result.stdout and "--reload" in result.stdout
