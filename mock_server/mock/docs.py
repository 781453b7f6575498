"""The spec, served: `/openapi.yaml` as written, `/openapi.json` for tools, `/docs` for people (offline)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

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
    window.ui = SwaggerUIBundle({{url: "/openapi.json", dom_id: "#swagger-ui", tryItOutEnabled: true,
                                 persistAuthorization: true, deepLinking: true,
                                 defaultModelRendering: "model", defaultModelExpandDepth: 3,
                                 defaultModelsExpandDepth: 2}});
  </script>
</body>
</html>
"""


def docs_routes(state: MockState) -> list[BaseRoute]:
    async def spec_yaml(request: Request) -> Response:
        return Response(state.contract.source.read_bytes(), media_type="application/yaml")

    async def spec_json(request: Request) -> Response:
        # "Try it out" sends requests to the first server, so the copy served here lists this mock first.
        document = dict(state.contract.document)
        here = {"url": str(request.base_url).rstrip("/"), "description": "This mock"}
        document["servers"] = [here, *[s for s in document.get("servers", []) if s.get("url") != here["url"]]]
        return Response(json.dumps(document, ensure_ascii=False).encode(), media_type="application/json")

    async def docs(request: Request) -> Response:
        title = state.contract.document.get("info", {}).get("title", "API")
        return HTMLResponse(DOCS_PAGE.format(title=html.escape(str(title))))

    return [
        Route("/openapi.yaml", spec_yaml, methods=["GET"]),
        Route("/openapi.json", spec_json, methods=["GET"]),
        Route("/docs", docs, methods=["GET"]),
        Mount("/docs/static", StaticFiles(directory=SWAGGER_UI), name="swagger-ui"),
    ]
