"""Reading a YAML file, the one way the kit does it (the spec, fixtures, recordings): safe, UTF-8, and a
`FileError` that names the file, the line and column, and the reason."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml

from mock_server.errors import FileError

# The C loader where PyYAML was built with libyaml: several times faster on large fixture files.
_MERGE_TAG = "tag:yaml.org,2002:merge"
_BASE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE_LOADER):  # type: ignore[valid-type,misc]  # a class chosen at import time
    """The safe loader, refusing a key given twice in one mapping: YAML forbids it, and PyYAML would keep the last
    one silently, so a fixture written twice would lose its first version unseen. The message names no key: the
    key may be an API key."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first_line: dict[Hashable, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue  # `<<: *defaults`: what it merges, the mapping's own keys may override
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable) and key in first_line:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"a key given twice in one mapping, first on line {first_line[key]}",
                    key_node.start_mark,
                )
            if isinstance(key, Hashable):
                first_line[key] = key_node.start_mark.line + 1
        mapping: dict[Any, Any] = super().construct_mapping(node, deep)
        return mapping


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
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FileError(file, where, f"not valid YAML ({getattr(error, 'problem', None) or error})") from None
