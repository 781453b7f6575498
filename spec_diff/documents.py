"""Read OLD and NEW: a file, or `git:REV:path` (a revision's copy, read with `git show`, so CI needs no checkout of
it), parsed as YAML and checked to be an OpenAPI 3.1 document with at least one operation.

Anything that stops that is a `SpecError` naming the file as the user wrote it and the reason, in one line.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mock_server.spec import SpecError

GIT_PREFIX = "git:"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class SpecDocument:
    name: str  # as the user wrote it: `openapi.yaml`, `git:main:openapi.yaml`
    text: str
    document: dict[str, Any]
    file: Path | None = None  # the file itself, when it is one (a `git:` revision has none)


def read_spec(reference: str, cwd: Path | None = None) -> SpecDocument:
    """OLD or NEW, read and checked; raise `SpecError` naming `reference`."""
    if reference.startswith(GIT_PREFIX):
        text, file = _git_show(reference, cwd), None
    else:
        file = Path(cwd or ".") / reference
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            raise SpecError(reference, "", f"cannot read the spec ({error.strerror or error})") from None
        except UnicodeDecodeError:
            raise SpecError(reference, "", "the spec is not UTF-8 text") from None
    return SpecDocument(reference, text, parse(reference, text), file)


def parse(name: str, text: str) -> dict[str, Any]:
    try:
        document = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SpecError(name, where, f"not valid YAML ({getattr(error, 'problem', None) or error})") from None
    if not isinstance(document, dict):
        raise SpecError(name, "", "the spec must be a YAML mapping")
    version = str(document.get("openapi", ""))
    if not version.startswith("3.1"):
        raise SpecError(name, "openapi", f"expected an OpenAPI 3.1 document, found {version or 'no version'!r}")
    paths = document.get("paths")
    if not isinstance(paths, dict) or not any(
        isinstance(item, dict) and any(method in item for method in METHODS) for item in paths.values()
    ):
        raise SpecError(name, "paths", "the spec documents no operation")
    return document


def _git_show(reference: str, cwd: Path | None) -> str:
    revision, _, path = reference[len(GIT_PREFIX) :].partition(":")
    if not revision or not path:
        raise SpecError(reference, "", "expected git:REV:path, e.g. git:main:openapi.yaml")
    try:
        shown = subprocess.run(
            ["git", "show", f"{revision}:{path}"], cwd=cwd, capture_output=True, timeout=60, check=False
        )
    except OSError as error:
        raise SpecError(reference, "", f"cannot run git ({error.strerror or error})") from None
    if shown.returncode != 0:
        said = shown.stderr.decode(errors="replace").strip().splitlines()
        raise SpecError(reference, "", f"git cannot show it ({said[0] if said else f'exit {shown.returncode}'})")
    try:
        return shown.stdout.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(reference, "", "the spec is not UTF-8 text") from None
