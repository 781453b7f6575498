"""Public names of a package, imported from their modules when first used (PEP 562).

A package states each public name once, as an import under `if TYPE_CHECKING:` in its `__init__.py`, written
`from home import name as name` (PEP 484's mark of a re-export). Type checkers read that statement; at run time
`lazy_names` reads the same statements for the name's home, and the package's `__all__`:

    if TYPE_CHECKING:
        from mock_server.app import create_app as create_app

    __getattr__, __dir__, __all__ = lazy_names(__name__, __file__)
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any


def lazy_names(package: str, init_file: str) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """`__getattr__`, `__dir__` and `__all__` for `package`, whose `__init__.py` is `init_file`."""
    homes = public_homes(init_file)

    def __getattr__(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(homes[name]), name)

    def __dir__() -> list[str]:
        return sorted({*vars(importlib.import_module(package)), *homes})

    return __getattr__, __dir__, sorted(homes)


def public_homes(init_file: str) -> dict[str, str]:
    """Each name imported under `if TYPE_CHECKING:` in `init_file`, and the module it comes from."""
    homes = {}
    for node in ast.parse(Path(init_file).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and statement.module is not None:
                    homes.update({alias.asname or alias.name: statement.module for alias in statement.names})
    return homes
