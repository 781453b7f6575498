"""The spec, served: `/openapi.yaml` as written, `/openapi.json` for tools, `/docs` for people (offline).

`/openapi.json` is the spec as this mock serves it, never the file changed: the mock first among the servers, a
`Prefer` header parameter on the operation with every choice as an example (directives and faults), and a note on
the mock's own ways in (the admin key, the journal). `/docs` is pre-authorized with the admin key when the keys are
the bundled, public ones; a key from your own fixtures is a secret and never put in a page.
"""

from __future__ import annotations

import copy
import html
import json
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from mock_server.faults import FAULTS, WHAT_THE_CLIENT_SEES
from mock_server.mock.state import MockState

SWAGGER_UI = Path(__file__).parent / "static" / "swagger-ui"

# Swagger UI 5 (the first with OpenAPI 3.1) is vendored in static/: the docs need no network at all.
# An opened operation shows each answer's schema, not an example, expanded down to the fields of its `body`
# (envelope, body, the body's members); the Schemas list is expanded too, so that the request's alternatives are
# resolved and read as objects rather than `any`. `deepLinking` makes `/docs#/Enterprise/analyzeAccount` a link.
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} - sivi-mock</title>
  <link rel="stylesheet" href="/docs/static/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/static/swagger-ui-bundle.js"></script>
  <script>
    const adminKey = {admin_key};  // null unless the keys are the bundled, public ones
    window.ui = SwaggerUIBundle({{url: "/openapi.json", dom_id: "#swagger-ui", tryItOutEnabled: true,
                                 persistAuthorization: true, deepLinking: true,
                                 defaultModelRendering: "model", defaultModelExpandDepth: 3,
                                 defaultModelsExpandDepth: 2,
                                 onComplete: () => {{
                                   if (adminKey) window.ui.preauthorizeApiKey({scheme}, adminKey.key);
                                 }}}});
  </script>
</body>
</html>
"""


def docs_routes(state: MockState) -> list[BaseRoute]:
    async def spec_yaml(request: Request) -> Response:
        return Response(state.contract.source.read_bytes(), media_type="application/yaml")

    async def spec_json(request: Request) -> Response:
        document = as_served(state, str(request.base_url).rstrip("/"))
        return Response(json.dumps(document, ensure_ascii=False).encode(), media_type="application/json")

    async def docs(request: Request) -> Response:
        title = state.contract.document.get("info", {}).get("title", "API")
        key = public_admin_key(state)
        return HTMLResponse(
            DOCS_PAGE.format(
                title=html.escape(str(title)),
                admin_key=_script_json({"key": key} if key else None),
                scheme=_script_json(_key_scheme(state.contract.document, state.contract.api_key_header)),
            )
        )

    return [
        Route("/openapi.yaml", spec_yaml, methods=["GET"]),
        Route("/openapi.json", spec_json, methods=["GET"]),
        Route("/docs", docs, methods=["GET"]),
        Mount("/docs/static", StaticFiles(directory=SWAGGER_UI), name="swagger-ui"),
    ]


def public_admin_key(state: MockState) -> str | None:
    """The admin key a page may show: the bundled fixtures' (the docs name it); None for your own fixtures."""
    fixtures = state.fixtures
    return fixtures.admin_keys[0] if fixtures.keys_are_public and fixtures.admin_keys else None


def as_served(state: MockState, base_url: str) -> dict[str, Any]:
    """The spec as this mock serves it: a copy with the mock first among the servers ("Try it out" calls the first),
    the `Prefer` header and its choices on the operation, and the mock's ways in noted."""
    contract = state.contract
    document = copy.deepcopy(contract.document)
    here = {"url": base_url, "description": "This mock"}
    document["servers"] = [here, *[s for s in document.get("servers", []) if s.get("url") != base_url]]
    operation = document["paths"][contract.path][contract.method]
    operation["parameters"] = [*operation.get("parameters", []), prefer_parameter(state)]
    key = public_admin_key(state)
    shown_key = f"`{key}` (pre-filled under Authorize)" if key else "an admin key of your fixtures"
    note = (
        f"\n\n**On this mock** (`sivi-mock`): send `{contract.api_key_header}` with {shown_key}, and pick the"
        " answer with the `Prefer` header below: a documented status, a named example, a generated body, a delay,"
        " or a fault (the connection reset or closed, an answer cut in half, bytes that are not HTTP, no answer, a"
        f" gateway's HTML page). What the mock received: `GET {base_url}/__mock/journal`."
    )
    operation["description"] = operation.get("description", "") + note
    return document


def prefer_parameter(state: MockState) -> dict[str, Any]:
    """The `Prefer` header as an optional parameter, each directive the mock knows an example to pick."""
    contract = state.contract
    choices: dict[str, tuple[str, str]] = {"none": ("", "no Prefer: the answer the fixtures give")}
    for status in contract.statuses:
        choices[f"code={status}"] = (f"code={status}", f"answer {status}, as documented")
    for name, example in contract.examples.items():
        choices[f"example={name}"] = (f"example={name}", example.summary or f"the spec's example {name}")
    choices["dynamic=true"] = ("dynamic=true", "a body generated from the schema, the same for the same request")
    choices["delay=2000"] = ("delay=2000", "answer after 2 seconds")
    for fault in FAULTS:
        choices[f"fault={fault}"] = (f"fault={fault}", WHAT_THE_CLIENT_SEES[fault])
    return {
        "name": "Prefer",
        "in": "header",
        "required": False,
        "description": (
            "sivi-mock only, outside the contract: pick the answer. Directives combine with commas"
            " (`code=500, delay=1000`); one the mock cannot honour is answered 412 with `Sivi-Mock-Error: prefer`."
        ),
        "schema": {"type": "string"},
        "examples": {
            name: {"summary": f"{value or '(none)'}: {summary}", "value": value}
            for name, (value, summary) in choices.items()
        },
    }


def _key_scheme(document: dict[str, Any], header: str) -> str | None:
    schemes = document.get("components", {}).get("securitySchemes", {})
    return next((name for name, scheme in schemes.items() if scheme.get("name") == header), None)


def _script_json(value: Any) -> str:
    """`value` as JavaScript inside a <script>: JSON, with `<` escaped so that no text can close the element."""
    return json.dumps(value).replace("<", "\\u003c")
