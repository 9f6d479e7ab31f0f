"""Unit tests for the DocuSign integration: settings, keys, JWT, tokens, HTTP policy and admin commands.

HTTP is mocked with requests-mock using DocuSign-shaped replies; platform state is
read from the stand-in ``demistomock.platform``.
"""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import demistomock as demisto
import Docusign
import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

TEST_DATA = Path(__file__).parent / "test_data"
DEV = "https://account-d.docusign.com"
LENS = "https://lens-d.docusign.net"
ADMIN = "https://api-d.docusign.net/management"
INTEGRATION_KEY = "0b2a1f7e-5c1d-4b8e-9f2a-3c4d5e6f7a8b"
USER_ID = "9cfb472b-ef1f-4116-8df2-17c53841fd6c"
ACCOUNT_ID = "8949bd2a-f1fc-4c95-ae8e-9e294b2af5b7"
ORG_ID = "5e8a6f0c-2b3d-4c5e-8f9a-0b1c2d3e4f5a"
TOKEN = "eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2In0.access-token-for-tests.c2lnbmF0dXJl"
TRACE = {"X-DocuSign-TraceToken": "5f2b7a1e-0c3d-4e5f-9a8b-7c6d5e4f3a2b"}


def load_json(name: str):
    return json.loads((TEST_DATA / name).read_text())


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def pkcs1_pem(rsa_key) -> str:
    return rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="session")
def pkcs8_pem(rsa_key) -> str:
    return rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="session")
def public_pem(rsa_key) -> str:
    return (
        rsa_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def make_params(key_pem: str, **overrides) -> dict:
    params = {
        "url": DEV,
        "integration_key": INTEGRATION_KEY,
        "user_id": USER_ID,
        "redirect_url": "https://example.com/callback",
        "credentials": {"identifier": "", "password": key_pem},
        "account_id": ACCOUNT_ID,
        "organization_id": ORG_ID,
        "event_types": ["Customer events", "Audit Users"],
        "first_fetch": "3 days",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


@pytest.fixture(autouse=True)
def fresh_platform():
    demisto.platform.reset()
    yield demisto.platform
    demisto.platform.reset()


@pytest.fixture
def no_sleep(mocker):
    return mocker.patch.object(Docusign.time, "sleep")


@pytest.fixture
def params(pkcs1_pem) -> dict:
    return make_params(pkcs1_pem)


@pytest.fixture
def settings(params) -> "Docusign.Settings":
    return Docusign.Settings.from_params(params)


def userinfo(account_id: str = ACCOUNT_ID, base_uri: str = "https://demo.docusign.net") -> dict:
    return {
        "sub": USER_ID,
        "name": "Security Admin",
        "given_name": "Security",
        "family_name": "Admin",
        "created": "2021-02-01T10:00:00.000Z",
        "email": "secadmin@example.com",
        "accounts": [
            {
                "account_id": account_id,
                "is_default": True,
                "account_name": "Example Corp",
                "base_uri": base_uri,
                "organization": {"organization_id": ORG_ID, "links": []},
            }
        ],
    }


def mock_token(requests_mock, token: str = TOKEN, expires_in: int = 3600):
    return requests_mock.post(
        f"{DEV}/oauth/token",
        json={"access_token": token, "token_type": "Bearer", "expires_in": expires_in},
        headers=TRACE,
    )


def mock_healthy_apis(requests_mock):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    requests_mock.get(f"{LENS}/api/v2.0/datasets/monitor/stream", json={"endCursor": "aa_1_1", "data": []})
    requests_mock.get(
        f"{ADMIN}/v2/organizations/{ORG_ID}/users",
        json={"users": [], "paging": {"result_set_size": 0, "total_set_size": 0}},
        headers=TRACE,
    )


def run_command(command: str, params: dict, args: dict | None = None, last_run: dict | None = None):
    """Run main() as the platform does; returns the platform state afterwards."""
    demisto.platform.params = params
    demisto.platform.command = command
    demisto.platform.args = args or {}
    if last_run is not None:
        demisto.platform.last_run = last_run
    try:
        Docusign.main()
    except SystemExit as exc:
        assert exc.code == 0
    return demisto.platform


def error_entries(platform) -> list[str]:
    return [e["Contents"] for e in platform.results if isinstance(e, dict) and e.get("Type") == 4]


# ---------------------------------------------------------------------------- private keys


def spaced(pem: str) -> str:
    """What a type-9 password field does to a pasted PEM: newlines become spaces."""
    return pem.strip().replace("\n", " ")


@pytest.mark.parametrize(
    "form",
    [
        pytest.param(lambda p1, p8: p1, id="pkcs1"),
        pytest.param(lambda p1, p8: p8, id="pkcs8"),
        pytest.param(lambda p1, p8: spaced(p1), id="pkcs1-spaces"),
        pytest.param(lambda p1, p8: spaced(p8), id="pkcs8-spaces"),
        pytest.param(lambda p1, p8: p1.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda p1, p8: "\n  \t" + p8 + "  \n\n", id="surrounding-blanks"),
    ],
)
def test_accepted_key_forms(form, pkcs1_pem, pkcs8_pem, rsa_key):
    key = Docusign.load_private_key(form(pkcs1_pem, pkcs8_pem))
    assert key.private_numbers() == rsa_key.private_numbers()


def encrypted_pkcs8(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
    ).decode()


def encrypted_pkcs1(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.BestAvailableEncryption(b"pw"),
    ).decode()


def certificate(key) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "docusign-test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def ec_pem(fmt) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode()


@pytest.mark.parametrize(
    "make, expected",
    [
        pytest.param(lambda k, pub: encrypted_pkcs8(k), "encrypted with a passphrase", id="encrypted-pkcs8"),
        pytest.param(lambda k, pub: encrypted_pkcs1(k), "encrypted with a passphrase", id="encrypted-pkcs1"),
        pytest.param(lambda k, pub: pub, "holds a public key, not a private key", id="public-key"),
        pytest.param(lambda k, pub: certificate(k), "holds a certificate, not a private key", id="certificate"),
        pytest.param(
            lambda k, pub: ec_pem(serialization.PrivateFormat.TraditionalOpenSSL), "is an EC key", id="ec-sec1"
        ),
        pytest.param(lambda k, pub: ec_pem(serialization.PrivateFormat.PKCS8), "is not an RSA key", id="ec-pkcs8"),
        pytest.param(lambda k, pub: "not a key at all", "is not a PEM key", id="garbage"),
        pytest.param(
            lambda k, pub: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----",
            "could not be read",
            id="damaged",
        ),
    ],
)
def test_rejected_key_forms(make, expected, rsa_key, public_pem):
    with pytest.raises(Docusign.DocusignError, match=expected):
        Docusign.load_private_key(make(rsa_key, public_pem))


def test_rejected_key_reaches_user_as_error_entry(pkcs1_pem, public_pem, requests_mock):
    platform = run_command("test-module", make_params(public_pem))
    assert error_entries(platform) and "public key, not a private key" in error_entries(platform)[0]
    assert not requests_mock.called


# ---------------------------------------------------------------------------- settings and hosts


@pytest.mark.parametrize(
    "field, label",
    [
        ("integration_key", "Integration Key"),
        ("user_id", "User ID"),
        ("account_id", "Account ID"),
        ("organization_id", "Organization ID"),
    ],
)
def test_guid_fields_name_the_field(field, label, pkcs1_pem):
    with pytest.raises(Docusign.DocusignError, match=f"^{label}.*must be a GUID"):
        Docusign.Settings.from_params(make_params(pkcs1_pem, **{field: "admin@example.com"}))


def test_account_and_org_required_only_for_audit_users(pkcs1_pem):
    only_events = make_params(pkcs1_pem, account_id=None, organization_id=None, event_types=["Customer events"])
    assert Docusign.Settings.from_params(only_events).event_types == ("Customer events",)
    with pytest.raises(Docusign.DocusignError, match="Account ID .*is required"):
        Docusign.Settings.from_params(make_params(pkcs1_pem, account_id=None, event_types=["Audit Users"]))


@pytest.mark.parametrize(
    "url, oauth, monitor, admin, audience",
    [
        (DEV, DEV, LENS, ADMIN, "account-d.docusign.com"),
        (
            "https://account.docusign.com/",
            "https://account.docusign.com",
            "https://lens.docusign.net",
            "https://api.docusign.net/management",
            "account.docusign.com",
        ),
        (
            "https://docusign-gw.corp.example:8443/ds/",
            "https://docusign-gw.corp.example:8443/ds",
            "https://docusign-gw.corp.example:8443/ds",
            "https://docusign-gw.corp.example:8443/ds/management",
            "docusign-gw.corp.example:8443",
        ),
        (
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/management",
            "127.0.0.1:8080",
        ),
        (
            "http://localhost:9000",
            "http://localhost:9000",
            "http://localhost:9000",
            "http://localhost:9000/management",
            "localhost:9000",
        ),
        ("http://[::1]:9000", "http://[::1]:9000", "http://[::1]:9000", "http://[::1]:9000/management", "[::1]:9000"),
    ],
)
def test_hosts_for_environments_and_gateways(url, oauth, monitor, admin, audience):
    hosts = Docusign.Hosts.for_server_url(url)
    assert (hosts.oauth, hosts.monitor, hosts.admin, hosts.audience) == (oauth, monitor, admin, audience)


@pytest.mark.parametrize("url", ["http://docusign-gw.corp.example", "http://10.0.0.5:8080", "ftp://x", "not a url"])
def test_http_only_for_loopback(url):
    with pytest.raises(Docusign.DocusignError, match="http://|not a URL"):
        Docusign.Hosts.for_server_url(url)


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("max_customer_events_per_fetch", "20001", "between 1 and 20000"),
        ("max_user_events_per_fetch", "0", "between 1 and 10000"),
        ("max_customer_events_per_fetch", "many", "whole number"),
        ("first_fetch", "whenever you like", "not understood"),
        ("event_types", ["Logins"], "Unknown event type"),
    ],
)
def test_bad_parameters_are_explained(name, value, message, pkcs1_pem):
    with pytest.raises(Docusign.DocusignError, match=message):
        Docusign.Settings.from_params(make_params(pkcs1_pem, **{name: value}))


def test_scopes_follow_event_types(pkcs1_pem):
    events_only = Docusign.Settings.from_params(make_params(pkcs1_pem, event_types=["Customer events"]))
    users_only = Docusign.Settings.from_params(make_params(pkcs1_pem, event_types=["Audit Users"]))
    assert events_only.scopes == ("signature", "impersonation")
    # The public pack omitted impersonation for Audit Users alone, so every token call failed.
    assert users_only.scopes == ("signature", "impersonation", "organization_read", "user_read")


# ---------------------------------------------------------------------------- JWT


def test_jwt_claims_verify_with_public_key(settings, rsa_key):
    now = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
    assertion = Docusign.build_assertion(settings, settings.scopes, now)
    assert jwt.get_unverified_header(assertion) == {"alg": "RS256", "typ": "JWT"}
    claims = jwt.decode(
        assertion,
        rsa_key.public_key(),
        algorithms=["RS256"],
        audience="account-d.docusign.com",
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims == {
        "iss": INTEGRATION_KEY,
        "sub": USER_ID,
        "aud": "account-d.docusign.com",
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + 3600,
        "scope": "signature impersonation organization_read user_read",
    }


def test_jwt_aud_keeps_non_default_port(pkcs1_pem, rsa_key):
    settings = Docusign.Settings.from_params(make_params(pkcs1_pem, url="http://127.0.0.1:8765"))
    assertion = Docusign.build_assertion(settings, ["signature"])
    claims = jwt.decode(assertion, rsa_key.public_key(), algorithms=["RS256"], audience="127.0.0.1:8765")
    assert claims["aud"] == "127.0.0.1:8765"


# ---------------------------------------------------------------------------- tokens


def client_for(settings, **kw) -> "Docusign.DocuSignClient":
    return Docusign.DocuSignClient(settings, sleep=lambda s: None, **kw)


def test_token_minted_once_and_reused(settings, requests_mock):
    token_call = mock_token(requests_mock)
    client = client_for(settings)
    assert client.tokens.get(settings.scopes) == TOKEN
    assert client.tokens.get(settings.scopes) == TOKEN
    assert token_call.call_count == 1
    form = parse_qs(token_call.last_request.text)
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    cached = demisto.platform.integration_context
    assert cached["access_token"] == TOKEN
    assert cached["token_scopes"] == list(settings.scopes)
    expires = datetime.fromisoformat(cached["token_expires_at"])
    assert expires.tzinfo is not None and timedelta(minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=1)


def test_token_renewed_inside_fifteen_minute_margin(settings, requests_mock):
    token_call = mock_token(requests_mock)
    client = client_for(settings)
    now = datetime.now(UTC)
    client.tokens.get(settings.scopes, now=now)
    client.tokens.get(settings.scopes, now=now + timedelta(minutes=44))  # 16 min left: reuse
    assert token_call.call_count == 1
    client.tokens.get(settings.scopes, now=now + timedelta(minutes=45, seconds=1))  # under 15 min left
    assert token_call.call_count == 2


def test_token_renewed_when_scopes_grow(pkcs1_pem, requests_mock):
    token_call = mock_token(requests_mock)
    events_only = Docusign.Settings.from_params(make_params(pkcs1_pem, event_types=["Customer events"]))
    client_for(events_only).tokens.get(events_only.scopes)
    both = Docusign.Settings.from_params(make_params(pkcs1_pem))
    client_for(both).tokens.get(both.scopes)
    assert token_call.call_count == 2
    assert (
        "organization_read user_read"
        in jwt.decode(parse_qs(token_call.last_request.text)["assertion"][0], options={"verify_signature": False})[
            "scope"
        ]
    )


def test_token_reply_without_scope_or_expiry_still_works(settings, requests_mock):
    requests_mock.post(f"{DEV}/oauth/token", json={"access_token": TOKEN, "token_type": "Bearer"})
    assert client_for(settings).tokens.get(settings.scopes) == TOKEN


def test_one_renewal_on_401_then_success(settings, requests_mock):
    token_call = mock_token(requests_mock)
    stream = requests_mock.get(
        f"{LENS}/api/v2.0/datasets/monitor/stream",
        [
            {"status_code": 401, "json": {"errorCode": "USER_AUTHENTICATION_FAILED", "message": "expired"}},
            {"json": {"endCursor": "c1", "data": []}},
        ],
    )
    client = client_for(settings)
    assert Docusign.get_monitor_stream(client, "", 1) == {"endCursor": "c1", "data": []}
    assert token_call.call_count == 2 and stream.call_count == 2
    assert client.stats.token_renewals == 1


def test_second_401_is_an_error_not_a_loop(settings, requests_mock):
    token_call = mock_token(requests_mock)
    stream = requests_mock.get(
        f"{LENS}/api/v2.0/datasets/monitor/stream",
        status_code=401,
        json={"errorCode": "USER_AUTHENTICATION_FAILED", "message": "bad token"},
        headers=TRACE,
    )
    with pytest.raises(Docusign.ApiError, match="rejected the access token.*TraceToken: 5f2b7a1e") as info:
        Docusign.get_monitor_stream(client_for(settings), "", 1)
    assert info.value.status == 401
    assert token_call.call_count == 2 and stream.call_count == 2


@pytest.mark.parametrize(
    "error, description, expected",
    [
        ("consent_required", "", "docusign-generate-consent-url"),
        ("invalid_grant", "issuer_not_found", "does not know this Integration Key in this environment"),
        ("invalid_grant", "no_valid_keys_or_signatures", "Private Key does not match"),
        ("invalid_grant", "user_not_found", "does not know the User ID"),
        ("invalid_grant", "invalid_subject", "rejected the User ID"),
        ("invalid_grant", "expired_grant", "clock"),
        ("unsupported_grant_type", "", "does not accept the JWT grant"),
        ("invalid_client", "", "rejected the Integration Key"),
        ("server_weirdness", "something", "refused the token request: server_weirdness something"),
    ],
)
def test_oauth_errors_are_actionable(error, description, expected, settings, requests_mock):
    body = {"error": error}
    if description:
        body["error_description"] = description
    requests_mock.post(f"{DEV}/oauth/token", status_code=400, json=body, headers=TRACE)
    with pytest.raises(Docusign.ApiError, match=re.escape(expected)) as info:
        client_for(settings).tokens.get(settings.scopes)
    assert "X-DocuSign-TraceToken: 5f2b7a1e" in str(info.value)


def test_consent_required_names_the_scopes(settings, requests_mock):
    requests_mock.post(f"{DEV}/oauth/token", status_code=400, json={"error": "consent_required"})
    with pytest.raises(Docusign.ApiError, match="signature impersonation organization_read user_read"):
        client_for(settings).tokens.get(settings.scopes)


# ---------------------------------------------------------------------------- HTTP policy


def test_retry_policy_backoff_is_bounded_with_jitter():
    policy = Docusign.RetryPolicy(backoff_base=1, backoff_max=8, jitter=0.5)
    assert [policy.backoff(n, rand=lambda: 1.0) for n in range(1, 6)] == [1, 2, 4, 8, 8]
    assert policy.backoff(3, rand=lambda: 0.0) == 2.0


@pytest.mark.parametrize(
    "headers, expected",
    [
        ({"Retry-After": "7"}, 7.0),
        ({"X-RateLimit-Reset": "1000030"}, 30.0),
        ({"Retry-After": "Thu, 01 Jan 1970 00:00:20 GMT"}, 0.0),
        ({}, None),
    ],
)
def test_rate_limit_wait_from_headers(headers, expected):
    assert Docusign.RetryPolicy.rate_limit_wait(headers, now_epoch=1_000_000) == expected


def test_5xx_and_dropped_connections_are_retried(settings, requests_mock, no_sleep):
    import requests

    mock_token(requests_mock)
    requests_mock.get(
        f"{LENS}/api/v2.0/datasets/monitor/stream",
        [
            {"status_code": 503, "text": "<html>Service Unavailable</html>"},
            {"exc": requests.exceptions.ConnectionError("connection reset by peer")},
            {"exc": requests.exceptions.ReadTimeout("read timed out")},
            {"json": {"endCursor": "c9", "data": []}},
        ],
    )
    client = Docusign.DocuSignClient(settings)
    assert Docusign.get_monitor_stream(client, "", 10)["endCursor"] == "c9"
    assert client.stats.retries == 3
    assert no_sleep.call_count == 3


def test_transport_failures_give_up_with_a_clear_message(settings, requests_mock, no_sleep):
    import requests

    mock_token(requests_mock)
    requests_mock.get(f"{LENS}/api/v2.0/datasets/monitor/stream", exc=requests.exceptions.ConnectionError("reset"))
    with pytest.raises(Docusign.DocusignError, match="could not be reached .* after 5 attempts: ConnectionError"):
        Docusign.get_monitor_stream(Docusign.DocuSignClient(settings), "", 10)


@pytest.mark.parametrize("status", [429, 400])
def test_rate_limit_waits_when_it_fits(status, settings, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(
        f"{LENS}/api/v2.0/datasets/monitor/stream",
        [
            {
                "status_code": status,
                "json": {"errorCode": "BURST_APIINVOCATION_LIMIT_EXCEEDED", "message": "burst"},
                "headers": {"Retry-After": "3"},
            },
            {"json": {"endCursor": "c2", "data": []}},
        ],
    )
    client = Docusign.DocuSignClient(settings)
    assert Docusign.get_monitor_stream(client, "", 10)["endCursor"] == "c2"
    no_sleep.assert_called_once_with(3.0)
    assert (client.stats.waits, client.stats.waited_seconds) == (1, 3.0)


def test_rate_limit_beyond_budget_stops_the_run(settings, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(
        f"{LENS}/api/v2.0/datasets/monitor/stream",
        status_code=429,
        json={"errorCode": "HOURLY_APIINVOCATION_LIMIT_EXCEEDED", "message": "hourly"},
        headers={"X-RateLimit-Reset": str(int(datetime.now(UTC).timestamp()) + 1800), **TRACE},
    )
    with pytest.raises(Docusign.RateLimitedError, match="HOURLY_APIINVOCATION_LIMIT_EXCEEDED.*TraceToken") as info:
        Docusign.get_monitor_stream(Docusign.DocuSignClient(settings), "", 10)
    assert info.value.code == "HOURLY_APIINVOCATION_LIMIT_EXCEEDED"
    no_sleep.assert_not_called()


def test_plain_400_is_not_mistaken_for_rate_limit(settings, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(
        f"{LENS}/api/v2.0/datasets/monitor/stream",
        status_code=400,
        json={"errorCode": "INVALID_REQUEST_PARAMETER", "message": "cursor is invalid"},
        headers=TRACE,
    )
    with pytest.raises(Docusign.ApiError, match="HTTP 400 .*INVALID_REQUEST_PARAMETER cursor is invalid"):
        Docusign.get_monitor_stream(Docusign.DocuSignClient(settings), "", 10)
    no_sleep.assert_not_called()


def test_non_json_success_is_an_error(settings, requests_mock):
    mock_token(requests_mock)
    requests_mock.get(f"{LENS}/api/v2.0/datasets/monitor/stream", text="<html>login</html>", headers=TRACE)
    with pytest.raises(Docusign.ApiError, match="not JSON.*TraceToken"):
        Docusign.get_monitor_stream(client_for(settings), "", 10)


# ---------------------------------------------------------------------------- consent and reset


def test_consent_url_encodes_every_value(pkcs1_pem):
    redirect = "https://xsiam.example.com/cb?instance=docusign 1&next=/home"
    settings = Docusign.Settings.from_params(make_params(pkcs1_pem, redirect_url=redirect))
    individual, admin = Docusign.consent_urls(settings)
    assert individual.startswith(f"{DEV}/oauth/auth?response_type=code&scope=signature%20impersonation%20")
    assert "+" not in individual and " " not in individual
    query = parse_qs(urlsplit(individual).query)
    assert query == {
        "response_type": ["code"],
        "scope": ["signature impersonation organization_read user_read"],
        "client_id": [INTEGRATION_KEY],
        "redirect_uri": [redirect],
    }
    admin_query = parse_qs(urlsplit(admin).query)
    assert admin_query["scope"] == ["openid"]
    assert admin_query["admin_consent_scope"] == ["signature impersonation organization_read user_read"]
    assert admin_query["redirect_uri"] == [redirect]


def test_consent_command_never_records_consent_and_repeats(params, requests_mock):
    first = run_command("docusign-generate-consent-url", params)
    second = run_command("docusign-generate-consent-url", params)
    assert not requests_mock.called
    assert first.integration_context == {} and second.integration_context == {}
    readable = second.results[-1]["HumanReadable"]
    assert "[Click here to authorize](https://account-d.docusign.com/oauth/auth?response_type=code" in readable
    assert "admin consent" in readable


def test_reset_access_token_clears_token_and_account_cache(params):
    demisto.platform.integration_context = {
        "access_token": TOKEN,
        "token_expires_at": "2030-01-01T00:00:00+00:00",
        "token_scopes": ["signature"],
        "base_uri": "https://na3.docusign.net",
        "base_uri_account_id": ACCOUNT_ID,
    }
    platform = run_command("docusign-reset-access-token", params)
    assert platform.integration_context == {}
    assert "reset" in platform.results[-1]["HumanReadable"]


def test_base_uri_cache_ignored_after_account_change(settings, requests_mock):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(base_uri="https://na3.docusign.net"))
    demisto.platform.integration_context = {
        "base_uri": "https://stale.docusign.net",
        "base_uri_account_id": "11111111-2222-3333-4444-555555555555",
    }
    assert Docusign.account_base_uri(client_for(settings)) == "https://na3.docusign.net"


# ---------------------------------------------------------------------------- test-module


def test_test_module_ok_without_touching_fetch_state(params, requests_mock):
    mock_healthy_apis(requests_mock)
    platform = run_command("test-module", params, last_run={"customer_events": {"cursor": "aa_1"}})
    assert platform.results == ["ok"]
    assert platform.last_run == {"customer_events": {"cursor": "aa_1"}}
    monitor = next(r for r in requests_mock.request_history if "monitor/stream" in r.url)
    assert monitor.qs["limit"] == ["1"]
    admin = next(r for r in requests_mock.request_history if "/users" in r.url)
    assert admin.qs["take"] == ["1"] and admin.qs["account_id"] == [ACCOUNT_ID.lower()]
    assert all(r.headers.get("Authorization") == f"Bearer {TOKEN}" for r in requests_mock.request_history[1:])


def test_auth_test_reports_what_was_checked(params, requests_mock):
    mock_healthy_apis(requests_mock)
    platform = run_command("docusign-auth-test", params)
    assert platform.results[-1]["HumanReadable"] == (
        "Authentication successful. Checked: JWT grant and userinfo, Monitor API, Admin API."
    )


def test_test_module_skips_apis_not_selected(pkcs1_pem, requests_mock):
    mock_healthy_apis(requests_mock)
    params = make_params(pkcs1_pem, event_types=["Customer events"], account_id=None, organization_id=None)
    assert run_command("test-module", params).results == ["ok"]
    assert not any("/management/" in r.url for r in requests_mock.request_history)


def failing(requests_mock, what: str) -> None:
    mock_healthy_apis(requests_mock)
    if what == "consent":
        requests_mock.post(f"{DEV}/oauth/token", status_code=400, json={"error": "consent_required"}, headers=TRACE)
    elif what == "monitor-403":
        requests_mock.get(f"{LENS}/api/v2.0/datasets/monitor/stream", status_code=403, text="", headers=TRACE)
    elif what == "admin-403":
        requests_mock.get(
            f"{ADMIN}/v2/organizations/{ORG_ID}/users",
            status_code=403,
            json={"errorCode": "USER_LACKS_MEMBERSHIP", "message": "no"},
            headers=TRACE,
        )
    elif what == "wrong-account":
        requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(account_id="11111111-2222-3333-4444-555555555555"))


@pytest.mark.parametrize(
    "what, expected",
    [
        ("consent", "docusign-generate-consent-url"),
        ("monitor-403", "DocuSign Monitor in its plan"),
        ("admin-403", "Organization Administrator of the organization"),
        ("wrong-account", f"no access to Account ID {ACCOUNT_ID}"),
    ],
)
def test_test_module_failures_give_one_useful_error(what, expected, params, requests_mock):
    failing(requests_mock, what)
    platform = run_command("test-module", params)
    errors = error_entries(platform)
    assert len(errors) == 1 and expected in errors[0]
    assert "ok" not in platform.results


# ---------------------------------------------------------------------------- secrets


def secret_fragments(key_pem: str, requests_mock) -> list[str]:
    """Every line of the key, every JWT the integration signed, and the access token."""
    lines = [line for line in key_pem.splitlines() if line and "-----" not in line]
    assertions = [
        parse_qs(r.text)["assertion"][0] for r in requests_mock.request_history if r.url.endswith("/oauth/token")
    ]
    return [*lines, *assertions, TOKEN]


ALL_PATHS = [
    ("test-module", None),
    ("docusign-auth-test", None),
    ("docusign-generate-consent-url", None),
    ("docusign-reset-access-token", None),
    ("test-module", "consent"),
    ("test-module", "monitor-403"),
    ("test-module", "admin-403"),
    ("test-module", "wrong-account"),
]


@pytest.mark.parametrize("command, failure", ALL_PATHS)
def test_secrets_never_leave_the_token_cache(command, failure, pkcs1_pem, requests_mock, caplog):
    caplog.set_level("DEBUG")
    if failure:
        failing(requests_mock, failure)
    else:
        mock_healthy_apis(requests_mock)
    params = make_params(spaced(pkcs1_pem))
    platform = run_command(command, params)
    platform = run_command(command, params)  # second run exercises the cached-token path
    visible = "\n".join(
        [platform.log_text(), caplog.text, json.dumps(platform.results, default=str), json.dumps(platform.sent)]
    )
    fragments = secret_fragments(pkcs1_pem, requests_mock)
    assert len(fragments) > 10
    for fragment in fragments:
        assert fragment not in visible


def test_secrets_absent_from_raised_messages(pkcs1_pem, requests_mock):
    requests_mock.post(
        f"{DEV}/oauth/token", status_code=400, json={"error": "invalid_grant", "error_description": "what?"}
    )
    settings = Docusign.Settings.from_params(make_params(pkcs1_pem))
    with pytest.raises(Docusign.ApiError) as info:
        client_for(settings).tokens.get(settings.scopes)
    text = repr(info.value) + str(info.value) + repr(settings)
    for fragment in secret_fragments(pkcs1_pem, requests_mock):
        assert fragment not in text
