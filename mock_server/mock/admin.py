"""`/__mock/`: the journal and the run-time fixtures, for tests and people (outside the spec).

Locked down because a mock runs on developers' machines: no CORS, a `Host` check against DNS rebinding, an
`Origin` check against cross-site pages, and a bearer token whenever the mock listens beyond loopback.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mock_server.errors import FixtureError
from mock_server.judgement.verdict import Conformance
from mock_server.loopback import is_this_server
from mock_server.mock.compiled_answers import why_not_compiled
from mock_server.mock.mutants import KINDS as MUTANT_KINDS
from mock_server.mock.mutants import Mutation
from mock_server.mock.replies import Reply, mock_error
from mock_server.mock.state import MockState
from mock_server.spec.envelope import envelope
from mock_server.spec.fixtures import AccountKind, parse_account

ADMIN_PREFIX = "/__mock"
BODY_LIMIT = 1024 * 1024
KINDS: dict[str, AccountKind] = {"users": "user", "workspaces": "workspace"}
Handler = Callable[[Request], Awaitable[Response]]


def json_response(status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None) -> Response:
    """A Starlette `Response` with `body` in the API's envelope: every answer of the admin API and of Starlette's
    errors (404, 405)."""
    return Response(envelope(status, body), status, headers=headers, media_type="application/json")


def reply_response(reply: Reply) -> Response:
    """A `Reply` of the mock (its bytes and headers, `content-type` among them) as the `Response` a route returns."""
    response = Response(reply.body, reply.status)
    response.raw_headers.extend(reply.headers)
    return response


def guarded(state: MockState, handler: Handler) -> Handler:
    settings = state.settings
    wildcard = settings.host in ("0.0.0.0", "::", "")

    async def guard(request: Request) -> Response:
        host_header = request.headers.get("host", "")
        if not (wildcard or is_this_server(host_header, settings.host)):
            return json_response(403, {"message": f"the admin API does not answer for Host {host_header!r}"})
        origin = request.headers.get("origin")
        same_origin = origin in (f"http://{host_header}", f"https://{host_header}")
        if (origin is not None and not same_origin) or request.headers.get("sec-fetch-site") == "cross-site":
            return json_response(403, {"message": "the admin API refuses cross-origin requests"})
        if settings.admin_token is not None:
            sent = request.headers.get("authorization", "").removeprefix("Bearer ").encode()
            if not hmac.compare_digest(sent, settings.admin_token.encode()):
                return json_response(
                    401,
                    {"message": "the admin API needs Authorization: Bearer <admin token>"},
                    {"www-authenticate": "Bearer"},
                )
        return await handler(request)

    return guard


def one_process_only(state: MockState, handler: Handler) -> Handler:
    """A change of state that would reach only the worker answering it: refused under `--workers N`."""
    workers = state.settings.workers

    message = (
        f"sivi-mock runs {workers} worker processes (--workers {workers}), each with its own accounts, journal and "
        "sequences: this change would reach only the one that answered it, so it is refused. Put the accounts in "
        "fixture files (--fixtures DIR, with --reload to change them while it runs), or start one worker."
    )
    refusal = mock_error(409, "workers", message)  # marked as the mock's own, as its other errors are

    async def changes(request: Request) -> Response:
        if workers > 1:
            return reply_response(refusal)
        return await handler(request)

    return changes


def admin_routes(state: MockState) -> list[BaseRoute]:
    async def health(request: Request) -> Response:
        fixtures = state.fixtures
        return json_response(
            200,
            {
                "message": "ok",
                "path": state.contract.path,
                "spec": str(state.contract.source),
                "fixtures": str(fixtures.directory),
                "users": len(fixtures.users),
                "workspaces": len(fixtures.workspaces),
                "runtimeAccounts": len(state.runtime_accounts()),
                "journal": {"size": len(state.journal), "max": state.journal.maxlen},
                "faults": dict(sorted(state.faults_given.items())),
                "workers": {"count": state.settings.workers, "pid": os.getpid()},
                "served": {
                    "fastPath": state.served["fast path"],
                    "asgi": state.served["asgi"],
                    "fastPathOffBy": why_not_compiled(state.settings),
                },
                "chaos": state.chaos.as_json() if state.chaos is not None else None,
            },
        )

    async def journal(request: Request) -> Response:
        if request.method == "DELETE":
            cleared = len(state.journal)
            state.journal.clear()
            return json_response(200, {"message": f"cleared {cleared} requests", "cleared": cleared})
        contract = request.query_params.get("contract")
        if contract is not None and contract not in tuple(Conformance):
            words = ", ".join(Conformance)
            return json_response(422, {"message": f"contract must be one of {words}, not {contract!r}"})
        entries = state.journal.entries(contract)
        limit = request.query_params.get("limit", "")
        if limit:
            if not limit.isdigit():
                return json_response(422, {"message": f"limit must be a whole number, not {limit!r}"})
            entries = entries[-int(limit) :] if int(limit) else []
        return json_response(200, {"message": f"{len(entries)} requests", "requests": entries})

    async def accounts(request: Request) -> Response:
        section = request.url.path.removeprefix(ADMIN_PREFIX + "/")
        kind = KINDS[section]
        from_files = state.fixtures.accounts(kind)
        runtime = {a.id: a for a in state.runtime_accounts() if a.kind == kind}
        listed = [
            {
                "id": a.id,
                "status": a.status,
                "delayMs": a.delay_ms,
                **({"fault": a.fault} if a.fault is not None else {}),
                **({"sequence": len(a.answers)} if a.is_sequence else {}),
                "source": "runtime" if a.id in runtime else "file",
            }
            for a in {**from_files, **runtime}.values()
        ]
        return json_response(200, {"message": f"{len(listed)} {section}", section: listed})

    async def put_account(request: Request) -> Response:
        section = request.url.path.removeprefix(ADMIN_PREFIX + "/").split("/", 1)[0]
        account_id = request.path_params["id"]
        not_json = {
            "message": "the body must be a JSON object in the fixture format",
            "problems": ["(top level): not valid JSON"],
        }
        data = await _json_body(request, not_json)
        if isinstance(data, Response):
            return data
        try:
            account = parse_account(KINDS[section], account_id, data, state.contract, f"{section}.{account_id}")
        except FixtureError as error:
            return json_response(
                422, {"message": f"refused: the {KINDS[section]} does not match the spec", "problems": error.problems}
            )
        replaced = state.account(account.kind, account.id)
        state.put_account(account)
        return json_response(
            200 if replaced else 201,
            {
                "message": "replaced" if replaced else "added",
                "id": account.id,
                "kind": account.kind,
                "status": account.status,
                **({"sequence": len(account.answers)} if account.is_sequence else {}),
            },
        )

    async def reset(request: Request) -> Response:
        # The files are read off the event loop (a slow disk, a large file), as `--reload` reads them.
        problems = state.reset(await asyncio.to_thread(state.read_files))
        if problems:
            return json_response(
                409,
                {"message": "reset, but the files are invalid: still serving the previous ones", "problems": problems},
            )
        return json_response(200, {"message": "reset to the files; sequences and chaos start again"})

    async def coverage(request: Request) -> Response:
        if request.method == "DELETE":
            state.coverage.clear()
            return json_response(200, {"message": "coverage cleared"})
        return json_response(200, state.coverage.as_json(state.contract))

    async def current_test(request: Request) -> Response:
        """`PUT {"id": "tests/test_x.py::test_y"}`: the answers from now on were received by that test."""
        if request.method == "DELETE":
            state.current_test = None
            return json_response(200, {"message": "no test named", "id": None})
        data = await _json_object(request)
        if isinstance(data, Response):
            return data
        test = data.get("id")
        if not isinstance(test, str) or not test:
            return json_response(422, {"message": 'the body must be {"id": "<the test\'s id>"}'})
        state.current_test = test
        return json_response(200, {"message": f"answers now go to {test}", "id": test})

    async def mutants(request: Request) -> Response:
        table = [mutant.as_json() for mutant in state.loaded.mutants.values()]
        return json_response(200, {"message": f"{len(table)} mutants", "kinds": MUTANT_KINDS, "mutants": table})

    async def mutation(request: Request) -> Response:
        """`PUT {"mutant": "status 500", "test": id or null, "answer": class or null}`: that mutant in force."""
        if request.method == "GET":
            active = state.mutation.as_json() if state.mutation is not None else None
            message = "in force" if active else "no mutant in force"
            return json_response(200, {"message": message, "mutation": active, "given": state.mutations_given.total()})
        if request.method == "DELETE":
            state.mutation = None
            return json_response(200, {"message": "no mutant in force", "mutation": None})
        data = await _json_object(request)
        if isinstance(data, Response):
            return data
        name, test, answer_class = data.get("mutant"), data.get("test"), data.get("answer")
        mutant = state.loaded.mutants.get(name) if isinstance(name, str) else None
        if mutant is None:
            known = ", ".join(state.loaded.mutants)
            return json_response(422, {"message": f"no such mutant {name!r} (the mock has {known})"})
        if not all(value is None or (isinstance(value, str) and value) for value in (test, answer_class)):
            return json_response(422, {"message": "test and answer must be non-empty strings, or null for every one"})
        state.mutation = Mutation(mutant, test, answer_class)
        state.mutations_given.clear()
        return json_response(200, {"message": f"{mutant.name} in force", "mutation": state.mutation.as_json()})

    def route(path: str, handler: Handler, methods: list[str]) -> Route:
        return Route(ADMIN_PREFIX + path, guarded(state, handler), methods=methods)

    return [
        route("/health", health, ["GET"]),
        route("/journal", journal, ["GET", "DELETE"]),
        route("/reset", one_process_only(state, reset), ["POST"]),
        route("/coverage", coverage, ["GET", "DELETE"]),
        route("/test", one_process_only(state, current_test), ["PUT", "DELETE"]),
        route("/mutants", mutants, ["GET"]),
        route("/mutation", one_process_only(state, mutation), ["GET", "PUT", "DELETE"]),
        *[route(f"/{section}", accounts, ["GET"]) for section in KINDS],
        *[route(f"/{section}/{{id:path}}", one_process_only(state, put_account), ["PUT"]) for section in KINDS],
    ]


async def _read_limited(request: Request) -> bytes | None:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > BODY_LIMIT:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _json_body(request: Request, not_json: dict[str, Any]) -> Any:
    """The request's body parsed as JSON; else the answer to give: 413 beyond `BODY_LIMIT`, 422 with `not_json`."""
    raw = await _read_limited(request)
    if raw is None:
        return json_response(413, {"message": f"the body is larger than {BODY_LIMIT} bytes"})
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return json_response(422, not_json)


async def _json_object(request: Request) -> dict[str, Any] | Response:
    not_object = {"message": "the body must be a JSON object"}
    data = await _json_body(request, not_object)
    if isinstance(data, Response | dict):
        return data
    return json_response(422, not_object)
