"""Reading and checking the request body: bounded, strict JSON, then the spec's request schema."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Receive

from mock_server.contract import Contract
from mock_server.errors import SiviKitError

JSON_MEDIA_TYPE = b"application/json"


class BodyTooLarge(SiviKitError):
    """The body passed the limit; answered 413."""


class InvalidInput(SiviKitError):
    """The body is not a request the API accepts; the message says why, for the 422 answer."""


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
    if content_types[0].split(b";", 1)[0].strip().lower() != JSON_MEDIA_TYPE:
        raise InvalidInput(f"Content-Type must be application/json, not {content_types[0].decode('latin-1')!r}")
    try:
        data = _DECODER.decode(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput("the body is not UTF-8") from None
    except RecursionError:
        raise InvalidInput("the body is nested too deeply") from None
    except ValueError as error:  # JSONDecodeError, NaN/Infinity, duplicate keys, oversized integers
        raise InvalidInput(f"the body is not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"the body must be a JSON object, not {type(data).__name__}")
    if not any(field in data for field in contract.id_fields):
        raise InvalidInput(f"the body needs {' or '.join(contract.id_fields)} (a non-empty string)")
    if not contract.request.is_valid(data):
        raise InvalidInput(contract.request.errors(data)[0].replace("(top level): ", ""))
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        # Parsers disagree on which duplicate wins, so a duplicated id is ambiguous input, not a choice to guess.
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"the key {key!r} appears twice")
            seen.add(key)
    return data


# Built once: `json.loads` with options would build a new decoder for every request.
_DECODER = json.JSONDecoder(parse_constant=_no_constant, object_pairs_hook=_no_duplicates)
