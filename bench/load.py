"""The external load generator: Debian's `wrk`, one thread, POSTing the documented example."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# The Lua side: the request, and a JSON summary that the runner parses instead of wrk's human-oriented text.
# (No per-response callback: a Lua call per response would slow wrk itself down. wrk always runs for its
# whole -d duration, so request counts are reached by choosing the duration, not by stopping early.)
_SCRIPT = """\
wrk.method = "POST"
wrk.body = {body}
{headers}

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non_2xx": %d, "socket_errors": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def ensure_wrk() -> str:
    """The path of `wrk`, installing Debian's package first when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError("wrk is not installed and installing it needs root: run `sudo apt-get install -y wrk`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "wrk"]
    print("bench: installing wrk (apt-get install -y wrk)", flush=True)
    if subprocess.run(install, env=env, capture_output=True, timeout=120).returncode != 0:
        # A fresh machine has no package lists yet; fetch them once and try again.
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, timeout=120)
        result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"apt-get install wrk failed: {result.stderr.strip().splitlines()[-1:]}")
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("apt-get installed wrk but it is not on PATH")
    return found


def write_script(directory: Path, body: bytes, headers: dict[str, str]) -> Path:
    """The wrk Lua script for one POST; it lives in the bench's temporary directory (it holds the API key)."""
    lines = "\n".join(f"wrk.headers[{_lua_string(name)}] = {_lua_string(value)}" for name, value in headers.items())
    path = directory / "post.lua"
    path.write_text(_SCRIPT.format(body=_lua_string(body.decode()), headers=lines))
    path.chmod(0o600)
    return path


def run_wrk(wrk: str, url: str, script: Path, seconds: int, connections: int = 50) -> LoadResult:
    """Load `url` for whole `seconds` with one wrk thread and `connections` keep-alive connections."""
    argv = [wrk, "-t1", f"-c{connections}", f"-d{max(1, seconds)}s", "--latency", "-s", str(script), url]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30)
    summary = next((line for line in result.stdout.splitlines() if line.startswith("{")), None)
    if result.returncode != 0 or summary is None:
        raise RuntimeError(f"wrk failed ({result.returncode}): {(result.stderr or result.stdout).strip()[-300:]}")
    data = json.loads(summary)
    return LoadResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        non_2xx=data["non_2xx"],
        socket_errors=data["socket_errors"],
    )


def _lua_string(text: str) -> str:
    # A JSON string literal is a valid Lua string literal for the ASCII text used here.
    return json.dumps(text)
