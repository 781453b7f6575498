"""Toy implementations of the Account Analysis API, to prove the contract suite: correct ones that make other
legal choices (the suite must pass them) and broken ones with exactly one defect each (it must reject them).

`Toy` is a small correct implementation; each broken toy overrides one step of it. Targets that are not HTTP
servers at all are in `tests/raw_targets.py`.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import time
from collections.abc import AsyncIterator
from typing import Any, ClassVar

from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from mock_server.spec.contract import load_contract

CONTRACT = load_contract()
ADMIN_KEY = "toy-admin-key-7f3e9a1c5b"
REGULAR_KEY = "toy-regular-key-2d8b4e6f0a"
KNOWN_USER = "toy-user-0001"
KNOWN_WORKSPACE = "toy-workspace-acme"
USER_FIELD, WORKSPACE_FIELD = "abstractUserId", "workspaceId"
DOCUMENTED = CONTRACT.examples["documentedUser"].value["body"]  # month media 250 > year 25, as documented
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY"]


class Toy:
    """A correct implementation: 401, then 422, then the lookup (400 or 200), every answer in the envelope."""

    # How the toy tests run the suite against it, beyond their fixed options.
    suite_options: ClassVar[dict[str, str]] = {}
    # A toy that reads a decision another way may also differ from these, where one request could rest on either.
    also_differs_from: ClassVar[frozenset[str]] = frozenset()
    unique_keys: ClassVar[bool] = True  # a body naming a key twice in an object is invalid input
    message_401 = "Failed to authenticate request. Please add sivi-api-key header in request"
    message_422 = "Invalid input"
    message_400 = "User does not exist"

    def __init__(self) -> None:
        self.users: dict[str, Any] = {KNOWN_USER: copy.deepcopy(DOCUMENTED)}
        self.workspaces: dict[str, Any] = {KNOWN_WORKSPACE: copy.deepcopy(DOCUMENTED)}

    def app(self) -> Starlette:
        return Starlette(routes=[Route(CONTRACT.path, self.endpoint, methods=ALL_METHODS)])

    async def endpoint(self, request: Request) -> Response:
        if request.method != "POST":
            return self.other_method(request)
        if not self.authenticated(request):
            return self.answer(401, {"message": self.message_401})
        data = self.parse(await request.body(), request.headers.get("content-type", ""))
        if data is None:
            return self.answer(422, {"message": self.message_422})
        return self.lookup(data)

    def other_method(self, request: Request) -> Response:
        return self.answer(405, {"message": "Method not allowed"}, headers={"Allow": "POST"})

    def authenticated(self, request: Request) -> bool:
        return request.headers.get("sivi-api-key") == ADMIN_KEY

    def sent_json(self, body: bytes, content_type: str) -> Any:
        """The body, if it was sent as JSON and is JSON naming no key twice in an object; else None."""
        if content_type.split(";")[0].strip().lower() != "application/json":
            return None
        try:
            return json.loads(body, object_pairs_hook=_unique_keys if self.unique_keys else None)
        except ValueError:
            return None

    def parse(self, body: bytes, content_type: str) -> dict[str, Any] | None:
        """The request's ids, or None for invalid input."""
        data = self.sent_json(body, content_type)
        if not isinstance(data, dict) or not (USER_FIELD in data or WORKSPACE_FIELD in data):
            return None
        for field in (USER_FIELD, WORKSPACE_FIELD):
            if field in data and not (isinstance(data[field], str) and data[field]):
                return None
        return data

    def lookup(self, data: dict[str, Any]) -> Response:
        if USER_FIELD in data:
            analysis = self.users.get(data[USER_FIELD])
        else:
            analysis = self.workspaces.get(data[WORKSPACE_FIELD])
        if analysis is None:
            return self.answer(400, {"message": self.message_400})
        return self.answer(200, analysis)

    def answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
        return JSONResponse({"status": status, "body": body}, status_code=status, headers=headers)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len({key for key, _ in pairs}) != len(pairs):
        raise ValueError("a key given twice")
    return dict(pairs)


# -- correct implementations that make other legal choices ---------------------------------------------------


class CorrectWithOtherChoices(Toy):
    """Other messages, body before status, charset=utf-8, gzip, extra headers and properties, 12 months in Kb/Gb."""

    message_401, message_422, message_400 = "Unauthorized", "Bad input", "No such user"

    def __init__(self) -> None:
        super().__init__()
        month = {
            "numberOfGeneratedDesignVariations": 3,
            "numberOfEditedDesigns": 1,
            "numberOfDownloadedDesigns": 0,
            "numberOfMedia": 2,
            "mediaSize": "512.25Kb",
            "month": "2026-01",
        }
        self.users[KNOWN_USER] = {
            "lastAccessed": 1767225600,
            "creditBalance": {"usedCredits": 0, "availableCredits": 0, "currency": "credits"},
            "monthlyAnalysis": [dict(month) for _ in range(12)],
            "yearlyAnalysis": {**month, "numberOfMedia": 24, "mediaSize": "1.5Gb"},
            "plan": "enterprise",
        }

    def app(self) -> Starlette:
        app = super().app()
        app.add_middleware(GZipMiddleware, minimum_size=16)
        return app

    def answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
        content = json.dumps({"body": body, "requestId": "req-42", "status": status}, ensure_ascii=False)
        extra = {"X-Request-Id": "req-42", "Cache-Control": "no-store", **(headers or {})}
        return Response(content, status, headers=extra, media_type="application/json; charset=utf-8")


class CorrectWithOtherRefusals(Toy):
    """No month at all, sizes in B and lowercase gb; other methods get 404, unknown ones 501, OPTIONS 204."""

    message_400 = "User does not exists"

    def __init__(self) -> None:
        super().__init__()
        zero = {
            "numberOfGeneratedDesignVariations": 0,
            "numberOfEditedDesigns": 0,
            "numberOfDownloadedDesigns": 0,
            "numberOfMedia": 0,
            "mediaSize": "0B",
        }
        self.users[KNOWN_USER] = {
            "yearlyAnalysis": zero,
            "monthlyAnalysis": [],
            "creditBalance": {"availableCredits": 5, "usedCredits": 0},
            "lastAccessed": 0,
        }
        self.workspaces[KNOWN_WORKSPACE] = {**self.workspaces[KNOWN_WORKSPACE], "lastAccessed": 1700000000}
        self.workspaces[KNOWN_WORKSPACE]["yearlyAnalysis"]["mediaSize"] = "2.5gb"

    def other_method(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": "POST, OPTIONS"})
        if request.method in ("TRACE", "QUERY"):
            return Response("not implemented", status_code=501, media_type="text/plain")
        return Response("not found", status_code=404, media_type="text/plain")


# -- correct implementations that read a decision of openapi.yaml another way (warnings, violations under strict) --


class AcceptsAnyContentType(Toy):
    """Parses the body as JSON whatever its content type (Starlette's `request.json()` does): content-type."""

    def parse(self, body: bytes, content_type: str) -> dict[str, Any] | None:
        return super().parse(body, "application/json")


class UnsupportedMediaType(Toy):
    """415 in the envelope for a body not sent as JSON: content-type."""

    async def endpoint(self, request: Request) -> Response:
        sent = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if request.method == "POST" and self.authenticated(request) and sent != "application/json":
            return self.answer(415, {"message": "Unsupported media type"})
        return await super().endpoint(request)


class LastValueWins(Toy):
    """Reads a key given twice as most JSON parsers do, the last value winning: repeated-keys."""

    unique_keys = False


class IgnoredIdNotValidated(Toy):
    """With `abstractUserId` present, `workspaceId` is ignored, so not validated either: user-id-wins."""

    def parse(self, body: bytes, content_type: str) -> dict[str, Any] | None:
        data = super().parse(body, content_type)
        loaded = self.sent_json(body, content_type) if data is None else None
        if isinstance(loaded, dict) and isinstance(loaded.get(USER_FIELD), str) and loaded[USER_FIELD]:
            return {USER_FIELD: loaded[USER_FIELD]}
        return data


class WorkspaceFallback(Toy):
    """An unknown user with a known workspace gets the workspace ("in order of preference" as a fallback):
    user-id-wins."""

    def lookup(self, data: dict[str, Any]) -> Response:
        response = super().lookup(data)
        if response.status_code == 400 and USER_FIELD in data and WORKSPACE_FIELD in data:
            return super().lookup({WORKSPACE_FIELD: data[WORKSPACE_FIELD]})
        return response


class ForbiddenForRegularKey(Toy):
    """403 in the envelope for a valid key without admin rights ("insufficient privileges"): non-admin-key."""

    async def endpoint(self, request: Request) -> Response:
        if request.method == "POST" and request.headers.get("sivi-api-key") == REGULAR_KEY:
            return self.answer(403, {"message": "Enterprise admin key required"})
        return await super().endpoint(request)


class ValidatesBeforeAuthenticating(Toy):
    """Invalid input gets 422 before the key is looked at (nothing is looked up without the key): check-order."""

    async def endpoint(self, request: Request) -> Response:
        body, content_type = await request.body(), request.headers.get("content-type", "")
        if request.method == "POST" and self.parse(body, content_type) is None:
            return self.answer(422, {"message": self.message_422})
        return await super().endpoint(request)


class ExtraPropertiesRejected(Toy):
    """422 for a property the documentation does not name: unknown-properties."""

    def parse(self, body: bytes, content_type: str) -> dict[str, Any] | None:
        data = super().parse(body, content_type)
        return data if data is not None and set(data) <= {USER_FIELD, WORKSPACE_FIELD} else None


class UserIdRequired(Toy):
    """Follows the parameter table, where `abstractUserId` is required: a workspace id alone is invalid input (422):
    user-id-optional."""

    def parse(self, body: bytes, content_type: str) -> dict[str, Any] | None:
        data = super().parse(body, content_type)
        return data if data is not None and USER_FIELD in data else None


class OtherSizeStrings(Toy):
    """Sizes as other strings than the documented examples' form (a space, upper case, no unit, GiB): media-size."""

    def __init__(self) -> None:
        super().__init__()
        analysis = self.users[KNOWN_USER]
        analysis["yearlyAnalysis"]["mediaSize"] = "25 MB"
        month = analysis["monthlyAnalysis"][0]
        analysis["monthlyAnalysis"] = [{**month, "mediaSize": size} for size in ("25MB", "1024", "2.5 GiB")]


class IdFormatChecked(Toy):
    """Its ids have a form (letters, digits, `-` and `_`, at most 64): any other string is invalid input (422):
    opaque-ids. Refusing a generated body with such an id and a property the spec does not name reads as
    unknown-properties too."""

    also_differs_from: ClassVar[frozenset[str]] = frozenset({"unknown-properties"})

    def parse(self, body: bytes, content_type: str) -> dict[str, Any] | None:
        data = super().parse(body, content_type)
        ids = [data[field] for field in (USER_FIELD, WORKSPACE_FIELD) if data and field in data]
        return data if all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", found) for found in ids) else None


# -- broken implementations, one defect each (the check that must name it is in test_contract_toys.py) -------


class WrongEnvelopeStatus(Toy):
    """The envelope of an error says 200."""

    def answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
        return JSONResponse({"status": 200, "body": body}, status_code=status, headers=headers)


class UnknownUserGets200(Toy):
    def lookup(self, data: dict[str, Any]) -> Response:
        return self.answer(200, DOCUMENTED)


class UnknownUserGets404(Toy):
    """An undocumented status for an unknown user."""

    def lookup(self, data: dict[str, Any]) -> Response:
        response = super().lookup(data)
        return self.answer(404, {"message": "not found"}) if response.status_code == 400 else response


class AuthenticatesAfterLookup(Toy):
    """Tells an outsider that a user does not exist: 400 before the key is even looked at."""

    async def endpoint(self, request: Request) -> Response:
        data = self.parse(await request.body(), request.headers.get("content-type", ""))
        if data is not None and request.method == "POST" and data.get(USER_FIELD, KNOWN_USER) != KNOWN_USER:
            return self.answer(400, {"message": self.message_400})
        return await super().endpoint(request)


class RegularKeyAccepted(Toy):
    def authenticated(self, request: Request) -> bool:
        return request.headers.get("sivi-api-key") in (ADMIN_KEY, REGULAR_KEY)


class ServerErrorOnUnusualText(Toy):
    """Crashes on any id with a character outside printable ASCII (only generated inputs find it: enough of them)."""

    suite_options: ClassVar[dict[str, str]] = {"max_examples": "15"}

    def lookup(self, data: dict[str, Any]) -> Response:
        if any(
            not (ch.isascii() and ch.isprintable()) for value in data.values() if isinstance(value, str) for ch in value
        ):
            return self.answer(500, {"message": "Server internal error"})
        return super().lookup(data)


class Crash(Exception):
    """Raised by a broken toy's step: the request then gets a plain 500, as from a crashed server."""


class CrashesOnSomeInput(Toy):
    async def endpoint(self, request: Request) -> Response:
        try:
            return await super().endpoint(request)
        except Crash:
            return self.crashed()

    def crashed(self) -> Response:
        return Response("Internal Server Error", status_code=500, media_type="text/plain")


class ServerErrorOnRepeatedKey(CrashesOnSomeInput):
    """Hides behind repeated-keys: a body naming a key twice crashes it (500 in the envelope)."""

    def parse(self, body: bytes, content_type: str) -> dict[str, Any] | None:
        if self.sent_json(body, content_type) is None and LastValueWins().sent_json(body, content_type) is not None:
            raise Crash
        return super().parse(body, content_type)


class ServerErrorOnNonObjectJson(CrashesOnSomeInput):
    def parse(self, body: bytes, content_type: str) -> dict[str, Any] | None:
        try:
            data = json.loads(body)
        except ValueError:
            return None
        if not isinstance(data, dict):
            raise Crash
        return super().parse(body, content_type)


class InvalidInputGets400(Toy):
    def answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
        return super().answer(400 if status == 422 else status, body, headers)


class EmptyIdIsLookedUp(Toy):
    """An empty id alone is treated as an id that does not exist (400) instead of invalid input."""

    def parse(self, body: bytes, content_type: str) -> dict[str, Any] | None:
        data = super().parse(body, content_type)
        loaded = self.sent_json(body, content_type) if data is None else None
        return loaded if loaded in ({USER_FIELD: ""}, {WORKSPACE_FIELD: ""}) else data


class ErrorWithoutMessage(Toy):
    """422 with an empty body object."""

    def answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
        return super().answer(status, {} if status == 422 else body, headers)


class PlainTextContentType(Toy):
    def answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
        return Response(json.dumps({"status": status, "body": body}), status, headers, media_type="text/plain")


class NegativeCount(Toy):
    def __init__(self) -> None:
        super().__init__()
        self.users[KNOWN_USER]["creditBalance"]["usedCredits"] = -20


class MediaSizeAsNumber(Toy):
    """Hides behind media-size: a size that is a number, not the documented string."""

    def __init__(self) -> None:
        super().__init__()
        self.users[KNOWN_USER]["yearlyAnalysis"]["mediaSize"] = 25


class IncompleteSuccessBody(Toy):
    def __init__(self) -> None:
        super().__init__()
        del self.users[KNOWN_USER]["creditBalance"]


class WorkspaceWins(Toy):
    def lookup(self, data: dict[str, Any]) -> Response:
        if WORKSPACE_FIELD in data:
            return super().lookup({WORKSPACE_FIELD: data[WORKSPACE_FIELD]})
        return super().lookup(data)


class GetAccepted(Toy):
    """GET answers like POST."""

    async def endpoint(self, request: Request) -> Response:
        if request.method == "GET":
            return self.lookup({USER_FIELD: KNOWN_USER})
        return await super().endpoint(request)


class ServerErrorForTextPlain(CrashesOnSomeInput):
    """Hides behind the content-type decision: a 500 for a body sent as text/plain."""

    def parse(self, body: bytes, content_type: str) -> dict[str, Any] | None:
        if content_type.startswith("text/plain"):
            raise Crash
        return super().parse(body, content_type)

    def crashed(self) -> Response:
        return self.answer(500, {"message": "Server internal error"})


class ServerErrorForMalformedIgnoredId(IgnoredIdNotValidated, CrashesOnSomeInput):
    """Hides behind user-id-wins: ignores a workspace id beside the user id, but crashes when it is no string."""

    def parse(self, body: bytes, content_type: str) -> dict[str, Any] | None:
        try:
            loaded = json.loads(body)
        except ValueError:
            loaded = None
        if isinstance(loaded, dict) and USER_FIELD in loaded and not isinstance(loaded.get(WORKSPACE_FIELD, ""), str):
            raise Crash
        return super().parse(body, content_type)


class ServerErrorForWorkspaceOnly(Toy):
    """Hides behind user-id-optional: a body naming only the workspace gets a 500 (in the envelope)."""

    def lookup(self, data: dict[str, Any]) -> Response:
        if USER_FIELD not in data:
            return self.answer(500, {"message": "Server internal error"})
        return super().lookup(data)


class AnswersAnyBodyNotSentAsJson(Toy):
    """Hides behind the content-type decision: a body not sent as JSON gets the known user, whatever it says."""

    def parse(self, body: bytes, content_type: str) -> dict[str, Any] | None:
        if content_type.split(";")[0].strip().lower() != "application/json":
            return {USER_FIELD: KNOWN_USER}
        return super().parse(body, content_type)


class PlainTextRefusalOfContentType(Toy):
    """Hides behind the content-type decision: refuses other content types, but outside the envelope."""

    async def endpoint(self, request: Request) -> Response:
        sent = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if request.method == "POST" and self.authenticated(request) and sent != "application/json":
            return Response("Unsupported Media Type", status_code=415, media_type="text/plain")
        return await super().endpoint(request)


class KnownUserGets500(Toy):
    """Every request for the known user gets the documented 500, in the envelope: the API fails, the set-up does not."""

    def lookup(self, data: dict[str, Any]) -> Response:
        if data.get(USER_FIELD) == KNOWN_USER:
            return self.answer(500, {"message": "Server internal error"})
        return super().lookup(data)


class SlowKnownUser(Toy):
    """Answers the first plain request for the known user after 0.3 s (the toy tests allow 0.1 s)."""

    slow_answers_left = 1

    def lookup(self, data: dict[str, Any]) -> Response:
        if data == {USER_FIELD: KNOWN_USER} and self.slow_answers_left:
            self.slow_answers_left -= 1
            time.sleep(0.3)
        return super().lookup(data)


class DeeplyNestedAnswer(Toy):
    """The known user's `body` is a list nested 600 deep: JSON a browser parses, but past what the checks follow."""

    def lookup(self, data: dict[str, Any]) -> Response:
        answer = super().lookup(data)
        if answer.status_code != 200:
            return answer
        return Response(b'{"status":200,"body":' + b"[" * 600 + b"]" * 600 + b"}", 200, media_type="application/json")


class PrettyPrintedJson(Toy):
    """Writes its JSON indented over several lines (a framework's debug mode), with a 401 message of a paragraph."""

    message_401 = "Failed to authenticate request. " + "Please add a valid sivi-api-key header in request. " * 5

    def answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
        content = json.dumps({"status": status, "body": body}, indent=2)
        return Response(content, status, headers=headers, media_type="application/json")


class AnswersHtml(Toy):
    """Garbage: every request gets the same HTML page."""

    async def endpoint(self, request: Request) -> Response:
        return HTMLResponse("<html><body><h1>Welcome to nginx!</h1></body></html>", status_code=200)


class HangsOnTheWorkspace(Toy):
    """Never answers the first request that names the known workspace (the toy tests wait 0.5 s for it)."""

    hangs_left = 1

    async def endpoint(self, request: Request) -> Response:
        if KNOWN_WORKSPACE.encode() in await request.body() and self.hangs_left:
            self.hangs_left -= 1
            await asyncio.sleep(60)
        return await super().endpoint(request)


class EndlessBodyForTheKnownUser(Toy):
    """Streams the known user's answer forever, 64 KiB at a time."""

    def lookup(self, data: dict[str, Any]) -> Response:
        if data != {USER_FIELD: KNOWN_USER}:
            return super().lookup(data)

        async def forever() -> AsyncIterator[bytes]:
            while True:
                yield b" " * 65536
                await asyncio.sleep(0)

        return StreamingResponse(forever(), media_type="application/json")


class TricklesForTheKnownUser(Toy):
    """Sends its first answer to the known user one byte every 50 ms, forever: never silent long enough to time
    out, so only the suite's deadline for a whole answer ends it."""

    trickles_left = 1

    def lookup(self, data: dict[str, Any]) -> Response:
        if data != {USER_FIELD: KNOWN_USER} or not self.trickles_left:
            return super().lookup(data)
        self.trickles_left -= 1

        async def trickle() -> AsyncIterator[bytes]:
            while True:
                yield b" "
                await asyncio.sleep(0.05)

        return StreamingResponse(trickle(), media_type="application/json")


class DripsForGeneratedInputs(Toy):
    """Answers the set-up's two requests, then drips every other answer one byte every 50 ms, forever: each of those
    costs the suite a whole answer's time, and the answers between them keep it from giving the target up."""

    answered = 0

    async def endpoint(self, request: Request) -> Response:
        self.answered += 1
        if self.answered <= 2 or self.answered % 2:
            return await super().endpoint(request)

        async def drip() -> AsyncIterator[bytes]:
            while True:
                yield b" "
                await asyncio.sleep(0.05)

        return StreamingResponse(drip(), media_type="application/json")


class StopsAnswering(Toy):
    """Answers the first request (the suite's reachability probe), then never again."""

    answered = 0

    async def endpoint(self, request: Request) -> Response:
        self.answered += 1
        if self.answered > 1:
            await asyncio.sleep(60)
        return await super().endpoint(request)


class EchoesTheKeyInAPage(Toy):
    """Not the API: an HTML page that shows the key it was sent, for every request."""

    async def endpoint(self, request: Request) -> Response:
        return HTMLResponse(f"<p>Hello {request.headers.get('sivi-api-key')}</p>", status_code=200)


class LeaksTheKey(WrongEnvelopeStatus):
    """Echoes the key it was sent in every body, and breaks the envelope so that every answer is a finding."""

    async def endpoint(self, request: Request) -> Response:
        self.seen_key = request.headers.get("sivi-api-key")
        return await super().endpoint(request)

    def answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
        body = {**body, "debug": f"called with key {self.seen_key}"} if isinstance(body, dict) else body
        return super().answer(status, body, headers)


class LeaksAKeyOfMarkup(LeaksTheKey):
    """`LeaksTheKey`, for an admin key with the characters JSON and HTML escape: `"`, `\\`, `&`, `<` and `>`."""

    key = 'toy-admin-"sivileak"\\&<b>-7f3e9a1c5b'

    def authenticated(self, request: Request) -> bool:
        return request.headers.get("sivi-api-key") == self.key


# -- a real deployment's gateway: throttling, a deploy rolling out, an app that crashes behind it -------------------

GATEWAY_PAGE = "<html><head><title>{status} {reason}</title></head><body><center><h1>{status} {reason}</h1></center>"
GATEWAY_PAGE += "<hr><center>nginx</center></body></html>"


def gateway_page(status: int, reason: str, headers: dict[str, str] | None = None) -> Response:
    """What nginx in front of an app answers when the app is away: an HTML page, not the API's envelope."""
    return HTMLResponse(GATEWAY_PAGE.format(status=status, reason=reason), status_code=status, headers=headers)


class ThrottlesOneInputForAWhile(Toy):
    """A correct implementation behind a quota per input, as the vendor's unpublished rate limits may be: the first
    four requests whose body is a JSON array get the API's own 503, in its envelope, with `Retry-After: 0.2`; after
    that the array is answered as any other invalid input (422)."""

    throttled_answers = 4

    def __init__(self) -> None:
        super().__init__()
        self.throttled = 0

    async def endpoint(self, request: Request) -> Response:
        if request.method == "POST" and self.authenticated(request) and self.throttled < self.throttled_answers:
            try:
                data = json.loads(await request.body())
            except ValueError:
                data = None
            if isinstance(data, list):
                self.throttled += 1
                message = {"message": "Too many requests for this input, try again shortly"}
                return self.answer(503, message, headers={"Retry-After": "0.2"})
        return await super().endpoint(request)


class Throttles(Toy):
    """A gateway's rate limit: more than 5 requests in 0.05 s (100 a second) get 429 with `Retry-After: 0.2`."""

    limit, window = 5, 0.05

    def __init__(self) -> None:
        super().__init__()
        self.recent: list[float] = []
        self.throttled = 0

    async def endpoint(self, request: Request) -> Response:
        now = time.monotonic()
        self.recent = [at for at in self.recent if at > now - self.window]
        if len(self.recent) >= self.limit:
            self.throttled += 1
            return Response("Too Many Requests", 429, headers={"Retry-After": "0.2"}, media_type="text/plain")
        self.recent.append(now)
        return await super().endpoint(request)


class MidDeploy(Toy):
    """A deploy rolling out: for 0.6 s from its first request, the gateway's HTML 503 to every request."""

    down_for = 0.6

    def __init__(self) -> None:
        super().__init__()
        self.first: float | None = None

    async def endpoint(self, request: Request) -> Response:
        self.first = self.first or time.monotonic()
        if time.monotonic() - self.first < self.down_for:
            return gateway_page(503, "Service Temporarily Unavailable")
        return await super().endpoint(request)


class MidDeployAskingToWait(MidDeploy):
    """A deploy rolling out whose gateway says how long: HTML 503 with `Retry-After: 0.2` for 0.6 s."""

    async def endpoint(self, request: Request) -> Response:
        self.first = self.first or time.monotonic()
        if time.monotonic() - self.first < self.down_for:
            return gateway_page(503, "Service Temporarily Unavailable", {"Retry-After": "0.2"})
        return await Toy.endpoint(self, request)


class GoesDownMidRun(Toy):
    """Answers its first 30 requests, then only the gateway's HTML 503 (no deploy ever finishes)."""

    def __init__(self) -> None:
        super().__init__()
        self.answered = 0

    async def endpoint(self, request: Request) -> Response:
        self.answered += 1
        if self.answered > 30:
            return gateway_page(503, "Service Temporarily Unavailable")
        return await super().endpoint(request)


class ThrottlesForAnHour(Toy):
    """Every request after the first two gets 429 with `Retry-After: 3600`."""

    retry_after = "3600"

    def __init__(self) -> None:
        super().__init__()
        self.answered = 0

    async def endpoint(self, request: Request) -> Response:
        self.answered += 1
        if self.answered > 2:
            return Response("slow down", 429, headers={"Retry-After": self.retry_after}, media_type="text/plain")
        return await super().endpoint(request)


class ThrottlesWithoutPause(ThrottlesForAnHour):
    """Every request after the first two gets 429 with `Retry-After: 0`, forever."""

    retry_after = "0"


class GatewayWithoutTheRoute(Toy):
    """A cloud API gateway asked for a path it has no route for: 403 with its own JSON, to every request."""

    async def endpoint(self, request: Request) -> Response:
        return JSONResponse({"message": "Missing Authentication Token"}, status_code=403)


class CrashesBehindAGateway(CrashesOnSomeInput):
    """The app dies on a body that is a JSON array, and the gateway in front answers its HTML 502 for that request,
    every time; every other request is answered."""

    def parse(self, body: bytes, content_type: str) -> dict[str, Any] | None:
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, list):
            raise Crash
        return super().parse(body, content_type)

    def crashed(self) -> Response:
        return gateway_page(502, "Bad Gateway")


class UnavailableForOneInput(CrashesBehindAGateway):
    """The app dies on a body that is a JSON array, and the gateway answers its HTML 503 with `Retry-After: 30` for
    that request, every time, as if the whole target were away; every other request is answered."""

    def crashed(self) -> Response:
        return gateway_page(503, "Service Temporarily Unavailable", {"Retry-After": "30"})
