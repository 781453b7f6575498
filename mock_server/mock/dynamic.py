"""Bodies generated from the spec's response schemas, for `Prefer: dynamic=true`.

Reproducible: the same request (the seed) gets the same body. Covers the JSON Schema the spec uses; a
string with a `pattern` is taken from the schema's own `examples`, since inventing regex matches is a
library's job and the spec documents valid values anyway. A string the spec's named examples of that status give
for the same property (an error's `message`) is taken from them: a generated error reads as the documented one,
never as a random word.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from mock_server.errors import PreferError
from mock_server.spec.contract import Contract

_WORDS = ("design", "media", "credit", "account", "workspace", "usage", "month", "year")


def generate_body(contract: Contract, status: int, seed: bytes) -> Any:
    """A `body` valid against the response schema of `status`, the same one for the same seed."""
    rng = random.Random(hashlib.sha256(seed + str(status).encode()).digest())
    documented: dict[str, list[str]] = {}
    for example in contract.examples_for(status):
        _strings_of(example.value, documented)
    envelope = _generate(contract, contract.responses[status].schema, rng, depth=0, documented=documented)
    envelope["status"] = status
    if not contract.responses[status].is_valid(envelope):
        raise PreferError("dynamic=true", f"could not generate a valid {status} body from the spec")
    return envelope["body"]


def _strings_of(value: Any, found: dict[str, list[str]]) -> None:
    """Every string property of an example, by property name, at any depth."""
    if isinstance(value, dict):
        for name, inner in value.items():
            if isinstance(inner, str):
                found.setdefault(name, []).append(inner)
            else:
                _strings_of(inner, found)
    elif isinstance(value, list):
        for inner in value:
            _strings_of(inner, found)


def _generate(
    contract: Contract, schema: Any, rng: random.Random, depth: int, documented: dict[str, list[str]], name: str = ""
) -> Any:
    schema = _merged(contract, schema)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return rng.choice(schema["enum"])
    kind = schema.get("type", "object" if "properties" in schema else None)
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        for branch in schema.get("anyOf", [])[:1]:
            required |= set(branch.get("required", []))
        return {
            key: _generate(contract, sub, rng, depth + 1, documented, key)
            for key, sub in properties.items()
            if key in required or rng.random() < 0.5
        }
    if kind == "array":
        count = rng.randint(schema.get("minItems", 0), min(schema.get("maxItems", 12), 12 if depth < 3 else 1))
        return [_generate(contract, schema.get("items", {}), rng, depth + 1, documented) for _ in range(count)]
    if kind == "integer":
        low = schema.get("minimum", 0)
        return rng.randint(low, max(low, schema.get("maximum", low + 5000)))
    if kind == "string":
        if name in documented and "pattern" not in schema:
            return rng.choice(documented[name])
        if "pattern" in schema:
            examples = schema.get("examples") or []
            if not examples:
                raise PreferError("dynamic=true", "a string with a pattern has no examples to draw from")
            return rng.choice(examples)
        length = max(schema.get("minLength", 1), 1)
        return " ".join(rng.choice(_WORDS) for _ in range(max(1, length // 6 + 1))).capitalize()
    if kind == "boolean":
        return rng.random() < 0.5
    return None


def _merged(contract: Contract, node: Any) -> dict[str, Any]:
    """The schema with `$ref` followed and `allOf` folded in (properties merged, later ones refining)."""
    schema: dict[str, Any] = dict(contract.resolve(node))
    for part in schema.pop("allOf", []):
        part = _merged(contract, part)
        properties = {**schema.get("properties", {})}
        for name, sub in part.get("properties", {}).items():
            properties[name] = {"allOf": [properties[name], sub]} if name in properties else sub
        schema = {**part, **schema, "properties": properties}
        schema["required"] = sorted({*schema.get("required", []), *part.get("required", [])})
    for name, sub in list(schema.get("properties", {}).items()):
        if isinstance(sub, dict) and "allOf" in sub:
            schema["properties"][name] = _merged(contract, sub)
    return schema
