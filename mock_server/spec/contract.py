"""The contract: `openapi.yaml` read once, with its validators compiled.

The mock, the fixture loader and the contract suite all read the spec through `load_contract`, so a
route, a status or a schema is never written twice in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs

from mock_server.errors import DecisionError, FileError, SpecError, TooDeepToCheck
from mock_server.spec.decisions import Decisions
from mock_server.spec.yaml_file import read_yaml
from mock_server.types import header_name

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def bundled_path(name: str) -> Path:
    """Where the bundled `openapi.yaml` or `fixtures/` lives.

    An installed wheel carries them inside the package (`mock_server/_bundled/`); a source checkout keeps
    them at the repository root, the one place a person edits them.
    """
    packaged = _PACKAGE_DIR / "_bundled" / name
    return packaged if packaged.exists() else _PACKAGE_DIR.parent / name


BUNDLED_SPEC = bundled_path("openapi.yaml")


def format_path(parts: Iterable[str | int], root: str = "") -> str:
    """`['body', 'monthlyAnalysis', 0]` -> `body.monthlyAnalysis[0]` (the way a person writes it)."""
    text = root
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


def json_pointer(parts: Iterable[str | int]) -> str:
    """`['body', 'monthlyAnalysis', 0]` -> `/body/monthlyAnalysis/0` (RFC 6901; `''` is the whole document)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


class SchemaValidator:
    """One JSON Schema from the spec, compiled once, reporting errors as `path: reason` lines."""

    def __init__(self, schema: dict[str, Any], components: dict[str, Any]) -> None:
        self.schema = schema
        # Local `#/components/...` references resolve against the root of the compiled document.
        self._validator = jsonschema_rs.validator_for({**schema, "components": components})

    def is_valid(self, instance: Any) -> bool:
        return self._validator.is_valid(instance)

    def errors(self, instance: Any, root: str = "") -> list[str]:
        return [line for _, line in self.located_errors(instance, root)]

    def located_errors(self, instance: Any, root: str = "") -> list[tuple[str, str]]:
        """Each error as (the JSON Pointer of its place in `instance`, its `path: reason` line)."""
        try:
            found = {
                f"{format_path(reason.instance_path, root)}: {reason.message}": json_pointer(reason.instance_path)
                for error in self._validator.iter_errors(instance)
                for reason in _reasons(error)
            }  # a dict: an alternative may repeat what the schema itself already said
        except ValueError as error:  # jsonschema-rs: "Recursion limit reached"
            raise TooDeepToCheck(f"nested too deeply to check against the schema ({error})") from None
        return [(pointer, line) for line, pointer in found.items()]


def _reasons(error: jsonschema_rs.ValidationError) -> list[jsonschema_rs.ValidationError]:
    """What to tell a person: for a failed `anyOf`/`oneOf`, the errors of the alternative that came closest.

    "Not valid under any of the schemas" names no field; the closest alternative is the one with the fewest
    errors about the value as a whole (a missing property), then the fewest errors.
    """
    kind = error.kind
    if not isinstance(kind, jsonschema_rs.ValidationErrorKind.AnyOf | jsonschema_rs.ValidationErrorKind.OneOfNotValid):
        return [error]
    alternatives = [branch for branch in kind.context if branch]
    if not alternatives:
        return [error]
    depth = len(error.instance_path)
    closest = min(alternatives, key=lambda branch: (sum(len(e.instance_path) <= depth for e in branch), len(branch)))
    return [reason for inner in closest for reason in _reasons(inner)]


@dataclass(frozen=True)
class Example:
    """A named example of one documented response (the whole envelope)."""

    name: str
    status: int
    summary: str
    value: Any


class Contract:
    """The one operation of the API, as `openapi.yaml` describes it."""

    def __init__(self, source: Path, document: dict[str, Any]) -> None:
        self.source = source
        self.document = document
        self.path, self.method, operation = _the_operation(source, document)
        self.api_key_header = _api_key_header(source, document, operation)
        self.api_key_name = header_name(self.api_key_header)  # as a server hands it over (`mock_server.types`)
        self._components = document.get("components", {})
        try:
            self.decisions = Decisions(document)
        except DecisionError as error:
            raise DecisionError(error.where, error.reason, file=source) from None
        self._component_validators: dict[str, SchemaValidator] = {}

        where = f"paths.{self.path}.{self.method}"
        self.request = self._compile(
            _json_schema(source, operation, "requestBody", f"{where}.requestBody"),
            f"{where}.requestBody",
        )
        responses = operation.get("responses") or {}
        self.responses: dict[int, SchemaValidator] = {}
        self.examples: dict[str, Example] = {}
        for code, response in responses.items():
            place = f"{where}.responses.{code}"
            if not str(code).isdigit():
                raise SpecError(source, place, "only numeric status codes are supported")
            status = int(code)
            response = self.resolve(response)
            self.responses[status] = self._compile(_json_schema(source, response, None, place), place)
            for name, example in _examples(response).items():
                if name in self.examples:
                    raise SpecError(source, f"{place}.examples.{name}", "example names must be unique")
                example = self.resolve(example)
                self.examples[name] = Example(name, status, example.get("summary", ""), example.get("value"))
        if not self.responses:
            raise SpecError(source, f"{where}.responses", "the operation documents no response")
        self.statuses = tuple(sorted(self.responses))
        self.id_fields = _id_fields(source, self.request.schema, f"{where}.requestBody", self.resolve)

    def undocumented(self, status: str = "", scope: str = "") -> str:
        """How the kit says a status is not one of this operation's (the mock's `Prefer`, the fixtures, the
        judgement): `"<status> is not a status the spec documents<scope> (200, 400, ...)"`."""
        subject = f"{status} is " if status else ""
        return f"{subject}not a status the spec documents{scope} ({', '.join(map(str, self.statuses))})"

    def resolve(self, node: Any) -> Any:
        """Follow a local `$ref` (`#/components/...`) to what it names."""
        while isinstance(node, dict) and "$ref" in node:
            reference = node["$ref"]
            if not reference.startswith("#/"):
                raise SpecError(self.source, reference, "only local references (#/...) are supported")
            node = self.document
            for part in reference[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(node, dict) or part not in node:
                    raise SpecError(self.source, reference, "the reference points at nothing")
                node = node[part]
        return node

    def component(self, name: str) -> SchemaValidator:
        """The validator of `components.schemas.<name>`, e.g. `AccountAnalysis` or `ErrorBody`."""
        if name not in self._component_validators:
            if name not in self._components.get("schemas", {}):
                raise SpecError(self.source, f"components.schemas.{name}", "no such schema")
            schema = {"$ref": f"#/components/schemas/{name}"}
            self._component_validators[name] = self._compile(schema, f"components.schemas.{name}")
        return self._component_validators[name]

    def examples_for(self, status: int) -> list[Example]:
        return [example for example in self.examples.values() if example.status == status]

    def _compile(self, schema: dict[str, Any], where: str) -> SchemaValidator:
        try:
            return SchemaValidator(schema, self._components)
        except (ValueError, jsonschema_rs.ReferencingError) as error:
            raise SpecError(self.source, where, f"not a usable JSON Schema ({error})") from None


def load_contract(path: Path | str | None = None) -> Contract:
    """Read and check `openapi.yaml` (the bundled one by default); raise `SpecError` if it is unusable."""
    source = Path(path) if path is not None else BUNDLED_SPEC
    try:
        document = read_yaml(source, "the spec")
    except FileError as error:
        raise SpecError(error.file, error.where, error.reason) from None
    if not isinstance(document, dict):
        raise SpecError(source, "", "the spec must be a YAML mapping")
    version = str(document.get("openapi", ""))
    if not version.startswith("3.1"):
        raise SpecError(source, "openapi", f"expected an OpenAPI 3.1 document, found {version or 'no version'!r}")
    return Contract(source, document)


def _the_operation(source: Path, document: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    paths = document.get("paths")
    if not isinstance(paths, dict) or not paths:
        raise SpecError(source, "paths", "the spec documents no path")
    operations = [
        (path, method, operation)
        for path, item in paths.items()
        if isinstance(item, dict)
        for method, operation in item.items()
        if method in {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    ]
    if len(operations) != 1 or not isinstance(operations[0][2], dict):
        raise SpecError(source, "paths", f"expected exactly one operation, found {len(operations)}")
    return operations[0]


def _api_key_header(source: Path, document: dict[str, Any], operation: dict[str, Any]) -> str:
    requirements: Sequence[dict[str, Any]] = operation.get("security", document.get("security")) or []
    schemes = document.get("components", {}).get("securitySchemes", {})
    for requirement in requirements:
        for name in requirement:
            scheme = schemes.get(name, {})
            if scheme.get("type") == "apiKey" and scheme.get("in") == "header" and scheme.get("name"):
                return str(scheme["name"])
    raise SpecError(source, "components.securitySchemes", "the operation requires no apiKey header scheme")


def _json_schema(source: Path, holder: dict[str, Any], key: str | None, where: str) -> dict[str, Any]:
    node = holder.get(key) if key else holder
    content = (node or {}).get("content", {})
    media = content.get("application/json")
    if not isinstance(media, dict) or not isinstance(media.get("schema"), dict):
        raise SpecError(source, f"{where}.content", "expected an application/json schema")
    schema: dict[str, Any] = media["schema"]
    return schema


def _id_fields(source: Path, schema: dict[str, Any], where: str, resolve: Callable[[Any], Any]) -> tuple[str, ...]:
    """The ids a request may name, in order of preference: the `anyOf` alternatives, first one wins."""
    alternatives = [resolve(branch).get("required", []) for branch in resolve(schema).get("anyOf", [])]
    if not alternatives or not all(len(names) == 1 for names in alternatives):
        raise SpecError(source, f"{where}.anyOf", "expected alternatives that each require one id")
    return tuple(names[0] for names in alternatives)


def _examples(response: dict[str, Any]) -> dict[str, Any]:
    return response.get("content", {}).get("application/json", {}).get("examples", {}) or {}
