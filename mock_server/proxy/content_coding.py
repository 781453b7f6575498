"""An answer's `Content-Encoding`, undone within the proxy's size bound, or refused by name."""

from __future__ import annotations

import zlib

from mock_server.errors import UpstreamError
from mock_server.types import TextHeaders

Kind = UpstreamError.Kind

DECODABLE = frozenset({"gzip", "x-gzip", "deflate"})


def decoded(headers: TextHeaders, body: bytes, limit: int) -> tuple[TextHeaders, bytes]:
    """The body without its `content-encoding` (the proxy asks for none, but a server may send gzip or deflate).

    The bound holds after decoding too: at most `limit` bytes are ever inflated, whatever the compressed size. An
    encoding the proxy cannot decode (`br`, `zstd`, two of them) is an `ENCODING` fault, never relayed as if the
    bytes were the answer.
    """
    codings = [value.strip().lower() for name, value in headers if name == "content-encoding"]
    listed = [token.strip() for value in codings for token in value.split(",") if token.strip()]
    applied = [token for token in listed if token != "identity"]
    if not applied:
        return headers if not codings else _without_encoding(headers), body
    if len(applied) > 1 or applied[0] not in DECODABLE:
        cause = f"the answer's content-encoding {', '.join(listed)!r} cannot be decoded"
        raise UpstreamError(Kind.ENCODING, cause)
    try:
        inflater = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib, by the header
        plain = inflater.decompress(body, limit + 1)
    except zlib.error as error:
        raise UpstreamError(Kind.ENCODING, f"the {applied[0]} answer cannot be decoded ({error})") from None
    # Output stopped at the bound with input left over (`unconsumed_tail`), or reached past it: too large. Never
    # `flush()` an inflater that stopped at the bound: it inflates the whole rest at once.
    if len(plain) > limit or inflater.unconsumed_tail:
        raise UpstreamError(Kind.TOO_LARGE, f"the decoded answer is longer than the {limit} bytes allowed")
    if not inflater.eof:
        raise UpstreamError(Kind.ENCODING, f"the {applied[0]} answer is cut short")
    return _without_encoding(headers), plain


def _without_encoding(headers: TextHeaders) -> TextHeaders:
    return [(name, value) for name, value in headers if name != "content-encoding"]
