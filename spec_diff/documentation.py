"""What changed that validates nothing: descriptions, examples, `info`, tags, `x-` text, components added or removed
(what the operation uses of them is judged by its parts), the spec decisions (`x-decisions`) and their marks. All
safe for a client; a server URL that is gone is a warning (clients configured with it must move).

A decision's verdict is the contract suite's business, not a client's: `enforced` -> `reported` turns a failure of
a server into a warning, and back. Each change of one is listed with what it does to a contract run.
"""

from __future__ import annotations

from typing import Any

from spec_diff.findings import SAFE, WARNING, Finding
from spec_diff.schemas import is_annotation

# Maps whose keys are names a person chose, not keywords: a property called `description` is not an annotation.
NAMED = frozenset(
    {"properties", "patternProperties", "paths", "responses", "schemas", "securitySchemes", "content", "headers",
     "parameters", "requestBodies", "links", "callbacks", "dependentSchemas", "$defs"}
)  # fmt: skip
DOCUMENT_LEVEL = ("info", "tags", "externalDocs", "jsonSchemaDialect")
DOCUMENTATION = "validates nothing: documentation"
VERDICTS = ("enforced", "reported", "not a rule")


def documentation_findings(old: dict[str, Any], new: dict[str, Any]) -> list[Finding]:
    findings = []
    for key in DOCUMENT_LEVEL:
        if old.get(key) != new.get(key):
            findings.append(Finding(SAFE, key, "documentation", _keys(old.get(key), new.get(key)), DOCUMENTATION))
    findings += _decisions(old.get("x-decisions") or {}, new.get("x-decisions") or {})
    findings += _servers(old.get("servers") or [], new.get("servers") or [])
    for section in sorted(set(old.get("components") or {}) | set(new.get("components") or {})):
        before = (old.get("components") or {}).get(section) or {}
        after = (new.get("components") or {}).get(section) or {}
        if isinstance(before, dict) and isinstance(after, dict):
            for name in sorted(set(before) ^ set(after), key=str):
                what = "component added" if name in after else "component removed"
                findings.append(Finding(SAFE, f"components.{section}.{name}", what, reason="what uses it is judged"))
    judged_above = ("x-decisions", "servers", *DOCUMENT_LEVEL)
    rest = {key: value for key, value in old.items() if key not in judged_above}
    _walk(rest, {key: value for key, value in new.items() if key not in judged_above}, "", findings)
    return findings


def _walk(old: Any, new: Any, where: str, findings: list[Finding], named: bool = False) -> None:
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (before, after) in enumerate(zip(old, new, strict=True)):
            _walk(before, after, f"{where}[{index}]", findings)
        return
    if not isinstance(old, dict) or not isinstance(new, dict):
        return
    changed = [
        key
        for key in sorted(set(old) | set(new), key=str)
        if not named and is_annotation(str(key)) and old.get(key) != new.get(key)
    ]
    if changed:
        marks = "x-decision" in changed
        findings.append(
            Finding(
                SAFE,
                where or "(top level)",
                "decision mark" if marks and len(changed) == 1 else "documentation",
                "; ".join(_change(key, old.get(key), new.get(key)) for key in changed),
                "the contract suite judges a server by the marks; a client is not affected" if marks else DOCUMENTATION,
            )
        )
    for key in sorted(old.keys() & new.keys(), key=str):
        if named or not is_annotation(str(key)):
            _walk(
                old[key], new[key], f"{where}.{key}" if where else str(key), findings, str(key) in NAMED and not named
            )


def _change(key: str, before: Any, after: Any) -> str:
    if key == "x-decision":
        return f"x-decision: {before or 'absent'} -> {after or 'absent'}"
    return f"{key} {'added' if before is None else 'removed' if after is None else 'changed'}"


def _keys(before: Any, after: Any) -> str:
    if isinstance(before, dict) and isinstance(after, dict):
        keys = sorted((key for key in set(before) | set(after) if before.get(key) != after.get(key)), key=str)
        return ", ".join(map(str, keys)) + " changed"
    return "changed"


def _decisions(old: dict[str, Any], new: dict[str, Any]) -> list[Finding]:
    findings = []
    for name in sorted(set(old) | set(new), key=str):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        where = f"x-decisions.{name}"
        if before is None or after is None:
            what = "decision added" if before is None else "decision removed"
            findings.append(Finding(SAFE, where, what, reason="a client is not affected"))
            continue
        was, now = _verdict(before), _verdict(after)
        detail = _keys(before, after) + (f"; the default run: {was} -> {now}" if was != now else "")
        reason = {
            ("enforced", "reported"): "the contract suite now warns where it failed (--strict still fails)",
            ("reported", "enforced"): "the contract suite now fails a server where it only warned",
        }.get((was, now), "a client is not affected")
        findings.append(Finding(SAFE, where, "decision changed", detail, reason))
    return findings


def _verdict(decision: Any) -> str:
    run = str(decision.get("default-run", "")) if isinstance(decision, dict) else ""
    return next((word for word in VERDICTS if run.startswith(word)), "unknown")


def _servers(old: list[Any], new: list[Any]) -> list[Finding]:
    before = [str(server.get("url")) for server in old if isinstance(server, dict)]
    after = [str(server.get("url")) for server in new if isinstance(server, dict)]
    findings = [
        Finding(
            WARNING,
            "servers",
            "server removed",
            url,
            "no request or answer changes, but clients configured with this base URL must move (--strict: breaking)",
        )
        for url in before
        if url not in after
    ]
    findings += [
        Finding(SAFE, "servers", "server added", url, "a client is not affected") for url in after if url not in before
    ]
    if not findings and old != new:
        findings.append(Finding(SAFE, "servers", "documentation", "descriptions changed", DOCUMENTATION))
    return findings
