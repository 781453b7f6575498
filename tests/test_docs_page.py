"""/docs in a real browser: opening the operation shows every answer as an envelope with its `status` value and
the fields of its `body`, with no further click, and no schema on the page reads as `any`."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from itertools import pairwise

import pytest

from mock_server.app import create_app
from mock_server.faults import FAULTS
from mock_server.serving.background import BackgroundServer
from mock_server.spec.contract import load_contract
from tests.helpers import CHROMIUM_FLAGS, chromium

# One worker runs this module under `pytest -n`: Chromium loads the page once.
pytestmark = pytest.mark.xdist_group("docs_page")

CONTRACT = load_contract()
# What `deepLinking` opens: the operation, as a click on it would.
OPERATION_LINK = f"/docs#/{CONTRACT.document['tags'][0]['name']}/analyzeAccount"
# The parts of Swagger UI's JSON Schema view that name a schema, say its type, or show a `const`.
PARTS = {
    "json-schema-2020-12__title": "title",
    "json-schema-2020-12__attribute--primary": "type",
    "json-schema-2020-12-json-viewer__value": "value",
}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class SchemaView(HTMLParser):
    """The titles, type summaries and values of the rendered schemas, in page order."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[tuple[str, str]] = []
        self._open: list[tuple[int, str, list[str]]] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_TAGS:
            return
        self._depth += 1
        classes = (dict(attrs).get("class") or "").split()
        kind = next((PARTS[name] for name in classes if name in PARTS), None)
        if kind:
            self._open.append((self._depth, kind, []))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS:
            return
        if self._open and self._open[-1][0] == self._depth:
            _, kind, text = self._open.pop()
            self.parts.append((kind, "".join(text).strip()))
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        for _, _, text in self._open:
            text.append(data)


def schema_parts(html: str) -> list[tuple[str, str]]:
    view = SchemaView()
    view.feed(html)
    return view.parts


def typed_names(parts: list[tuple[str, str]]) -> dict[str, str]:
    """Each schema title with the type summary shown beside it (the first one, for a name seen twice)."""
    names: dict[str, str] = {}
    for (kind, text), (next_kind, summary) in pairwise(parts):
        if kind == "title" and next_kind == "type":
            names.setdefault(text, summary)
    return names


# For the session: under `pytest -n` a worker may come back to this module after others, and a module's
# fixture would be made again.
@pytest.fixture(scope="session")
def docs_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    browser = chromium()
    profile = tmp_path_factory.mktemp("chromium-profile")
    with BackgroundServer(create_app()) as mock:
        result = subprocess.run(
            [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"{mock.url}{OPERATION_LINK}"],
            capture_output=True,
            text=True,
            timeout=90,
        )
    assert 'data-code="200"' in result.stdout, f"Swagger UI did not render the operation:\n{result.stderr[-2000:]}"
    return result.stdout


def answer_rows(page: str) -> dict[int, str]:
    """The HTML of each documented answer's row in the opened operation, by status code."""
    starts = [
        (int(match.group(1)), match.start())
        for match in re.finditer(r'<tr class="response[^"]*" data-code="(\d+)"', page)
    ]
    ends = [start for _, start in starts[1:]] + [page.find("</table>", starts[-1][1])]
    return {code: page[start:end] for (code, start), end in zip(starts, ends, strict=True)}


def test_answers_show_their_fields(docs_page):
    """Each answer shows its envelope status and body fields once the operation is open."""
    rows = answer_rows(docs_page)
    assert sorted(rows) == list(CONTRACT.statuses)
    for code, row in rows.items():
        parts = schema_parts(row)
        names = typed_names(parts)
        envelope = CONTRACT.responses[code].schema["$ref"].rsplit("/", 1)[-1]
        assert names.get(envelope) == "object", f"{code}: the envelope {envelope} is not shown as an object: {names}"
        assert names.get("status") == "integer" and names.get("body") == "object", f"{code}: {names}"
        assert ("value", str(code)) in parts, f"{code}: the envelope's status value is not shown: {parts}"
        fields = (
            {"yearlyAnalysis", "monthlyAnalysis", "creditBalance", "availableCredits", "usedCredits", "lastAccessed"}
            if code == 200
            else {"message"}
        )
        assert fields <= set(names), f"{code}: body fields {sorted(fields - set(names))} are hidden behind a click"


def test_no_schema_reads_as_any(docs_page):
    summaries = [text for kind, text in schema_parts(docs_page) if kind == "type"]
    assert len(summaries) > 30, f"too few schemas rendered to judge: {summaries}"
    vague = sorted({summary for summary in summaries if re.search(r"\bany\b", summary)})
    assert vague == [], f"schema summaries that say `any`: {vague}"
    names = typed_names(schema_parts(docs_page))
    request = CONTRACT.request.schema["$ref"].rsplit("/", 1)[-1]
    assert "object" in names.get(request, ""), f"the request schema reads {names.get(request)!r}"


def test_page_is_ready_to_try(docs_page):
    """A frontend developer tries the operation without leaving the page: the admin key is in, `Prefer` is a field
    with the directives and the faults to pick from."""
    assert '<button class="btn authorize locked"' in docs_page, "Authorize is not filled in with the admin key"
    row = re.search(r'<tr data-param-name="Prefer" data-param-in="header">(.*?)</tr>', docs_page, flags=re.S)
    assert row, "the opened operation shows no Prefer parameter"
    options = set(re.findall(r'<option value="([^"]+)">', row.group(1)))
    wanted = {"none", "code=500", "example=zeroUsage", "dynamic=true", "delay=2000", *(f"fault={f}" for f in FAULTS)}
    assert wanted <= options, f"choices missing from the Prefer parameter: {sorted(wanted - options)}"
