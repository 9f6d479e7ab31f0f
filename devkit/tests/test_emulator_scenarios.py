"""Attacks planted in the emulator's day, events recorded at the present, and a background free of attacks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from devkit.emulator import Emulator, ManualClock
from devkit.emulator.events import PRIVILEGED_PROFILE_FIELDS, WORKING_HOURS
from devkit.emulator.org import Organization
from devkit.emulator.scenarios import SCENARIOS, scenario_names
from devkit.emulator.times import seconds_to_ticks
from devkit.tests.emulator_support import session, setup_integration

STREAM = "/api/v2.0/datasets/monitor/stream"


def read_all(client: requests.Session, emulator: Emulator, cursor: str = "") -> tuple[list[dict[str, Any]], str]:
    """Every readable event from ``cursor`` on, page by page, and the cursor to go on from."""
    events: list[dict[str, Any]] = []
    while True:
        params: dict[str, str | int] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        body = client.get(f"{emulator.base_url}{STREAM}", params=params, timeout=30).json()
        events += body["data"]
        if not body["data"]:
            return events, body["endCursor"]
        cursor = body["endCursor"]


@pytest.fixture(scope="module")
def attacked() -> Iterator[Emulator]:
    with Emulator(seed=5, events=2000, users=120, clock=ManualClock(), attacks="all") as running:
        setup_integration(running)
        yield running


def hour(event: dict[str, Any]) -> int:
    return dt.datetime.fromisoformat(event["timestamp"][:19]).hour


def test_every_planted_attack_is_read_through_the_monitor_api_in_ingestion_order(attacked: Emulator) -> None:
    events, _ = read_all(session(attacked), attacked)
    assert len(events) == len({e["eventId"] for e in events})
    by_id = {e["eventId"]: e for e in events}
    for attack in attacked.org.attacks:
        assert [by_id[e["eventId"]] for _, e in attack.events] == [e for _, e in attack.events], attack.scenario
    stream = attacked.org.events
    ticks = [stream.ingest_ticks(i) for i in range(len(events))]
    assert ticks == sorted(ticks)
    assert {a.scenario for a in attacked.org.attacks} == set(SCENARIOS)


def test_an_event_recorded_now_is_what_the_next_read_returns(attacked: Emulator) -> None:
    client = session(attacked)
    _, cursor = read_all(client, attacked)
    attacked.org.record_event({"object": "Account", "action": "UserClosed", "userId": attacked.org.admin_user_id})
    recorded, _ = read_all(client, attacked, cursor)
    assert [(e["object"], e["action"]) for e in recorded] == [("Account", "UserClosed")]
    assert recorded[0]["timestamp"].startswith(dt.datetime.fromtimestamp(attacked.org.now(), dt.UTC).strftime("%Y"))


def test_the_background_holds_no_attack() -> None:
    org = Organization(seed=5, users=120, events=3000)
    stream = org.events
    events = [stream.event(i) for i in range(stream.ingested_by(seconds_to_ticks(org.now())))]
    assert not [e for e in events if e["proxyType"] == "TOR"]
    assert not [e for e in events if e["object"] == "Alert" and e["action"] == "CredentialLeakDetected"]
    grants = [e for e in events if e["field"] in PRIVILEGED_PROFILE_FIELDS and e["data"].get("NewValue") == "true"]
    assert not grants
    assert not [e for e in events if e["field"] == "EnableTwoFactorAuthentication" and e["data"]["NewValue"] == "false"]
    admin = [e for e in events if e["object"] in ("AccountSetting", "PermissionProfile", "Account")]
    assert admin and all(hour(e) in WORKING_HOURS for e in admin)
    inactive = {u.id for u in org.users if u.status != "Active"}
    assert not [e for e in events if e["userId"] in inactive]
    countries: dict[str, set[str]] = {}
    for event in events:
        if event["country"]:
            countries.setdefault(event["userId"], set()).add(event["country"])
    assert max(len(c) for c in countries.values()) == 1  # nobody travels abroad


def test_attack_victims_are_left_alone_by_the_background_and_a_closed_victim_is_closed() -> None:
    org = Organization(seed=5, users=120, events=3000, attacks="closed-user-active,brute-force")
    stream = org.events
    planted = {e["eventId"] for attack in org.attacks for _, e in attack.events}
    victims = {attack.subject for attack in org.attacks}
    events = [stream.event(i) for i in range(stream.ingested_by(seconds_to_ticks(org.now())))]
    assert not [e for e in events if e["userId"] in victims and e["eventId"] not in planted]
    closed = next(a for a in org.attacks if a.closes_user)
    user = org.user(closed.subject)
    assert user is not None and user.status == "Closed" and user.modified_ms == int(closed.at * 1000)
    night = Organization(seed=5, users=120, events=300, attacks=["off-hours-admin"]).attacks[0]
    assert dt.datetime.fromtimestamp(night.at, dt.UTC).hour in range(1, 5)


def test_scenarios_are_named_and_need_a_day_to_happen_in() -> None:
    assert scenario_names("all") == list(SCENARIOS)
    assert scenario_names("brute-force, tor-login") == ["brute-force", "tor-login"]
    with pytest.raises(ValueError, match="unknown attack scenario.*'phishing'"):
        scenario_names("phishing")
    with pytest.raises(ValueError, match="longer span"):
        Organization(seed=5, users=50, events=100, span_hours=2, attacks="all")
