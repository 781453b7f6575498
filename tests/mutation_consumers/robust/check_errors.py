"""Every check of the error answers (`robust_error_checks.py`)."""

from robust_error_checks import *  # noqa: F403 - pytest collects the checks where they are imported
