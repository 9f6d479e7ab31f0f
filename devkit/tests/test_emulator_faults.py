"""Fault injection (each kind, matching, the spec syntax, the control endpoint) and the request log."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
import requests

from devkit.emulator import Emulator, ManualClock
from devkit.emulator.faults import FaultSet, FaultSpecError, parse_spec
from devkit.tests.emulator_support import session, setup_integration

STREAM = "/api/v2.0/datasets/monitor/stream"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(seed=61, events=200, users=20, clock=ManualClock(), burst_limit=10_000) as running:
        setup_integration(running)
        yield running


@pytest.fixture
def client(emulator: Emulator) -> Iterator[requests.Session]:
    emulator.faults.clear()
    yield session(emulator)
    emulator.faults.clear()


def stream(emulator: Emulator, client: requests.Session) -> requests.Response:
    return client.get(f"{emulator.base_url}{STREAM}", params={"limit": 50}, timeout=10)


def test_status_fault_for_the_next_n_requests(emulator: Emulator, client: requests.Session) -> None:
    emulator.faults.add(path=STREAM, kind="status", status=500, count=2)
    first, second, third = (stream(emulator, client) for _ in range(3))
    assert first.status_code == second.status_code == 500
    assert first.json() == {"errorCode": "INTERNAL_SERVER_ERROR", "message": "Injected fault: HTTP 500."}
    assert first.headers["X-DocuSign-TraceToken"]
    assert third.status_code == 200
    assert len(emulator.faults) == 0


def test_status_fault_with_a_given_body(emulator: Emulator, client: requests.Session) -> None:
    emulator.faults.add(path="monitor", kind="status", status=444, body="")
    reply = stream(emulator, client)
    assert reply.status_code == 444 and reply.content == b""


def test_delay(emulator: Emulator, client: requests.Session) -> None:
    emulator.faults.add(path="monitor", kind="delay", delay=0.3)
    started = time.perf_counter()
    reply = stream(emulator, client)
    assert reply.status_code == 200 and time.perf_counter() - started >= 0.3
    with pytest.raises(requests.exceptions.ReadTimeout):
        emulator.faults.add(path="monitor", kind="delay", delay=0.5)
        client.get(f"{emulator.base_url}{STREAM}", timeout=0.2)


def test_dropped_connection(emulator: Emulator, client: requests.Session) -> None:
    emulator.faults.add(path="monitor", kind="drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        stream(emulator, client)
    assert stream(emulator, client).status_code == 200
    dropped = [record for record in emulator.requests if record.fault == "drop"]
    assert dropped and dropped[-1].status == 0


def test_truncated_body(emulator: Emulator, client: requests.Session) -> None:
    emulator.faults.add(path="monitor", kind="truncate")
    with pytest.raises(requests.exceptions.RequestException):
        stream(emulator, client)
    assert stream(emulator, client).status_code == 200


def test_non_json_body(emulator: Emulator, client: requests.Session) -> None:
    emulator.faults.add(path="monitor", kind="non_json")
    reply = stream(emulator, client)
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("application/json")
    with pytest.raises(requests.exceptions.JSONDecodeError):
        reply.json()


def test_html_gateway_page(emulator: Emulator, client: requests.Session) -> None:
    emulator.faults.add(path="esign", kind="html")
    reply = client.get(f"{emulator.base_url}/restapi/v2.1/accounts/{emulator.org.account_id}/users", timeout=10)
    assert reply.status_code == 503
    assert reply.headers["Content-Type"].startswith("text/html") and "<html>" in reply.text


def test_retry_after_on_429(emulator: Emulator, client: requests.Session) -> None:
    emulator.faults.add(path="admin", kind="retry_after", retry_after=7)
    url = f"{emulator.base_url}/management/v2/organizations"
    reply = client.get(url, timeout=10)
    assert reply.status_code == 429 and reply.headers["Retry-After"] == "7"
    assert reply.json()["errorCode"] == "BURST_APIINVOCATION_LIMIT_EXCEEDED"
    assert client.get(url, timeout=10).status_code == 200


def test_oauth_faults_use_the_oauth_error_shape(emulator: Emulator) -> None:
    emulator.faults.add(path="token", kind="status", status=503)
    reply = requests.post(f"{emulator.base_url}/oauth/token", data={}, timeout=10)
    assert reply.status_code == 503 and reply.json()["error"] == "temporarily_unavailable"


def test_matching_by_glob_regex_route_and_method() -> None:
    faults = FaultSet()
    faults.add(path="/restapi/*/users", kind="drop", count=None)
    assert faults.take("GET", "/restapi/v2.1/accounts/abc/users", "esign.users")
    assert not faults.take("GET", "/restapi/v2.1/accounts/abc/users/u1", "esign.user")
    faults.clear()
    faults.add(regex=r"/users/[^/]+$", kind="drop")
    assert faults.take("GET", "/restapi/v2.1/accounts/abc/users/u1", "esign.user")
    faults.add(path="esign.user", kind="drop", method="POST")
    assert not faults.take("GET", "/x", "esign.user")
    assert faults.take("POST", "/x", "esign.user")
    with pytest.raises(FaultSpecError):
        faults.add(path="monitor", kind="explode")
    with pytest.raises(FaultSpecError):
        faults.add(path="monitor", kind="status")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("monitor:status=500:count=2", {"path": "monitor", "kind": "status", "status": 500, "count": 2}),
        ("token:drop", {"path": "token", "kind": "drop"}),
        (
            "esign:retry_after=30:count=always",
            {"path": "esign", "kind": "retry_after", "retry_after": 30, "count": None},
        ),
        ("/api/*:html=502:delay=0.5", {"path": "/api/*", "kind": "html", "status": 502, "delay": 0.5}),
        (
            "~/users$:non_json:method=GET:body=a:b",
            {"regex": "/users$", "kind": "non_json", "method": "GET", "body": "a:b"},
        ),
        ("admin:delay=2", {"path": "admin", "kind": "delay", "delay": 2.0}),
    ],
)
def test_spec_syntax(spec: str, expected: dict[str, object]) -> None:
    parsed = {key: value for key, value in parse_spec(spec).items() if value is not None or key == "count"}
    if "count" not in expected and parsed.get("count", 1) is None:
        parsed.pop("count")
    assert parsed == expected
    FaultSet().add_spec(spec)


@pytest.mark.parametrize("spec", ["monitor", "monitor:boom", "monitor:status=abc", "monitor:drop=3", "monitor:drop:x"])
def test_bad_specs_are_rejected(spec: str) -> None:
    with pytest.raises(FaultSpecError):
        parse_spec(spec)


def test_control_endpoints(emulator: Emulator, client: requests.Session) -> None:
    control = f"{emulator.base_url}/_emulator/faults"
    added = requests.post(control, json=[{"path": "monitor", "kind": "status", "status": 502}, {"spec": "esign:drop"}])
    assert added.status_code == 201 and len(added.json()["added"]) == 2
    assert len(requests.get(control, timeout=10).json()["faults"]) == 2
    assert stream(emulator, client).status_code == 502
    assert requests.post(control, json={"path": "monitor", "kind": "nope"}, timeout=10).status_code == 400
    requests.delete(control, timeout=10)
    assert requests.get(control, timeout=10).json() == {"faults": []}


def test_stats_and_request_log(emulator: Emulator, client: requests.Session) -> None:
    emulator.reset_stats()
    assert emulator.stats().total == 0 and emulator.requests == []
    emulator.faults.add(path="monitor", kind="status", status=500)
    stream(emulator, client)
    stream(emulator, client)
    stats = emulator.stats()
    assert stats.counters[("GET", "monitor.stream")] == {500: 1, 200: 1}
    assert stats.count("monitor.stream", 200) == 1 and stats.count("monitor.") == 2
    assert stats.faults == {"status": 1}
    record = emulator.requests[-1]
    assert (record.method, record.path, record.status, record.endpoint) == ("GET", STREAM, 200, "monitor.stream")
    assert record.query == "limit=50" and record.duration_ms > 0
    remote = requests.get(f"{emulator.base_url}/_emulator/stats", timeout=10).json()
    assert remote["endpoints"]["GET monitor.stream"] == {"200": 1, "500": 1} and remote["total"] == 2
    assert json.loads(json.dumps(stats)) == remote
    requests.post(f"{emulator.base_url}/_emulator/stats/reset", timeout=10)
    assert emulator.stats().total == 0
