"""Authentication: is the `sivi-api-key` an Enterprise admin key?"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from enum import Enum

from mock_server.spec.fixtures import ApiKey


class KeyCheck(Enum):
    ADMIN = "admin"
    MISSING = "missing"
    UNKNOWN = "unknown"
    NOT_ADMIN = "not admin"


class KeyRing:
    """The known keys as bytes, compared in constant time so response timing reveals nothing about them (only a
    clock sees it: `bench/costs.py` measures a check of the first, the last and an unknown key)."""

    def __init__(self, keys: Mapping[str, ApiKey]) -> None:
        self._keys = [(key.encode("utf-8"), api_key.is_admin) for key, api_key in keys.items()]

    def check(self, values: list[bytes]) -> KeyCheck:
        # Exactly one non-empty header: a repeated header is ambiguous, so it authenticates nobody.
        if not values or (len(values) == 1 and not values[0].strip()):
            return KeyCheck.MISSING
        if len(values) > 1:
            return KeyCheck.UNKNOWN
        value = values[0]
        admin = regular = False
        for key, is_admin in self._keys:  # no early exit: every key is compared every time
            if hmac.compare_digest(value, key):
                admin |= is_admin
                regular |= not is_admin
        if admin:
            return KeyCheck.ADMIN
        return KeyCheck.NOT_ADMIN if regular else KeyCheck.UNKNOWN
