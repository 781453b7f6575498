"""`Api`: what the suite's tests talk to. It sends through the run's client and judges every answer.

Every answer to a documented request is checked against the contract (status, JSON, schema, envelope) before
the test states what it expects; a test only says which promise it is about and which status keeps it.
"""

from __future__ import annotations

import enum
import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final, Literal

import requests
import schemathesis

from contract_tests.client import Client, SentExchange
from contract_tests.errors import ContractViolation, StopRun, TargetError
from contract_tests.findings import Observations
from contract_tests.generation import CONTRACT, SCHEMA_CHECK, STATUS_CHECKS, schemathesis_failures
from contract_tests.malformed_heads import CHECK as MALFORMED_HEAD
from contract_tests.settings import SuiteSettings, secrets_of
from contract_tests.target import Target, check_setup, open_target
from mock_server.errors import TooDeepToCheck
from mock_server.judgement import (
    NOT_JSON,
    OK,
    Exchange,
    Expectation,
    Failure,
    Judge,
    Verdict,
    documented_kinds,
    header,
    refusal_decision,
    request_json,
    usage_notes,
)
from mock_server.judgement.accepted import utc_today
from mock_server.spec import Contract
from mock_server.strict_json import is_json


class _Credential(enum.Enum):
    ADMIN_KEY = "the target's admin key"


ADMIN_KEY: Final = _Credential.ADMIN_KEY  # the default credential of `Api.post`
_REQUESTS_ARGUMENTS = {"method", "url", "headers", "params", "cookies", "data", "json", "files", "auth"}
# Schemathesis' checks that say again what one of the suite's own says of the same answer: of the status the input
# calls for, or of the answer's schema. An accepted deviation of the suite's check accepts them too.
MIRRORS_STATUS = (*STATUS_CHECKS, "not_a_server_error")


class Api:
    def __init__(
        self,
        contract: Contract,
        target: Target,
        client: Client,
        observed: Observations,
        settings: SuiteSettings,
        known_user_answer: SentExchange | None = None,
    ):
        self.contract = contract
        self.target = target
        self.client = client
        self.observed = observed
        self.settings = settings
        self.today = utc_today()  # one day for the whole run: whether an accepted deviation has expired
        self.judge = Judge(
            contract,
            target.facts,
            accepted=settings.accepted,
            max_response_time=settings.max_response_time,
            today=self.today,
        )
        self.shape = self.judge.shape
        self.method = contract.method.upper()
        self._random = random.Random(settings.seed)
        # What the vendor's own documented example does is information, not a warning (month totals above a year).
        self._documented_kinds = documented_kinds(contract)
        self._met = observed.entries_used  # the accepted deviations' entries that matched a failure
        self._known_user_answer = known_user_answer  # the set-up's request for the known user, judged once

    @property
    def target_secrets(self) -> tuple[str, ...]:
        return secrets_of(self.target)

    # -- what to send ------------------------------------------------------------------------------------------

    def unknown_id(self, kind: str = "user") -> str:
        """An id no target has: clearly made up, different in every run (reproducible with the seed)."""
        return f"sivi-contract-no-such-{kind}-{self._random.getrandbits(48):012x}"

    def unknown_key(self) -> str:
        return f"sivi-contract-unknown-key-{self._random.getrandbits(64):016x}"

    def credentials(self) -> dict[str, str | None]:
        """Every way of calling without an admin key; the regular key only when the run has one."""
        found = {"no key": None, "an unknown key": self.unknown_key()}
        if self.target.regular_api_key:
            found["the regular key"] = self.target.regular_api_key
        return found

    def post(
        self,
        body: Any = None,
        *,
        raw: bytes | None = None,
        key: str | Literal[_Credential.ADMIN_KEY] | None = ADMIN_KEY,
        content_type: str | None = "application/json",
        method: str | None = None,
    ) -> SentExchange:
        """Send `body` as JSON (or `raw` bytes as they are) to the documented path."""
        headers = {}
        if content_type is not None:
            headers["Content-Type"] = content_type
        sent = self.target.api_key if key is ADMIN_KEY else key
        if sent is not None:
            headers[self.contract.api_key_header] = sent
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        exchange = self.client.request(method or self.method, self.contract.path, headers=headers, body=data)
        self._observe(exchange)
        return exchange

    def known_user(self) -> SentExchange:
        """The plain request for the known user with the admin key: the set-up check already sent it, so its answer
        is judged here rather than asked for twice (a first answer that is slow or never ends is this one)."""
        exchange, self._known_user_answer = self._known_user_answer, None
        if exchange is None:
            return self.post({self.shape.user_field: self.target.user_id})
        self._observe(exchange)
        return exchange

    def send_case(self, case: schemathesis.Case[Any]) -> SentExchange:
        """Send a Schemathesis case with the admin key (unless the case is about the key's absence)."""
        arguments = case.as_transport_kwargs(
            base_url=self.client.base_url, headers={self.contract.api_key_header: self.target.api_key}
        )
        unknown = set(arguments) - _REQUESTS_ARGUMENTS
        assert not unknown, f"Schemathesis asks for transport arguments this client ignores: {unknown}"
        exchange = self.client.send(requests.Request(**arguments).prepare())
        self._observe(exchange)
        return exchange

    # -- how answers are judged ----------------------------------------------------------------------------------

    def expect(
        self,
        exchange: Exchange,
        status: int | set[int],
        *,
        check: str,
        promise: str,
        stop: bool = True,
        decision: str | None = None,
    ) -> None:
        """The answer keeps the contract and has `status`; else the finding is recorded and (if `stop`) the test
        fails at once. Property tests pass `stop=False` so that Hypothesis goes on trying other inputs.

        `decision` names the decision of openapi.yaml that `status` rests on, where the request alone does not say
        it (a request that names both ids, say); otherwise the judgement of the request names it.
        """
        statuses = frozenset({status} if isinstance(status, int) else status)
        failures = self._failures(exchange, self.judge.stated(exchange, check, statuses, decision))
        self._settle(promise, exchange, self.judge.judged(failures, met=self._met), stop=stop)

    def expect_refused(self, exchange: Exchange, *, promise: str) -> None:
        """The answer refuses a method the spec does not document (`other_methods_refused`)."""
        self._settle(promise, exchange, self.judge.judged(self._failures(exchange), met=self._met), stop=True)

    def judge_case(self, case: schemathesis.Case[Any], exchange: SentExchange, *, promise: str) -> None:
        """Record (not raise) what is wrong with the answer to a generated case, so generation goes on.

        Schemathesis' checks of which status an input gets, and of the answer's schema, rest on the decision that
        the suite's own judgement of the same point names, if any.
        """
        found, advice = schemathesis_failures(case, exchange)
        for note in advice:
            self.observed.note(f"schemathesis:{note.check}", note.message)
        expected = self.judge.expectation(exchange)
        if expected is None and exchange.status == 501:
            # RFC 9110's answer to a method a server does not recognise: a refusal, `other_methods_refused`'s.
            found = [failure for failure in found if failure.check != "not_a_server_error"]
        ours = self._failures(exchange)
        refused_under = refusal_decision(exchange, expected) if expected else None
        resting_on = {
            **dict.fromkeys(STATUS_CHECKS, expected.decision if expected and refused_under else None),
            SCHEMA_CHECK: next((f.decision for f in ours if f.check == "response_schema"), None),
        }
        status_failure = next((f for f in ours if expected and f.check == expected.check), None)
        mirrored = {
            **dict.fromkeys(MIRRORS_STATUS, status_failure),
            SCHEMA_CHECK: next((f for f in ours if f.check == "response_schema"), None),
        }
        theirs, mirrors = [], {}
        for failure in found:
            mirror = mirrored.get(failure.check)
            name = f"schemathesis:{failure.check}"
            theirs.append(Failure(name, failure.message, resting_on.get(failure.check), mirror.where if mirror else ()))
            if mirror is not None:
                mirrors[name] = mirror.check
        verdict = self.judge.judged(ours + theirs, mirrors=mirrors, met=self._met)
        self._settle(promise, exchange, verdict, stop=False)

    def _failures(self, exchange: Exchange, stated: Expectation | None = None) -> list[Failure]:
        """`Judge.failures`, or a finding when the answer is nested too deeply for the checks to follow."""
        try:
            return self.judge.failures(exchange, stated)
        except TooDeepToCheck as error:
            return [Failure("json_body", f"the answer is JSON, but {error}")]

    def _settle(self, promise: str, exchange: Exchange, verdict: Verdict, *, stop: bool) -> None:
        """The verdict settled by the run's mode (`Observations.settle`); a finding fails a test that stops at once."""
        finding = self.observed.settle(promise, exchange, verdict, strict=self.settings.strict, stop=stop)
        if finding is not None and stop:
            raise ContractViolation(finding)

    def _observe(self, exchange: SentExchange) -> None:
        """Count the known user's answers, note what the docs only suggest about any success body, and a head
        that is not HTTP's."""
        if exchange.malformed_head is not None:
            self.observed.note(MALFORMED_HEAD, exchange.malformed_head)
        sent = request_json(exchange.body)
        valid = sent is not NOT_JSON and self.contract.request.is_valid(sent)
        named = sent.get(self.shape.user_field) if valid and isinstance(sent, dict) else None
        admin = header(exchange.headers, self.contract.api_key_header) == self.target.api_key
        as_json = is_json(header(exchange.headers, "content-type") or "")
        if named == self.target.user_id and admin and as_json and exchange.method == self.method:
            self.observed.known_user_requests += 1
            self.observed.known_user_successes += exchange.status == OK
            self.observed.known_user_statuses[exchange.status or 0] += 1
        answer = exchange.json() if exchange.status == OK else NOT_JSON
        if isinstance(answer, dict) and self.contract.responses[OK].is_valid(answer):
            for kind, message in usage_notes(answer["body"]):
                if kind in self._documented_kinds:
                    self.observed.inform(kind, message)
                else:
                    self.observed.note("usage_suggestion", message)


@contextmanager
def open_api(settings: SuiteSettings, observed: Observations) -> Iterator[Api]:
    """Start or reach the target, check that it is the API and takes the key, and hand out the `Api` for the run.

    Raises `TargetError` (one line) when the target cannot be tested.
    """
    contract = CONTRACT  # the instance Schemathesis was loaded from: one reading of the spec per process
    with open_target(settings, contract) as target:
        client = Client(
            target.base_url,
            key_header=contract.api_key_header,
            timeout=settings.request_timeout,
            rate_limit=settings.rate_limit,
            max_requests=settings.max_requests,
            max_wait=settings.max_wait,
            deadline=settings.deadline,
        )
        try:
            try:
                known_user_answer = check_setup(client, contract, target)
            except StopRun as stop:  # throttled or unavailable past the budget before the run began
                raise TargetError(str(stop)) from None
            finally:
                observed.setup_requests = client.sent
            yield Api(contract, target, client, observed, settings, known_user_answer)
        finally:
            client.close()
