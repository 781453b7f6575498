"""The journal: the last N requests the mock answered, for people and tests to inspect."""

from __future__ import annotations

import itertools
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol

from mock_server.secret import mask_key
from mock_server.types import HEAD_LIMIT, Headers, head_size, header_name

BODY_LIMIT = 64 * 1024
# What an entry keeps of the request's query; of its headers, `HEAD_LIMIT`: `sivi-mock`'s server refuses longer
# heads (431), but an app served otherwise (another ASGI server) must not make one entry cost more than this.
QUERY_LIMIT = 4 * 1024


class UpstreamNote(Protocol):
    """What the proxy notes about the upstream's answer to a journaled request."""

    @property
    def contract(self) -> str | None:
        """The verdict (`conforms`, `differs`, `violates`), or None when there was no answer."""

    @property
    def source(self) -> str:
        """Who gave the answer the caller got: `upstream` (relayed) or `mock` (the proxy's own error)."""

    def as_json(self) -> dict[str, Any]: ...


class RequestFacts(NamedTuple):
    """One request and its answer as the journal keeps them, all but the entry's id, time and test: raw facts,
    formatted only when the journal is read. The same for every request sent alike (`request_facts`), so the
    server's fast path makes them once for a request that repeats, and each entry costs a short tuple."""

    method: str
    path: str
    query: bytes
    headers: Headers
    body: bytes  # at most BODY_LIMIT bytes of it
    size: int  # of the whole body
    status: int | None  # None: a fault that sent no status line
    upstream: UpstreamNote | None
    fault: str | None = None
    chaos: bool = False
    head_cut: bool = False  # headers or query beyond HEAD_LIMIT were left out
    answer_class: str = ""  # in `spec.answer_classes`' words
    delay_ms: int = 0
    mutant: str | None = None  # the mutant that changed the answer (`sivi-mutate`)


# An entry: its id, its time, the test the mock was told was running (`PUT /__mock/test`), the request's facts.
JournalEntry = tuple[int, float, str | None, RequestFacts]


def request_facts(
    method: str,
    path: str,
    query: bytes,
    headers: Headers,
    body: bytes,
    status: int | None,
    *,
    upstream: UpstreamNote | None = None,
    fault: str | None = None,
    chaos: bool = False,
    answer_class: str = "",
    delay_ms: int = 0,
    mutant: str | None = None,
) -> RequestFacts:
    """`upstream`: in proxy mode, what the upstream answered (formatted only when the journal is read);
    `fault`: the fault given instead of an answer, `chaos`: whether `--chaos` chose what was given;
    `answer_class`: what answer it was, `mutant`: what changed it."""
    # Only the first BODY_LIMIT bytes of the body and HEAD_LIMIT of the head are kept, so a full journal has a
    # fixed upper size. The usual head fits whole and is kept as it came, without a copy.
    cut = head_size(headers)[0] > HEAD_LIMIT or len(query) > QUERY_LIMIT or len(path) > HEAD_LIMIT
    if cut:
        headers, query, path = bounded_head(headers), query[:QUERY_LIMIT], path[:HEAD_LIMIT]
    return RequestFacts(
        method,
        path,
        query,
        headers,
        body[:BODY_LIMIT],
        len(body),
        status,
        upstream,
        fault,
        chaos,
        cut,
        answer_class,
        delay_ms,
        mutant,
    )


class Journal:
    """A bounded list of requests. `add` keeps raw facts; `entries()` formats them when asked."""

    def __init__(self, maxlen: int, api_key_header: str) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=maxlen)
        self._ids = itertools.count(1)
        self._key_header = header_name(api_key_header)

    @property
    def maxlen(self) -> int:
        return self._entries.maxlen or 0

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, facts: RequestFacts, test: str | None = None) -> None:
        """A request the mock answered, or refused, received now (its facts: `request_facts`), by `test`."""
        self._entries.append((next(self._ids), time.time(), test, facts))

    def clear(self) -> None:
        self._entries.clear()

    def entries(self, contract: str | None = None) -> list[dict[str, Any]]:
        """Every entry, or only those whose upstream answer got that contract verdict (`violates`, ...)."""
        kept = (
            self._entries
            if contract is None
            else [e for e in self._entries if e[3].upstream is not None and e[3].upstream.contract == contract]
        )
        return [self._format(*entry) for entry in kept]

    def _format(self, entry_id: int, at: float, test: str | None, entry: RequestFacts) -> dict[str, Any]:
        headers: dict[str, str] = {}
        for name, value in entry.headers:
            text = value.decode("latin-1")
            if name.lower() == self._key_header:
                text = mask_key(text)
            key = name.decode("latin-1").lower()
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        return {
            "id": entry_id,
            "time": datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds"),
            "method": entry.method,
            "path": entry.path,
            "query": entry.query.decode("latin-1"),
            "headers": headers,
            "body": entry.body.decode("utf-8", errors="replace"),
            "bodyTruncated": entry.size > len(entry.body),
            **({"headTruncated": True} if entry.head_cut else {}),
            "status": entry.status,
            "fault": entry.fault,
            **({"answer": entry.answer_class} if entry.answer_class else {}),
            **({"delayMs": entry.delay_ms} if entry.delay_ms else {}),
            **({"test": test} if test is not None else {}),
            **({"mutant": entry.mutant} if entry.mutant is not None else {}),
            **({"chaos": True} if entry.chaos else {}),
            "source": entry.upstream.source if entry.upstream is not None else "mock",
            **({"upstream": entry.upstream.as_json()} if entry.upstream is not None else {}),
        }


def bounded_head(headers: Headers) -> Headers:
    """The first headers that fit in `HEAD_LIMIT` bytes, the last of them cut to what is left."""
    budget = HEAD_LIMIT
    kept: list[tuple[bytes, bytes]] = []
    for name, value in headers:
        if budget <= len(name):
            break
        kept.append((name, value[: budget - len(name)]))
        budget -= len(name) + len(kept[-1][1])
    return kept
