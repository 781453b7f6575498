"""`Settings`: the table of every option of the mock, its default and its `sivi-mock` flag, and its checks.

A field whose metadata is `flag(...)` is also a command-line flag (`mock_server.settings.flags`). A `Settings`
checks its own values when it is made, from flags or in code: `SettingsError` names the option by its flag.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from mock_server.errors import SettingsError
from mock_server.faults import FAULTS
from mock_server.settings.flags import comma_list, flag, option_name
from mock_server.settings.proxy_url import proxy_url_problem
from mock_server.spec.contract import BUNDLED_SPEC

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")
# The proxy's options: each means nothing without `proxy_url`.
PROXY_OPTIONS = (
    "proxy_timeout",
    "fixtures_first",
    "upstream_key_env",
    "proxy_insecure",
    "proxy_errors",
    "record_dir",
    "accept_file",
)
# What `--chaos` may give: the documented 500, or a fault. By default everything but `hang`, which would hold each
# struck client until its own timeout (name it to have it).
SERVER_ERROR_CHOICE = "500"
CHAOS_CHOICES = (SERVER_ERROR_CHOICE, *FAULTS)
CHAOS_FAULTS = tuple(choice for choice in CHAOS_CHOICES if choice != "hang")
CHAOS_OPTIONS = ("chaos_seed", "chaos_faults")


@dataclass(frozen=True)
class Settings:
    """How one mock runs. `Settings()` is the mock `make mock` starts; change fields with `dataclasses.replace`."""

    host: str = field(
        default="127.0.0.1", metadata=flag("--host", "address to listen on; beyond loopback /__mock/ needs a token")
    )
    port: int = field(default=4010, metadata=flag("--port", "port to listen on, 0 for any free one", parse=int))
    spec_path: Path = field(
        default=BUNDLED_SPEC,
        metadata=flag("--spec", "the OpenAPI file (default: the bundled one)", parse=Path, metavar="FILE"),
    )
    fixtures_dir: Path | None = field(
        default=None,
        metadata=flag("--fixtures", "the fixtures directory (default: the bundled one)", parse=Path, metavar="DIR"),
    )
    reload: bool = field(
        default=False, metadata=flag("--reload", "watch spec and fixtures, swap them in on change", switch=True)
    )
    cors_origins: tuple[str, ...] = field(
        default=("*",),
        metadata=flag(
            "--cors-origin", "allowed browser origin, repeatable (default: any)", metavar="ORIGIN", repeatable=True
        ),
    )
    log_level: str = field(
        default="info", metadata=flag("--log-level", "debug also logs every request", choices=LOG_LEVELS)
    )
    validate_responses: bool = field(
        default=False, metadata=flag("--validate-responses", "check every answer against the spec", switch=True)
    )
    admin_token: str | None = field(
        default=None, metadata=flag("--admin-token", "token for /__mock/ (generated off loopback)", metavar="TOKEN")
    )
    journal_size: int = field(
        default=1000, metadata=flag("--journal-size", "requests kept in the journal", parse=int, metavar="N")
    )
    request_deadline: float = field(
        default=10.0,
        metadata=flag(
            "--request-deadline", "seconds for a request to arrive whole, from its first byte", parse=float, metavar="S"
        ),
    )
    proxy_url: str | None = field(
        default=None,
        metadata=flag(
            "--proxy", "relay the operation to the real API at this base URL, checking every answer", metavar="URL"
        ),
    )
    proxy_timeout: float = field(
        default=10.0,
        metadata=flag("--proxy-timeout", "proxy: seconds for a whole upstream answer", parse=float, metavar="S"),
    )
    fixtures_first: bool = field(
        default=False, metadata=flag("--fixtures-first", "proxy: ids the mock knows are answered by it", switch=True)
    )
    upstream_key_env: str | None = field(
        default=None,
        metadata=flag(
            "--upstream-key-env",
            "proxy: callers use the mock's keys; the upstream gets the key in this environment variable",
            metavar="NAME",
        ),
    )
    proxy_insecure: bool = field(
        default=False,
        metadata=flag("--proxy-insecure", "proxy: do not verify the upstream's TLS certificate", switch=True),
    )
    proxy_errors: bool = field(
        default=False,
        metadata=flag(
            "--proxy-errors", "proxy: answer 502 instead of an answer that violates the contract", switch=True
        ),
    )
    record_dir: Path | None = field(
        default=None,
        metadata=flag("--record", "proxy: keep conforming 200 answers as DIR/recorded.yaml", parse=Path, metavar="DIR"),
    )
    accept_file: Path | None = field(
        default=None,
        metadata=flag(
            "--accept",
            "proxy: answers that deviate only where FILE accepts (the contract suite's --accept file) are marked "
            "accepted, not violates",
            parse=Path,
            metavar="FILE",
        ),
    )
    chaos: float = field(
        default=0.0,
        metadata=flag(
            "--chaos",
            "give this fraction of requests (0 to 1) a fault or the documented 500, drawn by a seeded generator"
            " (default: 0, off)",
            parse=float,
            metavar="RATE",
        ),
    )
    chaos_seed: int | None = field(
        default=None,
        metadata=flag(
            "--chaos-seed",
            "the seed: the same one repeats the same pattern (default: drawn, shown)",
            parse=int,
            metavar="N",
        ),
    )
    chaos_faults: tuple[str, ...] = field(
        default=CHAOS_FAULTS,
        metadata=flag(
            "--chaos-faults",
            "what chaos gives, comma-separated: 500 and fault names (default: 500 and every fault but hang)",
            parse=comma_list,
            metavar="LIST",
        ),
    )
    hang_limit: float = field(
        default=30.0,
        metadata=flag(
            "--hang-limit",
            "seconds the fault hang holds a connection at most, then closes it",
            parse=float,
            metavar="S",
        ),
    )
    workers: int = field(
        default=1,
        metadata=flag(
            "--workers",
            "processes serving one port (SO_REUSEPORT); each serves the files' accounts and keeps its own journal,"
            " and the admin API then refuses changes it could make in one of them only",
            parse=int,
            metavar="N",
        ),
    )
    no_fast_path: bool = field(
        default=False,
        metadata=flag(
            "--no-fast-path",
            "answer every request through the ASGI app, none from the answers compiled ahead (to compare or debug)",
            switch=True,
        ),
    )
    # Not flags: settings a program may pass to `create_app`, a command line cannot.
    body_limit: int = 64 * 1024
    max_delay_ms: int = 60_000

    def __post_init__(self) -> None:
        problem = self.problem()
        if problem is not None:
            raise SettingsError(problem)

    def problem(self) -> str | None:
        """What is wrong with these settings, in one line naming the option; None when they can run."""
        if not isinstance(self.port, int) or not 0 <= self.port <= 65535:
            return f"{flag_name('port')} must be a port number from 0 to 65535, not {self.port!r}"
        if self.log_level not in LOG_LEVELS:
            return f"{flag_name('log_level')} must be one of {', '.join(LOG_LEVELS)}, not {self.log_level!r}"
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or not 1 <= self.workers <= 64:
            return f"{flag_name('workers')} must be a whole number of processes from 1 to 64, not {self.workers!r}"
        if self.workers > 1 and self.record_dir is not None:
            return f"{flag_name('record_dir')} needs one process: {flag_name('workers')} N would write one file from N"
        for name in ("journal_size", "body_limit", "max_delay_ms"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                return f"{flag_name(name)} must be a whole number, 0 or more, not {value!r}"
        for name in ("request_deadline", "proxy_timeout", "hang_limit"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0 < value < float("inf"):
                return f"{flag_name(name)} must be a positive number of seconds, not {value!r}"
        if isinstance(self.cors_origins, str) or not all(isinstance(o, str) and o for o in self.cors_origins):
            return f"{flag_name('cors_origins')} must be a tuple of origins, e.g. ('http://localhost:5173',)"
        if self.proxy_url is None:
            without_proxy = self.proxy_options_given()
            if without_proxy:
                return f"{', '.join(without_proxy)} needs --proxy URL"
        elif problem := proxy_url_problem(self.proxy_url) or self._real_key_problem():
            return problem
        return self.chaos_problem()

    def chaos_problem(self) -> str | None:
        """What is wrong with the `--chaos` options, or None."""
        if isinstance(self.chaos, bool) or not isinstance(self.chaos, int | float) or not 0 <= self.chaos <= 1:
            return f"{flag_name('chaos')} must be a fraction from 0 to 1 (0.1 strikes one request in ten)"
        if self.chaos_seed is not None and (isinstance(self.chaos_seed, bool) or not isinstance(self.chaos_seed, int)):
            return f"{flag_name('chaos_seed')} must be a whole number, not {self.chaos_seed!r}"
        if isinstance(self.chaos_faults, str) or not self.chaos_faults:
            return f"{flag_name('chaos_faults')} must name at least one of {','.join(CHAOS_CHOICES)}"
        unknown = [choice for choice in self.chaos_faults if choice not in CHAOS_CHOICES]
        if unknown:
            choose = ",".join(CHAOS_CHOICES)
            return f"{flag_name('chaos_faults')}: unknown {', '.join(map(repr, unknown))} (choose from {choose})"
        if not self.chaos:
            defaults = {each.name: each.default for each in dataclasses.fields(self)}
            given = [flag_name(name) for name in CHAOS_OPTIONS if getattr(self, name) != defaults[name]]
            if given:
                return f"{', '.join(given)} needs --chaos RATE"
        return None

    def _real_key_problem(self) -> str | None:
        """With the real key upstream, a web page that may call the proxy spends that key: no page by default."""
        if self.upstream_key_env is not None and "*" in self.cors_origins:
            return (
                f"{flag_name('upstream_key_env')} refuses {flag_name('cors_origins')} '*' (any origin; also the "
                "default when no --cors-origin is given): with the real key behind the proxy, any origin would let "
                f"every web page you visit spend it. Give your page's own: {flag_name('cors_origins')} ORIGIN, e.g. "
                "http://localhost:5173"
            )
        return None

    def proxy_options_given(self) -> list[str]:
        """The flags of proxy options that differ from their defaults (they mean nothing without `--proxy`)."""
        defaults = {each.name: each.default for each in dataclasses.fields(self)}
        return [flag_name(name) for name in PROXY_OPTIONS if getattr(self, name) != defaults[name]]


def flag_name(setting: str) -> str:
    """The `sivi-mock` flag of the `Settings` field named `setting` (`Settings.<field>` for a field no flag sets)."""
    return option_name(Settings, setting)
