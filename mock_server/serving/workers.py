"""`sivi-mock --workers N`: N processes serving one port, each with its own listening socket (`SO_REUSEPORT`, so
the kernel spreads connections over them), forked from one parent that built the app once.

Why processes forked from one app rather than uvicorn's `--workers`: uvicorn's workers are spawned and import the
app again by name, so each would read and check the spec and fixtures again, and a program's own `Settings` (or a
broken file) would be met N times. Forked, every worker starts from the very state the parent checked and printed.
What each worker then changes stays its own (see docs/mock.md: the admin API refuses such changes when N > 1).

The parent only supervises: it forwards `SIGINT` and `SIGTERM` to the workers by their PIDs, waits for them, and
exits with the first failure among them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import traceback
from collections.abc import Callable
from types import FrameType


def reuse_port_listener(host: str, port: int) -> socket.socket:
    """A listening socket on `host:port` that other processes may listen on too."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, reuse_port=True)


def serve_in_workers(count: int, listener: socket.socket, serve: Callable[[socket.socket], None]) -> int:
    """Fork `count` workers, each serving its own listener on `listener`'s address; returns the exit status.

    `listener` (made with `reuse_port_listener`) goes to the first worker; the others bind beside it.
    """
    host, port = listener.getsockname()[:2]
    listeners = [listener, *(reuse_port_listener(host, port) for _ in range(count - 1))]
    children: list[int] = []
    for own in listeners:
        pid = os.fork()
        if pid == 0:  # the worker: serve its socket, never return into the parent's code
            for other in listeners:
                if other is not own:
                    other.close()
            status = 0
            try:
                serve(own)
            except SystemExit as stop:
                status = stop.code if isinstance(stop.code, int) else 1
            except BaseException:  # a bug: told on stderr, and the worker's exit status says it failed
                traceback.print_exc()
                status = 1
            os._exit(status)
        children.append(pid)
    for own in listeners:
        own.close()  # the parent accepts nothing: a socket left listening here would hold connections unanswered

    def forward(signum: int, frame: FrameType | None) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):  # that worker has ended already
                os.kill(child, signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    worst = 0
    try:
        for child in children:
            _, status = os.waitpid(child, 0)
            worst = worst or os.waitstatus_to_exitcode(status)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0 if worst < 0 else worst  # a worker ended by the signal the parent forwarded is a normal stop
