"""What the kit's own tests share: a client that checks every answer against the spec, free ports,
`sivi-mock` run as a real process, and a headless Chromium."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.spec.contract import Contract, load_contract

PATH = "/enterprise/account-analysis"
ADMIN = {"sivi-api-key": "mock-admin-key"}
DOCUMENTED_USER = "281743-2322-34i44sd3-dkfjgdkjf292"
SIVI_MOCK = Path(sys.executable).parent / "sivi-mock"
# Headless Chromium as root in a container (no sandbox, no GPU) that reaches nothing but the pages given; the docs'
# screenshots start it the same way.
HEADLESS_CHROMIUM = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The tests read the page's DOM once its scripts have run (virtual time).
CHROMIUM_FLAGS = [*HEADLESS_CHROMIUM, "--virtual-time-budget=10000", "--dump-dom"]


def sivi_mock_at_start(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`sivi-mock --port 0 ARGS` run to its end: for settings it must refuse at start (it would serve otherwise, until
    the timeout fails the test)."""
    return subprocess.run(
        [str(SIVI_MOCK), "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=20,
        env={**os.environ, **(env or {})},
    )


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("SIVI_SKIP_BROWSER") == "1":
        pytest.skip("SIVI_SKIP_BROWSER=1: the browser test was asked not to run")
    pytest.fail(
        "chromium is not installed: `make test` installs Debian's chromium (as root), or set SIVI_SKIP_BROWSER=1"
    )


def free_port() -> int:
    """A loopback port nothing listens on (at the time of asking)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(predicate: Callable[[], bool], what: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


class CheckedClient(httpx.Client):
    """`httpx.Client` that fails the test when an API answer breaks the contract or the envelope."""

    def __init__(self, base_url: str, contract: Contract | None = None, **options: Any) -> None:
        super().__init__(base_url=base_url, timeout=10, **options)
        self.contract = contract or load_contract()

    def analyze(self, body: Any = None, *, key: str | None = "mock-admin-key", **options: Any) -> httpx.Response:
        headers = {"sivi-api-key": key} if key is not None else {}
        headers.update(options.pop("headers", {}))
        if body is not None and "content" not in options:
            options["json"] = body
        return self.post(PATH, headers=headers, **options)

    def request(self, *args: Any, **kwargs: Any) -> httpx.Response:
        response = super().request(*args, **kwargs)
        preflight = response.request.method == "OPTIONS" and "access-control-allow-origin" in response.headers
        docs = response.request.method == "GET" and response.is_success and response.url.path != PATH
        if preflight or docs:
            return response  # CORS preflights, the docs and the spec are not API answers
        body = response.json()  # every answer of the mock is JSON, even outside the spec
        assert body["status"] == response.status_code, f"envelope says {body['status']}, HTTP {response.status_code}"
        assert response.headers["content-type"].startswith("application/json")
        if response.url.path == PATH and response.status_code in self.contract.responses:
            errors = self.contract.responses[response.status_code].errors(body)
            assert not errors, f"the mock's {response.status_code} answer breaks the spec: {errors}"
        return response


class RunningMock:
    """`sivi-mock` as a user starts it, on a free port, once it answers; `stop()` is Ctrl-C and returns its output."""

    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(SIVI_MOCK), "--port", str(self.port), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/__mock/health", timeout=0.5)  # any answer will do, even 401 off loopback
                return
            except httpx.TransportError:
                assert self.process.poll() is None, f"sivi-mock exited early:\n{self.read_output()}"
                time.sleep(0.05)
        self.process.kill()
        self.process.wait()
        raise AssertionError("sivi-mock did not answer within 10 s")

    def read_output(self) -> str:
        return self.process.stdout.read() if self.process.stdout else ""

    def stop(self) -> str:
        self.process.send_signal(signal.SIGINT)
        output, _ = self.process.communicate(timeout=10)
        return output
