"""One request as sent and what came back: the data every judgement of an answer reads."""

from __future__ import annotations

import enum
import shlex
from dataclasses import dataclass, field
from typing import Any, Final

from mock_server.errors import NotJson
from mock_server.secret import mask_key
from mock_server.strict_json import read_answer_json


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

    @property
    def content_type(self) -> str:
        return self.response_headers.get("content-type", "")

    def json(self) -> Any:
        """The response body as a browser's `JSON.parse` reads it, or `NOT_JSON`."""
        try:
            return read_answer_json(self.content)
        except NotJson:
            return NOT_JSON

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
