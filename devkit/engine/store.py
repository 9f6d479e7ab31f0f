"""What the platform keeps for an instance between runs: last run and integration context.

Each is one JSON file in the state dir (``last_run.json``, ``integration_context.json``),
replaced atomically (temp file, fsync, ``os.replace``, fsync of the folder), so a
reader or a crash sees either the old or the new document, never a torn one. The temp
file of a save cut short by a kill goes at the next save.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

LAST_RUN_FILE = "last_run.json"
CONTEXT_FILE = "integration_context.json"


class StoreError(RuntimeError):
    """A state file exists but cannot be used."""


def atomic_write_json(path: Path, obj: Any) -> None:
    """Replace ``path`` with ``obj`` as JSON so that a crash leaves the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(obj, indent=2, sort_keys=True).encode() + b"\n"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Store:
    """Last run and integration context of one instance, as JSON files in ``state_dir``."""

    def __init__(self, state_dir: str | Path) -> None:
        self.state_dir = Path(state_dir)

    @property
    def last_run_path(self) -> Path:
        return self.state_dir / LAST_RUN_FILE

    @property
    def context_path(self) -> Path:
        return self.state_dir / CONTEXT_FILE

    def read_last_run(self) -> dict[str, Any]:
        return self._read(self.last_run_path)

    def read_integration_context(self) -> dict[str, Any]:
        return self._read(self.context_path)

    def save(self, last_run: dict[str, Any], integration_context: dict[str, Any]) -> None:
        """Persist both documents from one finished run.

        The context goes first and the last run is the commit point: should the process
        die between the two renames, the next fetch repeats from the old last run with a
        newer context (a cached token, say), which is harmless, whereas the reverse could
        pair an advanced cursor with state it does not belong to.
        """
        self._remove_torn_writes()
        atomic_write_json(self.context_path, integration_context)
        atomic_write_json(self.last_run_path, last_run)

    def _remove_torn_writes(self) -> None:
        """Delete temp files of saves a kill cut short: one may hold a copy of the access token, and nothing
        else would ever remove it. Only the engine holding the instance lock saves, so none is being written."""
        for name in (LAST_RUN_FILE, CONTEXT_FILE):
            for path in self.state_dir.glob(f".{name}.*.tmp"):
                path.unlink(missing_ok=True)

    def reset(self) -> None:
        """Forget all state, as when an instance is recreated."""
        for path in (self.last_run_path, self.context_path):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    @staticmethod
    def _read(path: Path) -> dict[str, Any]:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise StoreError(f"{path} is not valid JSON ({exc}); fix or delete it") from exc
        if not isinstance(value, dict):
            raise StoreError(f"{path} must hold a JSON object, found {type(value).__name__}")
        return value
