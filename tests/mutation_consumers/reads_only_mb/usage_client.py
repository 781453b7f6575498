"""The robust client (`robust/robust_client.py`), but a media size is read as megabytes only."""

from robust_client import *  # noqa: F403 - every name of the robust client, for the checks
from robust_client import UsageClient as RobustClient


class UsageClient(RobustClient):
    def media_bytes(self, size: str) -> float:
        return float(size.removesuffix("Mb")) * 1024**2
