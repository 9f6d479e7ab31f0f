"""The XSIAM side of ``send_events_to_xsiam``: one append-only JSONL file per dataset.

Events are written inside the integration's process at send time, flushed and
fsynced before the send returns, because the platform has them from that moment on
even if the run crashes afterwards. ``<output_dir>/<vendor>_<product>_raw.jsonl``
holds one event per line, exactly as delivered. Lines are ASCII JSON (non-ASCII as
``\\u`` escapes), as the platform's own ``json.dumps`` writes them: a lone surrogate such
as ``"\\ud800"`` is valid JSON an API may return, and it has no UTF-8 encoding.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from devkit.engine.store import fsync_dir


def dataset_name(vendor: str, product: str) -> str:
    """The dataset XSIAM files events under, e.g. ``docusign_docusign_raw``."""
    return re.sub(r"[^a-z0-9_]", "_", f"{vendor}_{product}_raw".lower())


# Where the DocuSign integration's events land (VENDOR and PRODUCT "docusign" in Docusign.py).
DATASET = dataset_name("docusign", "docusign")


def dataset_path(output_dir: str | Path, dataset: str) -> Path:
    return Path(output_dir) / f"{dataset}.jsonl"


class EventSink:
    """Callable installed as ``devkit.platform_modules.platform.event_sink``."""

    def __init__(self, output_dir: str | Path) -> None:
        self.output_dir = Path(output_dir)
        self._repaired: set[Path] = set()

    def __call__(self, vendor: str, product: str, events: list[Any]) -> None:
        if not events:
            return
        path = dataset_path(self.output_dir, dataset_name(vendor, product))
        # ASCII output, not ensure_ascii=False: a lone surrogate would make .encode() fail at this page forever.
        lines = "".join(json.dumps(event, separators=(",", ":")) + "\n" for event in events)
        self._append(path, lines.encode())

    def _append(self, path: Path, data: bytes) -> None:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        created = not path.exists()
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if path not in self._repaired:
                _drop_torn_tail(fd)
                self._repaired.add(path)
            # One write per send keeps a batch contiguous; loop only for short writes.
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            fsync_dir(self.output_dir)


def _drop_torn_tail(fd: int) -> None:
    """Cut a partial last line left by a process killed mid-write, so appends stay line-aligned."""
    complete = _complete_size(fd)
    if complete != os.fstat(fd).st_size:
        os.ftruncate(fd, complete)


def _complete_size(fd: int) -> int:
    """Offset just past the last newline: the part of the file made of whole events."""
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return size
    chunk = 65536
    end = size
    while end > 0:
        start = max(0, end - chunk)
        newline = os.pread(fd, end - start, start).rfind(b"\n")
        if newline != -1:
            return start + newline + 1
        end = start
    return 0


def read_events(output_dir: str | Path, dataset: str) -> list[dict[str, Any]]:
    """All complete events of a dataset, oldest first; ``[]`` when nothing was sent."""
    path = dataset_path(output_dir, dataset)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    complete = data[: data.rfind(b"\n") + 1]
    return [json.loads(line) for line in complete.splitlines() if line.strip()]


def dataset_sizes(output_dir: str | Path) -> dict[str, int]:
    """Byte size of every dataset file; taken before a run to count what it appended."""
    folder = Path(output_dir)
    if not folder.is_dir():
        return {}
    sizes: dict[str, int] = {}
    for path in folder.glob("*_raw.jsonl"):
        fd = os.open(path, os.O_RDONLY)
        try:
            sizes[path.stem] = _complete_size(fd)
        finally:
            os.close(fd)
    return sizes


def count_appended(output_dir: str | Path, before: dict[str, int]) -> dict[str, int]:
    """Events appended per dataset since ``before`` (works even if the sender crashed)."""
    counts: dict[str, int] = {}
    for dataset, size in dataset_sizes(output_dir).items():
        start = before.get(dataset, 0)
        if size <= start:
            continue
        with dataset_path(output_dir, dataset).open("rb") as handle:
            handle.seek(start)
            counts[dataset] = handle.read().count(b"\n")
    return counts
