"""Monitor stream: cursors, paging to the end, limits, late arrival, access rules, live data, volume."""

from __future__ import annotations

import re
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from devkit.emulator import Emulator, ManualClock
from devkit.emulator.monitor import cursor_for
from devkit.emulator.times import TICKS_PER_SECOND, event_timestamp, parse_iso, seconds_to_ticks
from devkit.tests.emulator_support import non_admin_user_id, session, setup_integration

STREAM = "/api/v2.0/datasets/monitor/stream"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(seed=11, events=5000, users=100, clock=ManualClock()) as running:
        setup_integration(running)
        yield running


@pytest.fixture(scope="module")
def client(emulator: Emulator) -> requests.Session:
    return session(emulator)


def page(client: requests.Session, emulator: Emulator, path: str = STREAM, **params: Any) -> dict[str, Any]:
    reply = client.get(f"{emulator.base_url}{path}", params=params, timeout=30)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def drain(
    client: requests.Session, emulator: Emulator, cursor: str = "", limit: int = 2000
) -> tuple[list[dict[str, Any]], str]:
    events: list[dict[str, Any]] = []
    while True:
        body = page(client, emulator, cursor=cursor, limit=limit)
        events.extend(body["data"])
        if not body["data"]:
            return events, body["endCursor"]
        cursor = body["endCursor"]


def test_paging_reaches_the_end_and_then_echoes_the_cursor(client: requests.Session, emulator: Emulator) -> None:
    events, end = drain(client, emulator)
    assert len(events) == 5000
    assert len({event["eventId"] for event in events}) == 5000
    assert re.fullmatch(r"aa_\d+_\d+", end)
    again = page(client, emulator, cursor=end)
    assert again == {"endCursor": end, "data": []}


def test_pages_are_in_ingestion_order_not_timestamp_order(client: requests.Session, emulator: Emulator) -> None:
    events = page(client, emulator, limit=2000)["data"]
    stamps = [event["timestamp"] for event in events]
    assert stamps != sorted(stamps), "some events must arrive late"
    stream = emulator.org.events
    delays = [
        (stream.ingest_ticks(index) - seconds_to_ticks(parse_iso(event["timestamp"]))) / TICKS_PER_SECOND
        for index, event in enumerate(events)
    ]
    assert all(0 <= delay <= 300 for delay in delays)
    assert any(delay > 60 for delay in delays)


@pytest.mark.parametrize(("limit", "expected"), [(None, 1000), ("0", 1), ("-5", 1), ("1", 1), ("5000", 2000)])
def test_limit_is_clamped(client: requests.Session, emulator: Emulator, limit: str | None, expected: int) -> None:
    params = {} if limit is None else {"limit": limit}
    assert len(page(client, emulator, **params)["data"]) == expected


@pytest.mark.parametrize("cursor", ["garbage", "aa_1_999999", "2022-13-45T00:00:00Z", "aa_x_1"])
def test_invalid_cursor_is_a_400_with_an_error_body(client: requests.Session, emulator: Emulator, cursor: str) -> None:
    reply = client.get(f"{emulator.base_url}{STREAM}", params={"cursor": cursor}, timeout=10)
    assert reply.status_code == 400
    assert reply.json()["errorCode"] == "INVALID_REQUEST_PARAMETER"


def test_iso_cursor_starts_at_that_ingestion_instant(client: requests.Session, emulator: Emulator) -> None:
    stream = emulator.org.events
    instant = emulator.org.now() - 6 * 3600
    events, _ = drain(client, emulator, cursor=event_timestamp(seconds_to_ticks(instant)))
    expected = [index for index in range(5000) if stream.ingest_ticks(index) >= seconds_to_ticks(instant)]
    assert len(events) == len(expected)
    assert events[0]["eventId"] == stream.event_id(expected[0])
    assert 1000 < len(events) < 1500
    # Before the earliest data (2021-01-01) means from the beginning.
    assert page(client, emulator, cursor="2020-01-01T00:00:00Z", limit=1)["data"][0]["eventId"] == stream.event_id(0)


def test_cursor_resumes_exactly_after_the_last_event(client: requests.Session, emulator: Emulator) -> None:
    first = page(client, emulator, limit=7)
    second = page(client, emulator, cursor=first["endCursor"], limit=3)
    both = page(client, emulator, limit=10)["data"]
    assert [e["eventId"] for e in first["data"] + second["data"]] == [e["eventId"] for e in both]
    assert first["endCursor"] == cursor_for(emulator.org.events, 7)


def test_short_pages_are_not_the_end(client: requests.Session, emulator: Emulator) -> None:
    emulator.options.monitor_page_cap = 300
    try:
        first = page(client, emulator, limit=2000)
        events, _ = drain(client, emulator, cursor=first["endCursor"])
    finally:
        emulator.options.monitor_page_cap = None
    assert len(first["data"]) == 300
    assert len(first["data"]) + len(events) == 5000


def test_v2_path_serves_the_same_stream(client: requests.Session, emulator: Emulator) -> None:
    assert page(client, emulator, path="/api/v2/datasets/monitor/stream", limit=5) == page(client, emulator, limit=5)


def test_empty_cursor_starts_seven_days_ago() -> None:
    clock = ManualClock()
    with Emulator(seed=12, events=1000, users=20, span_hours=240, clock=clock) as emulator:
        setup_integration(emulator)
        client = session(emulator)
        events, _ = drain(client, emulator, limit=2000)
        week_ago = seconds_to_ticks(clock() - 7 * 86400)
        stream = emulator.org.events
        expected = sum(1 for index in range(1000) if stream.ingest_ticks(index) >= week_ago)
        assert len(events) == expected
        assert 650 < expected < 750


def test_org_without_monitor_gets_403_with_empty_body(client: requests.Session, emulator: Emulator) -> None:
    emulator.org.monitor_enabled = False
    try:
        reply = client.get(f"{emulator.base_url}{STREAM}", timeout=10)
    finally:
        emulator.org.monitor_enabled = True
    assert reply.status_code == 403
    assert reply.content == b""
    assert reply.headers["X-DocuSign-TraceToken"]


def test_non_admin_user_gets_403(emulator: Emulator) -> None:
    user = non_admin_user_id(emulator)
    setup_integration(emulator, user_id=user)
    reply = session(emulator, sub=user).get(f"{emulator.base_url}{STREAM}", timeout=10)
    assert reply.status_code == 403
    assert reply.json()["errorCode"] == "USER_LACKS_PERMISSIONS"


def test_live_mode_ingests_new_events_as_the_clock_moves() -> None:
    with Emulator(seed=13, events=100, users=20, clock=ManualClock(), live_events_per_hour=3600) as emulator:
        setup_integration(emulator)
        client = session(emulator)
        events, end = drain(client, emulator)
        assert len(events) == 100
        first_read = emulator.org.now()
        emulator.advance(120)
        more, end2 = drain(client, emulator, cursor=end)
        assert 110 <= len(more) <= 130
        assert end2 != end
        assert not {e["eventId"] for e in events} & {e["eventId"] for e in more}
        # Late arrivals: newly ingested events can carry timestamps from before the previous read.
        assert any(parse_iso(event["timestamp"]) < first_read for event in more)
        assert page(client, emulator, cursor=end2)["data"] == []


def test_timestamps_have_seven_digits_by_default_and_vary_when_asked(
    client: requests.Session, emulator: Emulator
) -> None:
    stamps = [event["timestamp"] for event in page(client, emulator, limit=500)["data"]]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", stamp) for stamp in stamps)
    with Emulator(seed=11, events=500, users=20, clock=ManualClock(), timestamp_style="mixed") as mixed:
        setup_integration(mixed)
        varied = {len(event["timestamp"]) for event in page(session(mixed), mixed, limit=500)["data"]}
    assert len(varied) >= 3


def test_same_seed_same_data_different_seed_different_data() -> None:
    def snapshot(seed: int) -> tuple[Any, ...]:
        with Emulator(seed=seed, events=300, users=30, clock=ManualClock()) as emulator:
            setup_integration(emulator)
            client = session(emulator)
            body = page(client, emulator, limit=300)
            return body, [(u.id, u.email, u.status, u.modified_ms) for u in emulator.org.users]

    assert snapshot(21) == snapshot(21)
    assert snapshot(21)[0]["data"][0]["eventId"] != snapshot(22)[0]["data"][0]["eventId"]


def test_a_million_events_cost_no_memory_and_any_page_is_fast() -> None:
    tracemalloc.start()
    try:
        emulator = Emulator(seed=14, events=1_000_000, users=50, clock=ManualClock())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000
    with emulator:
        setup_integration(emulator)
        client = session(emulator)
        started = time.perf_counter()
        near_end = page(client, emulator, cursor=cursor_for(emulator.org.events, 999_500), limit=1000)
        assert len(near_end["data"]) == 500
        assert near_end["data"][-1]["eventId"] == emulator.org.events.event_id(999_999)
        assert page(client, emulator, cursor=near_end["endCursor"])["data"] == []
        first = page(client, emulator, limit=1000)
        assert first["data"][0]["eventId"] == emulator.org.events.event_id(0)
        assert time.perf_counter() - started < 3
