"""The tools the kit's users point at openapi.yaml read it whole: generated clients are typed, lints are silent.

Each test runs the real, pinned tool the way docs/clients.md ("Generate a client") says: openapi-python-client
from its own environment (`.venv-codegen`, built by `make test`), openapi-typescript, tsc and Redocly from
`node_modules`. Nothing here reaches the network.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mock_server.app import create_app
from mock_server.serving.background import BackgroundServer
from mock_server.spec.contract import BUNDLED_SPEC
from tests.helpers import DOCUMENTED_USER

# One worker runs this module under `pytest -n`: the Python client is generated once.
pytestmark = pytest.mark.xdist_group("generated_clients")

ROOT = Path(__file__).resolve().parent.parent
CODEGEN_BIN = ROOT / ".venv-codegen" / "bin"
NODE_BIN = ROOT / "node_modules" / ".bin"
# Redocly would otherwise send usage data and look for updates: this machine, and CI, are offline.
OFFLINE = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}


def tool(directory: Path, name: str, how: str) -> Path:
    path = directory / name
    if not path.exists():
        pytest.fail(f"{path} is missing: {how}")
    return path


def run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env or OFFLINE, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def python_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """`sivi_client`, generated from the bundled spec and imported."""
    generator = tool(CODEGEN_BIN, "openapi-python-client", "`make test` builds it (its own pinned environment)")
    workdir = tmp_path_factory.mktemp("python-client")
    # Its post-generation hook runs ruff, from the same tool environment.
    env = {**OFFLINE, "PATH": f"{CODEGEN_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    command: list[str | Path] = [generator, "generate", "--path", BUNDLED_SPEC, "--meta", "none"]
    result = run([*command, "--output-path", "sivi_client"], workdir, env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), f"openapi-python-client warned about the spec:\n{output}"
    sys.path.insert(0, str(workdir))
    try:
        yield importlib.import_module("sivi_client")
    finally:
        sys.path.remove(str(workdir))
        for name in [name for name in sys.modules if name == "sivi_client" or name.startswith("sivi_client.")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with BackgroundServer(create_app()) as server:
        yield server.url


def call(url: str, body: Any, *, key: str | None = "mock-admin-key") -> Any:
    clients = importlib.import_module("sivi_client.client")
    analyze = importlib.import_module("sivi_client.api.enterprise.analyze_account")
    if key is None:
        client = clients.Client(base_url=url)
    else:
        client = clients.AuthenticatedClient(base_url=url, token=key, prefix="", auth_header_name="sivi-api-key")
    with client:
        response = analyze.sync_detailed(client=client, body=body)
    return response


@pytest.mark.usefixtures("python_client")
def test_python_client_is_typed(mock_url):
    """The generated Python client returns a typed model for every status."""
    models = importlib.import_module("sivi_client.models")
    by_user, by_workspace = models.AccountAnalysisRequestByUser, models.AccountAnalysisRequestByWorkspace

    known = call(mock_url, by_user(abstract_user_id=DOCUMENTED_USER))
    assert isinstance(known.parsed, models.AccountAnalysisEnvelope), known.content
    assert known.parsed.status == 200
    assert isinstance(known.parsed.body, models.AccountAnalysis)
    assert isinstance(known.parsed.body.credit_balance, models.CreditBalance)
    assert known.parsed.body.credit_balance.available_credits == 100
    assert known.parsed.body.yearly_analysis.media_size == "25Mb"

    workspace = call(mock_url, by_workspace(workspace_id="workspace-acme-design"))
    assert isinstance(workspace.parsed, models.AccountAnalysisEnvelope), workspace.content
    assert isinstance(workspace.parsed.body.credit_balance.used_credits, int)

    unknown = call(mock_url, by_user(abstract_user_id="nobody-at-all"))
    assert isinstance(unknown.parsed, models.UserNotFoundEnvelope), unknown.content
    assert (unknown.parsed.status, unknown.parsed.body.message) == (400, "User does not exist")

    invalid = call(mock_url, by_user(abstract_user_id=""))
    assert isinstance(invalid.parsed, models.InvalidInputEnvelope), invalid.content
    assert invalid.parsed.status == 422 and invalid.parsed.body.message.startswith("Invalid input")

    no_key = call(mock_url, by_user(abstract_user_id=DOCUMENTED_USER), key=None)
    assert isinstance(no_key.parsed, models.AuthenticationFailedEnvelope), no_key.content
    assert no_key.parsed.status == 401 and isinstance(no_key.parsed.body, models.ErrorBody)


TYPESCRIPT_CONSUMER = """\
import type { paths } from "./sivi-api";

type Operation = paths["/enterprise/account-analysis"]["post"];
type Responses = Operation["responses"];
export type Answer = { [S in keyof Responses]: Responses[S]["content"]["application/json"] }[keyof Responses];
export type Request = NonNullable<Operation["requestBody"]>["content"]["application/json"];

export const byUser: Request = { abstractUserId: "281743-2322-34i44sd3-dkfjgdkjf292" };
export const byWorkspace: Request = { workspaceId: "workspace-acme-design" };
// @ts-expect-error: a request names a user or a workspace
export const neither: Request = {};

export function availableCredits(answer: Answer): number | undefined {
  if (answer.status === 200) {
    const credits: number = answer.body.creditBalance.availableCredits;
    return credits;
  }
  const message: string = answer.body.message;
  return message.length > 0 ? undefined : undefined;
}

export function withoutNarrowing(answer: Answer): number {
  // @ts-expect-error: only the 200 answer has a credit balance
  return answer.body.creditBalance.availableCredits;
}

export function statuses(answer: Answer): 200 | 400 | 401 | 422 | 500 {
  return answer.status;
}
"""


def test_typescript_types_narrow(tmp_path):
    """openapi-typescript's types narrow on the status under tsc --strict."""
    openapi_typescript = tool(NODE_BIN, "openapi-typescript", "`make test` installs it (`npm ci`)")
    tsc = tool(NODE_BIN, "tsc", "`make test` installs it (`npm ci`)")
    result = run([openapi_typescript, BUNDLED_SPEC, "--output", tmp_path / "sivi-api.ts"], ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warn" not in (result.stdout + result.stderr).lower(), result.stdout + result.stderr
    (tmp_path / "consumer.ts").write_text(TYPESCRIPT_CONSUMER)
    # The consumer reads no browser API: leaving the DOM's types out (`--lib es2022`) halves tsc's time.
    check: list[str | Path] = [tsc, "--strict", "--noEmit", "--skipLibCheck", "--target", "es2022", "--lib", "es2022"]
    result = run([*check, "--module", "nodenext", "consumer.ts"], tmp_path)
    assert result.returncode == 0, f"tsc --strict refused the consumer:\n{result.stdout}{result.stderr}"


def test_redocly_finds_nothing(tmp_path):
    redocly = tool(NODE_BIN, "redocly", "`make test` installs it (`npm ci`)")
    result = run([redocly, "lint", BUNDLED_SPEC, "--extends", "recommended", "--format", "json"], tmp_path)
    report = json.loads(result.stdout or "{}")
    problems = [
        f"{problem['severity']} {problem['ruleId']}: {problem['message']}" for problem in report.get("problems", [])
    ]
    assert result.returncode == 0 and report.get("totals") is not None, result.stdout + result.stderr
    assert problems == [], "Redocly's recommended ruleset reports:\n" + "\n".join(problems)
