"""The release rule `make test` holds `openapi.yaml` to: a change that breaks a client of the last released spec
ships as a new major version, with a CHANGELOG line that says so.

The released specs are stored in the repository (`openapi-X.Y.Z.yaml`, one per release), not looked up in git: a CI
clone may be shallow and may have no tags, and a stored file is in every clone.
"""

from __future__ import annotations

import re
from pathlib import Path

from spec_diff.findings import Report

STORED = re.compile(r"^openapi-(\d+)\.(\d+)\.(\d+)\.yaml$")
HEADING = re.compile(r"^## \[(?P<name>[^\]]+)\]")

Version = tuple[int, int, int]


def version(text: str) -> Version:
    major, minor, patch = (int(part) for part in text.split(".")[:3])
    return major, minor, patch


def shown(number: Version) -> str:
    return ".".join(map(str, number))


def stored_releases(directory: Path) -> dict[Version, Path]:
    """The released specs kept in `directory`, by version."""
    found = {}
    for path in directory.glob("openapi-*.yaml"):
        match = STORED.match(path.name)
        if match:
            found[version(".".join(match.groups()))] = path
    return dict(sorted(found.items()))


def baseline(directory: Path, current: Version) -> tuple[Version, Path] | None:
    """The release a change is judged against: the newest stored one not newer than the kit's version."""
    older = [(number, path) for number, path in stored_releases(directory).items() if number <= current]
    return older[-1] if older else None


def section(changelog: str, name: str) -> list[str]:
    """The lines under `## [name]` of a Keep a Changelog file."""
    lines, inside = [], False
    for line in changelog.splitlines():
        heading = HEADING.match(line)
        if heading:
            inside = heading["name"] == name
        elif inside:
            lines.append(line)
    return lines


def says_breaking(lines: list[str]) -> bool:
    """A line naming the spec and the word breaking, e.g. `- **Breaking (openapi.yaml):** ...`."""
    return any("breaking" in line.lower() and "openapi.yaml" in line for line in lines)


def notes(changelog: str, current: Version, unreleased: bool = True) -> list[str]:
    """What CHANGELOG.md says about `current`: its section, and the *Unreleased* one while it is being written."""
    return section(changelog, shown(current)) + (section(changelog, "Unreleased") if unreleased else [])


def release_problems(report: Report, released: Version, current: Version, said: list[str]) -> list[str]:
    """Why a spec may not ship as `current`, judged (`report`) against the spec released as `released`, with
    `said` the CHANGELOG lines about `current`."""
    if report.exit_code == 0:
        return []
    wanted = (released[0] + 1, 0, 0)
    problems = []
    if current[0] <= released[0]:
        problems.append(
            f"pyproject.toml's version {shown(current)} keeps the major version of {shown(released)}: a change that "
            f"breaks a client ships as {shown(wanted)} (or undo it)"
        )
    if not says_breaking(said):
        problems.append(
            f"CHANGELOG.md says nothing breaking about openapi.yaml under [{shown(current)}] or [Unreleased]: "
            "add a line such as `- **Breaking (openapi.yaml):** what changed, what a client must do`"
        )
    return problems
