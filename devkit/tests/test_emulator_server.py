"""Serving: HTTPS, start/stop, the CLI (in and out of process) and the control endpoints."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

from devkit.emulator import Emulator, ManualClock
from devkit.emulator.cli import add_arguments, build_emulator, write_instance
from devkit.tests.emulator_support import (
    ALL_SCOPES,
    INTEGRATION_KEY,
    REDIRECT_URI,
    access_token,
    keypair,
    session,
    setup_integration,
)

REPO = Path(__file__).resolve().parents[2]


def test_https_with_a_self_signed_certificate() -> None:
    with Emulator(seed=81, events=20, users=5, https=True, clock=ManualClock()) as emulator:
        assert emulator.base_url.startswith("https://127.0.0.1:") and emulator.ca_cert
        setup_integration(emulator)
        client = session(emulator)
        reply = client.get(f"{emulator.base_url}/api/v2.0/datasets/monitor/stream", params={"limit": 5}, timeout=10)
        assert reply.status_code == 200 and len(reply.json()["data"]) == 5
        assert client.get(f"{emulator.base_url}/oauth/userinfo", timeout=10).json()["accounts"][0]["base_uri"] == (
            emulator.base_url
        )
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{emulator.base_url}/oauth/userinfo", timeout=10)
        emulator.faults.add(path="monitor", kind="drop")
        with pytest.raises(requests.exceptions.ConnectionError):
            client.get(f"{emulator.base_url}/api/v2.0/datasets/monitor/stream", timeout=10)
    assert emulator.ca_cert is None


def test_start_stop_and_context_manager() -> None:
    emulator = Emulator(seed=82, events=1, users=2)
    with pytest.raises(RuntimeError):
        _ = emulator.host
    url = emulator.start()
    assert url == emulator.base_url and emulator.running
    with pytest.raises(RuntimeError):
        emulator.start()
    port = emulator.port
    emulator.stop()
    emulator.stop()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_localhost_is_an_accepted_audience() -> None:
    with Emulator(seed=83, events=1, users=2, clock=ManualClock()) as emulator:
        setup_integration(emulator)
        assert access_token(emulator, aud=f"localhost:{emulator.port}")


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="devkit")
    add_arguments(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["emulator", "serve", *argv])


def test_cli_builds_the_configured_emulator(tmp_path: Path) -> None:
    key_file = tmp_path / "public.pem"
    key_file.write_bytes(keypair()[1])
    args = parse(
        "--port", "0", "--seed", "9", "--events", "50", "--users", "12", "--burst-limit", "7", "--legacy-limit-status",
        "--no-monitor", "--https", "--fault", "monitor:status=500:count=2", "--fault", "token:drop",
        "--integration-key", INTEGRATION_KEY, "--public-key", str(key_file), "--redirect-uri", REDIRECT_URI,
        "--consent", ALL_SCOPES,
    )  # fmt: skip
    assert callable(args.func)
    emulator = build_emulator(args)
    assert len(emulator.org) == 12 and emulator.org.monitor_enabled is False and emulator.https
    assert emulator.limits.burst_limit == 7 and emulator.limits.legacy_status
    assert [fault.kind for fault in emulator.faults.list()] == ["status", "drop"]
    assert emulator.org.consented_scopes(INTEGRATION_KEY, emulator.org.admin_user_id) == set(ALL_SCOPES.split())
    with pytest.raises(SystemExit):
        parse("--fault")


def test_cli_serves_out_of_process_and_is_scriptable(tmp_path: Path) -> None:
    ready_file = tmp_path / "ready.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "devkit.emulator", "serve", "--port", "0", "--events", "30", "--users", "8"]
    process = subprocess.Popen(
        [*command, "--ready-file", str(ready_file)], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline())
        assert json.loads(ready_file.read_text()) == ready
        base = ready["base_url"]
        org = requests.get(f"{base}/_emulator/org", timeout=10).json()
        assert org["account_id"] == ready["account_id"] and org["users"] == 8
        integration = {"integration_key": INTEGRATION_KEY, "public_key_pem": keypair()[1].decode()}
        assert requests.post(f"{base}/_emulator/integrations", json=integration, timeout=10).status_code == 201
        consent = {"integration_key": INTEGRATION_KEY, "scopes": ALL_SCOPES.split()}
        assert requests.post(f"{base}/_emulator/consent", json=consent, timeout=10).status_code == 200

        import jwt

        now = int(requests.get(f"{base}/_emulator/org", timeout=10).json()["now"])
        claims = {"iss": INTEGRATION_KEY, "sub": ready["admin_user_id"], "aud": ready["host"], "iat": now}
        assertion = jwt.encode({**claims, "exp": now + 3600, "scope": ALL_SCOPES}, keypair()[0], algorithm="RS256")
        token = requests.post(
            f"{base}/oauth/token",
            data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
            timeout=10,
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        stream = requests.get(f"{base}/api/v2.0/datasets/monitor/stream", headers=headers, timeout=10)
        assert len(stream.json()["data"]) == 30

        changed = requests.post(f"{base}/_emulator/users/change", json={"n": 2}, timeout=10).json()["changed"]
        assert len(changed) == 2
        by_kind = requests.post(f"{base}/_emulator/users/change", json={"n": 1, "kind": "profile"}, timeout=10)
        assert len(by_kind.json()["changed"]) == 1
        wrong = requests.post(f"{base}/_emulator/users/change", json={"n": 1, "kind": "haircut"}, timeout=10)
        assert wrong.status_code == 400 and "profile" in wrong.json()["error"]
        assert requests.post(f"{base}/_emulator/clock/advance", json={"seconds": 10}, timeout=10).json()["now"] > now
        requests.post(f"{base}/_emulator/org", json={"monitor_enabled": False}, timeout=10)
        assert requests.get(f"{base}/api/v2/datasets/monitor/stream", headers=headers, timeout=10).status_code == 403
        assert requests.post(f"{base}/_emulator/revoke_tokens", timeout=10).json() == {"revoked": 1}
        log = requests.get(f"{base}/_emulator/requests", timeout=10).json()["requests"]
        assert [entry["endpoint"] for entry in log] == ["oauth.token", "monitor.stream", "monitor.stream"]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        if process.stdout is not None:
            process.stdout.close()


@pytest.mark.parametrize("response_actions", [False, True])
def test_write_instance_can_allow_response_actions_with_consent_to_user_write(
    tmp_path: Path, response_actions: bool
) -> None:
    """`emulator serve --write-instance FILE [--response-actions]`: a ready instance, consent to match."""
    with Emulator(seed=83, events=5, users=5, clock=ManualClock()) as emulator:
        path = write_instance(emulator, tmp_path / "inst.yml", response_actions)
        params = yaml.safe_load(path.read_text())["params"]
        assert params.get("allow_response_actions", False) is response_actions
        consented = emulator.org.consented_scopes(params["integration_key"], emulator.org.admin_user_id)
        assert ("user_write" in consented) is response_actions
        assert {"signature", "impersonation", "organization_read", "user_read"} <= consented
