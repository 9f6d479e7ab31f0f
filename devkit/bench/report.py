"""Measuring a collector run from the outside, and writing results into docs/benchmarks.md."""

from __future__ import annotations

import fcntl
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS_MD = REPO_ROOT / "docs" / "benchmarks.md"


@dataclass
class ChildUsage:
    """CPU seconds and peak memory of the engine's child processes (the collector runs), and wall time."""

    cpu_seconds: float = 0.0
    peak_rss_mib: float = 0.0
    wall_seconds: float = 0.0


@contextmanager
def child_usage() -> Iterator[ChildUsage]:
    """Measure what child processes started inside the block used (each engine run is one child)."""
    usage = ChildUsage()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    yield usage
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    usage.wall_seconds = time.perf_counter() - started
    usage.cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    usage.peak_rss_mib = after.ru_maxrss / 1024  # Linux reports KiB; the largest child so far


def table(rows: list[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)


def write_section(name: str, title: str, rows: list[tuple[str, str]], notes: str = "") -> None:
    """Replace (or add) the section ``name`` of docs/benchmarks.md with a markdown table of ``rows``."""
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    body = [begin, f"## {title}", "", "| measure | value |", "|---|---|"]
    body += [f"| {k} | {v} |" for k, v in rows]
    if notes:
        body += ["", notes]
    body += ["", f"_Measured {time.strftime('%Y-%m-%d')} with `python -m devkit bench {name}`._", end]
    BENCHMARKS_MD.parent.mkdir(parents=True, exist_ok=True)
    with (BENCHMARKS_MD.parent / ".benchmarks.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # scenarios may run side by side
        text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else "# Benchmarks\n"
        if begin in text and end in text:
            head, rest = text.split(begin, 1)
            text = head + "\n".join(body) + rest.split(end, 1)[1]
        else:
            text = text.rstrip("\n") + "\n\n" + "\n".join(body) + "\n"
        BENCHMARKS_MD.write_text(text)
