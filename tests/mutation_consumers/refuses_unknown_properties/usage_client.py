"""The robust client (`robust/robust_client.py`), but an answer with a property it does not know is refused."""

from robust_client import *  # noqa: F403 - every name of the robust client, for the checks
from robust_client import UsageClient as RobustClient


class UsageClient(RobustClient):
    def fetch(self, user_id: str) -> dict:
        body = super().fetch(user_id)
        unknown = set(body) - {"yearlyAnalysis", "monthlyAnalysis", "creditBalance", "lastAccessed"}
        if unknown:
            raise ValueError(f"unexpected properties: {sorted(unknown)}")
        return body
