"""Every error the kit raises, in one place: `except SiviKitError` catches any of them.

    SiviKitError                 something the kit cannot do; the message says what and where
    ├── FileError                a file the kit reads cannot be used (file, place inside it, reason)
    │   ├── SpecError            the spec cannot be used
    │   │   └── DecisionError    its x-decisions catalogue or an x-decision mark is unusable
    │   └── AcceptedFileError    a team's accepted-deviations file (`--accept`) cannot be used
    ├── NotJson                  bytes that are not JSON as the kit reads it (also a ValueError)
    │   └── RepeatedKey          a request body naming a key twice in one object
    ├── TooDeepToCheck           a document nested deeper than the schema checks can follow
    ├── FixtureError             fixtures cannot be used (one problem per file, path inside it and reason)
    ├── OptionError              a command's option has a text its flag or variable cannot read (named)
    ├── SettingsError            an option of the mock has a value it cannot run with
    │   └── ProxySetupError      the proxy cannot start as configured
    ├── RemoteMockError          the mock `SIVI_MOCK_URL` names does not answer, or refuses the fixture's call
    ├── RequestError             a request to the mock that it answers with an error of the API
    │   ├── BodyTooLarge         the body passed the mock's limit (413)
    │   ├── InvalidInput         not a request the API accepts (422)
    │   └── PreferError          a `Prefer` directive the mock cannot honour (412, `Sivi-Mock-Error: prefer`)
    ├── UpstreamError            the proxy got no usable answer from the upstream (its `kind`: 502 or 504)
    ├── UpstreamClosed           the upstream's connection ended before a whole answer (the proxy's client, inside)
    ├── StopParsing              a parser callback's way to stop reading an answer (the proxy's client, inside)
    └── ServerStartError         a `BackgroundServer` did not start (also a RuntimeError)

The contract suite's own errors are in `contract_tests.errors`.

Each class says in its docstring which module raises it; the messages are written for the person who has to act.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any


class SiviKitError(Exception):
    """Something the kit cannot do, with a message that says what and where (a spec, a fixture, an option, a
    target)."""


class FileError(SiviKitError):
    """A file the kit reads (YAML of any kind) cannot be used. The message names the file, the place inside it and
    the reason: `fixtures/users.yaml: line 3, column 5: not valid YAML (...)`."""

    def __init__(self, file: Path | str, where: str, reason: str) -> None:
        self.file, self.where, self.reason = str(file), where, reason
        super().__init__(f"{file}: {where}: {reason}" if where else f"{file}: {reason}")


class SpecError(FileError):
    """The spec cannot be used (`mock_server.spec.load_contract`)."""


class DecisionError(SpecError):
    """The spec's `x-decisions` catalogue or an `x-decision` mark is unusable; `where` names the place."""

    def __init__(self, where: str, reason: str, file: Path | str = "openapi.yaml") -> None:
        super().__init__(file, where, reason)


class AcceptedFileError(FileError):
    """The accepted-deviations file of `--accept` cannot be used (`mock_server.judgement.accepted`): an unknown key,
    a missing reason, a bad date or JSON Pointer; the message names the file and the line."""


class NotJson(SiviKitError, ValueError):
    """The bytes are not JSON as the kit reads it (`mock_server.strict_json`); the message says why, for a person.
    A `ValueError` too, as any parser's refusal is."""


class RepeatedKey(NotJson):
    """A request body that names a key twice in one object. JSON's grammar allows it (RFC 8259 only says names
    SHOULD be unique), so `data` is what a parser that keeps the last value reads."""

    def __init__(self, message: str, data: Any) -> None:
        super().__init__(message)
        self.data = data


class TooDeepToCheck(SiviKitError):
    """A document nested deeper than the schema checks can follow (jsonschema-rs' recursion limit): nothing can be
    said of it against its schema. The suite reports it as a finding; the proxy answers 502 (`unjudgeable`)."""


class FixtureError(SiviKitError):
    """Fixtures cannot be used (`mock_server.spec.load_fixtures`). Each problem names the file, the path inside it
    and the reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class OptionError(SiviKitError):
    """An option's text, from its flag or its environment variable, is not a value of the option
    (`mock_server.command_line.Option.read`); the message names the flag or the variable, then the text."""


class SettingsError(SiviKitError):
    """A `Settings` value the mock cannot run with; the message names the option (its `sivi-mock` flag)."""


class ProxySetupError(SettingsError):
    """The proxy cannot start as configured (`--proxy`, `--upstream-key-env`, ...); the message says what to
    change."""


class RemoteMockError(SiviKitError):
    """The mock `SIVI_MOCK_URL` names does not answer, or refuses a call of the `sivi_mock` fixture
    (`mock_server.admin_client`)."""


class RequestError(SiviKitError):
    """A request to the mock that it answers with one of the API's errors (or its own, for `Prefer`)."""


class BodyTooLarge(RequestError):
    """The body passed the mock's limit; answered 413."""


class InvalidInput(RequestError):
    """The body is not a request the API accepts; the message says why, for the 422 answer."""


class PreferError(RequestError):
    """A directive the mock cannot honour; `directive` is the text as sent, e.g. `code=302`."""

    def __init__(self, directive: str, reason: str) -> None:
        self.directive, self.reason = directive, reason
        super().__init__(f"{directive}: {reason}")


class UpstreamError(SiviKitError):
    """No usable answer from the upstream (`mock_server.proxy`): `kind` says why (an `UpstreamError.Kind`),
    `status` is what the proxy answers (502, or 504 for the timeout), `cause` says why for a person."""

    class Kind(StrEnum):
        """Why the upstream gave no usable answer: what the journal and the proxy's 502 say (`fault`), and what a
        test matches. Only `TIMEOUT` is a 504."""

        REFUSED = "refused"  # nothing listens there
        UNKNOWN_HOST = "unknown-host"  # the name does not resolve
        TLS = "tls"  # the handshake failed: an untrusted certificate, or no TLS at all
        CONNECT = "connect"  # any other reason the connection could not be made
        TIMEOUT = "timeout"  # no whole answer within --proxy-timeout
        NOT_HTTP = "not-http"  # bytes that are no HTTP answer (or one the proxy did not ask for: 101, a status >= 600)
        TOO_LARGE = "too-large"  # longer than the bound, before or after decoding
        ENCODING = "encoding"  # a Content-Encoding the proxy cannot decode, or a body that does not decode
        RESET = "reset"  # the connection was reset
        CLOSED = "closed"  # the connection was closed before a whole answer
        ECHOED_KEY = "echoed-key"  # the answer contains the real key: refused so that it never reaches the caller
        UNJUDGEABLE = "unjudgeable"  # the answer broke the judgement itself (e.g. JSON nested beyond any schema check)

        @property
        def status(self) -> int:
            """What the proxy answers for it: 504 when the upstream took too long, 502 otherwise."""
            return 504 if self is UpstreamError.Kind.TIMEOUT else 502

    def __init__(self, kind: UpstreamError.Kind, cause: str) -> None:
        super().__init__(cause)
        self.kind, self.cause = kind, cause

    @property
    def status(self) -> int:
        return self.kind.status


class UpstreamClosed(SiviKitError):
    """The upstream's connection ended before a whole answer (`mock_server.proxy.client`, which turns it into an
    `UpstreamError` or sends the request again); `answered`: some of the answer had arrived."""

    def __init__(self, answered: bool, reset: bool) -> None:
        super().__init__("the connection ended before a whole answer")
        self.answered, self.reset = answered, reset


class StopParsing(SiviKitError):
    """Raised from a parser callback of the proxy's client to stop reading an answer; the connection's fault (if
    any) says why."""


class ServerStartError(SiviKitError, RuntimeError):
    """A `BackgroundServer` did not start (the port is taken, the app's start-up failed); the message names the
    address. A `RuntimeError` too, as it was before the kit had its own."""
