"""A short burst of mixed traffic from many connections (`make soak` runs the long version)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from mock_server.app import create_app
from mock_server.serving.background import BackgroundServer
from mock_server.settings import Settings
from tests.helpers import ADMIN, DOCUMENTED_USER

MIX = [
    (ADMIN, {"abstractUserId": DOCUMENTED_USER}, 200),
    (ADMIN, {"abstractUserId": "nobody"}, 400),
    ({}, {"abstractUserId": DOCUMENTED_USER}, 401),
    (ADMIN, {"abstractUserId": ""}, 422),
    ({**ADMIN, "prefer": "code=500"}, {"abstractUserId": DOCUMENTED_USER}, 500),
    (ADMIN, {"abstractUserId": "server-error-user"}, 500),
    ({**ADMIN, "prefer": "dynamic=true"}, {"workspaceId": "workspace-acme-design"}, 200),
]


def test_mixed_traffic_statuses():
    """Mixed traffic on 20 connections gets exactly the expected statuses."""
    app = create_app(Settings(journal_size=200))
    with BackgroundServer(app) as server:

        def worker(n: int) -> list[tuple[int, int]]:
            with httpx.Client(base_url=server.url) as client:
                results = []
                for i in range(60):
                    headers, body, expected = MIX[(n + i) % len(MIX)]
                    response = client.post("/enterprise/account-analysis", headers=headers, json=body)
                    results.append((response.status_code, expected))
                return results

        with ThreadPoolExecutor(max_workers=20) as pool:
            results = [pair for batch in pool.map(worker, range(20)) for pair in batch]

    wrong = [(got, expected) for got, expected in results if got != expected]
    assert len(results) == 1200 and not wrong, f"{len(wrong)} unexpected statuses, e.g. {wrong[:5]}"
    assert len(app.state.mock.journal) == 200, "the journal must stay at its bound"
