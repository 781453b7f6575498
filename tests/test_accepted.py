"""Accepted deviations (`--accept FILE`, `SIVI_ACCEPT`): one YAML file, read and matched in one place
(`mock_server.judgement.accepted`) for the contract suite and the proxy. A finding a live entry covers is reported
as accepted with its reason and does not fail the run; an expired entry fails it and says so; an entry that met
nothing is reported as unused; a broken file stops the run at start with exit 2 and one line naming its line."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest

from contract_tests.errors import UsageError
from contract_tests.runner import run_suite
from contract_tests.settings import read_settings
from mock_server.errors import AcceptedFileError, ProxySetupError, SettingsError
from mock_server.judgement import Failure, load_accepted
from mock_server.serving.background import BackgroundServer
from mock_server.settings import Settings
from tests import toy_servers as toys
from tests.upstreams import MOCK_KEY, PATH, known_user_body, proxy, proxy_app, upstream

pytestmark = pytest.mark.timeout(60)
SIZE = "/body/yearlyAnalysis/mediaSize"
LIVE = "2999-12-31"


def accept_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "accepted.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def entry(where: str | None = SIZE, check: str | None = None, reason: str = "SIVI-1234", until: str = LIVE) -> str:
    lines = [f"  where: {where}" if where else "", f"  check: {check}" if check else ""]
    lines += [f"  reason: {reason}", f"  until: {until}"]
    return "-" + "\n".join(line for line in lines if line)[1:] + "\n"


RUN_OPTIONS = {
    "api_key": toys.ADMIN_KEY,
    "user_id": toys.KNOWN_USER,
    "max_examples": "3",
    "seed": "3",
    "request_timeout": "5",
}


def run_against(toy: toys.Toy, accepted: Path, **options: str):
    values = {**RUN_OPTIONS, "accept": str(accepted), **options}
    out = io.StringIO()
    with BackgroundServer(toy.app(), log_level="critical", timeout_graceful_shutdown=0.1) as server:
        outcome = run_suite(read_settings({**values, "base_url": server.url}, environ={}), out=out)
    return outcome, out.getvalue()


# -- the file ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (entry() + "  wher: /body\n", "line 4: unknown key 'wher' (an entry has where, check, reason, until)"),
        (entry(until="2027-13-01"), "line 3: not a valid value (month must be in 1..12)"),
        (entry(until="soon"), "line 3: until must be a date, YYYY-MM-DD (not 'soon')"),
        (entry() + entry(where="body/x"), "line 4: where 'body/x' is not a JSON Pointer (it starts with /"),
        (entry(where="/bdy/yearlyAnalysis"), "line 1: where '/bdy/yearlyAnalysis' is no place a finding names"),
        (entry(where="/body/a~2b"), "line 1: where '/body/a~2b' has a ~ that is not ~0 or ~1 (RFC 6901)"),
        (entry(check="Response Schema"), "line 2: check 'Response Schema' is not a check's name"),
        ("- where: /status\n  until: 2027-01-01\n", "line 1: reason is required"),
        ("- check: auth_first\n  reason: r\n", "line 1: until must be a date, YYYY-MM-DD (it is required)"),
        ("- reason: r\n  until: 2027-01-01\n", "line 1: an entry needs where (the place, a JSON Pointer) or check"),
        ("where: /status\n", "line 1: expected a list of entries"),
        ("- where: [\n", "line 2, column 1: not valid YAML"),
        ("- reason: r\n  reason: s\n", "line 2, column 3: not valid YAML (a key given twice in one mapping"),
    ],
)
def test_broken_file_names_its_line(tmp_path, text, message):
    path = accept_file(tmp_path, text)
    with pytest.raises(AcceptedFileError) as raised:
        load_accepted(path)
    assert str(raised.value).startswith(f"{path}: {message}")
    with pytest.raises(UsageError) as usage:
        read_settings({"accept": str(path)}, environ={})
    assert str(usage.value).startswith(f"--accept: {path}: {message}") and "\n" not in str(usage.value)


def test_broken_file_exits_2_first(tmp_path):
    """A broken file is exit 2 and one line from the command before anything is sent."""
    path = accept_file(tmp_path, entry(until="someday"))
    result = subprocess.run(
        [str(Path(sys.executable).with_name("sivi-contract"))],
        capture_output=True,
        text=True,
        timeout=60,
        env={"SIVI_ACCEPT": str(path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert result.stdout + result.stderr == (
        f"sivi-contract: SIVI_ACCEPT: {path}: line 3: until must be a date, YYYY-MM-DD (not 'someday')\n"
    )


def test_entry_must_cover_every_place(tmp_path):
    """An entry accepts a failure only where it covers every place the failure names."""
    accepted = load_accepted(
        accept_file(tmp_path, entry(check="response_schema") + entry(where="/request/workspaceId"))
    )
    both = Failure("response_schema", "two places", where=(SIZE, "/body/creditBalance/usedCredits"))
    one = Failure("response_schema", "one place", where=(SIZE + "/deeper",))
    other_check = Failure("envelope_status", "status", where=(SIZE,))
    request = Failure("invalid_input_is_422", "a 500", where=("/request/workspaceId",))
    assert accepted.acceptance(both).live == ()
    assert [e.line for e in accepted.acceptance(one).live] == [1]
    assert accepted.acceptance(other_check).live == ()
    assert [e.line for e in accepted.acceptance(request).live] == [5]
    assert [e.line for e in accepted.acceptance(Failure("x", "no place"), also="response_schema").live] == []


# -- the suite -----------------------------------------------------------------------------------------------------


def test_accepted_and_unused_reported(tmp_path):
    """A covered finding is reported as accepted, and an entry that met nothing as unused."""
    path = accept_file(tmp_path, entry(check="response_schema") + entry(where="/request/workspaceId", reason="unused"))
    junit = tmp_path / "junit.xml"
    values = {**RUN_OPTIONS, "accept": str(path), "report": str(tmp_path / "report.html")}
    with BackgroundServer(toys.MediaSizeAsNumber().app(), log_level="critical") as server:
        out = io.StringIO()
        outcome = run_suite(read_settings({**values, "base_url": server.url}, environ={}), junit_xml=junit, out=out)
    output = out.getvalue()
    assert outcome.exit_code == 0, output
    assert "CONFORMS: no violation found; 1 accepted deviation(s)" in output
    assert f"  - accepted: SIVI-1234 (until {LIVE}, accepted.yaml line 1):" in output
    assert "body.yearlyAnalysis.mediaSize: 25 is not of type" in output
    assert f"accepted deviations this run did not meet (1; {path} can lose them):" in output
    assert "  - line 5: /request/workspaceId (unused)" in output
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<h2>Accepted deviations</h2>" in page and "accepted: SIVI-1234" in page and "line 5" in page
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0"
    names = {prop.get("name") for prop in suite.iter("property")}
    assert f"accepted: SIVI-1234 (until {LIVE}, accepted.yaml line 1)" in names


def test_other_place_accepts_nothing(tmp_path):
    outcome, output = run_against(toys.MediaSizeAsNumber(), accept_file(tmp_path, entry(where="/body/creditBalance")))
    assert outcome.exit_code == 1, output
    assert "response_schema" in outcome.failed_checks
    assert "  - line 1: /body/creditBalance (SIVI-1234)" in output


def test_expired_entry_fails_run(tmp_path):
    outcome, output = run_against(toys.MediaSizeAsNumber(), accept_file(tmp_path, entry(until="2020-01-31")))
    assert outcome.exit_code == 1, output
    assert {"accepted_expired", "response_schema"} <= set(outcome.failed_checks)
    assert "✗ accepted_expired: SIVI-1234 (until 2020-01-31, accepted.yaml line 1), accepting " in output
    assert "(accepted before: SIVI-1234 (until 2020-01-31, accepted.yaml line 1): expired)" in output


# -- the proxy -----------------------------------------------------------------------------------------------------


def journal(url: str, query: str = "") -> list[dict]:
    return httpx.get(f"{url}/__mock/journal{query}").json()["body"]["requests"]


def ask(url: str, body: object) -> httpx.Response:
    return httpx.post(url + PATH, json=body, headers={"sivi-api-key": MOCK_KEY}, timeout=10)


def test_proxy_marks_accepted(tmp_path):
    """The proxy marks an answer that deviates only where accepted."""
    path = accept_file(tmp_path, entry(check="response_schema"))
    with upstream(toys.MediaSizeAsNumber()) as (up, _), proxy(up.url, real_key=True, accept_file=path) as px:
        known = ask(px.url, known_user_body())
        unknown = ask(px.url, {"abstractUserId": "nobody"})
        accepted = journal(px.url, "?contract=accepted")
    assert known.status_code == 200 and known.headers["sivi-contract"] == "accepted"
    assert unknown.headers["sivi-contract"] == "conforms"
    assert len(accepted) == 1
    findings = accepted[0]["upstream"]["findings"]
    assert [(f["check"], f["accepted"]) for f in findings] == [
        ("response_schema", f"SIVI-1234 (until {LIVE}, accepted.yaml line 1)")
    ]


def test_proxy_violates_beyond_accepted(tmp_path):
    path = accept_file(tmp_path, entry(where="/body/creditBalance") + entry(until="2020-01-31"))
    with upstream(toys.MediaSizeAsNumber()) as (up, _), proxy(up.url, real_key=True, accept_file=path) as px:
        known = ask(px.url, known_user_body())
        entry_seen = journal(px.url)[-1]["upstream"]
    assert known.headers["sivi-contract"] == "violates"
    assert "accepted" not in entry_seen["findings"][0]
    assert (
        "(accepted before: SIVI-1234 (until 2020-01-31, accepted.yaml line 4): expired)"
        in (entry_seen["findings"][0]["message"])
    )


def test_proxy_refuses_bad_accept(tmp_path):
    """The proxy refuses a broken file, or --accept without --proxy, in one line."""
    path = accept_file(tmp_path, entry(where="body"))
    with pytest.raises(ProxySetupError, match=rf"^--accept: {path}: line 1: where 'body' is not a JSON Pointer"):
        proxy_app("http://127.0.0.1:9", accept_file=path)
    with pytest.raises(SettingsError, match=r"^--accept needs --proxy URL$"):
        Settings(accept_file=path)
