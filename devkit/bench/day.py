"""Scenario: a simulated day of scheduled fetches, both event types, on a 10,000-user organization.

One ``fetch-events`` run a minute for 24 hours of the emulator's clock (the integration follows it), with:

- Monitor: a backlog of 50,000 events (a burst in the hour before the day starts), then 1,000 events an hour;
- users: 200 changes spread over the day, and a batch of 1,000 changed at 10:00.

Reports per hour: calls by API, share of DocuSign's hourly quota (3,000 per account), events and user changes
delivered, lag from a user change to its delivery; at the end, whether every event and change was delivered
exactly once. Beside our calls, the calls the per-user approach (one eSignature GET per listed user, no memory:
the public pack's way) would make for the same listings. Run once with an Admin filter that honours the time
of day and once with one that honours only the date (DocuSign does not document which).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from devkit.bench.report import child_usage, write_section
from devkit.bench.setup import wire
from devkit.emulator import Emulator, ManualClock
from devkit.emulator.times import seconds_to_ticks
from devkit.emulator.users import User
from devkit.engine import DATASET, RunResult

DAY_START = datetime(2026, 11, 2, 6, tzinfo=UTC)  # a Monday, 06:00 UTC: midnight falls inside the day
USERS = 10_000
BURST = 50_000
EVENTS_PER_HOUR = 1_000
TRICKLE = 200
BATCH, BATCH_AT = 1_000, 10 * 60  # minutes after the start: 16:00
HOURLY_QUOTA = 3_000
ADMIN_PAGE, ESIGN_PAGE = 250, 100


@dataclass
class Hour:
    calls: Counter[str] = field(default_factory=Counter)
    customer_events: int = 0
    user_changes: int = 0
    listed: int = 0
    per_user_calls: int = 0
    lags: list[float] = field(default_factory=list)  # minutes from change to delivery
    deferred: int = 0

    def api(self, prefix: str) -> int:
        return sum(n for endpoint, n in self.calls.items() if endpoint.startswith(prefix))

    @property
    def total(self) -> int:  # the quota counts API calls; token and userinfo calls are not API calls
        return sum(n for endpoint, n in self.calls.items() if not endpoint.startswith("oauth."))


def run(by_day: bool = False, minutes: int = 24 * 60) -> list[tuple[str, str]]:
    start = DAY_START.timestamp()
    clock = ManualClock(start=start)
    emulator = Emulator(
        seed=23,
        users=USERS,
        events=BURST,
        span_hours=1,
        clock=clock,
        live_events_per_hour=EVENTS_PER_HOUR,
        live_user_changes_per_hour=TRICKLE / 24,
        recent_user_share=0.0,  # no user changes before the day: the day's are the trickle and the batch
        admin_since_by_day=by_day,
    )
    with emulator:
        first_fetch = datetime.fromtimestamp(start - 3600, UTC)
        engine = wire(emulator, first_fetch=first_fetch.strftime("%Y-%m-%dT%H:%M:%SZ"))
        # Caught up on users at the start: the day's changes are what it has to deliver.
        begin = DAY_START.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        engine.store.save({"audit_users": {"watermark": begin, "not_before": begin}}, {})
        hours = [Hour() for _ in range(math.ceil(minutes / 60))]
        runs: list[tuple[float, RunResult]] = []
        with child_usage() as usage:
            for minute in range(minutes):
                if minute:
                    clock.advance(60)
                if minute == BATCH_AT:
                    emulator.org.change_users(BATCH)
                result = engine.run("fetch-events")
                runs.append((clock(), result))
                account(hours[minute // 60], result)
        last_run_at = runs[-1][0]
        delivered = engine.sink_events(DATASET)
        changed = [u for u in emulator.org.users if u.modified_ms >= start * 1000]
        # Every event ingested from the first fetch time (an hour before the day) to the last run.
        stream = emulator.org.events
        first = stream.first_at_or_after(
            seconds_to_ticks(first_fetch.timestamp()), stream.ingested_by(seconds_to_ticks(start))
        )
        expected_ids = {stream.event_id(i) for i in range(first, stream.ingested_by(seconds_to_ticks(last_run_at)))}
    failed = [r.error for _, r in runs if not r.ok]
    assert not failed, failed[:3]
    user_events = [e for e in delivered if e.get("source_log_type") == "auditusers"]
    attribute_lags(hours, runs, user_events)
    customer_ids = [e["eventId"] for e in delivered if e.get("source_log_type") == "customerevent"]
    # A change made this close to the last run may legitimately wait for a later one (the hourly read of a
    # whole-day filter, or the next listing): it is "in flight", not lost.
    in_flight_from = (last_run_at - (3660 if by_day else 120)) * 1000
    return report(by_day, minutes, hours, usage.wall_seconds, customer_ids, expected_ids, user_events, changed,
                  in_flight_from)  # fmt: skip


def account(hour: Hour, result: RunResult) -> None:
    data = result.report or {}
    hour.calls.update(data.get("calls_by_endpoint", {}))
    types = data.get("types", {})
    hour.customer_events += types.get("Customer events", {}).get("events", 0)
    users = types.get("Audit Users", {})
    hour.user_changes += users.get("events", 0)
    listed = users.get("counts", {}).get("listed", 0)
    hour.listed += listed
    if users:
        hour.per_user_calls += max(1, math.ceil(listed / ADMIN_PAGE)) + listed
    hour.deferred += sum(t.get("stop") == "quota share used" for t in types.values())


def shows(event: dict[str, Any] | None, user: User) -> bool:
    """Whether the last record delivered for ``user`` shows its final state (status, permission, title)."""
    if event is None:
        return False
    return (
        str(event.get("userStatus")) == user.status
        and event.get("permissionProfileName", user.profile.name) == user.profile.name
        and event.get("jobTitle", user.job_title) == user.job_title
    )


def attribute_lags(hours: list[Hour], runs: list[tuple[float, RunResult]], user_events: list[dict[str, Any]]) -> None:
    """User events are in the dataset in delivery order: each run's report says how many were its own."""
    position = 0
    for minute, (at, result) in enumerate(runs):
        count = ((result.report or {}).get("types", {}).get("Audit Users") or {}).get("events", 0)
        for event in user_events[position : position + count]:
            changed_at = datetime.fromisoformat(event["_time"].replace("Z", "+00:00")).timestamp()
            hours[minute // 60].lags.append((at - changed_at) / 60)
        position += count


def report(
    by_day: bool,
    minutes: int,
    hours: list[Hour],
    wall: float,
    customer_ids: list[str],
    expected_ids: set[str],
    user_events: list[dict[str, Any]],
    changed: list[User],
    in_flight_from: float,
) -> list[tuple[str, str]]:
    pairs = Counter((e["userId"].lower(), e["_time"]) for e in user_events)
    last_sent = {e["userId"].lower(): e for e in user_events}  # in delivery order: the last one stays
    settled = [u for u in changed if u.modified_ms < in_flight_from]
    missing_changes = [u for u in settled if not shows(last_sent.get(u.id.lower()), u)]
    before_day = [e for e in user_events if e["_time"] < DAY_START.strftime("%Y-%m-%dT%H:%M:%S.000Z")]
    missing_events = expected_ids - set(customer_ids)
    busiest = max(range(len(hours)), key=lambda h: hours[h].total)

    def clock_hour(index: int) -> str:
        return f"{(DAY_START.hour + index) % 24:02d}:00"

    quiet = [h for h in range(len(hours)) if h not in (0, 1, BATCH_AT // 60)]
    quiet_max = max((hours[h].total for h in quiet), default=0)
    all_lags = [lag for hour in hours for lag in hour.lags]
    lag_text = f"{statistics.median(all_lags):.1f} / {max(all_lags):.1f} min" if all_lags else "-"
    share = hours[busiest].total / HOURLY_QUOTA

    name = f"day-{'date-only' if by_day else 'time-of-day'}"
    filter_text = "honours only the date" if by_day else "honours the time of day"
    per_hour = [
        "| hour | Monitor | Admin | eSignature | all API calls | share of 3,000 | per-user approach (users) | events | "
        "user changes | change-to-delivery lag, median / max |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for index, hour in enumerate(hours):
        lag = f"{statistics.median(hour.lags):.1f} / {max(hour.lags):.1f} min" if hour.lags else "-"
        per_hour.append(
            f"| {clock_hour(index)} | {hour.api('monitor.')} | {hour.api('admin.')} | {hour.api('esign.')} | "
            f"{hour.total} | {hour.total / HOURLY_QUOTA:.1%} | {hour.per_user_calls + hour.api('monitor.')} | "
            f"{hour.customer_events:,} | {hour.user_changes} | {lag} |"
        )
    total_calls = sum(h.total for h in hours)
    per_user_total = sum(h.per_user_calls + h.api("monitor.") for h in hours)
    rows = [
        ("simulated", f"{minutes / 60:g} h, one run a minute ({minutes:,} runs), Admin filter {filter_text}"),
        ("API calls, whole day", f"{total_calls:,} (per-user approach: {per_user_total:,})"),
        ("busiest hour", f"{clock_hour(busiest)}, {hours[busiest].total} calls = {share:.1%}"),
        ("quiet hours (trickle only), most calls", f"{quiet_max} calls"),
        ("runs deferred by the quota governor", str(sum(h.deferred for h in hours))),
        ("customer events delivered", f"{len(customer_ids):,} ({len(set(customer_ids)):,} distinct)"),
        ("customer events lost", f"{len(missing_events):,} of {len(expected_ids):,} ingested by the last run"),
        ("user changes delivered", f"{len(user_events):,} ({len(pairs):,} distinct; {len(changed):,} users changed)"),
        (
            "users whose last change was not delivered (lost) / records repeated",
            f"{len(missing_changes)} / {sum(n - 1 for n in pairs.values())}"
            f" ({len(changed) - len(settled)} changed in the last {'hour' if by_day else '2 minutes'}: in flight)",
        ),
        ("changes from before the day delivered", str(len(before_day))),
        ("change-to-delivery lag, median / max", lag_text),
        ("wall time (emulator and collector on one machine)", f"{wall / 60:.1f} min"),
    ]
    notes = "\n".join(
        [
            f"Organization of {USERS:,} users; Monitor backlog of {BURST:,} events at the start, "
            f"{clock_hour(0)} UTC (a burst in the hour before), then {EVENTS_PER_HOUR:,} events an hour; {TRICKLE} "
            f"user changes spread over the day and {BATCH:,} changed at {clock_hour(BATCH_AT // 60)}. Instance "
            "defaults (2,000 customer events and 1,250 users per run, quota share 20%). "
            "Calls are the collector's own report; token and userinfo calls are not "
            "counted against the quota. The per-user approach column: the same Monitor calls, plus for each run "
            f"ceil(listed/{ADMIN_PAGE}) Admin calls and one eSignature GET per listed user. Lag: delivery run's "
            "time less the change's time (eSignature's modifiedDate, to the second).",
            "",
            *per_hour,
        ]
    )
    print(f"{name}\n" + "\n".join(f"  {k}: {v}" for k, v in rows))
    write_section(name, f"A simulated day: Admin filter {filter_text}", rows, notes)
    return rows


def run_time_of_day() -> list[tuple[str, str]]:
    return run(by_day=False)


def run_date_only() -> list[tuple[str, str]]:
    return run(by_day=True)
