"""The robust client (`robust/robust_client.py`), but the average divides by the number of months."""

from robust_client import *  # noqa: F403 - every name of the robust client, for the checks
from robust_client import UsageClient as RobustClient


class UsageClient(RobustClient):
    def designs_per_month(self, designs: int, months: list) -> float | None:
        return designs / len(months)
