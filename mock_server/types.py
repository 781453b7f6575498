"""Type aliases the kit's modules share (as `starlette.types` does for ASGI)."""

from __future__ import annotations

from collections.abc import Sequence

Header = tuple[bytes, bytes]
# Header lists as ASGI hands them over and as the mock sends them: lowercase names, bytes, in order, repeats kept.
Headers = Sequence[Header]
# Header lists as the proxy's client reads them from, and writes them to, an upstream: lowercase names, text.
TextHeaders = list[tuple[str, str]]
