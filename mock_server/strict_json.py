"""How the kit reads JSON, once for the mock, the proxy and the judgement: strictly, as the API's clients do.

A request body is read as the mock reads it (and the judgement expects a server to): UTF-8, no `NaN` or `Infinity`,
no key given twice (parsers disagree on which one wins, so a repeated id is ambiguous input, not a choice to
guess). An answer is read as strictly as a browser's `JSON.parse` reads `fetch`'s text (UTF-8, a leading byte
order mark dropped, no `NaN` or `Infinity`; a repeated key is allowed there, the last one wins).
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from mock_server.errors import NotJson, RepeatedKey

JSON_MEDIA_TYPE = "application/json"
_JSON_MEDIA_TYPE_BYTES = JSON_MEDIA_TYPE.encode()


def media_type(content_type: str | bytes) -> str:
    """`application/json; charset=utf-8` -> `application/json`."""
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    return content_type.split(";", 1)[0].strip().lower()


def is_json(content_type: str | bytes) -> bool:
    if isinstance(content_type, bytes):  # a request's header, as the server hands it over: no decoding needed
        return content_type.split(b";", 1)[0].strip().lower() == _JSON_MEDIA_TYPE_BYTES
    return media_type(content_type) == JSON_MEDIA_TYPE


def read_request_json(body: bytes) -> Any:
    """A request body as the API reads it; `NotJson` naming the reason otherwise."""
    return _read(body, _REQUEST_DECODER, "utf-8")


def read_answer_json(body: bytes) -> Any:
    """An answer's body as a browser's `JSON.parse` reads it; `NotJson` naming the reason otherwise."""
    return _read(body, _ANSWER_DECODER, "utf-8-sig")  # `fetch`'s `text()` drops a leading byte order mark


def _read(body: bytes, decoder: json.JSONDecoder, encoding: str) -> Any:
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        raise NotJson("the body is not UTF-8") from None
    try:
        return decoder.decode(text)
    except RepeatedKey as error:  # from the decoder's hook, which cannot know the whole body yet
        raise RepeatedKey(f"the body is not valid JSON ({error})", _LENIENT_DECODER.decode(text)) from None
    except RecursionError:
        raise NotJson("the body is nested too deeply") from None
    except ValueError as error:  # JSONDecodeError, NaN/Infinity, a repeated key, an oversized integer
        raise NotJson(f"the body is not valid JSON ({error})") from None


def _no_constant(name: str) -> NoReturn:
    raise NotJson(f"{name} is not JSON")


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise RepeatedKey(f"the key {key!r} appears twice", None)
            seen.add(key)
    return data


# Built once: `json.loads` with options would build a new decoder for every body.
_REQUEST_DECODER = json.JSONDecoder(parse_constant=_no_constant, object_pairs_hook=_no_repeated_keys)
_ANSWER_DECODER = _LENIENT_DECODER = json.JSONDecoder(parse_constant=_no_constant)
