"""The API key never appears in anything the suite writes: terminal, JUnit file, Markdown or HTML report,
not even when the target echoes it back in every answer and every answer is a finding."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from contract_tests.cli import main
from contract_tests.findings import Redactor
from mock_server.secret import mask_key
from mock_server.serving.background import BackgroundServer
from tests import toy_servers as toys

# Distinctive middles of the two keys: no masked form, path or other text contains them.
SECRETS = (toys.ADMIN_KEY[9:-2], toys.REGULAR_KEY[11:-2])


def assert_no_secret_in(text: str, where: str) -> None:
    leaked = [secret for secret in SECRETS if secret in text]  # not the text itself: it would print the key
    assert not leaked, f"an API key leaked into {where}"


@pytest.fixture
def run_in_process(monkeypatch, capfd) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`sivi-contract ARGUMENTS` (its `main`) or `pytest contract_tests ARGUMENTS` (`pytest.main`) run in this
    process, with only the SIVI_* variables `env` gives, from `cwd` (one interpreter start and Schemathesis import
    fewer per run): its exit status, stdout and stderr."""
    suite = str(Path(__file__).resolve().parent.parent / "contract_tests")

    def run(command: str, *arguments: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
        with monkeypatch.context() as scoped:
            scoped.chdir(cwd)
            for name in [name for name in os.environ if name.startswith("SIVI_")]:
                scoped.delenv(name)
            for name, value in env.items():
                scoped.setenv(name, value)
            capfd.readouterr()
            code = main(list(arguments)) if command == "sivi-contract" else int(pytest.main([suite, *arguments]))
            out, err = capfd.readouterr()
        return subprocess.CompletedProcess([command, *arguments], code, out, err)

    return run


@pytest.mark.timeout(60)
@pytest.mark.parametrize("command", ["sivi-contract", "pytest contract_tests"])
def test_echoed_key_never_shown(tmp_path: Path, command: str):
    """No output shows a key even when the target echoes it."""
    junit, markdown, html = tmp_path / "junit.xml", tmp_path / "report.md", tmp_path / "report.html"
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("SIVI_")},
        "SIVI_API_KEY": toys.ADMIN_KEY,
        "SIVI_REGULAR_API_KEY": toys.REGULAR_KEY,
        "SIVI_USER_ID": toys.KNOWN_USER,
        "SIVI_WORKSPACE_ID": toys.KNOWN_WORKSPACE,
        "SIVI_MAX_EXAMPLES": "3",
        "SIVI_REPORT": str(markdown if command == "sivi-contract" else html),
    }
    script = Path(sys.executable).with_name("sivi-contract")
    root = Path(__file__).resolve().parent.parent
    with BackgroundServer(toys.LeaksTheKey().app(), log_level="critical") as server:
        arguments = ["--base-url", server.url, "--junit-xml", str(junit)]
        if command == "sivi-contract":
            result = subprocess.run([str(script), *arguments], env=env, capture_output=True, text=True, timeout=60)
        else:
            result = subprocess.run(
                [sys.executable, "-m", "pytest", str(root / "contract_tests"), *arguments],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                cwd=tmp_path,
            )
    report = markdown if command == "sivi-contract" else html
    assert result.returncode == 1, result.stdout + result.stderr
    outputs = {
        "the terminal": result.stdout + result.stderr,
        "the JUnit file": junit.read_text(),
        "the report": report.read_text(),
    }
    for where, text in outputs.items():
        assert_no_secret_in(text, where)
        assert mask_key(toys.ADMIN_KEY) in text, f"{where} shows no request (is it empty?)"
    assert "envelope_status" in outputs["the JUnit file"] and "envelope_status" in outputs["the report"]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("command", ["sivi-contract", "pytest contract_tests"])
def test_setup_failure_hides_key(tmp_path: Path, command: str, run_in_process):
    """A set-up failure shows no key even when the target echoes it."""
    report = tmp_path / "report.html"
    env = {
        "SIVI_API_KEY": toys.ADMIN_KEY,
        "SIVI_USER_ID": toys.KNOWN_USER,
        "SIVI_REPORT": str(report),
    }
    with BackgroundServer(toys.EchoesTheKeyInAPage().app(), log_level="critical") as server:
        # What it writes is the subject: each form's own process is in `test_echoed_key_never_shown`.
        result = run_in_process(command, "--base-url", server.url, env=env, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert f"Hello {mask_key(toys.ADMIN_KEY)}" in output and "is not the API" in output
    assert_no_secret_in(output, "the terminal")
    assert_no_secret_in(report.read_text(encoding="utf-8"), "the report")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("command", ["sivi-contract", "pytest contract_tests"])
def test_escaped_key_is_masked(tmp_path: Path, command: str, run_in_process):
    """A key that JSON and HTML escape is masked in every output in every form."""
    key = toys.LeaksAKeyOfMarkup.key  # `"`, `\`, `&`, `<`, `>`: the echo is JSON-escaped, the report HTML-escapes it
    junit, html = tmp_path / "junit.xml", tmp_path / "report.html"
    env = {
        "SIVI_API_KEY": key,
        "SIVI_USER_ID": toys.KNOWN_USER,
        "SIVI_MAX_EXAMPLES": "3",
        "SIVI_REPORT": str(html),
    }
    with BackgroundServer(toys.LeaksAKeyOfMarkup().app(), log_level="critical") as server:
        arguments = ["--base-url", server.url, "--junit-xml", str(junit)]
        # What it writes is the subject: each form's own process is in `test_echoed_key_never_shown`.
        result = run_in_process(command, *arguments, env=env, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    outputs = {
        "the terminal": result.stdout + result.stderr,
        "the JUnit file": junit.read_text(encoding="utf-8"),
        "the HTML report": html.read_text(encoding="utf-8"),
    }
    for where, text in outputs.items():
        # "sivileak" survives any escaping or percent-encoding of the key, and no mask shows it.
        assert "sivileak" not in text, f"the key leaked into {where}, escaped or as written"
        assert "called with key " + mask_key(key) in text, f"{where} shows no echoed answer (is it empty?)"


def test_encoded_key_is_masked():
    """The mask finds the key percent-encoded and in base64."""
    key = toys.LeaksAKeyOfMarkup.key
    percent = "toy-admin-%22sivileak%22%5C%26%3Cb%3E-7f3e9a1c5b"
    encoded = base64.b64encode(key.encode()).decode()
    masked = Redactor([key])(f"GET /?key={percent} and Authorization: Basic {encoded}")
    assert "sivileak" not in masked and encoded not in masked, masked
    assert masked.startswith("GET /?key=****1c5b and Authorization: Basic ****"), masked
