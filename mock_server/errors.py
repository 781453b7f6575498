"""The one base class of the kit's errors: `except SiviKitError` catches any of them, each with its own message."""

from __future__ import annotations


class SiviKitError(Exception):
    """Something the kit cannot do, with a message that says what and where (a spec, a fixture, an option, a
    target). Subclasses: `SpecError`, `FixtureError`, `PreferError`, `UsageError`, `TargetError`."""
