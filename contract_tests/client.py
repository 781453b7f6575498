"""Every request of a run goes through one `Client`: paced, counted, bounded, and never able to hang the run.

A target may be slow, reset connections, stream forever or answer something that is not HTTP. Each of those
becomes an `Exchange` whose `error` says what happened (a finding), never an exception out of a test. Throttling and
a gateway's blips are waited out and the same request sent again (`contract_tests.waits`); a gateway page that one
request keeps getting while the target answers others is handed back, a finding about that input. When the target
stops answering altogether, the wait budget or the request budget is spent, the client raises `StopRun` and the
run ends with exit status 2 and that one line.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import requests
import urllib3

from contract_tests.errors import HeadersTooSlow, StopRun
from contract_tests.malformed_heads import MALFORMED_HEADS
from contract_tests.waits import (
    GATEWAY,
    SAME_ANSWER_TRIES,
    Blip,
    Pace,
    RunDeadline,
    WaitBudget,
    backoff,
    blip_of,
)
from mock_server.judgement import Exchange
from mock_server.loopback import is_loopback_url

MAX_BODY_BYTES = 1024 * 1024
# Consecutive requests without any answer after which the target counts as gone.
GIVE_UP_AFTER = 5


@dataclass
class SentExchange(Exchange):
    """An exchange as this client made it, with the `requests` response that Schemathesis' checks read."""

    response: requests.Response | None = None
    malformed_head: str | None = None  # the warning, when a line of the answer's head was not a header field


class Client:
    """Sends requests to one base URL at a polite pace, within a budget, and keeps the run's tally."""

    def __init__(
        self,
        base_url: str,
        *,
        key_header: str,
        timeout: float,
        rate_limit: float = 0.0,
        max_requests: int | None = None,
        max_wait: float = 0.0,
        deadline: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.key_header = key_header
        self.timeout = timeout
        # A whole answer, headers and body, gets three read timeouts: a trickle never trips the read timeout.
        self.answer_limit = 3 * timeout
        self.pace = Pace(rate_limit, clock)
        self.max_requests = max_requests
        self.sent = 0
        self.statuses: Counter[int] = Counter()
        self.waits = WaitBudget(max_wait)
        self.deadline = RunDeadline(deadline)
        # A request the target answers when it is up (the set-up's): asked when a request gets a gateway page or a
        # 503, to tell an input that breaks the target from a target that is down.
        self.health_check: requests.PreparedRequest | None = None
        self._session = self._new_session()
        MALFORMED_HEADS.install()
        self._sleep = sleep
        self._failures_in_a_row = 0

    @property
    def rate_limit(self) -> float:
        """The rate requests go out at now (requests per second, 0: no limit): lowered while throttled."""
        return self.pace.rate

    @property
    def lowered_rate(self) -> float | None:
        """The lowest rate throttling brought the client down to, if it did."""
        return self.pace.lowered

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes | None = None
    ) -> SentExchange:
        prepared = requests.Request(method, self.base_url + path, headers=headers or {}, data=body).prepare()
        return self.send(prepared)

    def send(self, prepared: requests.PreparedRequest) -> SentExchange:
        """Send `prepared` until the API answers it (or does not answer at all): throttling and blips are waited.

        A gateway's page may be the target failing for this input alone: the health check tells. While the
        target answers it, the same request goes again after a short pause; after `SAME_ANSWER_TRIES` such tries
        alike, the answer is handed back (a finding, with its curl). While it does not, the target is down for
        everyone (a deploy): the wait is as long as asked.
        """
        tries, alike, first = 0, 0, ""
        while True:
            exchange = self._send_once(prepared)
            blip = blip_of(exchange)
            if blip is None:
                self._tally(exchange)
                self.pace.recover()
                return exchange
            tries += 1
            if blip.may_be_the_input and self._target_answers():
                alike, first = (alike + 1, first) if blip.label == first else (1, blip.label)
                if alike >= SAME_ANSWER_TRIES or not self.waits.allows(backoff(alike)):
                    self._tally(exchange)
                    return exchange
                self._wait(blip, backoff(alike), exchange, slow_down=False)
                continue
            alike = 0
            self._wait(blip, blip.pause(tries), exchange)

    def _send_once(self, prepared: requests.PreparedRequest) -> SentExchange:
        if self.max_requests is not None and self.sent >= self.max_requests:
            raise StopRun(
                f"stopped after {self.sent} requests: the request budget is spent "
                "(raise --max-requests, or lower --max-examples)"
            )
        if not self.deadline.left:
            raise StopRun(self.deadline.passed(self.waits, self.sent))
        self._pace()
        body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
        exchange = SentExchange(
            method=str(prepared.method),
            url=str(prepared.url),
            headers=dict(prepared.headers),
            body=body,
            key_header=self.key_header,
        )
        self.sent += 1
        started = time.monotonic()
        self.pace.sending()
        try:
            self._receive(prepared, exchange, deadline=self.deadline.cut(started + self.answer_limit))
        except (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError):
            exchange.error = f"no answer within {self.timeout:g} s"
        except HeadersTooSlow as error:
            exchange.error = str(error)
        # urllib3's own errors come from reading the body ourselves; requests wraps only what it reads.
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as error:
            exchange.error = _reason(error)
        exchange.elapsed = time.monotonic() - started
        self.deadline.record(exchange)
        if exchange.error is not None and not self.deadline.left:  # cut short by the run's end, not its own
            raise StopRun(self.deadline.passed(self.waits, self.sent))
        return exchange

    def _target_answers(self) -> bool:
        """Whether the target gives the health check an answer of the API now (one request, not waited)."""
        if self.health_check is None:
            return False
        answer = self._send_once(self.health_check)
        return answer.error is None and blip_of(answer) is None

    def _wait(self, blip: Blip, pause: float, exchange: SentExchange, *, slow_down: bool = True) -> None:
        """Wait `pause` before the same request goes again, within the run's wait budget; slow down if throttled.

        A throttled request also costs the budget the gap to the next request at the lowered rate, so a target that
        throttles with `Retry-After: 0` again and again spends the budget as surely as one that asks for minutes.
        """
        answered = f"{exchange.status}" + (f" ({exchange.content_type})" if exchange.content_type else "")
        slower = self.pace.slower() if blip.kind != GATEWAY and slow_down else None
        cost = max(pause, 1 / slower) if slower else pause
        if not self.waits.allows(cost):
            waited = f"{self.waits.waited:.1f} s waited of --max-wait {self.waits.max_wait:g}"
            if blip.kind == GATEWAY:
                raise StopRun(
                    f"{self.base_url} is unavailable: it still answers {answered} outside the API's envelope "
                    f"({waited}); try later, or raise --max-wait"
                )
            state = "is throttling the run" if exchange.status == 429 else "is unavailable"
            raise StopRun(
                f"{self.base_url} {state}: it answers {answered} and asks to wait {cost:g} s, more than the wait "
                f"budget has left ({waited}); try later, lower --rate-limit or raise --max-wait"
            )
        if pause > self.deadline.left:  # sleeping into the run's end would only end it later
            raise StopRun(self.deadline.passed(self.waits, self.sent, f"the target asks to wait {pause:g} s more"))
        if slower:
            self.pace.lower_to(slower)
        self.waits.spend(blip, cost)
        self._sleep(pause)

    def close(self) -> None:
        self._session.close()

    def _pace(self) -> None:
        pause = self.pace.next_turn()
        if pause > self.deadline.left:
            raise StopRun(self.deadline.passed(self.waits, self.sent))
        if pause:
            self._sleep(pause)

    def _new_session(self) -> requests.Session:
        session = requests.Session()
        # A remote target is reached the way other tools on the machine reach it (HTTPS_PROXY, NO_PROXY, CA
        # bundle); a loopback one directly, whatever the environment says.
        session.trust_env = not is_loopback_url(self.base_url)
        return session

    def _send_within(
        self, prepared: requests.PreparedRequest, exchange: SentExchange, deadline: float
    ) -> requests.Response:
        """`session.send` up to the response headers, given up at `deadline`.

        The read timeout alone cannot bound it: a target can trickle its status line and headers a byte at a
        time, each byte inside the timeout, forever. So the send runs in a daemon thread; one that misses the
        deadline is abandoned with its connection (it cannot hold the process at exit), and a fresh session
        carries on. A head urllib3 could not parse is noted on `exchange` from the thread that read it.
        """
        outcome: list[requests.Response | BaseException] = []

        def send() -> None:
            try:
                response = self._session.send(prepared, timeout=self.timeout, stream=True, allow_redirects=False)
                exchange.malformed_head = MALFORMED_HEADS.take()
                outcome.append(response)
            except BaseException as error:  # handed over to the caller's thread below
                outcome.append(error)

        sender = threading.Thread(target=send, name="sivi-contract-send", daemon=True)
        sender.start()
        sender.join(max(0.0, deadline - time.monotonic()))
        if not outcome:
            self._session = self._new_session()
            raise HeadersTooSlow(f"the response headers did not arrive within {self.answer_limit:g} s")
        result = outcome[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def _receive(self, prepared: requests.PreparedRequest, exchange: SentExchange, deadline: float) -> None:
        # Streamed, so that a body that never ends, or ends only after gigabytes, cannot hold the run.
        response = self._send_within(prepared, exchange, deadline)
        with response:
            chunks, size = [], 0
            # read1: whatever has arrived, so the deadline is checked as the body trickles in; decoded, as a
            # client would read it (a gateway may well gzip its answers).
            while chunk := response.raw.read1(65536, decode_content=True):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    exchange.error = f"the response body exceeds {MAX_BODY_BYTES // 1024} KiB"
                    break
                if time.monotonic() > deadline:
                    exchange.error = f"the response did not end within {self.answer_limit:g} s"
                    break
        exchange.status = response.status_code
        exchange.response_headers = {name.lower(): value for name, value in response.headers.items()}
        exchange.content = b"".join(chunks)
        response._content = exchange.content  # what Schemathesis' checks read
        exchange.response = response

    def _tally(self, exchange: Exchange) -> None:
        if exchange.error is None:
            self._failures_in_a_row = 0
            self.statuses[exchange.status or 0] += 1
            return
        self._failures_in_a_row += 1
        if self._failures_in_a_row >= GIVE_UP_AFTER:
            raise StopRun(
                f"{self.base_url} stopped answering: {GIVE_UP_AFTER} requests in a row got no usable answer "
                f"({exchange.error})"
            )


def _reason(error: Exception) -> str:
    """The innermost cause, in words: 'connection refused', 'connection reset by the target', ..."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        cause = pending.pop(0)
        if id(cause) in seen:
            continue
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ConnectionResetError):
            return "connection reset by the target"
        if type(cause).__name__ in ("BadStatusLine", "LineTooLong"):
            return f"the target did not answer with HTTP (it sent {str(cause).strip()[:60]!a})"
        if type(cause).__name__ == "RemoteDisconnected":
            return "the target closed the connection without an answer"
        if type(cause).__name__ == "NameResolutionError":
            return "the host name does not resolve"
        # requests and urllib3 keep the cause in `reason`, in `args` or in the exception chain
        related = [getattr(cause, "reason", None), cause.__cause__, cause.__context__, *cause.args]
        pending += [item for item in related if isinstance(item, BaseException)]
    return str(error).split(" (Caused by")[0] or type(error).__name__
