"""`sivi-spec diff` as a user runs it: exit 0, 1 or 2, one readable line when a spec cannot be used, the report as
text, Markdown or JSON, and OLD read from a git revision without a checkout."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from spec_diff.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).with_name("sivi-spec")
SPEC = ROOT / "openapi.yaml"
BASE: dict[str, Any] = yaml.safe_load(SPEC.read_text())
# libyaml writes the same YAML as the pure-Python writer, in a fraction of the time.
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def run_process(*arguments: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`sivi-spec` as its console script, in a process of its own."""
    return subprocess.run(
        [str(SCRIPT), *map(str, arguments)], capture_output=True, text=True, timeout=120, cwd=cwd or ROOT
    )


def run(*arguments: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`sivi-spec` called in this process (its `main`, as the console script calls it): the same exit status and
    output, without a second of start-up per call."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd or ROOT), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(argument) for argument in arguments])
        except SystemExit as exit:  # argparse: --version, --help, a usage error
            code = exit.code if isinstance(exit.code, int) else 2
    return subprocess.CompletedProcess(["sivi-spec", *map(str, arguments)], code, out.getvalue(), err.getvalue())


def used_credits_optional(directory: Path) -> Path:
    """openapi.yaml with `usedCredits` no longer required: an answer without it breaks a client."""
    document = copy.deepcopy(BASE)
    document["components"]["schemas"]["CreditBalance"]["required"] = ["availableCredits"]
    path = directory / "new.yaml"
    path.write_text(yaml.dump(document, Dumper=DUMPER, sort_keys=False))
    return path


def test_safe_change_exits_0() -> None:
    result = run_process("diff", SPEC, SPEC)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == f"NO BREAKING CHANGE: {SPEC} breaks no client of {SPEC}"
    assert result.stderr == ""


def test_breaking_change_exits_1(tmp_path: Path) -> None:
    """A breaking change is exit 1 with one line naming it and its counterexample."""
    result = run("diff", SPEC, used_credits_optional(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    breaking = [line for line in result.stdout.splitlines() if line.startswith("breaking: ")]
    assert len(breaking) == 1, result.stdout
    line = breaking[0]
    assert line.startswith("breaking: responses.200 application/json /body/creditBalance/usedCredits: now optional")
    assert "; counterexample: an answer 200 application/json {" in line, line
    assert '"creditBalance":{"availableCredits":0}' in line, line
    assert "the new contract allows it, a client built on the old one rejects it" in line, line
    assert line.endswith('body.creditBalance: "usedCredits" is a required property'), line
    assert result.stdout.splitlines()[-1].startswith("BREAKING: ")


def test_json_for_tools(tmp_path: Path) -> None:
    result = run("diff", SPEC, used_credits_optional(tmp_path), "--format", "json")
    report = json.loads(result.stdout)
    assert report["exit_code"] == result.returncode == 1
    assert report["counts"]["breaking"] == 1
    (finding,) = [f for f in report["findings"] if f["verdict"] == "breaking"]
    assert finding["what"] == "now optional"
    example = finding["counterexample"]
    assert example["kind"] == "answer" and example["accepted_by"] == "new" and example["refused_by"] == "old"
    assert "usedCredits" not in example["document"]["body"]["creditBalance"]
    assert report["fixtures"] == "the bundled fixtures conform to NEW"


def reserved_credits_required(directory: Path) -> Path:
    """openapi.yaml whose credit balance gains a required `reservedCredits`: an answer with it was already valid for
    a client of OLD (the object allows other properties), and the bundled fixtures have none."""
    document = copy.deepcopy(BASE)
    balance = document["components"]["schemas"]["CreditBalance"]
    assert balance.get("additionalProperties", True) is True, "OLD must allow extra properties for this example"
    balance["properties"]["reservedCredits"] = {"$ref": "#/components/schemas/Count"}
    balance["required"] = [*balance["required"], "reservedCredits"]
    path = directory / "new.yaml"
    path.write_text(yaml.dump(document, Dumper=DUMPER, sort_keys=False))
    return path


def test_broken_fixtures_reported_apart(
    tmp_path: Path,
) -> None:
    """Fixtures that no longer conform are reported apart and never make a safe change breaking."""
    new = reserved_credits_required(tmp_path)
    result = run("diff", SPEC, new)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == f"NO BREAKING CHANGE: {new} breaks no client of {SPEC}", result.stdout
    assert not [line for line in lines if line.startswith("breaking: ")], result.stdout
    assert any(
        line.startswith("safe: responses.200 application/json /body/creditBalance/reservedCredits") for line in lines
    )
    (apart,) = [line for line in lines if line.startswith("fixtures, apart from the verdict")]
    assert (
        "the bundled fixtures no longer conform to NEW" in apart and '"reservedCredits" is a required property' in apart
    )
    report = json.loads(run("diff", SPEC, new, "--format", "json").stdout)
    assert report["exit_code"] == 0 and report["counts"]["breaking"] == 0
    assert report["fixtures"] == "the bundled fixtures no longer conform to NEW"
    assert all("reservedCredits" in problem for problem in report["fixtures_problems"]), report["fixtures_problems"]


def test_markdown_for_pull_request(tmp_path: Path) -> None:
    result = run("diff", SPEC, used_credits_optional(tmp_path), "--format", "markdown")
    assert result.returncode == 1
    page = result.stdout
    assert page.startswith("## `sivi-spec diff`: 1 breaking change\n"), page
    assert "- **`responses.200 application/json /body/creditBalance/usedCredits`**: now optional" in page
    assert "  ```json\n" in page and '"availableCredits": 0' in page, page
    assert "<details><summary>Safe (" not in page or "</details>" in page


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "cannot read the spec (No such file or directory)"),
        ("openapi: [3.1", "line 2, column 1: not valid YAML"),
        ("openapi: 3.0.3\npaths: {}\n", "openapi: expected an OpenAPI 3.1 document, found '3.0.3'"),
        ("openapi: 3.1.0\npaths: {}\n", "paths: the spec documents no operation"),
    ],
    ids=["missing", "not YAML", "OpenAPI 3.0", "no operation"],
)
def test_unusable_spec_exits_2(tmp_path: Path, content: str | None, reason: str) -> None:
    """A spec that cannot be used is exit 2 and one line naming it."""
    new = tmp_path / "new.yaml"
    if content is not None:
        new.write_text(content)
    result = run("diff", SPEC, new)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"sivi-spec: {new}: {reason}"), result.stderr


def test_dangling_ref_exits_2(tmp_path: Path) -> None:
    document = copy.deepcopy(BASE)
    document["components"]["schemas"]["CreditBalance"]["properties"]["usedCredits"] = {"$ref": "#/nowhere"}
    new = tmp_path / "new.yaml"
    new.write_text(yaml.dump(document, Dumper=DUMPER))
    result = run("diff", SPEC, new)
    assert (result.returncode, result.stderr) == (2, f"sivi-spec: {new}: #/nowhere: the reference points at nothing\n")


def git(directory: Path, *arguments: str) -> None:
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", *identity, *arguments], cwd=directory, check=True, capture_output=True, timeout=60)


def test_old_from_git_revision(tmp_path: Path) -> None:
    """The old spec is read from a git revision without a checkout."""
    git(tmp_path, "init", "--quiet")
    (tmp_path / "openapi.yaml").write_text(SPEC.read_text())
    git(tmp_path, "add", "openapi.yaml")
    git(tmp_path, "commit", "--quiet", "-m", "the released spec")
    used_credits_optional(tmp_path).replace(tmp_path / "openapi.yaml")
    result = run("diff", "git:HEAD:openapi.yaml", "openapi.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith("sivi-spec diff git:HEAD:openapi.yaml openapi.yaml\n")
    missing = run("diff", "git:no-such-branch:openapi.yaml", "openapi.yaml", cwd=tmp_path)
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.startswith("sivi-spec: git:no-such-branch:openapi.yaml: git cannot show it (fatal: "), missing
    malformed = run("diff", "git:HEAD", "openapi.yaml", cwd=tmp_path)
    assert malformed.stderr == "sivi-spec: git:HEAD: expected git:REV:path, e.g. git:main:openapi.yaml\n"


def test_strict_counts_warnings(tmp_path: Path) -> None:
    document = copy.deepcopy(BASE)
    document["paths"]["/enterprise/account-analysis"]["post"]["operationId"] = "analyseAccount"
    new = tmp_path / "new.yaml"
    new.write_text(yaml.dump(document, Dumper=DUMPER))
    assert run("diff", SPEC, new).returncode == 0
    strict = run("diff", SPEC, new, "--strict")
    assert strict.returncode == 1
    assert "breaking: operationId: operationId renamed (analyzeAccount -> analyseAccount)" in strict.stdout


def test_version_usage_errors_and_python_m() -> None:
    version = run("--version")
    assert version.stdout.startswith("sivi-spec ") and version.returncode == 0
    assert run().stderr == "sivi-spec: a command is required: sivi-spec diff OLD NEW (see sivi-spec --help)\n"
    unknown = run("diff", SPEC, SPEC, "--format", "yaml")
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1, unknown.stderr
    as_module = subprocess.run(
        [sys.executable, "-m", "spec_diff", "diff", str(SPEC), str(SPEC), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert as_module.returncode == 0 and json.loads(as_module.stdout)["exit_code"] == 0


def test_run_leaves_nothing(tmp_path: Path) -> None:
    assert run("diff", SPEC, used_credits_optional(tmp_path), cwd=tmp_path).returncode == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == ["new.yaml"]


def test_non_openapi_yaml_exits_2(tmp_path: Path) -> None:
    """A document YAML reads but OpenAPI would not is exit 2 and one line."""
    new = tmp_path / "new.yaml"
    new.write_text("openapi: 3.1.0\npaths:\n  /x:\n    post:\n      responses: [1, 2]\n")
    result = run("diff", SPEC, new)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"sivi-spec: cannot compare {SPEC} with {new} ("), result.stderr


def test_two_runs_agree(tmp_path: Path) -> None:
    """Two fresh `sivi-spec diff` processes, as a user runs it (the documents Hypothesis draws are shared by the
    comparisons of one process, so nothing is drawn before), of the slowest kind: every count of the success answer
    widened, each of the 10 changes found and shrunk (how long it takes is `make bench`'s: bench/costs.py)."""
    document = copy.deepcopy(BASE)
    del document["components"]["schemas"]["Count"]["minimum"]
    new = tmp_path / "new.yaml"
    new.write_text(yaml.dump(document, Dumper=DUMPER, sort_keys=False))
    runs = [run_process("diff", SPEC, new, "--format", "json") for _ in range(2)]
    reports = []
    for ran in runs:
        assert ran.returncode == 1, ran.stderr
        report = json.loads(ran.stdout)
        breaking = [finding for finding in report["findings"] if finding["counts_as"] == "breaking"]
        assert len(breaking) == 10, ran.stdout
        reports.append(report)
    for report in reports:
        del report["seconds"]
    assert reports[0] == reports[1], "each process hashes strings differently: the report must not depend on it"
