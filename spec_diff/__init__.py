"""Which changes between two versions of `openapi.yaml` break a client, judged by instances: a change breaks a
client when a counterexample exists (a request the old contract accepted that the new one refuses, an answer the new
one allows that a client built on the old one rejects), found by generation and shrunk.

    from spec_diff import compare, read_spec

    report = compare(read_spec("git:main:openapi.yaml"), read_spec("openapi.yaml"))
    report.exit_code  # 0 no breaking change, 1 breaking
    report.of("breaking")  # findings, each with .where, .what and .counterexample

The names below are imported when first used, so that `sivi-spec --help` does not load Hypothesis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_server.lazy import lazy_names

if TYPE_CHECKING:
    from spec_diff.comparison import compare as compare
    from spec_diff.documents import SpecDocument as SpecDocument
    from spec_diff.documents import read_spec as read_spec
    from spec_diff.findings import Counterexample as Counterexample
    from spec_diff.findings import Finding as Finding
    from spec_diff.findings import Report as Report
    from spec_diff.report import render as render

__getattr__, __dir__, __all__ = lazy_names(__name__, __file__)
