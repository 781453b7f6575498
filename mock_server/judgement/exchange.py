"""One request as sent and what came back: the data every judgement of an answer reads."""

from __future__ import annotations

import enum
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from mock_server.errors import NotJson, RepeatedKey
from mock_server.secret import mask_key
from mock_server.strict_json import read_answer_json, read_request_json


class _NotJson(enum.Enum):
    """A body that is not JSON: a value of its own, since `None` is JSON's `null`."""

    NOT_JSON = "not JSON"


NOT_JSON: Final = _NotJson.NOT_JSON
# Headers an HTTP client adds on its own: left out of the curl command, which adds its own.
_TRANSPORT_HEADERS = {
    "user-agent",
    "accept-encoding",
    "accept",
    "connection",
    "content-length",
    "x-schemathesis-testcaseid",
}


@dataclass(frozen=True)
class RequestReading:
    """A request body, read once, both ways the judgement reads it."""

    data: Any  # as the API reads it (`mock_server.strict_json`), or `NOT_JSON`
    last_wins: Any  # a body that names a key twice, as a parser that keeps the last value reads it; else `NOT_JSON`

    @classmethod
    def of(cls, body: bytes | None) -> RequestReading:
        if body is None:
            return cls(NOT_JSON, NOT_JSON)
        try:
            return cls(read_request_json(body), NOT_JSON)
        except RepeatedKey as repeated:
            return cls(NOT_JSON, repeated.data)
        except NotJson:
            return cls(NOT_JSON, NOT_JSON)


def joined_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """A header list as one value a name, a repeated header's values joined by `, ` (RFC 9110, section 5.3): as
    `requests` hands the contract suite an answer's headers, so that the proxy and the suite read the same."""
    joined: dict[str, str] = {}
    for name, value in headers:
        joined[name] = f"{joined[name]}, {value}" if name in joined else value
    return joined


@dataclass
class Exchange:
    """One request as sent and what came back: a response, or `error` saying why there is none."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    key_header: str
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""
    elapsed: float = 0.0
    error: str | None = None
    # The request body read, by whoever read it first (the proxy, to find the ids it names); else when first asked.
    request_reading: RequestReading | None = field(default=None, repr=False, compare=False)
    _answer_read: tuple[bytes, Any] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def content_type(self) -> str:
        return self.response_headers.get("content-type", "")

    def request(self) -> RequestReading:
        """The request body as the judgement reads it, read once."""
        if self.request_reading is None:
            self.request_reading = RequestReading.of(self.body)
        return self.request_reading

    def json(self) -> Any:
        """The response body as a browser's `JSON.parse` reads it, or `NOT_JSON`; read once (again only should
        `content` be given another body)."""
        if self._answer_read is None or self._answer_read[0] is not self.content:
            try:
                data = read_answer_json(self.content)
            except NotJson:
                data = NOT_JSON
            self._answer_read = (self.content, data)
        return self._answer_read[1]

    def curl(self) -> str:
        """A runnable `curl` command for this request, with the API key masked."""
        parts = ["curl", "-i", "-X", self.method, shlex.quote(self.url)]
        for name, value in self.headers.items():
            if name.lower() in _TRANSPORT_HEADERS:
                continue
            shown = mask_key(value) if name.lower() == self.key_header.lower() else value
            parts += ["-H", shlex.quote(f"{name}: {shown}")]
        if self.body is None:
            return " ".join(parts)
        try:
            text: str | None = self.body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and "\x00" not in text:
            return " ".join([*parts, "--data-binary", shlex.quote(text)])
        # Bytes a shell cannot quote: printf writes them, curl reads them from stdin.
        escaped = "".join(f"\\x{byte:02x}" for byte in self.body)
        return f"printf '%b' '{escaped}' | " + " ".join([*parts, "--data-binary", "@-"])

    def describe_response(self, limit: int = 2000) -> str:
        if self.error is not None:
            return f"no response: {self.error}"
        text = self.content.decode("utf-8", errors="replace")
        if len(text) > limit:
            text = text[:limit] + f"... ({len(self.content)} bytes in all)"
        content_type = self.content_type or "(no content-type)"
        return f"HTTP {self.status}, {content_type}, after {self.elapsed:.2f} s\n{text}"
