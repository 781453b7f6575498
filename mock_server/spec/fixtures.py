"""Fixtures: the YAML data the mock serves, checked against the contract's own schemas.

Every `*.yaml` file in the fixtures directory is a mapping with any of three sections:

    keys:        {<api key>: {role: admin | regular, description: ...}}
    users:       {<abstractUserId>: <account>}
    workspaces:  {<workspaceId>: <account>}

An account is `{analysis: <AccountAnalysis>}` for a 200, or `{status: <code>, message: ...}` for an account
that always answers that documented error; either may add `delayMs` (answer after a delay) and `description`.
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
_ACCOUNT_SCHEMA = jsonschema_rs.validator_for(
    {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "description": {"type": "string"},
            "analysis": {"type": "object"},
            "status": {"type": "integer"},
            "message": {"type": "string"},
            "delayMs": {"type": "integer", "minimum": 0, "maximum": 600_000},
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
class Account:
    """A user or a workspace: what the mock answers when it is looked up."""

    id: str
    kind: AccountKind
    analysis: dict[str, Any] | None = None
    status: int = 200
    message: str | None = None
    delay_ms: int = 0
    description: str = ""


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
    status = data.get("status", 200)
    if status not in contract.statuses:
        documented = ", ".join(map(str, contract.statuses))
        problems.append(f"{where}.status: {status} is not a status the spec documents ({documented})")
    elif status == 200:
        if "analysis" not in data:
            problems.append(f"{where}: an account answering 200 needs an 'analysis'")
        else:
            problems += contract.component("AccountAnalysis").errors(data["analysis"], f"{where}.analysis")
        if "message" in data:
            problems.append(f"{where}.message: only an account answering an error status has a message")
    else:
        if "analysis" in data:
            problems.append(f"{where}.analysis: an account answering {status} has no analysis")
        if "message" in data:
            problems += contract.component("ErrorBody").errors({"message": data["message"]}, where)
    if problems:
        raise FixtureError(problems)
    return Account(
        id=account_id,
        kind=kind,
        analysis=data.get("analysis"),
        status=status,
        message=data.get("message"),
        delay_ms=data.get("delayMs", 0),
        description=data.get("description", ""),
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
