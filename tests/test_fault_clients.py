"""Each fault, as the two HTTP clients most Python services use meet it over real HTTP: the exception their users
catch (checked against what each library really raises), or the gateway's page where there is an answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import requests

from mock_server.app import create_app
from mock_server.serving.background import BackgroundServer
from mock_server.settings import Settings
from tests.helpers import ADMIN, DOCUMENTED_USER, PATH

TIMEOUT = 0.15  # the clients' own read timeout, for `hang`
USER = {"abstractUserId": DOCUMENTED_USER}


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with BackgroundServer(create_app(Settings(hang_limit=5))) as server:
        yield server.url + PATH


def with_httpx(url: str, prefer: str) -> httpx.Response:
    with httpx.Client(timeout=TIMEOUT) as client:  # a fresh connection: nothing pooled from another test
        response = client.post(url, headers={**ADMIN, "prefer": prefer}, json=USER)
        response.raise_for_status()
        return response


def with_requests(url: str, prefer: str) -> requests.Response:
    with requests.Session() as session:
        response = session.post(url, headers={**ADMIN, "prefer": prefer}, json=USER, timeout=(2, TIMEOUT))
        response.raise_for_status()
        return response


# fault -> (what an httpx user catches, what a requests user catches, a word of the message that says which)
EXPECTED: dict[str, dict[str, tuple[type[Exception], str]]] = {
    "reset": {
        "httpx": (httpx.ReadError, "Connection reset by peer"),
        "requests": (requests.ConnectionError, "Connection reset by peer"),
    },
    "close": {
        "httpx": (httpx.RemoteProtocolError, "Server disconnected without sending a response"),
        "requests": (requests.ConnectionError, "RemoteDisconnected"),
    },
    "truncated": {
        "httpx": (httpx.RemoteProtocolError, "peer closed connection without sending complete message body"),
        "requests": (requests.exceptions.ChunkedEncodingError, "IncompleteRead"),
    },
    "garbage": {
        "httpx": (httpx.RemoteProtocolError, "illegal status line"),
        "requests": (requests.ConnectionError, "BadStatusLine"),
    },
    "hang": {
        "httpx": (httpx.ReadTimeout, "timed out"),
        "requests": (requests.exceptions.ReadTimeout, "Read timed out"),
    },
}
CLIENTS: dict[str, Callable[[str, str], Any]] = {"httpx": with_httpx, "requests": with_requests}


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("fault", EXPECTED)
def test_faults_raise_what_users_catch(endpoint, fault, client):
    error, words = EXPECTED[fault][client]
    with pytest.raises(error) as raised:
        CLIENTS[client](endpoint, f"fault={fault}")
    assert words in repr(raised.value), f"{client} raised {raised.value!r} for fault={fault}"


def test_broken_connection_exceptions():
    """What the table above asserts, said as a user's `except` clause would: httpx's all are `TransportError`
    (`hang`'s a `TimeoutException`); requests' all are `RequestException`, the timeout a `Timeout`."""
    assert all(issubclass(EXPECTED[fault]["httpx"][0], httpx.TransportError) for fault in EXPECTED)
    assert issubclass(EXPECTED["hang"]["httpx"][0], httpx.TimeoutException)
    assert all(issubclass(EXPECTED[fault]["requests"][0], requests.RequestException) for fault in EXPECTED)
    assert issubclass(EXPECTED["hang"]["requests"][0], requests.Timeout)


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_fault_is_html_page(endpoint, status, client):
    """A gateway fault is that status with an HTML page, not the API's envelope."""
    error = httpx.HTTPStatusError if client == "httpx" else requests.HTTPError
    with pytest.raises(error) as raised:
        CLIENTS[client](endpoint, f"fault=gateway-{status}")
    assert isinstance(raised.value, httpx.HTTPStatusError | requests.HTTPError)
    response = raised.value.response
    assert response is not None and response.status_code == status
    assert response.headers["content-type"] == "text/html"
    assert response.text.startswith("<html>") and f"<h1>{status} " in response.text
    assert '"status"' not in response.text, "a gateway's page is not the API's envelope"
    assert response.headers.get("retry-after") == ("1" if status == 503 else None)
