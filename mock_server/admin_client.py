"""The admin API (`/__mock/`) of a mock running elsewhere, over HTTP: for the `sivi_mock` fixture when
`SIVI_MOCK_URL` names one. Only the standard library: the fixture loads with every pytest run of a project."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

from mock_server.errors import FixtureError, RemoteMockError

# A mock already running (`sivi-mutate` starts one; any other mock works too): the `sivi_mock` fixture uses it,
# through its admin API, instead of starting its own. `SIVI_API_KEY` is then the admin key to call it with.
MOCK_URL_VARIABLE = "SIVI_MOCK_URL"
# Set by `sivi-mutate`: the file where the fixture's plugin tells, a JSON line each, when a test starts, fails (its own
# assertion, or an error of the code it calls: only pytest knows which) and ends. Here, not in the plugin, so that
# `sivi-mutate` reads both names without importing pytest.
OUTCOMES_VARIABLE = "SIVI_MUTATE_OUTCOMES"


class AdminClient:
    def __init__(self, url: str, named_by: str) -> None:
        self.url = url.rstrip("/")
        self.named_by = named_by  # where the URL came from, for the error messages

    def call(self, method: str, path: str, data: Any = None) -> dict[str, Any]:
        """The body of the admin API's answer; a refused account raises `FixtureError` with the mock's reasons."""
        request = urllib.request.Request(
            f"{self.url}/__mock{path}",
            data=None if data is None else json.dumps(data).encode(),
            method=method,
            headers={"content-type": "application/json"},
        )
        token = os.environ.get("SIVI_MOCK_ADMIN_TOKEN")  # a mock listening beyond loopback asks for its token
        if token:
            request.add_header("authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                body: dict[str, Any] = json.loads(response.read())["body"]
                return body
        except urllib.error.HTTPError as error:
            refused = json.loads(error.read() or b"{}").get("body", {})
            if error.code == 422 and "problems" in refused:
                raise FixtureError(refused["problems"]) from None
            raise RemoteMockError(
                f"the mock at {self.url} ({self.named_by}) refused {method} {path}: {refused}"
            ) from None
        except OSError as error:
            raise RemoteMockError(f"no mock answers at {self.named_by}={self.url}: {error}") from None


def bundled_keys() -> tuple[str, str | None]:
    """The bundled fixtures' admin key and regular key: what a mock on the bundled fixtures takes."""
    from mock_server.spec import load_contract, load_fixtures

    fixtures = load_fixtures(None, load_contract())
    return fixtures.admin_keys[0], fixtures.regular_key
