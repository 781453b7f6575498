"""Masking API keys: the one function every output of the kit (logs, journal, reports) goes through."""

from __future__ import annotations


def mask_key(key: str | None) -> str:
    """`sk-live-0123456789abcdef` -> `****cdef`; short keys are masked whole, so nothing guessable leaks."""
    if not key:
        return "(none)"
    return "****" + key[-4:] if len(key) >= 16 else "****"
