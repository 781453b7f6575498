"""The table and targets of `bench/costs.py` from given times (no clock, no timing)."""

from __future__ import annotations

from bench.costs import comparison_target, key_targets, recording_table, recording_target


def test_key_check_ratio_is_per_round():
    # Round by round the first key took 1.0, 0.5 and 0.9 x the unknown key's time: a median of 0.9.
    seconds = {"first": [10e-6, 6e-6, 9e-6], "last": [10e-6, 12e-6, 10e-6], "unknown": [10e-6, 12e-6, 10e-6]}
    first, last = key_targets(seconds)
    assert first.passed and first.measured.startswith("0.90 x ("), first.measured
    assert last.passed and last.measured.startswith("1.00 x (")


def test_an_early_exit_fails_the_key_target():
    seconds = {"first": [0.5e-6] * 3, "last": [10e-6] * 3, "unknown": [10e-6] * 3}
    assert [target.passed for target in key_targets(seconds)] == [False, True]


def test_recording_target_is_at_the_largest():
    measured = [(10, 0.004, 0.005), (3000, 0.009, 2.0)]
    assert recording_table(measured)[-1] == "| 3,000 | 9.0 ms | 2000.0 ms | 0.004 |"
    assert recording_target(measured).passed
    redumping = [(10, 0.005, 0.005), (3000, 2.1, 2.0)]  # a writer that turns every account into YAML again
    assert recording_target(redumping).passed is False
    assert "3,000 recorded accounts" in recording_target(redumping).name


def test_a_slow_comparison_fails_its_bound():
    assert comparison_target(5.3).passed and comparison_target(5.3).measured == "5.3 s"
    assert comparison_target(10.4).passed is False
