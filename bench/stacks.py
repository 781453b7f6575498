"""Which server stack should serve the mock? `python -m bench.stacks [--granian PATH]` (not part of `make bench`).

Serves one app (the baseline, or the mock with `--app mock`) on each candidate stack, one worker each, and
loads them with the same wrk rounds as `make bench`, interleaved. Granian is not a dependency of the kit:
pass the `granian` binary of a scratch virtualenv that also has the kit installed, e.g.

    python3 -m venv /tmp/granian-venv
    /tmp/granian-venv/bin/pip install granian==2.8.7 -r requirements.lock && /tmp/granian-venv/bin/pip install -e .
    .venv/bin/python -m bench.stacks --granian /tmp/granian-venv/bin/granian
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from bench import report
from bench.apps import BODY_VARIABLE, PATH_VARIABLE
from bench.report import ServerRow
from bench.run import Clock, documented_probe, measure_servers
from bench.servers import SERVER_FLAGS, ServerCommand, uvicorn_command
from mock_server.spec.contract import load_contract
from mock_server.spec.fixtures import load_fixtures

APPS = {"baseline": "bench.apps:baseline", "mock": "mock_server.app:create_app"}


def granian_command(binary: str, app: str, loop: str, env: dict[str, str]) -> ServerCommand:
    argv = (binary, "--interface", "asgi", "--factory", *SERVER_FLAGS, "--loop", loop, app)
    return ServerCommand(f"granian {loop}, ASGI", argv, env)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stacks", description=__doc__.splitlines()[0])
    parser.add_argument("--app", choices=sorted(APPS), default="baseline")
    parser.add_argument("--granian", help="path of a granian binary (from a scratch virtualenv)")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args(argv)

    contract = load_contract()
    probe = documented_probe(contract, load_fixtures(None, contract).admin_keys[0])
    success = json.dumps(contract.examples_for(200)[0].value, separators=(",", ":"))
    env = {PATH_VARIABLE: contract.path, BODY_VARIABLE: success}
    app = APPS[options.app]
    commands = [
        uvicorn_command("uvicorn uvloop + httptools", app, "uvloop", env),
        uvicorn_command("uvicorn asyncio + h11", app, "asyncio", env),
    ]
    if options.granian:
        commands += [
            granian_command(options.granian, app, "uvloop", env),
            granian_command(options.granian, app, "asyncio", env),
        ]
    rows = [ServerRow(command.label) for command in commands]
    with tempfile.TemporaryDirectory(prefix="sivi-stacks-") as scratch:
        measure_servers(commands, rows, probe, "wrk", Path(scratch), Clock(600), options.seconds, options.runs, 0)
    print(f"App: {options.app}. Machine: {report.machine_description()}.\n")
    print("\n".join(report.server_table(rows, rows[0])))


if __name__ == "__main__":
    main()
