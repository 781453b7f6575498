"""The mock's options live in one table, `Settings`: `sivi-mock` flags, their defaults and `create_app` agree."""

from __future__ import annotations

import dataclasses
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from mock_server.app import create_app
from mock_server.cli import main, parse_args
from mock_server.errors import SettingsError
from mock_server.serving.background import BackgroundServer
from mock_server.settings import PROXY_OPTIONS, Settings, flag_name
from tests.helpers import ADMIN, PATH, SIVI_MOCK


def test_cli_defaults_match_table():
    assert parse_args([]) == Settings()
    assert create_app().state.mock.settings == Settings()


def test_every_flag_sets_field(tmp_path: Path):
    settings = parse_args(
        [
            "--host=::1",
            "--port=0",
            f"--spec={tmp_path / 'openapi.yaml'}",
            f"--fixtures={tmp_path}",
            "--reload",
            "--cors-origin=http://localhost:5173",
            "--cors-origin=http://127.0.0.1:3000",
            "--log-level=debug",
            "--validate-responses",
            "--admin-token=t0ken",
            "--journal-size=7",
            "--request-deadline=2.5",
            "--proxy=https://staging.example/api",
            "--proxy-timeout=3",
            "--fixtures-first",
            "--upstream-key-env=STAGING_KEY",
            "--proxy-insecure",
            "--proxy-errors",
            f"--record={tmp_path / 'recorded'}",
            "--chaos=0.25",
            "--chaos-seed=7",
            "--chaos-faults=500, reset,gateway-503",
            "--hang-limit=1.5",
            f"--accept={tmp_path / 'accepted.yaml'}",
            "--no-fast-path",
        ]
    )
    expected = Settings(
        host="::1",
        port=0,
        spec_path=tmp_path / "openapi.yaml",
        fixtures_dir=tmp_path,
        reload=True,
        cors_origins=("http://localhost:5173", "http://127.0.0.1:3000"),
        log_level="debug",
        validate_responses=True,
        admin_token="t0ken",
        journal_size=7,
        request_deadline=2.5,
        proxy_url="https://staging.example/api",
        proxy_timeout=3.0,
        fixtures_first=True,
        upstream_key_env="STAGING_KEY",
        proxy_insecure=True,
        proxy_errors=True,
        record_dir=tmp_path / "recorded",
        chaos=0.25,
        chaos_seed=7,
        chaos_faults=("500", "reset", "gateway-503"),
        hang_limit=1.5,
        accept_file=tmp_path / "accepted.yaml",
        no_fast_path=True,
    )
    assert settings == expected
    flagged = {field.name for field in dataclasses.fields(Settings) if "flag" in field.metadata}
    changed = {name for name in flagged if getattr(settings, name) != getattr(Settings(), name)}
    # `--workers N` cannot run with `--record` (N processes would write one file): its own test below.
    changed.add("workers")
    assert changed == flagged, f"flags this test does not exercise: {sorted(flagged - changed)}"


def test_workers_refuses_record(tmp_path: Path):
    """--workers sets its field and cannot run with --record."""
    assert parse_args(["--workers=3"]).workers == 3
    with pytest.raises(SettingsError, match="--record needs one process: --workers N would write one file from N"):
        Settings(workers=2, proxy_url="http://127.0.0.1:9", record_dir=tmp_path)


def test_create_app_uses_settings():
    app = create_app(Settings(journal_size=3, validate_responses=True))
    state = app.state.mock
    assert state.journal.maxlen == 3
    assert state.settings.validate_responses


# Settings check themselves, made in code or from flags: the message names the option as the command line does.


REFUSED_SETTINGS: list[tuple[dict[str, Any], str]] = [
    ({"port": 99999}, "--port must be a port number from 0 to 65535, not 99999"),
    ({"port": -1}, "--port must be a port number from 0 to 65535, not -1"),
    ({"port": "4010"}, "--port must be a port number from 0 to 65535, not '4010'"),
    ({"log_level": "loud"}, "--log-level must be one of critical, error, warning, info, debug, not 'loud'"),
    ({"journal_size": -1}, "--journal-size must be a whole number, 0 or more, not -1"),
    ({"body_limit": 1.5}, "Settings.body_limit must be a whole number, 0 or more, not 1.5"),
    ({"max_delay_ms": -5}, "Settings.max_delay_ms must be a whole number, 0 or more, not -5"),
    ({"request_deadline": 0}, "--request-deadline must be a positive number of seconds, not 0"),
    ({"request_deadline": float("inf")}, "--request-deadline must be a positive number of seconds, not inf"),
    ({"request_deadline": float("nan")}, "--request-deadline must be a positive number of seconds, not nan"),
    ({"proxy_timeout": -1.0}, "--proxy-timeout must be a positive number of seconds, not -1.0"),
    ({"hang_limit": 0}, "--hang-limit must be a positive number of seconds, not 0"),
    ({"chaos": 1.5}, "--chaos must be a fraction from 0 to 1"),
    ({"chaos": 0.1, "chaos_faults": ("meteor",)}, "--chaos-faults: unknown 'meteor'"),
    ({"chaos_seed": 7}, "--chaos-seed needs --chaos RATE"),
    ({"proxy_url": "http://127.0.0.1:9", "upstream_key_env": "KEY"}, "--upstream-key-env refuses --cors-origin '*'"),
    ({"proxy_url": "http://user:secret@127.0.0.1:9"}, "--proxy"),
    ({"cors_origins": "http://localhost:5173"}, "--cors-origin must be a tuple of origins"),
    ({"cors_origins": ("",)}, "--cors-origin must be a tuple of origins"),
    ({"fixtures_first": True}, "--fixtures-first needs --proxy URL"),
    ({"record_dir": Path("rec"), "proxy_errors": True}, "--proxy-errors, --record needs --proxy URL"),
    ({"workers": 0}, "--workers must be a whole number of processes from 1 to 64, not 0"),
]


@pytest.mark.parametrize(("changes", "message"), REFUSED_SETTINGS)
def test_code_settings_refuse_bad(changes: dict[str, Any], message: str) -> None:
    """Settings made in code refuse a value they cannot run with."""
    with pytest.raises(SettingsError) as refused:
        Settings(**changes)
    assert str(refused.value).startswith(message), str(refused.value)
    with pytest.raises(SettingsError):
        dataclasses.replace(Settings(), **changes)  # a copy with a change is checked too


def test_negative_numbers_refused() -> None:
    """A new number option is checked as the others are: `Settings` names it when it is given -1."""
    numbers = [field.name for field in dataclasses.fields(Settings) if type(field.default) in (int, float)]
    assert {"port", "journal_size", "request_deadline", "hang_limit"} <= set(numbers)
    for name in numbers:
        with pytest.raises(SettingsError) as refused:
            Settings(**dict[str, Any]({name: -1}))
        said = str(refused.value)
        assert f"--{name.replace('_', '-')}" in said or f"Settings.{name}" in said, f"{name}=-1: {said}"


def test_proxy_options_need_proxy() -> None:
    given: dict[type, Any] = {float: 5.0, bool: True}
    defaults: dict[str, Any] = {field.name: field.default for field in dataclasses.fields(Settings)}
    for name in PROXY_OPTIONS:
        value = given.get(type(defaults[name]), Path("somewhere") if name.endswith(("_dir", "_file")) else "SIVI_KEY")
        with pytest.raises(SettingsError, match=r"needs --proxy URL") as refused:
            Settings(**dict[str, Any]({name: value}))
        assert flag_name(name) in str(refused.value), f"{name}: {refused.value}"


def test_wrong_value_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv, line in [
        (["--port", "99999"], "sivi-mock: --port must be a port number from 0 to 65535, not 99999"),
        (["--request-deadline", "0"], "sivi-mock: --request-deadline must be a positive number of seconds, not 0.0"),
        (["--journal-size", "-3"], "sivi-mock: --journal-size must be a whole number, 0 or more, not -3"),
        (["--port", "abc"], "sivi-mock: argument --port: invalid int value: 'abc' (see sivi-mock --help)"),
        (["--log-level", "loud"], "sivi-mock: argument --log-level: invalid choice: 'loud'"),
        (["--no-such-flag"], "sivi-mock: unrecognized arguments: --no-such-flag (see sivi-mock --help)"),
    ]:
        with pytest.raises(SystemExit) as exited:
            main(argv)
        captured = capsys.readouterr()
        assert exited.value.code == 2, f"{argv}: exit {exited.value.code}"
        assert len(captured.err.splitlines()) == 1 and captured.err.startswith(line), f"{argv}:\n{captured.err}"
        assert captured.out == ""


def test_bad_port_one_line() -> None:
    """sivi-mock with a port out of range says so in one line, not a traceback."""
    result = subprocess.run([str(SIVI_MOCK), "--port", "99999"], capture_output=True, text=True, timeout=20)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "sivi-mock: --port must be a port number from 0 to 65535, not 99999\n"


# The background server (the pytest fixture, the suite's in-process target) serves with the app's own deadline


def test_background_uses_deadline() -> None:
    """The background server takes its request deadline from the app's settings."""
    assert BackgroundServer(create_app(Settings(request_deadline=2.5))).request_deadline == 2.5
    assert BackgroundServer(Starlette()).request_deadline == Settings().request_deadline  # not the mock: the default
    assert BackgroundServer(create_app(), request_deadline=1.5).request_deadline == 1.5  # said outright: that


def test_half_request_is_408() -> None:
    """A half-sent request gets 408 after the app's own short deadline."""
    head = f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nsivi-api-key: {ADMIN['sivi-api-key']}\r\n"
    head += "content-length: 50\r\n\r\n"
    received = b""
    with (
        BackgroundServer(create_app(Settings(request_deadline=0.3))) as server,
        socket.create_connection((server.host, server.port)) as connection,
    ):
        connection.sendall(f"{head}{{".encode())  # the first byte of a body of 50
        connection.settimeout(5)  # far above the deadline, far below the default 10 s
        try:
            while chunk := connection.recv(65536):
                received += chunk
        except TimeoutError:
            pytest.fail(f"nothing within 5 s: the app's request_deadline (0.3 s) was not applied; got {received!r}")
    assert received.startswith(b"HTTP/1.1 408 "), received[:300]
    assert b"not complete within 0.3 s" in received, received[-300:]
