"""`--record DIR`: conforming 200 answers from upstream, kept as fixtures in `DIR/recorded.yaml`.

The file is in the fixture format with the mock's own keys, so `sivi-mock --fixtures DIR` serves it as it is.
Every write replaces the whole file atomically (a temporary file, flushed, then renamed): a crash leaves the
previous recording or the new one, never half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml

from mock_server.spec.fixtures import ApiKey
from mock_server.spec.yaml_file import read_yaml

RECORDING = "recorded.yaml"
HEADER = (
    "# Recorded by sivi-mock --record from the upstream's conforming 200 answers. Serve: sivi-mock --fixtures DIR\n"
)


class Recorder:
    def __init__(self, directory: Path | str, keys: Mapping[str, ApiKey]) -> None:
        self.path = Path(directory) / RECORDING
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._keys = {key.key: {"role": key.role} for key in keys.values()}
        self._accounts: dict[str, dict[str, Any]] = {"users": {}, "workspaces": {}}
        if self.path.exists():  # a later run adds to the recording instead of starting over
            previous = read_yaml(self.path) or {}
            for section in self._accounts:
                self._accounts[section].update(previous.get(section) or {})

    def record(self, kind: Literal["user", "workspace"], account_id: str, analysis: dict[str, Any]) -> None:
        """The answer for `account_id` becomes its fixture, replacing an earlier one."""
        self._accounts["users" if kind == "user" else "workspaces"][account_id] = {"analysis": analysis}
        self._write()

    def _write(self) -> None:
        document = {
            "keys": self._keys,
            **{section: accounts for section, accounts in self._accounts.items() if accounts},
        }
        text = HEADER + yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
        handle, temporary = tempfile.mkstemp(prefix=".recorded-", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
