"""Where the kit keeps what it can always rebuild: the user's cache directory, never the working directory."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def cache_directory(name: str) -> Path | None:
    """`$XDG_CACHE_HOME/sivi-contract-kit/<name>` (`~/.cache/...` by default), made if need be; None when it cannot
    be made (a read-only home, say)."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sivi-contract-kit" / name
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return home


@contextlib.contextmanager
def hypothesis_home() -> Iterator[Path]:
    """Hypothesis' own directory (what `.hypothesis/` would hold: its Unicode tables, seconds to rebuild at every
    start) in the user's cache, or in a temporary directory when there is none: a run leaves nothing behind where it
    was started. For the `[contract]` extra's commands, which have Hypothesis."""
    from hypothesis.configuration import set_hypothesis_home_dir

    with tempfile.TemporaryDirectory(prefix="sivi-hypothesis-") as scratch:
        home = cache_directory("hypothesis") or Path(scratch)
        set_hypothesis_home_dir(home)
        try:
            yield home
        finally:
            set_hypothesis_home_dir(None)
