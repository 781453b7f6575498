"""Targets that are not HTTP servers at all, to prove the contract suite ends its run with one line, never a hang."""

from __future__ import annotations

import socket
import struct
import threading
import time
from typing import Self


class LoopbackListener:
    """A TCP listener on a free loopback port, accepting from a thread; `accepted` takes each connection. On exit
    the thread stops and the connections kept in `held` are closed."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)  # how soon the thread sees the exit
        self.held: list[socket.socket] = []
        self._running = True
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._running = False
        self._thread.join(5)
        for connection in self.held:
            connection.close()
        self._listener.close()

    def _accept(self) -> None:
        while self._running:
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.accepted(connection)

    def accepted(self, connection: socket.socket) -> None:
        raise NotImplementedError


class RawServer(LoopbackListener):
    """A TCP listener on a free loopback port that never answers (`hang`), resets every connection (`reset`),
    answers something that is not HTTP (`garbage`) or starts an answer and sends its headers one byte every
    50 ms, forever (`trickle`: never silent long enough for a read timeout)."""

    def __init__(self, behaviour: str) -> None:
        assert behaviour in ("hang", "reset", "garbage", "trickle")
        super().__init__()
        self.behaviour = behaviour

    def accepted(self, connection: socket.socket) -> None:
        if self.behaviour == "hang":
            self.held.append(connection)
        elif self.behaviour == "trickle":
            self.held.append(connection)
            threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()
        elif self.behaviour == "garbage":
            connection.sendall(b"220 smtp.example.com ESMTP ready\r\n")
            connection.close()
        else:
            # Linger 0: close() sends a TCP reset instead of an orderly end.
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.close()

    def _trickle(self, connection: socket.socket) -> None:
        try:
            connection.sendall(b"HTTP/1.1 200 OK\r\nX-Padding: ")
            while self._running:
                connection.sendall(b"a")
                time.sleep(0.05)
        except OSError:
            pass  # the client gave up and closed, or the server is shutting down
