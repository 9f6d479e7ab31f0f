"""Consent, token and test-module through the real HTTP path: integration + emulator (+ engine)."""

from __future__ import annotations

import re
from typing import Any

import Docusign
import pytest

from devkit.emulator import Emulator, generate_rsa_keypair
from devkit.platform_modules import platform as PLATFORM
from devkit.wiring import CONSENT_COMMAND, follow_consent_link

from .conftest import INTEGRATION_KEY, REDIRECT_URL, EmulatorFactory, EngineFor, KeyPair, instance_params


@pytest.fixture(autouse=True)
def fresh_platform() -> Any:
    yield PLATFORM.reset()
    PLATFORM.reset()


def test_consent_then_token_then_test_module(emulator_factory: EmulatorFactory, engine_for: EngineFor) -> None:
    emulator = emulator_factory(consent=False, events=50, users=20)
    engine = engine_for(emulator)

    before = engine.run("test-module")
    assert before.status == "error" and "docusign-generate-consent-url" in (before.error or "")

    reply = follow_consent_link(engine.run(CONSENT_COMMAND))
    assert reply.status_code == 302
    assert reply.headers["Location"].startswith(REDIRECT_URL + "&code=")

    after = engine.run("test-module")
    assert after.ok and after.entries[-1]["Contents"] == "ok"
    assert emulator.stats().count("oauth.token", 200) == 1
    assert engine.last_run == {}  # test-module never touches fetch state
    assert engine.integration_context["token_scopes"] == [
        "signature",
        "impersonation",
        "organization_read",
        "user_read",
    ]


def test_admin_consent_link_works_for_all_users(emulator_factory: EmulatorFactory, engine_for: EngineFor) -> None:
    emulator = emulator_factory(consent=False, events=10, users=10)
    engine = engine_for(emulator)
    assert follow_consent_link(engine.run(CONSENT_COMMAND), admin=True).status_code == 302
    assert engine.run("test-module").ok


def settings_for(emulator: Emulator, private_pem: bytes, **overrides: Any) -> Docusign.Settings:
    return Docusign.Settings.from_params(instance_params(emulator, private_pem, **overrides))


@pytest.mark.parametrize(
    "change, expected",
    [
        ("other-key", "Private Key does not match"),
        ("unknown-integration", "does not know this Integration Key in this environment"),
        ("unknown-user", "does not know the User ID"),
        ("no-consent", "docusign-generate-consent-url"),
    ],
)
def test_token_errors_from_docusign_are_actionable(
    change: str, expected: str, emulator_factory: EmulatorFactory, keypair: KeyPair
) -> None:
    emulator = emulator_factory(consent=change != "no-consent", events=10, users=10)
    overrides: dict[str, Any] = {}
    private = keypair[0]
    if change == "other-key":
        private = generate_rsa_keypair()[0]
    if change == "unknown-integration":
        overrides["integration_key"] = "00000000-1111-2222-3333-444444444444"
    if change == "unknown-user":
        overrides["user_id"] = "00000000-1111-2222-3333-555555555555"
    client = Docusign.DocuSignClient(settings_for(emulator, private, **overrides))
    with pytest.raises(Docusign.ApiError, match=re.escape(expected)) as info:
        Docusign.check_connection(client)
    assert info.value.trace_token  # the emulator sends X-DocuSign-TraceToken like DocuSign


def test_revoked_token_is_renewed_once(emulator_factory: EmulatorFactory, keypair: KeyPair) -> None:
    emulator = emulator_factory(events=10, users=10)
    client = Docusign.DocuSignClient(settings_for(emulator, keypair[0]))
    Docusign.get_userinfo(client)  # (the Test button would mint a new token anyway: a fetch's calls here)
    emulator.revoke_tokens()
    Docusign.get_userinfo(client)
    assert client.ctx.stats.token_renewals == 1
    assert emulator.stats().count("oauth.token", 200) == 2


def test_short_lived_token_is_reused_then_renewed_before_expiry(
    emulator_factory: EmulatorFactory, keypair: KeyPair
) -> None:
    from devkit.emulator import ManualClock

    clock = ManualClock()
    emulator = emulator_factory(events=10, users=10, token_lifetime=600, clock=clock)
    client = Docusign.DocuSignClient(settings_for(emulator, keypair[0]))
    Docusign.get_userinfo(client)
    Docusign.get_userinfo(client)
    assert emulator.stats().count("oauth.token", 200) == 1  # a 10-minute token is not renewed at once
    cached = PLATFORM.integration_context
    cached["token_expires_at"] = "2000-01-01T00:00:00+00:00"  # the integration's clock says it expired
    PLATFORM.integration_context = cached
    clock.advance(700)  # and DocuSign's agrees
    Docusign.get_userinfo(client)
    assert emulator.stats().count("oauth.token", 200) == 2
    assert emulator.stats().count("oauth.userinfo", 401) == 0


def test_monitor_without_entitlement_explains_403(emulator_factory: EmulatorFactory, engine_for: EngineFor) -> None:
    emulator = emulator_factory(events=10, users=10, monitor_enabled=False)
    result = engine_for(emulator).run("test-module")
    assert result.status == "error" and result.error is not None
    assert "DocuSign Monitor in its plan" in result.error
    assert "X-DocuSign-TraceToken" in result.error


def test_https_emulator_with_and_without_trust(emulator_factory: EmulatorFactory, engine_for: EngineFor) -> None:
    emulator = emulator_factory(events=10, users=10, https=True)
    assert emulator.base_url.startswith("https://")
    trusted = engine_for(emulator, name="trusted")
    assert trusted.run("test-module").ok
    untrusting = engine_for(emulator, name="untrusting")
    untrusting.instance.env.pop("REQUESTS_CA_BUNDLE", None)
    result = untrusting.run("test-module", env={"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": ""})
    assert result.status == "error" and "SSL" in (result.error or "")
    insecure = engine_for(emulator, name="insecure", insecure=True)
    assert insecure.run("test-module", env={"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": ""}).ok


def test_wrong_account_id_is_named(emulator_factory: EmulatorFactory, engine_for: EngineFor) -> None:
    emulator = emulator_factory(events=10, users=10)
    result = engine_for(emulator, account_id="0f0f0f0f-1111-2222-3333-444444444444").run("test-module")
    assert result.status == "error" and result.error is not None
    assert "no access to Account ID 0f0f0f0f-1111-2222-3333-444444444444" in result.error
    assert INTEGRATION_KEY not in result.error or "Integration Key" in result.error
