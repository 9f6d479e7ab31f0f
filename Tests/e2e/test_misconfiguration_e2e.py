"""Each setting misconfigured on purpose, in an instance that was fetching well: Test fails with a message that says
what to fix, fetch fails (or reports the one type it stops) with the same message, and the saved state of what
failed stays as it was. Run with ``-s`` to print every message (the closing notes quote them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devkit import wiring
from devkit.emulator import Emulator, generate_rsa_keypair
from devkit.engine import Engine, RunResult

from .conftest import INTEGRATION_KEY, REDIRECT_URL, KeyPair, instance_params

EVERY_TYPE = ("customer_events", "audit_users")
AUDIT_USERS = ("audit_users",)


@dataclass(frozen=True)
class Case:
    name: str
    change: Callable[[Emulator, KeyPair], dict[str, Any]]  # parameter overrides
    message: str | tuple[str, ...]  # fragments of what the user reads, from Test and from fetch
    stopped: tuple[str, ...] = EVERY_TYPE  # the state slices the misconfiguration must leave untouched


def key(text: Callable[[KeyPair], bytes]) -> Callable[[Emulator, KeyPair], dict[str, Any]]:
    """The Private Key parameter changed to ``text(keypair)``."""
    return lambda _emulator, keypair: {"private_pem": text(keypair)}


def same(**overrides: Any) -> Callable[[Emulator, KeyPair], dict[str, Any]]:
    return lambda _emulator, _keypair: overrides


CASES = [
    # The cases.
    Case(
        "unregistered Integration Key (token cached)",
        same(integration_key="00000000-1111-2222-3333-444444444444"),
        "DocuSign does not know this Integration Key in this environment",
    ),
    Case(
        "unknown User ID (token cached)",
        same(user_id="00000000-1111-2222-3333-555555555555"),
        "DocuSign does not know the User ID",
    ),
    Case(
        "another RSA key (token cached)",
        key(lambda _: generate_rsa_keypair()[0]),
        "the Private Key does not match any RSA key pair registered",
    ),
    Case(
        "first fetch in the future",
        same(first_fetch="2099-01-01"),
        "First fetch time '2099-01-01' is in the future; use a time in the past",
    ),
    Case(
        "Account ID of no account of the user",
        same(account_id="00000000-1111-2222-3333-666666666666"),
        "The impersonated user has no access to Account ID 00000000-1111-2222-3333-666666666666",
        AUDIT_USERS,
    ),
    Case(
        "Organization ID missing, Audit Users selected",
        same(organization_id=None, monitor_api="v2.0 (lens)"),
        "Audit Users needs the Organization ID (DocuSign Admin > Organizations): set it, or deselect Audit Users.",
        AUDIT_USERS,
    ),
    Case(
        "Account ID missing, Audit Users selected",
        same(account_id=None),
        "Audit Users needs the Account ID (the API Account ID on DocuSign's Apps and Keys page)",
        AUDIT_USERS,
    ),
    Case(
        "User ID is an e-mail address", same(user_id="admin@example.com"), "User ID is an e-mail address; use the GUID"
    ),
    Case("truncated private key", key(lambda k: k[0][: len(k[0]) // 2]), "no END line"),
    # Ten more of our own.
    Case(
        "Integration Key not a GUID",
        same(integration_key="3c1b9f0e-7a2d"),
        "Integration Key must be a GUID like 0a1b2c3d-1111-2222-3333-444455556666; got a value of 13 characters. "
        "Copy it from Apps and Keys (Integration Key of the app).",
    ),
    Case(
        "Organization ID of another organization",
        same(organization_id="00000000-1111-2222-3333-777777777777"),
        "Organization '00000000-1111-2222-3333-777777777777' was not found",
        AUDIT_USERS,  # customer events go on from Monitor v2.0, saying so on health
    ),
    Case("public key pasted as the private key", key(lambda k: k[1]), "public key"),
    Case("private key is not PEM at all", key(lambda _: b"hello"), "Private Key"),
    Case("first fetch is not a time", same(first_fetch="banana"), "First fetch time"),
    Case("event type misspelt", same(event_types=["Customer evnts"]), "Unknown event type"),
    Case("Monitor API unknown", same(monitor_api="v3"), "Monitor API 'v3' is not one of"),
    Case("quota share above 100", same(quota_share="150"), "Maximum share of DocuSign's hourly API quota"),
    Case("maximum events not a number", same(max_customer_events_per_fetch="lots"), "Maximum number of customer"),
    Case(
        "nothing listens at the Server URL",
        same(url="http://127.0.0.1:9"),
        (
            "calling oauth.token (127.0.0.1:9) after",
            "the connection was refused (ConnectionError); check the Server URL",
        ),
    ),
]


@pytest.fixture(scope="module")
def emulator(keypair: KeyPair) -> Any:
    with Emulator(seed=5, events=200, users=40, span_hours=24) as emulator:
        wiring.register_key(emulator, INTEGRATION_KEY, keypair[1], REDIRECT_URL)
        yield emulator


def engine_with(folder: Path, emulator: Emulator, keypair: KeyPair, **overrides: Any) -> Engine:
    private_pem = overrides.pop("private_pem", keypair[0])
    return wiring.write_engine(folder, "misconfigured", emulator, instance_params(emulator, private_pem, **overrides))


def what_the_user_reads(result: RunResult) -> str:
    """The War Room's error entry, or what module health shows (its error, then its warnings)."""
    errors = [str(e["Contents"]).split("Error:\n", 1)[-1] for e in result.entries if e.get("Type") == 4]
    health = [str(item) for entry in result.module_health for item in entry if isinstance(item, str)]
    return " | ".join(errors + health)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_misconfiguration_says_what_to_fix_and_keeps_the_state(
    case: Case, emulator: Emulator, keypair: KeyPair, tmp_path: Path
) -> None:
    good = engine_with(tmp_path, emulator, keypair, max_customer_events_per_fetch="5000")
    assert good.run("fetch-events").ok  # state saved, a token cached
    before = good.last_run
    assert set(EVERY_TYPE) <= set(before) and good.integration_context.get("access_token")

    bad = engine_with(tmp_path, emulator, keypair, **case.change(emulator, keypair))
    test = bad.run("test-module")
    fetch = bad.run("fetch-events")

    print(f"\n[{case.name}]\n  Test:  {what_the_user_reads(test)}\n  fetch: {what_the_user_reads(fetch)}")
    fragments = case.message if isinstance(case.message, tuple) else (case.message,)
    assert not test.ok and all(f in what_the_user_reads(test) for f in fragments)
    assert all(f in what_the_user_reads(fetch) for f in fragments)
    after = bad.last_run
    assert {k: after.get(k) for k in case.stopped} == {k: before.get(k) for k in case.stopped}
    if case.stopped == AUDIT_USERS:  # the other type goes on
        assert fetch.ok and (fetch.report or {})["types"]["Customer events"]["error"] == ""
