"""Upstreams that answer raw bytes, scripted per request, for the proxy's tests: hostile as an attacker's server is.

`ScriptedUpstream(answer)` listens on a free loopback port, reads each request whole (head, then `content-length`
bytes of body), keeps it, and writes whatever `answer(request)` returns, byte for byte: a gzip bomb, a `101`, a
status of 999, an answer followed by a second one. `None` reads the request and closes the connection without a
word. Connections are kept open between requests (keep-alive) unless the answer says `connection: close`.
"""

from __future__ import annotations

import functools
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mock_server.spec.contract import load_contract
from tests.raw_targets import LoopbackListener
from tests.toy_servers import KNOWN_USER

PATH = "/enterprise/account-analysis"


@dataclass(frozen=True)
class Received:
    head: bytes
    body: bytes
    connection: int  # which connection (in the order accepted) carried it

    def header(self, name: str) -> str | None:
        for line in self.head.split(b"\r\n")[1:]:
            key, _, value = line.partition(b":")
            if key.strip().lower() == name.lower().encode():
                return value.strip().decode("latin-1")
        return None


Answer = Callable[[Received], bytes | None]


class ScriptedUpstream(LoopbackListener):
    """An upstream that answers each request it reads with what `answer` returns for it (None: closes without
    answering), on keep-alive connections, keeping every request in `requests`."""

    def __init__(self, answer: Answer) -> None:
        super().__init__()
        self.answer = answer
        self.requests: list[Received] = []
        self.connections = 0

    def accepted(self, connection: socket.socket) -> None:
        self.connections += 1
        self.held.append(connection)
        threading.Thread(target=self._serve, args=(connection, self.connections), daemon=True).start()

    def _serve(self, connection: socket.socket, number: int) -> None:
        buffered = b""
        try:
            while self._running:
                while b"\r\n\r\n" not in buffered:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    buffered += chunk
                head, _, buffered = buffered.partition(b"\r\n\r\n")
                request = Received(head, b"", number)
                length = int(request.header("content-length") or 0)
                while len(buffered) < length:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    buffered += chunk
                request = Received(head, buffered[:length], number)
                buffered = buffered[length:]
                self.requests.append(request)
                answer = self.answer(request)
                if answer is None:
                    return
                connection.sendall(answer)
                if b"\r\nconnection: close\r\n" in answer.split(b"\r\n\r\n", 1)[0].lower() + b"\r\n":
                    return
        except OSError:
            pass
        finally:
            connection.close()


def http(status: int, body: bytes, *headers: str, reason: str = "X") -> bytes:
    """An answer with a `content-length`, and `headers` as `name: value` lines."""
    lines = [f"HTTP/1.1 {status} {reason}", *headers, f"content-length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body


def json_answer(status: int, document: Any, *headers: str) -> bytes:
    return http(status, json.dumps(document).encode(), "content-type: application/json", *headers)


@functools.cache
def _example() -> str:
    return json.dumps(load_contract().examples["documentedUser"].value["body"])


def analysis() -> dict[str, Any]:
    """A success body that conforms: the spec's own example (a new copy each time)."""
    return dict(json.loads(_example()))


def conforming(*headers: str, **extra: Any) -> bytes:
    """The 200 a correct upstream gives for the known user (`extra`: properties added to its body)."""
    return json_answer(200, {"status": 200, "body": {**analysis(), **extra}}, *headers)


def known_user() -> dict[str, str]:
    return {"abstractUserId": KNOWN_USER}
