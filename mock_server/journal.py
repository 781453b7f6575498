"""The journal: the last N requests the mock answered, for people and tests to inspect."""

from __future__ import annotations

import itertools
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any, Protocol

from mock_server.secret import mask_key

BODY_LIMIT = 64 * 1024


class UpstreamNote(Protocol):
    """What the proxy notes about the upstream's answer to a journaled request."""

    @property
    def contract(self) -> str | None:
        """The verdict (`conforms`, `differs`, `violates`), or None when there was no answer."""

    def as_json(self) -> dict[str, Any]: ...


class Journal:
    """A bounded record of requests. Recording stores raw facts; `entries()` formats them when asked."""

    def __init__(self, maxlen: int, api_key_header: str) -> None:
        self._entries: deque[tuple[Any, ...]] = deque(maxlen=maxlen)
        self._ids = itertools.count(1)
        self._key_header = api_key_header.lower().encode("latin-1")

    @property
    def maxlen(self) -> int:
        return self._entries.maxlen or 0

    def __len__(self) -> int:
        return len(self._entries)

    def record(
        self,
        method: str,
        path: str,
        query: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        status: int,
        *,
        upstream: UpstreamNote | None = None,
    ) -> None:
        """`upstream`: in proxy mode, what the upstream answered (formatted only when the journal is read)."""
        # Only the first BODY_LIMIT bytes are kept, so a full journal has a fixed upper size.
        self._entries.append(
            (next(self._ids), time.time(), method, path, query, headers, body[:BODY_LIMIT], len(body), status, upstream)
        )

    def clear(self) -> None:
        self._entries.clear()

    def entries(self, contract: str | None = None) -> list[dict[str, Any]]:
        """Every entry, or only those whose upstream answer got that contract verdict (`violates`, ...)."""
        kept = (
            self._entries
            if contract is None
            else [e for e in self._entries if e[-1] is not None and e[-1].contract == contract]
        )
        return [self._format(entry) for entry in kept]

    def _format(self, entry: tuple[Any, ...]) -> dict[str, Any]:
        entry_id, when, method, path, query, raw_headers, body, size, status, upstream = entry
        headers: dict[str, str] = {}
        for name, value in raw_headers:
            text = value.decode("latin-1")
            if name.lower() == self._key_header:
                text = mask_key(text)
            key = name.decode("latin-1").lower()
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        return {
            "id": entry_id,
            "time": datetime.fromtimestamp(when, UTC).isoformat(timespec="milliseconds"),
            "method": method,
            "path": path,
            "query": query.decode("latin-1"),
            "headers": headers,
            "body": body.decode("utf-8", errors="replace"),
            "bodyTruncated": size > len(body),
            "status": status,
            **({"upstream": upstream.as_json()} if upstream is not None else {}),
        }
