"""`sivi-mock`: flags → app → uvicorn, with a start-up banner and one-line errors instead of tracebacks."""

from __future__ import annotations

import argparse
import contextlib
import logging
import secrets
import socket
import sys
from collections.abc import Sequence

from mock_server.admin import is_loopback
from mock_server.contract import BUNDLED_SPEC, SpecError
from mock_server.fixtures import BUNDLED_FIXTURES, FixtureError, Fixtures
from mock_server.secret import mask_key
from mock_server.state import MockState

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="sivi-mock", description="Mock of the Sivi Account Analysis API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=4010, help="port to listen on, 0 for any free one (default: 4010)")
    parser.add_argument("--spec", default=str(BUNDLED_SPEC), help="the OpenAPI file (default: the bundled one)")
    parser.add_argument("--fixtures", default=None, help="the fixtures directory (default: the bundled one)")
    parser.add_argument("--reload", action="store_true", help="watch spec and fixtures, swap them in on change")
    parser.add_argument(
        "--cors-origin", action="append", dest="cors_origins", metavar="ORIGIN", help="allowed origin (repeatable)"
    )
    parser.add_argument("--log-level", choices=LOG_LEVELS, default="info", help="debug also logs every request")
    parser.add_argument("--validate-responses", action="store_true", help="check every answer against the spec")
    parser.add_argument("--admin-token", default=None, help="token for /__mock/ (generated off loopback)")
    parser.add_argument("--journal-size", type=int, default=1000, help="requests kept in the journal")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="sivi-mock: %(levelname)s: %(message)s")
    token = args.admin_token
    if token is None and not is_loopback(args.host):
        token = secrets.token_urlsafe(24)

    try:
        listener = socket.create_server((args.host, args.port))
    except OSError as error:
        return fail(f"cannot listen on {args.host}:{args.port} ({error.strerror or error})")
    port = listener.getsockname()[1]

    from mock_server.app import create_app  # after the flags: `--help` stays instant

    try:
        app = create_app(
            fixtures_dir=args.fixtures,
            spec_path=args.spec,
            cors_origins=args.cors_origins or ("*",),
            validate_responses=args.validate_responses,
            journal_size=args.journal_size,
            admin_token=token,
            reload=args.reload,
            host=args.host,
            port=port,
        )
    except SpecError as error:
        listener.close()
        return fail(f"the spec is invalid: {error}")
    except FixtureError as error:
        listener.close()
        return fail("the fixtures are invalid:\n  " + "\n  ".join(error.problems))

    print(banner(app.state.mock, args.host, port, token, generated=args.admin_token is None and token is not None))
    sys.stdout.flush()
    serve(app, listener, args.log_level)
    return 0


def serve(app: object, listener: socket.socket, log_level: str) -> None:
    import uvicorn

    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=log_level == "debug",  # a log line per request would cost more than answering it
        loop="uvloop" if _has("uvloop") else "asyncio",
        http="httptools" if _has("httptools") else "h11",
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the normal way to stop the mock
        uvicorn.Server(config).run(sockets=[listener])


def banner(state: MockState, host: str, port: int, token: str | None, generated: bool) -> str:
    shown_host = f"[{host}]" if ":" in host else host
    base = f"http://{shown_host}:{port}"
    fixtures = state.fixtures
    lines = [
        f"sivi-mock serving {state.contract.source.name} on {base}",
        f"  POST {base}{state.contract.path}",
        f"  admin key:   {state.contract.api_key_header}: {', '.join(shown_keys(fixtures))}",
        f"  users:       {', '.join(fixtures.users)}",
        f"  workspaces:  {', '.join(fixtures.workspaces)}",
        f"  docs:        {base}/docs   admin API: {base}/__mock/health",
    ]
    if token:
        origin = "generated for this run" if generated else "from --admin-token"
        lines.append(f"  /__mock/ needs: Authorization: Bearer {token}   ({origin})")
    return "\n".join(lines)


def shown_keys(fixtures: Fixtures) -> list[str]:
    """The bundled keys are public (the README names them); keys from your own fixtures are secrets: masked."""
    if fixtures.directory.resolve() == BUNDLED_FIXTURES.resolve():
        return fixtures.admin_keys
    return [f"{mask_key(key)} (see {fixtures.directory})" for key in fixtures.admin_keys]


def fail(message: str) -> int:
    print(f"sivi-mock: {message}", file=sys.stderr)
    return 2


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None
