"""Accepted deviations: what a team has decided to live with for a while, read from one YAML file and matched
against failures, the one way for the contract suite (`sivi-contract --accept FILE`) and the proxy
(`sivi-mock --proxy URL --accept FILE`).

    - where: /body/yearlyAnalysis/mediaSize   # a JSON Pointer into the answer, or /request/... into the request
      check: response_schema                  # the check's name as the report prints it (where and/or check)
      reason: vendor ticket SIVI-1234, sizes sent as numbers
      until: 2027-03-31                       # the last day (UTC) it is accepted

A failure is accepted when live entries that name its check (or name none) cover every place it names
(`Failure.where`), or when one such entry names no place: a new deviation elsewhere in the same answer still fails.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from mock_server.errors import AcceptedFileError, FileError
from mock_server.judgement.verdict import Failure, Verdict
from mock_server.spec.yaml_file import read_yaml_lines

KEYS = ("where", "check", "reason", "until")
# The first segment of a place: the answer's envelope (`status`, `body`) or the request body (`request`).
ROOTS = ("status", "body", "request")
CHECK_NAME = re.compile(r"(schemathesis:)?[a-z][a-z0-9_]*")


def utc_today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class Entry:
    """One accepted deviation, with the line of the file it starts on."""

    line: int
    reason: str
    until: date
    where: str | None = None
    check: str | None = None

    def expired(self, today: date) -> bool:
        return today > self.until

    def names(self, check: str, also: str | None = None) -> bool:
        """Whether the entry is about `check` (or `also`, a check the failure mirrors): an entry without a check
        is about every check."""
        return self.check is None or self.check in (check, also)

    def covers(self, place: str) -> bool:
        return self.where is not None and (place == self.where or place.startswith(self.where + "/"))

    @property
    def what(self) -> str:
        """`response_schema at /body/yearlyAnalysis/mediaSize`, as a report names the entry."""
        return " at ".join(part for part in (self.check, self.where) if part)


@dataclass(frozen=True)
class Acceptance:
    """What the file says about one failure: the live entries that accept it (none: it stands), and the expired
    entries that would have."""

    live: tuple[Entry, ...] = ()
    expired: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class AcceptedDeviations:
    """The entries of one accepted-deviations file (`load_accepted`)."""

    source: Path
    entries: tuple[Entry, ...] = ()

    def acceptance(self, failure: Failure, today: date | None = None, also: str | None = None) -> Acceptance:
        today = utc_today() if today is None else today
        naming = [entry for entry in self.entries if entry.names(failure.check, also)]
        live = _accepting(failure, [entry for entry in naming if not entry.expired(today)])
        if live:
            return Acceptance(live)
        return Acceptance((), tuple(entry for entry in _accepting(failure, naming) if entry.expired(today)))

    def apply(self, failure: Failure, found: Acceptance) -> Failure:
        """`failure` as `found` leaves it: accepted with the entries' reasons, or saying which entries expired."""
        if found.live:
            return replace(failure, accepted="; ".join(self.describe(entry) for entry in found.live))
        if found.expired:
            expired = "; ".join(f"{self.describe(entry)}: expired" for entry in found.expired)
            return replace(failure, message=f"{failure.message}\n(accepted before: {expired})")
        return failure

    def judged(
        self,
        verdict: Verdict,
        today: date | None = None,
        *,
        mirrors: Mapping[str, str] | None = None,
        met: set[Entry] | None = None,
    ) -> Verdict:
        """The verdict with every failure a live entry accepts marked so (the proxy's `Sivi-Contract: accepted`, the
        suite's accepted deviations). `mirrors`: for a failure's check, the check it says again, whose entries accept
        it too; `met`: where the entries that matched a failure, live or expired, are added."""
        if not verdict.failures:
            return verdict
        judged = []
        for failure in verdict.failures:
            found = self.acceptance(failure, today, (mirrors or {}).get(failure.check))
            if met is not None:
                met.update(found.live + found.expired)
            judged.append(self.apply(failure, found))
        return Verdict.of(judged)

    def expired(self, today: date | None = None) -> list[Entry]:
        today = utc_today() if today is None else today
        return [entry for entry in self.entries if entry.expired(today)]

    def describe(self, entry: Entry) -> str:
        return f"{entry.reason} (until {entry.until.isoformat()}, {self.source.name} line {entry.line})"


def _accepting(failure: Failure, entries: list[Entry]) -> tuple[Entry, ...]:
    """The entries that together accept `failure`: one that names no place, or those covering each of its places."""
    whole = tuple(entry for entry in entries if entry.where is None)
    if whole or not failure.where:
        return whole
    used: list[Entry] = []
    for place in failure.where:
        covering = [entry for entry in entries if entry.covers(place)]
        if not covering:
            return ()
        used += covering
    return tuple(dict.fromkeys(used))


def load_accepted(file: Path) -> AcceptedDeviations:
    """Read and check an accepted-deviations file; `AcceptedFileError` names the file, the line and the reason."""
    try:
        document, lines = read_yaml_lines(file, "the accepted-deviations file")
    except FileError as error:
        raise AcceptedFileError(error.file, error.where, error.reason) from None
    if document is None:
        return AcceptedDeviations(file)
    if not isinstance(document, list):
        raise AcceptedFileError(file, "line 1", "expected a list of entries (- where: ..., reason: ..., until: ...)")
    return AcceptedDeviations(file, tuple(_entry(file, index, item, lines) for index, item in enumerate(document)))


def _entry(file: Path, index: int, item: Any, lines: dict[tuple[str | int, ...], int]) -> Entry:
    line = lines.get((index,), 0)

    def fail(key: str | None, reason: str) -> AcceptedFileError:
        return AcceptedFileError(file, f"line {lines.get((index, key), line) if key else line}", reason)

    if not isinstance(item, dict):
        raise fail(None, "each entry is a mapping with where and/or check, reason and until")
    unknown = [str(key) for key in item if key not in KEYS]
    if unknown:
        at = lines.get((index, unknown[0], ""), line)
        raise AcceptedFileError(file, f"line {at}", f"unknown key {unknown[0]!r} (an entry has {', '.join(KEYS)})")
    if item.get("where") is None and item.get("check") is None:
        raise fail(None, "an entry needs where (the place, a JSON Pointer) or check (the check's name), or both")
    reason = item.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise fail("reason" if "reason" in item else None, "reason is required: why it is accepted (a vendor ticket)")
    where: str | None = item.get("where")
    check: str | None = item.get("check")
    if where is not None:
        problem = pointer_problem(where)
        if problem:
            raise fail("where", f"where {where!r} {problem}")
    if check is not None and not (isinstance(check, str) and CHECK_NAME.fullmatch(check)):
        raise fail("check", f"check {check!r} is not a check's name as reports print it (e.g. response_schema)")
    until = _date(item.get("until"))
    if until is None:
        shown = f"not {item['until']!r}" if "until" in item else "it is required"
        raise fail("until" if "until" in item else None, f"until must be a date, YYYY-MM-DD ({shown})")
    return Entry(line, " ".join(reason.split()), until, where, check)


def pointer_problem(where: Any) -> str | None:
    """What is wrong with `where` as the place of a finding (RFC 6901 JSON Pointer, rooted in `ROOTS`), or None."""
    if not isinstance(where, str) or not where.startswith("/"):
        return "is not a JSON Pointer (it starts with /, e.g. /body/yearlyAnalysis/mediaSize)"
    segments = where[1:].split("/")
    if any(not segment for segment in segments):
        return "has an empty segment"
    if re.search(r"~(?![01])", where):
        return "has a ~ that is not ~0 or ~1 (RFC 6901)"
    if segments[0] not in ROOTS:
        return "is no place a finding names: /status or /body/... in the answer, /request/... in the request body"
    return None


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return None  # a time of day too: the file takes days
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
