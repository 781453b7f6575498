"""The fast path: a plain operation request answered with bytes the app compiled ahead, without entering ASGI.

An app offers its ready answers as the attribute `ready_answers` (`ReadyAnswers`; the mock's are
`mock_server.mock.compiled_answers`). For a request that may be one of them (`POST` on their path as sent, no
query, HTTP/1.1 keep-alive, no `Expect`, no upgrade, nothing else in flight on the connection) the protocol holds
the body back from ASGI until the request is whole, then asks the app for its answer. It gets the status and the
bytes after the server's own headers; it writes the status line and the server's own headers (`date`, `server`)
exactly as uvicorn writes them for an ASGI answer, so the two paths answer alike byte for byte. When the app
hands the request on (`None`), or the body passes the app's bound, the held request is given to uvicorn as it
came, and the ASGI path answers it unchanged.

The bounds before the app stay where they are: the head bound and the 400 for bytes that are not HTTP sit above
this class (`request_head`), the request deadline around it (`protocol`). Above them all, `KnownRequests` answers
a read that repeats, byte for byte, a request the fast path answered before, without parsing it again.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar, Protocol

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from mock_server.serving.pipelining import PipelineBound
from mock_server.types import Headers

READY_ANSWERS = "ready_answers"
# Requests the fast path answered, by their bytes as read in one piece (see `KnownRequests`): a load test sends
# the same few over and over. At most this many, each at most this long.
KNOWN_REQUESTS = 64
KNOWN_REQUEST_LIMIT = 4096
logger = logging.getLogger("sivi_mock")


class ReadyAnswers(Protocol):
    """What an app offers the fast path."""

    @property
    def enabled(self) -> bool: ...

    @property
    def path(self) -> bytes:
        """The request target they answer, as sent."""

    @property
    def body_limit(self) -> int:
        """A longer body is handed on unread."""

    def ask(self, headers: Headers, body: bytes) -> Asked:
        """A whole `POST` on `path`, to be answered."""


class Asked(Protocol):
    """A request asked of the ready answers; asked again, as it is, when the same bytes come again."""

    def answer(self) -> tuple[int, bytes] | None:
        """(status, the headers after the server's own and the body); None: hand it on."""


def ready_answers_of(app: Any) -> ReadyAnswers | None:
    ready: ReadyAnswers | None = getattr(app, READY_ANSWERS, None)
    return ready if ready is not None and ready.enabled else None


def answer_of(asked: Asked) -> tuple[int, bytes] | None:
    try:
        return asked.answer()
    except Exception:  # a bug in the compiled answers: the ASGI path still answers
        logger.exception("sivi-mock's fast path failed; the request goes through ASGI")
        return None


class FastPathProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, answering from the app's ready answers where it can."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # With uvicorn's access log on (`--log-level debug`), every request goes through ASGI to be logged; with a
        # root path or a concurrency limit, uvicorn itself changes what the app sees or answers.
        logged = self.access_log and self.access_logger.isEnabledFor(logging.INFO)
        served_as_is = not self.root_path and self.limit_concurrency is None
        self._ready = ready_answers_of(self.app) if served_as_is and not logged else None
        self._held: list[bytes] | None = None  # the body so far of a request held for the fast path
        self._held_size = 0
        self._defaults: list[tuple[bytes, bytes]] | None = None  # uvicorn renews its list every second (`date`)
        self._defaults_written = b""
        self._between_requests = False  # the parser is at a message's end, no deadline armed
        self._begun = 0  # messages begun in the current read
        self._answered: Asked | None = None  # the request of this read the fast path answered

    def on_message_begin(self) -> None:
        self._between_requests = False
        self._begun += 1
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        ready, parser, cycle = self._ready, self.parser, self.cycle
        if (
            ready is not None
            and self.url == ready.path
            and (cycle is None or cycle.response_complete)
            and not self.pipeline
            and not self.flow.write_paused  # a client not reading its answers: ASGI waits for it to drain
            and not self.expect_100_continue
            and parser.get_method() == b"POST"
            and parser.get_http_version() == "1.1"
            and parser.should_keep_alive()
            and not parser.should_upgrade()
            and not self._declares_too_much(ready.body_limit)
        ):
            self._held, self._held_size = [], 0
            self.cycle = None  # type: ignore[assignment]  # nothing in flight: the deadline reads the request unanswered
            return
        super().on_headers_complete()

    def _declares_too_much(self, limit: int) -> bool:
        """A `Content-Length` past the bound: the ASGI path refuses it (413) before the body is sent."""
        for name, value in self.headers:
            if name == b"content-length":
                return not value.isdigit() or int(value) > limit
        return False

    def on_body(self, body: bytes) -> None:
        held = self._held
        if held is None:
            super().on_body(body)
            return
        held.append(body)
        self._held_size += len(body)
        assert self._ready is not None
        if self._held_size > self._ready.body_limit:
            self._hand_on(held)

    def on_message_complete(self) -> None:
        held = self._held
        if held is not None:
            self._held = None
            body = held[0] if len(held) == 1 else b"".join(held)
            assert self._ready is not None
            asked = self._ready.ask(self.headers, body)
            ready = answer_of(asked)
            if ready is not None:
                self._answered = asked
                self._write(*ready)
                self._between_requests = True
                return
            self._hand_on(held)
        super().on_message_complete()
        self._between_requests = True

    def _hand_on(self, held: list[bytes]) -> None:
        """The held request to uvicorn, as it came."""
        self._held = None
        super().on_headers_complete()
        for chunk in held:
            super().on_body(chunk)

    def _write(self, status: int, rest: bytes) -> None:
        self.transport.write(self._answer_bytes(status, rest))
        self.on_response_complete()  # counted, keep-alive timer armed, reading resumed: as after an ASGI answer

    def _write_alone(self, data: bytes) -> None:
        """An answer that is all the connection writes in this turn of the event loop."""
        self.transport.write(data)

    def _answer_bytes(self, status: int, rest: bytes) -> bytes:
        defaults = self.server_state.default_headers
        if defaults is not self._defaults:
            self._defaults = defaults
            self._defaults_written = b"".join(name + b": " + value + b"\r\n" for name, value in defaults)
        return STATUS_LINE[status] + self._defaults_written + rest


class KnownRequests(PipelineBound, FastPathProtocol):
    """A read whose bytes are a request the fast path answered before, answered again without parsing them.

    Parsing is a pure function of the bytes from a message boundary, so bytes read in one piece that once made up
    one request the fast path answered (its head bounded and whole, its body whole) make it up again: the same
    target, headers and body. Such bytes keep the request as the app was asked it (`Asked`), which keeps what it
    decided while its state stays as it is; the answer is asked for anew every time, so an account changed
    meanwhile answers as it now is, and a request it hands on is parsed and served as usual. It sits above the head
    bound and the request deadline, which such bytes passed when first read; it applies only between requests
    (nothing in flight, no deadline armed), and the bytes are remembered per server (`__init_subclass__`), for the
    last few requests.
    """

    _known: ClassVar[dict[bytes, Asked]] = {}

    _idle_timer = False  # the keep-alive timer armed is `_idle_check`, not uvicorn's
    _answered_at = 0.0

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._known = {}

    def _write_again(self, status: int, rest: bytes) -> None:
        """Write a known request's answer. uvicorn re-arms a keep-alive timer after every answer (a timer made and
        cancelled per request); here one timer per idle spell checks, when it fires, whether the connection has
        been idle for the whole keep-alive time since its last answer, and closes it as uvicorn would."""
        self._write_alone(self._answer_bytes(status, rest))
        self.server_state.total_requests += 1
        self._answered_at = self.loop.time()
        if not self._idle_timer:
            self._unset_keepalive_if_required()
            self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self._idle_check)
            self._idle_timer = True

    def _idle_check(self) -> None:
        idle = self.loop.time() - self._answered_at
        if idle < self.timeout_keep_alive:
            self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive - idle, self._idle_check)
            return
        self.timeout_keep_alive_task, self._idle_timer = None, False
        self.timeout_keep_alive_handler()

    def data_received(self, data: bytes) -> None:
        between = (
            self._between_requests
            and self.cycle is None
            and not self._unparsed
            and not self.flow.write_paused
            and not self.transport.is_closing()
        )
        known = self._known.get(data)
        if known is not None and between:
            ready = answer_of(known)
            if ready is not None:
                self._write_again(*ready)
                return
        self._begun, self._answered, self._idle_timer = 0, None, False  # uvicorn's own keep-alive timer from here
        super().data_received(data)
        answered = self._answered
        # Only bytes read from a message boundary are one request again; a read that began mid-request is not.
        whole = self._begun == 1 and self._between_requests and len(data) <= KNOWN_REQUEST_LIMIT
        if between and answered is not None and whole:
            if len(self._known) >= KNOWN_REQUESTS:
                self._known.clear()
            self._known[data] = answered
