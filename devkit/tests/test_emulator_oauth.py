"""OAuth: consent, the JWT grant and each of its errors, token expiry and revocation, userinfo."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, quote, urlsplit

import jwt
import pytest
import requests

from devkit import wiring
from devkit.emulator import Emulator, ManualClock
from devkit.tests.emulator_support import (
    ALL_SCOPES,
    INTEGRATION_KEY,
    REDIRECT_URI,
    assertion,
    keypair,
    non_admin_user_id,
    other_keypair,
    session,
    setup_integration,
    token_reply,
)

GUID_UNKNOWN = "00000000-1111-4222-8333-444444444444"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(seed=3, events=50, users=20, clock=ManualClock()) as running:
        setup_integration(running)
        yield running


def consent(emulator: Emulator, **params: str) -> requests.Response:
    query = {"response_type": "code", "client_id": INTEGRATION_KEY, "redirect_uri": REDIRECT_URI, "scope": ALL_SCOPES}
    query.update(params)
    return requests.get(f"{emulator.base_url}/oauth/auth", params=query, allow_redirects=False, timeout=10)


def test_consent_redirects_with_code_and_keeps_the_redirect_query(emulator: Emulator) -> None:
    user = non_admin_user_id(emulator)
    reply = consent(emulator, scope="signature impersonation", state="xyz", login_user_id=user)
    assert reply.status_code == 302
    location = urlsplit(reply.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI.split("?")[0]
    query = parse_qs(location.query)
    assert query["instance"] == ["docusign"] and query["state"] == ["xyz"] and query["code"][0]
    assert emulator.org.consented_scopes(INTEGRATION_KEY, user) >= {"signature", "impersonation"}
    assert token_reply(emulator, assertion(emulator, sub=user, scope="signature impersonation")).status_code == 200


def test_consent_scopes_joined_by_encoded_space_or_plus_both_parse(emulator: Emulator) -> None:
    user = [u.id for u in emulator.org.users if not u.is_org_admin][1]
    base = f"{emulator.base_url}/oauth/auth?response_type=code&client_id={INTEGRATION_KEY}&login_user_id={user}"
    redirect = quote(REDIRECT_URI, safe="")
    reply = requests.get(f"{base}&redirect_uri={redirect}&scope=signature%20impersonation", allow_redirects=False)
    assert reply.status_code == 302
    reply = requests.get(f"{base}&redirect_uri={redirect}&scope=user_read+organization_read", allow_redirects=False)
    assert reply.status_code == 302
    assert emulator.org.consented_scopes(INTEGRATION_KEY, user) == {
        "signature",
        "impersonation",
        "user_read",
        "organization_read",
    }


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"client_id": "not-registered"}, "invalid_client"),
        ({"redirect_uri": "https://evil.example.com/"}, "invalid_request"),
        ({"scope": ""}, "invalid_scope"),
        ({"login_user_id": GUID_UNKNOWN}, "invalid_request"),
    ],
)
def test_consent_rejects_bad_requests(emulator: Emulator, params: dict[str, str], error: str) -> None:
    reply = consent(emulator, **params)
    assert reply.status_code == 400
    assert reply.json()["error"] == error


def test_admin_consent_covers_every_user_of_the_organization() -> None:
    with Emulator(seed=4, events=10, users=10, clock=ManualClock()) as emulator:
        emulator.register_integration(INTEGRATION_KEY, keypair()[1], [REDIRECT_URI])
        user = non_admin_user_id(emulator)
        assert token_reply(emulator, assertion(emulator, sub=user)).json() == {"error": "consent_required"}
        denied = consent(emulator, scope="openid", admin_consent_scope="signature impersonation", login_user_id=user)
        assert denied.status_code == 400 and denied.json()["error"] == "access_denied"
        reply = consent(emulator, scope="openid", admin_consent_scope="signature impersonation")
        assert reply.status_code == 302
        ok = token_reply(emulator, assertion(emulator, sub=user, scope="signature impersonation"))
        assert ok.status_code == 200
        # Scopes outside the admin consent still need consent.
        assert token_reply(emulator, assertion(emulator, sub=user)).json() == {"error": "consent_required"}


def test_token_success_has_exactly_the_documented_fields(emulator: Emulator) -> None:
    reply = token_reply(emulator, assertion(emulator))
    assert reply.status_code == 200
    body = reply.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert reply.headers["X-DocuSign-TraceToken"]


def test_token_reply_can_include_scope(emulator: Emulator) -> None:
    emulator.options.include_scope_in_token = True
    try:
        body = token_reply(emulator, assertion(emulator, scope="signature impersonation")).json()
    finally:
        emulator.options.include_scope_in_token = False
    assert body["scope"] == "impersonation signature"


def _future(emulator: Emulator, seconds: int) -> int:
    return int(emulator.org.now()) + seconds


@pytest.mark.parametrize(
    ("case", "error", "description"),
    [
        ("no consent", "consent_required", None),
        ("other key", "invalid_grant", "no_valid_keys_or_signatures"),
        ("no exp", "invalid_grant", "no_valid_keys_or_signatures"),
        ("aud with scheme", "invalid_grant", "no_valid_keys_or_signatures"),
        ("aud with slash", "invalid_grant", "no_valid_keys_or_signatures"),
        ("aud of production", "invalid_grant", "issuer_not_found"),
        ("nbf in future", "invalid_grant", "no_valid_keys_or_signatures"),
        ("lifetime over a day", "invalid_grant", "no_valid_keys_or_signatures"),
        ("unknown iss", "invalid_grant", "issuer_not_found"),
        ("unknown sub", "invalid_grant", "user_not_found"),
        ("email as sub", "invalid_grant", "invalid_subject"),
        ("expired", "invalid_grant", "expired_grant"),
        ("HS256", "invalid_grant", "no_valid_keys_or_signatures"),
        ("garbage", "invalid_grant", "no_valid_keys_or_signatures"),
    ],
)
def test_token_errors_match_docusign(emulator: Emulator, case: str, error: str, description: str | None) -> None:
    now = int(emulator.org.now())
    text = {
        "no consent": lambda: assertion(emulator, sub=[u.id for u in emulator.org.users][-1]),
        "other key": lambda: assertion(emulator, private_pem=other_keypair()[0]),
        "no exp": lambda: assertion(emulator, exp=None),
        "aud with scheme": lambda: assertion(emulator, aud=f"http://{emulator.host}"),
        "aud with slash": lambda: assertion(emulator, aud=f"{emulator.host}/"),
        "aud of production": lambda: assertion(emulator, aud="account.docusign.com"),
        "nbf in future": lambda: assertion(emulator, nbf=now + 600),
        "lifetime over a day": lambda: assertion(emulator, exp=now + 86_401),
        "unknown iss": lambda: assertion(emulator, iss="ffffffff-ffff-4fff-8fff-ffffffffffff"),
        "unknown sub": lambda: assertion(emulator, sub=GUID_UNKNOWN),
        "email as sub": lambda: assertion(emulator, sub=emulator.org.admin_user.email),
        "expired": lambda: assertion(emulator, iat=now - 4000, exp=now - 400),
        "HS256": lambda: jwt.encode(
            {
                "iss": INTEGRATION_KEY,
                "sub": emulator.org.admin_user_id,
                "aud": emulator.host,
                "iat": now,
                "exp": now + 60,
            },
            "a-shared-secret-of-at-least-32-bytes!!",
            algorithm="HS256",
        ),
        "garbage": lambda: "not.a.jwt",
    }[case]()
    reply = token_reply(emulator, text)
    assert reply.status_code == 400
    expected = {"error": error} if description is None else {"error": error, "error_description": description}
    assert reply.json() == expected
    assert reply.headers["X-DocuSign-TraceToken"]


def test_unsupported_grant_type(emulator: Emulator) -> None:
    reply = token_reply(emulator, assertion(emulator), grant_type="client_credentials")
    assert reply.status_code == 400 and reply.json()["error"] == "unsupported_grant_type"


def test_pkcs1_private_keys_sign_as_well() -> None:
    from devkit.emulator import generate_rsa_keypair

    private_pem, public_pem = generate_rsa_keypair(fmt="pkcs1")
    assert private_pem.startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    with Emulator(seed=5, events=1, users=3, clock=ManualClock()) as emulator:
        wiring.register_key(emulator, "pkcs1-key", public_pem, scopes=ALL_SCOPES.split())
        reply = token_reply(emulator, assertion(emulator, private_pem=private_pem, iss="pkcs1-key"))
        assert reply.status_code == 200


def _stream(client: requests.Session, emulator: Emulator) -> requests.Response:
    return client.get(f"{emulator.base_url}/api/v2.0/datasets/monitor/stream", params={"limit": 1}, timeout=10)


def test_tokens_expire_with_the_clock() -> None:
    with Emulator(seed=6, events=10, users=5, clock=ManualClock(), token_lifetime=600) as emulator:
        setup_integration(emulator)
        reply = token_reply(emulator, assertion(emulator))
        assert reply.json()["expires_in"] == 600
        client = session(emulator, reply.json()["access_token"])
        assert _stream(client, emulator).status_code == 200
        emulator.advance(601)
        expired = _stream(client, emulator)
        assert expired.status_code == 401
        assert expired.json()["errorCode"] == "USER_AUTHENTICATION_FAILED"


def test_revoked_unknown_and_missing_tokens_are_rejected(emulator: Emulator) -> None:
    client = session(emulator)
    assert _stream(client, emulator).status_code == 200
    emulator.revoke_tokens()
    assert _stream(client, emulator).json()["errorCode"] == "USER_AUTHENTICATION_FAILED"
    assert _stream(session(emulator, "made-up"), emulator).status_code == 401
    bare = requests.get(f"{emulator.base_url}/api/v2.0/datasets/monitor/stream", timeout=10)
    assert bare.status_code == 401 and bare.json()["errorCode"] == "USER_AUTHENTICATION_FAILED"


def test_tokens_carry_only_the_requested_scopes(emulator: Emulator) -> None:
    client = session(emulator, scope="signature")
    reply = _stream(client, emulator)
    assert reply.status_code == 403
    assert reply.json()["errorCode"] == "USER_LACKS_PERMISSIONS"


def test_userinfo_points_every_account_at_the_emulator(emulator: Emulator) -> None:
    reply = session(emulator).get(f"{emulator.base_url}/oauth/userinfo", timeout=10)
    assert reply.status_code == 200
    body = reply.json()
    admin = emulator.org.admin_user
    assert body["sub"] == admin.id and body["email"] == admin.email
    assert body["given_name"] == admin.first_name and body["family_name"] == admin.last_name
    [account] = body["accounts"]
    assert account["account_id"] == emulator.org.account_id
    assert account["is_default"] is True
    assert account["base_uri"] == emulator.base_url
    assert account["organization"]["organization_id"] == emulator.org.organization_id
    assert requests.get(f"{emulator.base_url}/oauth/userinfo", timeout=10).status_code == 401
