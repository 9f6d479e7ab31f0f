"""The platform's fetch scheduler: ``fetch-events`` again and again at a fixed interval.

Runs never overlap (the next one starts when the previous one ended, or at its
interval slot, whichever is later), as with the platform's "Events Fetch Interval".
Each run is appended to ``<state_dir>/runs.jsonl`` with its counts and module health.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devkit.engine.runner import Engine, RunResult

FETCH_COMMAND = "fetch-events"
RUNS_FILE = "runs.jsonl"


def fetch_loop(
    engine: Engine,
    cycles: int | None = 1,
    interval: float = 0.0,
    until_empty: bool = False,
    on_result: Callable[[int, RunResult], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[RunResult]:
    """Run ``fetch-events`` up to ``cycles`` times (``None``: no limit), ``interval`` s apart.

    With ``until_empty`` the loop also stops after the first run that delivers no
    events; a failed run that delivers nothing stops it too, so a broken instance
    cannot loop forever. ``on_result(cycle, result)`` is called after each run.
    """
    if cycles is None and not until_empty:
        raise ValueError("an endless loop needs a stop condition: give cycles or until_empty")
    if cycles is not None and cycles < 1:
        raise ValueError("cycles must be at least 1")
    if interval < 0:
        raise ValueError("interval must not be negative")
    results: list[RunResult] = []
    cycle = 0
    next_start = time.monotonic()
    while cycles is None or cycle < cycles:
        wait = next_start - time.monotonic()
        if wait > 0:
            sleep(wait)
        next_start = time.monotonic() + interval
        cycle += 1
        result = engine.run(FETCH_COMMAND)
        results.append(result)
        record_run(Path(engine.instance.state_dir) / RUNS_FILE, cycle, result)
        if on_result is not None:
            on_result(cycle, result)
        if until_empty and result.events_total == 0:
            break
    return results


def record_run(path: Path, cycle: int, result: RunResult) -> None:
    """Append one line describing a run; a history for benchmarks and post-mortems."""
    line: dict[str, Any] = {
        "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "cycle": cycle,
        "command": result.command,
        "status": result.status,
        "error": result.error,
        "events_sent": result.events_sent,
        "events_total": result.events_total,
        "module_health": result.module_health,
        "duration": round(result.duration, 3),
        "state_saved": result.state_saved,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, default=str) + "\n")


def read_runs(state_dir: str | Path) -> list[dict[str, Any]]:
    """The recorded run history of an instance, oldest first."""
    path = Path(state_dir) / RUNS_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
