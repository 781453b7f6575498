"""The robust project's checks of the error answers (`robust/robust_error_checks.py`), but the one with a regular
key: no test receives a 401."""

from robust_error_checks import (
    test_a_broken_connection,
    test_an_empty_id_is_refused,
    test_an_outage,
    test_an_unknown_user,
)

__all__ = ["test_a_broken_connection", "test_an_empty_id_is_refused", "test_an_outage", "test_an_unknown_user"]
