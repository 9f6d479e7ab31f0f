"""Admin API: organizations, organization users with paging and filters."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import docusign_monitor
import pytest
import requests

from devkit.emulator import Emulator, ManualClock
from devkit.emulator.admin import PROFILE_RECENT_MS
from devkit.emulator.times import admin_date
from devkit.tests.emulator_support import INTEGRATION_KEY, non_admin_user_id, session, setup_integration
from devkit.tests.sdk_models import model_problems


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(seed=31, events=10, users=300, clock=ManualClock(), burst_limit=10_000) as running:
        setup_integration(running)
        yield running


@pytest.fixture
def client(emulator: Emulator) -> requests.Session:
    return session(emulator)


def users_url(emulator: Emulator, prefix: str = "/management") -> str:
    return f"{emulator.base_url}{prefix}/v2/organizations/{emulator.org.organization_id}/users"


def get(client: requests.Session, url: str, **params: Any) -> dict[str, Any]:
    reply = client.get(url, params=params, timeout=10)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def test_paging_follows_next_urls_in_modification_order(client: requests.Session, emulator: Emulator) -> None:
    body = get(client, users_url(emulator), account_id=emulator.org.account_id, take=70)
    seen = list(body["users"])
    pages = 1
    while "next" in body["paging"]:
        assert body["paging"]["next"].startswith(f"{emulator.base_url}/management/v2/organizations/")
        body = get(client, body["paging"]["next"])
        seen.extend(body["users"])
        pages += 1
    assert pages == 5
    assert body["paging"] == {
        "result_set_size": 20,
        "result_set_start_position": 280,
        "result_set_end_position": 299,
        "total_set_size": 300,
        "previous": body["paging"]["previous"],
    }
    assert [user["id"] for user in seen] == [user.id for user in emulator.org.users_by_modification()]


def test_take_defaults_to_20_and_is_capped_at_250(client: requests.Session, emulator: Emulator) -> None:
    assert len(get(client, users_url(emulator), account_id=emulator.org.account_id)["users"]) == 20
    assert len(get(client, users_url(emulator), account_id=emulator.org.account_id, take=1000)["users"]) == 250
    body = get(client, users_url(emulator), account_id=emulator.org.account_id, start=10, end=14)
    assert body["paging"]["result_set_size"] == 5


def test_management_path_is_case_insensitive(client: requests.Session, emulator: Emulator) -> None:
    lower = get(client, users_url(emulator), account_id=emulator.org.account_id)
    upper = get(client, users_url(emulator, "/Management"), account_id=emulator.org.account_id)
    assert lower["users"] == upper["users"]
    assert upper["paging"]["next"].startswith(f"{emulator.base_url}/Management/")


def test_a_selector_is_required(client: requests.Session, emulator: Emulator) -> None:
    reply = client.get(users_url(emulator), timeout=10)
    assert reply.status_code == 400
    assert reply.json()["errorCode"] == "INVALID_REQUEST_PARAMETER"
    only_email = client.get(
        users_url(emulator), params={"email": "x@example.com", "last_modified_since": "2024-01-01"}, timeout=10
    )
    assert only_email.status_code == 400


def test_email_and_domain_filters(client: requests.Session, emulator: Emulator) -> None:
    target = emulator.org.users[7]
    body = get(client, users_url(emulator), email=target.email.upper())
    assert [user["id"] for user in body["users"]] == [target.id]
    domain = get(client, users_url(emulator), organization_reserved_domain_id=emulator.org.domain_id)
    assert domain["paging"]["total_set_size"] == 300
    other = get(client, users_url(emulator), account_id="00000000-0000-4000-8000-000000000000")
    assert other["users"] == [] and other["paging"]["total_set_size"] == 0


def test_status_filters(client: requests.Session, emulator: Emulator) -> None:
    body = get(client, users_url(emulator), account_id=emulator.org.account_id, status="closed", take=250)
    assert body["users"] and all(user["user_status"] == "closed" for user in body["users"])
    body = get(client, users_url(emulator), account_id=emulator.org.account_id, membership_status="disabled", take=250)
    assert body["users"] and all(user["membership_status"] == "disabled" for user in body["users"])


@pytest.mark.parametrize("shape", ["date", "iso", "iso-ms", "offset"])
def test_last_modified_since(client: requests.Session, emulator: Emulator, shape: str) -> None:
    users = emulator.org.users_by_modification()
    pivot = users[200].modified_ms
    text = {
        "date": admin_date(pivot)[:10],
        "iso": admin_date(pivot)[:19] + "Z",
        "iso-ms": admin_date(pivot) + "Z",
        "offset": admin_date(pivot + 2 * 3_600_000)[:19] + "+02:00",
    }[shape]
    since_ms = pivot - pivot % 86_400_000 if shape == "date" else pivot - (pivot % 1000 if shape != "iso-ms" else 0)
    body = get(client, users_url(emulator), account_id=emulator.org.account_id, last_modified_since=text, take=250)
    expected = [user.id for user in users if user.modified_ms >= since_ms]
    assert body["paging"]["total_set_size"] == len(expected)
    assert [user["id"] for user in body["users"]] == expected[:250]


def test_since_can_honour_only_its_date() -> None:
    with Emulator(seed=31, events=10, users=300, clock=ManualClock(), admin_since_by_day=True) as by_day:
        setup_integration(by_day)
        users = by_day.org.users_by_modification()
        # a user changed later on a day on which another user changed earlier
        pivot = next(
            b.modified_ms
            for a, b in pairwise(users)
            if a.modified_ms // 86_400_000 == b.modified_ms // 86_400_000 and a.modified_ms < b.modified_ms
        )
        since = admin_date(pivot) + "Z"  # a time of day, which this Admin API ignores
        body = get(session(by_day), users_url(by_day), account_id=by_day.org.account_id, last_modified_since=since)
    day_start = pivot - pivot % 86_400_000
    assert body["paging"]["total_set_size"] == len([u for u in users if u.modified_ms >= day_start])
    assert body["paging"]["total_set_size"] > len([u for u in users if u.modified_ms >= pivot])


def test_changed_users_show_up_in_incremental_reads(emulator: Emulator) -> None:
    emulator.advance(3600)
    since = admin_date(int(emulator.org.now() * 1000))
    emulator.advance(1)
    changed = emulator.org.change_users(5)
    client = session(emulator)
    body = get(client, users_url(emulator), account_id=emulator.org.account_id, last_modified_since=since)
    assert sorted(user["id"] for user in body["users"]) == sorted(user.id for user in changed)
    # Changed users move to the end of the full listing (modification order).
    listing = get(client, users_url(emulator), account_id=emulator.org.account_id, start=295, take=5)
    assert {user["id"] for user in listing["users"]} == {user.id for user in changed}


def test_live_user_changes_follow_the_clock() -> None:
    with Emulator(seed=32, events=1, users=50, clock=ManualClock(), live_user_changes_per_hour=60) as emulator:
        setup_integration(emulator)
        before = {user.id: user for user in emulator.org.users}
        start_ms = int(emulator.org.now() * 1000)
        since = {"account_id": emulator.org.account_id, "last_modified_since": admin_date(start_ms)}
        assert get(session(emulator), users_url(emulator), **since)["users"] == []
        emulator.advance(600)  # ten changes are due, one a minute
        changed = [user["id"] for user in get(session(emulator), users_url(emulator), **since)["users"]]
        assert 1 <= len(changed) <= 10
        after = {user.id: user for user in emulator.org.users}
        assert all(before[user_id] != after[user_id] for user_id in changed)
        assert all(start_ms <= after[user_id].modified_ms <= start_ms + 600_000 for user_id in changed)


def test_optional_groups_and_license(client: requests.Session, emulator: Emulator) -> None:
    plain = get(client, users_url(emulator), account_id=emulator.org.account_id)["users"][0]
    assert "ds_groups" not in plain and "license_type" not in plain
    rich = get(
        client,
        users_url(emulator),
        account_id=emulator.org.account_id,
        include_ds_groups="true",
        include_license="true",
    )["users"][0]
    assert rich["ds_groups"][0]["group_name"] == "Everyone"
    assert {"license_type", "subscription_id", "plan_name"} <= set(rich)


def test_unknown_organization_and_missing_scope(client: requests.Session, emulator: Emulator) -> None:
    reply = client.get(
        f"{emulator.base_url}/management/v2/organizations/00000000-0000-4000-8000-000000000000/users",
        params={"account_id": emulator.org.account_id},
        timeout=10,
    )
    assert reply.status_code == 404
    narrow = session(emulator, scope="signature impersonation")
    reply = narrow.get(users_url(emulator), params={"account_id": emulator.org.account_id}, timeout=10)
    assert reply.status_code == 403 and reply.json()["errorCode"] == "USER_LACKS_PERMISSIONS"


def test_organizations(client: requests.Session, emulator: Emulator) -> None:
    body = get(client, f"{emulator.base_url}/management/v2/organizations")
    [organization] = body["organizations"]
    assert organization["id"] == emulator.org.organization_id
    assert organization["accounts"][0]["id"] == emulator.org.account_id
    assert organization["reserved_domains"][0]["id"] == emulator.org.domain_id
    user = non_admin_user_id(emulator)
    setup_integration(emulator, user_id=user)
    assert get(session(emulator, sub=user), f"{emulator.base_url}/management/v2/organizations") == {"organizations": []}
    narrow = session(emulator, scope="signature impersonation user_read")
    assert narrow.get(f"{emulator.base_url}/management/v2/organizations", timeout=10).status_code == 403


def test_optional_modification_field(emulator: Emulator, client: requests.Session) -> None:
    emulator.options.admin_modified_field = "last_modified_on"
    try:
        user = get(client, users_url(emulator), account_id=emulator.org.account_id, take=1)["users"][0]
    finally:
        emulator.options.admin_modified_field = None
    assert user["last_modified_on"] == admin_date(emulator.org.users_by_modification()[0].modified_ms)


# ----- one user's profile, and closing and re-activating memberships


def org_url(emulator: Emulator, version: str = "v2") -> str:
    return f"{emulator.base_url}/management/{version}/organizations/{emulator.org.organization_id}"


@pytest.fixture
def writer(emulator: Emulator) -> requests.Session:
    """A session whose token carries user_write (consented for the administrator)."""
    emulator.grant_consent(INTEGRATION_KEY, emulator.org.admin_user_id, ["user_write"])
    return session(emulator, scope="signature impersonation user_read user_write")


def recently_changed(emulator: Emulator) -> int:
    """The oldest modification users/profile still lists (DocuSign: "users modified in the last 10 days")."""
    return int(emulator.org.now() * 1000) - PROFILE_RECENT_MS


def test_profile_by_email_and_by_id_list_the_membership(client: requests.Session, emulator: Emulator) -> None:
    user = next(u for u in emulator.org.users if u.status == "Active" and u.modified_ms >= recently_changed(emulator))
    by_email = get(client, f"{org_url(emulator)}/users/profile", email=user.email.upper())
    by_id = get(client, f"{org_url(emulator, 'v2.1')}/users/{user.id}/dsprofile")
    assert by_email == by_id
    (profile,) = by_email["users"]
    assert (profile["id"], profile["user_status"], profile["is_organization_admin"]) == (
        user.id, user.user_status, user.is_org_admin
    )  # fmt: skip
    (membership,) = profile["memberships"]
    assert membership["id"] == user.membership_id and membership["status"] == "active"
    assert membership["permission_profile"] == {"id": int(user.profile.id), "name": user.profile.name}
    assert {g["type"] for g in membership["groups"]} <= {"everyone_group", "admin_group", "custom_group"}
    assert get(client, f"{org_url(emulator)}/users/profile", email="nobody@example.com") == {"users": []}


def test_profile_by_email_lists_only_users_changed_in_the_last_ten_days(
    client: requests.Session, emulator: Emulator
) -> None:
    """As DocuSign documents users/profile; the users list finds the others by e-mail address, and dsprofile by ID."""
    user = next(u for u in emulator.org.users if u.status == "Active" and u.modified_ms < recently_changed(emulator))
    assert get(client, f"{org_url(emulator)}/users/profile", email=user.email) == {"users": []}
    assert [u["id"] for u in get(client, users_url(emulator), email=user.email)["users"]] == [user.id]
    assert get(client, f"{org_url(emulator, 'v2.1')}/users/{user.id}/dsprofile")["users"][0]["id"] == user.id


def test_profile_errors(client: requests.Session, emulator: Emulator) -> None:
    missing = client.get(f"{org_url(emulator)}/users/profile", timeout=10)
    assert missing.status_code == 400 and missing.json()["errorCode"] == "INVALID_REQUEST_PARAMETER"
    unknown = client.get(
        f"{org_url(emulator, 'v2.1')}/users/00000000-0000-4000-8000-000000000000/dsprofile", timeout=10
    )
    assert unknown.status_code == 404 and unknown.json()["errorCode"] == "USER_NOT_FOUND"
    narrow = session(emulator, scope="signature impersonation")
    assert narrow.get(f"{org_url(emulator)}/users/profile", params={"email": "a@b.c"}, timeout=10).status_code == 403


def test_closing_shows_in_admin_and_esignature_and_reopening_undoes_it(
    client: requests.Session, writer: requests.Session, emulator: Emulator
) -> None:
    org = emulator.org
    user = next(u for u in org.users if u.status == "Active" and not u.is_org_admin and u.id != org.admin_user_id)
    emulator.org.advance(60)
    closing_at = org.now()
    body = {"accounts": [{"id": org.account_id}]}
    reply = writer.delete(f"{org_url(emulator)}/users/{user.id}/accounts", json=body, timeout=10)
    assert reply.status_code == 200 and reply.json() == {"success": True, "accounts": [{"id": org.account_id}]}
    assert reply.headers["X-RateLimit-Remaining"]  # metered like every Admin call
    listed = get(
        client, users_url(emulator), account_id=org.account_id, last_modified_since=admin_date(int(closing_at * 1000))
    )
    (closed,) = [u for u in listed["users"] if u["id"] == user.id]
    assert closed["membership_status"] == "closed" and closed["user_status"] == "closed"
    assert closed["membership_closed_on"] == admin_date(int(closing_at * 1000))
    esign = client.get(f"{emulator.base_url}/restapi/v2.1/accounts/{org.account_id}/users/{user.id}", timeout=10)
    assert esign.json()["userStatus"] == "Closed"
    assert org.user(user.id).modified_by == org.admin_user_id  # type: ignore[union-attr]
    again = writer.delete(f"{org_url(emulator)}/users/{user.id}/accounts", json=body, timeout=10)
    assert again.json()["success"] is True and org.user(user.id).closed_ms == int(closing_at * 1000)  # type: ignore[union-attr]

    url = f"{org_url(emulator)}/users/{user.id}/memberships/{user.membership_id}"
    reopened = writer.post(url, json={"site_id": org.site_id}, timeout=10)
    assert reopened.status_code == 200 and reopened.json() == {"status": "success"}
    assert writer.post(url, json={"site_id": org.site_id}, timeout=10).status_code == 200  # again: no change

    # DocuSign Monitor records each change once, by the administrator through the API, about the user.
    stream = get(
        client, f"{emulator.base_url}/api/v2.0/datasets/monitor/stream", cursor=admin_date(int(closing_at * 1000)) + "Z"
    )
    recorded = [e for e in stream["data"] if e["object"] == "Account"]
    assert [e["action"] for e in recorded] == ["UserClosed", "UserReactivated"]
    for event in recorded:
        assert (event["userId"], event["affectedUserId"], event["referencedUserId"]) == (
            org.admin_user_id,
            user.id,
            user.id,
        )
        assert event["data"] == {"AffectedUserId": user.id, "AffectedMembershipId": user.membership_id}
        assert (event["source"], event["integratorKey"], event["result"]) == ("API", INTEGRATION_KEY, "Success")
        assert event["accountId"] == org.account_id and event["organizationId"] == org.organization_id
        assert model_problems(event, "StreamingEventRow", docusign_monitor) == []
    assert len({e["eventId"] for e in recorded}) == 2
    (profile,) = get(client, f"{org_url(emulator)}/users/profile", email=user.email)["users"]
    assert profile["memberships"][0]["status"] == "active" and profile["user_status"] == "active"
    assert "closed_on" not in get(client, users_url(emulator), email=user.email)["users"][0]


def test_membership_changes_need_user_write_an_administrator_and_known_ids(
    client: requests.Session, writer: requests.Session, emulator: Emulator
) -> None:
    org = emulator.org
    user = non_admin_user_id(emulator)
    accounts = f"{org_url(emulator)}/users/{user}/accounts"
    body = {"accounts": [{"id": org.account_id}]}
    no_write = client.delete(accounts, json=body, timeout=10)
    assert no_write.status_code == 403 and "user_write" in no_write.json()["message"]
    setup_integration(emulator, scopes="signature impersonation user_read user_write", user_id=user)
    not_admin = session(emulator, sub=user, scope="signature impersonation user_read user_write")
    assert not_admin.delete(accounts, json=body, timeout=10).status_code == 403
    unknown = writer.delete(
        f"{org_url(emulator)}/users/00000000-0000-4000-8000-000000000000/accounts", json=body, timeout=10
    )
    assert unknown.status_code == 404
    assert writer.delete(accounts, json={"accounts": []}, timeout=10).status_code == 400
    other = writer.delete(accounts, json={"accounts": [{"id": "11111111-2222-4333-8444-555555555555"}]}, timeout=10)
    assert other.json()["success"] is False
    assert other.json()["accounts"][0]["error_details"]["error"] == "invalid_account"
    assert org.user(user).status == "Active"  # type: ignore[union-attr]
    wrong = writer.post(
        f"{org_url(emulator)}/users/{user}/memberships/00000000-0000-4000-8000-000000000000", json={}, timeout=10
    )
    assert wrong.status_code == 404 and wrong.json()["errorCode"] == "MEMBERSHIP_NOT_FOUND"
