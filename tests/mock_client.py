"""A client for the kit's own tests: every answer the mock gives is checked against the spec on arrival."""

from __future__ import annotations

from typing import Any

import httpx

from mock_server.contract import Contract, load_contract

PATH = "/enterprise/account-analysis"
ADMIN = {"sivi-api-key": "mock-admin-key"}
DOCUMENTED_USER = "281743-2322-34i44sd3-dkfjgdkjf292"


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
