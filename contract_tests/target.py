"""The implementation under test: a base URL given by the user, or the bundled mock started in-process; and the
set-up check that it is the API, with a key it takes, before anything is judged."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from contract_tests.client import Client, SentExchange
from contract_tests.errors import TargetError
from contract_tests.settings import SuiteSettings
from mock_server.errors import FixtureError, ServerStartError
from mock_server.judgement import NOT_JSON, Exchange, RequestShape, TargetFacts
from mock_server.serving.background import BackgroundServer
from mock_server.spec import Contract, load_fixtures
from mock_server.spec.envelope import is_envelope
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
    except (FixtureError, ServerStartError, OSError) as error:
        raise TargetError(f"the bundled mock did not start: {str(error).splitlines()[0]}") from None
    try:
        yield Target(
            base_url=server.url,
            api_key=settings.api_key or fixtures.admin_keys[0],
            user_id=settings.user_id or _documented_account(contract, fixtures.users, shape.user_field),
            workspace_id=settings.workspace_id
            or _documented_account(contract, fixtures.workspaces, shape.workspace_field),
            regular_api_key=settings.regular_api_key or fixtures.regular_key,
            label=f"the bundled mock at {server.url}",
        )
    finally:
        server.stop()


def check_setup(client: Client, contract: Contract, target: Target) -> SentExchange:
    """Before anything is judged: is this the API, and does it take the key? One request without a key, one for
    the known user with the admin key (kept as the client's health check). Returns the answer to the second, which
    the suite judges as its own request for the known user (staging gets no request twice).

    Raises `TargetError` (one line, naming the setting to fix) when nothing answers, nothing takes `POST` at the
    operation's path, the admin key is refused, neither answer is in the API's envelope, or the API refuses the
    known user in its envelope (400: no such user; 422: not an id of its form): a `--user-id` the target does not
    know leaves nothing to test about success, and is the set-up's fault, not the API's. Anything else is left to
    the suite: an answer from the API is judged, never explained away here.
    """
    method, url = contract.method.upper(), client.base_url + contract.path
    keyless = client.request(method, contract.path, headers={"Content-Type": "application/json"}, body=b"{}")
    if keyless.status is None:
        raise TargetError(f"cannot reach {client.base_url}: {keyless.error}")
    user_field = RequestShape.from_contract(contract).user_field
    body = json.dumps({user_field: target.user_id}).encode()
    headers = {"Content-Type": "application/json", contract.api_key_header: target.api_key}
    client.health_check = requests.Request(method, url, headers=headers, data=body).prepare()
    admin = client.send(client.health_check)
    if admin.status is None:
        return admin  # no answer: judged as such; the rules for a target that stops answering take it from here
    example = next((server["url"] for server in contract.document.get("servers", [])), "")
    if keyless.status in NOTHING_HERE and admin.status in NOTHING_HERE:
        if urlsplit(client.base_url).path.endswith(contract.path):
            raise TargetError(
                f"--base-url {client.base_url} ends with the operation's path {contract.path}: give the API's base "
                f"URL without it (e.g. {example})"
            )
        raise TargetError(
            f"nothing takes {method} at {url} (HTTP {admin.status}: {_shown(admin)}): is --base-url's path right? "
            f"It is the API's base URL (e.g. {example})"
        )
    if not is_envelope(keyless.json()) and not is_envelope(admin.json()):
        if admin.status in KEY_REFUSED:  # refused, but not by the API: a gateway's own check, or another service
            raise TargetError(
                f"{url} refused the request outside the API's envelope (HTTP {admin.status}, {_shown(admin)}): a "
                "gateway in front of the API, or not the API at all? Check --base-url's path and SIVI_API_KEY"
            )
        raise TargetError(
            f"{url} is not the API: its answers are not in the API's envelope {{status, body}} (HTTP {admin.status}, "
            f"{_shown(admin)}): is --base-url the API's base URL?"
        )
    if admin.status in KEY_REFUSED:
        raise TargetError(
            f"SIVI_API_KEY (or --api-key) was refused: {url} answered HTTP {admin.status} to it ({_shown(admin)}): "
            "give an Enterprise admin key of this target"
        )
    if admin.status in USER_REFUSED and is_envelope(admin.json()):
        raise TargetError(
            f"--user-id {target.user_id!r} (or SIVI_USER_ID) is not a user this target knows: it answered HTTP "
            f"{admin.status} to it ({_shown(admin)}): give the {user_field} of a user that exists on it"
        )
    return admin


# The known user answered so, in the envelope: the API says it has no such user (400) or no such form of id (422).
USER_REFUSED = frozenset({400, 422})
# Both set-up requests answered so: nothing takes the operation at that path (405: a static site, a GET route).
NOTHING_HERE = frozenset({404, 405})
# The admin key answered so: the key is not one of this target's admin keys (403: the non-admin-key reading).
KEY_REFUSED = frozenset({401, 403})


def _shown(exchange: Exchange) -> str:
    """The answer as it came, for a one-line message: its content type and its body, JSON as the API wrote it and
    other text quoted, with its line breaks and indents folded into single spaces and cut after 200 characters."""
    text = " ".join(exchange.content.decode("utf-8", errors="replace").split())
    if not text:
        return exchange.content_type or "empty"
    text = text if len(text) <= 200 else text[:197] + "..."
    return f"{exchange.content_type or 'no content type'}: {text if exchange.json() is not NOT_JSON else repr(text)}"


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
