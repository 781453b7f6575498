"""What the installed kit's metadata says (its one source is `pyproject.toml`): the version, and which
packages of an extra are not installed."""

from __future__ import annotations

import re
from importlib import metadata

DISTRIBUTION = "sivi-contract-kit"
_EXTRA_MARKER = re.compile(r"""\bextra\s*==\s*['"]([^'"]+)['"]""")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def kit_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # a checkout on sys.path that was never installed
        return "unknown (not installed: pip install -e .)"


def missing_for_extra(extra: str) -> list[str]:
    """The distributions `pip install 'sivi-contract-kit[<extra>]'` would add that are not installed here."""
    try:
        requirements = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return []  # not installed: nothing to compare with, the imports will tell
    missing = []
    for requirement in requirements:
        marker = _EXTRA_MARKER.search(requirement)
        name = _NAME.match(requirement)
        if marker is None or marker.group(1) != extra or name is None:
            continue
        try:
            metadata.version(name.group())
        except metadata.PackageNotFoundError:
            missing.append(name.group())
    return missing
