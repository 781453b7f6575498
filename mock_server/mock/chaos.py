"""`--chaos RATE`: a seeded draw for every request that reaches the lookup; that fraction of them gets a fault or the
documented 500 instead of its answer.

Seeded so that a run can be repeated: the same seed gives the same pattern, request by request, in the order the
requests arrive (a run with concurrent clients repeats as far as their order does). Without `--chaos-seed` a seed is
drawn at start and shown (banner, `/__mock/health`), so that any run can be repeated. `reset` starts the pattern
again.
"""

from __future__ import annotations

import dataclasses
import random
import secrets
from collections import Counter
from typing import Any

from mock_server.errors import SettingsError
from mock_server.mock.replies import Replies, Reply, fault_reply
from mock_server.settings import SERVER_ERROR_CHOICE, Settings, flag_name


class Chaos:
    def __init__(self, settings: Settings, replies: Replies) -> None:
        self.rate = settings.chaos
        self.seed = settings.chaos_seed if settings.chaos_seed is not None else secrets.randbelow(2**32)
        self.choices = settings.chaos_faults
        if SERVER_ERROR_CHOICE in self.choices and replies.server_error is None:
            raise SettingsError(f"{flag_name('chaos_faults')}: the spec documents no 500 for the mock to give")
        self.restart()

    def restart(self) -> None:
        """The pattern from its start, the counts at zero."""
        self._random = random.Random(self.seed)
        self.drawn = 0
        self.given: Counter[str] = Counter()

    def draw(self, reply: Reply, replies: Replies) -> Reply:
        """`reply`, or what chaos gives instead of it (marked `chaos`), after the same delay."""
        self.drawn += 1
        if self._random.random() >= self.rate:
            return reply
        choice = self.choices[self._random.randrange(len(self.choices))]
        self.given[choice] += 1
        if choice == SERVER_ERROR_CHOICE:
            assert replies.server_error is not None  # checked at start
            return dataclasses.replace(replies.server_error, delay_ms=reply.delay_ms, chaos=True)
        return dataclasses.replace(fault_reply(choice, reply), chaos=True)

    def as_json(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "seed": self.seed,
            "choices": list(self.choices),
            "requests": self.drawn,
            "given": dict(sorted(self.given.items())),
        }
