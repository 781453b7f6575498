"""Start, probe, measure and stop the servers under test: one child process each, stopped by its own PID."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"  # the bench never sends traffic anywhere else
# What every server under test gets, whatever serves it (uvicorn and granian spell these flags alike).
SERVER_FLAGS = ("--host", HOST, "--port", "{port}", "--workers", "1", "--log-level", "warning", "--no-access-log")


@dataclass(frozen=True)
class Probe:
    """The request that proves a server is up: the documented example, answered 200."""

    path: str
    body: bytes
    headers: dict[str, str]

    def status(self, port: int, timeout: float = 1.0) -> int | None:
        """The status of one probe request, or None while nothing answers on the port."""
        connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
        try:
            connection.request("POST", self.path, body=self.body, headers=self.headers)
            response = connection.getresponse()
            response.read()
            return response.status
        except OSError:
            return None
        finally:
            connection.close()


@dataclass(frozen=True)
class ServerCommand:
    """How to start one server: argv with `{port}` where the port goes, and extra environment."""

    label: str
    argv: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    port: int | None = None  # a port chosen beforehand (another server must know it); else a free one


def uvicorn_command(label: str, app: str, stack: str, env: dict[str, str] | None = None) -> ServerCommand:
    """A uvicorn app factory on one worker; `stack` is `uvloop` (uvloop + httptools) or `asyncio` (asyncio + h11)."""
    loop, http = ("uvloop", "httptools") if stack == "uvloop" else ("asyncio", "h11")
    argv = (sys.executable, "-m", "uvicorn", app, "--factory", *SERVER_FLAGS, "--loop", loop, "--http", http)
    return ServerCommand(label, argv, env or {})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class ServerProcess:
    """One server under test. `start()` returns the seconds from spawn to the first 200 answer."""

    def __init__(self, command: ServerCommand, log_dir: Path) -> None:
        self.command = command
        self.port = command.port or free_port()
        self.log_path = log_dir / f"{command.label.replace(' ', '-')}.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        assert self._process is not None, "the server was not started"
        return self._process.pid

    def start(self, probe: Probe, timeout: float = 20.0) -> float:
        argv = [part.replace("{port}", str(self.port)) for part in self.command.argv]
        with self.log_path.open("wb") as log:
            began = time.perf_counter()
            self._process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **self.command.env},
            )
        while time.perf_counter() - began < timeout:
            status = probe.status(self.port)
            if status == 200:
                return time.perf_counter() - began
            if self._process.poll() is not None:
                code = self._process.returncode
                raise RuntimeError(f"{self.command.label} exited with code {code}: {self.log_tail()}")
            if status is not None:
                raise RuntimeError(f"{self.command.label} answered the documented example with {status}, not 200")
            time.sleep(0.005)
        raise RuntimeError(f"{self.command.label} did not answer within {timeout:.0f} s: {self.log_tail()}")

    def rss_mb(self) -> float:
        """Resident memory now, in MB (10^6 bytes): VmRSS of the server and of any worker processes it spawned."""
        return sum(_rss_kb(pid) for pid in _process_tree(self.pid)) * 1024 / 1e6

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server and its workers have used so far."""
        return sum(_cpu_ticks(pid) for pid in _process_tree(self.pid)) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def log_tail(self, lines: int = 5) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return " | ".join(text.strip().splitlines()[-lines:]) or "(no output)"


def _process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (a server such as granian serves from worker processes)."""
    tree, index = [pid], 0
    while index < len(tree):
        for task in Path(f"/proc/{tree[index]}/task").glob("*/children"):
            tree.extend(int(child) for child in task.read_text().split())
        index += 1
    return tree


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime and stime (fields 14 and 15 of proc(5))


def _rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0  # the process exited since it was listed
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0  # a kernel thread or a process that just exited
