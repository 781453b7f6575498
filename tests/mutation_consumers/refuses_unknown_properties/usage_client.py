"""The robust client (`robust/usage_client.py`), but an answer with a property it does not know is refused."""

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


def media_bytes(size: str) -> float:
    match = SIZE.match(size)
    if match is None:
        raise Unavailable(f"not a media size: {size!r}")
    return float(match[1]) * UNIT[match[2].lower()]


class UsageClient:
    def __init__(self, base_url: str, api_key: str, timeout: float = 2.0) -> None:
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
        unknown = set(body) - {"yearlyAnalysis", "monthlyAnalysis", "creditBalance", "lastAccessed"}
        if unknown:
            raise ValueError(f"unexpected properties: {sorted(unknown)}")
        year, months = body["yearlyAnalysis"], body["monthlyAnalysis"]
        designs = year["numberOfGeneratedDesignVariations"]
        per_month = designs / len(months) if months else None
        credits = body["creditBalance"]
        return Usage(
            designs=designs,
            media_bytes=media_bytes(year["mediaSize"]),
            months=len(months),
            designs_per_month=per_month,
            credits_left=credits["availableCredits"] - credits["usedCredits"],
            last_accessed=body["lastAccessed"],
        )
