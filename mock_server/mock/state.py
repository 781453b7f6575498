"""The mock's state: the contract and fixtures in force, accounts added at run time, and the journal."""

from __future__ import annotations

import logging

from mock_server.errors import FixtureError, SpecError
from mock_server.mock.auth import KeyRing
from mock_server.mock.journal import Journal
from mock_server.mock.replies import Answers, Reply
from mock_server.settings import Settings
from mock_server.spec.contract import Contract, load_contract
from mock_server.spec.fixtures import Account, AccountKind, Fixtures, account_named, load_fixtures

logger = logging.getLogger("sivi_mock")


class Loaded:
    """One consistent generation of contract + fixtures, with everything the hot path needs precomputed."""

    def __init__(self, contract: Contract, fixtures: Fixtures) -> None:
        self.contract = contract
        self.fixtures = fixtures
        self.keys = KeyRing(fixtures.keys)
        self.answers = Answers(contract)
        self.replies: dict[str, dict[str, Reply]] = {
            "user": {i: self.answers.for_account(a) for i, a in fixtures.users.items()},
            "workspace": {i: self.answers.for_account(a) for i, a in fixtures.workspaces.items()},
        }


class MockState:
    def __init__(self, settings: Settings, contract: Contract | None = None) -> None:
        self.settings = settings
        contract = contract or load_contract(settings.spec_path)
        self._loaded = Loaded(contract, load_fixtures(settings.fixtures_dir, contract))
        self.journal = Journal(settings.journal_size, contract.api_key_header)
        self._runtime: dict[str, dict[str, Account]] = {"user": {}, "workspace": {}}
        self._runtime_replies: dict[str, dict[str, Reply]] = {"user": {}, "workspace": {}}

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

    def reply_for(self, abstract_user_id: str | None, workspace_id: str | None) -> Reply | None:
        """The prepared answer for the account a request names (the hot path's lookup)."""
        named = account_named(abstract_user_id, workspace_id)
        if named is None:
            return None
        kind, account_id = named
        reply = self._runtime_replies[kind].get(account_id)
        return reply if reply is not None else self._loaded.replies[kind].get(account_id)

    def put_account(self, account: Account) -> None:
        self._runtime[account.kind][account.id] = account
        self._runtime_replies[account.kind][account.id] = self._loaded.answers.for_account(account)

    def runtime_accounts(self) -> list[Account]:
        return [*self._runtime["user"].values(), *self._runtime["workspace"].values()]

    def reset(self) -> list[str]:
        """Back to the files: run-time accounts dropped, files re-read, journal cleared."""
        for kind in self._runtime:
            self._runtime[kind].clear()
            self._runtime_replies[kind].clear()
        self.journal.clear()
        return self.reload_files()

    def reload_files(self) -> list[str]:
        """Re-read spec and fixtures; on failure keep serving the old ones and return the problems."""
        try:
            contract = load_contract(self.settings.spec_path)
            loaded = Loaded(contract, load_fixtures(self.settings.fixtures_dir, contract))
        except SpecError as error:
            problems = [str(error)]
        except FixtureError as error:
            problems = error.problems
        else:
            self._loaded = loaded
            # Run-time accounts outlive a reload; their answers are rebuilt against the new contract.
            for accounts in self._runtime.values():
                for account in list(accounts.values()):
                    self.put_account(account)
            logger.info("reloaded %s and %s", self.settings.spec_path, self.fixtures.directory)
            return []
        logger.error("kept the previous spec and fixtures: the new ones are invalid:\n  %s", "\n  ".join(problems))
        return problems
