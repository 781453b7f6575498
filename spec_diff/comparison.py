"""`compare(OLD, NEW)`: every finding of one comparison, in one `Report`."""

from __future__ import annotations

import time
from pathlib import Path

from mock_server.user_cache import hypothesis_home
from spec_diff.documentation import documentation_findings
from spec_diff.documents import SpecDocument
from spec_diff.findings import BREAKING, SAFE, WARNING, Report
from spec_diff.kit import kit_findings
from spec_diff.rules import operation_findings

_ORDER = {BREAKING: 0, WARNING: 1, SAFE: 2}


def compare(old: SpecDocument, new: SpecDocument, fixtures: Path | None = None, strict: bool = False) -> Report:
    """What NEW changes for a client of OLD; `fixtures` is the directory the mock serves (the bundled one)."""
    started = time.monotonic()
    with hypothesis_home():
        findings, checked = operation_findings(old, new)
    findings += documentation_findings(old.document, new.document)
    kit, fixtures_check = kit_findings(old, new, fixtures)
    report = Report(old.name, new.name, strict=strict, fixtures=fixtures_check, documents_checked=checked)
    # Breaking first, then warnings, then safe; within each, in the order the operation is read.
    report.findings = sorted([*kit, *findings], key=lambda finding: _ORDER[finding.verdict])
    report.seconds = time.monotonic() - started
    return report
