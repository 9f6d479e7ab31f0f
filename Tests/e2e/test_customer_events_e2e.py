"""Customer events end to end: emulator + engine + integration, with faults along the way."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import jwt
import requests

from devkit.emulator import Emulator
from devkit.engine import DATASET, Engine, RunResult

from .conftest import INTEGRATION_KEY, EmulatorFactory, EngineFor, KeyPair


def reference_stream(emulator: Emulator, private_pem: bytes, start_iso: str) -> list[str]:
    """eventIds in cursor order, read straight from the emulator's Monitor API (no integration code)."""
    now = int(time.time())
    assertion = jwt.encode(
        {
            "iss": INTEGRATION_KEY,
            "sub": emulator.org.admin_user_id,
            "aud": emulator.host,
            "iat": now,
            "exp": now + 3600,
            "scope": "signature impersonation",
        },
        private_pem,
        algorithm="RS256",
    )
    token = requests.post(
        f"{emulator.base_url}/oauth/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
        timeout=10,
    ).json()["access_token"]
    ids: list[str] = []
    cursor = start_iso
    while True:
        page = requests.get(
            f"{emulator.base_url}/api/v2.0/datasets/monitor/stream",
            params={"cursor": cursor, "limit": "2000"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).json()
        ids += [event["eventId"] for event in page["data"]]
        if not page["data"] or page["endCursor"] == cursor:
            return ids
        cursor = page["endCursor"]


def customer_ids(engine: Engine) -> list[str]:
    return [e["eventId"] for e in engine.sink_events(DATASET) if e.get("source_log_type") == "customerevent"]


def test_drain_10k_exactly_once_in_cursor_order_despite_faults(
    emulator_factory: EmulatorFactory, engine_for: EngineFor, keypair: KeyPair
) -> None:
    # Runs of two pages (2,000 + 500), so each faulted run goes on paging; 100k is the benchmark's.
    emulator = emulator_factory(events=10_000, users=20, span_hours=24)
    engine = engine_for(
        emulator, event_types=["Customer events"], max_customer_events_per_fetch="2500", first_fetch="2 days"
    )
    # Faults land on the run after the cycle that scheduled them.
    schedule: dict[int, Any] = {
        0: lambda: emulator.faults.add(path="monitor", kind="retry_after", retry_after=1, count=2),
        1: lambda: emulator.faults.add(path="monitor", kind="status", status=500, count=2),
        2: lambda: (emulator.faults.add(path="monitor", kind="drop", count=1), emulator.revoke_tokens()),
        3: lambda: emulator.faults.add(path="monitor", kind="status", status=503, count=1),
    }
    schedule[0]()

    def between_runs(cycle: int, result: RunResult) -> None:
        action = schedule.get(cycle)
        if action:
            action()

    runs = engine.fetch(cycles=10, interval=0, until_empty=True, on_result=between_runs)

    assert all(r.ok for r in runs), [r.error for r in runs]
    assert [r.events_total for r in runs] == [2_500] * 4 + [0]
    delivered = customer_ids(engine)
    duplicates = [i for i, n in Counter(delivered).items() if n > 1]
    assert not duplicates
    assert engine.last_run["customer_events"]["cursor"]
    expected = reference_stream(emulator, keypair[0], start_iso="2000-01-01T00:00:00Z")
    assert delivered == expected
    assert len(delivered) == 10_000
    stats = emulator.stats()
    assert stats.count("monitor.", 429) == 2
    assert stats.count("monitor.", 500) == 2
    assert stats.count("monitor.", 401) == 1  # the revoked token: renewed once
    reports = [r.report or {} for r in runs]
    assert sum(report.get("rate_limit_waits", 0) for report in reports) == 2
    assert sum(report.get("retries", 0) for report in reports) >= 2


def test_first_run_starts_at_first_fetch_and_state_survives(
    emulator_factory: EmulatorFactory, engine_for: EngineFor
) -> None:
    emulator = emulator_factory(events=3000, users=10, span_hours=48)
    engine = engine_for(emulator, event_types=["Customer events"], first_fetch="12 hours")
    first = engine.run("fetch-events")
    assert first.ok
    sent = engine.sink_events(DATASET)
    cursors = [parse_qs(r.query)["cursor"][0] for r in emulator.requests if r.endpoint.startswith("monitor.")]
    first_cursor = datetime.fromisoformat(cursors[0].replace("Z", "+00:00"))
    assert abs(first_cursor - (datetime.now(UTC) - timedelta(hours=12))) < timedelta(minutes=2)
    assert 0 < len(sent) < 3000  # about a quarter of 48 hours of events
    # Nothing from before first_fetch, give or take DocuSign's up-to-5-minutes ingestion delay.
    assert min(e["_time"] for e in sent) >= format(first_cursor - timedelta(minutes=6), "%Y-%m-%dT%H:%M:%S")
    cursor = engine.last_run["customer_events"]["cursor"]
    second = engine.run("fetch-events")
    assert second.ok
    later = [parse_qs(r.query)["cursor"][0] for r in emulator.requests if r.endpoint.startswith("monitor.")]
    assert later[len(cursors)] == cursor


def test_get_events_never_touches_last_run(emulator_factory: EmulatorFactory, engine_for: EngineFor) -> None:
    emulator = emulator_factory(events=500, users=30, span_hours=2)
    engine = engine_for(emulator)
    assert engine.run("fetch-events").ok
    state = engine.last_run
    for event_type in ("Customer events", "Audit Users"):
        shown = engine.run("docusign-get-events", {"event_type": event_type, "limit": "5", "from_date": "3 hours"})
        assert shown.ok and not shown.last_run_changed
        assert len(shown.entries[-1]["Contents"]) <= 5
    pushed = engine.run(
        "docusign-get-events", {"event_type": "Customer events", "limit": "3", "should_push_events": "true"}
    )
    assert pushed.ok and pushed.events_total == 3
    assert engine.last_run == state
