"""The house keeps its floors: each part of `mock_server` imports only the parts below it, no two modules import
each other in a circle, and the contract suite reaches into the mock only through the spec, the judgement and the
background server. The imports are read from the source (every `import`, at any depth of a module)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The floors of mock_server, lowest first: a module may import its own part and the parts of lower floors.
BASE = (
    "errors",
    "strict_json",
    "types",
    "secret",
    "loopback",
    "lazy",
    "distribution",
    "faults",
    "user_cache",
    "command_line",
)
FLOORS: list[tuple[str, ...]] = [
    ("errors",),  # the ground: every module may raise the kit's errors
    BASE[1:],
    ("spec",),
    ("settings",),
    ("judgement", "serving", "mock"),
    ("proxy",),
    ("app", "pytest_plugin", "admin_client", "cli", "__main__", "__init__"),
]
# What else a part may import, against the floors: the mock's admin API filters its journal by the verdicts'
# words, which `judgement.verdict` defines without loading any check.
EXCEPTIONS = {("mock", "judgement.verdict")}
# What the contract suite may import from mock_server: its public names, the spec, the judgement, the background
# server for its in-process target, and the base helpers.
SUITE_MAY_IMPORT = ("", "spec", "judgement", "serving.background", *BASE)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def kit_modules(package: str) -> dict[str, set[str]]:
    modules = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        if "static" not in path.parts:
            modules[module_name(path)] = {name for name in imports_of(path) if name.startswith("mock_server")}
    return modules


MOCK_SERVER = kit_modules("mock_server")


def part_of(module: str) -> str:
    """`mock_server.mock.endpoint` -> `mock`; `mock_server.settings` -> `settings`; `mock_server` -> `__init__`."""
    parts = module.split(".")[1:]
    return parts[0] if parts else "__init__"


def floor_of(part: str) -> int:
    return next(index for index, floor in enumerate(FLOORS) if part in floor)


def existing(name: str) -> str | None:
    """The module `name` denotes (an imported name is its module's), or None."""
    while name:
        if name in MOCK_SERVER:
            return name
        name = name.rpartition(".")[0]
    return None


def test_every_part_has_a_floor():
    parts = {part_of(module) for module in MOCK_SERVER}
    placed = {part for floor in FLOORS for part in floor}
    assert parts <= placed, f"parts of mock_server on no floor of this test: {sorted(parts - placed)}"


def test_imports_go_down_floors():
    """No part of mock_server imports from a floor above or beside it."""
    upward = []
    for module, imported in MOCK_SERVER.items():
        part = part_of(module)
        for name in filter(None, map(existing, imported)):
            other = part_of(name)
            beside = floor_of(other) == floor_of(part) and other != part and floor_of(part) != len(FLOORS) - 1
            inner = ".".join(name.split(".")[1:3])
            if (floor_of(other) > floor_of(part) or beside) and (part, inner) not in EXCEPTIONS:
                upward.append(f"{module} imports {name}")
    assert not upward, "imports from a floor above or beside:\n" + "\n".join(upward)


def test_no_import_circles():
    graph = {module: {found for found in map(existing, imported) if found and found != module}
             for module, imported in MOCK_SERVER.items()}  # fmt: skip
    circles = []
    for start in graph:
        stack = [(start, [start])]
        while stack:
            module, path = stack.pop()
            for following in graph[module]:
                if following == start and not following.endswith("__init__"):
                    circles.append(" -> ".join([*path, start]))
                elif following not in path and following > start:
                    stack.append((following, [*path, following]))
    # A package's __init__ importing its own modules is no circle of logic: only modules count.
    real = [circle for circle in circles if not any(part.count(".") < 2 for part in circle.split(" -> ")[1:-1])]
    assert not real, "import circles:\n" + "\n".join(real)


def test_suite_imports_of_the_mock():
    """The contract suite reaches the mock only through the spec, the judgement and the background server."""
    allowed = tuple(f"mock_server.{part}".rstrip(".") for part in SUITE_MAY_IMPORT)
    reached = []
    for path in sorted((ROOT / "contract_tests").rglob("*.py")):
        for name in imports_of(path):
            if not name.startswith("mock_server"):
                continue
            module = existing(name) or name
            inside = any(module == prefix or module.startswith(prefix + ".") for prefix in allowed[1:])
            if not inside and module != "mock_server":
                reached.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not reached, "contract_tests reaches into mock_server beyond its allowed parts:\n" + "\n".join(reached)


def test_plain_mock_skips_judgement():
    """`sivi-mock` without `--proxy` serves from the fixtures: the checks and the proxy's client stay unloaded."""
    probe = (
        "import sys\n"
        "from mock_server import create_app\n"
        "create_app()\n"
        "print(sorted(m for m in sys.modules if m.startswith(('mock_server.judgement.', 'mock_server.proxy'))))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['mock_server.judgement.verdict']", f"the plain mock loads {loaded.strip()}"
