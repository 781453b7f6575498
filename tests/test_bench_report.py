"""The bench's table: medians, ratios to the baseline and target verdicts (no server, no timing)."""

from __future__ import annotations

from bench.load import LoadResult
from bench.report import (
    ClientRun,
    ServerRow,
    ceiling_targets,
    contract_target,
    load_targets,
    memory_targets,
    server_table,
)


def run(rps: float, p50_ms: float, p99_ms: float) -> LoadResult:
    return LoadResult(requests=int(rps * 5), seconds=5.0, p50_ms=p50_ms, p99_ms=p99_ms, non_2xx=0, socket_errors=0)


def test_cells_are_medians():
    """Cells are medians of the runs, and ratios are medians of the per-round ratios."""
    baseline = ServerRow(
        "baseline",
        [run(20_000, 2.0, 4.0), run(30_000, 1.0, 6.0), run(25_000, 1.5, 5.0)],
        cpu_us=[40.0, 38.0, 39.0],
        rss_mb=30.0,
        start_s=0.1,
    )
    mock = ServerRow(
        "mock",
        [run(20_000, 2.0, 7.5), run(22_500, 2.5, 8.0), run(15_000, 3.0, 9.0)],
        cpu_us=[44.0, 47.0, 45.0],
        rss_mb=40.0,
        start_s=0.3,
    )

    header, _, baseline_line, mock_line = server_table([baseline, mock], baseline)

    assert "req/s vs baseline" in header
    assert baseline_line == "| baseline | 25,000 | 1.5 ms | 5.0 ms | 30 MB | 0.10 s | 1.00 | 1.00 | 39 µs |"
    # Round by round the mock did 1.00, 0.75 and 0.60 x the baseline's req/s, and 1.875, 1.33 and 1.8 x its p99.
    assert mock_line == "| mock | 20,000 | 2.5 ms | 8.0 ms | 40 MB | 0.30 s | 0.75 | 1.80 | 45 µs |"


def test_unmeasured_row_says_why():
    baseline = ServerRow("baseline", [run(25_000, 1.5, 5.0)])
    lines = server_table([baseline, ServerRow("Prism", note="skipped: npm is not installed")], baseline)
    assert lines[-1] == "| Prism | skipped: npm is not installed |" + " — |" * 7


def test_targets_pass_at_limits():
    """Targets fail below 0.85x throughput or above 1.5x p99, and pass at the limits."""
    baseline = ServerRow("baseline", [run(20_000, 1.0, 4.0)])
    at_limits = load_targets(ServerRow("mock", [run(17_000, 1.0, 6.0)]), baseline)
    beyond = load_targets(ServerRow("mock", [run(16_900, 1.0, 6.1)]), baseline)
    assert [target.passed for target in at_limits] == [True, True]
    assert [target.passed for target in beyond] == [False, False]


def test_default_mock_target():
    """The default mock must reach half the raw ceiling with at most twice its p99."""
    ceiling = ServerRow("raw ceiling", [run(40_000, 0.5, 3.0)])
    at_limits = ceiling_targets(ServerRow("sivi-mock", [run(20_000, 1.0, 6.0)]), ceiling)
    beyond = ceiling_targets(ServerRow("sivi-mock", [run(19_900, 1.0, 6.1)]), ceiling)
    assert [target.passed for target in at_limits] == [True, True]
    assert [target.passed for target in beyond] == [False, False]
    assert "0.50 x (medians 20,000 vs 40,000 req/s)" in at_limits[0].measured
    unmeasured = ceiling_targets(ServerRow("sivi-mock", note="did not start: port in use"), ceiling)
    assert [(target.passed, target.measured) for target in unmeasured] == [(None, "did not start: port in use")] * 2


def test_memory_target():
    """Memory must stay under 60 MB and grow at most 2 MB from 100k to 300k requests."""
    flat = memory_targets([(100_512, 41.0), (300_901, 42.5)])
    growing = memory_targets([(100_512, 41.0), (300_901, 47.0)])
    assert [target.passed for target in flat] == [True, True]
    assert [target.passed for target in growing] == [True, False]
    assert "+6.0 MB" in growing[1].measured
    assert [target.passed for target in memory_targets([])] == [None, None]


def test_contract_ratio():
    """The contract ratio is wall time against upstream, and missing runs are not a pass."""
    upstream = ClientRun("schemathesis", seconds=10.0, requests=500, exit_code=0)
    assert contract_target(ClientRun("suite", seconds=19.0, requests=900, exit_code=0), upstream).passed is True
    assert contract_target(ClientRun("suite", seconds=21.0, requests=900, exit_code=0), upstream).passed is False
    missing = contract_target(ClientRun("suite", note="not available yet"), upstream)
    assert missing.passed is None
    assert missing.measured == "not available yet"


def test_mutation_bench_copies_usage(tmp_path):
    """The mutation bench grows the robust project by copies of its usage test."""
    import ast

    from bench.mutation import project

    where = project(tmp_path / "tests-3", 3)
    tests = [
        n.name for n in ast.walk(ast.parse((where / "check_usage.py").read_text())) if isinstance(n, ast.FunctionDef)
    ]
    assert tests == ["test_usage_0", "test_usage_1", "test_usage_2"]
    assert not (where / "check_errors.py").exists(), "only the usage test is copied: the table counts its mutants"
