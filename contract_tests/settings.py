"""What a run is asked to do: options, their environment variables, their checks and their defaults.

One table (`OPTIONS`, each a `mock_server.command_line.Option` with its variable) feeds both front doors,
`sivi-contract` (argparse) and `pytest contract_tests` (pytest options), so an option means the same thing, reads
the same variable and fails the same way in both.
"""

from __future__ import annotations

import os
import random
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from contract_tests.errors import UsageError
from mock_server.command_line import Option, given_values
from mock_server.errors import AcceptedFileError, OptionError
from mock_server.loopback import is_loopback_url

if TYPE_CHECKING:
    from mock_server.judgement import AcceptedDeviations

# Polite defaults for any host that is not this machine: the vendor publishes no rate limit, so a CI job
# against staging sends at most two requests a second and a bounded number in total.
REMOTE_RATE_LIMIT = 2.0
REMOTE_MAX_REQUESTS = 300
REMOTE_MAX_EXAMPLES = 10
LOCAL_MAX_EXAMPLES = 100
DEFAULT_TIMEOUT = 10.0
# Long enough for a deploy to roll out behind a gateway, short enough for a CI job to end with exit 2 instead.
DEFAULT_MAX_WAIT = 120.0
# The whole run's bound: a polite run against staging (300 requests at 2 a second, and --max-wait) ends well
# within it, and a CI job learns why its step stopped rather than hitting the job's own timeout.
DEFAULT_DEADLINE = 600.0
REPORT_FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError("must be a whole number") from None


def _positive_int(text: str) -> int:
    value = _whole_number(text)
    if value < 1:
        raise ValueError("must be at least 1")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("must be a number") from None
    if not value >= 0 or value == float("inf"):
        raise ValueError("must be a number >= 0")
    return value


def _positive_float(text: str) -> float:
    value = _non_negative_float(text)
    if value == 0:
        raise ValueError("must be more than 0")
    return value


def _report_path(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in REPORT_FORMATS:
        raise ValueError("must end in .md or .html (the format follows the extension)")
    return path


OPTIONS = (
    Option(
        "--base-url",
        "the API to test, e.g. https://connect.sivi.ai/api/staging/v2 "
        "(default: start the bundled mock in-process and test it)",
        env="SIVI_BASE_URL",
        metavar="URL",
    ),
    Option(
        "--api-key",
        "an Enterprise admin key of the target (prefer the variable: "
        "a command line is visible to other users of the machine)",
        env="SIVI_API_KEY",
        metavar="KEY",
    ),
    Option("--user-id", "an abstractUserId that exists on the target", env="SIVI_USER_ID", metavar="ID"),
    Option(
        "--workspace-id", "optional: a workspaceId that exists on the target", env="SIVI_WORKSPACE_ID", metavar="ID"
    ),
    Option(
        "--regular-api-key",
        "optional: a valid non-admin key, which must get 401",
        env="SIVI_REGULAR_API_KEY",
        metavar="KEY",
    ),
    Option(
        "--max-examples",
        f"generated inputs per kind (default {LOCAL_MAX_EXAMPLES} on loopback, {REMOTE_MAX_EXAMPLES} elsewhere)",
        env="SIVI_MAX_EXAMPLES",
        parse=_positive_int,
        metavar="N",
    ),
    Option(
        "--seed",
        "seed of the generated inputs; a run prints its seed so it can be repeated",
        env="SIVI_SEED",
        parse=_whole_number,
        metavar="N",
    ),
    Option(
        "--max-response-time",
        "latency budget in seconds: a slower answer is a violation",
        env="SIVI_MAX_RESPONSE_TIME",
        parse=_positive_float,
        metavar="SECONDS",
    ),
    Option(
        "--rate-limit",
        f"requests per second, 0 for no limit (default: none on loopback, {REMOTE_RATE_LIMIT:g} elsewhere)",
        env="SIVI_RATE_LIMIT",
        parse=_non_negative_float,
        metavar="PER_SECOND",
    ),
    Option(
        "--max-requests",
        f"stop with exit 2 after this many requests (default: no bound on loopback, {REMOTE_MAX_REQUESTS} elsewhere)",
        env="SIVI_MAX_REQUESTS",
        parse=_positive_int,
        metavar="N",
    ),
    Option(
        "--request-timeout",
        f"seconds to wait for each answer (default {DEFAULT_TIMEOUT:g})",
        env="SIVI_REQUEST_TIMEOUT",
        parse=_positive_float,
        metavar="SECONDS",
    ),
    Option(
        "--max-wait",
        "seconds a run may spend waiting out throttling (429, or 503 with Retry-After) and gateway blips (502, 503, "
        f"504 outside the API's envelope), in all; past it the run ends with exit 2 (default {DEFAULT_MAX_WAIT:g})",
        env="SIVI_MAX_WAIT",
        parse=_non_negative_float,
        metavar="SECONDS",
    ),
    Option(
        "--deadline",
        "seconds the whole run may take, set-up, requests, waits and all; past it the run ends with exit 2 and a line "
        f"naming where the time went (default {DEFAULT_DEADLINE:g})",
        env="SIVI_DEADLINE",
        parse=_positive_float,
        metavar="SECONDS",
    ),
    Option(
        "--accept",
        "a YAML list of accepted deviations (where and/or check, reason, until): a finding they cover is reported "
        "as accepted and does not fail the run; an expired entry does",
        env="SIVI_ACCEPT",
        parse=Path,
        metavar="FILE",
    ),
    Option(
        "--strict",
        "enforce every decision of openapi.yaml: a difference from one is a violation, not a warning "
        "(for teams that adopt the spec as written; the variable takes 1 or 0)",
        env="SIVI_STRICT",
        switch=True,
    ),
    Option(
        "--report",
        "write a human report; Markdown or HTML by the extension (.md, .html)",
        env="SIVI_REPORT",
        parse=_report_path,
        metavar="FILE",
    ),
)


@dataclass(frozen=True)
class SuiteSettings:
    """A validated run configuration. `None` ids and keys mean: take them from the bundled mock's fixtures."""

    base_url: str | None = None
    api_key: str | None = None
    user_id: str | None = None
    workspace_id: str | None = None
    regular_api_key: str | None = None
    max_examples: int = LOCAL_MAX_EXAMPLES
    seed: int = 0
    max_response_time: float | None = None
    rate_limit: float = 0.0
    max_requests: int | None = None
    request_timeout: float = DEFAULT_TIMEOUT
    report: Path | None = None
    strict: bool = False
    max_wait: float = DEFAULT_MAX_WAIT
    deadline: float = DEFAULT_DEADLINE
    accepted: AcceptedDeviations | None = None

    @property
    def is_loopback(self) -> bool:
        return self.base_url is None or is_loopback_url(self.base_url)

    @property
    def secrets(self) -> tuple[str, ...]:
        return secrets_of(self)


class Keyed(Protocol):
    """What holds the run's keys: the settings, and the target once its keys are known."""

    @property
    def api_key(self) -> str | None: ...

    @property
    def regular_api_key(self) -> str | None: ...


def secrets_of(keyed: Keyed) -> tuple[str, ...]:
    """The values that must never appear in any output: the keys of `keyed`, admin and regular."""
    return tuple(key for key in (keyed.api_key, keyed.regular_api_key) if key)


def read_settings(values: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> SuiteSettings:
    """Build `SuiteSettings` from option values (by `Option.dest`; `None` = not given), falling back to `environ`
    (`mock_server.command_line.given_values`).

    Raises `UsageError` with one line naming the option (and its variable) that is wrong.
    """
    environ = os.environ if environ is None else environ
    try:
        read = given_values(OPTIONS, values, environ)
    except OptionError as error:
        raise UsageError(str(error)) from None
    given = {dest: each.value for dest, each in read.items()}

    base_url = given.get("base_url")
    if base_url is not None:
        base_url = _check_base_url(base_url)
        for needed in ("api_key", "user_id"):
            if not given.get(needed):
                option = next(o for o in OPTIONS if o.dest == needed)
                raise UsageError(f"{option.flag} (or {option.env}) is required with --base-url")
    loopback = base_url is None or is_loopback_url(base_url)
    return SuiteSettings(
        base_url=base_url,
        api_key=given.get("api_key"),
        user_id=given.get("user_id"),
        workspace_id=given.get("workspace_id"),
        regular_api_key=given.get("regular_api_key"),
        max_examples=given.get("max_examples", LOCAL_MAX_EXAMPLES if loopback else REMOTE_MAX_EXAMPLES),
        seed=given["seed"] if "seed" in given else random.randrange(2**31),
        max_response_time=given.get("max_response_time"),
        rate_limit=given.get("rate_limit", 0.0 if loopback else REMOTE_RATE_LIMIT),
        max_requests=given.get("max_requests", None if loopback else REMOTE_MAX_REQUESTS),
        request_timeout=given.get("request_timeout", DEFAULT_TIMEOUT),
        report=given.get("report"),
        strict=given.get("strict", False),
        max_wait=given.get("max_wait", DEFAULT_MAX_WAIT),
        deadline=given.get("deadline", DEFAULT_DEADLINE),
        accepted=_accepted(read["accept"].value, read["accept"].source) if "accept" in read else None,
    )


def _accepted(file: Path | str, source: str) -> AcceptedDeviations:
    """The accepted deviations in `file`, checked now: a broken file stops the run before it sends anything."""
    from mock_server.judgement import load_accepted  # only when asked for: `--help` does not read YAML

    try:
        return load_accepted(Path(file))
    except AcceptedFileError as error:
        raise UsageError(f"{source}: {error}") from None


def _check_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--base-url: {url!r} is not an http:// or https:// URL")
    if parts.query or parts.fragment:
        raise UsageError(f"--base-url: {url!r} must not carry a query or a fragment")
    return url.rstrip("/")
