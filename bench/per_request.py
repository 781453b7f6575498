"""Where a request's time goes, in-process: `python -m bench.per_request [--requests N]`.

The kit's server protocol (and, for the ASGI path, uvicorn's own) is fed the bench's request through a transport
that discards what is written: no sockets, no wrk, so what is left is the Python of one request. Each figure is the
best of 5 rounds of CPU time (`time.process_time`, so the neighbours' load counts little), less an empty turn of the
event loop; the parts are timed alone, the same way. `docs/performance.md` has the table it prints.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
import uvloop
from uvicorn.server import ServerState

from bench.apps import BODY_VARIABLE, PATH_VARIABLE, baseline
from bench.run import documented_probe
from mock_server.app import create_app
from mock_server.mock.replies import send_reply
from mock_server.mock.state import answer_facts
from mock_server.serving.protocol import with_request_deadline
from mock_server.settings import Settings
from mock_server.spec.contract import load_contract
from mock_server.spec.fixtures import load_fixtures

ROUNDS = 5
ASGI_TURNS = 8  # turns of the loop an ASGI request takes to be answered (task, receive, two sends)


class DiscardingTransport:
    """What the protocol writes to, as far as it asks: open, writable, and nowhere."""

    def write(self, data: bytes) -> None:
        pass

    def is_closing(self) -> bool:
        return False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 4010), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def close(self) -> None:
        pass


def best_us(rounds: int, requests: int, one: Callable[[], object]) -> float:
    """The best of `rounds` of `requests` calls of `one`, in µs of CPU a call."""
    best = float("inf")
    for _ in range(rounds):
        began = time.process_time()
        for _ in range(requests):
            one()
        best = min(best, time.process_time() - began)
    return best / requests * 1e6


async def best_async_us(requests: int, one: Callable[[], Awaitable[object]]) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        began = time.process_time()
        for _ in range(requests):
            await one()
        best = min(best, time.process_time() - began)
    return best / requests * 1e6


def raw_request(path: str, headers: dict[str, str], body: bytes, extra: str = "") -> bytes:
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:4010\r\n{head}{extra}content-length: {len(body)}\r\n\r\n".encode()
        + body
    )


async def served_us(app: Any, http: Any, requests: list[bytes], turns: int) -> float:
    """µs of Python a request, `requests` fed in turn on one keep-alive connection, less the loop's empty turns."""
    config = uvicorn.Config(app, http=http, log_level="warning", proxy_headers=False)
    config.load()
    protocol = config.http_protocol_class(config=config, server_state=ServerState(), app_state={})  # type: ignore[call-arg]
    protocol.connection_made(DiscardingTransport())  # type: ignore[arg-type]

    async def one(data: bytes) -> None:
        protocol.data_received(data)
        for _ in range(turns):
            await asyncio.sleep(0)

    async def empty() -> None:
        for _ in range(turns):
            await asyncio.sleep(0)

    count = len(requests)
    for data in requests[:2000]:
        await one(data)
    position = iter(range(10**9))
    served = await best_async_us(count, lambda: one(requests[next(position) % count]))
    return served - await best_async_us(count, empty)


async def measure(count: int) -> list[tuple[str, float]]:
    contract = load_contract()
    probe = documented_probe(contract, load_fixtures(None, contract).admin_keys[0])
    known = raw_request(probe.path, probe.headers, probe.body)
    # A request that differs from every other one (a header's value), so that none is known by its bytes.
    differing = [raw_request(probe.path, probe.headers, probe.body, f"x-request: {n}\r\n") for n in range(count)]
    fast = create_app(Settings())
    own = with_request_deadline(10.0)
    rows = [
        ("fast path, a request read again in the same bytes", await served_us(fast, own, [known] * count, 1)),
        ("fast path, each request parsed", await served_us(fast, own, differing, 1)),
    ]
    state = fast.state.mock
    asked = fast.ready_answers.ask([(b"sivi-api-key", probe.headers["sivi-api-key"].encode())], probe.body)  # type: ignore[union-attr]
    asked.answer()
    facts = asked.facts
    assert facts is not None
    rows += [
        ("  the answer asked again: journal entry, coverage, count", best_us(ROUNDS, count, asked.answer)),
        ("    the journal entry alone", best_us(ROUNDS, count, lambda: state.journal.record(facts, None))),
        ("    the answer coverage alone", best_us(ROUNDS, count, lambda: state.coverage.add(None, "200", False))),
    ]
    os.environ.setdefault(PATH_VARIABLE, contract.path)
    os.environ.setdefault(BODY_VARIABLE, json.dumps(contract.examples_for(200)[0].value, separators=(",", ":")))
    asgi = create_app(Settings(no_fast_path=True))
    rows += [
        (
            "baseline: bare Starlette under uvicorn",
            await served_us(baseline(), "httptools", [known] * count, ASGI_TURNS),
        ),
        ("ASGI path: the mock under uvicorn", await served_us(asgi, "httptools", [known] * count, ASGI_TURNS)),
    ]
    loaded = asgi.state.mock.loaded
    content_types = [b"application/json"]
    reply = loaded.replies.not_found
    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")]

    async def no_send(message: Any) -> None:
        pass

    rows += [
        ("  the key's check", best_us(ROUNDS, count, lambda: loaded.keys.check([b"mock-admin-key"]))),
        (
            "  the body read before (strict JSON, schema)",
            best_us(ROUNDS, count, lambda: loaded.request_ids(content_types, probe.body)),
        ),
        (
            "  the journal entry and coverage",
            best_us(
                ROUNDS,
                count,
                lambda: asgi.state.mock.answered("POST", contract.path, b"", headers, probe.body, reply, None),
            ),
        ),
        (
            "    of which making the entry's facts",
            best_us(ROUNDS, count, lambda: answer_facts("POST", contract.path, b"", headers, probe.body, reply)),
        ),
        (
            "  the answer's two ASGI messages (to no server)",
            await best_async_us(count, lambda: send_reply(no_send, reply)),
        ),
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.per_request", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000, help="requests a round (default 20000)")
    options = parser.parse_args()
    rows = uvloop.run(measure(options.requests))
    print("| part | µs of Python a request |\n| --- | ---: |")
    for label, us in rows:
        print(f"| {label.strip()}{' (part)' if label.startswith(' ') else ''} | {us:.1f} |")


if __name__ == "__main__":
    main()
