"""`--reload`: watch the spec and the fixtures; read them again off the event loop when they change (requests are
answered meanwhile), swap them in between requests."""

from __future__ import annotations

import asyncio
from pathlib import Path

from mock_server.mock.state import MockState
from mock_server.spec.fixtures import BUNDLED_FIXTURES

POLL_SECONDS = 0.5


def snapshot(spec: Path, fixtures_dir: Path) -> tuple[tuple[str, float, int], ...]:
    """What a change looks like: names, mtimes and sizes of the spec and every fixture file."""
    paths = [spec, *sorted(fixtures_dir.glob("*.y*ml"))]
    found = []
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        found.append((str(path), stat.st_mtime, stat.st_size))
    return tuple(found)


async def watch_files(state: MockState) -> None:
    # Polling costs a few stat calls a second and needs no extra dependency or OS support.
    spec, fixtures_dir = state.settings.spec_path, state.settings.fixtures_dir or BUNDLED_FIXTURES
    seen = snapshot(spec, fixtures_dir)
    while True:
        await asyncio.sleep(POLL_SECONDS)
        now = snapshot(spec, fixtures_dir)
        if now != seen:
            seen = now
            state.use_files(await asyncio.to_thread(state.read_files))
