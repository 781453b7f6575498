"""The robust client (`robust/robust_client.py`), but it waits for an answer as long as it takes."""

from robust_client import *  # noqa: F403 - every name of the robust client, for the checks
from robust_client import UsageClient as RobustClient


class UsageClient(RobustClient):
    def __init__(self, base_url: str, api_key: str, timeout: float | None = None) -> None:
        super().__init__(base_url, api_key, timeout)
