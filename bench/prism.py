"""Prism, the usual OpenAPI mock server, as an optional comparison row (only where `npm` is available)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from bench.servers import HOST, ServerCommand

PACKAGE = "@stoplight/prism-cli"
VERSION = "5.16.0"  # pinned: the comparison must not drift with npm's "latest"
PREFIX = Path(__file__).resolve().parent / ".prism"  # bench-local, git-ignored (bench/.gitignore)
BINARY = PREFIX / "node_modules" / ".bin" / "prism"
STAMP = PREFIX / f"installed-{VERSION}"


def prism_command(spec: Path, install_timeout: float) -> tuple[ServerCommand | None, str]:
    """The command that serves `spec` with Prism, installing the pinned version first if needed.

    Returns (None, reason) when Prism cannot be had; the bench then shows the reason in Prism's row.
    """
    why_not = install_prism(install_timeout)
    if why_not:
        return None, why_not
    # Prism's defaults, as its users run it (it logs every request; the log goes to a file here).
    return ServerCommand(f"Prism {VERSION}", (str(BINARY), "mock", "-h", HOST, "-p", "{port}", str(spec))), ""


def prism_proxy_command(spec: Path, upstream: str, install_timeout: float) -> tuple[ServerCommand | None, str]:
    """Prism's validating proxy in front of `upstream` (it checks every answer against `spec` and logs findings)."""
    why_not = install_prism(install_timeout)
    if why_not:
        return None, why_not
    argv = (str(BINARY), "proxy", "-h", HOST, "-p", "{port}", str(spec), upstream)
    return ServerCommand(f"Prism {VERSION} proxy", argv), ""


def install_prism(install_timeout: float) -> str:
    """Install the pinned Prism unless it is there; the reason it cannot be had, or "" when it can."""
    if not STAMP.exists():
        npm = shutil.which("npm")
        if npm is None:
            return "skipped: npm is not installed"
        if install_timeout < 10:
            return "skipped: no time left to install it"
        print(f"bench: installing {PACKAGE}@{VERSION} into {PREFIX}", flush=True)
        PREFIX.mkdir(exist_ok=True)
        argv = [
            npm,
            "install",
            "--prefix",
            str(PREFIX),
            "--no-audit",
            "--no-fund",
            "--no-save",
            "--loglevel=error",
            f"{PACKAGE}@{VERSION}",
        ]
        try:
            result = subprocess.run(argv, capture_output=True, text=True, timeout=install_timeout)
        except subprocess.TimeoutExpired:
            return f"skipped: npm install took longer than {install_timeout:.0f} s"
        if result.returncode != 0 or not BINARY.exists():
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            return f"skipped: npm install failed ({last})"
        STAMP.touch()
    return ""
