"""`make test` holds `openapi.yaml` to the release rule: a change that breaks a client of the last released spec
(`tests/released/openapi-X.Y.Z.yaml`, stored at each release) ships as a new major version with a CHANGELOG line
saying so. The report, counterexamples included, is the failure message."""

from __future__ import annotations

import itertools
import re
import tomllib
from pathlib import Path

from spec_diff.comparison import compare
from spec_diff.documents import read_spec
from spec_diff.findings import BREAKING, Finding, Report
from spec_diff.release import baseline, notes, release_problems, section, shown, stored_releases, version
from spec_diff.report import render

ROOT = Path(__file__).resolve().parent.parent
RELEASED = ROOT / "tests" / "released"
CHANGELOG = (ROOT / "CHANGELOG.md").read_text()
CURRENT = version(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def test_latest_release_stored() -> None:
    latest = re.search(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", CHANGELOG, re.MULTILINE)
    assert latest, "CHANGELOG.md has no released version (## [x.y.z] - YYYY-MM-DD)"
    stored = RELEASED / f"openapi-{latest.group(1)}.yaml"
    assert stored.exists(), (
        f"{latest.group(1)} is released: keep its spec, `cp openapi.yaml {stored.relative_to(ROOT)}`"
    )


def test_working_spec_breaks_nothing() -> None:
    """The working spec breaks no client of the last release without a major version."""
    found = baseline(RELEASED, CURRENT)
    assert found, f"no released spec in {RELEASED.relative_to(ROOT)} for {shown(CURRENT)} or before"
    released, path = found
    report = compare(read_spec(str(path)), read_spec(str(ROOT / "openapi.yaml")))
    problems = release_problems(report, released, CURRENT, notes(CHANGELOG, CURRENT))
    assert not problems, "\n".join(problems) + "\n\n" + render(report, "text")
    print(render(report, "text"))  # what the comparison says today, under `pytest -s`


def test_releases_broke_nothing() -> None:
    """Each stored release broke no client of the one before without a major version."""
    releases = list(stored_releases(RELEASED).items())
    for (older, before), (newer, after) in itertools.pairwise(releases):
        report = compare(read_spec(str(before)), read_spec(str(after)))
        problems = release_problems(report, older, newer, notes(CHANGELOG, newer, unreleased=False))
        assert not problems, (
            f"{shown(older)} -> {shown(newer)}:\n" + "\n".join(problems) + "\n" + render(report, "text")
        )


def breaking_report() -> Report:
    return Report("OLD", "NEW", findings=[Finding(BREAKING, "responses.200 application/json /status", "const changed")])


def test_rule_asks_major_and_changelog() -> None:
    said = section("## [Unreleased]\n\n### Changed\n- The mock answers faster.\n", "Unreleased")
    problems = release_problems(breaking_report(), (0, 2, 0), (0, 3, 0), said)
    assert len(problems) == 2, problems
    assert "a change that breaks a client ships as 1.0.0" in problems[0]
    assert "CHANGELOG.md says nothing breaking about openapi.yaml under [0.3.0] or [Unreleased]" in problems[1]
    changelog = "## [1.0.0] - 2027-01-04\n\n- **Breaking (openapi.yaml):** `status` is 201 now.\n## [0.2.0] - 2026\n"
    assert release_problems(breaking_report(), (0, 2, 0), (1, 0, 0), notes(changelog, (1, 0, 0))) == []
    assert release_problems(Report("OLD", "NEW"), (0, 2, 0), (0, 2, 0), []) == [], "no breaking change, no rule"
