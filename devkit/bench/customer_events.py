"""Scenario: drain a 100,000-event Monitor backlog with the largest per-run budget.

Reports runs and API calls to drain, collector CPU throughput (events per CPU second of the
collector processes; page intervals are set to 0, so nothing is excluded by hand) and the
collector's peak memory.
"""

from __future__ import annotations

from devkit.bench.report import child_usage, table, write_section
from devkit.bench.setup import wire
from devkit.emulator import Emulator
from devkit.engine import DATASET


def run(events: int = 100_000, budget: int = 20_000) -> list[tuple[str, str]]:
    with Emulator(seed=11, events=events, users=20, span_hours=24) as emulator:
        engine = wire(
            emulator,
            event_types=["Customer events"],
            first_fetch="2 days",
            max_customer_events_per_fetch=str(budget),
        )
        with child_usage() as usage:
            runs = engine.fetch(cycles=100, interval=0, until_empty=True)
        delivered = engine.sink_events(DATASET)
        stats = emulator.stats()
        # Each event exactly once, in stream order: the emulator numbers its events in cursor order.
        in_stream_order = [emulator.org.events.event_id(index) for index in range(events)]
    assert all(r.ok for r in runs), [r.error for r in runs if not r.ok]
    assert [e["eventId"] for e in delivered] == in_stream_order, "not every event delivered once, in stream order"
    monitor_calls = stats.count("monitor.")  # v1 or lens, whichever the tenant serves
    rows = [
        ("backlog (events)", f"{events:,}"),
        ("budget per run", f"{budget:,}"),
        ("events delivered", f"{len(delivered):,} ({len({e['eventId'] for e in delivered}):,} distinct)"),
        ("runs to drain (incl. the empty last run)", str(len(runs))),
        ("Monitor API calls", str(monitor_calls)),
        ("all API calls (incl. token, userinfo)", str(stats.total)),
        ("collector CPU time", f"{usage.cpu_seconds:.2f} s"),
        ("events per collector CPU second", f"{len(delivered) / usage.cpu_seconds:,.0f}"),
        ("collector peak RSS (largest run)", f"{usage.peak_rss_mib:.0f} MiB"),
        ("wall time (emulator in the same machine)", f"{usage.wall_seconds:.1f} s"),
    ]
    print("customer events: 100k backlog\n" + table(rows))
    write_section(
        "customer-events",
        "Customer events: draining a 100,000-event backlog",
        rows,
        "Page interval 0 (the default 5 s would add 4 pauses per 20,000-event run). CPU and memory are the engine's "
        "child processes, i.e. the integration as the platform runs it, including interpreter start-up.",
    )
    return rows
