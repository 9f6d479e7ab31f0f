"""Unit tests for the DocuSign integration: settings, keys, JWT, tokens, HTTP policy and admin commands.

HTTP is mocked with requests-mock using DocuSign-shaped replies; platform state is
read from ``devkit.platform_modules.platform``, which records what the integration asks of the
platform modules (the stand-ins, or the real ones with XSIAM_PLATFORM_DIR).
"""

import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import demistomock as demisto
import Docusign
import jwt
import pytest
import requests
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from devkit.platform_modules import platform as PLATFORM

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
        # Most tests mock the lens stream (STREAM); v1 and "auto" have their own tests (STREAM_V1).
        "monitor_api": "v2.0 (lens)",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


@pytest.fixture(autouse=True)
def fresh_platform():
    PLATFORM.reset()
    yield PLATFORM
    PLATFORM.reset()


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
    requests_mock.get(
        f"https://demo.docusign.net/restapi/v2.1/accounts/{ACCOUNT_ID}/users",
        json={"users": [], "resultSetSize": "0", "totalSetSize": "0"},
        headers=TRACE,
    )


def run_command(command: str, params: dict, args: dict | None = None, last_run: dict | None = None):
    """Run main() as the platform does; returns the platform state afterwards."""
    PLATFORM.params = params
    PLATFORM.command = command
    PLATFORM.args = args or {}
    if last_run is not None:
        PLATFORM.last_run = last_run
    try:
        Docusign.main()
    except SystemExit as exc:
        assert exc.code == 0
    return PLATFORM


def health_errors(platform) -> list[str]:
    return [str(data) for data, is_error in platform.module_health if is_error]


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
        Docusign.Settings.from_params(make_params(pkcs1_pem, **{field: "not-a-guid"}))


def test_account_and_org_required_only_for_audit_users(pkcs1_pem):
    only_events = make_params(pkcs1_pem, account_id=None, organization_id=None, event_types=["Customer events"])
    assert Docusign.Settings.from_params(only_events).event_types == ("Customer events",)
    settings = Docusign.Settings.from_params(make_params(pkcs1_pem, account_id=None, event_types=["Audit Users"]))
    assert settings.missing_for("Audit Users") == (
        "Audit Users needs the Account ID (the API Account ID on DocuSign's Apps and Keys page): set it, or "
        "deselect Audit Users."
    )


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
        ("fetch_time_budget", "0", "between 10 and 1800 seconds; got 0"),
        ("page_interval", "-1", "between 0 and"),
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
    """A client whose run never sleeps; ``kw`` overrides the run context (deadline, now, ...)."""
    return Docusign.DocuSignClient(settings, Docusign.RunContext.for_settings(settings, sleep=lambda s: None, **kw))


def test_token_minted_once_and_reused(settings, requests_mock):
    token_call = mock_token(requests_mock)
    client = client_for(settings)
    assert client.tokens.get(settings.scopes) == TOKEN
    assert client.tokens.get(settings.scopes) == TOKEN
    assert token_call.call_count == 1
    form = parse_qs(token_call.last_request.text)
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    cached = PLATFORM.integration_context
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
    assert client.ctx.stats.token_renewals == 1


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
        ("server_weirdness", "something", "refused the token request: server_weirdness 'something'"),
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


def test_a_reply_cannot_outlast_the_runs_time_budget(settings, requests_mock):
    """Budget 20 s and a 65 s reply used to make a 74 s run: each call's timeouts shrink to the time left, no call
    starts in the last second, and a call the budget cut stops the run (it keeps what it delivered)."""
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo())
    elapsed = {"s": 0.0}
    client = client_for(settings, deadline=Docusign.Deadline(20, clock=lambda: elapsed["s"]))
    Docusign.get_userinfo(client)
    assert requests_mock.request_history[-1].timeout == (10.0, 20.0)
    elapsed["s"] = 15.5
    Docusign.get_userinfo(client)
    assert requests_mock.request_history[-1].timeout == (4.5, 4.5)
    elapsed["s"] = 19.5
    calls = requests_mock.call_count
    with pytest.raises(Docusign.Stopped) as stop:
        Docusign.get_userinfo(client)
    assert stop.value.reason is Docusign.StopReason.TIME_BUDGET and requests_mock.call_count == calls

    def slow_reply(request, context):
        elapsed["s"] = 20.0  # the read timed out when the budget ran out
        raise requests.exceptions.ReadTimeout("read timed out")

    elapsed["s"] = 10.0
    requests_mock.get(f"{DEV}/oauth/userinfo", json=slow_reply)
    with pytest.raises(Docusign.Stopped):
        Docusign.get_userinfo(client)


def test_client_gives_the_platform_one_number_and_each_call_connect_and_read_timeouts(settings, requests_mock):
    """The platform's BaseClient does float(timeout): a (connect, read) tuple crashed every API command."""
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo())
    client = client_for(settings)
    assert client.transport.timeout == 60.0
    Docusign.get_userinfo(client)
    assert [r.timeout for r in requests_mock.request_history] == [(10.0, 60.0), (10.0, 60.0)]


def test_operator_requests_timeout_becomes_the_read_timeout(settings, requests_mock, monkeypatch):
    monkeypatch.setenv("REQUESTS_TIMEOUT", "120")
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo())
    Docusign.get_userinfo(client_for(settings))
    assert requests_mock.last_request.timeout == (10.0, 120.0)


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
    assert Docusign.RetryPolicy().rate_limit_wait(headers, now_epoch=1_000_000) == expected


def test_burst_limit_waits_for_its_30_second_window_not_the_hourly_reset():
    headers = {"X-RateLimit-Reset": "1002400"}
    policy = Docusign.RetryPolicy()
    assert policy.rate_limit_wait(headers, 1_000_000, "BURST_APIINVOCATION_LIMIT_EXCEEDED") == 30.0
    assert policy.rate_limit_wait(headers, 1_000_000, "HOURLY_APIINVOCATION_LIMIT_EXCEEDED") == 2400.0


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
    assert client.ctx.stats.retries == 3
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
    assert (client.ctx.stats.waits, client.ctx.stats.waited_seconds) == (1, 3.0)


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
    with pytest.raises(Docusign.ApiError, match="HTTP 400 .*INVALID_REQUEST_PARAMETER 'cursor is invalid'"):
        Docusign.get_monitor_stream(Docusign.DocuSignClient(settings), "", 10)
    no_sleep.assert_not_called()


def test_non_json_success_is_an_error(settings, requests_mock):
    mock_token(requests_mock)
    requests_mock.get(f"{LENS}/api/v2.0/datasets/monitor/stream", text="<html>login</html>", headers=TRACE)
    with pytest.raises(Docusign.ApiError, match="not JSON.*TraceToken"):
        Docusign.get_monitor_stream(client_for(settings), "", 10)


LOGIN_PAGE = "<html>\n  <body>Please sign in to continue to the corporate proxy</body>\n</html>"


@pytest.mark.parametrize(
    "body, said",
    [
        pytest.param(
            LOGIN_PAGE,
            "answered 200 with a body that is not JSON (starts with '<html> <body>Please sign in to continue…')",
            id="html",
        ),
        pytest.param("null", "answered 200 with an empty body", id="json-null"),
        pytest.param("", "answered 200 with an empty body", id="no-body"),
    ],
)
@pytest.mark.parametrize(
    "where, doing",
    [("stream", "when calling monitor.stream"), ("token", "when requesting an access token")],
)
def test_a_200_reply_without_json_fails_at_once_saying_what_came(
    where, doing, body, said, pkcs1_pem, requests_mock, no_sleep
):
    mock_token(requests_mock)
    method, url = ("GET", STREAM) if where == "stream" else ("POST", f"{DEV}/oauth/token")
    failing = requests_mock.register_uri(method, url, text=body, headers=TRACE)
    before = {"customer_events": {"cursor": "aa_7"}}
    platform = fetch(events_params(pkcs1_pem), last_run=before)
    assert failing.call_count == 1  # not retried
    no_sleep.assert_not_called()
    (error,) = error_entries(platform)
    assert f"DocuSign {said} {doing}." in error and "X-DocuSign-TraceToken: 5f2b7a1e" in error
    assert platform.last_run == before


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
    PLATFORM.integration_context = {
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
    PLATFORM.integration_context = {
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
    esign = next(r for r in requests_mock.request_history if "/restapi/" in r.url)
    assert esign.qs["count"] == ["1"]
    assert all(r.headers.get("Authorization") == f"Bearer {TOKEN}" for r in requests_mock.request_history[1:])


def test_auth_test_reports_what_was_checked(params, requests_mock):
    mock_healthy_apis(requests_mock)
    platform = run_command("docusign-auth-test", params)
    assert platform.results[-1]["HumanReadable"] == (
        "Authentication successful. Checked: JWT grant (a new token) and userinfo, Monitor API v2.0 (lens), "
        "Admin API and eSignature API."
    )


def test_test_fails_when_esignature_refuses_the_account_that_audit_users_reads(params, requests_mock):
    """Audit users reads user records from eSignature: an Admin API that answers is not enough for a green Test."""
    mock_healthy_apis(requests_mock)
    requests_mock.get(
        f"https://demo.docusign.net/restapi/v2.1/accounts/{ACCOUNT_ID}/users",
        status_code=401,
        json={
            "errorCode": "USER_LACKS_MEMBERSHIP",
            "message": "The UserID does not have a valid membership in this Account.",
        },
        headers=TRACE,
    )
    platform = run_command("test-module", params)
    error = error_entries(platform)[0]
    assert "USER_LACKS_MEMBERSHIP" in error and "X-DocuSign-TraceToken: 5f2b7a1e" in error


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
    ("fetch-events", None),
    ("fetch-events", "consent"),
    ("fetch-events", "monitor-403"),
    ("fetch-events", "admin-403"),
    ("docusign-get-events", None),
    ("docusign-get-events", "monitor-403"),
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


@pytest.mark.parametrize("field, label", [("url", "Server URL"), ("first_fetch", "First fetch time")])
@pytest.mark.parametrize("form", [pytest.param(lambda pem: pem, id="as-pasted"), pytest.param(spaced, id="spaced")])
def test_a_private_key_pasted_in_the_wrong_field_is_not_echoed(field, label, form, pkcs1_pem, requests_mock):
    platform = run_command("test-module", make_params(pkcs1_pem, **{field: form(pkcs1_pem)}))
    (error,) = error_entries(platform)
    assert label in error
    assert "PRIVATE KEY" not in error
    for line in pkcs1_pem.splitlines():
        if "-----" not in line:
            assert line[:12] not in error and line[-12:] not in error
    assert not requests_mock.called


@pytest.mark.parametrize(
    "field, value, shown",
    [
        ("url", "account-d.docusign.com/oauth", "Server URL 'account-d.docusign.com/oauth' is not a URL"),
        ("first_fetch", "since " + "a" * 60, "First fetch time 'since " + "a" * 34 + "…' is not understood"),
        ("monitor_api", "v2.0 (lens) 5e8a6f0c-2b3d-4c5e-8f9a-0b1c2d3e4f5a", "Monitor API 'v2.0 (lens) 5e8a6f0c-2b3d"),
    ],
)
def test_a_mistyped_value_is_named_by_its_start(field, value, shown, pkcs1_pem):
    platform = run_command("test-module", make_params(pkcs1_pem, **{field: value}))
    (error,) = error_entries(platform)
    assert shown in error
    assert len(value) <= 40 or value not in error  # a long value is cut


@pytest.mark.parametrize("code", ["invalid_grant", "invalid_request"])
@pytest.mark.parametrize(
    "echoed",
    [pytest.param(lambda jwt_: jwt_, id="assertion"), pytest.param(lambda jwt_: jwt_.rsplit(".", 1)[0], id="claims")],
)
def test_an_oauth_error_echoing_the_assertion_is_not_copied(code, echoed, pkcs1_pem, requests_mock):
    """The platform masks the exact assertion in war-room errors, not in logs or health, nor a part of it."""

    def echo(request, context):
        context.status_code = 400
        assertion = parse_qs(request.text)["assertion"][0]
        return {"error": code, "error_description": f"The assertion {echoed(assertion)} could not be verified"}

    requests_mock.post(f"{DEV}/oauth/token", json=echo, headers=TRACE)
    platform = fetch(events_params(pkcs1_pem))
    (error,) = error_entries(platform)
    assert "token request" in error and "X-DocuSign-TraceToken: 5f2b7a1e" in error
    visible = "\n".join([error, platform.log_text(), *map(str, platform.module_health)])
    (assertion,) = {parse_qs(r.text)["assertion"][0] for r in requests_mock.request_history}
    for part in assertion.split("."):
        assert part[:12] not in visible


# ============================================================================ fetchers: shared helpers

STREAM = f"{LENS}/api/v2.0/datasets/monitor/stream"
STREAM_V1 = f"https://api-d.docusign.com/v1/organizations/{ORG_ID}/stream"
ADMIN_USERS = f"{ADMIN}/v2/organizations/{ORG_ID}/users"
ESIGN_BASE = "https://demo.docusign.net"
ESIGN_USERS = f"{ESIGN_BASE}/restapi/v2.1/accounts/{ACCOUNT_ID}/users"
FIRST_FETCH = "2024-01-24T00:00:00Z"
MONITOR_PAGE = load_json("monitor_stream_page.json")
SAMPLE_EVENT = MONITOR_PAGE["data"][0]
ADMIN_TEMPLATE = load_json("admin_users_page_1.json")["users"][0]
ESIGN_TEMPLATE = load_json("esign_users_page.json")["users"][0]
RATE_LIMITED = {"errorCode": "HOURLY_APIINVOCATION_LIMIT_EXCEEDED", "message": "The maximum number of hourly API"}


def query(request) -> dict[str, str]:
    """The request's query string, case kept (requests-mock's ``qs`` lower-cases values)."""
    return {k: v[0] for k, v in parse_qs(urlsplit(request.url).query, keep_blank_values=True).items()}


def calls_to(requests_mock, url: str) -> list:
    """Requests whose URL without query is exactly ``url``."""
    return [r for r in requests_mock.request_history if r.url.split("?")[0] == url]


def stream_cursors(requests_mock) -> list[str]:
    return [query(r)["cursor"] for r in calls_to(requests_mock, STREAM)]


def stream_limits(requests_mock) -> list[int]:
    return [int(query(r)["limit"]) for r in calls_to(requests_mock, STREAM)]


def monitor_event(n: int, timestamp: str | None = None, **fields) -> dict:
    """The published sample event with its own eventId (and timestamp)."""
    event = json.loads(json.dumps(SAMPLE_EVENT))
    event["eventId"] = f"a8010d32-b9f5-4948-9195-{n:012d}"
    event["timestamp"] = (
        timestamp if timestamp is not None else f"2024-01-24T10:{n // 60 % 60:02d}:{n % 60:02d}.0512813Z"
    )
    event.update(fields)
    return event


def page(events: list, end_cursor: str) -> dict:
    return {"json": {"endCursor": end_cursor, "data": events}, "headers": TRACE}


def events_params(key_pem: str, **overrides) -> dict:
    """Customer events only, in catch-up mode (a budget of several pages) unless a test sets the budget."""
    values = {
        "event_types": ["Customer events"],
        "account_id": None,
        "organization_id": None,
        "first_fetch": FIRST_FETCH,
        "max_customer_events_per_fetch": "20000",
    }
    values.update(overrides)
    return make_params(key_pem, **values)


def users_params(key_pem: str, **overrides) -> dict:
    return make_params(key_pem, **{"event_types": ["Audit Users"], "first_fetch": FIRST_FETCH, **overrides})


def fetch(params: dict, last_run: dict | None = None):
    """One fetch-events run; results, logs and sent events of earlier runs are forgotten first."""
    PLATFORM.results = []
    PLATFORM.logs = []
    PLATFORM.sent = []
    return run_command("fetch-events", params, last_run=last_run)


def summary_line(platform) -> str:
    """The run's line for people, rendered from the report."""
    lines = [m for level, m in platform.logs if level == "info" and m.startswith("Docusign fetch-events:")]
    assert len(lines) == 1, platform.logs
    return lines[0]


def run_report(platform) -> dict:
    """The run's JSON report: the log line tests, the engine and the demo read."""
    prefix = Docusign.RunReport.PREFIX
    lines = [m for level, m in platform.logs if level == "info" and m.startswith(prefix)]
    assert len(lines) == 1, platform.logs
    return json.loads(lines[0][len(prefix) :])


def type_report(platform) -> dict:
    """The report of the run's only event type."""
    (report,) = run_report(platform)["types"].values()
    return report


class FakeMonitor:
    """The Monitor stream as DocuSign serves it: ISO or opaque cursor, ``limit`` honoured, and at the end an
    empty page whose endCursor is the cursor sent."""

    def __init__(self, requests_mock, events: list) -> None:
        self.events = list(events)
        requests_mock.get(STREAM, json=self._reply, headers=TRACE)

    def position(self, cursor: str) -> int:
        if cursor.startswith("aa_"):
            return int(cursor[3:])
        since = datetime.fromisoformat(cursor.replace("Z", "+00:00")) if cursor else datetime.now(UTC) - timedelta(7)
        return next(
            (i for i, e in enumerate(self.events) if datetime.fromisoformat(e["timestamp"][:19] + "+00:00") >= since),
            len(self.events),
        )

    def _reply(self, request, context):
        q = query(request)
        start = self.position(q["cursor"])
        data = self.events[start : start + int(q["limit"])]
        return {"endCursor": f"aa_{start + len(data)}" if data else q["cursor"], "data": data}


def user_guid(n: int) -> str:
    return f"{n:08x}-1111-4222-8333-444455556666"


def us_time(when: datetime) -> str:
    """eSignature's ``userSettings.modifiedDate`` form: ``1/24/2024 3:15:42 PM``."""
    hour = when.hour % 12 or 12
    noon = "PM" if when.hour >= 12 else "AM"
    return f"{when.month}/{when.day}/{when.year} {hour}:{when.minute:02d}:{when.second:02d} {noon}"


def admin_time(when: datetime) -> str:
    """The Admin API's date form: no zone, milliseconds."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


class FakeUsers:
    """One DocuSign account's users behind the Admin API (snake_case, ``last_modified_since`` to the millisecond
    or, with ``by_day``, only by its date; paging.next full URLs) and the eSignature API (camelCase, strings;
    closed users only by per-user GET)."""

    def __init__(self, requests_mock, base_uri: str = ESIGN_BASE, date_form: str = "us", by_day: bool = False) -> None:
        self.users: dict[str, dict] = {}
        self.date_form = date_form
        self.by_day = by_day
        self.esign_users = f"{base_uri}/restapi/v2.1/accounts/{ACCOUNT_ID}/users"
        requests_mock.get(ADMIN_USERS, json=self._admin, headers=TRACE)
        requests_mock.get(self.esign_users, json=self._esign_list, headers=TRACE)
        requests_mock.get(re.compile(re.escape(self.esign_users) + r"/[0-9a-fA-F-]{36}(\?|$)"), json=self._esign_one)

    def add(
        self, n: int, modified: datetime, status: str = "active", in_esign: bool = True, created: datetime | None = None
    ) -> str:
        user_id = user_guid(n)
        self.users[user_id] = {"n": n, "modified": modified, "status": status, "in_esign": in_esign, "created": created}
        return user_id

    def admin_change(self, user_id: str, when: datetime, **fields) -> None:
        """A change only the Admin record shows (eSignature's modifiedDate stays)."""
        self.users[user_id].update(fields, admin_modified=when)

    def esign_change(self, user_id: str, when: datetime, **fields) -> None:
        """A change of eSignature fields in the second of the last one: eSignature's US-formatted date stays;
        the Admin API's modification time moves, its record's content does not."""
        self.users[user_id].setdefault("esign", {}).update(fields)
        self.users[user_id]["admin_modified"] = when

    def add_unchanged(self, count: int, first: int = 100_000) -> None:
        for n in range(first, first + count):
            self.add(n, datetime(2020, 1, 1, tzinfo=UTC))

    def admin_record(self, user_id: str) -> dict:
        user = self.users[user_id]
        record = json.loads(json.dumps(ADMIN_TEMPLATE))
        record.update(
            id=user_id,
            user_name=f"User {user['n']}",
            first_name="User",
            last_name=str(user["n"]),
            email=f"user{user['n']}@example.com",
            user_status=user["status"],
            membership_status=user["status"],
        )
        if user["created"]:
            record["created_on"] = record["membership_created_on"] = admin_time(user["created"])
        if user["status"] == "closed":
            closed = user.get("admin_modified", user["modified"])
            record["closed_on"] = record["membership_closed_on"] = admin_time(closed)
        return record

    def esign_record(self, user_id: str) -> dict:
        user = self.users[user_id]
        record = json.loads(json.dumps(ESIGN_TEMPLATE))
        record.update(
            userId=user_id,
            userName=f"User {user['n']}",
            firstName="User",
            lastName=str(user["n"]),
            email=f"user{user['n']}@example.com",
            uri=f"/users/{user_id}",
            userStatus="Closed" if user["status"] == "closed" else "Active",
        )
        record.update(user.get("esign", {}))
        modified = user["modified"]
        forms = {
            "us": us_time(modified),
            "iso7": modified.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z",
            "naive": modified.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3],
        }
        if self.date_form in forms:
            record["userSettings"]["modifiedDate"] = forms[self.date_form]
        else:
            record["userSettings"].pop("modifiedDate")
        return record

    def _admin(self, request, context):
        q = query(request)
        since = datetime.fromisoformat(q["last_modified_since"]).replace(tzinfo=UTC)
        if self.by_day:
            since = since.replace(hour=0, minute=0, second=0, microsecond=0)
        changed = sorted(
            u for u, d in self.users.items() if d.get("admin_modified", d["modified"]) >= since and not d.get("hidden")
        )
        start, take = int(q.get("start", 0)), int(q.get("take", 20))
        rows = changed[start : start + take]
        paging: dict[str, int | str] = {
            "result_set_size": len(rows),
            "result_set_start_position": start,
            "result_set_end_position": start + len(rows) - 1,
            "total_set_size": len(changed),
        }
        if start + take < len(changed):
            paging["next"] = (
                f"{ADMIN_USERS}?start={start + take}&take={take}&account_id={q['account_id']}"
                f"&last_modified_since={q['last_modified_since']}"
            )
        return {"users": [self.admin_record(u) for u in rows], "paging": paging}

    def _esign_list(self, request, context):
        q = query(request)
        listed = sorted(u for u, d in self.users.items() if d["in_esign"] and d["status"] != "closed")
        start, count = int(q.get("start_position", 0)), int(q.get("count", 100))
        rows = listed[start : start + count]
        return {
            "users": [self.esign_record(u) for u in rows],
            "resultSetSize": str(len(rows)),
            "totalSetSize": str(len(listed)),
            "startPosition": str(start),
            "endPosition": str(start + len(rows) - 1),
        }

    def _esign_one(self, request, context):
        user_id = urlsplit(request.url).path.rsplit("/", 1)[-1]
        if user_id not in self.users or not self.users[user_id]["in_esign"]:
            context.status_code = 404
            return {"errorCode": "USER_DOES_NOT_EXIST_IN_SYSTEM", "message": "The user does not exist."}
        return self.esign_record(user_id)

    def calls(self, requests_mock) -> dict[str, int]:
        history = [r.url.split("?")[0] for r in requests_mock.request_history]
        return {
            "admin": history.count(ADMIN_USERS),
            "esign_list": history.count(self.esign_users),
            "esign_user": sum(u.startswith(self.esign_users + "/") for u in history),
            "userinfo": history.count(f"{DEV}/oauth/userinfo"),
        }


def sent_ids(platform) -> list[str]:
    return [e.get("eventId") or e.get("userId") for e in platform.sent_events]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


NOW = datetime(2024, 1, 25, 12, tzinfo=UTC)  # the wall clock's time in tests that take ``clock``


@pytest.fixture
def clock(time_machine):
    """The wall clock stands at ``NOW`` until the test moves it (time budgets use the monotonic clock: untouched)."""
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def fake_clock(mocker):
    """Every run's time budget measured on a clock the test moves."""
    clock = FakeClock()
    real = Docusign.Deadline
    mocker.patch.object(Docusign, "Deadline", side_effect=lambda seconds, clock_=None: real(seconds, clock=clock))
    return clock


# ============================================================================ customer events: where a run starts


@pytest.mark.parametrize(
    "first_fetch, expected",
    [
        ("2024-01-24T00:00:00Z", datetime(2024, 1, 24, tzinfo=UTC)),
        ("3 days", None),
    ],
)
def test_customer_first_run_starts_at_first_fetch(first_fetch, expected, pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(STREAM, [page([], "aa_1_1_0")])
    platform = fetch(events_params(pkcs1_pem, first_fetch=first_fetch))
    (cursor,) = stream_cursors(requests_mock)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", cursor)
    sent = datetime.fromisoformat(cursor.replace("Z", "+00:00"))
    if expected is None:
        expected = datetime.now(UTC) - timedelta(days=3)
        assert abs(sent - expected) < timedelta(minutes=1)
    else:
        assert sent == expected
    assert platform.last_run["customer_events"]["cursor"] == "aa_1_1_0"
    assert not error_entries(platform)


def test_customer_public_pack_cursor_is_continued(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    legacy = "aa_637395998467230467_637395997844343970_195"
    requests_mock.get(
        STREAM,
        [
            page([monitor_event(1)], "aa_637395998467230467_637395997844343970_196"),
            page([], "aa_637395998467230467_637395997844343970_196"),
        ],
    )
    platform = fetch(events_params(pkcs1_pem), last_run={"Customer events": {"cursor": legacy}, "other": 1})
    assert stream_cursors(requests_mock)[0] == legacy
    assert sent_ids(platform) == [monitor_event(1)["eventId"]]
    assert "Customer events" not in platform.last_run
    assert platform.last_run["customer_events"]["cursor"] == "aa_637395998467230467_637395997844343970_196"
    assert platform.last_run["other"] == 1


# ============================================================================ customer events: draining pages


def test_customer_drain_stops_on_empty_page(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    stream = requests_mock.get(
        STREAM,
        [
            page([monitor_event(1), monitor_event(2)], "aa_1"),
            page([monitor_event(3)], "aa_2"),
            page([], "aa_3"),
            page([monitor_event(99)], "aa_4"),  # never asked for
        ],
    )
    platform = fetch(events_params(pkcs1_pem))
    assert stream.call_count == 3
    assert stream_cursors(requests_mock) == ["2024-01-24T00:00:00.000Z", "aa_1", "aa_2"]
    assert sent_ids(platform) == [monitor_event(n)["eventId"] for n in (1, 2, 3)]
    assert platform.last_run["customer_events"]["cursor"] == "aa_3"
    assert type_report(platform)["stop"] == "caught up"


def test_customer_drain_stops_when_end_cursor_is_the_cursor_sent(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    stream = requests_mock.get(
        STREAM, [page([monitor_event(1)], "aa_1"), page([monitor_event(2)], "aa_1"), page([monitor_event(9)], "aa_9")]
    )
    platform = fetch(events_params(pkcs1_pem))
    assert stream.call_count == 2
    assert sent_ids(platform) == [monitor_event(1)["eventId"], monitor_event(2)["eventId"]]
    assert platform.last_run["customer_events"]["cursor"] == "aa_1"


def test_customer_event_budget_splits_page_limits(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    FakeMonitor(requests_mock, [monitor_event(n, f"2024-01-24T10:00:00.{n:07d}Z") for n in range(6000)])
    platform = fetch(events_params(pkcs1_pem, max_customer_events_per_fetch="4500"))
    assert stream_limits(requests_mock) == [2000, 2000, 500]
    assert len(platform.sent_events) == 4500
    assert platform.sent_events[-1]["eventId"] == monitor_event(4499)["eventId"]
    assert platform.last_run["customer_events"]["cursor"] == "aa_4500"
    assert type_report(platform)["stop"] == "event budget"
    # The next run carries on exactly where this one stopped.
    platform = fetch(events_params(pkcs1_pem, max_customer_events_per_fetch="4500"))
    assert stream_cursors(requests_mock)[3] == "aa_4500"
    assert [e["eventId"] for e in platform.sent_events] == [monitor_event(n)["eventId"] for n in range(4500, 6000)]
    assert platform.last_run["customer_events"]["cursor"] == "aa_6000"


def test_customer_time_budget_ends_the_drain(pkcs1_pem, requests_mock, no_sleep, fake_clock, mocker):
    mock_token(requests_mock)
    monitor = FakeMonitor(requests_mock, [monitor_event(n) for n in range(10)])
    reply = monitor._reply

    def slow_reply(request, context):
        fake_clock.now += 60  # each Monitor page takes a minute
        return reply(request, context)

    requests_mock.get(STREAM, json=slow_reply, headers=TRACE)
    mocker.patch.object(Docusign, "MONITOR_PAGE_MAX", 2)  # pages of 2: draining the 10 events would take 6 calls
    params = events_params(pkcs1_pem, fetch_time_budget="100", max_customer_events_per_fetch="20000", page_interval="0")
    platform = fetch(params)
    # The 100 s budget allows two pages (0 -> 60 s, 60 -> 120 s), then the run saves what it delivered.
    assert stream_limits(requests_mock) == [2, 2]
    assert len(platform.sent_events) == 4
    assert platform.last_run["customer_events"]["cursor"] == "aa_4"
    assert type_report(platform)["stop"] == "time budget"
    assert not error_entries(platform)


def test_customer_page_interval_does_not_outlast_the_budget(pkcs1_pem, requests_mock, no_sleep, fake_clock):
    """A pause that would end after the budget is not taken: the run stops and saves instead."""
    mock_token(requests_mock)
    requests_mock.get(STREAM, [page([monitor_event(1)], "aa_1"), page([monitor_event(2)], "aa_2"), page([], "aa_2")])
    no_sleep.side_effect = lambda seconds: setattr(fake_clock, "now", fake_clock.now + seconds)
    platform = fetch(events_params(pkcs1_pem, fetch_time_budget="50", page_interval="30"))
    # 0 s: page 1; pause 30 s (20 s left); the next 30 s pause does not fit after page 2.
    assert stream_cursors(requests_mock) == ["2024-01-24T00:00:00.000Z", "aa_1"]
    assert no_sleep.call_args_list == [((30.0,),)]
    assert platform.last_run["customer_events"]["cursor"] == "aa_2"


def test_customer_page_interval_only_between_pages(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(STREAM, [page([monitor_event(1)], "aa_1"), page([monitor_event(2)], "aa_2"), page([], "aa_2")])
    fetch(events_params(pkcs1_pem, page_interval="7"))
    assert no_sleep.call_args_list == [((7.0,),), ((7.0,),)]
    no_sleep.reset_mock()
    requests_mock.get(STREAM, [page([], "aa_2")])
    fetch(events_params(pkcs1_pem, page_interval="7"))
    no_sleep.assert_not_called()


# ============================================================================ customer events: state after send


def test_customer_last_run_saved_only_after_send(pkcs1_pem, requests_mock, no_sleep, mocker):
    mock_token(requests_mock)
    requests_mock.get(STREAM, [page([monitor_event(1)], "aa_1"), page([], "aa_1")])
    order: list[tuple[str, dict]] = []

    def record(step: str, seen: dict, call, *args, **kwargs):
        order.append((step, seen))
        return call(*args, **kwargs)

    real_send = Docusign.send_events_to_xsiam
    mocker.patch.object(
        Docusign,
        "send_events_to_xsiam",
        side_effect=lambda *a, **k: record("send", dict(PLATFORM.last_run), real_send, *a, **k),
    )
    real_set = demisto.setLastRun
    mocker.patch.object(demisto, "setLastRun", side_effect=lambda obj: record("set", obj, real_set, obj))
    fetch(events_params(pkcs1_pem), last_run={"customer_events": {"cursor": "aa_0"}})
    assert [step for step, _ in order] == ["send", "set"]
    assert order[0][1] == {"customer_events": {"cursor": "aa_0"}}
    assert order[1][1]["customer_events"]["cursor"] == "aa_1"


def test_customer_send_failure_keeps_last_run(pkcs1_pem, requests_mock, no_sleep, mocker):
    mock_token(requests_mock)
    requests_mock.get(STREAM, [page([monitor_event(1)], "aa_1"), page([], "aa_1")])
    mocker.patch.object(
        Docusign, "send_events_to_xsiam", side_effect=Docusign.DemistoException("XSIAM rejected the events: 500")
    )
    set_last_run = mocker.spy(demisto, "setLastRun")
    before = {"customer_events": {"cursor": "aa_0", "recent_ids": []}}
    platform = fetch(events_params(pkcs1_pem), last_run=before)
    set_last_run.assert_not_called()
    assert platform.last_run == before
    assert "XSIAM rejected the events" in error_entries(platform)[0]


# ============================================================================ customer events: shaping


@pytest.mark.parametrize(
    "timestamp, expected",
    [
        ("2023-03-03T09:10:06.0512813Z", "2023-03-03T09:10:06.051Z"),
        ("2023-03-03T09:10:06Z", "2023-03-03T09:10:06.000Z"),
        ("2023-03-03T09:10:06.999Z", "2023-03-03T09:10:06.999Z"),
        ("2023-03-03T11:10:06.0512813+02:00", "2023-03-03T09:10:06.051Z"),
        ("2023-03-03T03:40:06.5-05:30", "2023-03-03T09:10:06.500Z"),
        ("2023-03-03T23:59:59.9999999-05:30", "2023-03-04T05:29:59.999Z"),
    ],
)
def test_customer_time_from_timestamp_forms(timestamp, expected, pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    raw = monitor_event(1, timestamp)
    requests_mock.get(STREAM, [page([raw], "aa_1"), page([], "aa_1")])
    platform = fetch(events_params(pkcs1_pem))
    assert platform.sent_events == [{**raw, "source_log_type": "customerevent", "_time": expected}]
    assert type_report(platform)["warnings"] == []


def test_customer_sample_page_sent_as_is_with_time_and_type(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(STREAM, [{"json": MONITOR_PAGE, "headers": TRACE}, page([], MONITOR_PAGE["endCursor"])])
    platform = fetch(events_params(pkcs1_pem))
    assert [call["vendor"] + "/" + call["product"] for call in platform.sent] == ["docusign/docusign"]
    expected_times = ["2024-01-24T09:10:06.051Z", "2024-01-24T09:12:41.773Z", "2024-01-24T09:15:00.000Z"]
    assert platform.sent_events == [
        {**raw, "source_log_type": "customerevent", "_time": when}
        for raw, when in zip(MONITOR_PAGE["data"], expected_times, strict=True)
    ]
    assert platform.last_run["customer_events"]["cursor"] == MONITOR_PAGE["endCursor"]


def test_customer_odd_events_delivered_with_counted_warning(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    missing = monitor_event(1)
    del missing["timestamp"]
    nulls: dict[str, str | None] = {k: None for k in SAMPLE_EVENT}
    nulls["eventId"] = "0d0d0d0d-0000-4000-8000-000000000001"
    odd = [
        missing,
        monitor_event(2, "yesterday-ish"),
        nulls,
        "not an object",
        monitor_event(3, ""),
        monitor_event(4),
    ]
    requests_mock.get(STREAM, [page(odd, "aa_1"), page([], "aa_1")])
    before = datetime.now(UTC) - timedelta(seconds=1)
    platform = fetch(events_params(pkcs1_pem))
    sent = platform.sent_events
    assert len(sent) == 6
    assert all(e["source_log_type"] == "customerevent" and e["_time"] for e in sent)
    assert sent[3]["raw_event"] == "not an object"
    assert sent[5]["_time"] == "2024-01-24T10:00:04.051Z"
    for event in sent[:5]:  # undated events get the fetch time
        when = datetime.fromisoformat(event["_time"].replace("Z", "+00:00"))
        assert before <= when <= datetime.now(UTC) + timedelta(seconds=1)
    assert any("5 events without a usable timestamp" in w for w in type_report(platform)["warnings"])
    assert platform.last_run["customer_events"]["cursor"] == "aa_1"
    assert not error_entries(platform)


# ============================================================================ customer events: duplicates


def test_customer_boundary_repeat_from_previous_run_is_dropped(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    first = [monitor_event(1), monitor_event(2), monitor_event(3)]
    requests_mock.get(STREAM, [page(first, "aa_3"), page([], "aa_3")])
    platform = fetch(events_params(pkcs1_pem))
    assert len(platform.sent_events) == 3
    # DocuSign serves the last event again at the start of the next run.
    requests_mock.get(STREAM, [page([monitor_event(3), monitor_event(4)], "aa_4"), page([], "aa_4")])
    platform = fetch(events_params(pkcs1_pem))
    assert sent_ids(platform) == [monitor_event(4)["eventId"]]
    assert "1 repeated event dropped" in type_report(platform)["warnings"]
    assert platform.last_run["customer_events"]["cursor"] == "aa_4"


def test_customer_distinct_events_with_equal_timestamps_are_kept(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    same = "2024-01-24T10:00:00.0000000Z"
    requests_mock.get(STREAM, [page([monitor_event(1, same)], "aa_1"), page([], "aa_1")])
    fetch(events_params(pkcs1_pem))
    requests_mock.get(STREAM, [page([monitor_event(2, same), monitor_event(3, same)], "aa_3"), page([], "aa_3")])
    platform = fetch(events_params(pkcs1_pem))
    assert sent_ids(platform) == [monitor_event(2)["eventId"], monitor_event(3)["eventId"]]


def test_customer_recent_ids_are_bounded(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    remembered = [f"old-{n}" for n in range(Docusign.DEDUP_MEMORY)]
    requests_mock.get(STREAM, [page([monitor_event(n) for n in range(5)], "aa_5"), page([], "aa_5")])
    platform = fetch(
        events_params(pkcs1_pem), last_run={"customer_events": {"cursor": "aa_0", "recent_ids": remembered}}
    )
    recent = platform.last_run["customer_events"]["recent_ids"]
    assert len(recent) == Docusign.DEDUP_MEMORY
    assert recent[-5:] == [monitor_event(n)["eventId"] for n in range(5)]
    assert recent[0] == "old-5"


# ============================================================================ customer events: malformed cursors


def health_warnings(platform) -> list[str]:
    """The warnings on module health (not the platform's own ``eventsPulled`` counts)."""
    return [data for data, is_error in platform.module_health if not is_error and isinstance(data, str)]


def test_customer_cursor_that_does_not_move_is_reported_every_run(pkcs1_pem, requests_mock, no_sleep):
    """DocuSign answering events with the cursor sent would hold the stream there while each run says caught up."""
    mock_token(requests_mock)
    stuck = page([monitor_event(1), monitor_event(2)], "aa_5_0")
    stream = requests_mock.get(STREAM, [stuck, page([monitor_event(9)], "aa_9_0")])
    before = {"customer_events": {"cursor": "aa_5_0", "recent_ids": [], "api": "lens", "newest": ""}}
    platform = fetch(events_params(pkcs1_pem), last_run=before)
    assert stream.call_count == 1  # not asked again in the same run
    assert sent_ids(platform) == [monitor_event(1)["eventId"], monitor_event(2)["eventId"]]
    assert platform.last_run["customer_events"]["cursor"] == "aa_5_0"
    (warning,) = health_warnings(platform)
    assert "Customer events:" in warning and "endCursor did not move" in warning and "'aa_5_0'" in warning
    assert type_report(platform)["stop"] == "cursor problem"
    assert not health_errors(platform) and not error_entries(platform)

    requests_mock.get(STREAM, [stuck])
    platform.module_health.clear()
    platform = fetch(events_params(pkcs1_pem), last_run=platform.last_run)
    assert platform.sent_events == []  # remembered: not sent twice
    (warning,) = health_warnings(platform)
    assert "endCursor did not move" in warning


def test_customer_cursor_that_goes_back_is_not_followed(pkcs1_pem, requests_mock, no_sleep):
    """6,000 events back is beyond the id memory: following it would send thousands of events again."""
    mock_token(requests_mock)
    events = [monitor_event(n, f"2024-01-24T10:00:00.{n:07d}Z") for n in range(8000)]

    def reply(request, context):
        start = int(query(request)["cursor"].rsplit("_", 1)[1])
        data = events[start : start + 2000]
        end = 1000 if start == 7000 else start + len(data)
        return {"endCursor": f"aa_638400000000000000_{end}", "data": data}

    requests_mock.get(STREAM, json=reply, headers=TRACE)
    remembered = [e["eventId"] for e in events[5000:7000]]
    before = {"customer_events": {"cursor": "aa_638400000000000000_7000", "recent_ids": remembered, "api": "lens"}}
    platform = fetch(events_params(pkcs1_pem), last_run=before)
    assert stream_cursors(requests_mock) == ["aa_638400000000000000_7000"]
    assert sent_ids(platform) == [e["eventId"] for e in events[7000:]]
    saved = platform.last_run["customer_events"]
    assert saved["cursor"] == "aa_638400000000000000_7000"  # the last cursor that made sense
    assert saved["recent_ids"][-1000:] == [e["eventId"] for e in events[7000:]]
    (warning,) = health_warnings(platform)
    assert "endCursor went back" in warning and "aa_638400000000000000_1000" in warning

    platform.module_health.clear()
    platform = fetch(events_params(pkcs1_pem), last_run=platform.last_run)
    (warning,) = health_warnings(platform)
    assert platform.sent_events == [] and "endCursor went back" in warning


def test_customer_pages_of_repeats_with_opaque_cursors_end_the_run(pkcs1_pem, requests_mock, no_sleep):
    """Cursors that cannot be compared: pages of events already delivered tell the cursor went back."""
    mock_token(requests_mock)
    old = [monitor_event(n) for n in range(20)]
    stream = requests_mock.get(
        STREAM,
        [
            page([*old[:10], monitor_event(100)], "opaque-2"),  # 10 of 11 already delivered
            page(old[10:], "opaque-3"),
            page([monitor_event(101)], "opaque-4"),
        ],
    )
    before = {"customer_events": {"cursor": "opaque-1", "recent_ids": [e["eventId"] for e in old], "api": "lens"}}
    platform = fetch(events_params(pkcs1_pem), last_run=before)
    assert stream.call_count == 2
    assert sent_ids(platform) == [monitor_event(100)["eventId"]]
    assert platform.last_run["customer_events"]["cursor"] == "opaque-3"
    (warning,) = health_warnings(platform)
    assert "already delivered" in warning and "cursor" in warning


# ============================================================================ customer events: errors


def test_customer_rate_limit_with_retry_after_is_waited_out(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    limited = {
        "status_code": 429,
        "json": {"errorCode": "BURST_APIINVOCATION_LIMIT_EXCEEDED", "message": "burst"},
        "headers": {"Retry-After": "12", **TRACE},
    }
    stream = requests_mock.get(
        STREAM, [page([monitor_event(1)], "aa_1"), limited, page([monitor_event(2)], "aa_2"), page([], "aa_2")]
    )
    platform = fetch(events_params(pkcs1_pem, page_interval="5"))
    assert stream.call_count == 4
    assert stream_cursors(requests_mock) == ["2024-01-24T00:00:00.000Z", "aa_1", "aa_1", "aa_2"]
    assert no_sleep.call_args_list == [((5.0,),), ((12.0,),), ((5.0,),)]
    assert len(platform.sent_events) == 2
    assert platform.last_run["customer_events"]["cursor"] == "aa_2"
    assert (run_report(platform)["rate_limit_waits"], run_report(platform)["waited_s"]) == (1, 12.0)


@pytest.mark.parametrize("status", [429, 400])
def test_customer_rate_limit_beyond_budget_keeps_what_was_fetched(status, pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    hourly = {"status_code": status, "json": RATE_LIMITED, "headers": {"Retry-After": "2400", **TRACE}}
    stream = requests_mock.get(
        STREAM, [page([monitor_event(1)], "aa_1"), page([monitor_event(2)], "aa_2"), hourly, page([], "aa_9")]
    )
    platform = fetch(events_params(pkcs1_pem))
    assert stream.call_count == 3
    assert sent_ids(platform) == [monitor_event(1)["eventId"], monitor_event(2)["eventId"]]
    assert platform.last_run["customer_events"]["cursor"] == "aa_2"
    report = type_report(platform)
    assert report["stop"] == "rate limit" and "X-DocuSign-TraceToken: 5f2b7a1e" in report["warnings"][0]
    assert not error_entries(platform)  # an expected pause, not a failure
    assert [c for c in no_sleep.call_args_list if c != ((5.0,),)] == []  # never waited the 40 minutes


def test_an_event_over_xsiams_size_limit_is_trimmed_and_delivered_not_lost(pkcs1_pem, requests_mock, mocker, no_sleep):
    mocker.patch.object(Docusign, "MAX_EVENT_BYTES", 20_000)
    mock_token(requests_mock)
    huge = monitor_event(2)
    huge["data"] = {"EventIds": [f"{n:08d}-0000-4000-8000-000000000000" for n in range(2000)], "Count": "2000"}
    requests_mock.get(STREAM, [page([monitor_event(1), huge, monitor_event(3)], "aa_3"), page([], "aa_3")])
    platform = fetch(events_params(pkcs1_pem))
    assert sent_ids(platform) == [monitor_event(n)["eventId"] for n in (1, 2, 3)]
    trimmed = platform.sent_events[1]
    assert len(json.dumps(trimmed).encode()) <= 20_000
    assert trimmed["trimmed_fields"] == ["data.EventIds"] and trimmed["data"]["Count"] == "2000"
    assert trimmed["data"]["EventIds"][0] == huge["data"]["EventIds"][0]
    assert trimmed["data"]["EventIds"][-1] == Docusign.TRIM_MARK
    assert "trimmed_fields" not in platform.sent_events[0]
    assert run_report(platform)["trimmed_events"] == 1
    assert any("1 event over XSIAM's size limit" in str(data) for data, _ in platform.module_health)
    assert platform.last_run["customer_events"]["cursor"] == "aa_3"


@pytest.mark.parametrize(
    "event, path",
    [
        ({"id": "1", "note": "x" * 50_000}, "note"),
        ({"id": "1", "record": {"groups": "y" * 50_000, "name": "n"}}, "record.groups"),
        ({"id": "1", "many": {f"k{n}": "v" * 100 for n in range(600)}}, "many"),
        ({"id": "1", "a": "é" * 30_000, "b": "z" * 20_000}, "a"),
    ],
)
def test_trimming_cuts_the_value_that_makes_the_event_big(event, path):
    assert Docusign.fit_event(event, limit=20_000) and event["trimmed_fields"][0] == path
    assert len(json.dumps(event).encode()) <= 20_000 and event["id"] == "1"
    assert Docusign.fit_event({"id": "small"}, limit=20_000) == []


def test_customer_server_errors_are_retried(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    boom = {"status_code": 500, "text": "<html>Internal Server Error</html>", "headers": TRACE}
    stream = requests_mock.get(STREAM, [boom, boom, page([monitor_event(1)], "aa_1"), page([], "aa_1")])
    platform = fetch(events_params(pkcs1_pem))
    assert stream.call_count == 4
    assert sent_ids(platform) == [monitor_event(1)["eventId"]]
    assert run_report(platform)["retries"] == 2


def test_customer_server_error_that_persists_keeps_cursor_and_earlier_pages(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    boom = {"status_code": 503, "text": "", "headers": TRACE}
    requests_mock.get(STREAM, [page([monitor_event(1)], "aa_1")] + [boom] * 5)
    platform = fetch(events_params(pkcs1_pem))
    assert sent_ids(platform) == [monitor_event(1)["eventId"]]
    assert platform.last_run["customer_events"]["cursor"] == "aa_1"
    # Every selected type failed, but after delivering a page: the command does not fail (a failed command could
    # lose the saved cursor and send the page again); the error is on the instance's health.
    assert error_entries(platform) == []
    (error,) = health_errors(platform)
    assert error.startswith("1 event delivered")
    assert "Customer events: DocuSign answered HTTP 503" in error and "X-DocuSign-TraceToken: 5f2b7a1e" in error


def test_customer_401_renews_the_token_once(pkcs1_pem, requests_mock, no_sleep):
    token_call = mock_token(requests_mock)
    expired = {"status_code": 401, "json": {"errorCode": "USER_AUTHENTICATION_FAILED", "message": "expired"}}
    requests_mock.get(STREAM, [expired, page([monitor_event(1)], "aa_1"), page([], "aa_1")])
    platform = fetch(events_params(pkcs1_pem))
    assert token_call.call_count == 2
    assert sent_ids(platform) == [monitor_event(1)["eventId"]]
    assert not error_entries(platform)


def test_customer_403_explains_monitor_access_and_keeps_state(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    stream = requests_mock.get(STREAM, status_code=403, text="", headers=TRACE)
    before = {"customer_events": {"cursor": "aa_7", "recent_ids": ["x"]}}
    platform = fetch(events_params(pkcs1_pem), last_run=before)
    assert stream.call_count == 1
    assert platform.last_run == before
    assert platform.sent == []
    (error,) = error_entries(platform)
    assert "Customer events" in error
    assert "DocuSign Monitor in its plan" in error and "Security Reports Administrator" in error
    assert "X-DocuSign-TraceToken: 5f2b7a1e" in error


@pytest.mark.parametrize(
    "reply, expected",
    [
        pytest.param({"text": "<html><body>Sign in</body></html>"}, "not JSON", id="html"),
        pytest.param({"json": {"data": [SAMPLE_EVENT]}}, "without endCursor", id="no-endCursor"),
        pytest.param({"json": {"endCursor": "aa_9", "data": {"oops": 1}}}, "endCursor or events", id="bad-data"),
    ],
)
def test_customer_malformed_page_keeps_state(reply, expected, pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(STREAM, headers=TRACE, **reply)
    before = {"customer_events": {"cursor": "aa_7"}}
    platform = fetch(events_params(pkcs1_pem), last_run=before)
    assert platform.last_run == before
    assert platform.sent == []
    (error,) = error_entries(platform)
    assert expected in error
    assert "X-DocuSign-TraceToken: 5f2b7a1e" in error


# ============================================================================ isolation between the two types


def users_ok(requests_mock) -> FakeUsers:
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    users = FakeUsers(requests_mock)
    users.add(1, datetime(2024, 1, 24, 15, 15, 42, tzinfo=UTC))
    return users


@pytest.mark.parametrize(
    "failure, expected",
    [
        pytest.param({"status_code": 500, "json": {"errorCode": "UNSPECIFIED_ERROR"}}, "HTTP 500", id="admin-500"),
        pytest.param({"status_code": 403, "text": ""}, "Organization Administrator", id="admin-403"),
    ],
)
def test_users_failure_does_not_cost_customer_events(failure, expected, pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)  # the Account ID is checked
    requests_mock.get(STREAM, [page([monitor_event(1)], "aa_1"), page([], "aa_1")])
    admin = requests_mock.get(ADMIN_USERS, headers=TRACE, **failure)
    users_state = {"watermark": "2024-01-23T10:00:00.000Z", "not_before": FIRST_FETCH, "marks": ["k"]}
    before = {"customer_events": {"cursor": "aa_0"}, "audit_users": users_state}
    platform = fetch(make_params(pkcs1_pem, first_fetch=FIRST_FETCH), last_run=before)
    assert admin.call_count == (5 if failure["status_code"] == 500 else 1)  # 500s retried, then given up
    assert sent_ids(platform) == [monitor_event(1)["eventId"]]
    assert platform.last_run["customer_events"]["cursor"] == "aa_1"
    assert platform.last_run["audit_users"] == users_state
    assert not error_entries(platform)  # the run half-succeeded: its failure goes to the instance's health
    (error,) = health_errors(platform)
    assert "Audit Users:" in error and expected in error and "Customer events:" not in error


def test_customer_failure_does_not_cost_user_events(pkcs1_pem, requests_mock, no_sleep, clock):
    mock_token(requests_mock)
    requests_mock.get(STREAM, status_code=403, text="", headers=TRACE)
    users_ok(requests_mock)
    before = {"customer_events": {"cursor": "aa_7"}}
    platform = fetch(make_params(pkcs1_pem, first_fetch=FIRST_FETCH), last_run=before)
    assert sent_ids(platform) == [user_guid(1)]
    assert platform.last_run["customer_events"] == {"cursor": "aa_7"}
    assert platform.last_run["audit_users"]["watermark"] == "2024-01-25T12:00:00.000Z"  # when the listing started
    assert not error_entries(platform)
    (error,) = health_errors(platform)
    assert "Customer events:" in error and "Monitor" in error and "Audit Users:" not in error


def test_a_partial_failure_says_which_types_state_was_saved(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    requests_mock.get(ADMIN_USERS, status_code=403, text="", headers=TRACE)
    requests_mock.get(STREAM, [page([], "aa_7")])
    users_state = {"watermark": "2024-01-23T10:00:00.000Z", "not_before": FIRST_FETCH, "marks": []}
    before = {
        "customer_events": {"cursor": "aa_7", "recent_ids": [], "api": "lens", "newest": ""},
        "audit_users": users_state,
    }
    params = make_params(pkcs1_pem, first_fetch=FIRST_FETCH)
    platform = fetch(params, last_run=before)
    assert platform.last_run == before  # nothing new, nothing saved: the message must not say otherwise
    (error,) = health_errors(platform)
    assert error.startswith(
        "0 events delivered (Customer events state kept as it was, Audit Users state kept as it was), but: "
        "Audit Users: The DocuSign Admin API refused access (403)."
    )

    requests_mock.get(STREAM, [page([monitor_event(1)], "aa_8")])
    platform.module_health.clear()
    platform = fetch(params, last_run=before)
    assert platform.last_run["customer_events"]["cursor"] == "aa_8"
    (error,) = health_errors(platform)
    assert error.startswith("1 event delivered (Customer events state saved, Audit Users state kept as it was), but: ")


# ============================================================================ the summary line


def test_summary_line_has_counts_and_no_event_content(pkcs1_pem, requests_mock, no_sleep, caplog):
    caplog.set_level("DEBUG")
    mock_token(requests_mock)
    requests_mock.get(STREAM, [{"json": MONITOR_PAGE, "headers": TRACE}, page([], MONITOR_PAGE["endCursor"])])
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    admin = [load_json("admin_users_page_1.json"), load_json("admin_users_page_2.json")]
    requests_mock.get(ADMIN_USERS, [{"json": admin[0], "headers": TRACE}, {"json": admin[1], "headers": TRACE}])
    requests_mock.get(ESIGN_USERS, json=load_json("esign_users_page.json"), headers=TRACE)
    requests_mock.get(re.compile(re.escape(ESIGN_USERS) + "/"), status_code=404, json={"errorCode": "USER_NOT_FOUND"})
    platform = fetch(make_params(pkcs1_pem, first_fetch=FIRST_FETCH))
    report = run_report(platform)
    assert {k: report["types"]["Customer events"][k] for k in ("events", "pages", "stop")} == {
        "events": 3,
        "pages": 1,
        "stop": "caught up",
    }
    assert (report["types"]["Audit Users"]["events"], report["types"]["Audit Users"]["pages"]) == (3, 2)
    assert report["events"] == 6 and report["calls_by_endpoint"]["monitor.stream"] == 1
    # The line for people is rendered from the same report.
    line = summary_line(platform)
    assert "Customer events: 3 events, 1 pages" in line and "stop: caught up" in line and "total 6 events" in line
    # What the integration logs (requests-mock's own request log stands for the HTTP library, not the pack).
    logged = platform.log_text() + "\n".join(
        r.getMessage() for r in caplog.records if r.name != "requests_mock.adapter"
    )
    sent = platform.sent_events
    private = set()
    for event in sent:
        for name in ("email", "ipAddress", "userId", "userName", "referencedUserId"):
            if event.get(name):
                private.add(str(event[name]))
    assert len(private) >= 10
    for value in private:
        assert value not in logged, value


# ============================================================================ docusign-get-events: customer events


def test_get_events_customer_defaults_to_the_last_hour(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(STREAM, [{"json": MONITOR_PAGE, "headers": TRACE}, page([], MONITOR_PAGE["endCursor"])])
    before = {"customer_events": {"cursor": "aa_7"}}
    platform = run_command(
        "docusign-get-events", events_params(pkcs1_pem), {"event_type": "Customer events"}, last_run=before
    )
    cursor = datetime.fromisoformat(stream_cursors(requests_mock)[0].replace("Z", "+00:00"))
    assert abs(cursor - (datetime.now(UTC) - timedelta(hours=1))) < timedelta(minutes=2)
    assert stream_limits(requests_mock)[0] == 10
    entry = platform.results[-1]
    assert entry["Contents"] == [
        {
            **raw,
            "source_log_type": "customerevent",
            "_time": Docusign.format_time(Docusign.parse_time(raw["timestamp"]) or datetime.now(UTC)),
        }
        for raw in MONITOR_PAGE["data"]
    ]
    table = entry["HumanReadable"]
    assert table.startswith("### DocuSign Customer events\n|_time|action|object|userId|ipAddress|result|")
    assert (
        "| 2024-01-24T09:12:41.773Z | Login | User | 6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d "
        "| 2001:db8:85a3::8a2e:370:7334 | Failure |" in table
    )
    assert platform.sent == []
    assert platform.last_run == before


def test_get_events_customer_returns_what_fetch_sends(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    odd = [*MONITOR_PAGE["data"], monitor_event(7, "2024-01-24T11:10:06.0512813+02:00")]
    FakeMonitor(requests_mock, [dict(e, timestamp=e["timestamp"]) for e in odd])
    shown = run_command(
        "docusign-get-events",
        events_params(pkcs1_pem),
        {"event_type": "Customer events", "limit": "3", "from_date": "2024-01-24T09:00:00Z"},
    ).results[-1]["Contents"]
    assert stream_cursors(requests_mock)[0] == "2024-01-24T09:00:00.000Z"
    assert stream_limits(requests_mock) == [3]  # limit honoured: no second page once it is reached
    platform = fetch(events_params(pkcs1_pem, first_fetch="2024-01-24T09:00:00Z", max_customer_events_per_fetch="3"))
    assert shown == platform.sent_events
    assert len(shown) == 3


@pytest.mark.parametrize("push, pushed", [("true", True), ("false", False), (None, False)])
def test_get_events_pushes_only_when_asked(push, pushed, pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(STREAM, [{"json": MONITOR_PAGE, "headers": TRACE}, page([], MONITOR_PAGE["endCursor"])])
    args = {"event_type": "Customer events", "from_date": "3 hours"}
    if push is not None:
        args["should_push_events"] = push
    before = {"customer_events": {"cursor": "aa_7"}, "audit_users": {"watermark": FIRST_FETCH}}
    platform = run_command("docusign-get-events", events_params(pkcs1_pem), args, last_run=before)
    contents = platform.results[-1]["Contents"]
    assert len(contents) == 3
    assert platform.sent_events == (contents if pushed else [])
    assert platform.last_run == before


# ============================================================================ audit users: records


ALICE, BOB, CAROL = (
    u["id"] for u in load_json("admin_users_page_1.json")["users"] + load_json("admin_users_page_2.json")["users"]
)


def admin_only(admin: dict, *names: str) -> dict:
    return {name: admin[name] for name in names}


def test_users_first_run_sends_one_flat_record_per_change(pkcs1_pem, requests_mock, no_sleep, clock):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    page1, page2 = load_json("admin_users_page_1.json"), load_json("admin_users_page_2.json")
    admin = requests_mock.get(ADMIN_USERS, [{"json": page1, "headers": TRACE}, {"json": page2, "headers": TRACE}])
    esign_page = load_json("esign_users_page.json")
    listing = requests_mock.get(ESIGN_USERS, json=esign_page, headers=TRACE)
    closed = requests_mock.get(
        f"{ESIGN_USERS}/{CAROL}",
        status_code=404,
        json={"errorCode": "USER_DOES_NOT_EXIST_IN_SYSTEM", "message": "The user does not exist."},
        headers=TRACE,
    )
    platform = fetch(users_params(pkcs1_pem))

    assert query(admin.request_history[0]) == {
        "account_id": ACCOUNT_ID,
        "last_modified_since": "2024-01-23T23:00:00.000Z",  # first_fetch less the one-hour look-back
        "take": "250",
        "start": "0",
    }
    assert admin.request_history[1].url == page1["paging"]["next"]
    assert query(listing.last_request) == {"additional_info": "true", "count": "100", "start_position": "0"}
    assert (admin.call_count, listing.call_count, closed.call_count) == (2, 1, 1)

    alice_admin, bob_admin = page1["users"]
    (carol_admin,) = page2["users"]
    shared = (
        "membership_id",
        "is_membership_managed_by_scim",
        "is_managed_by_scim",
        "license_type",
        "subscription_id",
        "plan_name",
        "ds_groups",
    )
    alice = {
        **esign_page["users"][0],
        **admin_only(alice_admin, "user_status", "membership_status", "created_on", "membership_created_on", *shared),
        "source_log_type": "auditusers",
        "_time": "2024-01-24T15:15:42.000Z",
    }
    bob = {
        **esign_page["users"][1],
        **admin_only(bob_admin, "user_status", "membership_status", "created_on", "membership_created_on", *shared),
        "source_log_type": "auditusers",
        "_time": "2024-01-24T16:02:12.000Z",
    }
    carol = {  # eSignature no longer knows her: the Admin record in eSignature's names, time from the closure
        "userId": CAROL,
        "userName": "Carol Closed",
        "email": "carol.closed@example.com",
        "firstName": "Carol",
        "lastName": "Closed",
        "userStatus": "Closed",
        **admin_only(
            carol_admin,
            "user_status",
            "membership_status",
            "created_on",
            "closed_on",
            "membership_created_on",
            "membership_closed_on",
            *shared,
        ),
        "source_log_type": "auditusers",
        "_time": "2024-01-24T17:45:30.250Z",
    }
    assert platform.sent_events == [alice, bob, carol]
    assert alice["isAdmin"] == "True" and alice["permissionProfileName"] == "DS Admin"
    assert alice["groupList"][0]["groupName"] == "Administrators" and alice["ds_groups"][0]["is_admin"] is True
    state = platform.last_run["audit_users"]
    assert state["watermark"] == "2024-01-25T12:00:00.000Z"  # when the listing started
    assert len(state["marks"]) == 3 and state["account_users_total"] == 3
    assert not error_entries(platform)


@pytest.mark.parametrize(
    "date_form, expected",
    [
        ("us", "2024-01-24T15:15:42.000Z"),
        ("iso7", "2024-01-24T15:15:42.123Z"),
        ("naive", "2024-01-24T15:15:42.123Z"),
        ("missing", "2024-01-24T15:15:42.123Z"),  # a new user: the Admin creation date stands in
    ],
)
def test_users_time_from_modified_date_forms(date_form, expected, pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    users = FakeUsers(requests_mock, date_form=date_form)
    when = datetime(2024, 1, 24, 15, 15, 42, 123456, tzinfo=UTC)
    # The Admin record's creation date is the same instant only for the new user without an eSignature date.
    created = when if date_form == "missing" else datetime(2024, 1, 24, 9, 0, tzinfo=UTC)
    users.add(1, when, created=created)
    platform = fetch(users_params(pkcs1_pem))
    (event,) = platform.sent_events
    assert event["_time"] == expected
    assert event["source_log_type"] == "auditusers"
    assert event["userId"] == user_guid(1) and event["email"] == "user1@example.com"


def test_users_time_of_an_afternoon_change_is_not_read_as_morning(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    users = FakeUsers(requests_mock)
    users.add(1, datetime(2024, 1, 24, 12, 5, 9, tzinfo=UTC))  # 12:05:09 PM
    users.add(2, datetime(2024, 12, 1, 0, 5, 9, tzinfo=UTC))  # 12:05:09 AM
    platform = fetch(users_params(pkcs1_pem, max_user_events_per_fetch="10"))
    assert [e["_time"] for e in platform.sent_events] == ["2024-01-24T12:05:09.000Z", "2024-12-01T00:05:09.000Z"]


def test_years_before_1000_keep_four_digits_in_time(pkcs1_pem, requests_mock, no_sleep, clock, monkeypatch):
    """.NET's DateTime.MinValue (0001-01-01) is a placeholder DocuSign can send; _time must stay ISO."""
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    old = [monitor_event(1, "0001-01-01T00:00:00Z"), monitor_event(2, "0999-12-31T23:59:59.9999999Z")]
    requests_mock.get(STREAM, [page(old, "aa_2"), page([], "aa_2")])
    platform = fetch(events_params(pkcs1_pem))
    assert [e["_time"] for e in platform.sent_events] == ["0001-01-01T00:00:00.000Z", "0999-12-31T23:59:59.999Z"]

    users = FakeUsers(requests_mock)
    user = users.add(1, datetime(2024, 1, 25, 9, 0, tzinfo=UTC))  # outside the look-back: read on its next listing
    params = users_params(pkcs1_pem)
    state = fetch(params).last_run
    template = users.esign_record
    for n, (placeholder, expected) in enumerate(
        [("0001-01-01T00:00:00", "0001-01-01T00:00:00.000Z"), ("0999-12-31T23:59:59Z", "0999-12-31T23:59:59.000Z")]
    ):

        def esign_record(uid: str, date: str = placeholder) -> dict:
            record = template(uid)
            record["userSettings"]["modifiedDate"] = date
            return record

        monkeypatch.setattr(users, "esign_record", esign_record)
        clock.shift(60)
        users.admin_change(user, datetime.now(UTC), status="disabled" if n else "active")
        platform = fetch(params, last_run=state)
        assert [e["_time"] for e in platform.sent_events] == [expected]
        state = platform.last_run


def test_a_timestamp_that_cannot_be_put_in_utc_is_undated_not_a_failure(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    # 0001-01-01T00:00+01:00 is before year 1 in UTC: Python cannot represent it.
    requests_mock.get(STREAM, [page([monitor_event(1, "0001-01-01T00:00:00+01:00")], "aa_1"), page([], "aa_1")])
    platform = fetch(events_params(pkcs1_pem))
    assert sent_ids(platform) == [monitor_event(1)["eventId"]]
    assert "1 event without a usable timestamp got the fetch time as _time" in type_report(platform)["warnings"]
    assert platform.last_run["customer_events"]["cursor"] == "aa_1"


# ============================================================================ audit users: each change once


class UserRuns:
    """Audit-user runs at set times of the wall clock, each with the calls it made."""

    def __init__(self, requests_mock, clock, by_day: bool = False) -> None:
        mock_token(requests_mock)
        requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
        self.users = FakeUsers(requests_mock, by_day=by_day)
        self.requests_mock, self.clock = requests_mock, clock
        self.last_calls = self.users.calls(requests_mock)

    def at(self, hh_mm: str, params: dict, day: int = 24):
        hour, minute = map(int, hh_mm.split(":"))
        self.clock.move_to(datetime(2024, 1, day, hour, minute, tzinfo=UTC), tick=False)
        platform = fetch(params)
        assert not error_entries(platform)
        return platform

    def calls(self) -> tuple[int, int]:
        """Admin calls and eSignature calls since the last time asked."""
        now = self.users.calls(self.requests_mock)
        admin = now["admin"] - self.last_calls["admin"]
        esign = sum(now[k] - self.last_calls[k] for k in ("esign_list", "esign_user"))
        self.last_calls = now
        return admin, esign

    def since(self) -> str:
        return query(calls_to(self.requests_mock, ADMIN_USERS)[-1])["last_modified_since"]

    def last_run_filter(self) -> str:
        return PLATFORM.last_run["audit_users"]["admin_filter"]


def test_users_each_change_delivered_once(pkcs1_pem, requests_mock, no_sleep, clock):
    runs = UserRuns(requests_mock, clock)
    early = runs.users.add(1, datetime(2024, 1, 24, 8, 0, tzinfo=UTC))
    later = runs.users.add(2, datetime(2024, 1, 24, 13, 0, tzinfo=UTC))
    params = users_params(pkcs1_pem, first_fetch="2024-01-24T12:00:00Z")

    assert sent_ids(runs.at("14:00", params)) == [later]  # the 08:00 change is before the first fetch time
    runs.calls()
    assert runs.at("14:01", params).sent == []  # listed again (look-back), read a minute ago: no read
    assert runs.calls() == (1, 0)
    assert runs.since() == "2024-01-24T13:00:00.000Z"  # the last listing's start less the look-back

    runs.users.add(2, datetime(2024, 1, 24, 14, 30, tzinfo=UTC))  # the same user changes again
    platform = runs.at("14:31", params)
    assert sent_ids(platform) == [later] and platform.sent_events[0]["_time"] == "2024-01-24T14:30:00.000Z"
    # Listed with an unchanged Admin record, read again: once a day, one call asks whether the filter lists
    # whole days (it does not here).
    assert runs.calls() == (2, 1) and runs.last_run_filter() == "time:2024-01-24"
    runs.users.add(1, datetime(2024, 1, 24, 14, 40, tzinfo=UTC))  # and the early user changes after first fetch
    assert sent_ids(runs.at("14:41", params)) == [early]
    assert runs.since() == "2024-01-24T13:31:00.000Z"
    runs.calls()
    assert runs.at("14:42", params).sent == []
    assert runs.calls() == (1, 0)

    # Runs further apart than the look-back: the last changes are listed once more, read again, not sent again.
    assert runs.at("16:00", params).sent == []
    assert runs.calls() == (1, 1)
    assert runs.at("16:01", params).sent == []
    assert runs.calls() == (1, 0)


def test_users_each_change_delivered_once_when_the_filter_lists_whole_days(pkcs1_pem, requests_mock, no_sleep, clock):
    runs = UserRuns(requests_mock, clock, by_day=True)
    early = runs.users.add(1, datetime(2024, 1, 24, 8, 0, tzinfo=UTC))
    later = runs.users.add(2, datetime(2024, 1, 24, 13, 0, tzinfo=UTC))
    params = users_params(pkcs1_pem, first_fetch="2024-01-24T12:00:00Z")

    # Both listed (whole day), both never read: the 08:00 change is older than the first fetch time, but the
    # listing could be for a change only the Admin record shows, so it is delivered too (never a loss).
    assert sorted(sent_ids(runs.at("14:00", params))) == sorted([early, later])
    runs.calls()
    # Listed again within the hour of their reads: not read again, and no probe.
    assert runs.at("14:01", params).sent == []
    assert runs.calls() == (1, 0)

    runs.users.add(2, datetime(2024, 1, 24, 14, 30, tzinfo=UTC))  # a second change that day, eSignature only
    assert runs.at("14:31", params).sent == []  # indistinguishable from the listing of its first change
    # The hourly read, when the reads leave the look-back; one probe shows the filter lists whole days.
    platform = runs.at("15:01", params)
    assert sent_ids(platform) == [later] and platform.sent_events[0]["_time"] == "2024-01-24T14:30:00.000Z"
    assert runs.last_run_filter() == "day:2024-01-24"
    runs.calls()
    platform = runs.at("15:05", params)
    assert platform.sent == [] and type_report(platform)["counts"] == {"listed": 2, "read": 0, "skipped": 2}
    assert runs.calls() == (1, 0)

    runs.users.add(1, datetime(2024, 1, 24, 15, 10, tzinfo=UTC), status="closed")  # the Admin record shows it
    assert sent_ids(runs.at("15:11", params)) == [early]
    runs.calls()
    assert runs.at("15:12", params).sent == []
    assert runs.calls() == (1, 0)

    # Past midnight, listings still reaching into yesterday keep yesterday's verdict: no read, no probe.
    runs.at("23:59", params)
    runs.calls()
    assert runs.at("00:01", params, day=25).sent == []
    assert runs.calls() == (1, 0)
    # Then yesterday's changes are no longer listed.
    assert runs.at("01:00", params, day=25).sent == []
    runs.calls()
    assert runs.at("01:01", params, day=25).sent == []
    assert runs.calls() == (1, 0)


def test_users_budget_cut_continues_without_skip_or_repeat(pkcs1_pem, requests_mock, no_sleep, clock):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    users = FakeUsers(requests_mock)
    times = [
        datetime(2024, 1, 24, 13, tzinfo=UTC),
        datetime(2024, 1, 24, 14, tzinfo=UTC),
        datetime(2024, 1, 25, 10, tzinfo=UTC),
        datetime(2024, 1, 26, 10, tzinfo=UTC),
        datetime(2024, 1, 27, 10, tzinfo=UTC),
    ]
    # Listed by the Admin API in another order than they changed.
    u = {n: users.add(n, when) for n, when in zip((5, 3, 1, 4, 2), times, strict=True)}
    params = users_params(pkcs1_pem, max_user_events_per_fetch="2")

    clock.move_to(datetime(2024, 1, 27, 12, tzinfo=UTC), tick=False)
    run1 = fetch(params)  # a cut list goes in the order eSignature lists users, so the next run reads on from there
    assert sent_ids(run1) == [u[1], u[2]]
    assert type_report(run1)["stop"] == "event budget"

    # Between runs: a user not yet delivered changes again, and one not yet read changes too.
    users.add(4, datetime(2024, 1, 28, 10, tzinfo=UTC))
    users.add(5, datetime(2024, 1, 29, 10, tzinfo=UTC))
    clock.move_to(datetime(2024, 1, 29, 12, tzinfo=UTC), tick=False)
    run2 = fetch(params)
    assert sent_ids(run2) == [u[3], u[4]]
    assert [e["_time"] for e in run2.sent_events] == ["2024-01-24T14:00:00.000Z", "2024-01-28T10:00:00.000Z"]

    clock.shift(60)
    run3 = fetch(params)
    assert sent_ids(run3) == [u[5]]
    assert [e["_time"] for e in run3.sent_events] == ["2024-01-29T10:00:00.000Z"]

    clock.shift(60)
    run4 = fetch(params)
    assert run4.sent == []
    admin_days = [query(r)["last_modified_since"] for r in calls_to(requests_mock, ADMIN_USERS)]
    # A cut run keeps the listing's start; once all is delivered, the next starts at that run's listing.
    assert admin_days == [
        "2024-01-23T23:00:00.000Z",
        "2024-01-23T23:00:00.000Z",
        "2024-01-23T23:00:00.000Z",
        "2024-01-29T11:01:00.000Z",
    ]


def test_users_budget_cut_without_changes_between_runs(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    users = FakeUsers(requests_mock)
    same = datetime(2024, 1, 24, 13, tzinfo=UTC)  # equal times: the budget cut falls inside a tie
    ids = [users.add(n, same if n < 4 else same + timedelta(hours=n)) for n in range(1, 6)]
    params = users_params(pkcs1_pem, max_user_events_per_fetch="2")
    delivered = []
    for _ in range(4):
        delivered += sent_ids(fetch(params))
    assert delivered == ids


# ============================================================================ audit users: enrichment cost


def users_state(total: int | None = None) -> dict:
    state: dict[str, object] = {
        "watermark": "2024-01-24T00:00:00.000Z",
        "not_before": "2024-01-24T00:00:00.000Z",
        "delivered": [],
    }
    if total is not None:
        state["account_users_total"] = total
    return {"audit_users": state}


CHANGED = 0x70000000  # changed users' ids sort after the unchanged ones, so they sit on the last eSignature pages


def account(requests_mock, unchanged: int, changed: int) -> FakeUsers:
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    users = FakeUsers(requests_mock)
    users.add_unchanged(unchanged, first=1)
    for i in range(changed):
        users.add(CHANGED + i, datetime(2024, 1, 24, 10, tzinfo=UTC) + timedelta(seconds=i))
    return users


def test_users_list_larger_than_the_budget_is_read_once_across_runs(pkcs1_pem, requests_mock, no_sleep, clock):
    users = account(requests_mock, unchanged=150, changed=450)  # eSignature pages: 1 unchanged, 1 mixed, 4 changed
    params = users_params(pkcs1_pem, max_user_events_per_fetch="200")
    per_run = []
    for _ in range(4):
        clock.shift(60)
        per_run.append(sent_ids(fetch(params)))
    assert [len(ids) for ids in per_run] == [200, 200, 50, 0]
    delivered = [i for ids in per_run for i in ids]
    assert sorted(delivered) == sorted(user_guid(CHANGED + i) for i in range(450))
    # Each run reads on from the page the last one stopped in: the probe page, then the pages of the list once
    # (the page a cut falls in twice), instead of every page on every run.
    assert users.calls(requests_mock) == {"admin": 7, "esign_list": 8, "esign_user": 0, "userinfo": 1}


def test_users_few_changes_in_big_account_read_one_by_one(pkcs1_pem, requests_mock, no_sleep):
    users = account(requests_mock, unchanged=4997, changed=3)
    platform = fetch(users_params(pkcs1_pem), last_run=users_state(total=5000))
    assert users.calls(requests_mock) == {"admin": 1, "esign_list": 0, "esign_user": 3, "userinfo": 1}
    assert len(platform.sent_events) == 3
    assert all(e["userSettings"]["modifiedDate"] for e in platform.sent_events)


@pytest.mark.parametrize(
    "changed, list_calls, user_calls",
    [(1, 0, 1), (4, 0, 4), (5, 0, 5), (6, 5, 0), (40, 5, 0)],
)
def test_users_enrichment_takes_the_cheaper_way(changed, list_calls, user_calls, pkcs1_pem, requests_mock, no_sleep):
    """450 users: bulk costs ceil(450/100) = 5 calls, one by one N calls; the cheaper is taken."""
    users = account(requests_mock, unchanged=450 - changed, changed=changed)
    platform = fetch(users_params(pkcs1_pem), last_run=users_state(total=450))
    calls = users.calls(requests_mock)
    assert (calls["admin"], calls["esign_list"], calls["esign_user"]) == (1, list_calls, user_calls)
    assert len(platform.sent_events) == changed
    assert all(e["permissionProfileName"] == "DS Admin" and e["firstName"] == "User" for e in platform.sent_events)
    if list_calls:
        starts = [query(r)["start_position"] for r in calls_to(requests_mock, ESIGN_USERS)]
        assert starts == ["0", "100", "200", "300", "400"]


def test_users_first_run_probes_one_page_to_learn_the_account_size(pkcs1_pem, requests_mock, no_sleep, clock):
    users = account(requests_mock, unchanged=448, changed=2)
    platform = fetch(users_params(pkcs1_pem))
    # One listing page reveals 450 users (5 pages): two one-by-one reads are cheaper than 4 more pages.
    assert users.calls(requests_mock) == {"admin": 1, "esign_list": 1, "esign_user": 2, "userinfo": 1}
    assert platform.last_run["audit_users"]["account_users_total"] == 450
    assert len(platform.sent_events) == 2
    # Later runs know the size and do not probe again.
    users.add(CHANGED + 50, NOW + timedelta(minutes=20))
    users.add(CHANGED + 51, NOW + timedelta(minutes=21))
    requests_mock.reset_mock()
    clock.shift(30 * 60)
    platform = fetch(users_params(pkcs1_pem))
    # Only the two new changes are listed: two one-by-one reads beat five pages.
    assert users.calls(requests_mock) == {"admin": 1, "esign_list": 0, "esign_user": 2, "userinfo": 0}
    assert sent_ids(platform) == [user_guid(CHANGED + 50), user_guid(CHANGED + 51)]


def test_users_single_change_on_first_run_needs_no_probe(pkcs1_pem, requests_mock, no_sleep):
    users = account(requests_mock, unchanged=300, changed=1)
    platform = fetch(users_params(pkcs1_pem))
    assert users.calls(requests_mock) == {"admin": 1, "esign_list": 0, "esign_user": 1, "userinfo": 1}
    assert len(platform.sent_events) == 1


def test_users_many_changes_cost_pages_not_calls_per_user(pkcs1_pem, requests_mock, no_sleep):
    users = account(requests_mock, unchanged=0, changed=600)
    platform = fetch(users_params(pkcs1_pem, max_user_events_per_fetch="1000"))
    # Admin: ceil(600/250) = 3 pages; eSignature: ceil(600/100) = 6 pages (the first one is the probe).
    assert users.calls(requests_mock) == {"admin": 3, "esign_list": 6, "esign_user": 0, "userinfo": 1}
    admin_calls = calls_to(requests_mock, ADMIN_USERS)
    assert [query(r)["start"] for r in admin_calls] == ["0", "250", "500"]
    assert len(platform.sent_events) == 600
    assert len({e["userId"] for e in platform.sent_events}) == 600
    assert all(e["source_log_type"] == "auditusers" and e["_time"] for e in platform.sent_events)


def test_users_base_uri_cached_per_account(pkcs1_pem, requests_mock, no_sleep, clock):
    mock_token(requests_mock)
    info = requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(base_uri="https://na3.docusign.net"))
    users = FakeUsers(requests_mock, base_uri="https://na3.docusign.net")
    users.add(1, datetime(2024, 1, 24, 10, tzinfo=UTC))
    PLATFORM.integration_context = {
        "base_uri": "https://stale.docusign.net",
        "base_uri_account_id": "11111111-2222-3333-4444-555555555555",
    }
    platform = fetch(users_params(pkcs1_pem))
    assert sent_ids(platform) == [user_guid(1)]
    assert info.call_count == 1
    assert not any("stale" in r.url for r in requests_mock.request_history)
    assert platform.integration_context["base_uri"] == "https://na3.docusign.net"
    assert platform.integration_context["base_uri_account_id"] == ACCOUNT_ID
    users.add(2, NOW + timedelta(minutes=1))
    clock.shift(120)
    platform = fetch(users_params(pkcs1_pem))
    assert sent_ids(platform) == [user_guid(2)]
    assert info.call_count == 1  # cached for this account


@pytest.mark.parametrize("watermark", ["2024-01-24T15:15:42Z", "1/24/2024 3:15:42 PM"])
def test_users_public_pack_watermark_is_continued(watermark, pkcs1_pem, requests_mock, no_sleep, clock):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    users = FakeUsers(requests_mock)
    users.add(1, datetime(2024, 1, 24, 14, 0, 0, tzinfo=UTC))
    users.add(2, datetime(2024, 1, 24, 15, 15, 42, tzinfo=UTC))  # sent by the public pack (inclusive watermark)
    after = users.add(3, datetime(2024, 1, 24, 15, 15, 43, tzinfo=UTC))
    legacy = {"Audit Users": {"latest_modifiedDate": watermark}, "customer_events": {"cursor": "aa_1"}}
    platform = fetch(users_params(pkcs1_pem, first_fetch="3 days"), last_run=legacy)
    assert query(calls_to(requests_mock, ADMIN_USERS)[0])["last_modified_since"] == "2024-01-24T14:15:42.000Z"
    # The public pack's last change, listed again by the look-back, cannot be told from a change only the Admin
    # record shows: it is delivered once more rather than risk losing one.
    assert sorted(sent_ids(platform)) == [user_guid(2), after]
    assert "Audit Users" not in platform.last_run
    assert platform.last_run["audit_users"]["watermark"] == "2024-01-25T12:00:00.000Z"
    assert platform.last_run["customer_events"] == {"cursor": "aa_1"}  # a type not selected keeps its state
    assert fetch(users_params(pkcs1_pem, first_fetch="3 days")).sent == []


# ============================================================================ audit users: configuration and errors


@pytest.mark.parametrize("missing, label", [("account_id", "Account ID"), ("organization_id", "Organization ID")])
def test_users_need_account_and_organization(missing, label, pkcs1_pem, requests_mock):
    platform = fetch(users_params(pkcs1_pem, **{missing: None}))
    (error,) = error_entries(platform)
    assert f"Audit Users needs the {label}" in error and "or deselect Audit Users" in error
    assert not requests_mock.called
    assert platform.last_run == {}


def test_a_missing_organization_id_does_not_stop_customer_events(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(STREAM, [page([monitor_event(1)], "aa_1"), page([], "aa_1")])
    platform = fetch(make_params(pkcs1_pem, organization_id=None, first_fetch=FIRST_FETCH))
    assert sent_ids(platform) == [monitor_event(1)["eventId"]] and not error_entries(platform)
    (health,) = health_errors(platform)
    assert "Audit Users needs the Organization ID (DocuSign Admin > Organizations)" in health


def test_get_events_users_without_account_configured_is_explained(pkcs1_pem, requests_mock):
    platform = run_command("docusign-get-events", events_params(pkcs1_pem), {"event_type": "Audit Users"})
    (error,) = error_entries(platform)
    assert "Audit Users needs the Account ID" in error and "and the Organization ID" in error
    assert not requests_mock.called


@pytest.mark.parametrize("status", [429, 400])
def test_users_rate_limit_beyond_budget_keeps_state(status, pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)  # the Account ID is checked
    admin = requests_mock.get(
        ADMIN_USERS, status_code=status, json=RATE_LIMITED, headers={"Retry-After": "3000", **TRACE}
    )
    before = {
        "audit_users": {
            "watermark": "2024-01-24T15:15:42.000Z",
            "not_before": FIRST_FETCH[:-1] + ".000Z",
            "marks": [f"{ALICE}|2024-01-24T15:15:42.000Z|0123456789abcdef|2024-01-24T15:16:00.000Z|"],
            "account_users_total": 3,
            "admin_filter": "time",
            "sweep_from": 0,
        }
    }
    platform = fetch(users_params(pkcs1_pem), last_run=before)
    assert admin.call_count == 1
    assert platform.sent == []
    assert platform.last_run == before
    assert not error_entries(platform)
    assert (type_report(platform)["events"], type_report(platform)["stop"]) == (0, "rate limit")
    no_sleep.assert_not_called()


def test_users_hourly_limit_during_enrichment_delivers_what_was_read_and_goes_on_each_hour(
    pkcs1_pem, requests_mock, no_sleep, clock
):
    """2,000 users, 1,500 changed, an account whose other apps leave 15 calls an hour: each hour delivers what it
    read before DocuSign's HOURLY limit, and the next hour reads on from there (it used to deliver nothing, for
    ever)."""
    users = account(requests_mock, unchanged=500, changed=1500)
    calls_this_hour: dict[int, int] = {}

    def hourly_limit(handler):
        def reply(request, context):
            hour = int(time.time() // 3600)
            calls_this_hour[hour] = calls_this_hour.get(hour, 0) + 1
            if calls_this_hour[hour] > 15:
                context.status_code = 400
                context.headers["X-RateLimit-Reset"] = str((hour + 1) * 3600)
                return RATE_LIMITED
            return handler(request, context)

        return reply

    requests_mock.get(ADMIN_USERS, json=hourly_limit(users._admin), headers=TRACE)
    requests_mock.get(ESIGN_USERS, json=hourly_limit(users._esign_list), headers=TRACE)
    params = users_params(pkcs1_pem)
    delivered: list[str] = []
    state: dict = users_state(total=2000)
    for _ in range(8):
        clock.shift(3600)
        platform = fetch(params, last_run=state)
        delivered += sent_ids(platform)
        state = platform.last_run
        if len(delivered) < 1500:
            assert sent_ids(platform), "an hour without progress"
            assert type_report(platform)["stop"] == "rate limit"
            assert "DocuSign's API rate limit stopped the reading of user records" in " ".join(
                type_report(platform)["warnings"]
            )
            assert any("rate limit stopped the reading" in str(data) for data, _ in platform.module_health)
    assert sorted(delivered) == sorted(user_guid(CHANGED + i) for i in range(1500))


def test_users_rate_limited_first_run_keeps_the_first_fetch_time(pkcs1_pem, requests_mock, no_sleep, mocker):
    """A relative first fetch ("1 day") moves with the clock; a run that was stopped by the rate limit must not
    let the next run start later than the first one did."""
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    now = {"value": datetime(2024, 1, 25, 8, 0, tzinfo=UTC)}
    mocker.patch.object(Docusign.Settings, "first_fetch_time", lambda self: now["value"] - timedelta(days=1))
    requests_mock.get(ADMIN_USERS, status_code=429, json=RATE_LIMITED, headers={"Retry-After": "3000", **TRACE})
    requests_mock.get(STREAM, status_code=429, json=RATE_LIMITED, headers={"Retry-After": "3000", **TRACE})
    params = make_params(pkcs1_pem, first_fetch="1 day")
    fetch(params)  # 2024-01-25 08:00: both types rate limited, nothing fetched

    now["value"] = datetime(2024, 1, 25, 10, 0, tzinfo=UTC)  # two hours later the limit has reset
    users = FakeUsers(requests_mock)
    changed = users.add(1, datetime(2024, 1, 24, 9, 0, tzinfo=UTC))  # after the first run's start (08:00)
    requests_mock.get(STREAM, [page([], "aa_1")])
    platform = fetch(params)
    assert stream_cursors(requests_mock)[-1] == "2024-01-24T08:00:00.000Z"
    assert sent_ids(platform) == [changed]


def test_users_admin_403_explains_the_org_admin_role(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)  # the Account ID is checked
    requests_mock.get(ADMIN_USERS, status_code=403, text="", headers=TRACE)
    before = users_state(total=3)
    platform = fetch(users_params(pkcs1_pem), last_run=before)
    assert platform.last_run == before
    (error,) = error_entries(platform)
    assert "Audit Users:" in error and "Organization Administrator of the organization (Organization ID)" in error
    assert "organization_read and user_read" in error and "X-DocuSign-TraceToken: 5f2b7a1e" in error


def test_users_esign_403_explains_the_account_admin_role(pkcs1_pem, requests_mock, no_sleep):
    users = account(requests_mock, unchanged=0, changed=1)
    requests_mock.get(
        re.compile(re.escape(ESIGN_USERS) + "/"),
        status_code=403,
        json={"errorCode": "USER_LACKS_PERMISSIONS", "message": "This user lacks sufficient permissions"},
        headers=TRACE,
    )
    platform = fetch(users_params(pkcs1_pem), last_run=users_state())
    assert users.calls(requests_mock)["esign_user"] == 1
    assert platform.last_run == users_state()
    (error,) = error_entries(platform)
    assert "administrator of the account (Account ID)" in error and "USER_LACKS_PERMISSIONS" in error
    assert "X-DocuSign-TraceToken: 5f2b7a1e" in error


def test_users_401_renews_the_token_once(pkcs1_pem, requests_mock, no_sleep):
    users = account(requests_mock, unchanged=0, changed=1)
    real = users._admin
    replies = iter([401])

    def expired_once(request, context):
        status = next(replies, 200)
        if status == 401:
            context.status_code = 401
            return {"errorCode": "USER_AUTHENTICATION_FAILED", "message": "The access token has expired."}
        return real(request, context)

    requests_mock.get(ADMIN_USERS, json=expired_once, headers=TRACE)
    platform = fetch(users_params(pkcs1_pem))
    assert len(calls_to(requests_mock, f"{DEV}/oauth/token")) == 2
    assert users.calls(requests_mock)["admin"] == 2
    assert sent_ids(platform) == [user_guid(CHANGED)]
    assert not error_entries(platform)


def test_users_malformed_admin_page_keeps_state(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)  # the Account ID is checked
    requests_mock.get(ADMIN_USERS, json={"paging": {}}, headers=TRACE)
    platform = fetch(users_params(pkcs1_pem), last_run=users_state(total=3))
    assert platform.last_run == users_state(total=3)
    (error,) = error_entries(platform)
    assert "without a users list" in error and "X-DocuSign-TraceToken: 5f2b7a1e" in error


# ============================================================================ docusign-get-events: audit users


def test_get_events_users_returns_what_fetch_sends(pkcs1_pem, requests_mock, no_sleep):
    users = account(requests_mock, unchanged=20, changed=4)
    users.add(CHANGED + 9, datetime(2024, 1, 24, 17, 45, 30, 250000, tzinfo=UTC), status="closed", in_esign=False)
    before = {"audit_users": {"watermark": "2030-01-01T00:00:00.000Z"}, "customer_events": {"cursor": "aa_1"}}
    shown = run_command(
        "docusign-get-events",
        users_params(pkcs1_pem),
        {"event_type": "Audit Users", "limit": "5", "from_date": FIRST_FETCH},
        last_run=before,
    )
    entry = shown.results[-1]
    assert shown.last_run == before and shown.sent == []
    assert len(entry["Contents"]) == 5
    assert entry["HumanReadable"].startswith(
        "### DocuSign Audit Users\n|_time|userName|email|userStatus|permissionProfileName|isAdmin|"
    )
    row = "| 2024-01-24T17:45:30.250Z | User 1879048201 | user1879048201@example.com | Closed |  |  |"
    assert row in entry["HumanReadable"]
    platform = fetch(users_params(pkcs1_pem), last_run={})
    assert entry["Contents"] == platform.sent_events


def test_users_admin_refusing_a_time_falls_back_to_the_date_and_remembers(pkcs1_pem, requests_mock, no_sleep, clock):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    users = FakeUsers(requests_mock)
    changed = users.add(1, datetime(2024, 1, 24, 13, 0, 0, tzinfo=UTC))
    strict = requests_mock.get(
        ADMIN_USERS,
        additional_matcher=lambda request: "T" in query(request)["last_modified_since"],
        status_code=400,
        json={"errorCode": "INVALID_REQUEST_PARAMETER", "message": "last_modified_since is invalid"},
        headers=TRACE,
    )
    params = users_params(pkcs1_pem, first_fetch="2024-01-24T12:00:00Z")
    first = fetch(params)
    assert sent_ids(first) == [changed]
    assert first.last_run["audit_users"]["admin_filter"] == "date"
    assert strict.call_count == 1
    clock.shift(60)
    second = fetch(params)
    assert second.sent == []
    assert strict.call_count == 1  # the date form is remembered: no failing call per run
    assert query(calls_to(requests_mock, ADMIN_USERS)[-1])["last_modified_since"] == "2024-01-25"


def test_users_without_any_change_date_are_delivered_once_per_record_content(pkcs1_pem, requests_mock, no_sleep, clock):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    users = FakeUsers(requests_mock, date_form="none")
    user = users.add(1, datetime(2024, 1, 24, 13, 0, 0, tzinfo=UTC), created=datetime(2019, 4, 1, tzinfo=UTC))
    params = users_params(pkcs1_pem, first_fetch="2024-01-24T12:00:00Z")
    first = fetch(params)
    assert sent_ids(first) == [user]  # listed as changed by the Admin API although every date is old
    clock.shift(60)
    assert fetch(params).sent == []  # the same record is not sent again
    users.admin_change(user, NOW + timedelta(minutes=2), status="closed")
    clock.shift(120)
    third = fetch(params)
    assert sent_ids(third) == [user] and third.sent_events[0]["membership_status"] == "closed"


def test_customer_default_budget_makes_one_request_per_run(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    stream = requests_mock.get(
        STREAM, [page([monitor_event(1), monitor_event(2)], "aa_1"), page([monitor_event(3)], "aa_2"), page([], "aa_2")]
    )
    params = events_params(pkcs1_pem, max_customer_events_per_fetch=None)  # the default: 2000, one page
    first = fetch(params)
    assert stream.call_count == 1 and sent_ids(first) == [monitor_event(n)["eventId"] for n in (1, 2)]
    assert no_sleep.call_count == 0
    second = fetch(params, last_run=first.last_run)
    assert stream.call_count == 2 and sent_ids(second) == [monitor_event(3)["eventId"]]
    assert stream_cursors(requests_mock) == ["2024-01-24T00:00:00.000Z", "aa_1"]


# ============================================================================ review findings


def test_users_rate_limit_400_during_per_user_reads_stops_the_run(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    users = FakeUsers(requests_mock)
    users.add(1, datetime(2024, 1, 24, 13, 0, 0, tzinfo=UTC))
    state = {"audit_users": {"watermark": "2024-01-24T12:00:00.000Z", "account_users_total": 5000}}
    limited = requests_mock.get(
        re.compile(re.escape(ESIGN_USERS) + "/"),
        status_code=400,
        json={"errorCode": "HOURLY_APIINVOCATION_LIMIT_EXCEEDED", "message": "hourly"},
        headers={"X-RateLimit-Reset": str(int(datetime.now(UTC).timestamp()) + 3000), **TRACE},
    )
    platform = fetch(users_params(pkcs1_pem), last_run=state)
    assert platform.sent == []  # no degraded Admin-only record that a later run would send again
    assert limited.call_count == 1
    assert platform.last_run["audit_users"]["watermark"] == "2024-01-24T12:00:00.000Z"
    assert type_report(platform)["stop"] == "rate limit"


def test_odd_users_reply_does_not_cost_customer_events(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    requests_mock.get(STREAM, [page([monitor_event(1)], "aa_1"), page([], "aa_1")])
    two_users = [dict(ADMIN_TEMPLATE, id=user_guid(1)), dict(ADMIN_TEMPLATE, id=user_guid(2))]
    requests_mock.get(ADMIN_USERS, json={"users": two_users, "paging": {}})  # two: the account size is probed
    requests_mock.get(ESIGN_USERS, json={"users": [], "totalSetSize": "many"}, headers=TRACE)
    requests_mock.get(re.compile(re.escape(ESIGN_USERS) + "/"), status_code=404, json={"errorCode": "X"})
    platform = fetch(make_params(pkcs1_pem, first_fetch=FIRST_FETCH, max_customer_events_per_fetch="20000"))
    assert sent_ids(platform) == [monitor_event(1)["eventId"]]
    assert platform.last_run["customer_events"]["cursor"] == "aa_1"
    assert "audit_users" not in platform.last_run
    assert "Audit Users: unexpected ValueError" in health_errors(platform)[0]


def test_future_dated_change_does_not_push_the_watermark_past_now(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    users = FakeUsers(requests_mock)
    users.add(1, datetime.now(UTC) + timedelta(days=2))
    platform = fetch(users_params(pkcs1_pem, first_fetch="1 hour"))
    assert len(platform.sent_events) == 1
    watermark = datetime.fromisoformat(platform.last_run["audit_users"]["watermark"].replace("Z", "+00:00"))
    assert watermark <= datetime.now(UTC)


def test_admin_paging_is_followed_only_on_the_admin_host_and_never_in_circles(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    user = dict(ADMIN_TEMPLATE, id=user_guid(1))
    elsewhere = requests_mock.get("https://collector.example.net/users", json={"users": []})
    requests_mock.get(ADMIN_USERS, json={"users": [user], "paging": {"next": "https://collector.example.net/users"}})
    platform = fetch(users_params(pkcs1_pem))
    assert not elsewhere.called
    assert "another host (collector.example.net)" in error_entries(platform)[0]

    requests_mock.get(ADMIN_USERS, json={"users": [user], "paging": {"next": ADMIN_USERS + "?start=250"}})
    platform = fetch(users_params(pkcs1_pem))
    assert len(calls_to(requests_mock, ADMIN_USERS)) < 10
    assert "did not finish within this run" in error_entries(platform)[0]


def test_missing_admin_consent_does_not_stop_customer_events(pkcs1_pem, requests_mock, no_sleep):
    def consent_for(request) -> bool:
        claims = jwt.decode(parse_qs(request.text)["assertion"][0], options={"verify_signature": False})
        return "user_read" in claims["scope"]

    requests_mock.post(
        f"{DEV}/oauth/token", additional_matcher=consent_for, status_code=400, json={"error": "consent_required"}
    )
    requests_mock.post(
        f"{DEV}/oauth/token",
        additional_matcher=lambda request: not consent_for(request),
        json={"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600},
    )
    requests_mock.get(STREAM, [page([monitor_event(1)], "aa_1"), page([], "aa_1")])
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    platform = fetch(make_params(pkcs1_pem, first_fetch=FIRST_FETCH))
    assert sent_ids(platform) == [monitor_event(1)["eventId"]]
    assert (
        "Audit Users: DocuSign says consent is required: the consent given covers signature impersonation but not "
        "organization_read user_read (needed for Audit Users)."
    ) in health_errors(platform)[0]


def test_partial_consent_names_the_missing_scopes_when_only_audit_users_is_selected(pkcs1_pem, requests_mock):
    """DocuSign's consent_required does not say which scopes lack consent: one token request for the base scopes
    tells, and the message names the rest."""

    def scope_of(request) -> str:
        return jwt.decode(parse_qs(request.text)["assertion"][0], options={"verify_signature": False})["scope"]

    requests_mock.post(
        f"{DEV}/oauth/token",
        additional_matcher=lambda request: "user_read" in scope_of(request),
        status_code=400,
        json={"error": "consent_required"},
        headers=TRACE,
    )
    requests_mock.post(
        f"{DEV}/oauth/token",
        additional_matcher=lambda request: "user_read" not in scope_of(request),
        json={"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600},
    )
    settings = Docusign.Settings.from_params(users_params(pkcs1_pem))
    with pytest.raises(Docusign.ApiError) as info:
        client_for(settings).tokens.get(settings.scopes)
    assert str(info.value).startswith(
        "DocuSign says consent is required: the consent given covers signature impersonation but not "
        "organization_read user_read (needed for Audit Users)."
    )
    assert "X-DocuSign-TraceToken: 5f2b7a1e" in str(info.value)
    asked = [scope_of(r) for r in requests_mock.request_history]
    assert asked == ["signature impersonation organization_read user_read", "signature impersonation"]


def test_assertion_and_token_are_registered_as_sensitive(settings, requests_mock):
    token_call = mock_token(requests_mock)
    client_for(settings).tokens.get(settings.scopes)
    assertion = parse_qs(token_call.last_request.text)["assertion"][0]
    assert {assertion, TOKEN} <= set(PLATFORM.sensitive_strings)


@pytest.mark.parametrize("late_minutes", [11, 30, 59])
def test_a_change_the_admin_api_lists_late_is_delivered_within_the_look_back(
    late_minutes, pkcs1_pem, requests_mock, no_sleep, clock
):
    """DocuSign documents no bound on how late a change reaches the Admin listing: one hour is covered, and a
    lateness near it is said on health."""
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    users = FakeUsers(requests_mock)
    users.add(1, NOW - timedelta(hours=2))
    params = users_params(pkcs1_pem, first_fetch="2024-01-24T12:00:00Z")
    state = fetch(params).last_run
    late = users.add(2, NOW + timedelta(minutes=1))
    users.users[late]["hidden"] = True  # changed, but not yet in the Admin listing
    delivered = []
    for minute in range(5, 5 * 20, 5):  # runs every 5 minutes
        clock.move_to(NOW + timedelta(minutes=minute), tick=False)
        if minute >= 1 + late_minutes:
            users.users[late]["hidden"] = False
        run = fetch(params, last_run=state)
        delivered += sent_ids(run)
        state = run.last_run
        if run.sent:
            report = type_report(run)
            assert run.sent_events[0]["_time"] == Docusign.format_time(NOW + timedelta(minutes=1))
            assert report["counts"]["late"] == 1
            warned = any("reached DocuSign's Admin API late" in w for w in report["warnings"])
            assert warned == (late_minutes > 35)  # measured as a lower bound: the last listing that missed it
    assert delivered == [late]


def test_a_second_change_in_the_same_second_is_delivered_once(pkcs1_pem, requests_mock, no_sleep, clock):
    """eSignature's US-formatted dates resolve seconds: a new title set in the second of the last change keeps
    the date, and only the record's content shows it."""
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    users = FakeUsers(requests_mock, date_form="us")
    user = users.add(1, NOW)
    params = users_params(pkcs1_pem, first_fetch="2024-01-24T12:00:00Z")
    clock.shift(0.3)
    first = fetch(params)
    assert sent_ids(first) == [user]
    users.esign_change(user, NOW + timedelta(seconds=0.6), jobTitle="Chief Signer")
    delivered, state = [], first.last_run
    for _ in range(7):  # runs 10 minutes apart, until the first read leaves the one-hour look-back
        clock.shift(600)
        run = fetch(params, last_run=state)
        delivered += [e.get("jobTitle") for e in run.sent_events]
        state = run.last_run
    assert delivered == ["Chief Signer"]


def test_sign_ins_alone_are_not_user_changes(pkcs1_pem, requests_mock, no_sleep, clock):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    users = FakeUsers(requests_mock, date_form="us")
    user = users.add(1, NOW)
    params = users_params(pkcs1_pem, first_fetch="2024-01-24T12:00:00Z")
    clock.shift(0.3)
    state = fetch(params).last_run
    sign_in = {"lastLogin": "2024-01-25T12:00:00.6000000Z", "passwordExpiration": "2024-04-24T12:00:00Z"}
    users.esign_change(user, NOW + timedelta(seconds=0.6), **sign_in)
    for _ in range(7):
        clock.shift(600)
        run = fetch(params, last_run=state)
        assert run.sent == []
        state = run.last_run


def test_admin_side_change_without_new_esign_date_is_delivered_once(pkcs1_pem, requests_mock, no_sleep, clock):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    users = FakeUsers(requests_mock)
    user = users.add(1, datetime(2024, 1, 24, 13, 0, 0, tzinfo=UTC))
    params = users_params(pkcs1_pem, first_fetch="2024-01-24T12:00:00Z")
    first = fetch(params)
    assert sent_ids(first) == [user]
    state = first.last_run
    clock.shift(60)
    assert fetch(params, last_run=state).sent == []
    users.admin_change(user, NOW + timedelta(minutes=2), status="closed")  # eSignature's modifiedDate stays
    clock.shift(120)
    third = fetch(params, last_run=state)
    assert sent_ids(third) == [user]
    assert third.sent_events[0]["membership_status"] == "closed"
    for _ in range(3):  # and not again on later runs, near or far
        clock.shift(15 * 60)
        assert fetch(params, last_run=third.last_run).sent == []


def test_users_time_budget_delivers_what_was_read_and_keeps_the_watermark(
    pkcs1_pem, requests_mock, no_sleep, fake_clock
):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    users = FakeUsers(requests_mock)
    for n in range(1, 6):
        users.add(n, datetime(2024, 1, 24, 12, n, 0, tzinfo=UTC), in_esign=False)  # read one by one
    one_by_one = users._esign_one

    def slow_get(request, context):
        fake_clock.now += 40  # each per-user read takes 40 s of a 100 s budget
        return one_by_one(request, context)

    requests_mock.get(re.compile(re.escape(ESIGN_USERS) + r"/[0-9a-fA-F-]{36}(\?|$)"), json=slow_get)
    state = {"audit_users": {"watermark": "2024-01-24T12:00:00.000Z", "account_users_total": 5000}}
    params = users_params(pkcs1_pem, fetch_time_budget="100")
    first = fetch(params, last_run=state)
    assert len(first.sent_events) == 3  # read at 40, 80 and 120 s; then out of time
    assert first.last_run["audit_users"]["watermark"] == "2024-01-24T12:00:00.000Z"  # two users still unread
    assert type_report(first)["stop"] == "time budget"
    delivered = sent_ids(first)
    second = fetch(params, last_run=first.last_run)
    delivered += sent_ids(second)
    assert sorted(delivered) == sorted(users.users) and len(set(delivered)) == 5


# ---------------------------------------------------------------------------- fetch core, called directly
# The fetchers, states, paginators and the retry policy without main(): what each promises on its own.

START = datetime(2024, 1, 24, tzinfo=UTC)
CUSTOMER, USERS = Docusign.CUSTOMER_EVENTS, Docusign.AUDIT_USERS


def drive(name: str, settings, state, budget: int, **ctx):
    """Run one fetcher directly: its steps and how it ended (the return or the exception)."""
    client = client_for(settings, **ctx)
    steps: list[Docusign.Step] = []
    ended = None
    try:
        steps.extend(Docusign.EVENT_TYPES[name].fetch(client, state, budget, client.ctx))
    except Exception as exc:
        ended = exc
    return steps, ended


def test_customer_fetcher_polls_once_with_a_one_page_budget(settings, requests_mock):
    mock_token(requests_mock)
    requests_mock.get(STREAM, [page([monitor_event(1), monitor_event(2)], "aa_2"), page([monitor_event(3)], "aa_3")])
    steps, ended = drive(CUSTOMER, settings, Docusign.CustomerEventsState("aa_0"), Docusign.MONITOR_PAGE_MAX)
    assert ended is None and len(steps) == 1
    assert [e["eventId"] for e in steps[0].events] == [monitor_event(1)["eventId"], monitor_event(2)["eventId"]]
    ids = tuple(e["eventId"] for e in steps[0].events)
    assert steps[0].state == Docusign.CustomerEventsState("aa_2", ids, "lens", "2024-01-24T10:00:02.051Z")


def test_customer_fetcher_stops_for_its_event_budget_with_the_cursor_of_what_it_yielded(settings, requests_mock):
    mock_token(requests_mock)
    requests_mock.get(STREAM, [page([monitor_event(n) for n in range(1, 4)], "aa_3")])
    steps, ended = drive(CUSTOMER, settings, Docusign.CustomerEventsState("aa_0"), 3)
    assert isinstance(ended, Docusign.Stopped) and ended.reason is Docusign.StopReason.EVENT_BUDGET
    assert steps[-1].state.cursor == "aa_3" and stream_limits(requests_mock) == [3]


def test_customer_fetcher_out_of_time_before_the_first_page(settings, requests_mock):
    mock_token(requests_mock)
    stream = requests_mock.get(STREAM, json=page([], "aa_0"))
    steps, ended = drive(CUSTOMER, settings, Docusign.CustomerEventsState("aa_0"), 10, deadline=Docusign.Deadline(0))
    assert steps == [] and ended.reason is Docusign.StopReason.TIME_BUDGET and not stream.called


def test_users_fetcher_yields_once_with_the_state_those_events_make_true(settings, requests_mock, clock):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo())
    users = FakeUsers(requests_mock)
    users.add(1, datetime(2024, 1, 24, 10, tzinfo=UTC))
    state = Docusign.AuditUsersState(START, START)
    steps, ended = drive(USERS, settings, state, 10)
    assert ended is None and len(steps) == 1
    (step,) = steps
    assert [e["userId"] for e in step.events] == [user_guid(1)]
    assert step.state.watermark == NOW  # the listing's start
    assert [m.user_id for m in step.state.marks] == [user_guid(1)]


def test_collect_keeps_what_was_fetched_before_an_error_and_says_why(settings, requests_mock):
    mock_token(requests_mock)
    requests_mock.get(
        STREAM,
        [page([monitor_event(1)], "aa_1"), {"status_code": 400, "json": {"errorCode": "INVALID_CURSOR"}}],
    )
    client = client_for(settings)
    last_run = {"customer_events": {"cursor": "aa_0"}}
    outcome = Docusign.collect(Docusign.EVENT_TYPES[CUSTOMER], client, last_run, 5000, START)
    assert [e["eventId"] for e in outcome.events] == [monitor_event(1)["eventId"]]
    assert outcome.state.cursor == "aa_1"
    assert outcome.report.stop is Docusign.StopReason.ERROR and "INVALID_CURSOR" in outcome.report.error
    assert outcome.report.calls == 3  # token, two pages


def test_collect_turns_an_unreadable_state_into_an_error_without_a_state(settings):
    client = client_for(settings)
    outcome = Docusign.collect(Docusign.EVENT_TYPES[USERS], client, {"audit_users": {"marks": 7}}, 10, START)
    assert outcome.state is None and outcome.events == []
    assert outcome.report.error.startswith("unexpected TypeError")


# Saved states: the current format, and the public pack's, load into typed states and save back unchanged.

SAVED_CUSTOMER = {
    "customer_events": {"cursor": "aa_9", "recent_ids": ["e1", "e2"], "api": "v1", "newest": "2024-01-24T10:00:00.000Z"}
}
SAVED_USERS = {
    "audit_users": {
        "watermark": "2024-01-24T10:00:00.000Z",
        "not_before": "2024-01-20T00:00:00.000Z",
        "marks": [
            f"{user_guid(1)}|2024-01-24T09:59:00.000Z|0123456789abcdef|2024-01-24T10:00:00.000Z|",
            # no eSignature date: the change seen (only the Admin record showed it) is dated when it was read
            f"{user_guid(2)}||fedcba9876543210|2024-01-24T10:05:00.000Z|2024-01-24T10:05:00.000Z",
        ],
        "account_users_total": 300,
        "admin_filter": "day:2024-01-24",
        "sweep_from": 200,
    }
}


def test_saved_states_round_trip():
    customer = Docusign.CustomerEventsState.from_last_run(SAVED_CUSTOMER, START)
    assert customer == Docusign.CustomerEventsState("aa_9", ("e1", "e2"), "v1", "2024-01-24T10:00:00.000Z")
    assert customer.to_last_run() == SAVED_CUSTOMER["customer_events"]
    users = Docusign.AuditUsersState.from_last_run(SAVED_USERS, START)
    assert users.account_users_total == 300
    assert users.by_day(datetime(2024, 1, 24, 23, 55, tzinfo=UTC))  # a listing reaching into the verdict's day
    assert not users.by_day(datetime(2024, 1, 25, tzinfo=UTC))
    assert users.marks_by_user()[user_guid(1)] == Docusign.UserMark(
        user_guid(1), "2024-01-24T09:59:00.000Z", "0123456789abcdef", datetime(2024, 1, 24, 10, tzinfo=UTC)
    )
    assert users.to_last_run() == SAVED_USERS["audit_users"]


def test_public_pack_states_load():
    legacy = {
        "Customer events": {"cursor": "legacy_cursor"},
        "Audit Users": {"latest_modifiedDate": "1/24/2024 3:15:42 PM"},
    }
    assert Docusign.CustomerEventsState.from_last_run(legacy, START).cursor == "legacy_cursor"
    users = Docusign.AuditUsersState.from_last_run(legacy, START)
    assert users.not_before == datetime(2024, 1, 24, 15, 15, 42, 1000, tzinfo=UTC)
    assert users.watermark == datetime(2024, 1, 24, 15, 15, 42, tzinfo=UTC)
    assert Docusign.CustomerEventsState.from_last_run({}, START).cursor == Docusign.format_time(START)


def test_users_state_rules():
    state = Docusign.AuditUsersState(START, START)
    listed_at = datetime(2024, 1, 25, 0, 5, tzinfo=UTC)

    def mark(user: str, read_at: datetime) -> Docusign.UserMark:
        return Docusign.UserMark(user, "", "f", read_at)

    old, fresh = mark("a", datetime(2024, 1, 24, 23, 0, tzinfo=UTC)), mark("b", datetime(2024, 1, 25, tzinfo=UTC))
    done = state.after_delivery([old, fresh], listed_at, 7, "time")
    assert done.watermark == listed_at  # all delivered: the next listing starts where this one did
    # Kept from the start of the day the next listing (less the look-back) falls on.
    assert done.marks == (old, fresh)
    later = done.after_delivery([mark("b", listed_at)], datetime(2024, 1, 25, 1, tzinfo=UTC), 7, "time")
    assert later.marks == (mark("b", listed_at),)  # yesterday's mark dropped, b's newer read replaces its older
    cut = state.after_delivery([fresh], None, 7, "time")
    assert cut.watermark == START  # a cut run keeps the listing's start


# Paginators and the retry policy.


def test_next_link_paginator_refuses_other_hosts_and_circles():
    paginator = Docusign.NextLinkPaginator(ADMIN)
    paginator.advance({"users": [{}], "paging": {"next": f"{ADMIN}/v2/x?start=1"}})
    assert paginator.current == f"{ADMIN}/v2/x?start=1" and not paginator.finished
    with pytest.raises(Docusign.DocusignError, match="repeated page"):
        paginator.advance({"users": [{}], "paging": {"next": f"{ADMIN}/v2/x?start=1"}})
    with pytest.raises(Docusign.ApiError, match="another host"):
        Docusign.NextLinkPaginator(ADMIN).advance({"users": [{}], "paging": {"next": "https://elsewhere.test/x"}})
    last = Docusign.NextLinkPaginator(ADMIN)
    last.advance({"users": [{}], "paging": {}})
    assert last.finished


def test_offset_and_cursor_paginators_know_when_paging_is_over():
    offset = Docusign.OffsetPaginator(0, 150)
    offset.advance({"users": [{}] * 100, "totalSetSize": "230"})
    assert (offset.current, offset.total, offset.finished) == (100, 230, False)
    offset.advance({"users": [{}] * 100})
    offset.advance({"users": [{}] * 30})
    assert offset.finished
    cursor = Docusign.CursorPaginator("aa_1")
    cursor.advance({"data": [{}], "endCursor": "aa_2"})
    assert not cursor.finished
    cursor.advance({"data": [{}], "endCursor": "aa_2"})
    assert cursor.finished


def test_retry_policy_counts_like_urllib3():
    policy = Docusign.RetryPolicy(transient=1, rate_limit=1)
    once = policy.increment()
    assert (once.failures, once.is_exhausted()) == (1, False)
    assert once.increment().is_exhausted()
    assert policy.increment(rate_limited=True).increment(rate_limited=True).is_exhausted()
    assert policy.history == ()  # immutable: each increment is a new policy


@pytest.mark.parametrize(
    "error, transient",
    [
        (requests.exceptions.ReadTimeout("read timed out"), True),
        (requests.exceptions.ConnectionError("connection reset by peer"), True),
        (requests.exceptions.SSLError("certificate verify failed"), False),
        (requests.exceptions.ConnectionError("Failed to resolve 'account-d.docusign.com'"), False),
        (requests.exceptions.ProxyError("proxy refused"), False),
    ],
)
def test_retry_policy_tells_transient_from_permanent_failures(error, transient):
    assert Docusign.RetryPolicy.is_transient(error) is transient
    assert Docusign.RetryPolicy.is_transient(Docusign.DemistoException("wrapped", error)) is transient


def test_certificate_failure_is_not_retried(settings, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(STREAM, exc=requests.exceptions.SSLError("certificate verify failed"))
    with pytest.raises(Docusign.DocusignError, match=r"\(lens-d.docusign.net\): the TLS certificate was not accepted"):
        Docusign.get_monitor_stream(client_for(settings), "", 10)
    assert len(calls_to(requests_mock, STREAM)) == 1
    no_sleep.assert_not_called()


def test_the_yml_offers_what_the_event_type_registry_defines():
    """The yml cannot import the registry: this keeps the two the same."""
    import yaml

    spec = yaml.safe_load((Path(__file__).parent / "Docusign.yml").read_text())
    params = {p["name"]: p for p in spec["configuration"]}
    assert params["event_types"]["options"] == list(Docusign.EVENT_TYPES)
    assert params["event_types"]["defaultvalue"].split(",") == list(Docusign.EVENT_TYPES)
    for event_type in Docusign.EVENT_TYPES.values():
        budget = params[event_type.budget.param]
        assert budget["display"] == event_type.budget.label
        assert int(budget["defaultvalue"]) == event_type.budget.default
        assert f"Up to {event_type.budget.maximum}" in budget["additionalinfo"]
    commands = {c["name"]: c for c in spec["script"]["commands"]}
    (event_type_arg,) = [a for a in commands["docusign-get-events"]["arguments"] if a["name"] == "event_type"]
    assert event_type_arg["predefined"] == list(Docusign.EVENT_TYPES)


def test_usual_start_times_are_read_without_dateparser(mocker):
    slow = mocker.patch.object(Docusign, "arg_to_datetime", side_effect=AssertionError("dateparser called"))
    before = datetime.now(UTC)
    three_days = Docusign.parse_start("3 days", "first_fetch", "First fetch time")
    assert before - timedelta(days=3, seconds=5) < three_days <= datetime.now(UTC) - timedelta(days=3)
    assert Docusign.parse_start("12 hours ago", "from_date", "from_date") < datetime.now(UTC) - timedelta(hours=11)
    assert Docusign.parse_start("2024-01-31T00:00:00Z", "first_fetch", "x") == datetime(2024, 1, 31, tzinfo=UTC)
    slow.assert_not_called()
    slow.side_effect = None
    slow.return_value = datetime(2024, 1, 1)
    assert Docusign.parse_start("last monday", "first_fetch", "x") == datetime(2024, 1, 1, tzinfo=UTC)


def test_test_module_checks_the_key_even_with_a_cached_token(pkcs1_pem, requests_mock):
    PLATFORM.integration_context = {
        "access_token": TOKEN,
        "token_expires_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
        "token_scopes": ["signature", "impersonation", "organization_read", "user_read"],
    }
    platform = run_command(
        "test-module", make_params("-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----")
    )
    assert "could not be read" in error_entries(platform)[0]
    assert not requests_mock.called


# ---------------------------------------------------------------------------- quota governor


def quota_context(calls: int, minutes_ago: int = 1, **saved) -> dict:
    minute = int(datetime.now(UTC).timestamp() // 60) - minutes_ago
    return {"api_quota": {"minutes": {str(minute): calls}, **saved}}


def test_governor_defers_at_its_share_and_loses_nothing(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    stream = requests_mock.get(STREAM, [page([monitor_event(1)], "aa_1")])
    before = {"customer_events": {"cursor": "aa_0", "recent_ids": [], "api": "lens", "newest": ""}}
    PLATFORM.integration_context = quota_context(600)  # 20% of 3,000 used in the last hour
    platform = fetch(events_params(pkcs1_pem), last_run=before)
    assert not stream.called and platform.sent == []
    assert platform.last_run == before
    assert type_report(platform)["stop"] == "quota share used"
    assert run_report(platform)["quota"] == {"cap_per_hour": 600, "used_last_hour": 600, "deferred": True}
    assert any("share of DocuSign's hourly API quota is used" in str(data) for data, _ in platform.module_health)
    assert not error_entries(platform) and not health_errors(platform)

    # An hour later the calls have left the window: the deferred work is delivered.
    PLATFORM.integration_context = quota_context(600, minutes_ago=61)
    platform = fetch(events_params(pkcs1_pem), last_run=before)
    assert sent_ids(platform) == [monitor_event(1)["eventId"]]
    report = run_report(platform)
    used = report["calls_by_endpoint"]["monitor.stream"]  # the token call does not count
    assert report["quota"] == {"cap_per_hour": 600, "used_last_hour": used, "deferred": False}


def test_governor_counts_its_calls_in_the_integration_context(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(STREAM, [page([], "aa_0")])
    fetch(events_params(pkcs1_pem, quota_share="10"), last_run={"customer_events": {"cursor": "aa_0"}})
    saved = PLATFORM.integration_context["api_quota"]
    assert sum(saved["minutes"].values()) == 1  # the Monitor call; the token call does not count
    assert run_report(PLATFORM)["quota"]["cap_per_hour"] == 300


def test_governor_takes_the_quota_from_docusigns_headers(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    reset = int(datetime.now(UTC).timestamp()) + 1800
    headers = {"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "950", "X-RateLimit-Reset": str(reset)}
    requests_mock.get(STREAM, [{**page([], "aa_0"), "headers": headers}])
    fetch(events_params(pkcs1_pem), last_run={"customer_events": {"cursor": "aa_0"}})
    saved = PLATFORM.integration_context["api_quota"]
    assert (saved["limit"], saved["remaining"], saved["resets_at"]) == (1000, 950, reset)
    assert run_report(PLATFORM)["quota"]["cap_per_hour"] == 200


@pytest.mark.parametrize("resets_in, deferred", [(1800, True), (-60, False)])
def test_governor_leaves_a_nearly_exhausted_account_to_its_other_apps(
    resets_in, deferred, pkcs1_pem, requests_mock, no_sleep
):
    mock_token(requests_mock)
    stream = requests_mock.get(STREAM, [page([], "aa_0")])
    resets_at = datetime.now(UTC).timestamp() + resets_in
    PLATFORM.integration_context = quota_context(0, remaining=200, limit=3000, resets_at=resets_at)
    platform = fetch(events_params(pkcs1_pem), last_run={"customer_events": {"cursor": "aa_0"}})
    assert stream.called is not deferred
    assert run_report(platform)["quota"]["deferred"] is deferred


def test_governor_paces_calls_to_its_share_of_the_burst_limit(pkcs1_pem, requests_mock, no_sleep, mocker):
    slept = [0.0]
    no_sleep.side_effect = lambda seconds: slept.__setitem__(0, slept[0] + seconds)
    real = Docusign.time.monotonic
    mocker.patch.object(Docusign.time, "monotonic", side_effect=lambda: real() + slept[0])
    mock_token(requests_mock)
    pages = [page([monitor_event(n)], f"aa_{n}") for n in range(1, 46)] + [page([], "aa_45")]
    requests_mock.get(STREAM, pages)
    params = events_params(pkcs1_pem, max_customer_events_per_fetch="20000", page_interval="0")
    platform = fetch(params, last_run={"customer_events": {"cursor": "aa_0"}})
    assert len(platform.sent_events) == 45  # 46 calls: 20% of the developer account's 200 per 30 s is 40
    assert 29 < slept[0] <= 30  # the 41st call waited for the first to leave the window; the rest barely
    assert run_report(platform)["rate_limit_waits"] == len(no_sleep.call_args_list)


def test_governor_lets_a_burst_window_pass_when_the_account_is_nearly_out(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    low = {"X-BurstLimit-Limit": "500", "X-BurstLimit-Remaining": "40"}
    requests_mock.get(STREAM, [{**page([monitor_event(1)], "aa_1"), "headers": low}, page([], "aa_1")])
    params = events_params(pkcs1_pem, max_customer_events_per_fetch="20000", page_interval="0")
    platform = fetch(params, last_run={"customer_events": {"cursor": "aa_0"}})
    assert sent_ids(platform) == [monitor_event(1)["eventId"]]
    assert [c.args[0] for c in no_sleep.call_args_list] == [30.0]


def test_commands_people_run_are_not_deferred(pkcs1_pem, requests_mock):
    mock_healthy_apis(requests_mock)
    PLATFORM.integration_context = quota_context(3000)
    platform = run_command("test-module", make_params(pkcs1_pem))
    assert platform.results[-1] == "ok" or platform.results[-1].get("Contents") == "ok"


# ---------------------------------------------------------------------------- Monitor generations (v1 and lens)


def v1_page(events: list, end_cursor: str) -> dict:
    return {"json": {"endCursor": end_cursor, "resultData": events}, "headers": TRACE}


def auto_params(key_pem: str, **overrides) -> dict:
    return events_params(key_pem, organization_id=ORG_ID, monitor_api="auto", **overrides)


def test_monitor_auto_reads_v1_and_its_result_data(pkcs1_pem, requests_mock, no_sleep, clock):
    mock_token(requests_mock)
    v1 = requests_mock.get(STREAM_V1, [v1_page([monitor_event(1), monitor_event(2)], "v1_2"), v1_page([], "v1_2")])
    lens = requests_mock.get(STREAM, [page([], "aa_0")])
    platform = fetch(auto_params(pkcs1_pem))
    assert sent_ids(platform) == [monitor_event(n)["eventId"] for n in (1, 2)]
    assert not lens.called and query(v1.request_history[0])["cursor"] == "2024-01-24T00:00:00.000Z"
    state = platform.last_run["customer_events"]
    assert (state["api"], state["cursor"], state["newest"]) == ("v1", "v1_2", "2024-01-24T10:00:02.051Z")
    assert run_report(platform)["calls_by_endpoint"]["monitor.v1.stream"] == 2


@pytest.mark.parametrize(
    "refusal",
    [
        pytest.param({"status_code": 404, "text": ""}, id="404"),
        pytest.param(
            {"status_code": 403, "json": {"error": "Organization does not have Monitor entitlement"}},
            id="403-entitlement",
        ),
    ],
)
def test_monitor_auto_falls_back_to_lens_and_checks_v1_again_the_next_day(
    refusal, pkcs1_pem, requests_mock, no_sleep, clock
):
    mock_token(requests_mock)
    v1 = requests_mock.get(STREAM_V1, headers=TRACE, **refusal)
    requests_mock.get(STREAM, [page([monitor_event(1)], "aa_1"), page([], "aa_1")])
    first = fetch(auto_params(pkcs1_pem))
    assert sent_ids(first) == [monitor_event(1)["eventId"]] and v1.call_count == 1
    state = first.last_run["customer_events"]
    assert (state["api"], state["cursor"], state["v1_checked"]) == ("lens", "aa_1", "2024-01-25")
    assert not error_entries(first) and not health_errors(first)
    warning = f"Monitor API v1 did not serve Organization ID {ORG_ID} ({refusal['status_code']}); reading v2.0 (lens)"
    assert type_report(first)["warnings"][0].startswith(warning)  # a mistyped Organization ID looks the same

    fetch(auto_params(pkcs1_pem), last_run=first.last_run)  # the same day: lens only
    assert v1.call_count == 1
    clock.shift(24 * 3600)
    fetch(auto_params(pkcs1_pem), last_run=first.last_run)  # the next day: v1 is asked again
    assert v1.call_count == 2


def test_monitor_fallback_compares_lens_cursors_with_the_cursor_lens_was_sent(
    pkcs1_pem, requests_mock, no_sleep, clock
):
    """A v1 cursor further on than lens's first endCursor is no cursor gone back: lens was sent a time."""
    mock_token(requests_mock)
    requests_mock.get(STREAM_V1, status_code=404, json={"errorCode": "NOT_FOUND"}, headers=TRACE)
    requests_mock.get(STREAM, [page([monitor_event(1)], "aa_1_1"), page([], "aa_1_1")])
    before = {"customer_events": {"cursor": "aa_9_9", "api": "v1", "newest": "2024-01-24T10:00:00.000Z"}}
    platform = fetch(auto_params(pkcs1_pem), last_run=before)
    assert sent_ids(platform) == [monitor_event(1)["eventId"]]
    assert platform.last_run["customer_events"]["cursor"] == "aa_1_1"
    assert type_report(platform)["stop"] == "caught up"


def test_monitor_v1_refusing_the_user_is_an_error_not_a_fallback(pkcs1_pem, requests_mock, no_sleep, clock):
    mock_token(requests_mock)
    refusal = {"error": "The user must be an organization administrator to read Monitor data."}
    requests_mock.get(STREAM_V1, status_code=403, json=refusal, headers=TRACE)
    lens = requests_mock.get(STREAM, [page([], "aa_0")])
    platform = fetch(auto_params(pkcs1_pem))
    assert not lens.called and platform.sent == []
    assert "organization administrator" in error_entries(platform)[0]


def test_monitor_switch_resumes_before_the_newest_event_and_drops_the_repeats(
    pkcs1_pem, requests_mock, no_sleep, clock
):
    mock_token(requests_mock)
    delivered = [monitor_event(n) for n in (1, 2, 3)]
    before = {
        "customer_events": {
            "cursor": "aa_3",
            "recent_ids": [e["eventId"] for e in delivered],
            "api": "lens",
            "newest": "2024-01-24T10:00:03.051Z",
        }
    }
    v1 = requests_mock.get(STREAM_V1, [v1_page([*delivered[1:], monitor_event(4)], "v1_4"), v1_page([], "v1_4")])
    lens = requests_mock.get(STREAM, [page([], "aa_3")])
    platform = fetch(events_params(pkcs1_pem, organization_id=ORG_ID, monitor_api="v1"), last_run=before)
    assert query(v1.request_history[0])["cursor"] == "2024-01-24T09:50:03.051Z"  # newest less the overlap
    assert sent_ids(platform) == [monitor_event(4)["eventId"]] and not lens.called
    assert type_report(platform)["warnings"] == ["2 repeated events dropped"]

    # And back: lens resumes the same way from v1's newest event.
    lens_back = requests_mock.get(STREAM, [page([monitor_event(4), monitor_event(5)], "aa_5"), page([], "aa_5")])
    again = fetch(events_params(pkcs1_pem, organization_id=ORG_ID), last_run=platform.last_run)
    assert query(lens_back.request_history[0])["cursor"] == "2024-01-24T09:50:04.051Z"
    assert sent_ids(again) == [monitor_event(5)["eventId"]]
    assert again.last_run["customer_events"]["api"] == "lens"


def test_monitor_state_from_before_v1_reads_lens_once_more_to_learn_where_to_resume(
    pkcs1_pem, requests_mock, no_sleep, clock
):
    mock_token(requests_mock)
    v1 = requests_mock.get(STREAM_V1, [v1_page([], "v1_9")])
    requests_mock.get(STREAM, [page([monitor_event(7)], "aa_7"), page([], "aa_7")])
    first = fetch(auto_params(pkcs1_pem), last_run={"customer_events": {"cursor": "aa_6"}})  # no "api": lens
    assert sent_ids(first) == [monitor_event(7)["eventId"]] and not v1.called
    second = fetch(auto_params(pkcs1_pem), last_run=first.last_run)
    assert query(v1.last_request)["cursor"] == "2024-01-24T09:50:07.051Z"
    assert second.last_run["customer_events"]["api"] == "v1"


@pytest.mark.parametrize("v1_status, expected", [(200, "Monitor API v1"), (404, "Monitor API v2.0 (lens)")])
def test_test_button_says_which_monitor_generation_answered(v1_status, expected, pkcs1_pem, requests_mock):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    requests_mock.get(STREAM_V1, status_code=v1_status, json={"endCursor": "v1_0", "resultData": []}, headers=TRACE)
    requests_mock.get(STREAM, json={"endCursor": "aa_0", "data": []}, headers=TRACE)
    platform = run_command("docusign-auth-test", auto_params(pkcs1_pem), {})
    assert expected in platform.results[-1]["HumanReadable"]


# ---------------------------------------------------------------------------- green while wrong


def cached_token(owner: str) -> dict:
    return {
        "access_token": "cached-token-of-other-credentials",
        "token_expires_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
        "token_lifetime": 3600,
        "token_scopes": ["signature", "impersonation", "organization_read", "user_read"],
        "token_owner": owner,
    }


def test_a_token_minted_with_other_credentials_is_not_used(pkcs1_pem, requests_mock, no_sleep):
    token = mock_token(requests_mock)
    stream = requests_mock.get(STREAM, [page([], "aa_0")])
    PLATFORM.integration_context = cached_token("fingerprint-of-the-old-integration-key")
    fetch(events_params(pkcs1_pem), last_run={"customer_events": {"cursor": "aa_0"}})
    assert token.call_count == 1  # a new token, for the credentials configured now
    assert stream.last_request.headers["Authorization"] == f"Bearer {TOKEN}"
    saved = PLATFORM.integration_context
    assert saved["token_owner"] == Docusign.Settings.from_params(events_params(pkcs1_pem)).credentials_fingerprint
    assert pkcs1_pem.splitlines()[1] not in json.dumps(saved)  # a hash, never the key


def test_a_token_is_reused_only_by_the_same_credentials(pkcs1_pem, requests_mock, no_sleep):
    token = mock_token(requests_mock)
    requests_mock.get(STREAM, [page([], "aa_0")])
    params = events_params(pkcs1_pem)
    owner = Docusign.Settings.from_params(params).credentials_fingerprint
    PLATFORM.integration_context = cached_token(owner)
    fetch(params, last_run={"customer_events": {"cursor": "aa_0"}})
    assert token.call_count == 0
    other_user = Docusign.Settings.from_params({**params, "user_id": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"})
    assert other_user.credentials_fingerprint != owner


def test_the_test_button_always_mints_a_new_token(pkcs1_pem, requests_mock):
    mock_healthy_apis(requests_mock)
    token = requests_mock.post(f"{DEV}/oauth/token", json={"access_token": TOKEN, "expires_in": 3600})
    params = make_params(pkcs1_pem)
    PLATFORM.integration_context = cached_token(Docusign.Settings.from_params(params).credentials_fingerprint)
    run_command("test-module", params)
    assert token.call_count == 1


def test_a_first_fetch_time_in_the_future_is_refused_and_state_kept(pkcs1_pem, requests_mock):
    before = {"customer_events": {"cursor": "aa_7"}}
    platform = run_command("fetch-events", users_params(pkcs1_pem, first_fetch="2099-01-01T00:00:00Z"),
                           last_run=before)  # fmt: skip
    assert "is in the future" in error_entries(platform)[0]
    assert platform.last_run == before and not requests_mock.called


def test_a_watermark_saved_ahead_of_now_is_brought_back(clock):
    saved = {"audit_users": {"watermark": "2099-01-01T00:00:00.000Z", "not_before": "2099-01-01T00:00:00.000Z"}}
    state = Docusign.AuditUsersState.from_last_run(saved, START)
    assert state.watermark == NOW and state.not_before == NOW
    customer = Docusign.CustomerEventsState.from_last_run(
        {"customer_events": {"cursor": "2099-01-01T00:00:00Z"}}, START
    )
    assert customer.cursor == Docusign.format_time(START)


def test_a_wrong_account_id_is_an_error_on_fetch(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(account_id="11111111-2222-4333-8444-555555555555"))
    admin = requests_mock.get(ADMIN_USERS, json={"users": [], "paging": {}})
    platform = fetch(users_params(pkcs1_pem))
    assert f"no access to Account ID {ACCOUNT_ID}" in error_entries(platform)[0]
    assert not admin.called and platform.last_run == {}


def test_a_user_no_longer_remembered_is_not_dated_by_its_old_change(pkcs1_pem, requests_mock, no_sleep, clock):
    runs = UserRuns(requests_mock, clock)
    user = runs.users.add(1, datetime(2024, 1, 24, 13, 0, tzinfo=UTC))
    params = users_params(pkcs1_pem)
    first = runs.at("14:00", params)
    assert [e["_time"] for e in first.sent_events] == ["2024-01-24T13:00:00.000Z"]
    runs.at("14:01", params)
    # Two days on, the mark is gone (marks are kept for the days a listing can reach); the Admin record alone
    # shows the next change: it is a change seen now, not the 13:00 change again.
    runs.users.admin_change(user, datetime(2024, 1, 26, 9, 59, tzinfo=UTC), status="disabled")
    later = runs.at("10:00", params, day=26)
    assert sent_ids(later) == [user] and later.sent_events[0]["_time"] == "2024-01-26T10:00:00.000Z"
    assert later.sent_events[0]["membership_status"] == "disabled"


@pytest.mark.parametrize(
    "args, expected",
    [
        ({"limit": "0"}, "limit must be a whole number between 1 and 20000; got '0'"),
        ({"limit": "abc"}, "limit must be a whole number between 1 and 20000; got 'abc'"),
        ({"from_date": "banana"}, "from_date 'banana' is not understood"),
        ({"event_type": "Monitor"}, "event_type must be one of ['Customer events', 'Audit Users']; got 'Monitor'"),
    ],
)
def test_get_events_arguments_get_clear_messages(args, expected, pkcs1_pem, requests_mock):
    platform = run_command("docusign-get-events", events_params(pkcs1_pem), args)
    assert expected in error_entries(platform)[0] and not requests_mock.called


def test_get_events_event_type_is_matched_whatever_its_case(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(STREAM, [page([monitor_event(1)], "aa_1"), page([], "aa_1")])
    platform = run_command("docusign-get-events", events_params(pkcs1_pem), {"event_type": "customer EVENTS"})
    assert [e["eventId"] for e in platform.results[-1]["Contents"]] == [monitor_event(1)["eventId"]]


def test_a_user_id_given_as_an_e_mail_address_is_explained(pkcs1_pem):
    with pytest.raises(Docusign.DocusignError, match=r"^User ID is an e-mail address; use the GUID .*API Username"):
        Docusign.Settings.from_params(make_params(pkcs1_pem, user_id="admin@example.com"))


def test_the_ymls_default_event_types_are_the_codes():
    yml = yaml.safe_load((Path(Docusign.__file__).parent / "Docusign.yml").read_text())
    (param,) = [p for p in yml["configuration"] if p["name"] == "event_types"]
    assert param["defaultvalue"].split(",") == list(Docusign.EVENT_TYPES) == param["options"]


@pytest.mark.parametrize(
    "seconds, text", [(45, "45 s"), (119, "119 s"), (720, "12 min"), (51908, "14 h"), (260000, "3 d")]
)
def test_ages_in_the_run_line_read_as_people_say_them(seconds, text):
    assert Docusign.human_duration(seconds) == text


def test_event_types_are_read_whatever_their_case(pkcs1_pem):
    settings = Docusign.Settings.from_params(make_params(pkcs1_pem, event_types=["customer events", "Audit users"]))
    assert settings.event_types == ("Customer events", "Audit Users")


def test_credentials_refused_once_are_not_asked_again_and_said_once(pkcs1_pem, requests_mock, no_sleep):
    token = requests_mock.post(
        f"{DEV}/oauth/token",
        status_code=400,
        json={"error": "invalid_grant", "error_description": "no_valid_keys_or_signatures"},
    )
    platform = fetch(make_params(pkcs1_pem, first_fetch=FIRST_FETCH))
    (error,) = error_entries(platform)
    assert token.call_count == 1
    assert "Every selected event type: " in error and "Customer events:" not in error and "Audit Users:" not in error
    assert platform.last_run == {}


def test_a_key_cut_when_pasted_says_its_end_line_is_missing(pkcs1_pem):
    cut = "\n".join(pkcs1_pem.strip().splitlines()[:-3])
    with pytest.raises(Docusign.DocusignError, match="BEGIN RSA PRIVATE KEY----- line but no END line"):
        Docusign.load_private_key(cut)


def test_a_certificate_pasted_before_the_key_is_skipped(pkcs1_pem, public_pem):
    certificate = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
    assert Docusign.load_private_key(certificate + pkcs1_pem).key_size == Docusign.load_private_key(pkcs1_pem).key_size


def test_the_test_button_retries_a_failing_service_once_to_answer_quickly(pkcs1_pem, requests_mock, no_sleep):
    mock_token(requests_mock)
    requests_mock.get(f"{DEV}/oauth/userinfo", status_code=503, text="", headers=TRACE)
    platform = run_command("test-module", events_params(pkcs1_pem))
    assert "HTTP 503" in error_entries(platform)[0]
    assert len(calls_to(requests_mock, f"{DEV}/oauth/userinfo")) == 2


def test_a_certificate_failure_says_why_openssl_refused_it(settings, requests_mock, no_sleep):
    mock_token(requests_mock)
    refusal = "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)"
    requests_mock.get(STREAM, exc=requests.exceptions.SSLError(refusal))
    with pytest.raises(
        Docusign.DocusignError,
        match=r"\(lens-d.docusign.net\): the TLS certificate was not accepted \(self-signed certificate; SSLError\)",
    ):
        Docusign.get_monitor_stream(client_for(settings), "", 10)


# ============================================================================ response: look up, close, re-activate

TARGET_ID = "6b67a1ee-1d2c-4b5a-9e8f-385763624163"
TARGET_EMAIL = "max@example.net"
MEMBERSHIP_ID = "4da49358-8de5-4f62-9e9a-6029259723bc"
OTHER_ACCOUNT = "f636f297-2b3c-4d5e-8f9a-8e7a14715950"
OTHER_MEMBERSHIP = "a7c1d2e3-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
PROFILE_URL = f"{ADMIN}/v2/organizations/{ORG_ID}/users/profile"
ADMIN_USERS_URL = f"{ADMIN}/v2/organizations/{ORG_ID}/users"
DSPROFILE_URL = f"{ADMIN}/v2.1/organizations/{ORG_ID}/users/{TARGET_ID}/dsprofile"
CLOSE_URL = f"{ADMIN}/v2/organizations/{ORG_ID}/users/{TARGET_ID}/accounts"
ACTIVATE_URL = f"{ADMIN}/v2/organizations/{ORG_ID}/users/{TARGET_ID}/memberships/{MEMBERSHIP_ID}"
WRITE_TOKEN = "eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2In0.write-token-for-tests.c2lnbmF0dXJl"
WRITE_TRACE = {"X-DocuSign-TraceToken": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"}


def target_profile(**changes) -> dict:
    """Max Example's Admin profile (two memberships of the organization's accounts); ``changes`` update the user,
    ``memberships`` replaces the memberships' statuses in order."""
    user = load_json("admin_user_profile.json")["users"][0]
    statuses = changes.pop("statuses", None)
    user.update(changes)
    for membership, status in zip(user["memberships"], statuses or [], strict=False):
        membership["status"] = status
    return user


def respond_params(key_pem: str, **overrides) -> dict:
    return make_params(key_pem, allow_response_actions=True, **overrides)


def token_by_scope(requests_mock, consented: set[str] | None = None):
    """DocuSign's token endpoint: a read token, or WRITE_TOKEN when user_write is asked for; consent_required for a
    scope outside ``consented``."""

    def answer(request, context):
        scopes = set(
            jwt.decode(parse_qs(request.text)["assertion"][0], options={"verify_signature": False})["scope"].split()
        )
        if consented is not None and not scopes <= consented:
            context.status_code = 400
            return {"error": "consent_required"}
        token = WRITE_TOKEN if "user_write" in scopes else TOKEN
        return {"access_token": token, "token_type": "Bearer", "expires_in": 3600}

    return requests_mock.post(f"{DEV}/oauth/token", json=answer, headers=TRACE)


def mock_directory(requests_mock, profile: dict | None = None, consented: set[str] | None = None):
    """Token, userinfo, the Admin profile operations and eSignature's list, answering for Max Example."""
    users = [profile or target_profile()]
    token_by_scope(requests_mock, consented)
    requests_mock.get(f"{DEV}/oauth/userinfo", json=userinfo(), headers=TRACE)
    requests_mock.get(PROFILE_URL, json={"users": users}, headers=TRACE)
    requests_mock.get(ADMIN_USERS_URL, json={"users": [], "paging": {}}, headers=TRACE)  # listed by e-mail: none
    requests_mock.get(DSPROFILE_URL, json={"users": users}, headers=TRACE)
    requests_mock.get(ESIGN_USERS, json=load_json("esign_user_by_email.json"), headers=TRACE)


def scopes_asked(requests_mock) -> list[set[str]]:
    return [
        set(jwt.decode(parse_qs(r.text)["assertion"][0], options={"verify_signature": False})["scope"].split())
        for r in requests_mock.request_history
        if r.url.endswith("/oauth/token")
    ]


def writes(requests_mock) -> list:
    return [r for r in requests_mock.request_history if r.method in ("DELETE", "POST") and "/oauth/" not in r.url]


def context_of(platform, prefix: str):
    (entry,) = [e for e in platform.results if isinstance(e, dict) and e.get("EntryContext")]
    (key,) = [k for k in entry["EntryContext"] if k.startswith(prefix + "(")]
    return entry["EntryContext"][key]


def action_logs(platform) -> list[dict]:
    prefix = Docusign.RESPONSE_LOG_PREFIX
    return [json.loads(m[len(prefix) :]) for level, m in platform.logs if m.startswith(prefix)]


# ---------------------------------------------------------------------------- docusign-user-get


def test_user_get_by_email_shows_profile_memberships_and_esignature_record(params, requests_mock):
    mock_directory(requests_mock)
    platform = run_command("docusign-user-get", params, {"email": TARGET_EMAIL})
    assert not platform.error_entries()
    user = context_of(platform, "Docusign.User")
    assert user["id"] == TARGET_ID and user["email"] == TARGET_EMAIL and user["user_status"] == "active"
    assert [(m["account_id"], m["status"]) for m in user["memberships"]] == [
        (ACCOUNT_ID, "active"),
        (OTHER_ACCOUNT, "active"),
    ]
    assert user["memberships"][0]["permission_profile"]["name"] == "DS Sender"
    assert user["esignature"] == {
        "userId": TARGET_ID, "userName": "Max Example", "email": TARGET_EMAIL, "userStatus": "Active",
        "userType": "CompanyUser", "isAdmin": "False", "permissionProfileId": "14414476",
        "permissionProfileName": "DS Sender", "createdDateTime": "2019-04-01T22:11:56.4570000Z",
        "lastLogin": "2024-01-24T15:01:02.1230000Z", "loginStatus": "true", "jobTitle": "Paralegal",
        "accountId": ACCOUNT_ID,
    }  # fmt: skip
    (profile_call,) = calls_to(requests_mock, PROFILE_URL)
    assert query(profile_call) == {"email": TARGET_EMAIL}
    (esign_call,) = calls_to(requests_mock, ESIGN_USERS)
    assert query(esign_call) == {"email": TARGET_EMAIL, "additional_info": "true", "login_status": "true"}
    readable = platform.results[-1]["HumanReadable"]
    assert "### DocuSign user Max Example (max@example.net, 6b67a1ee" in readable
    assert "2024-01-24T15:01:02.1230000Z" in readable and "Example Legal" in readable
    # Two API calls (userinfo and the token do not count against DocuSign's hourly quota); nothing written.
    assert len([r for r in requests_mock.request_history if "/oauth/" not in r.url]) == 2
    assert not writes(requests_mock)
    assert scopes_asked(requests_mock) == [{"signature", "impersonation", "organization_read", "user_read"}]


def test_user_get_by_user_id_reads_the_v21_dsprofile(params, requests_mock):
    mock_directory(requests_mock)
    platform = run_command("docusign-user-get", params, {"user_id": TARGET_ID.upper()})
    assert context_of(platform, "Docusign.User")["id"] == TARGET_ID
    assert len(calls_to(requests_mock, DSPROFILE_URL)) == 1 and not calls_to(requests_mock, PROFILE_URL)


def test_user_get_not_found_says_so_without_context(params, requests_mock):
    mock_directory(requests_mock)
    requests_mock.get(PROFILE_URL, json={"users": []}, headers=TRACE)
    platform = run_command("docusign-user-get", params, {"email": "nobody@example.net"})
    assert not platform.error_entries()
    (entry,) = platform.results
    assert not entry["EntryContext"]
    assert f"DocuSign has no user 'nobody@example.net' in organization {ORG_ID}" in entry["HumanReadable"]
    assert not calls_to(requests_mock, ESIGN_USERS)


def test_user_get_by_email_finds_a_user_unchanged_for_ten_days_through_the_users_list(params, requests_mock):
    """DocuSign documents that users/profile lists only users modified in the last 10 days: an older user is found
    in the Admin users list by e-mail address, then read by ID."""
    mock_directory(requests_mock)
    requests_mock.get(PROFILE_URL, json={"users": []}, headers=TRACE)
    listed = {"users": [{"id": TARGET_ID.upper(), "email": TARGET_EMAIL, "user_status": "active"}], "paging": {}}
    requests_mock.get(ADMIN_USERS_URL, json=listed, headers=TRACE)
    platform = run_command("docusign-user-get", params, {"email": TARGET_EMAIL})
    assert not platform.error_entries()
    assert context_of(platform, "Docusign.User")["id"] == TARGET_ID
    (listing,) = calls_to(requests_mock, ADMIN_USERS_URL)
    assert query(listing) == {"email": TARGET_EMAIL}
    assert len(calls_to(requests_mock, DSPROFILE_URL)) == 1
    assert len([r for r in requests_mock.request_history if "/oauth/" not in r.url]) == 4


def test_user_get_unknown_user_id_names_docusigns_answer(params, requests_mock):
    mock_directory(requests_mock)
    requests_mock.get(
        DSPROFILE_URL,
        status_code=404,
        json={"errorCode": "USER_NOT_FOUND", "message": "User not found."},
        headers=TRACE,
    )
    platform = run_command("docusign-user-get", params, {"user_id": TARGET_ID})
    (entry,) = platform.results
    assert not entry["EntryContext"] and entry["Type"] == 1
    assert f"DocuSign has no user with ID {TARGET_ID}" in entry["HumanReadable"]
    assert "USER_NOT_FOUND" in entry["HumanReadable"] and "X-DocuSign-TraceToken: 5f2b7a1e" in entry["HumanReadable"]


def test_an_e_mail_address_two_users_share_is_refused_naming_both(pkcs1_pem, requests_mock):
    other = target_profile(
        id="0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a", user_status="closed", created_on="2016-02-03T10:00:00.1"
    )
    mock_directory(requests_mock)
    requests_mock.get(PROFILE_URL, json={"users": [target_profile(), other]}, headers=TRACE)
    for command in ("docusign-user-get", "docusign-user-memberships-close"):
        PLATFORM.reset()
        (error,) = error_entries(run_command(command, respond_params(pkcs1_pem), {"email": TARGET_EMAIL}))
        assert "2 DocuSign users have the e-mail address 'max@example.net'" in error
        assert TARGET_ID in error and "0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a (Max Example, closed" in error
        assert "user_id=" in error
    assert not writes(requests_mock) and not calls_to(requests_mock, ESIGN_USERS)


def test_user_id_and_an_e_mail_address_of_someone_else_are_refused(params, requests_mock):
    mock_directory(requests_mock)
    (error,) = error_entries(
        run_command("docusign-user-get", params, {"user_id": TARGET_ID, "email": "eve@example.net"})
    )
    assert f"user_id {TARGET_ID} is Max Example (max@example.net" in error and "not 'eve@example.net'" in error


@pytest.mark.parametrize(
    "args, expected",
    [
        ({}, "Give the DocuSign user's user_id (a GUID) or email."),
        ({"user_id": "max@example.net"}, "user_id must be a DocuSign user ID (a GUID); got 'max@example.net'. Pass an"),
        ({"email": "max"}, "email 'max' is not an e-mail address."),
    ],
)
def test_user_arguments_are_checked_before_any_call(args, expected, params, requests_mock):
    (error,) = error_entries(run_command("docusign-user-get", params, args))
    assert expected in error
    assert not requests_mock.called


def test_user_get_needs_the_organization_id_and_consent_to_user_read(pkcs1_pem, requests_mock):
    no_org = make_params(pkcs1_pem, event_types=["Customer events"], organization_id=None)
    (error,) = error_entries(run_command("docusign-user-get", no_org, {"email": TARGET_EMAIL}))
    assert "needs the Organization ID" in error
    PLATFORM.reset()
    events_only = make_params(pkcs1_pem, event_types=["Customer events"])
    (error,) = error_entries(run_command("docusign-user-get", events_only, {"email": TARGET_EMAIL}))
    assert "needs consent to the user_read scope" in error and "Select Audit Users" in error
    assert "Allow response actions" in error
    assert not requests_mock.called


def test_user_get_when_consent_lacks_user_read_says_which_scope(params, requests_mock):
    mock_directory(requests_mock, consented={"signature", "impersonation"})
    (error,) = error_entries(run_command("docusign-user-get", params, {"email": TARGET_EMAIL}))
    assert "covers signature impersonation but not user_read" in error
    assert "docusign-generate-consent-url" in error and "X-DocuSign-TraceToken: 5f2b7a1e" in error


def test_user_get_still_answers_when_esignature_refuses(params, requests_mock):
    mock_directory(requests_mock)
    requests_mock.get(
        ESIGN_USERS,
        status_code=400,
        json={"errorCode": "USER_LACKS_MEMBERSHIP", "message": "The UserID does not have a valid membership."},
        headers={"X-DocuSign-TraceToken": "0e1f2a3b-aaaa-4bbb-8ccc-ddddeeeeffff"},
    )
    platform = run_command("docusign-user-get", params, {"email": TARGET_EMAIL})
    user = context_of(platform, "Docusign.User")
    assert user["esignature"] is None and user["memberships"]
    readable = platform.results[-1]["HumanReadable"]
    assert "eSignature record not read" in readable and "USER_LACKS_MEMBERSHIP" in readable
    assert "X-DocuSign-TraceToken: 0e1f2a3b-aaaa-4bbb-8ccc-ddddeeeeffff" in readable


def test_user_get_without_an_account_id_skips_esignature_saying_why(pkcs1_pem, requests_mock):
    mock_directory(requests_mock)
    params = respond_params(pkcs1_pem, event_types=["Customer events"], account_id=None)
    platform = run_command("docusign-user-get", params, {"email": TARGET_EMAIL})
    assert context_of(platform, "Docusign.User")["esignature"] is None
    assert "set the Account ID" in platform.results[-1]["HumanReadable"]
    assert not calls_to(requests_mock, ESIGN_USERS)


def test_user_get_docusign_error_carries_the_trace_token(params, requests_mock):
    mock_directory(requests_mock)
    requests_mock.get(
        PROFILE_URL, status_code=403, json={"errorCode": "USER_LACKS_PERMISSIONS", "message": "no"}, headers=TRACE
    )
    (error,) = error_entries(run_command("docusign-user-get", params, {"email": TARGET_EMAIL}))
    assert "Organization Administrator" in error and "USER_LACKS_PERMISSIONS" in error
    assert "X-DocuSign-TraceToken: 5f2b7a1e" in error


# ---------------------------------------------------------------------------- least privilege


def test_consent_asks_for_user_write_only_when_response_actions_are_allowed(pkcs1_pem):
    off = Docusign.Settings.from_params(make_params(pkcs1_pem, event_types=["Customer events"]))
    on = Docusign.Settings.from_params(respond_params(pkcs1_pem, event_types=["Customer events"]))
    assert off.consent_scopes == ("signature", "impersonation")
    assert on.consent_scopes == ("signature", "impersonation", "user_read", "user_write")
    assert on.scopes == off.scopes == ("signature", "impersonation")  # what collection asks for stays the same
    individual, admin = Docusign.consent_urls(on)
    assert parse_qs(urlsplit(individual).query)["scope"] == ["signature impersonation user_read user_write"]
    assert parse_qs(urlsplit(admin).query)["admin_consent_scope"] == ["signature impersonation user_read user_write"]
    readable = run_command("docusign-generate-consent-url", respond_params(pkcs1_pem)).results[-1]["HumanReadable"]
    assert "`signature impersonation organization_read user_read user_write`" in readable


def test_collection_never_asks_for_user_write_even_with_response_actions_allowed(pkcs1_pem, requests_mock, no_sleep):
    mock_healthy_apis(requests_mock)
    token_by_scope(requests_mock)
    platform = fetch(respond_params(pkcs1_pem))
    assert not platform.error_entries()
    assert scopes_asked(requests_mock) == [{"signature", "impersonation", "organization_read", "user_read"}]


def test_write_token_is_minted_for_the_action_and_never_stored(pkcs1_pem, requests_mock):
    mock_directory(requests_mock)
    requests_mock.delete(CLOSE_URL, json={"success": True, "accounts": [{"id": ACCOUNT_ID}]}, headers=WRITE_TRACE)
    params = respond_params(pkcs1_pem)
    run_command("docusign-user-memberships-close", params, {"user_id": TARGET_ID, "account_id": ACCOUNT_ID})
    (delete,) = calls_to(requests_mock, CLOSE_URL)
    assert delete.headers["Authorization"] == f"Bearer {WRITE_TOKEN}"
    assert calls_to(requests_mock, DSPROFILE_URL)[0].headers["Authorization"] == f"Bearer {TOKEN}"
    stored = PLATFORM.integration_context
    assert stored["access_token"] == TOKEN and "user_write" not in stored["token_scopes"]
    assert WRITE_TOKEN not in json.dumps(stored)
    # The next action mints its own write token again; reads reuse the stored one.
    run_command("docusign-user-memberships-close", params, {"user_id": TARGET_ID, "account_id": ACCOUNT_ID})
    assert [("user_write" in s) for s in scopes_asked(requests_mock)] == [False, True, True]


def test_test_module_checks_consent_to_user_write_when_response_actions_are_allowed(pkcs1_pem, requests_mock):
    mock_healthy_apis(requests_mock)
    token_by_scope(requests_mock, consented={"signature", "impersonation", "organization_read", "user_read"})
    (error,) = error_entries(run_command("test-module", respond_params(pkcs1_pem)))
    assert "not user_write (needed for response actions: docusign-user-memberships-close" in error
    assert not writes(requests_mock)
    token_by_scope(requests_mock)
    PLATFORM.reset()
    assert (
        run_command("docusign-auth-test", respond_params(pkcs1_pem))
        .results[-1]["HumanReadable"]
        .endswith("consent to user_write for the response actions.")
    )


# ---------------------------------------------------------------------------- docusign-user-memberships-close


def test_close_is_refused_while_response_actions_are_off(params, requests_mock):
    for command in ("docusign-user-memberships-close", "docusign-user-membership-activate"):
        PLATFORM.reset()
        (error,) = error_entries(run_command(command, params, {"user_id": TARGET_ID}))
        assert f"Response actions are off for this instance, so {command} changed nothing in DocuSign" in error
        assert "Allow response actions" in error and "user_write" in error
    assert not requests_mock.called


def test_close_when_consent_lacks_user_write_says_exactly_that(pkcs1_pem, requests_mock):
    mock_directory(requests_mock, consented={"signature", "impersonation", "organization_read", "user_read"})
    delete = requests_mock.delete(CLOSE_URL, json={"success": True})
    (error,) = error_entries(
        run_command("docusign-user-memberships-close", respond_params(pkcs1_pem), {"user_id": TARGET_ID})
    )
    assert "consent given covers signature impersonation user_read but not user_write" in error
    assert "needed for response actions" in error and "docusign-generate-consent-url" in error
    assert not delete.called


def test_close_closes_every_membership_and_logs_who_and_what(pkcs1_pem, requests_mock):
    mock_directory(requests_mock)
    delete = requests_mock.delete(
        CLOSE_URL, json={"success": True, "accounts": [{"id": ACCOUNT_ID}, {"id": OTHER_ACCOUNT}]}, headers=WRITE_TRACE
    )
    args = {"email": TARGET_EMAIL, "reason": "XSIAM alert 1234"}
    platform = run_command("docusign-user-memberships-close", respond_params(pkcs1_pem), args)
    assert not platform.error_entries()
    assert delete.last_request.json() == {"accounts": [{"id": ACCOUNT_ID}, {"id": OTHER_ACCOUNT}]}
    actions = context_of(platform, "Docusign.MembershipAction")
    assert [(a["account_id"], a["membership_id"], a["previous_status"], a["result"]) for a in actions] == [
        (ACCOUNT_ID, MEMBERSHIP_ID, "active", "closed"),
        (OTHER_ACCOUNT, OTHER_MEMBERSHIP, "active", "closed"),
    ]
    assert {a["trace_token"] for a in actions} == {WRITE_TRACE["X-DocuSign-TraceToken"]}
    readable = platform.results[-1]["HumanReadable"]
    assert "### Closing the DocuSign memberships of Max Example (max@example.net" in readable
    assert "X-DocuSign-TraceToken: 9a8b7c6d" in readable
    (log,) = action_logs(platform)
    assert log["action"] == "close" and log["user_id"] == TARGET_ID and log["email"] == TARGET_EMAIL
    assert log["by_user_id"] == USER_ID and log["instance"] == PLATFORM.instance
    assert log["reason"] == "'XSIAM alert 1234'" and log["force"] is False
    assert [m["result"] for m in log["memberships"]] == ["closed", "closed"]


def test_close_one_account_only(pkcs1_pem, requests_mock):
    mock_directory(requests_mock)
    delete = requests_mock.delete(CLOSE_URL, json={"success": True, "accounts": [{"id": OTHER_ACCOUNT}]})
    args = {"user_id": TARGET_ID, "account_id": OTHER_ACCOUNT.upper()}
    platform = run_command("docusign-user-memberships-close", respond_params(pkcs1_pem), args)
    assert delete.last_request.json() == {"accounts": [{"id": OTHER_ACCOUNT}]}
    assert [a["result"] for a in context_of(platform, "Docusign.MembershipAction")] == ["closed"]


def test_close_an_account_the_user_is_not_a_member_of_lists_the_memberships(pkcs1_pem, requests_mock):
    mock_directory(requests_mock)
    args = {"user_id": TARGET_ID, "account_id": "11111111-2222-3333-4444-555555555555"}
    (error,) = error_entries(run_command("docusign-user-memberships-close", respond_params(pkcs1_pem), args))
    assert "has no membership for account 11111111-2222-3333-4444-555555555555" in error
    assert f"{ACCOUNT_ID} (membership {MEMBERSHIP_ID}, active)" in error
    assert not writes(requests_mock)


def test_closing_a_closed_membership_reports_already_closed_and_calls_nothing(pkcs1_pem, requests_mock):
    mock_directory(requests_mock, target_profile(statuses=["closed", "closed"]))
    platform = run_command("docusign-user-memberships-close", respond_params(pkcs1_pem), {"user_id": TARGET_ID})
    assert not platform.error_entries() and not writes(requests_mock)
    assert [a["result"] for a in context_of(platform, "Docusign.MembershipAction")] == ["already closed"] * 2
    assert [m["result"] for m in action_logs(platform)[0]["memberships"]] == ["already closed"] * 2


def test_close_mixes_already_closed_and_closed(pkcs1_pem, requests_mock):
    mock_directory(requests_mock, target_profile(statuses=["closed", "active"]))
    delete = requests_mock.delete(CLOSE_URL, json={"success": True, "accounts": [{"id": OTHER_ACCOUNT}]})
    platform = run_command("docusign-user-memberships-close", respond_params(pkcs1_pem), {"user_id": TARGET_ID})
    assert delete.last_request.json() == {"accounts": [{"id": OTHER_ACCOUNT}]}
    assert [a["result"] for a in context_of(platform, "Docusign.MembershipAction")] == ["already closed", "closed"]


def test_close_refuses_the_impersonated_user(pkcs1_pem, requests_mock):
    profile = target_profile(id=USER_ID)
    mock_directory(requests_mock, profile)
    requests_mock.get(f"{ADMIN}/v2.1/organizations/{ORG_ID}/users/{USER_ID}/dsprofile", json={"users": [profile]})
    args = {"user_id": USER_ID, "force": "true"}
    platform = run_command("docusign-user-memberships-close", respond_params(pkcs1_pem), args)
    (error,) = platform.error_entries()
    assert "Refused: Max Example" in error["Contents"] and "the user this integration impersonates" in error["Contents"]
    assert not writes(requests_mock)
    (log,) = action_logs(platform)
    assert log["refused"].startswith("Refused:") and log["memberships"] == []


def test_close_refuses_an_organization_administrator_unless_forced(pkcs1_pem, requests_mock):
    mock_directory(requests_mock, target_profile(is_organization_admin=True))
    delete = requests_mock.delete(CLOSE_URL, json={"success": True, "accounts": []})
    params = respond_params(pkcs1_pem)
    (error,) = error_entries(run_command("docusign-user-memberships-close", params, {"user_id": TARGET_ID}))
    assert "is an administrator of the organization" in error and "force=true" in error
    assert not delete.called
    PLATFORM.reset()
    platform = run_command("docusign-user-memberships-close", params, {"user_id": TARGET_ID, "force": "true"})
    assert not platform.error_entries() and delete.call_count == 1
    assert action_logs(platform)[0]["force"] is True


def test_close_skips_a_membership_of_another_organizations_account(pkcs1_pem, requests_mock):
    profile = target_profile()
    profile["memberships"][1]["is_external_account"] = True
    mock_directory(requests_mock, profile)
    delete = requests_mock.delete(CLOSE_URL, json={"success": True, "accounts": [{"id": ACCOUNT_ID}]})
    platform = run_command("docusign-user-memberships-close", respond_params(pkcs1_pem), {"user_id": TARGET_ID})
    assert delete.last_request.json() == {"accounts": [{"id": ACCOUNT_ID}]}
    results = [a["result"] for a in context_of(platform, "Docusign.MembershipAction")]
    assert results == ["skipped: an account of another organization", "closed"]


def test_close_reports_an_account_docusign_did_not_close_as_an_error_keeping_the_rest(pkcs1_pem, requests_mock):
    mock_directory(requests_mock)
    reply = {
        "success": False,
        "accounts": [
            {"id": ACCOUNT_ID},
            {"id": OTHER_ACCOUNT, "error_details": {"error": "forbidden", "error_description": "Account is locked."}},
        ],
    }
    requests_mock.delete(CLOSE_URL, json=reply, headers=WRITE_TRACE)
    platform = run_command("docusign-user-memberships-close", respond_params(pkcs1_pem), {"user_id": TARGET_ID})
    (entry,) = platform.results
    assert entry["Type"] == 4  # an error entry, with what happened kept in context
    actions = context_of(platform, "Docusign.MembershipAction")
    assert [a["result"] for a in actions] == ["closed", "failed"]
    assert (
        actions[1]["error"]
        == "'forbidden Account is locked.' (X-DocuSign-TraceToken: 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d)"
    )


def test_close_docusign_error_carries_the_trace_token_and_is_logged(pkcs1_pem, requests_mock, no_sleep):
    mock_directory(requests_mock)
    requests_mock.delete(
        CLOSE_URL,
        status_code=400,
        json={"errorCode": "INVALID_REQUEST_BODY", "message": "The request body is invalid."},
        headers=WRITE_TRACE,
    )
    platform = run_command("docusign-user-memberships-close", respond_params(pkcs1_pem), {"user_id": TARGET_ID})
    (error,) = platform.error_entries()
    assert "DocuSign answered HTTP 400 when calling admin.close_memberships: INVALID_REQUEST_BODY" in error["Contents"]
    assert "X-DocuSign-TraceToken: 9a8b7c6d" in error["Contents"]
    (log,) = action_logs(platform)
    assert [m["result"] for m in log["memberships"]] == ["failed", "failed"]
    assert {m["trace_token"] for m in log["memberships"]} == {WRITE_TRACE["X-DocuSign-TraceToken"]}


def test_close_of_a_user_not_found_is_an_error(pkcs1_pem, requests_mock):
    mock_directory(requests_mock)
    requests_mock.get(PROFILE_URL, json={"users": []})
    (error,) = error_entries(
        run_command("docusign-user-memberships-close", respond_params(pkcs1_pem), {"email": "nobody@example.net"})
    )
    assert "DocuSign has no user 'nobody@example.net'" in error
    assert not writes(requests_mock)


# ---------------------------------------------------------------------------- docusign-user-membership-activate


def test_activate_reopens_the_one_closed_membership(pkcs1_pem, requests_mock):
    mock_directory(requests_mock, target_profile(statuses=["closed", "active"]))
    post = requests_mock.post(ACTIVATE_URL, json={"status": "success"}, headers=WRITE_TRACE)
    platform = run_command("docusign-user-membership-activate", respond_params(pkcs1_pem), {"email": TARGET_EMAIL})
    assert post.last_request.json() == {"site_id": 1}
    assert post.last_request.headers["Authorization"] == f"Bearer {WRITE_TOKEN}"
    (action,) = context_of(platform, "Docusign.MembershipAction")
    assert (action["action"], action["membership_id"], action["previous_status"], action["result"]) == (
        "activate", MEMBERSHIP_ID, "closed", "activated"
    )  # fmt: skip
    (log,) = action_logs(platform)
    assert log["action"] == "activate" and log["memberships"][0]["trace_token"] == WRITE_TRACE["X-DocuSign-TraceToken"]


def test_activate_an_active_membership_reports_already_active(pkcs1_pem, requests_mock):
    mock_directory(requests_mock)
    args = {"user_id": TARGET_ID, "membership_id": MEMBERSHIP_ID}
    platform = run_command("docusign-user-membership-activate", respond_params(pkcs1_pem), args)
    assert [a["result"] for a in context_of(platform, "Docusign.MembershipAction")] == ["already active"]
    assert not writes(requests_mock)


def test_activate_asks_which_when_several_memberships_are_closed(pkcs1_pem, requests_mock):
    mock_directory(requests_mock, target_profile(statuses=["closed", "closed"]))
    params = respond_params(pkcs1_pem)
    (error,) = error_entries(run_command("docusign-user-membership-activate", params, {"user_id": TARGET_ID}))
    assert "has 2 closed memberships" in error and "account_id or membership_id" in error
    assert not writes(requests_mock)
    PLATFORM.reset()
    post = requests_mock.post(
        f"{ADMIN}/v2/organizations/{ORG_ID}/users/{TARGET_ID}/memberships/{OTHER_MEMBERSHIP}", json={"status": "ok"}
    )
    platform = run_command(
        "docusign-user-membership-activate", params, {"user_id": TARGET_ID, "account_id": OTHER_ACCOUNT}
    )
    assert post.call_count == 1
    assert [a["account_id"] for a in context_of(platform, "Docusign.MembershipAction")] == [OTHER_ACCOUNT]


def test_activate_docusign_error_carries_the_trace_token(pkcs1_pem, requests_mock):
    mock_directory(requests_mock, target_profile(statuses=["closed", "active"]))
    requests_mock.post(
        ACTIVATE_URL,
        status_code=404,
        json={"errorCode": "MEMBERSHIP_NOT_FOUND", "message": "Membership was not found."},
        headers=WRITE_TRACE,
    )
    platform = run_command("docusign-user-membership-activate", respond_params(pkcs1_pem), {"user_id": TARGET_ID})
    (error,) = platform.error_entries()
    assert "MEMBERSHIP_NOT_FOUND" in error["Contents"] and "X-DocuSign-TraceToken: 9a8b7c6d" in error["Contents"]
    assert action_logs(platform)[0]["memberships"][0]["result"] == "failed"


# ---------------------------------------------------------------------------- secrets on the response paths

RESPONSE_PATHS = [
    ("docusign-user-get", {"email": TARGET_EMAIL}, None),
    ("docusign-user-get", {"email": TARGET_EMAIL}, "esign-400"),
    ("docusign-user-memberships-close", {"user_id": TARGET_ID, "reason": "alert 7"}, None),
    ("docusign-user-memberships-close", {"user_id": TARGET_ID}, "close-400"),
    ("docusign-user-memberships-close", {"user_id": TARGET_ID}, "no-write-consent"),
    ("docusign-user-membership-activate", {"user_id": TARGET_ID, "membership_id": MEMBERSHIP_ID}, None),
    ("test-module", {}, None),
]


@pytest.mark.parametrize("command, args, failure", RESPONSE_PATHS)
def test_secrets_never_leave_the_response_paths(command, args, failure, pkcs1_pem, requests_mock, caplog, no_sleep):
    caplog.set_level("DEBUG")
    mock_healthy_apis(requests_mock)
    consented = (
        {"signature", "impersonation", "organization_read", "user_read"} if failure == "no-write-consent" else None
    )
    mock_directory(requests_mock, target_profile(statuses=["closed", "active"]), consented)
    requests_mock.delete(CLOSE_URL, json={"success": True, "accounts": [{"id": ACCOUNT_ID}]}, headers=WRITE_TRACE)
    requests_mock.post(ACTIVATE_URL, json={"status": "success"}, headers=WRITE_TRACE)
    if failure == "esign-400":
        requests_mock.get(ESIGN_USERS, status_code=400, json={"errorCode": "USER_LACKS_MEMBERSHIP", "message": "no"})
    if failure == "close-400":
        requests_mock.delete(CLOSE_URL, status_code=400, json={"errorCode": "INVALID_REQUEST_BODY", "message": "?"})
    params = respond_params(spaced(pkcs1_pem))
    for _ in range(2):  # the second run exercises the cached read token
        platform = run_command(command, params, args)
    visible = "\n".join(
        [platform.log_text(), caplog.text, json.dumps(platform.results, default=str), json.dumps(platform.sent)]
    )
    fragments = [*secret_fragments(pkcs1_pem, requests_mock), WRITE_TOKEN]
    assert len(fragments) > 10
    for fragment in fragments:
        assert fragment not in visible
    assert WRITE_TOKEN not in json.dumps(platform.integration_context)
