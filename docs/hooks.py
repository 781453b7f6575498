"""MkDocs hooks: reference tables made at build time from what they describe.

`<!-- flags: sivi-mock -->` in a page becomes that program's flag table (`<!-- flags: sivi-mock --proxy --record -->`
only those flags' rows, in the parser's order); `<!-- decisions -->` the spec decisions of `openapi.yaml`. The
tables come from `docs/reference_tables.py`, run with the kit's Python (`.venv/bin/python`, or `SIVI_KIT_PYTHON`),
since the docs' environment does not hold the kit's packages.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"<!-- flags: (?P<program>[\w-]+)(?P<flags>(?: --?[\w-]+)*) -->")
DECISIONS = "<!-- decisions -->"
_tables: dict[str, Any] = {}


def kit_python() -> str:
    return os.environ.get("SIVI_KIT_PYTHON") or str(ROOT / ".venv" / "bin" / "python")


def on_pre_build(config: Any) -> None:
    python = kit_python()
    try:
        done = subprocess.run(
            [python, str(ROOT / "docs" / "reference_tables.py")], capture_output=True, text=True, timeout=60, cwd=ROOT
        )
    except OSError as error:
        raise PluginError(
            f"the reference tables need the kit's Python ({python}: {error}); run `make env` first"
        ) from None
    if done.returncode != 0:
        raise PluginError(f"docs/reference_tables.py failed with {python}:\n{done.stderr.strip()}")
    _tables.clear()
    _tables.update(json.loads(done.stdout))


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    flags = _tables["flags"]

    def table(match: re.Match[str]) -> str:
        program, wanted = match["program"], match["flags"].split()
        if program not in flags:
            raise PluginError(f"{page.file.src_path}: no flag table for {program!r} (known: {', '.join(flags)})")
        rows = flags[program]["rows"]
        unknown = set(wanted) - {flag for row in rows for flag in row["flags"]}
        if unknown:
            raise PluginError(f"{page.file.src_path}: {program} has no flag {', '.join(sorted(unknown))}")
        chosen = [row["row"] for row in rows if not wanted or set(row["flags"]) & set(wanted)]
        return "\n".join([*flags[program]["head"], *chosen])

    decisions = "\n".join([*_tables["decisions"]["head"], *_tables["decisions"]["rows"]])
    return MARKER.sub(table, markdown).replace(DECISIONS, decisions)
