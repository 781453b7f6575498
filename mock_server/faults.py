"""The faults the mock gives on purpose, by name, and the ASGI extension through which an app asks its server for the
ones that need the connection itself.

A fault is outside the contract: what a client meets on the way to the API rather than from it. Gateway faults are
ordinary HTTP answers (a gateway's HTML page), which any ASGI server can send. The others cannot be said in ASGI:
a reset, a close without an answer, bytes that are not HTTP, an answer cut short, an answer that never comes. For
those the kit's server (`mock_server.serving.protocol`) offers the connection in each request's scope:

    connection = scope["extensions"]["sivi.connection"]["connection"]   # a `Connection`
    connection.write(b"...")        # raw bytes, no HTTP framing
    await connection.close()        # FIN, once what was written is sent
    await connection.reset()        # RST (SO_LINGER 0), what was not sent is dropped
    await connection.hold(seconds)  # nothing, until the client leaves or `seconds` pass; then close

Each coroutine returns once the connection is gone, so the server has counted the request as disconnected by the
time the app returns (no "returned without a response" error). A server without the extension (plain uvicorn,
Hypercorn, Granian) leaves it out of the scope: `connection_of(scope)` is then None and the mock says so.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # settings imports this module: `sivi-mock --help` loads no Starlette
    from starlette.types import Scope


class Given(enum.Enum):
    """How the mock gives a fault: through the connection (`Connection`, the server's extension), or as an answer."""

    RESET = "reset the connection"
    CLOSE = "close the connection"
    GARBAGE = "write bytes that are not HTTP, then close"
    HOLD = "hold the connection, then close"
    CUT = "send the answer's head and half its body, then close"
    GATEWAY_PAGE = "answer a gateway's HTML page"


# What a fault gives instead of the whole answer (so nothing may shape that answer: no status, analysis, message).
NO_ANSWER = "sends no answer"
OWN_PAGE = "answers the gateway's own page"


@dataclass(frozen=True)
class Fault:
    """One fault's rules. `FAULT_RULES` states them once; the mock, `Prefer`, the fixtures and the docs read them."""

    sees: str  # what the client sees
    given: Given
    # What it gives instead of the whole answer (`NO_ANSWER`, `OWN_PAGE`); None: it cuts the answer, which may be
    # shaped like any other (its status, analysis, message).
    replaces: str | None
    status: int | None = None  # the status of its own answer; None: it has no answer of its own
    retry_after: bool = False  # its answer asks the client to retry later

    @property
    def through_connection(self) -> bool:
        """It needs the connection itself, which only a server offering `sivi.connection` hands to the app."""
        return self.given is not Given.GATEWAY_PAGE

    @property
    def silent(self) -> bool:
        """The client gets no status at all (`truncated` sends its answer's status line, then stops)."""
        return self.replaces is not None and self.status is None


# Each fault and its rules, in the order the docs list them.
FAULT_RULES = {
    "reset": Fault("the connection reset (RST), no answer", Given.RESET, NO_ANSWER),
    "close": Fault("the connection closed, no answer", Given.CLOSE, NO_ANSWER),
    "truncated": Fault("the headers and half the body, then the connection closed", Given.CUT, None),
    "garbage": Fault("bytes that are not HTTP, then the connection closed", Given.GARBAGE, NO_ANSWER),
    "hang": Fault("nothing, until the client gives up (the mock closes it after --hang-limit)", Given.HOLD, NO_ANSWER),
    "gateway-502": Fault("a gateway's 502 HTML page, not the API's envelope", Given.GATEWAY_PAGE, OWN_PAGE, 502),
    "gateway-503": Fault(
        "a gateway's 503 HTML page, with Retry-After", Given.GATEWAY_PAGE, OWN_PAGE, 503, retry_after=True
    ),
    "gateway-504": Fault("a gateway's 504 HTML page", Given.GATEWAY_PAGE, OWN_PAGE, 504),
}

# The table, as the sets that name its properties.
FAULTS = tuple(FAULT_RULES)
WHAT_THE_CLIENT_SEES = {name: fault.sees for name, fault in FAULT_RULES.items()}
TRANSPORT_FAULTS = tuple(name for name, fault in FAULT_RULES.items() if fault.through_connection)
GATEWAY_FAULTS = {name: fault.status for name, fault in FAULT_RULES.items() if fault.status is not None}
SILENT_FAULTS = tuple(name for name, fault in FAULT_RULES.items() if fault.silent)


def replaced_by(fault: str | None) -> str | None:
    """What `fault` gives instead of the whole answer (so that answer cannot be shaped); None when there is no
    fault, or the fault only cuts the answer."""
    rules = FAULT_RULES.get(fault) if fault is not None else None
    return rules.replaces if rules is not None else None


CONNECTION_EXTENSION = "sivi.connection"


class Connection(Protocol):
    """One client connection, as the server hands it to the app (see the module's docstring)."""

    def write(self, data: bytes) -> None: ...

    async def close(self) -> None: ...

    async def reset(self) -> None: ...

    async def hold(self, seconds: float) -> None: ...


def connection_of(scope: Scope) -> Connection | None:
    """The connection the server offers for this request, or None when it offers none."""
    extension = (scope.get("extensions") or {}).get(CONNECTION_EXTENSION)
    connection: Connection | None = extension.get("connection") if isinstance(extension, dict) else None
    return connection
