"""Masking API keys: the one home of how a key is shown, and of every form the kit may write it in.

Every output of the kit (logs, journal, reports) shows a key as `mask_key` does. A text can carry the key in more
spellings than one: a target echoes it in a JSON body (`\\"` for `"`), the HTML report and the JUnit file escape
it again (`&amp;` for `&`), a URL percent-encodes it, a `Basic` header base64-encodes it. `KeyMask` masks
them all, each form by the mask written the same way, so that a masked HTML or XML text stays valid.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Callable, Iterable
from urllib.parse import quote, quote_plus


def mask_key(key: str | None) -> str:
    """`sk-live-0123456789abcdef` -> `****cdef`; short keys are masked whole, so nothing guessable leaks."""
    if not key:
        return "(none)"
    return "****" + key[-4:] if len(key) >= 16 else "****"


def _json(text: str) -> str:
    return json.dumps(text)[1:-1]


def _json_unicode(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _xml_attribute(text: str) -> str:
    """As ElementTree writes an attribute (JUnit's `message`): `&`, `<`, `>` and `"` escaped, `'` left."""
    return html.escape(text, quote=False).replace('"', "&quot;")


# How a text that holds the key may be written again: as it is, as a JSON string's content, then for HTML or XML.
_AS_TEXT: tuple[Callable[[str], str], ...] = (str, _json, _json_unicode)
_AS_MARKUP: tuple[Callable[[str], str], ...] = (
    str,
    lambda text: html.escape(text, quote=False),
    lambda text: html.escape(text, quote=True),
    _xml_attribute,
)


def key_forms(key: str) -> dict[str, str]:
    """Each form `key` may be written in, with what stands for it there: the mask written the same way."""
    shown = mask_key(key)
    forms = {markup(text(key)): markup(text(shown)) for text in _AS_TEXT for markup in _AS_MARKUP}
    forms[quote(key, safe="")] = forms[quote_plus(key)] = quote(shown, safe="*")
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        encoded = encode(key.encode()).decode("ascii")
        forms[encoded] = forms[encoded.rstrip("=")] = mask_key(encoded)
    return forms


class KeyMask:
    """Masks every form (`key_forms`) of every key in `keys` in the texts it is called on."""

    def __init__(self, keys: Iterable[str | None]) -> None:
        forms = {form: shown for key in keys if key for form, shown in key_forms(key).items()}
        # Longest first, so that a form holding another form (a key holding another key) is masked whole.
        self._forms = sorted(forms.items(), key=lambda item: len(item[0]), reverse=True)

    def __call__(self, text: str) -> str:
        for form, shown in self._forms:
            text = text.replace(form, shown)
        return text
