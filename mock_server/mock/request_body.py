"""Reading and checking the request body: bounded, strict JSON, then the spec's request schema."""

from __future__ import annotations

from typing import Any

from starlette.types import Receive

from mock_server.errors import BodyTooLarge, InvalidInput, NotJson
from mock_server.spec.contract import Contract
from mock_server.strict_json import is_json, read_request_json


async def read_body(receive: Receive, limit: int, declared: int | None) -> bytes:
    """The whole body, or `BodyTooLarge` as soon as it passes `limit` (an endless body costs `limit` bytes)."""
    if declared is not None and declared > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def parse_request(content_types: list[bytes], body: bytes, contract: Contract) -> dict[str, Any]:
    """The request as a dict the spec accepts; `InvalidInput` otherwise."""
    if len(content_types) != 1:
        raise InvalidInput("send exactly one Content-Type: application/json header")
    if not is_json(content_types[0]):
        raise InvalidInput(f"Content-Type must be application/json, not {content_types[0].decode('latin-1')!r}")
    try:
        data = read_request_json(body)
    except NotJson as error:
        raise InvalidInput(str(error)) from None
    if not isinstance(data, dict):
        raise InvalidInput(f"the body must be a JSON object, not {type(data).__name__}")
    if not any(field in data for field in contract.id_fields):
        raise InvalidInput(f"the body needs {' or '.join(contract.id_fields)} (a non-empty string)")
    if not contract.request.is_valid(data):
        raise InvalidInput(contract.request.errors(data)[0].replace("(top level): ", ""))
    return data
