"""Faults on purpose: what goes on the wire for each, where they come in the API's order of checks, how the journal
and `/__mock/health` name them, and that no fault harms the mock (it keeps serving others, logs nothing, leaks no
connection, stops at once). The clients' view of each fault: `tests/test_fault_clients.py`."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mock_server.app import create_app
from mock_server.errors import FixtureError
from mock_server.faults import FAULTS, SILENT_FAULTS, TRANSPORT_FAULTS
from mock_server.mock.transport_faults import GARBAGE
from mock_server.serving.background import BackgroundServer
from mock_server.settings import Settings
from mock_server.spec.contract import load_contract
from mock_server.spec.fixtures import load_fixtures
from tests.helpers import ADMIN, DOCUMENTED_USER, PATH, wait_for

CONTRACT = load_contract()
USER = {"abstractUserId": DOCUMENTED_USER}
HANG_LIMIT = 3  # the module's mock: longer than any client here waits, so that a client leaving is what ends a hang
# One client for the module's plain requests: making one per request (an SSL context each) costs more than the test.
HTTP = httpx.Client(timeout=10)


@pytest.fixture(scope="module")
def served() -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app(Settings(hang_limit=HANG_LIMIT))) as server:
        yield server


@pytest.fixture
def mock(served: BackgroundServer) -> BackgroundServer:
    """The module's mock, its journal cleared (the fault counts go on: tests compare them before and after)."""
    HTTP.delete(served.url + "/__mock/journal").raise_for_status()
    return served


def raw_exchange(server: BackgroundServer, prefer: str, body: dict | None = None, wait: float = 5) -> bytes:
    """What the mock sends back on one connection, until it closes it (a reset raises ConnectionResetError)."""
    payload = json.dumps(body or USER).encode()
    head = (
        f"POST {PATH} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\nsivi-api-key: mock-admin-key\r\n"
        f"prefer: {prefer}\r\n"
        f"content-type: application/json\r\ncontent-length: {len(payload)}\r\n\r\n"
    )
    with socket.create_connection((server.host, server.port)) as connection:
        connection.settimeout(wait)
        connection.sendall(head.encode() + payload)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
        return received


def journal(server: BackgroundServer) -> list[dict]:
    return HTTP.get(server.url + "/__mock/journal").json()["body"]["requests"]


def health(server: BackgroundServer) -> dict:
    return HTTP.get(server.url + "/__mock/health").json()["body"]


def test_reset_and_close_faults(mock):
    """`reset` sends a reset and `close` a clean close, with no answer."""
    with pytest.raises(ConnectionResetError):
        raw_exchange(mock, "fault=reset")
    assert raw_exchange(mock, "fault=close") == b""


def test_truncated_halves_body(mock):
    """`truncated` sends the whole head and half the body."""
    received = raw_exchange(mock, "fault=truncated")
    head, _, body = received.partition(b"\r\n\r\n")
    whole = HTTP.post(mock.url + PATH, headers=ADMIN, json=USER).content
    assert head.startswith(b"HTTP/1.1 200 OK") and f"content-length: {len(whole)}".encode() in head.lower()
    assert body == whole[: len(whole) // 2]


def test_truncated_cuts_shaped_answer(mock):
    head, _, body = raw_exchange(mock, "fault=truncated, code=500").partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 500 ") and body.startswith(b'{"status":500,')


def test_garbage_is_not_http(mock):
    """`garbage` is bytes that are not HTTP, then the close."""
    assert raw_exchange(mock, "fault=garbage") == GARBAGE


def test_hang_closes_at_bound():
    """`hang` answers nothing, and the mock closes it at its bound."""
    bound = 0.2
    with BackgroundServer(create_app(Settings(hang_limit=bound))) as server:
        began = time.monotonic()
        assert raw_exchange(server, "fault=hang") == b""
        held = time.monotonic() - began
    assert bound - 0.05 < held < bound + 3, f"held {held:.2f} s; the bound is {bound} s"


def test_abandoned_hang_is_freed(mock):
    with pytest.raises(httpx.ReadTimeout):
        HTTP.post(mock.url + PATH, headers={**ADMIN, "prefer": "fault=hang"}, json=USER, timeout=0.1)
    wait_for(lambda: not mock.running_requests, "the hung request to end", seconds=HANG_LIMIT - 1)


def test_stop_ends_hang():
    server = BackgroundServer(create_app(Settings(hang_limit=60))).start()
    holder = threading.Thread(target=raw_exchange, args=(server, "fault=hang"), kwargs={"wait": 10})
    holder.start()
    wait_for(lambda: len(journal(server)) == 1, "the hang to begin")
    began = time.monotonic()
    server.stop()
    holder.join(5)
    assert not holder.is_alive() and time.monotonic() - began < 5, "a held connection kept the mock from stopping"


@pytest.mark.parametrize("fault", FAULTS)
def test_faults_journaled_and_counted(mock, fault):
    """Each fault is named in the journal and counted in health."""
    before = health(mock)["faults"]
    with contextlib.suppress(ConnectionResetError, TimeoutError):  # a hang: this client gives up
        raw_exchange(mock, f"fault={fault}", wait=0.2)
    entry = journal(mock)[-1]
    status = None if fault in SILENT_FAULTS else 200 if fault == "truncated" else int(fault.rsplit("-", 1)[1])
    assert (entry["fault"], entry["status"]) == (fault, status)
    assert "chaos" not in entry, "only what --chaos chose is marked chaos"
    assert health(mock)["faults"] == {**before, fault: before.get(fault, 0) + 1}


def test_journal_says_no_fault(mock):
    before = health(mock)["faults"]
    HTTP.post(mock.url + PATH, headers=ADMIN, json=USER)
    assert journal(mock)[-1]["fault"] is None and health(mock)["faults"] == before


def test_reset_clears_fault_counts(mock):
    raw_exchange(mock, "fault=close")
    assert health(mock)["faults"]["close"] >= 1
    HTTP.post(mock.url + "/__mock/reset").raise_for_status()
    assert health(mock)["faults"] == {}


def test_fault_after_validation(mock):
    """A fault comes after authentication and input validation, like every directive."""
    no_key = HTTP.post(mock.url + PATH, headers={"prefer": "fault=reset"}, json=USER)
    invalid = HTTP.post(mock.url + PATH, headers={**ADMIN, "prefer": "fault=reset"}, json={"abstractUserId": ""})
    assert (no_key.status_code, invalid.status_code) == (401, 422)
    assert raw_exchange(mock, "fault=close", {"abstractUserId": "nobody"}) == b"", "the lookup does not matter"


@pytest.mark.parametrize(
    ("prefer", "reason"),
    [
        ("fault=explode", "no such fault (the mock gives reset, close, truncated, garbage, hang, gateway-502"),
        ("fault=reset, code=500", "fault=reset: it sends no answer, so code=500 cannot shape it"),
        ("fault=gateway-503, example=zeroUsage", "answers the gateway's own page, so example=zeroUsage cannot"),
        ("fault=close, fault=reset", "fault is given twice"),
    ],
)
def test_impossible_fault_is_mock_error(mock, prefer, reason):
    """A fault the mock cannot give as asked is the mock's own error naming it."""
    response = HTTP.post(mock.url + PATH, headers={**ADMIN, "prefer": prefer}, json=USER)
    assert response.status_code == 412 and response.headers["sivi-mock-error"] == "prefer"
    assert reason in response.json()["body"]["message"]


def test_delay_before_fault(mock):
    # Within the delay the connection stays open and silent (a fault given first would close it at once) ...
    with pytest.raises(TimeoutError):
        raw_exchange(mock, "fault=close, delay=2000", wait=0.3)
    # ... and after it comes the fault: closed, no answer.
    assert raw_exchange(mock, "fault=close, delay=100") == b""


class Kept(logging.Handler):
    """Keeps the records it is given."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_faults_harm_nobody_else(mock):
    """Faults never harm the mock: it keeps serving everyone else."""
    handler = Kept(logging.WARNING)
    errors = handler.records
    watched = [logging.getLogger(name) for name in ("uvicorn.error", "sivi_mock")]
    for logger in watched:
        logger.addHandler(handler)
    answered: list[int] = []
    before = health(mock)["faults"]

    def faulty(fault: str, times: int = 8) -> None:
        for _ in range(times):
            with contextlib.suppress(ConnectionResetError, TimeoutError):  # a hang: this client gives up
                raw_exchange(mock, f"fault={fault}", wait=0.2)

    def normal() -> None:
        with httpx.Client(base_url=mock.url) as client:
            answered.extend(client.post(PATH, headers=ADMIN, json=USER).status_code for _ in range(40))

    try:
        threads = [threading.Thread(target=faulty, args=(fault,)) for fault in FAULTS if fault != "hang"]
        threads += [threading.Thread(target=faulty, args=("hang", 3)) for _ in range(3)]
        threads += [threading.Thread(target=normal) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        for logger in watched:
            logger.removeHandler(handler)
    assert answered == [200] * 80, "a fault given to one client cost another its answer"
    assert not errors, f"the server logged: {[record.getMessage() for record in errors]}"
    # Nothing running, and no connection open but HTTP's one kept alive.
    gone = lambda: not mock.running_requests and mock.open_connections <= 1  # noqa: E731
    wait_for(gone, "every faulted connection to be gone")
    given = {fault: count - before.get(fault, 0) for fault, count in health(mock)["faults"].items()}
    assert given == {**{fault: 8 for fault in FAULTS}, "hang": 9}


def test_plain_uvicorn_fault_error():
    """Plain uvicorn (no `sivi.connection` extension): a fault it cannot give is said, never faked."""
    with BackgroundServer(create_app(), http="httptools") as plain, httpx.Client(base_url=plain.url) as client:
        for fault in TRANSPORT_FAULTS:
            response = client.post(PATH, headers={**ADMIN, "prefer": f"fault={fault}"}, json=USER)
            assert response.status_code == 412 and response.headers["sivi-mock-error"] == "fault", fault
            body = response.json()["body"]
            assert body["fault"] == fault and "does not offer the connection" in body["message"]
        gateway = client.post(PATH, headers={**ADMIN, "prefer": "fault=gateway-503"}, json=USER)
        assert gateway.status_code == 503 and gateway.headers["content-type"] == "text/html"


def test_gateway_page_not_checked():
    """Checking answers against the spec leaves a gateway's page alone."""
    with BackgroundServer(create_app(Settings(validate_responses=True))) as server:
        response = HTTP.post(server.url + PATH, headers={**ADMIN, "prefer": "fault=gateway-502"}, json=USER)
    assert response.status_code == 502 and response.text.startswith("<html>")


def fixtures_with(tmp_path: Path, users: str) -> Path:
    (tmp_path / "keys.yaml").write_text("keys:\n  mock-admin-key: {role: admin}\n")
    (tmp_path / "users.yaml").write_text(users)
    return tmp_path


def test_fixture_account_faults(tmp_path):
    """An account of the fixture files can always give a fault."""
    users = "users:\n  gone: {fault: reset}\n  cut: {fault: truncated, status: 500}\n  busy: {fault: gateway-503}\n"
    settings = Settings(fixtures_dir=fixtures_with(tmp_path, users))
    with BackgroundServer(create_app(settings)) as server:
        with pytest.raises(ConnectionResetError):
            raw_exchange(server, "", {"abstractUserId": "gone"})
        assert raw_exchange(server, "", {"abstractUserId": "cut"}).startswith(b"HTTP/1.1 500 ")
        busy = HTTP.post(server.url + PATH, headers=ADMIN, json={"abstractUserId": "busy"})
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
        listed = HTTP.get(server.url + "/__mock/users").json()["body"]["users"]
        assert {(user["id"], user.get("fault")) for user in listed} == {
            ("gone", "reset"),
            ("cut", "truncated"),
            ("busy", "gateway-503"),
        }


@pytest.mark.parametrize(
    ("account", "problem"),
    [
        ("{fault: reset, status: 500}", "users.u1: fault reset sends no answer, so status cannot be given with it"),
        ("{fault: gateway-502, analysis: {}}", "users.u1: fault gateway-502 answers the gateway's own page, so"),
        ("{fault: explode}", 'users.u1.fault: "explode" is not one of'),
    ],
)
def test_impossible_fixture_fault_named(tmp_path, account, problem):
    with pytest.raises(FixtureError) as raised:
        load_fixtures(fixtures_with(tmp_path, f"users:\n  u1: {account}\n"), CONTRACT)
    assert any(problem in line for line in raised.value.problems), raised.value.problems
