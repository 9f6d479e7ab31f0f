"""Scenario: an organization of 10,000 users; a first run, then 100 changes.

Reports API calls per endpoint and wall time for both runs, against the call count of the
public pack's per-user approach for the same N (ceil(N/250) Admin calls + N eSignature calls).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from devkit.bench.report import child_usage, table, write_section
from devkit.bench.setup import wire
from devkit.emulator import Emulator, ManualClock
from devkit.emulator.log import Stats


def per_user_calls(n: int) -> int:
    return math.ceil(n / 250) + n


DEFAULT_BUDGET = 1_250


def default_budget_sweep(users: int) -> tuple[str, int, int]:
    """Every user of the organization changed since the first fetch time, delivered at the default budget."""
    clock = ManualClock(start=datetime.now(UTC).timestamp())
    emulator = Emulator(
        seed=5,
        events=10,
        users=users,
        clock=clock,
        recent_user_share=1.0,
        span_hours=24,
        burst_limit=100_000,  # the emulator's clock stands still here: its 30-second window would never pass
        hourly_limit=100_000,
    )
    with emulator:
        # A quota share of 100% paces calls to the emulator's whole burst limit: the calls are the same, sooner.
        engine = wire(emulator, event_types=["Audit Users"], first_fetch="2 days", quota_share="100")
        runs = engine.fetch(cycles=20, until_empty=True)
        stats = emulator.stats()
    assert all(r.ok for r in runs), [r.error for r in runs if not r.ok]
    delivered = sum(r.events_total for r in runs)
    return calls(stats), len(runs), delivered


def calls(stats: Stats) -> str:
    admin = stats.count("admin.users")
    bulk = stats.count("esign.users")
    single = stats.count("esign.user")
    return f"{admin} Admin + {bulk} eSignature list pages + {single} eSignature GETs = {admin + bulk + single}"


def run(users: int = 10_000, changes: int = 100) -> list[tuple[str, str]]:
    clock = ManualClock(start=datetime.now(UTC).timestamp())
    with Emulator(seed=5, events=10, users=users, clock=clock, burst_limit=100_000, hourly_limit=100_000) as emulator:
        engine = wire(
            emulator,
            event_types=["Audit Users"],
            first_fetch="1 year",
            max_user_events_per_fetch="10000",
            quota_share="100",
        )
        with child_usage() as first:
            first_run = engine.run("fetch-events")
        first_stats = emulator.stats()
        first_n = first_run.events_total
        emulator.reset_stats()
        clock.advance(300)
        emulator.org.change_users(changes)
        with child_usage() as second:
            second_run = engine.run("fetch-events")
        second_stats = emulator.stats()
    assert first_run.ok and second_run.ok, (first_run.error, second_run.error)

    sweep_calls, sweep_runs, sweep_users = default_budget_sweep(users)
    rows = [
        ("organization size", f"{users:,} users"),
        ("first run: users delivered", f"{first_n:,}"),
        ("first run: API calls", calls(first_stats)),
        ("first run: per-user approach would make", f"{per_user_calls(first_n):,}"),
        ("first run: wall time", f"{first.wall_seconds:.1f} s"),
        (f"after {changes} changes: users delivered", str(second_run.events_total)),
        (f"after {changes} changes: API calls", calls(second_stats)),
        (f"after {changes} changes: per-user approach would make", str(per_user_calls(second_run.events_total))),
        (f"after {changes} changes: wall time", f"{second.wall_seconds:.1f} s"),
        (
            f"every user changed, default budget ({DEFAULT_BUDGET:,} a run)",
            f"{sweep_users:,} users in {sweep_runs} runs, {sweep_calls}",
        ),
    ]
    print("audit users: 10k organization\n" + table(rows))
    write_section(
        "audit-users",
        "Audit users: 10,000-user organization, first run then 100 changes",
        rows,
        "Wall time includes the collector process start-up and the emulator on the same machine; there are no "
        "deliberate pauses in this scenario.",
    )
    return rows
