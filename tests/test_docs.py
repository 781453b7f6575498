"""The docs site builds with no warning, its tables are made from the code, and what it (or the README) names exists.

The site is built once per run with `mkdocs build --strict` from the docs' own environment (`.venv-docs`, which
`make test` sets up): a broken link, a missing anchor or page, or a page left out of the navigation fails it.
"""

from __future__ import annotations

import contextlib
import fnmatch
import html
import io
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from answer_mutation.cli import command as mutate_command
from bench import proxy as bench_proxy
from bench import run as bench_run
from bench import stacks as bench_stacks
from contract_tests.cli import command as contract_command
from mock_server.cli import command as mock_command
from mock_server.spec.contract import load_contract
from spec_diff.cli import diff_command
from tests.helpers import CHROMIUM_FLAGS, chromium

ROOT = Path(__file__).resolve().parent.parent

# One worker runs this module under `pytest -n`: the site is built once.
pytestmark = pytest.mark.xdist_group("docs")
DOCS = ROOT / "docs"
MKDOCS = ROOT / ".venv-docs" / "bin" / "mkdocs"
# Where each command's generated flag table lives in the built site.
REFERENCE_PAGES = {
    "sivi-mock": ("mock.html", mock_command),
    "sivi-contract": ("contract-suite.html", contract_command),
    "sivi-spec": ("spec-diff.html", diff_command),
    "sivi-mutate": ("answer-mutation.html", mutate_command),
}
# The bench's commands, whose flags the docs name too: each `main` reads its own command line.
BENCH_COMMANDS = {"bench.run": bench_run.main, "bench.stacks": bench_stacks.main, "bench.proxy": bench_proxy.main}
# Flags of programs that are not the kit's, as the pages use them: with the program that owns each.
README_LINES = 150  # a newcomer reads it in two minutes; the detail lives in docs/
OTHER_PROGRAMS_FLAGS = {
    "--help": "every command",
    "--pyargs": "pytest",
    "--fail-severity": "Spectral",
    "--latency": "wrk",
    "--timeout": "pytest-timeout",
    "--dist": "pytest-xdist",
    "--strict": "mkdocs build",
    "--errors": "prism proxy",
    "--resolution": "uv pip install",
    "--path": "openapi-python-client generate",
    "--meta": "openapi-python-client generate",
    "--output-path": "openapi-python-client generate",
    "--test": "node",
    "--http2": "curl",
}


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def code_in(markdown: str) -> list[str]:
    """The fenced blocks and inline code spans of a page: where commands, flags and paths are written."""
    fenced = re.findall(r"^```.*?^```", markdown, flags=re.S | re.M)
    prose = re.sub(r"^```.*?^```", "", markdown, flags=re.S | re.M)
    return fenced + re.findall(r"`([^`\n]+)`", prose)


# For the session: under `pytest -n` a worker may come back to this module after others, and a module's
# fixture would be made again.
@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not MKDOCS.exists():
        pytest.fail(
            f"{MKDOCS.relative_to(ROOT)} is missing: `make test` (or `make docs`) sets up the docs' environment"
        )
    out = tmp_path_factory.mktemp("site")
    environ = {**os.environ, "SIVI_KIT_PYTHON": sys.executable, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [str(MKDOCS), "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, f"`mkdocs build --strict` failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}"
    warnings = [line for line in done.stderr.splitlines() if line.startswith("WARNING")]
    assert not warnings, "the docs build warned:\n" + "\n".join(warnings)
    return out


def test_site_builds_cleanly(site: Path) -> None:
    """The site builds with no warning and every page in it."""
    built = {path.with_suffix(".md").name for path in site.glob("*.html")}
    missing = {path.name for path in DOCS.glob("*.md")} - built
    assert not missing, f"pages not built: {sorted(missing)}"


def test_offline_page_fetches_nothing(site: Path) -> None:
    """`site/` is read offline (file://, no server, no network): no page loads a script, style or font from a host."""
    remote = {
        f"{page.name}: {url}"
        for page in site.glob("*.html")
        for url in re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="((?:https?:)?//[^"]+)"', page.read_text())
    }
    assert not remote, "pages that fetch from the network when opened:\n" + "\n".join(sorted(remote))


def test_offline_search_works(site: Path, tmp_path: Path) -> None:
    """Opened as a file, as `make docs` says: Chromium starts no Web Worker from file://, which hid Material's search;
    the kit's worker shim (`docs/javascripts/iframe-worker.js`) runs it. `?q=` types the query, as a reader would."""
    word = "deadline"
    done = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path}", f"{(site / 'mock.html').as_uri()}?q={word}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    page = done.stdout
    search_box = re.search(r'<div class="md-search" data-md-component="search"[^>]*>', page)
    assert search_box, f"no search box on the page:\n{done.stderr[-2000:]}"
    assert "hidden" not in search_box[0], "the search box is hidden: the search could not start from file://"
    meta = re.search(r'class="md-search-result__meta">([^<]*)<', page)
    assert meta and re.fullmatch(r"\d+ matching documents?", meta[1].strip()), f"no search results: {meta and meta[1]}"
    found = set(re.findall(r'<a href="file://[^"?#]*/([\w-]+\.html)\?[^"]*" class="md-search-result__link"', page))
    linked = sorted(name for name in found if word in (site / name).read_text().lower())
    assert linked, f"no result leads to a page that has the word {word!r}: {sorted(found)}"


@pytest.mark.parametrize("program", REFERENCE_PAGES)
def test_every_flag_documented(site: Path, program: str) -> None:
    page, command = REFERENCE_PAGES[program]
    html = (site / page).read_text()
    assert "<!-- flags" not in html, f"{page}: a flag table marker was left in the page instead of the table"
    flags = [name for option in command().listed for name in option.flags if name.startswith("--")]
    # In a table row's first cell, alone or after its short form: `-h`, `--help`.
    absent = [flag for flag in flags if not re.search(rf"<td>(<code>[^<]*</code>, )*<code>{re.escape(flag)}[ <]", html)]
    assert not absent, f"{program} flags missing from {page}: {absent}"


def text_of(cell: str) -> str:
    """A table cell as a reader sees it: markup, code ticks and emphasis gone, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", cell)).replace("`", "").replace("*", "").split())


def test_decisions_page_is_complete(site: Path) -> None:
    """The decisions page shows every decision of the spec as openapi.yaml words it."""
    page = (site / "spec-decisions.html").read_text()
    assert "<!-- decisions" not in page, "the decisions marker was left in the page instead of the table"
    assert "<th>decision</th>" in page, "docs/spec-decisions.md shows no decisions table (`<!-- decisions -->`)"
    table = page.split("<th>decision</th>", 1)[1].split("</table>", 1)[0]
    shown = [[text_of(cell) for cell in re.findall(r"<td>(.*?)</td>", row, flags=re.S)] for row in table.split("<tr>")]
    shown = [row for row in shown if row]
    catalogue = load_contract().decisions.catalogue.values()
    expected = [
        [text_of(text) for text in (d.name, d.question, d.docs, d.decides, d.why, d.default_run)] for d in catalogue
    ]
    assert [row[0] for row in shown] == [row[0] for row in expected], "the page's decisions differ from openapi.yaml's"
    for row, wanted in zip(shown, expected, strict=True):
        assert row == wanted, f"the page's row {row[0]!r} says otherwise than openapi.yaml's x-decisions"


def help_of(main: Callable[[list[str]], object]) -> str:
    """What `--help` prints, asked of the command's `main` in this process (no interpreter start-up each)."""
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown), pytest.raises(SystemExit):
        main(["--help"])
    return shown.getvalue()


def kit_flags(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Every flag the kit's own commands take, with the command."""
    owners = {}
    for program, (_, command) in REFERENCE_PAGES.items():
        for option in command().listed:
            owners.update(dict.fromkeys(option.flags, program))
    for module, main in BENCH_COMMANDS.items():
        owners.update(dict.fromkeys(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", help_of(main)), module))
    # The kit's pytest plugin adds its own to pytest's: pytest's --help, in this process, from a folder with no
    # conftest or ini of the kit's own tests, with the plugins an install loads.
    monkeypatch.chdir(DOCS)
    capsys.readouterr()
    pytest.main(["--help", "-p", "no:cacheprovider"])
    pytest_help = capsys.readouterr().out
    owners.update(dict.fromkeys(re.findall(r"(?<![\w-])--sivi-[a-z0-9-]*", pytest_help), "pytest (the kit's plugin)"))
    return owners


def test_documented_flags_exist(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    known = {**OTHER_PROGRAMS_FLAGS, **kit_flags(capsys, monkeypatch)}
    gone = []
    for page in pages():
        for code in code_in(page.read_text()):
            gone += [
                f"{page.name}: {flag}" for flag in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", code) if flag not in known
            ]
    assert not gone, "flags the docs name that no command takes any more:\n" + "\n".join(sorted(set(gone)))


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return listed.splitlines()


def ignored_by_git(path: str) -> bool:
    return subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0


def test_documented_paths_exist() -> None:
    files = tracked_files()
    top_level = {name.split("/", 1)[0] for name in files}
    missing = []
    for page in pages():
        for code in code_in(page.read_text()):
            for path in re.findall(r"^[\w.-]+(?:/[\w.*-]*)*$", code.strip().rstrip(".,:;")):
                first = path.split("/", 1)[0]
                if first not in top_level or ("/" not in path and "." not in path):
                    continue  # not a path into this repository: a flag value, a host, a key, a module name
                prefix = path.rstrip("/")
                exists = any(
                    name == prefix or name.startswith(prefix + "/") or fnmatch.fnmatch(name, prefix) for name in files
                )
                if not exists and not ignored_by_git(path):  # a git-ignored path is made at run time
                    missing.append(f"{page.name}: {path}")
    assert not missing, "paths the docs name that are not in the repository:\n" + "\n".join(missing)


def test_readme_links_resolve() -> None:
    readme = (ROOT / "README.md").read_text()
    links = [target.split("#", 1)[0] for target in re.findall(r"\]\(([^)\s]+)\)", readme)]
    broken = [link for link in links if link and "://" not in link and not (ROOT / link).exists()]
    assert not broken, f"README.md links to paths that do not exist: {broken}"


def test_readme_is_two_minute_read() -> None:
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= README_LINES, f"README.md has {len(lines)} lines: move detail into a page of docs/"


def test_documented_make_targets_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([\w.-]+):", makefile, flags=re.M))
    named = {
        f"{page.name}: make {target}"
        for page in pages()
        for code in code_in(page.read_text())
        for target in re.findall(r"(?<![\w-])make ([a-z][\w-]*)", code)
        if target not in targets
    }
    assert not named, "make targets the docs name that the Makefile does not have:\n" + "\n".join(sorted(named))


def test_layout_table_is_complete() -> None:
    """Every module, at every depth, has its row; every path a row names is still there."""
    layout = (DOCS / "contributing.md").read_text()
    named = set(code_in(layout))
    modules = [
        path.relative_to(ROOT).as_posix()
        for package in ("mock_server", "contract_tests", "spec_diff", "answer_mutation")
        for path in sorted((ROOT / package).rglob("*.py"))
        if "static" not in path.parts
    ]
    absent = [module for module in modules if not any(fnmatch.fnmatch(module, span) for span in named)]
    assert not absent, f"modules docs/contributing.md's layout table does not name: {absent}"
    rows = [line for line in layout.splitlines() if line.startswith("| ")]
    paths = {
        span
        for row in rows
        for span in code_in(row)
        if span.startswith(("mock_server/", "contract_tests/", "spec_diff/", "answer_mutation/"))
    }
    stale = sorted(span for span in paths if not list(ROOT.glob(span.rstrip("/"))))
    assert not stale, f"docs/contributing.md's layout table names paths that are gone: {stale}"


class Outcomes:
    """A plugin for a pytest run in this process: how many tests ended in each outcome, and each failure."""

    def __init__(self) -> None:
        self.counted: Counter[str] = Counter()
        self.failures: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or report.outcome != "passed":
            self.counted[report.outcome] += 1
        if report.failed:
            self.failures.append(report.longreprtext)


def test_resilience_examples_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each block marked `<!-- resilience-example -->` in docs/resilience.md is a test file; run as a user's tests,
    through the installed `sivi_mock` fixture, each passes. pytest runs them in this process (pytester's in-process
    run would forget the modules they import, which the tests after it then import twice)."""
    page = (DOCS / "resilience.md").read_text()
    blocks = re.findall(r"<!-- resilience-example -->\n```python\n(.*?)```", page, flags=re.S)
    assert len(blocks) == 2, f"docs/resilience.md: expected its 2 marked examples, found {len(blocks)}"
    for number, block in enumerate(blocks):
        (tmp_path / f"test_resilience_{number}.py").write_text(block)
    tests = sum(len(re.findall(r"^def test_", block, flags=re.M)) for block in blocks)
    monkeypatch.chdir(tmp_path)
    outcomes = Outcomes()
    code = pytest.main(["-q", "-p", "no:cacheprovider", str(tmp_path)], plugins=[outcomes])
    assert code == 0, "docs/resilience.md's examples fail:\n" + "\n".join(outcomes.failures)
    assert outcomes.counted == {"passed": tests}, f"docs/resilience.md's examples: {dict(outcomes.counted)}"
