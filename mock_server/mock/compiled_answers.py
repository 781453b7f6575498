"""Answers known ahead: the mock's answers to plain requests, compiled into bytes for the server's fast path
(`mock_server.serving.fast_path`), which writes them without entering ASGI.

Nothing here decides an answer. The table is what the ASGI path's own rules give, run early: the key refusals
are `Replies.for_key`, each account's answer is `preferred` (the endpoint's one choice) of the account's prepared
reply with no `Prefer`, and a body is read as the endpoint reads it
(`Loaded.request_ids`). It is compiled again whenever the
state has moved on (`MockState.generation`: an admin-API account, a reload, a reset), at the next request.

A request is answered here only when the answer cannot depend on anything but the key and the body: no `Prefer`,
no `Origin` (CORS), none of the options that make each answer its own (`why_not_compiled`), and an account that
is neither a sequence nor delayed nor a fault. Anything else is handed on (`None`), and the ASGI path answers it
as it always has.
"""

from __future__ import annotations

from typing import NamedTuple

from mock_server.errors import InvalidInput
from mock_server.mock.auth import KeyCheck
from mock_server.mock.coverage import TEST_HEADER
from mock_server.mock.journal import RequestFacts
from mock_server.mock.prefer import preferred
from mock_server.mock.replies import Reply, wire_bytes
from mock_server.mock.state import MockState, Prepared, ReplySequence, answer_facts
from mock_server.settings import Settings, flag_name
from mock_server.spec.fixtures import AccountKind, account_named
from mock_server.types import Headers, header_name

Ready = tuple[int, bytes]  # the status, and the headers after the server's own and the body, as written


class Compiled(NamedTuple):
    """A reply and its bytes: the reply is what the journal and the answer coverage are told."""

    ready: Ready
    reply: Reply


# Headers after which the answer is not the key's and the body's alone, or which the server itself judges
# (`Upgrade`; a second `Host`), or which names its test: the ASGI path takes the request.
HANDED_ON = frozenset({b"prefer", b"origin", b"upgrade", TEST_HEADER})


class CompiledAnswers:
    """The ready answers of one mock, and how many requests they answered (`state.served["fast path"]`)."""

    def __init__(self, state: MockState, path: str, key_header: str) -> None:
        settings = state.settings
        self.state = state
        self.path = path.encode("latin-1")  # the operation's target as a client sends it, no query
        self.body_limit = settings.body_limit
        self.enabled = why_not_compiled(settings) is None
        self._path_text = path
        self._key_header = header_name(key_header)
        self._generation = -1
        self._refusals: dict[KeyCheck, Compiled] = {}
        self._accounts: dict[tuple[AccountKind, str], Compiled | None] = {}
        self._not_found: Compiled | None = None

    def ask(self, headers: Headers, body: bytes) -> AskedRequest:
        """`POST <path>` with `headers` and the whole `body`, to be answered (`AskedRequest.answer`)."""
        return AskedRequest(self, headers, body)

    def decide(self, asked: AskedRequest) -> None:
        """What `asked` is answered with while the state stays as it is (`MockState.generation`): its ready answer
        and what the journal keeps of it, or None: hand it on."""
        state = self.state
        if self._generation != state.generation:
            self._compile()
        asked.generation, asked.ready, asked.facts = state.generation, None, None
        headers, body = asked.headers, asked.body
        keys: list[bytes] = []
        content_types: list[bytes] = []
        hosts = 0
        for name, value in headers:  # names come lowercased from the server
            if name == self._key_header:
                keys.append(value)
            elif name == b"content-type":
                content_types.append(value)
            elif name in HANDED_ON:
                return
            elif name == b"host":
                hosts += 1
        if hosts > 1:
            return
        compiled = self._refusals.get(state.loaded.keys.check(keys))
        journaled = b""  # a refused key's body is never read, so never journaled
        if compiled is None:
            compiled = self._for_body(content_types, body)
            if compiled is None:
                return
            journaled = body
        asked.ready = compiled.ready
        asked.facts = answer_facts("POST", self._path_text, b"", headers, journaled, compiled.reply)

    def _for_body(self, content_types: list[bytes], body: bytes) -> Compiled | None:
        """The answer to a body, as the endpoint reads it (`Loaded.request_ids`): its refusal (422), or the
        account it names (none: 404); None: an account the ASGI path answers."""
        loaded = self.state.loaded
        try:
            named = account_named(*loaded.request_ids(content_types, body))
        except InvalidInput as error:
            return ready_answer(loaded.replies.invalid_input(str(error)))
        if named is None:
            return self._not_found
        return self._accounts.get(named, self._not_found)

    def _compile(self) -> None:
        state = self.state
        replies = state.loaded.replies
        max_delay = state.settings.max_delay_ms
        generation = state.generation
        refusals = {check: replies.for_key(check) for check in KeyCheck}
        self._refusals = {check: ready_answer(reply) for check, reply in refusals.items() if reply is not None}
        self._not_found = ready_answer(preferred([], None, replies, max_delay, seed=b""))
        accounts: dict[tuple[AccountKind, str], Compiled | None] = {}
        for kind, account_id in state.named_accounts():
            named = (account_id, None) if kind == "user" else (None, account_id)
            plain = plain_reply(state.reply_for(*named))
            chosen = None if plain is None else preferred([], plain, replies, max_delay, seed=b"")
            accounts[kind, account_id] = None if chosen is None else ready_answer(chosen)
        self._accounts = accounts
        self._generation = generation  # last: a compilation that failed half-way is tried again


class AskedRequest:
    """A request the fast path asks the ready answers for: decided once while the state stays as it is, answered
    (journaled and counted as the ASGI path would) every time it is sent; the server keeps one for a request that
    repeats byte for byte (`serving.fast_path.KnownRequests`)."""

    __slots__ = ("answers", "body", "facts", "generation", "headers", "ready")

    def __init__(self, answers: CompiledAnswers, headers: Headers, body: bytes) -> None:
        self.answers, self.headers, self.body = answers, headers, body
        self.generation = -1  # not decided yet
        self.ready: Ready | None = None
        self.facts: RequestFacts | None = None

    def answer(self) -> Ready | None:
        """The ready answer, the request journaled as the ASGI path journals it; None: hand the request on."""
        state = self.answers.state
        if state.mutation is not None:
            return None  # `sivi-mutate` changes answers per test: each goes through the endpoint
        if self.generation != state.generation:
            self.answers.decide(self)
        facts = self.facts
        if facts is None:
            return None
        state.answered_again(facts, state.current_test)
        state.served["fast path"] += 1
        return self.ready


def why_not_compiled(settings: Settings) -> str | None:
    """The option that sends every request through the ASGI path (each answer is then its own), or None."""
    for setting, given in (
        ("no_fast_path", settings.no_fast_path),
        ("chaos", settings.chaos),
        ("proxy_url", settings.proxy_url is not None),
        ("validate_responses", settings.validate_responses),
        ("log_level", settings.log_level == "debug"),  # a log line for every request, which uvicorn writes
    ):
        if given:
            return flag_name(setting)
    return None


def plain_reply(prepared: Prepared | None) -> Reply | None:
    """An account's reply when it is the same for every plain request: no sequence, delay, fault or chaos."""
    if prepared is None or isinstance(prepared, ReplySequence):
        return None
    if prepared.fault is not None or prepared.delay_ms or prepared.chaos:
        return None
    return prepared


def ready_answer(reply: Reply) -> Compiled:
    return Compiled((reply.status, wire_bytes(reply)), reply)
