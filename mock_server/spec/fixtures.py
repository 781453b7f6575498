"""Fixtures: the YAML data the mock serves, checked against the contract's own schemas.

Every `*.yaml` file in the fixtures directory is a mapping with any of three sections:

    keys:        {<api key>: {role: admin | regular, description: ...}}
    users:       {<abstractUserId>: <account>}
    workspaces:  {<workspaceId>: <account>}

An account is one answer, or a sequence of them, and may add a `description`. An answer is
`{analysis: <AccountAnalysis>}` for a 200 (without `analysis`: the spec's documented example), or
`{status: <code>, message: ...}` for a documented error (without `message`: the spec's example text); either may
add `delayMs` (answer after a delay), and `fault` gives a fault instead (`mock_server.faults`; `truncated` cuts the
answer the step describes). `{sequence: [<answer>, ...]}` gives its answers in turn, the last one repeating.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import jsonschema_rs

from mock_server.errors import FileError, FixtureError
from mock_server.faults import FAULTS, replaced_by
from mock_server.secret import mask_key
from mock_server.spec.contract import Contract, bundled_path, format_path
from mock_server.spec.yaml_file import read_yaml

BUNDLED_FIXTURES = bundled_path("fixtures")
SECTIONS = ("keys", "users", "workspaces")

# The shape of the fixture files themselves; the analyses inside them are checked against the spec.
_KEY_SCHEMA = jsonschema_rs.validator_for(
    {
        "type": "object",
        "required": ["role"],
        "additionalProperties": False,
        "properties": {"role": {"enum": ["admin", "regular"]}, "description": {"type": "string"}},
    }
)
_ANSWER_PROPERTIES = {
    "description": {"type": "string"},
    "analysis": {"type": "object"},
    "status": {"type": "integer"},
    "message": {"type": "string"},
    "delayMs": {"type": "integer", "minimum": 0, "maximum": 600_000},
    "fault": {"enum": list(FAULTS)},
}
_ANSWER_KEYS = ("analysis", "status", "message", "delayMs", "fault")
_ACCOUNT_SCHEMA = jsonschema_rs.validator_for(
    {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            **_ANSWER_PROPERTIES,
            "sequence": {
                "type": "array",
                "minItems": 1,
                "items": {"type": "object", "additionalProperties": False, "properties": _ANSWER_PROPERTIES},
            },
        },
    }
)


AccountKind = Literal["user", "workspace"]


def account_named(abstract_user_id: str | None, workspace_id: str | None) -> tuple[AccountKind, str] | None:
    """Which account a request names: the user id wins over the workspace id when both are sent."""
    if abstract_user_id is not None:
        return "user", abstract_user_id
    if workspace_id is not None:
        return "workspace", workspace_id
    return None


@dataclass(frozen=True)
class ApiKey:
    key: str
    role: Literal["admin", "regular"]
    description: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class AccountAnswer:
    """One answer of an account, in the fixture format."""

    status: int = 200
    analysis: dict[str, Any] | None = None  # a 200's body; None: the spec's documented example
    message: str | None = None  # an error's text; None: the spec's example
    delay_ms: int = 0
    fault: str | None = None  # given instead of (or, `truncated`, cutting) the answer


@dataclass(frozen=True)
class Account:
    """A user or a workspace: what the mock answers when it is looked up, in turn when there are several answers
    (a sequence: the last one repeats)."""

    id: str
    kind: AccountKind
    answers: tuple[AccountAnswer, ...] = (AccountAnswer(),)
    description: str = ""

    @property
    def is_sequence(self) -> bool:
        return len(self.answers) > 1

    # The first answer's, for what reads an account as one answer (listings, the contract suite's choice of ids).
    @property
    def status(self) -> int:
        return self.answers[0].status

    @property
    def analysis(self) -> dict[str, Any] | None:
        return self.answers[0].analysis

    @property
    def message(self) -> str | None:
        return self.answers[0].message

    @property
    def delay_ms(self) -> int:
        return self.answers[0].delay_ms

    @property
    def fault(self) -> str | None:
        return self.answers[0].fault


@dataclass(frozen=True)
class Fixtures:
    directory: Path
    keys: Mapping[str, ApiKey]
    users: Mapping[str, Account]
    workspaces: Mapping[str, Account]

    def find(self, abstract_user_id: str | None, workspace_id: str | None) -> Account | None:
        """The account a request names (see `account_named`), if these files define it."""
        named = account_named(abstract_user_id, workspace_id)
        if named is None:
            return None
        kind, account_id = named
        return self.accounts(kind).get(account_id)

    def accounts(self, kind: AccountKind) -> Mapping[str, Account]:
        return self.users if kind == "user" else self.workspaces

    @property
    def admin_keys(self) -> list[str]:
        return [key.key for key in self.keys.values() if key.is_admin]

    @property
    def regular_key(self) -> str | None:
        """The first key that is not an admin's (what a test of the admin-only rule sends), if the fixtures have one."""
        return next((key.key for key in self.keys.values() if not key.is_admin), None)

    @property
    def keys_are_public(self) -> bool:
        """The bundled keys are public (the docs name them); the keys of your own fixtures are secrets."""
        return self.directory.resolve() == BUNDLED_FIXTURES.resolve()


def parse_account(kind: AccountKind, account_id: Any, data: Any, contract: Contract, where: str) -> Account:
    """Check one account against the fixture rules and the spec; raise `FixtureError` naming `where`."""
    problems = []
    if not isinstance(account_id, str) or not account_id:
        problems.append(f"{where}: the id must be a non-empty string, found {account_id!r}")
    problems += [f"{format_path(e.instance_path, where)}: {e.message}" for e in _ACCOUNT_SCHEMA.iter_errors(data)]
    if problems:
        raise FixtureError(problems)

    problems += [
        f"{format_path(path, where)}: {str(value).replace('nan', '.nan').replace('inf', '.inf')} has no JSON form"
        for path, value in _non_finite(data)
    ]
    if "sequence" in data:
        beside = [key for key in _ANSWER_KEYS if key in data]
        if beside:
            problems.append(
                f"{where}: an account with a sequence gives every answer in it: move {', '.join(beside)} into its steps"
            )
        steps = data["sequence"]
        answers = [_parse_answer(step, contract, f"{where}.sequence[{i}]", problems) for i, step in enumerate(steps)]
    else:
        answers = [_parse_answer(data, contract, where, problems)]
    if problems:
        raise FixtureError(problems)
    return Account(id=account_id, kind=kind, answers=tuple(answers), description=data.get("description", ""))


def _parse_answer(data: dict[str, Any], contract: Contract, where: str, problems: list[str]) -> AccountAnswer:
    """One answer (an account's, or a step of its sequence); its problems are added to `problems`."""
    status = data.get("status", 200)
    fault = data.get("fault")
    replaced = replaced_by(fault)
    if replaced is not None:
        given = [key for key in ("status", "analysis", "message") if key in data]
        if given:
            problems.append(f"{where}: fault {fault} {replaced}, so {', '.join(given)} cannot be given with it")
    if status not in contract.statuses:
        problems.append(f"{where}.status: {contract.undocumented(str(status))}")
    elif status == 200:
        if "analysis" in data:
            problems += contract.component("AccountAnalysis").errors(data["analysis"], f"{where}.analysis")
        elif not contract.examples_for(200) and replaced is None:
            problems.append(f"{where}: an answer of 200 needs an 'analysis' (the spec has no example of 200 to use)")
        if "message" in data:
            problems.append(f"{where}.message: only an account answering an error status has a message")
    else:
        if "analysis" in data:
            problems.append(f"{where}.analysis: an account answering {status} has no analysis")
        if "message" in data:
            problems += contract.component("ErrorBody").errors({"message": data["message"]}, where)
    return AccountAnswer(
        status=status,
        analysis=data.get("analysis"),
        message=data.get("message"),
        delay_ms=data.get("delayMs", 0),
        fault=fault,
    )


def load_fixtures(directory: Path | str | None, contract: Contract) -> Fixtures:
    """Read every `*.yaml` file of `directory` (the bundled fixtures by default); raise `FixtureError`."""
    directory = Path(directory) if directory is not None else BUNDLED_FIXTURES
    if not directory.is_dir():
        raise FixtureError([f"{directory}: not a directory of fixture files"])
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    if not files:
        raise FixtureError([f"{directory}: no *.yaml fixture file in this directory"])

    problems: list[str] = []
    keys: dict[str, ApiKey] = {}
    accounts: dict[str, dict[str, Account]] = {"users": {}, "workspaces": {}}
    defined_in: dict[tuple[str, str], Path] = {}

    for file in files:
        sections = _read_yaml(file, problems)
        if sections is None:
            continue
        for section, entries in sections.items():
            if section not in SECTIONS:
                problems.append(f"{file}: {section}: unknown section (expected one of: {', '.join(SECTIONS)})")
                continue
            if entries is None:
                continue  # `users:` with every entry commented out: a section with none, like an empty file
            if not isinstance(entries, dict):
                problems.append(f"{file}: {section}: expected a mapping of id to entry, found {_kind(entries)}")
                continue
            for entry_id, data in entries.items():
                # An API key is a secret: errors name it masked, never in full.
                shown = mask_key(str(entry_id)) if section == "keys" else entry_id
                where = f"{section}.{shown}"
                if (section, str(entry_id)) in defined_in:
                    problems.append(f"{file}: {where}: already defined in {defined_in[section, str(entry_id)]}")
                    continue
                defined_in[section, str(entry_id)] = file
                try:
                    if section == "keys":
                        keys[entry_id] = _parse_key(entry_id, data, where)
                    else:
                        kind: AccountKind = "user" if section == "users" else "workspace"
                        accounts[section][entry_id] = parse_account(kind, entry_id, data, contract, where)
                except FixtureError as error:
                    problems += [f"{file}: {problem}" for problem in error.problems]

    if not problems and not any(key.is_admin for key in keys.values()):
        problems.append(f"{directory}: keys: no admin key is defined, so every request would get 401")
    if problems:
        raise FixtureError(problems)
    return Fixtures(
        directory=directory,
        keys=MappingProxyType(keys),
        users=MappingProxyType(accounts["users"]),
        workspaces=MappingProxyType(accounts["workspaces"]),
    )


def _read_yaml(file: Path, problems: list[str]) -> dict[str, Any] | None:
    try:
        data = read_yaml(file)
    except FileError as error:
        problems.append(str(error))
        return None
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(f"{file}: (top level): expected a mapping with {', '.join(SECTIONS)}, found {_kind(data)}")
        return None
    return data


def _parse_key(key: Any, data: Any, where: str) -> ApiKey:
    problems = []
    if not isinstance(key, str) or not key.strip():
        problems.append(f"{where}: an API key must be a non-empty string")
    problems += [f"{format_path(e.instance_path, where)}: {e.message}" for e in _KEY_SCHEMA.iter_errors(data)]
    if problems:
        raise FixtureError(problems)
    return ApiKey(key=key, role=data["role"], description=data.get("description", ""))


def _non_finite(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], float]]:
    """Every NaN or infinity inside `value` (YAML's `.nan`, `.inf`, anywhere, even where the spec allows any extra
    property): the mock would have to answer it as `NaN`, which no JSON parser reads."""
    if isinstance(value, float) and not math.isfinite(value):
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _non_finite(inner, (*path, str(key)))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _non_finite(inner, (*path, index))


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )
