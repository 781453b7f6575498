"""The real key (`--upstream-key-env`): read once and checked at start, probed once, never handed back.

The key's power stays with the developer: it is read from the environment (never a flag others can see), refused
at start when it cannot go in a header, tried once at start so that a wrong key is named before the first page
loads, and every answer that carries it back (an upstream that echoes it in a header or a body) is refused whole.
"""

from __future__ import annotations

import asyncio
import json
import os
from urllib.parse import unquote

from mock_server.errors import ProxySetupError, UpstreamError
from mock_server.types import TextHeaders

# A key goes upstream as a header value: printable ASCII (RFC 9110 5.5 allows more, but no API key needs it and a
# proxy that sends what the upstream reads another way is a proxy that leaks).
_HEADER_SAFE = frozenset(chr(code) for code in range(0x20, 0x7F))


def read_upstream_key(variable: str) -> str:
    """The key in environment variable `variable`; `ProxySetupError` naming the variable (never the key)."""
    key = os.environ.get(variable, "").strip()
    if not key or not key.isprintable():
        raise ProxySetupError(f"--upstream-key-env {variable}: that environment variable is empty or not one line")
    if not set(key) <= _HEADER_SAFE:
        raise ProxySetupError(
            f"--upstream-key-env {variable}: the key has characters that cannot go in an HTTP header"
            " (printable ASCII only)"
        )
    return key


def echo_of(key: str, headers: TextHeaders, body: bytes) -> str | None:
    """Where an answer carries `key` back (`the header 'x-debug'`, `the body`), or None when it does not.

    Looked for as sent, percent-decoded in headers, and JSON-unescaped in the body (`\\u0073k-...` is the same
    text to any client that parses it).
    """
    for name, value in headers:
        if key in name or key in value or ("%" in value and key in unquote(value)):
            return f"the header {name!r}"
    if key.encode() in body:
        return "the body"
    if b"\\" in body:
        try:
            text = json.dumps(json.loads(body), ensure_ascii=False)
        except (ValueError, RecursionError):
            return None
        if key in text:
            return "the body"
    return None


def probe_key(
    url: str, path: str, key_header: str, key: str, variable: str, timeout: float, *, insecure: bool = False
) -> str | None:
    """One request at start, `{}` with the real key: a 401 says the key is refused (the API checks the key before
    the body). A warning line, or None when the key was taken or nothing could be told (the first request will)."""
    from mock_server.proxy.client import Upstream  # only a proxy with a real key loads the client at start

    async def ask() -> int | None:
        upstream = Upstream(url, path, timeout=timeout, insecure=insecure)
        headers = [("content-type", "application/json"), (key_header, key)]
        try:
            return (await upstream.send("POST", headers, b"{}")).status
        except UpstreamError:
            return None
        finally:
            await upstream.close()

    if asyncio.run(ask()) != 401:
        return None
    return refused_key_message(variable, url)


def refused_key_message(variable: str, url: str) -> str:
    return (
        f"the upstream refuses the key in ${variable} (401 from {url}): set it to an Enterprise admin key of that"
        " deployment and restart"
    )
