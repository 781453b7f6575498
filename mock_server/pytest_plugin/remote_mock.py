"""`RemoteSiviMock`: a mock running elsewhere (`SIVI_MOCK_URL`, on this machine), steered through its admin API."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from mock_server.admin_client import MOCK_URL_VARIABLE, AdminClient, bundled_keys
from mock_server.pytest_plugin.sivi_mock import SiviMock

if TYPE_CHECKING:
    from mock_server.spec.fixtures import AccountKind


class RemoteSiviMock(SiviMock):
    """A mock running elsewhere (`SIVI_MOCK_URL`), steered through its admin API."""

    def __init__(self, url: str) -> None:
        from mock_server.errors import RemoteMockError
        from mock_server.loopback import is_loopback_url

        # Tests send `admin_key` (`SIVI_API_KEY`, maybe a real key in CI) to this mock: it must be on this machine.
        if not is_loopback_url(url):
            raise RemoteMockError(
                f"{MOCK_URL_VARIABLE}={url} is not on this machine: tests send SIVI_API_KEY to the mock it names, so "
                "the sivi_mock fixture takes only a mock on loopback (127.0.0.1, localhost)"
            )
        self._url = url.rstrip("/")
        self._call = AdminClient(self._url, MOCK_URL_VARIABLE).call
        health = self._call("GET", "/health")
        self._path: str = health.get("path", "/enterprise/account-analysis")

    @property
    def url(self) -> str:
        return self._url

    @property
    def endpoint(self) -> str:
        return self._url + self._path

    @property
    def admin_key(self) -> str:
        return os.environ.get("SIVI_API_KEY") or bundled_keys()[0]

    @property
    def regular_key(self) -> str | None:
        return os.environ.get("SIVI_REGULAR_API_KEY") or bundled_keys()[1]

    def journal(self) -> list[dict[str, Any]]:
        requests: list[dict[str, Any]] = self._call("GET", "/journal")["requests"]
        return requests

    def clear_journal(self) -> None:
        self._call("DELETE", "/journal")

    def reset(self) -> None:
        self._call("POST", "/reset")

    def _put(self, kind: AccountKind, account_id: str, data: dict[str, Any]) -> None:
        section = "users" if kind == "user" else "workspaces"
        self._call("PUT", f"/{section}/{quote(account_id, safe='')}", data)

    def name_test(self, test_id: str) -> None:
        self._call("PUT", "/test", {"id": test_id})

    def coverage(self) -> dict[str, Any]:
        return self._call("GET", "/coverage")
