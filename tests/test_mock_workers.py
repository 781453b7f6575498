"""`sivi-mock --workers N`: N processes answer on one port, each serving the files' accounts; the admin API refuses
the changes it could only make in one of them, and saying so is the answer."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from mock_server.app import create_app
from mock_server.settings import Settings
from tests.helpers import ADMIN, DOCUMENTED_USER, PATH, RunningMock
from tests.in_process import checked_client


def worker_pid(url: str) -> int:
    with httpx.Client() as fresh:  # a new connection: the kernel picks a worker per connection
        pid: int = fresh.get(f"{url}/__mock/health").json()["body"]["workers"]["pid"]
        return pid


def test_two_workers_one_port():
    """Two workers answer on one port, and the admin API refuses changes it cannot make in both."""
    mock = RunningMock("--workers", "2")
    try:
        pids: set[int] = set()
        deadline = time.monotonic() + 10
        while len(pids) < 2 and time.monotonic() < deadline:
            pids.add(worker_pid(mock.url))
        assert len(pids) == 2, f"only worker {pids} answered in 10 s of new connections"
        for _ in range(10):
            with httpx.Client() as fresh:
                answer = fresh.post(mock.url + PATH, json={"abstractUserId": DOCUMENTED_USER}, headers=ADMIN)
                assert answer.status_code == 200, "every worker serves the files' accounts"
        put = httpx.put(f"{mock.url}/__mock/users/new-user", json={})
        reset = httpx.post(f"{mock.url}/__mock/reset")
        assert (put.status_code, reset.status_code) == (409, 409)
        assert put.json()["body"]["mockError"] == "workers"
        assert "would reach only the one that answered it" in put.json()["body"]["message"]
        with httpx.Client() as fresh:
            unknown = fresh.post(mock.url + PATH, json={"abstractUserId": "new-user"}, headers=ADMIN)
            assert unknown.status_code == 400, "a refused account was added nowhere"
    finally:
        output = mock.stop()
    assert "workers:     2 processes on this port" in output
    assert not [pid for pid in pids if Path(f"/proc/{pid}").exists()], "Ctrl-C must stop every worker"


def test_workers_refusal_is_a_mock_error():
    with checked_client(create_app(Settings(workers=2))) as mock:
        refused = mock.put("/__mock/users/new-user", json={})
    assert refused.status_code == 409
    assert refused.headers.get("sivi-mock-error") == "workers", "the refusal is not marked as the mock's own error"
    assert refused.json()["body"]["mockError"] == "workers"
