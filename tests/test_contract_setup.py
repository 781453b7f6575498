"""Before anything is judged, the suite checks that it talks to the API with a key the API takes: a wrong key, a
wrong path, a server that is not the API and a server that is down each end the run with exit 2 and one line
naming the setting to fix, after two requests at most, and never a list of "violations". So does a `--user-id`
the API refuses in its envelope (400: no such user; 422: not an id of its form): the run could test nothing about
success."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from contract_tests.runner import run_suite
from contract_tests.settings import read_settings
from mock_server.serving.background import BackgroundServer
from tests import toy_servers as toys
from tests.upstreams import free_port_url

pytestmark = pytest.mark.timeout(60)
PATH = toys.CONTRACT.path
SCRIPT = Path(sys.executable).with_name("sivi-contract")


def run_against(url: str, **options: str):
    values = {
        "base_url": url,
        "api_key": toys.ADMIN_KEY,
        "user_id": toys.KNOWN_USER,
        "max_examples": "3",
        "seed": "5",
        "request_timeout": "2",
        "max_wait": "1",
        **options,
    }
    out = io.StringIO()
    outcome = run_suite(read_settings(values, environ={}), out=out)
    return outcome, out.getvalue()


def serving(toy: toys.Toy) -> BackgroundServer:
    return BackgroundServer(toy.app(), log_level="critical", timeout_graceful_shutdown=0.1)


def test_wrong_key_names_sivi_api_key():
    """A wrong key is exit 2 and one line naming SIVI_API_KEY, not the user id."""
    with serving(toys.Toy()) as server:
        outcome, output = run_against(server.url, api_key="a-key-staging-does-not-know")
    assert outcome.exit_code == 2
    assert output == (
        f"sivi-contract: SIVI_API_KEY (or --api-key) was refused: {server.url}{PATH} answered HTTP 401 to it "
        f'(application/json: {{"status":401,"body":{{"message":"{toys.Toy.message_401}"}}}}): '
        "give an Enterprise admin key of this target\n"
    )
    assert "--user-id" not in output and "a-key-staging-does-not-know" not in output
    assert outcome.run.observed.setup_requests == 2


def test_long_refusal_one_line():
    """A refusal written over many lines is shown as the JSON sent, on one line, cut short."""
    with serving(toys.PrettyPrintedJson()) as server:
        outcome, output = run_against(server.url, api_key="a-key-staging-does-not-know")
    assert outcome.exit_code == 2 and output.count("\n") == 1, output
    shown = output.split("answered HTTP 401 to it (application/json: ")[1]
    assert shown.startswith('{ "status": 401, "body": { "message": "Failed to authenticate request. Please add'), shown
    assert shown.endswith("...): give an Enterprise admin key of this target\n"), shown
    assert len(output) < 400, f"the body was not cut short: {output}"


@pytest.mark.parametrize("suffix", ["/api/v1", "/enterprise"], ids=["another version", "a path prefix"])
def test_wrong_path_exits_2(suffix):
    """A wrong path is exit 2 and one line naming the base URL's path."""
    with serving(toys.Toy()) as server:
        outcome, output = run_against(server.url + suffix)
    assert outcome.exit_code == 2
    assert output.startswith(f"sivi-contract: nothing takes POST at {server.url}{suffix}{PATH} (HTTP 404: ")
    assert output.endswith(
        "is --base-url's path right? It is the API's base URL (e.g. https://connect.sivi.ai/api/staging/v2)\n"
    )
    assert output.count("\n") == 1 and outcome.run.observed.setup_requests == 2


def test_base_url_with_path_told():
    with serving(toys.Toy()) as server:
        outcome, output = run_against(server.url + PATH)
    assert outcome.exit_code == 2
    assert output == (
        f"sivi-contract: --base-url {server.url}{PATH} ends with the operation's path {PATH}: give the API's base "
        "URL without it (e.g. https://connect.sivi.ai/api/staging/v2)\n"
    )


def test_not_the_api_exits_2():
    with serving(toys.AnswersHtml()) as server:
        outcome, output = run_against(server.url)
    assert outcome.exit_code == 2
    assert output == (
        f"sivi-contract: {server.url}{PATH} is not the API: its answers are not in the API's envelope "
        "{status, body} (HTTP 200, text/html; charset=utf-8: '<html><body><h1>Welcome to nginx!</h1></body></html>'): "
        "is --base-url the API's base URL?\n"
    )
    assert outcome.run.observed.findings == []


def test_foreign_refusal_names_both():
    """A refusal outside the API's envelope names both the path and the key."""
    with serving(toys.GatewayWithoutTheRoute()) as server:
        outcome, output = run_against(server.url)
    assert outcome.exit_code == 2
    assert output == (
        f"sivi-contract: {server.url}{PATH} refused the request outside the API's envelope (HTTP 403, "
        'application/json: {"message":"Missing Authentication Token"}): a gateway in front of the API, or not '
        "the API at all? Check --base-url's path and SIVI_API_KEY\n"
    )


def test_server_down_exits_2():
    url = free_port_url()
    outcome, output = run_against(url)
    assert outcome.exit_code == 2
    assert output == f"sivi-contract: cannot reach {url}: connection refused\n"


def test_setup_failure_in_reports(tmp_path):
    """A set-up failure is one line from the command, and the HTML report and JUnit file say the same."""
    report, junit = tmp_path / "staging.html", tmp_path / "reports" / "staging.xml"
    environ = {name: value for name, value in os.environ.items() if not name.startswith("SIVI_")}
    arguments = ["--user-id", toys.KNOWN_USER, "--report", str(report), "--junit-xml", str(junit)]
    with serving(toys.Toy()) as server:
        result = subprocess.run(
            [str(SCRIPT), "--base-url", server.url, *arguments],
            capture_output=True,
            text=True,
            timeout=60,
            env={**environ, "SIVI_API_KEY": "wrong-key-0123456789"},
        )
    output = result.stdout + result.stderr
    assert result.returncode == 2
    assert output.count("\n") == 1 and output.startswith("sivi-contract: SIVI_API_KEY (or --api-key) was refused")
    page = report.read_text(encoding="utf-8")
    assert "NOT TESTED: SIVI_API_KEY (or --api-key) was refused" in page
    assert "<h2>Findings</h2>" not in page and "wrong-key-0123456789" not in page
    # CI's JUnit step shows the reason, instead of finding no file
    errors = ElementTree.parse(junit).getroot().findall("./testsuite/testcase/error")
    assert len(errors) == 1, ElementTree.tostring(ElementTree.parse(junit).getroot())
    assert errors[0].get("message", "").startswith("NOT TESTED: SIVI_API_KEY (or --api-key) was refused")
    assert "wrong-key-0123456789" not in junit.read_text(encoding="utf-8")


def test_malformed_user_id_exits_2():
    """A user id the API finds malformed is exit 2 and one line naming the user id."""
    # IdFormatChecked reads opaque-ids another way: 422 for an id outside its form. The id given is the set-up's.
    with serving(toys.IdFormatChecked()) as server:
        outcome, output = run_against(server.url, user_id="no such form!")
    assert outcome.exit_code == 2, output
    assert outcome.run.observed.setup_requests == 2, "the run went on past a user id the target refuses"
    assert output.count("\n") == 1 and output.startswith("sivi-contract: --user-id 'no such form!'"), output
    assert "HTTP 422" in output and "give the abstractUserId of a user that exists on it" in output
    assert "SIVI_API_KEY" not in output
