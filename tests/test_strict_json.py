"""The kit's one JSON reader, without HTTP: requests as the API reads them, answers as a browser's `JSON.parse`
reads `fetch`'s text, and the `application/json` media type.

    read_request_json(b'{"abstractUserId": "u1"}')  # {'abstractUserId': 'u1'}; NotJson saying why otherwise
    read_answer_json(body)                          # the same, as lenient as a browser and no more
    is_json("application/json; charset=utf-8")      # True
"""

from __future__ import annotations

import codecs
from typing import Any

import pytest

from mock_server.errors import NotJson
from mock_server.strict_json import is_json, media_type, read_answer_json, read_request_json

# (bytes, what a request reads as, what an answer reads as); a str is the start of NotJson's reason.
CASES: list[tuple[str, bytes, Any, Any]] = [
    ("an object", b'{"abstractUserId": "u1"}', {"abstractUserId": "u1"}, {"abstractUserId": "u1"}),
    ("whitespace around it", b' \r\n\t{"a": 1}\n ', {"a": 1}, {"a": 1}),
    ("any JSON value, not only an object", b"[1, 2.5, null, true]", [1, 2.5, None, True], [1, 2.5, None, True]),
    ("escapes and non-ASCII", '{"a": "\\u00e9t\u00e9 \u2603"}'.encode(), {"a": "été ☃"}, {"a": "été ☃"}),
    ("a key given twice", b'{"abstractUserId": "nobody", "abstractUserId": "u1"}',
     "the body is not valid JSON (the key 'abstractUserId' appears twice", {"abstractUserId": "u1"}),
    ("a key given twice, deep inside", b'{"a": [{"b": 1, "b": 2}]}',
     "the body is not valid JSON (the key 'b' appears twice", {"a": [{"b": 2}]}),
    ("NaN", b'{"a": NaN}', "the body is not valid JSON (NaN is not JSON", "the body is not valid JSON (NaN is not"),
    ("Infinity", b"[Infinity]", "the body is not valid JSON (Infinity is not JSON",
     "the body is not valid JSON (Infinity is not JSON"),
    ("-Infinity", b"-Infinity", "the body is not valid JSON (-Infinity is not JSON",
     "the body is not valid JSON (-Infinity is not JSON"),
    ("UTF-16", '{"a": 1}'.encode("utf-16"), "the body is not UTF-8", "the body is not UTF-8"),
    ("UTF-16 without a byte order mark", '{"a": 1}'.encode("utf-16-le"), "the body is not valid JSON",
     "the body is not valid JSON"),
    ("invalid UTF-8", b'{"a": "\xff\xfe"}', "the body is not UTF-8", "the body is not UTF-8"),
    ("Latin-1", '{"a": "café"}'.encode("latin-1"), "the body is not UTF-8", "the body is not UTF-8"),
    ("a UTF-8 byte order mark (fetch drops it from an answer)", codecs.BOM_UTF8 + b'{"a": 1}',
     "the body is not valid JSON", {"a": 1}),
    ("nested too deeply", b"[" * 60_000 + b"]" * 60_000, "the body is nested too deeply",
     "the body is nested too deeply"),
    ("truncated", b'{"abstractUserId": "u', "the body is not valid JSON (Unterminated string",
     "the body is not valid JSON (Unterminated string"),
    ("two values", b"{} {}", "the body is not valid JSON (Extra data", "the body is not valid JSON (Extra data"),
    ("empty", b"", "the body is not valid JSON (Expecting value", "the body is not valid JSON (Expecting value"),
    ("single quotes", b"{'a': 1}", "the body is not valid JSON (Expecting property name",
     "the body is not valid JSON (Expecting property name"),
    ("an integer of 5000 digits", b"1" * 5000, "the body is not valid JSON (Exceeds the limit",
     "the body is not valid JSON (Exceeds the limit"),
]  # fmt: skip


def outcome(read: Any, body: bytes) -> Any:
    try:
        return read(body)
    except NotJson as error:
        return str(error)


@pytest.mark.parametrize(("name", "body", "as_request", "as_answer"), CASES, ids=[case[0] for case in CASES])
def test_bodies_read_both_ways(name: str, body: bytes, as_request: Any, as_answer: Any) -> None:
    for reader, expected in ((read_request_json, as_request), (read_answer_json, as_answer)):
        got = outcome(reader, body)
        if isinstance(expected, str):
            assert isinstance(got, str) and got.startswith(expected), f"{name}, {reader.__name__}: {got!r}"
        else:
            assert got == expected, f"{name}, {reader.__name__}: {got!r}"


def test_reason_is_one_line() -> None:
    with pytest.raises(NotJson) as refused:
        read_request_json(b'{"abstractUserId": "a",\n "abstractUserId": "b"}')
    assert isinstance(refused.value, ValueError)
    assert "\n" not in str(refused.value) and "Traceback" not in str(refused.value)


@pytest.mark.parametrize(
    ("content_type", "parsed", "json_"),
    [
        ("application/json", "application/json", True),
        ("application/json; charset=utf-8", "application/json", True),
        ("Application/JSON ;charset=UTF-8", "application/json", True),
        (b"application/json; charset=utf-8", "application/json", True),
        ("  application/json  ", "application/json", True),
        ("text/json", "text/json", False),
        ("application/problem+json", "application/problem+json", False),
        ("application/json-seq", "application/json-seq", False),
        ("text/plain; a=application/json", "text/plain", False),
        ("", "", False),
        (b"\xe9", "\xe9", False),  # a header's bytes are Latin-1: never a decoding error
    ],
)
def test_media_type_read_once(content_type: str | bytes, parsed: str, json_: bool) -> None:
    assert media_type(content_type) == parsed
    assert is_json(content_type) is json_
