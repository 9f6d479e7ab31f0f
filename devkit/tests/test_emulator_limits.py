"""Rate limits (hourly and burst, 429 or legacy 400, headers) and the trace token on every reply."""

from __future__ import annotations

import requests

from devkit.emulator import Emulator, ManualClock
from devkit.tests.emulator_support import session, setup_integration, token_reply

LIMIT_HEADERS = (
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-BurstLimit-Limit",
    "X-BurstLimit-Remaining",
)


def esign(emulator: Emulator, client: requests.Session) -> requests.Response:
    url = f"{emulator.base_url}/restapi/v2.1/accounts/{emulator.org.account_id}/users"
    return client.get(url, params={"count": 1}, timeout=10)


def test_burst_limit_then_recovery_after_30_seconds() -> None:
    clock = ManualClock(1_735_689_600.0)  # on a 30 s and an hour boundary
    with Emulator(seed=51, events=5, users=5, clock=clock, burst_limit=5, hourly_limit=100) as emulator:
        setup_integration(emulator)
        client = session(emulator)
        remaining = []
        for _ in range(5):
            reply = esign(emulator, client)
            assert reply.status_code == 200
            remaining.append(reply.headers["X-BurstLimit-Remaining"])
        assert remaining == ["4", "3", "2", "1", "0"]
        over = esign(emulator, client)
        assert over.status_code == 429
        assert over.json()["errorCode"] == "BURST_APIINVOCATION_LIMIT_EXCEEDED" and over.json()["message"]
        assert all(name in over.headers for name in LIMIT_HEADERS)
        assert over.headers["X-BurstLimit-Remaining"] == "0" and over.headers["X-RateLimit-Remaining"] == "95"
        emulator.advance(30)
        assert esign(emulator, client).status_code == 200


def test_hourly_limit_resets_at_the_top_of_the_hour() -> None:
    clock = ManualClock(1_735_689_600.0 + 600)
    with Emulator(seed=52, events=5, users=5, clock=clock, burst_limit=100, hourly_limit=3) as emulator:
        setup_integration(emulator)
        client = session(emulator)
        admin_url = f"{emulator.base_url}/management/v2/organizations/{emulator.org.organization_id}/users"
        first = client.get(admin_url, params={"account_id": emulator.org.account_id}, timeout=10)
        assert first.headers["X-RateLimit-Limit"] == "3" and first.headers["X-RateLimit-Remaining"] == "2"
        assert first.headers["X-RateLimit-Reset"] == str(1_735_689_600 + 3600)
        assert esign(emulator, client).status_code == 200
        assert esign(emulator, client).status_code == 200
        over = esign(emulator, client)
        assert over.status_code == 429 and over.json()["errorCode"] == "HOURLY_APIINVOCATION_LIMIT_EXCEEDED"
        emulator.advance(3000)  # 10:00 past the hour + 50:00 = the next hour
        assert esign(emulator, client).status_code == 200


def test_legacy_status_400() -> None:
    with Emulator(seed=53, events=5, users=5, clock=ManualClock(), burst_limit=1, legacy_limit_status=True) as emulator:
        setup_integration(emulator)
        client = session(emulator)
        assert esign(emulator, client).status_code == 200
        over = esign(emulator, client)
        assert over.status_code == 400
        assert over.json()["errorCode"] == "BURST_APIINVOCATION_LIMIT_EXCEEDED"
        assert over.headers["X-BurstLimit-Remaining"] == "0"


def test_monitor_and_oauth_are_not_metered() -> None:
    with Emulator(seed=54, events=5, users=5, clock=ManualClock(), burst_limit=2) as emulator:
        setup_integration(emulator)
        client = session(emulator)
        for _ in range(4):
            reply = client.get(f"{emulator.base_url}/api/v2.0/datasets/monitor/stream", timeout=10)
            assert reply.status_code == 200
            assert not any(name in reply.headers for name in LIMIT_HEADERS)
            assert client.get(f"{emulator.base_url}/oauth/userinfo", timeout=10).status_code == 200
        session(emulator)
        assert esign(emulator, client).headers["X-BurstLimit-Remaining"] == "1"


def test_trace_token_on_every_reply() -> None:
    with Emulator(seed=55, events=5, users=5, clock=ManualClock(), burst_limit=1) as emulator:
        setup_integration(emulator)
        client = session(emulator)
        replies = [
            esign(emulator, client),
            esign(emulator, client),  # 429
            client.get(f"{emulator.base_url}/nowhere", timeout=10),
            requests.get(f"{emulator.base_url}/oauth/userinfo", timeout=10),
            token_reply(emulator, "bad"),
            requests.get(f"{emulator.base_url}/oauth/auth", allow_redirects=False, timeout=10),
            client.get(f"{emulator.base_url}/api/v2.0/datasets/monitor/stream", params={"cursor": "x"}, timeout=10),
            client.post(f"{emulator.base_url}/api/v2.0/datasets/monitor/stream", timeout=10),
        ]
        assert [reply.status_code for reply in replies] == [200, 429, 404, 401, 400, 400, 400, 405]
        tokens = [reply.headers["X-DocuSign-TraceToken"] for reply in replies]
        assert len(set(tokens)) == len(tokens)
        assert [record.trace_token for record in emulator.requests][-len(tokens) :] == tokens
