"""The API's envelope: every answer, success or error, is `{"status": <the HTTP status>, "body": ...}`."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any


def envelope(status: int, body: Any) -> bytes:
    """The answer's bytes, compact and UTF-8, as the API sends them."""
    return json.dumps({"status": status, "body": body}, separators=(",", ":"), ensure_ascii=False).encode()


def error_envelope(status: int, message: str) -> bytes:
    return envelope(status, {"message": message})


def raw_error_answer(status: int, message: str) -> bytes:
    """A whole HTTP/1.1 answer, head and envelope, that closes the connection: what the server itself writes to a
    request it refuses before any app sees it (too large a head, not HTTP, too slow)."""
    body = error_envelope(status, message)
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\ncontent-type: application/json\r\nconnection: close\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def is_envelope(data: Any) -> bool:
    """Whether a parsed answer has the envelope's shape (an integer `status` and a `body`), whatever its schema:
    how an answer of the API is told from a gateway's or another server's."""
    return isinstance(data, dict) and isinstance(data.get("status"), int) and "body" in data
