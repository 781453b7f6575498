"""`SiviMock`: a mock running in this process, and what a test needs to steer it (the `sivi_mock` fixture's)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the plugin loads with every pytest run of a project that installs the kit: it imports lazily
    from mock_server.mock.state import MockState
    from mock_server.serving.background import BackgroundServer
    from mock_server.spec.fixtures import AccountKind


class SiviMock:
    """A running mock, and what a test needs to steer it."""

    def __init__(self, server: BackgroundServer, state: MockState) -> None:
        self._server = server
        self._state = state

    @property
    def url(self) -> str:
        """The base URL, e.g. `http://127.0.0.1:53211`; the endpoint is `url + "/enterprise/account-analysis"`."""
        return self._server.url

    @property
    def endpoint(self) -> str:
        return self.url + self._state.contract.path

    @property
    def admin_key(self) -> str:
        return self._state.fixtures.admin_keys[0]

    @property
    def regular_key(self) -> str | None:
        return self._state.fixtures.regular_key

    def journal(self) -> list[dict[str, Any]]:
        """The requests received so far (oldest first), with API keys masked."""
        return self._state.journal.entries()

    def clear_journal(self) -> None:
        self._state.journal.clear()

    def add_user(
        self,
        user_id: str,
        analysis: dict[str, Any] | None = None,
        *,
        status: int | None = None,
        message: str | None = None,
        delay_ms: int = 0,
        fault: str | None = None,
        sequence: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        """Serve `analysis` (an `AccountAnalysis` body; without one, the spec's documented example) for `user_id`,
        or always answer `status` (a documented error, with `message` or the spec's example text); `delay_ms`
        answers late; `fault` gives that fault instead (`truncated` cuts the answer). `sequence` gives answers in
        turn, the last one repeating, each in the fixture format (`{"status": 500}`, `{"fault": "reset"}`,
        `{"analysis": {...}, "delayMs": 100}`); the fixture's reset after each test starts it again. Raises
        `FixtureError` naming what breaks the spec."""
        self._add("user", user_id, analysis, status, message, delay_ms, fault, sequence)

    def add_workspace(
        self,
        workspace_id: str,
        analysis: dict[str, Any] | None = None,
        *,
        status: int | None = None,
        message: str | None = None,
        delay_ms: int = 0,
        fault: str | None = None,
        sequence: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        """As `add_user`, for a `workspaceId`."""
        self._add("workspace", workspace_id, analysis, status, message, delay_ms, fault, sequence)

    def reset(self) -> None:
        """Back to the fixture files: added accounts dropped, sequences at their start, journal cleared."""
        self._state.reset()

    def _add(
        self,
        kind: AccountKind,
        account_id: str,
        analysis: dict[str, Any] | None,
        status: int | None,
        message: str | None,
        delay_ms: int,
        fault: str | None,
        sequence: Sequence[Mapping[str, Any]] | None,
    ) -> None:
        given = {"analysis": analysis, "status": status, "message": message, "fault": fault}
        data: dict[str, Any] = {name: value for name, value in given.items() if value is not None}
        if delay_ms:
            data["delayMs"] = delay_ms
        if sequence is not None:
            data["sequence"] = list(sequence)  # checked as a fixture file would be, each step named on error
        self._put(kind, account_id, data)

    def _put(self, kind: AccountKind, account_id: str, data: dict[str, Any]) -> None:
        from mock_server.spec.fixtures import parse_account

        section = "users" if kind == "user" else "workspaces"
        # Raises FixtureError naming what is wrong, exactly as a fixture file would.
        self._state.put_account(parse_account(kind, account_id, data, self._state.contract, f"{section}.{account_id}"))

    def name_test(self, test_id: str) -> None:
        """The answers from now on were received by `test_id` (the fixture names each test at its set-up)."""
        self._state.current_test = test_id

    def coverage(self) -> dict[str, Any]:
        """The answers received, per test, against the documented ones (`GET /__mock/coverage`'s body)."""
        return self._state.coverage.as_json(self._state.contract)
