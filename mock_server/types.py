"""Type aliases the kit's modules share (as `starlette.types` does for ASGI), and the two rules of the header lists
they name, each stated once: how a header's name is spelled in them (`header_name`), and how large a request's head
may be (`HEAD_LIMIT`, measured by `head_size`) for the server that refuses it and the journal that keeps it."""

from __future__ import annotations

from collections.abc import Sequence

Header = tuple[bytes, bytes]
# Header lists as ASGI hands them over and as the mock sends them: lowercase names, bytes, in order, repeats kept.
Headers = Sequence[Header]
# Header lists as the proxy's client reads them from, and writes them to, an upstream: lowercase names, text.
TextHeaders = list[tuple[str, str]]

# A request's target and headers in all: `sivi-mock`'s server answers a longer head 431, and a journal entry keeps
# no more of one (an app served otherwise may be handed any).
HEAD_LIMIT = 16 * 1024


def header_name(name: str) -> bytes:
    """A header's name as `Headers` spell it (ASGI servers hand names over in lower case)."""
    return name.lower().encode("latin-1")


def head_size(headers: Headers) -> tuple[int, int]:
    """The bytes of `headers` as sent (`name: value` and a line end each), and how many are `host` (names as uvicorn
    gives them, lower case)."""
    # One plain loop for both: for the few headers of a usual request it costs less than two passes, or summing
    # through `map` and `chain`. It runs for every request, in the server and in the journal.
    size = hosts = 0
    for name, value in headers:
        size += len(name) + len(value) + 4
        if name == b"host":
            hosts += 1
    return size, hosts
