"""Answers whose head has a line that is not a header field (no colon): told as a warning, never a traceback.

urllib3 reads such an answer anyway (Python's parser drops the line and every header after it) and logs the
`HeaderParsingError` with its traceback, which pytest then shows under every failing test: 49 times in one run.
`MALFORMED_HEADS` drops that record and keeps what it says for the request that got the answer, in the thread that
sent it. The vendor documents nothing of HTTP's framing, so it is no violation of the contract; it is a warning,
since a strict client (Node's llhttp, httptools, so the kit's own proxy) refuses the whole answer.
"""

from __future__ import annotations

import ast
import logging
import threading

# urllib3 2 logs from `connection`, urllib3 1 from `connectionpool`; the message is the same.
LOGGERS = ("urllib3.connection", "urllib3.connectionpool")
LOGGED = "Failed to parse headers (url=%s): %s"
CHECK = "http_head"


class MalformedHeads(logging.Filter):
    """Drops urllib3's record of a head it could not parse, and keeps the line it stumbled on for `take`."""

    def __init__(self) -> None:
        super().__init__()
        self._local = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != LOGGED:
            return True
        error = record.args[-1] if isinstance(record.args, tuple) and record.args else ""
        self._local.found = _first_unparsed_line(str(error))
        return False

    def install(self) -> None:
        for name in LOGGERS:
            logging.getLogger(name).addFilter(self)  # once: a filter already there is not added again

    def take(self) -> str | None:
        """The warning about the last answer this thread read, if its head was malformed; then forgotten."""
        found: str | None = getattr(self._local, "found", None)
        self._local.found = None
        if found is None:
            return None
        shown = f" ({found!r})" if found else ""
        return (
            f"an answer's head has a line without a colon{shown}: HTTP/1.1 has no such line (RFC 9112); Python's "
            "client drops it and every header after it, strict clients (Node's, the kit's proxy) refuse the answer"
        )


def _first_unparsed_line(message: str) -> str:
    """The first line urllib3 could not parse, from its message `[defects], unparsed data: '...'` ("" if none)."""
    _, _, unparsed = message.partition(", unparsed data: ")
    try:
        data = ast.literal_eval(unparsed)
    except (ValueError, SyntaxError):
        return ""
    text = data.decode("latin-1") if isinstance(data, bytes) else data if isinstance(data, str) else ""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:80]


MALFORMED_HEADS = MalformedHeads()
