"""The mock's state: the contract and fixtures in force, accounts added at run time, where each sequence stands,
the journal, and what faults were given."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any

from starlette.types import Scope

from mock_server.errors import FixtureError, InvalidInput, SpecError
from mock_server.mock.auth import KeyRing
from mock_server.mock.chaos import Chaos
from mock_server.mock.coverage import Coverage
from mock_server.mock.journal import Journal, RequestFacts, UpstreamNote, request_facts
from mock_server.mock.mutants import Mutant, Mutation, Mutations, mutant_table
from mock_server.mock.replies import Replies, Reply
from mock_server.mock.request_body import parse_request
from mock_server.settings import Settings
from mock_server.spec.contract import Contract, load_contract
from mock_server.spec.fixtures import Account, AccountKind, Fixtures, account_named, load_fixtures
from mock_server.types import Headers

logger = logging.getLogger("sivi_mock")


class ReplySequence:
    """An account's replies, given in turn; the last one repeats. `restart` goes back to the first."""

    def __init__(self, replies: tuple[Reply, ...]) -> None:
        self.replies = replies
        self._last = len(replies) - 1
        self.position = 0

    def next(self) -> Reply:
        index = self.position
        if index < self._last:
            self.position = index + 1
        return self.replies[index]

    def restart(self) -> None:
        self.position = 0


Prepared = Reply | ReplySequence


def prepared(answer: Reply | tuple[Reply, ...]) -> Prepared:
    return ReplySequence(answer) if isinstance(answer, tuple) else answer


# How many bodies (each of at most `MEMO_BODY_LIMIT` bytes) keep their reading: a load test repeats a few bodies,
# and reading one (strict JSON, then the request schema) costs more than the rest of the endpoint's work.
MEMO_SIZE = 256
MEMO_BODY_LIMIT = 4096
RequestIds = tuple[Any, Any]  # what a valid body names: the user's id and the workspace's (None: not named)


class Loaded:
    """One consistent generation of contract + fixtures, with everything the hot path needs precomputed."""

    def __init__(self, contract: Contract, fixtures: Fixtures) -> None:
        self.contract = contract
        self.fixtures = fixtures
        self._readings: dict[tuple[tuple[bytes, ...], bytes], RequestIds | str] = {}
        self.keys = KeyRing(fixtures.keys)
        self.replies = Replies(contract)
        self.mutants: dict[str, Mutant] = mutant_table(contract)
        self.account_replies: dict[str, dict[str, Prepared]] = {
            "user": {i: prepared(self.replies.for_account(a)) for i, a in fixtures.users.items()},
            "workspace": {i: prepared(self.replies.for_account(a)) for i, a in fixtures.workspaces.items()},
        }

    def request_ids(self, content_types: list[bytes], body: bytes) -> RequestIds:
        """The ids a request's body names, as `parse_request` reads it (raising its `InvalidInput`), remembered for
        the bodies a load test repeats: the endpoint's reading, on the ASGI path and the fast path alike."""
        memo = (tuple(content_types), body)
        reading = self._readings.get(memo)
        if reading is None:
            try:
                data = parse_request(content_types, body, self.contract)
                user_field, workspace_field = self.contract.id_fields[:2]
                reading = data.get(user_field), data.get(workspace_field)
            except InvalidInput as error:
                reading = str(error)
            if len(body) <= MEMO_BODY_LIMIT:
                if len(self._readings) >= MEMO_SIZE:
                    self._readings.clear()
                self._readings[memo] = reading
        if isinstance(reading, str):
            raise InvalidInput(reading)
        return reading

    def restart_sequences(self) -> None:
        for replies in self.account_replies.values():
            for reply in replies.values():
                if isinstance(reply, ReplySequence):
                    reply.restart()


class MockState:
    def __init__(self, settings: Settings, contract: Contract | None = None) -> None:
        self.settings = settings
        contract = contract or load_contract(settings.spec_path)
        self._loaded = Loaded(contract, load_fixtures(settings.fixtures_dir, contract))
        self.journal = Journal(settings.journal_size, contract.api_key_header)
        self._runtime: dict[str, dict[str, Account]] = {"user": {}, "workspace": {}}
        self._runtime_replies: dict[str, dict[str, Prepared]] = {"user": {}, "workspace": {}}
        self.faults_given: Counter[str] = Counter()
        self.served: Counter[str] = Counter()  # operation requests by the path they took: `fast path`, `asgi`
        # Moves on with every change of what the mock answers (accounts, files, reset): answers compiled ahead
        # (`mock.compiled_answers`) are compiled again when it has moved.
        self.generation = 0
        self.chaos = Chaos(settings, self._loaded.replies) if settings.chaos else None
        # What a test run steers, kept across `reset` (which the pytest fixture calls after every test): the test
        # running now, the answers each test received, and the mutant in force (`sivi-mutate`).
        self.current_test: str | None = None
        self.coverage = Coverage()
        self.mutation: Mutation | Mutations | None = None
        self.mutations_given: Counter[str | None] = Counter()  # answers the mutation changed, by test

    @property
    def loaded(self) -> Loaded:
        return self._loaded

    @property
    def contract(self) -> Contract:
        return self._loaded.contract

    @property
    def fixtures(self) -> Fixtures:
        return self._loaded.fixtures

    def account(self, kind: AccountKind, account_id: str) -> Account | None:
        """A user or workspace: run-time accounts first, then files."""
        return self._runtime[kind].get(account_id) or self.fixtures.accounts(kind).get(account_id)

    def reply_for(self, abstract_user_id: str | None, workspace_id: str | None) -> Prepared | None:
        """The prepared answer for the account a request names, if the mock knows it; a sequence stays where it
        is (`next_reply` moves it on)."""
        named = account_named(abstract_user_id, workspace_id)
        if named is None:
            return None
        kind, account_id = named
        reply = self._runtime_replies[kind].get(account_id)
        return reply if reply is not None else self._loaded.account_replies[kind].get(account_id)

    def next_reply(self, abstract_user_id: str | None, workspace_id: str | None) -> Reply | None:
        """The answer to give now for the account a request names (the hot path's lookup): a sequence moves on."""
        reply = self.reply_for(abstract_user_id, workspace_id)
        return reply.next() if isinstance(reply, ReplySequence) else reply

    def put_account(self, account: Account) -> None:
        self.generation += 1
        self._runtime[account.kind][account.id] = account
        self._runtime_replies[account.kind][account.id] = prepared(self._loaded.replies.for_account(account))

    def named_accounts(self) -> Iterator[tuple[AccountKind, str]]:
        """Every account the mock knows by kind and id, run-time and from the files, each once."""
        kinds: tuple[AccountKind, ...] = ("user", "workspace")
        for kind in kinds:
            known = {**self._loaded.account_replies[kind], **self._runtime_replies[kind]}
            yield from ((kind, account_id) for account_id in known)

    def runtime_accounts(self) -> list[Account]:
        return [*self._runtime["user"].values(), *self._runtime["workspace"].values()]

    def answered(
        self, method: str, path: str, query: bytes, headers: Headers, body: bytes, reply: Reply, test: str | None
    ) -> None:
        """An answer given to the operation, by the ASGI path or the fast path: journaled, and counted to `test`,
        the test that received it (answer coverage)."""
        self.answered_again(answer_facts(method, path, query, headers, body, reply), test)

    def answered_again(self, facts: RequestFacts, test: str | None) -> None:
        """`answered`, for a request whose facts were made before (`answer_facts`): the fast path's, for a request
        that repeats."""
        self.journal.add(facts, test)
        self.coverage.add(test, facts.answer_class, facts.delay_ms > 0)

    def journal_request(
        self, scope: Scope, status: int, body: bytes = b"", upstream: UpstreamNote | None = None
    ) -> None:
        """A request the operation's endpoint did not answer from the fixtures, journaled as it came: refused
        before (another path's 404, another host's 403, a body too large) or relayed upstream (`upstream`: what the
        upstream answered). It is no answer class of the mock's, so coverage does not count it."""
        facts = request_facts(
            scope["method"], scope["path"], scope["query_string"], scope["headers"], body, status, upstream=upstream
        )
        self.journal.add(facts)

    def reset(self, read: Loaded | list[str] | None = None) -> list[str]:
        """Back to the files: run-time accounts dropped, files re-read (or `read`, what `read_files` read off the
        event loop), sequences and chaos at their start, journal and fault counts cleared. The current test, the
        coverage and the mutation stay."""
        self.generation += 1
        for kind in self._runtime:
            self._runtime[kind].clear()
            self._runtime_replies[kind].clear()
        self.journal.clear()
        self.faults_given.clear()
        self.served.clear()
        self._loaded.restart_sequences()  # should the files now be invalid, the ones kept start again too
        if self.chaos is not None:
            self.chaos.restart()
        return self.use_files(read if read is not None else self.read_files())

    def read_files(self) -> Loaded | list[str]:
        """Spec and fixtures read anew, or the problems found: touches nothing of the state, so `--reload` runs it
        off the event loop (a slow disk or a large file then holds up no request)."""
        try:
            contract = load_contract(self.settings.spec_path)
            return Loaded(contract, load_fixtures(self.settings.fixtures_dir, contract))
        except SpecError as error:
            return [str(error)]
        except FixtureError as error:
            return error.problems

    def use_files(self, read: Loaded | list[str]) -> list[str]:
        """Swap in what `read_files` read (on the event loop, between requests); the problems, if it read none."""
        if isinstance(read, list):
            logger.error("kept the previous spec and fixtures: the new ones are invalid:\n  %s", "\n  ".join(read))
            return read
        self._loaded = read
        self.generation += 1
        # Run-time accounts outlive a reload; their answers are rebuilt against the new contract.
        for accounts in self._runtime.values():
            for account in list(accounts.values()):
                self.put_account(account)
        logger.info("reloaded %s and %s", self.settings.spec_path, self.fixtures.directory)
        return []


def answer_facts(method: str, path: str, query: bytes, headers: Headers, body: bytes, reply: Reply) -> RequestFacts:
    """What the journal keeps of an answer to the operation (`MockState.answered`)."""
    return request_facts(
        method,
        path,
        query,
        headers,
        body,
        reply.status or None,
        fault=reply.fault,
        chaos=reply.chaos,
        answer_class=reply.answer_class,
        delay_ms=reply.delay_ms,
        mutant=reply.mutant,
    )
