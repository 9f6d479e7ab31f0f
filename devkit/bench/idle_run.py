"""Scenario: the fixed cost of a run that has nothing new to fetch.

After a small backlog is drained (both event types), the same instance runs ``fetch-events`` ten more times
with nothing new. Reports the collector's whole-process CPU per run (interpreter start-up, imports, platform
modules, token from the cache, one request per API) and the API calls such a run makes.
"""

from __future__ import annotations

from collections import Counter

from devkit.bench.report import child_usage, table, write_section
from devkit.bench.setup import wire
from devkit.emulator import Emulator

IDLE_RUNS = 10


def run() -> list[tuple[str, str]]:
    with Emulator(seed=17, events=500, users=50, span_hours=24) as emulator:
        engine = wire(emulator, first_fetch="2 days")
        drained = engine.fetch(cycles=10, interval=0, until_empty=True)
        with child_usage() as usage:
            idle = engine.fetch(cycles=IDLE_RUNS, interval=0)
    assert all(r.ok for r in drained + idle), [r.error for r in drained + idle if not r.ok]
    assert sum(r.events_total for r in idle) == 0, "an idle run delivered events"
    calls: Counter[str] = Counter()
    for result in idle:
        calls.update((result.report or {}).get("calls_by_endpoint", {}))
    per_run = ", ".join(f"{endpoint} {count / IDLE_RUNS:g}" for endpoint, count in sorted(calls.items()))
    rows = [
        ("idle runs measured", str(IDLE_RUNS)),
        ("collector CPU per run (whole process)", f"{usage.cpu_seconds / IDLE_RUNS:.2f} s"),
        ("wall time per run", f"{usage.wall_seconds / IDLE_RUNS:.2f} s"),
        ("API calls per run", f"{sum(calls.values()) / IDLE_RUNS:g} ({per_run})"),
        ("collector peak RSS", f"{usage.peak_rss_mib:.0f} MiB"),
    ]
    print("idle run: nothing new to fetch\n" + table(rows))
    write_section(
        "idle-run",
        "A run with nothing new to fetch (both event types)",
        rows,
        "After a 500-event, 50-user backlog is drained. The token comes from the integration context's cache; "
        "CPU is the engine's child process, i.e. the integration as the platform runs it, including interpreter "
        "start-up and the platform modules.",
    )
    return rows
