"""Throttling and blips: which answers come from a rate limiter or a gateway rather than from the API, how long to
wait before the same request goes again, and the run's budget for waiting.

A 429, or the API's own 503 with `Retry-After`, is throttling: the request goes again after the time the target
asks for (`Retry-After`, in seconds or as an HTTP date; a short pause without one), and the client halves its own
rate, then raises it again step by step as answers come (additive increase, multiplicative decrease). A 502, 503 or
504 outside the API's envelope is a gateway's blip (a deploy rolling out, say): the request goes again after the
`Retry-After` the page gives, else a short pause, longer each time; the rate stays, since a deploy says nothing of
how fast the run may ask. None of it is a finding, unless the same request keeps getting the same 502 or 503 while
the target answers others (`SAME_ANSWER_TRIES`). All the waits of a run stay within `--max-wait` seconds: a wait
beyond what is left ends the run at once (exit 2), rather than sleeping into the same end.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from mock_server.judgement import Exchange
from mock_server.spec.envelope import is_envelope

THROTTLED, GATEWAY = "throttled", "gateway"
GATEWAY_STATUSES = frozenset({502, 503, 504})
# Pauses without Retry-After: the first, doubled each time for the same request, up to the longest. Every pause
# spends some of the budget, so a target that throttles with `Retry-After: 0` cannot hold a run either.
FIRST_PAUSE, LONGEST_PAUSE = 0.25, 4.0
# The rate the client lowers itself to, at the least, when throttled (requests per second): a run of 300 requests
# still ends within 10 minutes.
LOWEST_RATE = 0.5
# After each answer of the API, a lowered rate goes up by this share of the rate it came down from, until it is back:
# from half the rate, five answers.
RECOVERY_STEP = 0.1
# Tries of one request, each answered the same 502 or 503 while the target answered its health check in between,
# after which that answer is the API's to that input (a finding, with its curl), not a blip to wait out.
SAME_ANSWER_TRIES = 3


@dataclass(frozen=True)
class Blip:
    """An answer that is no answer of the API: throttling or a gateway's page."""

    kind: str  # THROTTLED or GATEWAY
    label: str  # how the summary counts it: "429 with Retry-After", "503 outside the API's envelope"
    status: int
    retry_after: float | None = None

    def pause(self, tries: int) -> float:
        """How long to wait after the `tries`-th such answer to the same request."""
        return max(FIRST_PAUSE, self.retry_after) if self.retry_after is not None else backoff(tries)

    @property
    def may_be_the_input(self) -> bool:
        """Whether the answer may be the target failing for this request alone: a gateway's page (outside the API's
        envelope). Never the API's own 429, nor its own 503 with `Retry-After`: the vendor publishes no rate limits,
        so a quota per input, answered that way, is throttling a careful team may have built, waited as asked."""
        return self.kind == GATEWAY


def backoff(tries: int) -> float:
    """The pause after the `tries`-th blip of one request, where no `Retry-After` says how long."""
    return min(LONGEST_PAUSE, FIRST_PAUSE * 2.0 ** (tries - 1))


def blip_of(exchange: Exchange) -> Blip | None:
    """The throttling or gateway blip `exchange` is, or None for an answer (or no answer) to judge."""
    if exchange.error is not None or exchange.status is None:
        return None
    status = exchange.status
    retry_after = parse_retry_after(exchange.response_headers.get("retry-after"))
    asked = " with Retry-After" if retry_after is not None else ""
    if status not in GATEWAY_STATUSES and status != 429:
        return None
    if status in GATEWAY_STATUSES and not is_envelope(exchange.json()):
        # A gateway's page, Retry-After or not: a deploy rolling out, not proof of a rate limit.
        return Blip(GATEWAY, f"{status}{asked} outside the API's envelope", status, retry_after)
    if status == 429 or (status == 503 and retry_after is not None):
        return Blip(THROTTLED, f"{status}{asked}", status, retry_after)
    return None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait, from `Retry-After`: delay-seconds (a fraction is read too) or an HTTP date; None if absent
    or unreadable."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        when = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


class WaitBudget:
    """The run's waits, counted by what caused them, within `max_wait` seconds in all."""

    def __init__(self, max_wait: float) -> None:
        self.max_wait = max_wait
        self.waited = 0.0
        self.counts: Counter[str] = Counter()

    @property
    def left(self) -> float:
        return max(0.0, self.max_wait - self.waited)

    def allows(self, pause: float) -> bool:
        return pause <= self.left

    def spend(self, blip: Blip, pause: float) -> None:
        self.counts[blip.label] += 1
        self.waited += pause

    def summary(self) -> str:
        """`429 with Retry-After x3, 503 outside the API's envelope x2: 2.5 s in all (--max-wait 120)`."""
        counted = ", ".join(f"{label} x{count}" for label, count in self.counts.most_common())
        return f"{counted}: {self.waited:.1f} s in all (--max-wait {self.max_wait:g})"


class RunDeadline:
    """The whole run's time, `seconds` from its start (None: no bound), and where it went, for the line that ends it:
    answers, answers that did not come whole in time (a target that drips), and waits."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.ends_at = None if seconds is None else time.monotonic() + seconds
        self.unanswered = 0
        self.unanswered_time = 0.0

    @property
    def left(self) -> float:
        return math.inf if self.ends_at is None else max(0.0, self.ends_at - time.monotonic())

    def cut(self, at: float) -> float:
        """`at`, or the run's end if that is sooner (monotonic seconds)."""
        return at if self.ends_at is None else min(at, self.ends_at)

    def record(self, exchange: Exchange) -> None:
        if exchange.error is not None:
            self.unanswered += 1
            self.unanswered_time += exchange.elapsed

    def passed(self, waits: WaitBudget, sent: int, pending: str = "") -> str:
        """The one line that ends a run at its deadline, naming where most of the time went (`pending`: the wait
        that would have passed it)."""
        spent = {
            "requests that got no whole answer in time": self.unanswered_time,
            "waiting out throttling and gateway blips": waits.waited,
        }
        cause, seconds = max(spent.items(), key=lambda item: item[1])
        if cause.startswith("requests") and seconds > 0:
            where = f"{self.unanswered} requests got no whole answer in time, {seconds:.0f} s of the {self.seconds:g}"
            where += " (the target drips)"
        elif seconds > 0:
            where = f"{seconds:.0f} s of it went to {cause} ({waits.summary()})"
        else:
            where = f"{sent} requests were answered, none of them waited or cut short"
        where = f"{pending}; {where}" if pending else where
        return (
            f"the run's deadline passed (--deadline {self.seconds:g} s): {where}; raise --deadline, or lower "
            "--max-examples or --request-timeout"
        )


class Pace:
    """The client's rate: at most `rate` requests a second (0: no limit of its own), halved when throttled and
    raised back step by step as answers come (additive increase, multiplicative decrease)."""

    def __init__(self, rate: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.configured = rate
        self.lowered: float | None = None  # the lowest rate throttling brought the run down to, if any
        # While throttling holds the rate down: the rate it goes back up to (then `configured` again).
        self._recovering_to: float | None = None
        self._clock = clock
        self._next_send = 0.0
        self._sent_at: deque[float] = deque(maxlen=6)

    def next_turn(self) -> float:
        """The pause before the next request may go (0: at once); the turn after it is booked."""
        if self.rate <= 0:
            return 0.0
        now = self._clock()
        pause = max(0.0, self._next_send - now)
        self._next_send = max(now, self._next_send) + 1 / self.rate
        return pause

    def sending(self) -> None:
        self._sent_at.append(self._clock())

    def slower(self) -> float | None:
        """Half the rate requests went out at, down to `LOWEST_RATE`; None when too few went out to tell (the wait
        itself then paces the next request)."""
        current = self.rate or self._recent_rate()
        return max(LOWEST_RATE, current / 2) if current else None

    def lower_to(self, rate: float) -> None:
        self._recovering_to = self._recovering_to or self.configured or self.rate or self._recent_rate()
        self.rate = rate
        self.lowered = min(rate, self.lowered or rate)

    def recover(self) -> None:
        """After an answer of the API, a lowered rate goes up a step, back to the configured one (additive increase:
        throttling is obeyed while it lasts, and does not slow the rest of the run)."""
        if self._recovering_to is None:
            return
        self.rate += RECOVERY_STEP * self._recovering_to
        if self.rate >= self._recovering_to:
            self.rate, self._recovering_to = self.configured, None

    def _recent_rate(self) -> float:
        """The rate the last few requests went out at: from the median gap between them (a pause between tests
        does not count), 0 when there is too little to tell."""
        gaps = sorted(later - earlier for earlier, later in zip(self._sent_at, list(self._sent_at)[1:], strict=False))
        median = gaps[len(gaps) // 2] if gaps else 0.0
        return 1 / median if median > 0 else 0.0
