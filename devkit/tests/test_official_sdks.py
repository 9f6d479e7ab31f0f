"""DocuSign's official Python SDKs as real clients of the emulator.

docusign-esign, docusign-admin and docusign-monitor (2.x) from PyPI drive the emulator in HTTPS mode as
DocuSign's own samples do: JWT grant with ``request_jwt_user_token`` (``aud`` = the emulator's host:port,
4,000 s as the samples ask), ``get_user_info``, eSignature ``UsersApi.list`` paged and ``get_information``,
Admin ``UsersApi.get_users`` paged with ``last_modified_since``, Monitor ``DocuMonitorApi.stream`` paged to the
end. Every raw reply is checked against the SDK's model: no key the model lacks, no value the model types
otherwise (the SDKs' deserialisers drop unknown keys silently, so that check is made here on the raw JSON).
These checks are the emulator's contract tests: they need only the SDKs, which ``make`` installs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import docusign_admin
import docusign_esign
import docusign_monitor
import pytest

from devkit import wiring
from devkit.emulator import Emulator, generate_rsa_keypair
from devkit.emulator.admin import PROFILE_RECENT_MS
from devkit.tests.sdk_models import model_problems

INTEGRATION_KEY = "b3c4d5e6-f7a8-4b9c-8d0e-1f2a3b4c5d6e"
SCOPES = ["signature", "impersonation", "organization_read", "user_read"]


def raw(call: Any, *args: Any, **kwargs: Any) -> Any:
    """The JSON an SDK method's ``*_with_http_info`` received, before its models saw it."""
    response, status, _ = call(*args, _preload_content=False, **kwargs)
    assert status == 200
    return json.loads(response.data)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(seed=61, users=230, events=450, span_hours=6, https=True) as started:
        yield started


@pytest.fixture(scope="module")
def private_pem(emulator: Emulator) -> bytes:
    private, public = generate_rsa_keypair()
    wiring.register_key(emulator, INTEGRATION_KEY, public, "https://localhost/callback")
    return private


@pytest.fixture(scope="module")
def token(emulator: Emulator, private_pem: bytes) -> str:
    # The SDKs' Configuration is a process-wide singleton per SDK: trust the emulator's certificate in each.
    for sdk in (docusign_esign, docusign_admin, docusign_monitor):
        sdk.Configuration().ssl_ca_cert = emulator.ca_cert
    client = docusign_esign.ApiClient()
    client.set_oauth_host_name(emulator.host)
    granted = client.request_jwt_user_token(
        INTEGRATION_KEY, emulator.org.admin_user_id, emulator.host, private_pem, 4000, SCOPES
    )
    assert granted.token_type == "Bearer" and int(granted.expires_in) == 3600
    return str(granted.access_token)


def test_jwt_grant_and_userinfo(emulator: Emulator, token: str) -> None:
    client = docusign_esign.ApiClient()
    client.set_oauth_host_name(emulator.host)
    info = client.get_user_info(token)
    assert info.sub == emulator.org.admin_user_id
    (account,) = [a for a in info.accounts if a.account_id == emulator.org.account_id]
    assert account.base_uri.startswith("https://") and str(account.is_default).lower() == "true"


def esign_client(emulator: Emulator, token: str) -> docusign_esign.ApiClient:
    client = docusign_esign.ApiClient(host=f"{emulator.base_url}/restapi")
    client.set_default_header("Authorization", f"Bearer {token}")
    return client


def test_esign_users_list_paged_and_get_information(emulator: Emulator, token: str) -> None:
    users = docusign_esign.UsersApi(esign_client(emulator, token))
    account_id = emulator.org.account_id
    seen: list[str] = []
    position = 0
    while True:
        page = raw(users.list_with_http_info, account_id, additional_info="true", count="100",
                   start_position=str(position))  # fmt: skip
        assert model_problems(page, "UserInformationList", docusign_esign) == []
        model = users.list(account_id, additional_info="true", count="100", start_position=str(position))
        assert [u.user_id for u in model.users] == [u["userId"] for u in page["users"]]
        seen += [u["userId"] for u in page["users"]]
        position += len(page["users"])
        if position >= int(page["totalSetSize"]):
            break
    assert len(seen) == len(set(seen)) > 200
    one = raw(users.get_information_with_http_info, account_id, seen[0], additional_info="true")
    assert model_problems(one, "UserInformation", docusign_esign) == []
    assert users.get_information(account_id, seen[0], additional_info="true").user_id == seen[0]


def test_admin_users_paged_with_last_modified_since(emulator: Emulator, token: str) -> None:
    client = docusign_admin.ApiClient(host=f"{emulator.base_url}/management")
    client.set_default_header("Authorization", f"Bearer {token}")
    users = docusign_admin.UsersApi(client)
    since = (datetime.now(UTC) - timedelta(days=3650)).strftime("%Y-%m-%d")
    options = {"account_id": emulator.org.account_id, "last_modified_since": since, "take": 100}
    listed: list[str] = []
    start = 0
    while True:
        page = raw(users.get_users_with_http_info, emulator.org.organization_id, start=start, **options)
        assert model_problems(page, "OrganizationUsersResponse", docusign_admin) == []
        model = users.get_users(emulator.org.organization_id, start=start, **options)
        assert [str(u.id) for u in model.users] == [u["id"] for u in page["users"]]
        listed += [u["id"] for u in page["users"]]
        if not page["paging"].get("next"):
            break
        start += len(page["users"])
    assert len(listed) == len(set(listed)) == len(emulator.org)


def test_monitor_stream_paged_to_the_end(emulator: Emulator, token: str) -> None:
    client = docusign_monitor.ApiClient(host=emulator.base_url)
    client.set_default_header("Authorization", f"Bearer {token}")
    monitor = docusign_monitor.DocuMonitorApi(client)
    cursor = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    events: list[str] = []
    while True:
        page = raw(monitor.stream_with_http_info, emulator.org.organization_id, cursor=cursor, limit=200)
        assert model_problems(page, "StreamResponse", docusign_monitor) == []
        model = monitor.stream(emulator.org.organization_id, cursor=cursor, limit=200)
        assert [e.event_id for e in model.result_data] == [e["eventId"] for e in page["resultData"]]
        events += [e["eventId"] for e in page["resultData"]]
        if not page["resultData"] or page["endCursor"] == cursor:
            break
        cursor = page["endCursor"]
    assert len(events) == len(set(events)) == 450


def test_admin_user_profiles_and_membership_changes(emulator: Emulator, private_pem: bytes) -> None:
    """users/profile, v2.1 dsprofile, close_memberships and activate_membership as the SDK calls them, the raw replies
    checked against UsersDrilldownResponse, DeleteMembershipsResponse and UpdateResponse."""
    org = emulator.org
    emulator.grant_consent(INTEGRATION_KEY, org.admin_user_id, ["user_write"])
    oauth = docusign_esign.ApiClient()
    oauth.set_oauth_host_name(emulator.host)
    granted = oauth.request_jwt_user_token(
        INTEGRATION_KEY, org.admin_user_id, emulator.host, private_pem, 4000, [*SCOPES, "user_write"]
    )
    client = docusign_admin.ApiClient(host=f"{emulator.base_url}/management")
    client.set_default_header("Authorization", f"Bearer {granted.access_token}")
    users = docusign_admin.UsersApi(client)
    recent = int(org.now() * 1000) - PROFILE_RECENT_MS  # users/profile lists users changed in the last 10 days
    target = next(u for u in org.users if u.status == "Active" and not u.is_org_admin and u.modified_ms >= recent)

    by_email = raw(users.get_user_profiles_with_http_info, org.organization_id, email=target.email.upper())
    assert model_problems(by_email, "UsersDrilldownResponse", docusign_admin) == []
    by_id = raw(users.get_user_ds_profile_with_http_info, org.organization_id, target.id, include_license=True)
    assert model_problems(by_id, "UsersDrilldownResponse", docusign_admin) == []
    (profile,) = by_email["users"]
    assert profile["id"] == by_id["users"][0]["id"] == target.id
    (membership,) = profile["memberships"]
    assert (membership["account_id"], membership["status"]) == (org.account_id, "active")
    assert users.get_user_ds_profile(org.organization_id, target.id).users[0].memberships[0].id == target.membership_id

    request = docusign_admin.DeleteMembershipsRequest(
        accounts=[docusign_admin.DeleteMembershipRequest(id=org.account_id)]
    )
    closed = raw(users.close_memberships_with_http_info, org.organization_id, target.id, request)
    assert model_problems(closed, "DeleteMembershipsResponse", docusign_admin) == []
    assert closed["success"] is True
    assert users.get_user_profiles(org.organization_id, email=target.email).users[0].memberships[0].status == "closed"

    activate = docusign_admin.ForceActivateMembershipRequest(site_id=profile["site_id"])
    reopened = raw(
        users.activate_membership_with_http_info, org.organization_id, target.id, target.membership_id, activate
    )
    assert model_problems(reopened, "UpdateResponse", docusign_admin) == []
    assert users.get_user_profiles(org.organization_id, email=target.email).users[0].memberships[0].status == "active"


def test_the_model_check_sees_unknown_keys_and_wrong_types() -> None:
    row: dict[str, Any] = {"eventId": "e", "timestamp": "2024-01-24T10:00:00Z"}
    row.update(userAgentClientInfo={"os": {"version": "10.1"}}, surprise=1)
    assert model_problems({"endCursor": "c", "resultData": [row]}, "StreamResponse", docusign_monitor) == [
        "$.resultData[0].userAgentClientInfo.os.version: str, the model Version is an object",
        "$.resultData[0].surprise: not a field of StreamingEventRow",
    ]
