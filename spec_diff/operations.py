"""The parts of each operation a client depends on, read from an OpenAPI document: its security, request body,
parameters and answers (status -> media type -> schema), with local `$ref`s followed and examples collected."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mock_server.spec import SpecError
from spec_diff.documents import METHODS, SpecDocument

# What a request presents to satisfy one security scheme: (kind, which one, scopes).
Credential = tuple[str, str, frozenset[str]]


@dataclass(frozen=True)
class Parameter:
    required: bool
    schema: Any


@dataclass
class Operation:
    path: str
    method: str
    operation_id: str | None
    security: tuple[frozenset[Credential], ...]  # alternatives: any one of them lets a request in
    body_required: bool | None  # None: the operation documents no request body
    request: dict[str, Any] = field(default_factory=dict)  # media type -> schema (None when it has none)
    parameters: dict[tuple[str, str], Parameter] = field(default_factory=dict)  # (in, name) -> parameter
    responses: dict[str, dict[str, Any]] = field(default_factory=dict)  # "200", "4XX", "default" -> media -> schema
    examples: dict[str, list[Any]] = field(default_factory=dict)  # "requestBody <media>", "<status> <media>" -> values

    @property
    def title(self) -> str:
        return f"{self.method.upper()} {self.path}"


class Resolver:
    """Follows local `$ref`s (`#/components/...`) of one document; a reference elsewhere is a `SpecError`."""

    def __init__(self, spec: SpecDocument) -> None:
        self.spec = spec

    def target(self, reference: str) -> Any:
        if not reference.startswith("#"):
            raise SpecError(self.spec.name, reference, "only local references (#/...) are supported")
        node: Any = self.spec.document
        for part in filter(None, reference[1:].split("/")):
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                raise SpecError(self.spec.name, reference, "the reference points at nothing")
        return node

    def __call__(self, node: Any) -> Any:
        seen = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            if node["$ref"] in seen:
                raise SpecError(self.spec.name, node["$ref"], "the reference refers to itself")
            seen.add(node["$ref"])
            node = self.target(node["$ref"])
        return node


def operations(spec: SpecDocument) -> dict[tuple[str, str], Operation]:
    """Every operation of the document, by (path, method)."""
    resolve = Resolver(spec)
    document = spec.document
    found = {}
    for path, item in (document.get("paths") or {}).items():
        item = resolve(item)
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            if isinstance(item.get(method), dict):
                found[path, method] = _operation(spec, resolve, path, method, item)
    return found


def _operation(spec: SpecDocument, resolve: Resolver, path: str, method: str, item: dict[str, Any]) -> Operation:
    node = item[method]
    schemes = (spec.document.get("components") or {}).get("securitySchemes") or {}
    requirements = node.get("security", spec.document.get("security")) or [{}]
    security = tuple(
        frozenset(_credential(name, resolve(schemes.get(name)), scopes) for name, scopes in requirement.items())
        for requirement in requirements
        if isinstance(requirement, dict)
    )
    body = resolve(node.get("requestBody")) if "requestBody" in node else None
    operation = Operation(
        path=path,
        method=method,
        operation_id=node.get("operationId"),
        security=security,
        body_required=bool(body.get("required", False)) if isinstance(body, dict) else None,
    )
    for media, content in _content(resolve, body):
        operation.request[media] = content.get("schema")
        operation.examples[f"requestBody {media}"] = list(_examples(resolve, content))
    for raw in [*item.get("parameters", []), *node.get("parameters", [])]:
        parameter = resolve(raw)
        if isinstance(parameter, dict) and "name" in parameter and "in" in parameter:
            name = str(parameter["name"]).lower() if parameter["in"] == "header" else str(parameter["name"])
            required = bool(parameter.get("required", parameter["in"] == "path"))
            operation.parameters[str(parameter["in"]), name] = Parameter(required, parameter.get("schema"))
    for status, response in (node.get("responses") or {}).items():
        answer = resolve(response)
        operation.responses[str(status)] = {}
        for media, content in _content(resolve, answer):
            operation.responses[str(status)][media] = content.get("schema")
            operation.examples[f"{status} {media}"] = list(_examples(resolve, content))
    return operation


def _credential(name: str, scheme: Any, scopes: Any) -> Credential:
    if not isinstance(scheme, dict):
        return ("undefined scheme", name, frozenset())
    kind = str(scheme.get("type"))
    if kind == "apiKey":
        place = str(scheme.get("in"))
        key = str(scheme.get("name"))
        return (kind, f"{place} {key.lower() if place == 'header' else key}", frozenset())
    if kind == "http":
        return (kind, str(scheme.get("scheme", "")).lower(), frozenset())
    return (kind, name, frozenset(scopes or ()))


def describe(credentials: frozenset[Credential]) -> str:
    """What a request presents to satisfy one alternative, in words."""
    if not credentials:
        return "no credentials"
    words = []
    for kind, which, scopes in sorted(credentials, key=repr):
        if kind == "apiKey":
            words.append(f"{which.split(' ', 1)[0]} {which.split(' ', 1)[1]}")
        elif kind == "http":
            words.append(f"HTTP {which} authorization")
        else:
            words.append(f"{kind} {which}" + (f" (scopes {', '.join(sorted(scopes))})" if scopes else ""))
    return " and ".join(words)


def _content(resolve: Resolver, holder: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    content = holder.get("content") if isinstance(holder, dict) else None
    for media, entry in (content or {}).items():
        entry = resolve(entry)
        if isinstance(entry, dict):
            yield str(media), entry


def _examples(resolve: Resolver, content: dict[str, Any]) -> Iterator[Any]:
    if "example" in content:
        yield content["example"]
    for example in (content.get("examples") or {}).values():
        example = resolve(example)
        if isinstance(example, dict) and "value" in example:
            yield example["value"]
