"""Audit users end to end: each change once, with a full record, in few API calls."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from devkit.emulator import Emulator, ManualClock
from devkit.engine import DATASET, Engine

from .conftest import EmulatorFactory, EngineFor


def user_events(engine: Engine) -> list[dict[str, Any]]:
    return [e for e in engine.sink_events(DATASET) if e.get("source_log_type") == "auditusers"]


def changed_since(emulator: Emulator, since: datetime) -> set[str]:
    return {u.id for u in emulator.org.users if u.modified_ms >= since.timestamp() * 1000}


# DocuSign does not document whether last_modified_since honours the time of day: both must deliver each change once.
BY_DAY = pytest.mark.parametrize("by_day", [False, True], ids=["time-of-day", "date-only"])


@BY_DAY
def test_first_run_then_each_change_once(
    by_day: bool, emulator_factory: EmulatorFactory, engine_for: EngineFor
) -> None:
    clock = ManualClock(start=datetime.now(UTC).timestamp())
    emulator = emulator_factory(events=10, users=400, clock=clock, admin_since_by_day=by_day)
    engine = engine_for(emulator, event_types=["Audit Users"], first_fetch="3 days")
    expected = changed_since(emulator, datetime.now(UTC) - timedelta(days=3))

    first = engine.run("fetch-events")
    assert first.ok
    delivered = user_events(engine)
    assert {e["userId"] for e in delivered} == expected
    sample = delivered[0]
    assert {"userId", "userName", "email", "userStatus", "isAdmin", "permissionProfileName", "membership_status",
            "membership_id", "_time", "source_log_type"} <= sample.keys()  # fmt: skip
    assert sample["_time"].endswith("Z")

    again = engine.run("fetch-events")
    assert again.ok and again.events_total == 0

    clock.advance(120)
    changed = {u.id for u in emulator.org.change_users(5)}
    third = engine.run("fetch-events")
    if not by_day:
        assert third.events_total == 5
    # A whole-day listing cannot tell a user's second change of the day (shown only by eSignature) from its first:
    # such a change waits for the hourly read.
    clock.advance(61 * 60)
    fourth = engine.run("fetch-events")
    assert third.events_total + fourth.events_total == 5
    assert sorted(e["userId"] for e in user_events(engine)[-5:]) == sorted(changed)
    assert engine.run("fetch-events").events_total == 0


@BY_DAY
def test_budget_cuts_resume_without_skips_or_repeats_while_users_change(
    by_day: bool, emulator_factory: EmulatorFactory, engine_for: EngineFor
) -> None:
    clock = ManualClock(start=datetime.now(UTC).timestamp())
    emulator = emulator_factory(events=10, users=300, clock=clock, admin_since_by_day=by_day)
    engine = engine_for(emulator, event_types=["Audit Users"], first_fetch="1 minute", max_user_events_per_fetch="10")
    clock.advance(90)
    made: list[tuple[str, int]] = [(u.id, u.modified_ms) for u in emulator.org.change_users(25)]
    runs = []
    for cycle in range(8):
        runs.append(engine.run("fetch-events"))
        if cycle == 0:
            clock.advance(5)
            made += [(u.id, u.modified_ms) for u in emulator.org.change_users(4)]
    assert all(r.ok for r in runs)
    assert all(r.events_total <= 10 for r in runs) and runs[-1].events_total == 0  # budget cuts, then caught up
    delivered = [(e["userId"], e["_time"]) for e in user_events(engine)]
    assert not [k for k, n in Counter(delivered).items() if n > 1]
    # every change made is there: the latest state of each user, and earlier changes not superseded in between
    latest = {user_id: ms for user_id, ms in made}
    # (Users changed shortly before the first fetch time may come too: listed by the look-back or a whole-day
    # filter, their listing cannot be told from a change only the Admin record shows.)
    assert set(latest) <= {u for u, _ in delivered}


def test_api_calls_follow_the_cheaper_strategy(emulator_factory: EmulatorFactory, engine_for: EngineFor) -> None:
    clock = ManualClock(start=datetime.now(UTC).timestamp())
    total = 1000
    emulator = emulator_factory(events=10, users=total, clock=clock)
    engine = engine_for(emulator, event_types=["Audit Users"], first_fetch="30 days", max_user_events_per_fetch="10000")
    n_first = len(changed_since(emulator, datetime.now(UTC) - timedelta(days=30)))
    assert engine.run("fetch-events").ok
    stats = emulator.stats()
    assert stats.count("admin.users") == math.ceil(n_first / 250)
    # first run: the account size is unknown, one bulk page reveals it, then the cheaper strategy
    assert stats.count("esign.users") + stats.count("esign.user") <= min(n_first, math.ceil(total / 100)) + 1

    emulator.reset_stats()
    watermark = datetime.fromisoformat(engine.last_run["audit_users"]["watermark"].replace("Z", "+00:00"))
    # Less than the token's hour: at exactly 3600 s the emulator's clock would sit on the JWT's expiry second
    # (iat is whole seconds), and the run would race a renewal instead of measuring the listing.
    clock.advance(3000)
    emulator.org.change_users(3)
    # The Admin query reaches 10 minutes behind the watermark, so it lists the 3 changes plus any user
    # changed in those 10 minutes (already delivered: read again, not sent again).
    listed = len(changed_since(emulator, watermark - timedelta(minutes=10)))
    assert engine.run("fetch-events").events_total == 3
    stats = emulator.stats()
    assert stats.count("admin.users", 200) == 1
    assert 3 <= listed < math.ceil(total / 100)
    assert stats.count("esign.user") == listed and stats.count("esign.users") == 0  # GETs beat 10 pages


@pytest.mark.parametrize(
    "kind, field",
    [("profile", "jobTitle"), ("settings", "permissionProfileName"), ("membership", "userStatus")],
)
def test_each_kind_of_change_is_delivered_once(
    kind: str, field: str, emulator_factory: EmulatorFactory, engine_for: EngineFor
) -> None:
    """A profile change moves only eSignature's userProfileLastModifiedDate, a settings change only
    userSettings.modifiedDate, a membership change neither (only the Admin record shows it)."""
    clock = ManualClock(start=datetime.now(UTC).timestamp())
    emulator = emulator_factory(events=10, users=200, clock=clock)
    engine = engine_for(emulator, event_types=["Audit Users"], first_fetch="3 days")
    assert engine.run("fetch-events").ok
    before = {e["userId"]: e for e in user_events(engine)}
    clock.advance(120)
    changed = [u for u in emulator.org.change_users(3, kind=kind) if u.id != emulator.org.admin_user_id]
    run = engine.run("fetch-events")
    delivered = user_events(engine)[len(before) :]
    assert sorted(e["userId"] for e in delivered) == sorted(u.id for u in changed)
    for event in delivered:
        if event["userId"] in before:
            assert event[field] != before[event["userId"]][field]
    assert run.ok and engine.run("fetch-events").events_total == 0
