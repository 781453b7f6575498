"""`sivi-mock`: flags → app → uvicorn, with a start-up banner and one-line errors instead of tracebacks."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import logging
import secrets
import socket
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mock_server.command_line import Command
from mock_server.distribution import kit_version
from mock_server.errors import FixtureError, SettingsError, SpecError
from mock_server.loopback import is_loopback
from mock_server.proxy.recorder import RECORDING
from mock_server.secret import mask_key
from mock_server.settings import Settings, from_arguments, options
from mock_server.spec.fixtures import Fixtures

if TYPE_CHECKING:  # Starlette is loaded only once the flags are read
    from starlette.types import ASGIApp

    from mock_server.mock.chaos import Chaos
    from mock_server.mock.state import MockState


def command() -> Command:
    return Command("sivi-mock", "Mock of the Sivi Account Analysis API.", options(), version=kit_version())


def build_parser() -> argparse.ArgumentParser:
    return command().parser()


def parse_args(argv: Sequence[str] | None) -> Settings:
    """The `Settings` of a command line; a flag argparse cannot read, or a value `Settings` refuses, exits 2 with
    one line on stderr."""
    arguments = build_parser().parse_args(argv)
    try:
        return from_arguments(arguments)
    except SettingsError as error:
        raise SystemExit(fail(str(error))) from None


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_args(argv)
    logging.basicConfig(level=settings.log_level.upper(), format="sivi-mock: %(levelname)s: %(message)s")
    generated = settings.admin_token is None and not is_loopback(settings.host)
    if generated:
        settings = dataclasses.replace(settings, admin_token=secrets.token_urlsafe(24))

    try:
        if settings.workers > 1:
            from mock_server.serving.workers import reuse_port_listener

            listener = reuse_port_listener(settings.host, settings.port)
        else:
            listener = socket.create_server((settings.host, settings.port))
    except OSError as error:
        return fail(f"cannot listen on {settings.host}:{settings.port} ({error.strerror or error})")
    settings = dataclasses.replace(settings, port=listener.getsockname()[1])

    from mock_server.app import create_app  # after the flags: `--help` stays instant

    try:
        app = create_app(settings)
    except SpecError as error:
        listener.close()
        return fail(f"the spec is invalid: {error}")
    except FixtureError as error:
        listener.close()
        return fail("the fixtures are invalid:\n  " + "\n  ".join(error.problems))
    except (SettingsError, OSError) as error:
        listener.close()
        return fail(str(error))

    print(banner(app.state.mock, generated=generated))
    sys.stdout.flush()
    refused_key = upstream_key_refused(app.state.mock)
    if refused_key is not None:
        print(f"sivi-mock: WARNING: {refused_key}", file=sys.stderr, flush=True)
    if settings.proxy_insecure:
        print(
            "sivi-mock: WARNING: --proxy-insecure: the upstream's TLS certificate is NOT verified; anyone on the way"
            " can read and change the traffic, the key included. Use it only for a local self-signed upstream.",
            file=sys.stderr,
            flush=True,
        )
    if settings.workers > 1:
        from mock_server.serving.workers import serve_in_workers

        return serve_in_workers(
            settings.workers, listener, lambda own: serve(app, own, settings.log_level, settings.request_deadline)
        )
    serve(app, listener, settings.log_level, settings.request_deadline)
    return 0


def serve(app: ASGIApp, listener: socket.socket, log_level: str, request_deadline: float) -> None:
    import uvicorn

    from mock_server.serving.background import KitServer, served_options

    loop = "uvloop" if _has("uvloop") else "asyncio"
    # A log line per request would cost more than answering it: `sivi-mock` logs requests at debug only.
    access_log = log_level == "debug"
    config = uvicorn.Config(app, loop=loop, access_log=access_log, **served_options(log_level, request_deadline))
    # What start-up built (the spec, its validators, the fixtures, the imported modules) lives as long as the process:
    # out of the collector's sight, a full collection walks only what requests made, not all of that (the
    # journal's entries live long enough to reach the oldest generation, so full collections do come).
    gc.collect()
    gc.freeze()
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the normal way to stop the mock
        KitServer(config).run(sockets=[listener])


def banner(state: MockState, generated: bool) -> str:
    host, token = state.settings.host, state.settings.admin_token
    shown_host = f"[{host}]" if ":" in host else host
    base = f"http://{shown_host}:{state.settings.port}"
    fixtures = state.fixtures
    lines = [
        f"sivi-mock serving {state.contract.source.name} on {base}",
        f"  POST {base}{state.contract.path}",
        f"  admin key:   {state.contract.api_key_header}: {', '.join(shown_keys(fixtures))}",
        f"  users:       {', '.join(fixtures.users)}",
        f"  workspaces:  {', '.join(fixtures.workspaces)}",
        f"  docs:        {base}/docs   admin API: {base}/__mock/health",
    ]
    if state.settings.workers > 1:
        lines.append(
            f"  workers:     {state.settings.workers} processes on this port, each with its own journal;"
            " the admin API cannot change accounts in all of them, so it refuses to (put them in --fixtures)"
        )
    settings = state.settings
    if settings.proxy_url is not None:
        mode = (
            "ids the mock knows answered by the mock, the rest"
            if settings.fixtures_first
            else "requests without Prefer"
        )
        lines.append(f"  proxy:       {mode} relayed to {settings.proxy_url}{state.contract.path}")
        checked = "violations answered 502 (--proxy-errors)" if settings.proxy_errors else "header Sivi-Contract"
        lines.append(f"               every upstream answer checked against the contract: {checked}")
        if settings.upstream_key_env is not None:
            lines.append(f"  upstream key: from ${settings.upstream_key_env}; callers use the mock's admin key")
        if settings.record_dir is not None:
            lines.append(f"  recording:   conforming 200 answers into {settings.record_dir / RECORDING}")
        if settings.accept_file is not None:
            lines.append(f"  accepted:    deviations {settings.accept_file} accepts: Sivi-Contract: accepted")
    if state.chaos is not None:
        lines.append(chaos_line(state.chaos))
    if token:
        origin = "generated for this run" if generated else "from --admin-token"
        lines.append(f"  /__mock/ needs: Authorization: Bearer {token}   ({origin})")
    return "\n".join(lines)


def chaos_line(chaos: Chaos) -> str:
    share = f"{chaos.rate:.0%}" if chaos.rate * 100 == round(chaos.rate * 100) else f"{chaos.rate:.2%}"
    return (
        f"  chaos:       {share} of requests get one of {','.join(chaos.choices)};"
        f" --chaos-seed {chaos.seed} repeats this run"
    )


def upstream_key_refused(state: MockState) -> str | None:
    """With `--upstream-key-env`, one request at start says whether the upstream refuses the key, before the
    first page loads (see `mock_server.proxy.upstream_key.probe_key`)."""
    settings = state.settings
    if settings.proxy_url is None or settings.upstream_key_env is None:
        return None
    from mock_server.proxy.upstream_key import probe_key, read_upstream_key

    key = read_upstream_key(settings.upstream_key_env)
    contract = state.contract
    timeout = min(settings.proxy_timeout, 5.0)  # a start-up check: the first request says more, if it comes to that
    return probe_key(
        settings.proxy_url,
        contract.path,
        contract.api_key_header,
        key,
        settings.upstream_key_env,
        timeout,
        insecure=settings.proxy_insecure,
    )


def shown_keys(fixtures: Fixtures) -> list[str]:
    """The bundled keys are public (the docs name them); keys from your own fixtures are secrets: masked."""
    if fixtures.keys_are_public:
        return fixtures.admin_keys
    return [f"{mask_key(key)} (see {fixtures.directory})" for key in fixtures.admin_keys]


def fail(message: str) -> int:
    print(f"sivi-mock: {message}", file=sys.stderr)
    return 2


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None
