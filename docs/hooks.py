"""MkDocs hooks: `<!-- flags: sivi-mock -->` in a page becomes that program's flag table, made at build time;
`<!-- flags: sivi-mock --proxy --record -->` only those flags' rows, in the parser's order.

The tables come from the argument parsers through `docs/flag_tables.py`, run with the kit's Python
(`.venv/bin/python`, or `SIVI_KIT_PYTHON`), since the docs' environment does not hold the kit's packages.
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
_tables: dict[str, dict[str, Any]] = {}


def kit_python() -> str:
    return os.environ.get("SIVI_KIT_PYTHON") or str(ROOT / ".venv" / "bin" / "python")


def on_pre_build(config: Any) -> None:
    python = kit_python()
    try:
        done = subprocess.run(
            [python, str(ROOT / "docs" / "flag_tables.py")], capture_output=True, text=True, timeout=60, cwd=ROOT
        )
    except OSError as error:
        raise PluginError(f"the flag tables need the kit's Python ({python}: {error}); run `make env` first") from None
    if done.returncode != 0:
        raise PluginError(f"docs/flag_tables.py failed with {python}:\n{done.stderr.strip()}")
    _tables.clear()
    _tables.update(json.loads(done.stdout))


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    def table(match: re.Match[str]) -> str:
        program, wanted = match["program"], match["flags"].split()
        if program not in _tables:
            raise PluginError(f"{page.file.src_path}: no flag table for {program!r} (known: {', '.join(_tables)})")
        rows = _tables[program]["rows"]
        unknown = set(wanted) - {flag for row in rows for flag in row["flags"]}
        if unknown:
            raise PluginError(f"{page.file.src_path}: {program} has no flag {', '.join(sorted(unknown))}")
        chosen = [row["row"] for row in rows if not wanted or set(row["flags"]) & set(wanted)]
        return "\n".join([*_tables[program]["head"], *chosen])

    return MARKER.sub(table, markdown)
