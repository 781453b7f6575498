"""The `Prefer` header, Prism-style: `code=`, `example=`, `dynamic=`, `delay=`."""

from __future__ import annotations

from dataclasses import dataclass

from mock_server.contract import Contract
from mock_server.errors import SiviKitError

DIRECTIVES = ("code", "example", "dynamic", "delay")


class PreferError(SiviKitError):
    """A directive the mock cannot honour; `directive` is the text as sent, e.g. `code=302`."""

    def __init__(self, directive: str, reason: str) -> None:
        self.directive, self.reason = directive, reason
        super().__init__(f"{directive}: {reason}")


@dataclass(frozen=True)
class Directives:
    code: int | None = None
    example: str | None = None
    dynamic: bool = False
    delay_ms: int | None = None


NONE = Directives()


def parse_prefer(values: list[str], contract: Contract, max_delay_ms: int) -> Directives:
    """Read every `Prefer` header (comma-separated `name=value` directives); raise `PreferError`."""
    found: dict[str, str] = {}
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            name, _, raw = part.partition("=")
            name, raw = name.strip().lower(), raw.strip().strip('"')
            if name not in DIRECTIVES:
                raise PreferError(part, f"unknown directive (the mock knows {', '.join(DIRECTIVES)})")
            if name in found:
                raise PreferError(part, f"{name} is given twice")
            found[name] = raw
    if not found:
        return NONE
    return Directives(
        code=_code(found["code"], contract) if "code" in found else None,
        example=_example(found["example"], contract) if "example" in found else None,
        dynamic=_flag(found["dynamic"]) if "dynamic" in found else False,
        delay_ms=_delay(found["delay"], max_delay_ms) if "delay" in found else None,
    )


def _code(raw: str, contract: Contract) -> int:
    documented = ", ".join(map(str, contract.statuses))
    if not raw.isdigit() or int(raw) not in contract.statuses:
        raise PreferError(f"code={raw}", f"not a status the spec documents for this operation ({documented})")
    return int(raw)


def _example(raw: str, contract: Contract) -> str:
    if raw not in contract.examples:
        raise PreferError(f"example={raw}", f"no such named example (the spec has {', '.join(contract.examples)})")
    return raw


def _flag(raw: str) -> bool:
    if raw.lower() not in ("true", "false"):
        raise PreferError(f"dynamic={raw}", "expected true or false")
    return raw.lower() == "true"


def _delay(raw: str, max_delay_ms: int) -> int:
    if not raw.isdigit() or int(raw) > max_delay_ms:
        raise PreferError(f"delay={raw}", f"expected milliseconds, a whole number from 0 to {max_delay_ms}")
    return int(raw)
