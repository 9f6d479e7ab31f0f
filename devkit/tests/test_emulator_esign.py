"""eSignature users: list paging through nextUri, string-typed values, one user, errors, consistency with Admin."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from devkit.emulator import Emulator, ManualClock
from devkit.tests.emulator_support import session, setup_integration

US_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2} [AP]M$")
ISO_7 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$")


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(seed=41, events=10, users=250, clock=ManualClock(), burst_limit=10_000) as running:
        setup_integration(running)
        yield running


@pytest.fixture
def client(emulator: Emulator) -> requests.Session:
    return session(emulator)


def users_url(emulator: Emulator, account_id: str | None = None) -> str:
    return f"{emulator.base_url}/restapi/v2.1/accounts/{account_id or emulator.org.account_id}/users"


def get(client: requests.Session, url: str, **params: Any) -> dict[str, Any]:
    reply = client.get(url, params=params, timeout=10)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def test_paging_through_next_uri(client: requests.Session, emulator: Emulator) -> None:
    body = get(client, users_url(emulator), additional_info="true")
    seen = list(body["users"])
    assert body["resultSetSize"] == "100" and body["totalSetSize"] == "250"
    assert body["startPosition"] == "0" and body["endPosition"] == "99"
    assert body["nextUri"] == (
        f"/v2.1/accounts/{emulator.org.account_id}/users?start_position=100&count=100&additional_info=true"
    )
    while "nextUri" in body:
        body = get(client, f"{emulator.base_url}/restapi{body['nextUri']}")
        seen.extend(body["users"])
    assert body["startPosition"] == "200" and body["endPosition"] == "249" and "previousUri" in body
    assert [user["userId"] for user in seen] == [user.id for user in emulator.org.users]


@pytest.mark.parametrize(("count", "expected"), [(None, 100), ("0", 1), ("7", 7), ("500", 100)])
def test_count_is_clamped(client: requests.Session, emulator: Emulator, count: str | None, expected: int) -> None:
    params = {} if count is None else {"count": count}
    assert len(get(client, users_url(emulator), **params)["users"]) == expected


def test_additional_info_adds_the_full_record(client: requests.Session, emulator: Emulator) -> None:
    plain = get(client, users_url(emulator), count=1)["users"][0]
    assert not {"groupList", "userSettings", "workAddress"} & set(plain)
    full = get(client, users_url(emulator), count=1, additional_info="true")["users"][0]
    assert {"groupList", "userSettings", "workAddress", "homeAddress"} <= set(full)
    assert full["isAdmin"] == "True" and full["permissionProfileName"] == "DS Admin"
    assert ISO_7.match(full["createdDateTime"]) and ISO_7.match(full["lastLogin"])
    assert US_DATE.match(full["userSettings"]["modifiedDate"])
    everyone = full["groupList"][0]
    assert (everyone["groupName"], everyone["groupType"], everyone["isManagedByScim"]) == (
        "Everyone",
        "everyoneGroup",
        False,
    )
    # The profile and the settings keep their own dates: one changes without the other.
    assert ISO_7.match(full["userProfileLastModifiedDate"]) and full["userSettings"]["canSendAPIRequests"] == "true"


def test_modified_date_format_is_switchable(client: requests.Session, emulator: Emulator) -> None:
    emulator.options.esign_modified_format = "iso"
    try:
        user = get(client, users_url(emulator), count=1, additional_info="true")["users"][0]
    finally:
        emulator.options.esign_modified_format = "us"
    assert ISO_7.match(user["userSettings"]["modifiedDate"])


def test_filters(client: requests.Session, emulator: Emulator) -> None:
    closed = get(client, users_url(emulator), status="Closed")
    assert closed["users"] and {user["userStatus"] for user in closed["users"]} == {"Closed"}
    assert closed["totalSetSize"] == str(sum(1 for u in emulator.org.users if u.status == "Closed"))
    several = get(client, users_url(emulator), status="ActivationSent,ActivationRequired")
    assert {user["userStatus"] for user in several["users"]} == {"ActivationSent", "ActivationRequired"}
    target = emulator.org.users[3]
    assert [u["userId"] for u in get(client, users_url(emulator), email=target.email)["users"]] == [target.id]


def test_one_user_and_its_errors(client: requests.Session, emulator: Emulator) -> None:
    target = emulator.org.users[5]
    user = get(client, f"{users_url(emulator)}/{target.id}", additional_info="true")
    assert user["userId"] == target.id and "userSettings" in user
    missing = client.get(f"{users_url(emulator)}/00000000-0000-4000-8000-000000000000", timeout=10)
    assert missing.status_code == 404
    assert missing.json()["errorCode"] == "USER_DOES_NOT_EXIST_IN_SYSTEM" and missing.json()["message"]
    other = client.get(users_url(emulator, "00000000-0000-4000-8000-000000000000"), timeout=10)
    assert other.status_code == 400 and other.json()["errorCode"] == "USER_LACKS_MEMBERSHIP"
    narrow = session(emulator, scope="impersonation user_read")
    assert narrow.get(users_url(emulator), timeout=10).status_code == 403


def test_same_people_as_the_admin_api(client: requests.Session, emulator: Emulator) -> None:
    esign = {u["userId"]: u for u in get(client, users_url(emulator), count=100)["users"]}
    admin_url = f"{emulator.base_url}/management/v2/organizations/{emulator.org.organization_id}/users"
    admin_users = get(client, admin_url, account_id=emulator.org.account_id, take=250)["users"]
    assert {u["id"] for u in admin_users} >= set(esign)
    membership = {
        "Active": "active",
        "ActivationSent": "activation_sent",
        "ActivationRequired": "activation_required",
        "Closed": "closed",
        "Disabled": "disabled",
    }
    for admin_user in admin_users:
        twin = esign.get(admin_user["id"])
        if twin:
            assert twin["email"] == admin_user["email"]
            assert membership[twin["userStatus"]] == admin_user["membership_status"]
