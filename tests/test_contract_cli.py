"""`sivi-contract` as a user runs it: against the bundled mock by default (which must conform: this is the
run `make test` relies on), and with one readable line for a wrong option."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("sivi-contract")
DOCUMENTED_USER = "281743-2322-34i44sd3-dkfjgdkjf292"
# Without the runner's own SIVI_* variables: a CI job that exports SIVI_BASE_URL must not aim these tests at it.
CLEAN_ENV = {name: value for name, value in os.environ.items() if not name.startswith("SIVI_")}


@pytest.mark.timeout(120)
def test_the_console_script_checks_the_bundled_mock_by_default_and_it_conforms(tmp_path):
    result = subprocess.run(
        [str(SCRIPT), "--seed", "1"], capture_output=True, text=True, timeout=120, cwd=tmp_path, env=CLEAN_ENV
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "target: the bundled mock at http://127.0.0.1:" in output
    sent = int(re.search(r"^requests sent: (\d+) \(no rate limit, no request budget\)$", output, re.M).group(1))
    assert sent > 100
    observed = re.search(r"^documented statuses observed: (.*)$", output, re.M).group(1)
    for status in ("200", "400", "401", "422"):
        assert f"{status} x" in observed, observed
    answered = re.search(rf"^known user {DOCUMENTED_USER}: (\d+) of (\d+) requests answered 200$", output, re.M)
    assert answered and answered.group(1) == answered.group(2) != "0", output
    assert "CONFORMS: no violation found" in output
    assert not list(tmp_path.iterdir()), "a run must leave nothing behind in the working directory"


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        (["--max-examples", "zero"], "sivi-contract: --max-examples: 'zero' must be a whole number"),
        (["--base-url", "https://x.example"], "sivi-contract: --api-key (or SIVI_API_KEY) is required with --base-url"),
        (["--no-such-option"], "sivi-contract: unrecognized arguments: --no-such-option (see sivi-contract --help)"),
    ],
)
def test_a_wrong_option_is_exit_2_and_one_line(arguments, line):
    result = subprocess.run([str(SCRIPT), *arguments], capture_output=True, text=True, timeout=60, env=CLEAN_ENV)
    assert result.returncode == 2
    assert result.stdout + result.stderr == line + "\n"


def test_python_m_contract_tests_is_the_same_command():
    result = subprocess.run(
        [sys.executable, "-m", "contract_tests", "--help"], capture_output=True, text=True, timeout=60, env=CLEAN_ENV
    )
    assert result.returncode == 0
    assert result.stdout.startswith("usage: sivi-contract")
    for option in ("--base-url", "SIVI_BASE_URL", "--api-key", "--rate-limit", "--junit-xml", "--report"):
        assert option in result.stdout
