"""The client the checks use: the robust one. A weak project replaces this file with the robust client changed in
one place."""

from robust_client import *  # noqa: F403 - every name of the robust client, for the checks
