"""Reading a YAML file, the one way the kit does it (the spec, fixtures, recordings, accepted deviations): safe,
UTF-8, what aliases may add bounded, and a `FileError` that names the file, the line and column, and the reason.

The bound: PyYAML builds an alias (`*name`) as the same object as its anchor, so loading is quick whatever the
aliases; but everything after (checking a fixture against the schema, serving it as JSON) walks the document
written out. Nine anchors of nine aliases each, 800 bytes, write out to a billion values ("billion laughs"): a
minute and gigabytes at start-up. A merge of `<<: *defaults` into every entry of a large file adds some thousands.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml

from mock_server.errors import FileError

_MERGE_TAG = "tag:yaml.org,2002:merge"
# What aliases may add to a document written out, in characters of its scalars (a collection counts one).
ALIAS_EXPANSION_LIMIT = 1_000_000
# The C loader where PyYAML was built with libyaml: several times faster on large fixture files.
_BASE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE_LOADER):  # type: ignore[valid-type,misc]  # a class chosen at import time
    """The safe loader, refusing a key given twice in one mapping: YAML forbids it, and PyYAML would keep the last
    one silently, so a fixture written twice would lose its first version unseen. The message names no key: the
    key may be an API key."""

    file: Path | str = ""  # named in the errors it raises itself

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

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        bomb = alias_bomb(node)
        if bomb is not None:
            raise FileError(self.file, "", bomb)  # before constructing it, which would write it out
        return self.construct_document(node)


def alias_bomb(root: yaml.Node) -> str | None:
    """Why the document's aliases make it unreadable (written out beyond `ALIAS_EXPANSION_LIMIT`, or an anchor
    that contains itself), or None. `root` is weighed written out (aliases expanded) and as written (each node
    once), each node weighed once: the cost is that of the file, not of its expansion."""
    written_out: dict[int, int] = {}
    on_path: set[int] = set()
    as_written = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_weighed = stack.pop()
        children = _children(node)
        if children_weighed:
            on_path.discard(id(node))
            written_out[id(node)] = 1 + sum(written_out[id(child)] for child in children)
            continue
        if id(node) in written_out:
            continue
        if id(node) in on_path:
            return "an anchor contains an alias of itself, so the document never ends"
        if isinstance(node, yaml.ScalarNode):
            weight = 1 + len(node.value)
            written_out[id(node)] = weight
            as_written += weight
            continue
        as_written += 1
        on_path.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children)
    if written_out[id(root)] - as_written > ALIAS_EXPANSION_LIMIT:
        return (
            f"its aliases (`*name`) write it out to more than {ALIAS_EXPANSION_LIMIT:,} characters beyond what the "
            "file holds (a YAML bomb?); write the values out, or repeat fewer of them"
        )
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def read_yaml(file: Path, what: str = "the file") -> Any:
    """The document in `file`; `FileError` when it cannot be read or is not YAML. `what` names the file in the
    message (`cannot read the spec`)."""
    return parse_yaml(_text(file, what), file)


def _text(file: Path, what: str) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FileError(file, "", f"{what} is not UTF-8 text") from None
    except OSError as error:
        raise FileError(file, "", f"cannot read {what} ({error.strerror or error})") from None


def parse_yaml(text: str, file: Path | str) -> Any:
    """The document in `text`, read from `file` (named in the error)."""
    loader = _Loader(text)
    loader.file = file
    try:
        return loader.get_single_data()
    except yaml.YAMLError as error:
        raise invalid_yaml(file, error) from None
    finally:
        loader.dispose()


def invalid_yaml(file: Path | str, error: yaml.YAMLError) -> FileError:
    """The one text of a YAML error: the file, the line and column, the reason."""
    mark = getattr(error, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return FileError(file, where, f"not valid YAML ({getattr(error, 'problem', None) or error})")


def read_yaml_lines(file: Path, what: str = "the file") -> tuple[Any, dict[tuple[str | int, ...], int]]:
    """The document in `file` (as `read_yaml` reads it) and the line each of its values starts on, by path: `(0,
    'until')` is the `until` of the first item of a list, `()` the document itself. For files whose errors name a
    line (a mapping key's own line is under its path + `('',)`)."""
    text = _text(file, what)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return parse_yaml(text, file), {}  # parse_yaml names the line of the YAML error
    if root is None:
        return None, {}
    bomb = alias_bomb(root)  # before walking it for lines, which would write it out
    if bomb is not None:
        raise FileError(file, "", bomb)
    lines: dict[tuple[str | int, ...], int] = {}
    _note_lines(root, (), lines)
    loader = _Loader(text)  # builds the document from the nodes already composed: the text is not read again
    try:
        return loader.construct_document(root), lines
    except yaml.YAMLError as error:  # a key given twice in one mapping
        raise invalid_yaml(file, error) from None
    except ValueError as error:
        # A value YAML recognises but cannot build, such as the date 2026-13-01: the line of the first such scalar.
        line = next((lines[path] for path, node in _scalars(root, ()) if not _buildable(node)), None)
        raise FileError(file, f"line {line}" if line else "", f"not a valid value ({error})") from None
    finally:
        loader.dispose()


def _note_lines(node: yaml.Node | None, path: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]) -> None:
    if node is None:
        return
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _note_lines(item, (*path, index), lines)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = str(key.value)
            lines[(*path, name, "")] = key.start_mark.line + 1
            _note_lines(value, (*path, name), lines)


def _scalars(node: yaml.Node, path: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], yaml.ScalarNode]]:
    if isinstance(node, yaml.ScalarNode):
        return [(path, node)]
    if isinstance(node, yaml.SequenceNode):
        return [found for index, item in enumerate(node.value) for found in _scalars(item, (*path, index))]
    if isinstance(node, yaml.MappingNode):
        return [found for key, value in node.value for found in _scalars(value, (*path, str(key.value)))]
    return []


def _buildable(node: yaml.ScalarNode) -> bool:
    try:
        yaml.SafeLoader("").construct_object(node)
    except ValueError:
        return False
    return True
