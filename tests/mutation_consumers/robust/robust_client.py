"""The consumer's client for the account analysis: every answer handled, every failure one exception.

Each weak project's `usage_client.py` is this client with one method changed (`UsageClient` subclassed): the
weakness it is named for, and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import requests

SIZE = re.compile(r"^(\d+(?:\.\d+)?)([KkMmGgTt]?)[Bb]$")
UNIT = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


class ApiError(Exception):
    pass


class UnknownUser(ApiError):
    pass


class Unauthorized(ApiError):
    pass


class InvalidRequest(ApiError):
    pass


class Unavailable(ApiError):
    """The API failed, or did not answer as the API does: worth retrying later."""


@dataclass(frozen=True)
class Usage:
    designs: int
    media_bytes: float
    months: int
    designs_per_month: float | None
    credits_left: int
    last_accessed: int


class UsageClient:
    # 1 s between bytes: the local mock answers in milliseconds, and a `fault hang` rerun waits this long.
    def __init__(self, base_url: str, api_key: str, timeout: float | None = 1.0) -> None:
        self.url = base_url + "/enterprise/account-analysis"
        self.api_key = api_key
        self.timeout = timeout

    def fetch(self, user_id: str) -> dict:
        try:
            response = requests.post(
                self.url,
                json={"abstractUserId": user_id},
                headers={"sivi-api-key": self.api_key},
                timeout=self.timeout,
            )
            data = response.json() if response.headers.get("content-type", "").startswith("application/json") else None
        except (requests.RequestException, ValueError) as error:
            raise Unavailable(str(error)) from error
        errors = {400: UnknownUser, 401: Unauthorized, 422: InvalidRequest}
        if response.status_code in errors:
            raise errors[response.status_code](response.status_code)
        if response.status_code != 200 or not isinstance(data, dict) or not isinstance(data.get("body"), dict):
            raise Unavailable(f"HTTP {response.status_code}")
        return data["body"]

    def usage(self, user_id: str) -> Usage:
        body = self.fetch(user_id)
        year, months = body["yearlyAnalysis"], body["monthlyAnalysis"]
        designs = year["numberOfGeneratedDesignVariations"]
        credits = body["creditBalance"]
        return Usage(
            designs=designs,
            media_bytes=self.media_bytes(year["mediaSize"]),
            months=len(months),
            designs_per_month=self.designs_per_month(designs, months),
            credits_left=credits["availableCredits"] - credits["usedCredits"],
            last_accessed=body["lastAccessed"],
        )

    def designs_per_month(self, designs: int, months: list) -> float | None:
        return designs / len(months) if months else None

    def media_bytes(self, size: str) -> float:
        match = SIZE.match(size)
        if match is None:
            raise Unavailable(f"not a media size: {size!r}")
        return float(match[1]) * UNIT[match[2].lower()]
