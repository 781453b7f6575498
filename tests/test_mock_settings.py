"""The mock's options live in one table, `Settings`: `sivi-mock` flags, their defaults and `create_app` agree."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from mock_server.app import create_app
from mock_server.cli import parse_args
from mock_server.settings import Settings


def test_the_command_line_defaults_are_the_table_defaults():
    assert parse_args([]) == Settings()
    assert create_app().state.mock.settings == Settings()


def test_every_flag_sets_its_field(tmp_path: Path):
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
            f"--accept={tmp_path / 'accepted.yaml'}",
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
        accept_file=tmp_path / "accepted.yaml",
    )
    assert settings == expected
    flagged = {field.name for field in dataclasses.fields(Settings) if "flag" in field.metadata}
    changed = {name for name in flagged if getattr(settings, name) != getattr(Settings(), name)}
    assert changed == flagged, f"flags this test does not exercise: {sorted(flagged - changed)}"


def test_create_app_serves_the_settings_it_is_given():
    app = create_app(Settings(journal_size=3, validate_responses=True))
    state = app.state.mock
    assert state.journal.maxlen == 3
    assert state.settings.validate_responses
