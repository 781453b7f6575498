"""`--record DIR`: conforming 200 answers from upstream, kept as fixtures in `DIR/recorded.yaml`.

The file is in the fixture format with the mock's own keys, so `sivi-mock --fixtures DIR` serves it as it is.

Recording never holds up an answer: `record` hands the answer to a writer thread and returns (a dictionary
insert, the same at 10 ids and at 10,000). The writer turns each answer into its YAML once, keeps it, and
rewrites the file from the kept pieces at most every `interval` seconds, so a burst of answers costs one write
(`bench/costs.py` measures one more answer over 3,000 recorded accounts against turning them into YAML).
Every write replaces the whole file atomically (a temporary file, flushed, then renamed): a crash leaves the
previous recording or a newer one, never half a file. `flush` waits for what was recorded so far; `close` (at
shutdown) flushes and stops the writer.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
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
SECTIONS = ("users", "workspaces")
# The C emitter where PyYAML was built with libyaml.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
logger = logging.getLogger("sivi_mock")


def _yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)


def entry_yaml(account_id: str, analysis: dict[str, Any]) -> str:
    """One account of a section, as lines indented under the section's name."""
    text = _yaml({account_id: {"analysis": analysis}})
    return "".join("  " + line for line in text.splitlines(keepends=True))


class Recorder:
    def __init__(self, directory: Path | str, keys: Mapping[str, ApiKey], *, interval: float = 0.25) -> None:
        self.path = Path(directory) / RECORDING
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.interval = interval
        self._keys = _yaml({"keys": {key.key: {"role": key.role} for key in keys.values()}})
        self._pieces: dict[str, dict[str, str]] = {section: {} for section in SECTIONS}  # the writer's alone
        self._pending: dict[tuple[str, str], dict[str, Any]] = {}
        if self.path.exists():  # a later run adds to the recording instead of starting over
            previous = read_yaml(self.path) or {}
            for section in SECTIONS:
                for account_id, entry in (previous.get(section) or {}).items():
                    self._pending[section, str(account_id)] = entry["analysis"]
        self._condition = threading.Condition()
        self._written = self._asked = 0  # batches: how many were handed over, how many are on disk
        self._error: OSError | None = None
        self._closing = False
        self._thread: threading.Thread | None = None

    def record(self, kind: Literal["user", "workspace"], account_id: str, analysis: dict[str, Any]) -> None:
        """The answer for `account_id` becomes its fixture, replacing an earlier one, written soon by the writer."""
        with self._condition:
            self._pending["users" if kind == "user" else "workspaces", account_id] = analysis
            self._asked += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._write_on, name="sivi-mock-recorder", daemon=True)
                self._thread.start()
            self._condition.notify_all()

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until everything recorded so far is in the file; the `OSError` of a failed write, if one failed."""
        with self._condition:
            asked = self._asked
            self._condition.wait_for(lambda: self._written >= asked or self._thread is None, timeout)
            error, self._error = self._error, None
        if error is not None:
            raise error

    def close(self) -> None:
        """Write what is left and stop the writer (the proxy's shutdown)."""
        with self._condition:
            self._closing = True
            self._condition.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(30)

    def _write_on(self) -> None:
        while True:
            with self._condition:
                self._condition.wait_for(lambda: bool(self._pending) or self._closing)
                if not self._pending:
                    self._thread = None
                    self._condition.notify_all()
                    return
                batch, self._pending, asked = self._pending, {}, self._asked
            for (section, account_id), analysis in batch.items():
                self._pieces[section][account_id] = entry_yaml(account_id, analysis)
            try:
                self._write()
            except OSError as error:
                logger.error("cannot write the recording %s: %s", self.path, error)
                with self._condition:
                    self._error = error
            with self._condition:
                self._written = asked
                self._condition.notify_all()
                # A burst of answers waits for the next write instead of costing one each.
                self._condition.wait_for(lambda: self._closing, self.interval)

    def _write(self) -> None:
        parts = [HEADER, self._keys]
        for section, pieces in self._pieces.items():
            if pieces:
                parts += [f"{section}:\n", *pieces.values()]
        handle, temporary = tempfile.mkstemp(prefix=".recorded-", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write("".join(parts))
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
