"""The raw ceiling: uvloop + httptools answering every request with the documented success envelope as fixed bytes.

`python -m bench.ceiling --port N` (the runner passes the body in `SIVI_BENCH_BODY`). No ASGI, no routing, no
reading of the request beyond what the parser needs to find where it ends: the most Python on this machine can
answer the endpoint, and so the ceiling the mock's own protocol-level fast path is measured against.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from typing import cast

import httptools
import uvloop

from bench.apps import BODY_VARIABLE
from bench.servers import HOST, ServerCommand

LABEL = "raw ceiling: uvloop + httptools, fixed bytes"


def ceiling_command(body: str) -> ServerCommand:
    """The ceiling as the bench starts it, answering `body` (the documented success envelope)."""
    argv = (sys.executable, "-m", "bench.ceiling", "--host", HOST, "--port", "{port}")
    return ServerCommand(LABEL, argv, {BODY_VARIABLE: body})


def fixed_answer(body: bytes) -> bytes:
    head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    return head.encode() + body


class FixedAnswerProtocol(asyncio.Protocol):
    """One connection: every complete request is answered with the same bytes, keep-alive."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass asyncio's

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self.transport is not None:
                self.transport.close()

    def on_message_complete(self) -> None:
        if self.transport is not None:
            self.transport.write(self.answer)


async def serve(host: str, port: int, answer: bytes) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: FixedAnswerProtocol(answer), host, port, reuse_address=True)
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with server:
        await stop


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ceiling", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    options = parser.parse_args()
    uvloop.run(serve(options.host, options.port, fixed_answer(os.environ[BODY_VARIABLE].encode())))


if __name__ == "__main__":
    main()
