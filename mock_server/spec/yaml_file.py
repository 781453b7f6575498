"""Reading a YAML file, the one way the kit does it (the spec, fixtures, recordings): safe, UTF-8, and a
`FileError` that names the file, the line and column, and the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mock_server.errors import FileError

# The C loader where PyYAML was built with libyaml: several times faster on large fixture files.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(file: Path, what: str = "the file") -> Any:
    """The document in `file`; `FileError` when it cannot be read or is not YAML. `what` names the file in the
    message (`cannot read the spec`)."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FileError(file, "", f"{what} is not UTF-8 text") from None
    except OSError as error:
        raise FileError(file, "", f"cannot read {what} ({error.strerror or error})") from None
    return parse_yaml(text, file)


def parse_yaml(text: str, file: Path | str) -> Any:
    """The document in `text`, read from `file` (named in the error)."""
    try:
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FileError(file, where, f"not valid YAML ({getattr(error, 'problem', None) or error})") from None
