"""Security, by the request rule: every way into the operation the old contract allowed must still let a request in.

An alternative (a security requirement: credentials presented together) is still allowed when some new alternative
asks for no more than it presents. A request presenting only the old alternative's credentials is the counterexample.
"""

from __future__ import annotations

from spec_diff.findings import BREAKING, SAFE, Counterexample, Finding
from spec_diff.operations import Credential, Operation, describe


def satisfies(presented: frozenset[Credential], required: frozenset[Credential]) -> bool:
    """Whether a request presenting `presented` meets the requirement `required`."""
    return all(
        any(kind == other[0] and which == other[1] and scopes <= other[2] for other in presented)
        for kind, which, scopes in required
    )


def security_findings(old: Operation, new: Operation, prefix: str = "") -> list[Finding]:
    findings = []
    refused = [alternative for alternative in old.security if not any(satisfies(alternative, r) for r in new.security)]
    required = " or ".join(describe(alternative) for alternative in new.security) or "nothing"
    for alternative in refused:
        presented = describe(alternative)
        findings.append(
            Finding(
                verdict=BREAKING,
                where=f"{prefix}security",
                what="authentication newly required" if not alternative else "credentials no longer accepted",
                detail=f"{presented} -> {required}",
                counterexample=Counterexample.request_lacking(f"a request presenting {presented}", required),
            )
        )
    if not refused:
        for alternative in new.security:
            if alternative not in old.security:
                findings.append(
                    Finding(
                        verdict=SAFE,
                        where=f"{prefix}security",
                        what="another way in" if alternative else "authentication no longer required",
                        detail=f"added: {describe(alternative)}",
                        reason="every request the old contract let in is still let in",
                    )
                )
        for alternative in old.security:
            if alternative not in new.security:
                findings.append(
                    Finding(
                        verdict=SAFE,
                        where=f"{prefix}security",
                        what="requirement rewritten",
                        detail=f"{describe(alternative)} -> {required}",
                        reason="a request presenting it still meets a requirement of the new contract",
                    )
                )
    return findings
