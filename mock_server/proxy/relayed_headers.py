"""Which headers cross the proxy, each way (RFC 9110 7.6.1: hop-by-hop headers never do)."""

from __future__ import annotations

from collections.abc import Iterable

from mock_server.types import Header, Headers, TextHeaders

# Meaningful for one connection only, never relayed (nor the headers that `Connection` names).
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
# Set again by the proxy's own client: the upstream's host and the body's length; it asks for no encoding.
# Cookies, Origin and Referer belong to the page and the proxy's origin, not to the upstream; Prefer is the mock's.
NOT_FORWARDED = HOP_BY_HOP | {"host", "content-length", "accept-encoding", "cookie", "origin", "referer", "prefer"}
# The headers the proxy itself says things in: an upstream's own would pass for the proxy's verdict or error.
PROXY_SAYS = frozenset({"sivi-contract", "sivi-mock-error", "sivi-source"})
# CORS is the mock's own layer; the mock's server sets its own Date and Server; cookies belong to the upstream's site.
NOT_RETURNED = HOP_BY_HOP | PROXY_SAYS | {"content-length", "set-cookie", "date", "server"}


def forwarded(headers: Headers, key_header: str, key: str | None) -> TextHeaders:
    """The caller's headers as the upstream gets them; `key`, when given, in place of the caller's key."""
    received = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers]
    dropped = NOT_FORWARDED | _named_by_connection(received)
    if key is not None:
        dropped |= {key_header}
    outgoing = [(name, value) for name, value in received if name not in dropped]
    return [*outgoing, (key_header, key)] if key is not None else outgoing


def returned(headers: Iterable[tuple[str, str]]) -> list[Header]:
    """The upstream's headers (lowercase names) as the caller gets them."""
    answered = list(headers)
    dropped = NOT_RETURNED | _named_by_connection(answered)
    return [
        (name.encode("latin-1"), value.encode("latin-1"))
        for name, value in answered
        if name not in dropped and not name.startswith("access-control-")
    ]


def _named_by_connection(headers: TextHeaders) -> set[str]:
    return {
        token.strip().lower() for name, value in headers if name == "connection" for token in value.split(",") if token
    }
