"""`sivi-contract` as a user runs it: against the bundled mock by default (which must conform: this is the
run `make test` relies on), and with one readable line for a wrong option."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mock_server.app import create_app
from mock_server.serving.background import BackgroundServer

SCRIPT = Path(sys.executable).with_name("sivi-contract")
DOCUMENTED_USER = "281743-2322-34i44sd3-dkfjgdkjf292"
# Without the runner's own SIVI_* variables: a CI job that exports SIVI_BASE_URL must not aim these tests at it.
CLEAN_ENV = {name: value for name, value in os.environ.items() if not name.startswith("SIVI_")}


@pytest.mark.timeout(120)
def test_default_run_conforms(tmp_path):
    """The console script checks the bundled mock by default, and it conforms."""
    result = subprocess.run(
        [str(SCRIPT), "--seed", "1"], capture_output=True, text=True, timeout=120, cwd=tmp_path, env=CLEAN_ENV
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "target: the bundled mock at http://127.0.0.1:" in output
    sent = re.search(r"^requests sent: (\d+) \(no rate limit, no request budget\)$", output, re.M)
    assert sent and int(sent.group(1)) > 100, output
    statuses = re.search(r"^documented statuses observed: (.*)$", output, re.M)
    assert statuses, output
    observed = statuses.group(1)
    for status in ("200", "400", "401", "422"):
        assert f"{status} x" in observed, observed
    answered = re.search(rf"^known user {DOCUMENTED_USER}: (\d+) of (\d+) requests answered 200$", output, re.M)
    assert answered and answered.group(1) == answered.group(2) != "0", output
    assert "CONFORMS: no violation found" in output
    assert "\nmode: default: " in output, "the summary must say which mode ran"
    assert not list(tmp_path.iterdir()), "a run must leave nothing behind in the working directory"


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        (["--max-examples", "zero"], "sivi-contract: --max-examples: 'zero' must be a whole number"),
        (["--base-url", "https://x.example"], "sivi-contract: --api-key (or SIVI_API_KEY) is required with --base-url"),
        (["--no-such-option"], "sivi-contract: unrecognized arguments: --no-such-option (see sivi-contract --help)"),
    ],
)
def test_wrong_option_exits_2(arguments, line):
    result = subprocess.run([str(SCRIPT), *arguments], capture_output=True, text=True, timeout=60, env=CLEAN_ENV)
    assert result.returncode == 2
    assert result.stdout + result.stderr == line + "\n"


def test_python_m_same_command():
    result = subprocess.run(
        [sys.executable, "-m", "contract_tests", "--help"], capture_output=True, text=True, timeout=60, env=CLEAN_ENV
    )
    assert result.returncode == 0
    assert result.stdout.startswith("usage: sivi-contract")
    for option in ("--base-url", "SIVI_BASE_URL", "--api-key", "--rate-limit", "--junit-xml", "--report"):
        assert option in result.stdout


@pytest.fixture(scope="module")
def plain_pytest_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """`pytest contract_tests` beside a plugin that owns `--base-url`, strict by SIVI_STRICT alone, against a mock
    of its own: what it printed and the paths the mock was asked for. One run (one process start, Schemathesis
    imported once) feeds the two tests below, each of which checks its own promise on it."""
    where = tmp_path_factory.mktemp("plain_pytest")
    # pytest-playwright brings pytest-base-url, which owns `--base-url`; a plugin of the same shape stands in.
    (where / "other_base_url_plugin.py").write_text(
        "def pytest_addoption(parser):\n    parser.addoption('--base-url', dest='base_url')\n"
    )
    suite = str(Path(__file__).resolve().parent.parent / "contract_tests")
    with BackgroundServer(create_app()) as mock:
        arguments = ["-p", "other_base_url_plugin", "--base-url", mock.url, "--max-examples", "2"]
        result = subprocess.run(
            [sys.executable, "-m", "pytest", suite, *arguments, "-p", "no:cacheprovider"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=where,
            env={
                **CLEAN_ENV,
                "PYTHONPATH": str(where),
                "SIVI_API_KEY": "mock-admin-key",
                "SIVI_USER_ID": DOCUMENTED_USER,
                "SIVI_STRICT": "1",
            },
        )
        seen = [entry["path"] for entry in httpx.get(f"{mock.url}/__mock/journal").json()["body"]["requests"]]
    return result, seen


@pytest.mark.timeout(60)
@pytest.mark.xdist_group("plain_pytest_run")  # one worker: the run happens once
def test_shares_pytest_base_url(plain_pytest_run):
    """`pytest contract_tests` shares --base-url with pytest-base-url."""
    result, seen = plain_pytest_run
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "/enterprise/account-analysis" in seen, "the suite must have tested the --base-url it was given"


@pytest.mark.timeout(60)
@pytest.mark.xdist_group("plain_pytest_run")  # one worker: the run happens once
def test_sivi_strict_beside_strict(plain_pytest_run):
    """`pytest contract_tests` reads --sivi-strict beside pytest's own --strict flag."""
    # pytest owns `--strict` (its strict mode): left off, the suite still reads SIVI_STRICT.
    result, _ = plain_pytest_run
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "\nmode: strict (--strict): every decision of openapi.yaml is enforced" in result.stdout
