"""Whether the kit can still serve NEW: the mock loads it (one operation, an API-key header, JSON bodies, numeric
statuses: what `load_contract` asks). Otherwise `sivi-mock` refuses to start, and every integration test written
against it stops: breaking, when it loaded OLD.

Whether the fixtures conform to NEW is the kit's own question (fixtures are edited with the spec, in the same
release), not a client's: it is reported apart from the findings and never changes the verdict or the exit status.
A tightened `maximum`, or a required property added to an answer that allowed any, is safe for every client and
still leaves fixtures behind.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from mock_server.spec import BUNDLED_FIXTURES, Contract, FixtureError, SpecError, load_contract, load_fixtures
from spec_diff.documents import SpecDocument
from spec_diff.findings import BREAKING, WARNING, Finding, FixturesCheck


def load(spec: SpecDocument) -> tuple[Contract | None, str]:
    """The kit's contract of `spec`, or why the mock cannot load it (naming the spec as the user wrote it)."""
    try:
        if spec.file is not None:
            return load_contract(spec.file), ""
        with tempfile.TemporaryDirectory(prefix="sivi-spec-") as directory:
            copy = Path(directory) / "openapi.yaml"
            copy.write_text(spec.text, encoding="utf-8")
            return load_contract(copy), ""
    except SpecError as error:
        return None, f"{spec.name}: {error.where}: {error.reason}" if error.where else f"{spec.name}: {error.reason}"


def kit_findings(old: SpecDocument, new: SpecDocument, fixtures: Path | None) -> tuple[list[Finding], FixturesCheck]:
    """Findings about the mock (it cannot load NEW, it looks a request up otherwise) and the fixtures' check."""
    named = "the bundled fixtures" if fixtures is None else f"the fixtures in {fixtures}"
    old_contract, _ = load(old)
    new_contract, why = load(new)
    if new_contract is None:
        if old_contract is None:
            return [], FixturesCheck(f"{named}: not checked, the mock loads neither spec ({why})")
        finding = Finding(BREAKING, "mock", "the mock cannot load NEW", why, reason="sivi-mock would refuse to start")
        return [finding], FixturesCheck(f"{named}: not checked, the mock cannot load NEW")
    found = _preference(old_contract, new_contract)
    problems = _problems(fixtures, new_contract)
    if not problems:
        return found, FixturesCheck(f"{named} conform to NEW")
    if old_contract is not None and _problems(fixtures, old_contract):
        return found, FixturesCheck(f"{named} conform to neither spec", tuple(problems))
    return found, FixturesCheck(f"{named} no longer conform to NEW", tuple(problems))


def _preference(old: Contract | None, new: Contract) -> list[Finding]:
    """The request's alternatives in another order: the same documents are valid, but the mock looks a request that
    names both ids up by the first (`user-id-wins`), so it answers it otherwise."""
    if old is None or old.id_fields == new.id_fields or set(old.id_fields) != set(new.id_fields):
        return []
    detail = f"{', '.join(old.id_fields)} -> {', '.join(new.id_fields)}"
    reason = (
        f"no request or answer becomes invalid, but a request naming both ids is now looked up by {new.id_fields[0]} "
        "(the mock takes the first alternative of the request's anyOf; --strict: breaking)"
    )
    return [Finding(WARNING, "mock", "order of preference changed", detail, reason)]


def _problems(fixtures: Path | None, contract: Contract) -> list[str]:
    try:
        load_fixtures(fixtures if fixtures is not None else BUNDLED_FIXTURES, contract)
    except FixtureError as error:
        return error.problems
    return []
