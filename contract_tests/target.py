"""The implementation under test: a base URL given by the user, or the bundled mock started in-process."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from contract_tests.client import Client
from contract_tests.settings import SuiteSettings
from mock_server.errors import FixtureError, TargetError
from mock_server.judgement import RequestShape, TargetFacts
from mock_server.serving.background import BackgroundServer
from mock_server.spec import Contract, Fixtures, load_fixtures
from mock_server.spec.fixtures import Account


@dataclass(frozen=True)
class Target:
    base_url: str
    api_key: str
    user_id: str
    workspace_id: str | None
    regular_api_key: str | None
    label: str

    @property
    def facts(self) -> TargetFacts:
        """What the judgement knows of this target: its keys, and the ids it has."""
        return TargetFacts.of(self.api_key, [self.regular_api_key], [self.user_id, self.workspace_id])


@contextmanager
def open_target(settings: SuiteSettings, contract: Contract) -> Iterator[Target]:
    """The target of `settings`; without `--base-url`, the bundled mock serves from a thread until the end."""
    if settings.base_url is not None:
        yield Target(
            base_url=settings.base_url,
            api_key=str(settings.api_key),
            user_id=str(settings.user_id),
            workspace_id=settings.workspace_id,
            regular_api_key=settings.regular_api_key,
            label=settings.base_url,
        )
        return
    try:
        from mock_server import create_app  # imported late: `--base-url` runs do not need the mock
    except ImportError as error:
        raise TargetError(f"the bundled mock is not available ({error}); give --base-url") from None
    shape = RequestShape.from_contract(contract)
    try:
        fixtures = load_fixtures(None, contract)
        app = create_app(contract=contract)
        server = BackgroundServer(app).start()
    except (FixtureError, RuntimeError, OSError) as error:
        raise TargetError(f"the bundled mock did not start: {str(error).splitlines()[0]}") from None
    try:
        yield Target(
            base_url=server.url,
            api_key=settings.api_key or fixtures.admin_keys[0],
            user_id=settings.user_id or _documented_account(contract, fixtures.users, shape.user_field),
            workspace_id=settings.workspace_id
            or _documented_account(contract, fixtures.workspaces, shape.workspace_field),
            regular_api_key=settings.regular_api_key or _regular_key(fixtures),
            label=f"the bundled mock at {server.url}",
        )
    finally:
        server.stop()


def check_reachable(client: Client, contract: Contract) -> None:
    """One request without a key: any HTTP answer will do (even garbage: the tests report it); no answer at all
    is a `TargetError`."""
    exchange = client.request(
        contract.method.upper(), contract.path, headers={"Content-Type": "application/json"}, body=b"{}"
    )
    if exchange.status is None:
        raise TargetError(f"cannot reach {client.base_url}: {exchange.error}")


def _documented_account(contract: Contract, accounts: Mapping[str, Account], field: str) -> str:
    """The `field` of the spec's own request examples, if the mock answers it 200 at once; else any such id."""
    usable = [
        account.id
        for account in accounts.values()
        if account.status == 200 and not account.delay_ms and account.fault is None and not account.is_sequence
    ]
    documented = [example[field] for example in _request_examples(contract) if example.get(field) in usable]
    if not documented and not usable:
        raise TargetError(f"the bundled fixtures have no {field} that is answered 200 at once")
    return (documented or usable)[0]


def _request_examples(contract: Contract) -> list[dict[str, Any]]:
    operation = contract.document["paths"][contract.path][contract.method]
    media = contract.resolve(operation.get("requestBody", {})).get("content", {}).get("application/json", {})
    values = [contract.resolve(example).get("value") for example in media.get("examples", {}).values()]
    return [value for value in values if isinstance(value, dict)]


def _regular_key(fixtures: Fixtures) -> str | None:
    return next((key.key for key in fixtures.keys.values() if not key.is_admin), None)
