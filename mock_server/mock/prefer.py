"""The `Prefer` header, Prism-style: `code=`, `example=`, `dynamic=`, `delay=`, and the mock's own `fault=`: read
it, then apply it to the answer the lookup chose. Errors name the directive as it was sent."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from mock_server.errors import PreferError
from mock_server.faults import FAULTS, replaced_by
from mock_server.mock.replies import GENERATED, Replies, Reply, fault_reply, mock_error_reply
from mock_server.spec.answer_classes import example_class
from mock_server.spec.contract import Contract
from mock_server.spec.envelope import envelope

DIRECTIVES = ("code", "example", "dynamic", "delay", "fault")


@dataclass(frozen=True)
class Directives:
    code: int | None = None
    example: str | None = None
    dynamic: bool = False
    delay_ms: int | None = None
    fault: str | None = None


NONE = Directives()


def preferred(values: list[str], prepared: Reply | None, replies: Replies, max_delay_ms: int, seed: bytes) -> Reply:
    """The answer the `Prefer` headers `values` ask for, given the lookup's answer `prepared` (None: unknown id).

    A directive the mock cannot honour gets the mock's own error (412, `Sivi-Mock-Error: prefer`), naming it.
    """
    try:
        directives = parse_prefer(values, replies.contract, max_delay_ms)
        if directives is NONE:
            return prepared or replies.not_found
        return apply_prefer(prepared, directives, replies, seed)
    except PreferError as error:
        return mock_error_reply(error.directive, error.reason)


def parse_prefer(values: list[str], contract: Contract, max_delay_ms: int) -> Directives:
    """Read every `Prefer` header (comma-separated `name=value` directives); raise `PreferError`."""
    found: dict[str, tuple[str, str]] = {}  # name -> (its value, the directive as sent)
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
            found[name] = raw, part
    if not found:
        return NONE
    return Directives(
        code=_code(*found["code"], contract) if "code" in found else None,
        example=_example(*found["example"], contract) if "example" in found else None,
        dynamic=_flag(*found["dynamic"]) if "dynamic" in found else False,
        delay_ms=_delay(*found["delay"], max_delay_ms) if "delay" in found else None,
        fault=_fault(*found["fault"], found) if "fault" in found else None,
    )


def _code(raw: str, sent: str, contract: Contract) -> int:
    if not raw.isdigit() or int(raw) not in contract.statuses:
        raise PreferError(sent, contract.undocumented(scope=" for this operation"))
    return int(raw)


def _example(raw: str, sent: str, contract: Contract) -> str:
    if raw not in contract.examples:
        raise PreferError(sent, f"no such named example (the spec has {', '.join(contract.examples)})")
    return raw


def _flag(raw: str, sent: str) -> bool:
    if raw.lower() not in ("true", "false"):
        raise PreferError(sent, "expected true or false")
    return raw.lower() == "true"


def _delay(raw: str, sent: str, max_delay_ms: int) -> int:
    if not raw.isdigit() or int(raw) > max_delay_ms:
        raise PreferError(sent, f"expected milliseconds, a whole number from 0 to {max_delay_ms}")
    return int(raw)


def _fault(raw: str, sent: str, found: dict[str, tuple[str, str]]) -> str:
    if raw not in FAULTS:
        raise PreferError(sent, f"no such fault (the mock gives {', '.join(FAULTS)})")
    what = replaced_by(raw)
    if what is not None:
        shaping = [found[name][1] for name in ("code", "example", "dynamic") if name in found]
        if shaping:
            raise PreferError(sent, f"it {what}, so {', '.join(shaping)} cannot shape it")
    return raw


def apply_prefer(prepared: Reply | None, directives: Directives, replies: Replies, seed: bytes) -> Reply:
    """The answer once `Prefer` has spoken. `prepared` is the lookup's answer (None: unknown user)."""
    contract = replies.contract
    status = directives.code
    if directives.example is not None:
        example = contract.examples[directives.example]
        if status is not None and status != example.status:
            raise PreferError(f"example={example.name}", f"it is an example of {example.status}, not of {status}")
        body = envelope(example.status, example.value.get("body"))
        reply = Reply(example.status, body, answer_class=example_class(example))
    elif directives.dynamic:
        if prepared is None:
            status = status or 400
        elif status is None:  # the lookup's; an account whose answer is a fault exists, so 200
            status = prepared.status if prepared.status in contract.responses else 200
        from mock_server.mock.dynamic import generate_body  # the generator is only imported when first asked for

        body = envelope(status, generate_body(contract, status, seed))
        reply = Reply(status, body, answer_class=f"{status} {GENERATED}")
    elif status is None:
        reply = prepared or replies.not_found
    elif prepared is not None and prepared.status == status:
        reply = dataclasses.replace(prepared, fault=None)  # the account's data, without the account's fault
    else:
        reply = replies.documented(status)

    delay = directives.delay_ms if directives.delay_ms is not None else (prepared.delay_ms if prepared else 0)
    if delay != reply.delay_ms:
        reply = dataclasses.replace(reply, delay_ms=delay)
    if directives.fault is not None:
        reply = fault_reply(directives.fault, reply)
    return reply
