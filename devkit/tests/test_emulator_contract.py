"""Contract: replies match DocuSign's own models and the fact sheet's field lists.

The models are those of DocuSign's official SDKs (installed from PyPI, see ``sdk_models``), checked
"closed": every key the emulator sends must be one the model defines, so the emulator cannot drift into
inventing fields, and every value must have the model's type. (The OpenAPI files of the reference folder
are not needed: these tests run in any clone.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import docusign_admin
import docusign_esign
import docusign_monitor
import pytest
import requests

from devkit.emulator import Emulator, ManualClock
from devkit.tests.emulator_support import session, setup_integration
from devkit.tests.sdk_models import model_problems


def _names(text: str) -> set[str]:
    return set(text.split())


# From the fact sheet (docusign-api.md), written out here rather than imported from the emulator.
EVENT_KEYS = _names(
    "timestamp eventId site accountId organizationId userId integratorKey userAgent userAgentClientInfo ipAddress "
    "ipAddressLocation object action property field result source isUserMemberOfDomain "
    "referencedUserIsMemberOfDomain referencedUserId proxyStatus proxyType proxyLevel latitude longitude city state "
    "country device browser os affectedUserId affectedUserIsMemberOfDomain data"
)
SAMPLE_EVENT_KEYS = _names(
    "timestamp eventId site accountId organizationId userId integratorKey userAgent ipAddress ipAddressLocation "
    "object action property field result source referencedUserId proxyStatus proxyType proxyLevel latitude "
    "longitude city state country data"
)
ADMIN_USER_KEYS = _names(
    "id user_name first_name last_name user_status membership_status email created_on closed_on "
    "membership_created_on membership_closed_on ds_groups membership_id is_membership_managed_by_scim "
    "is_managed_by_scim license_type subscription_id plan_name"
)
ADMIN_USER_ALWAYS = _names(
    "id user_name first_name last_name user_status membership_status email created_on membership_created_on "
    "membership_id is_membership_managed_by_scim is_managed_by_scim"
)
ESIGN_USER_KEYS = _names(
    "userId userName email firstName lastName userStatus userType isAdmin isNAREnabled permissionProfileId "
    "permissionProfileName createdDateTime lastLogin loginStatus passwordExpiration groupList workAddress "
    "homeAddress jobTitle company uri defaultAccountId userSettings"
)
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ADMIN_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$")
EVENT_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$")


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(seed=71, events=3000, users=120, clock=ManualClock(), burst_limit=10_000) as running:
        setup_integration(running)
        running.org.change_users(10)
        yield running


@pytest.fixture(scope="module")
def client(emulator: Emulator) -> requests.Session:
    return session(emulator)


def get(client: requests.Session, url: str, **params: Any) -> Any:
    reply = client.get(url, params=params, timeout=30)
    assert reply.status_code == 200, reply.text
    assert reply.headers["Content-Type"].startswith("application/json")
    return reply.json()


@pytest.fixture(scope="module")
def monitor_page(client: requests.Session, emulator: Emulator) -> dict[str, Any]:
    body: dict[str, Any] = get(client, f"{emulator.base_url}/api/v2.0/datasets/monitor/stream", limit=2000)
    return body


def test_monitor_stream_matches_docusigns_models(monitor_page: dict[str, Any], client: requests.Session,
                                                 emulator: Emulator) -> None:  # fmt: skip
    # lens (v2.0): {endCursor, data}, each row DocuSign's StreamingEventRow.
    assert set(monitor_page) == {"endCursor", "data"}
    lens = {"endCursor": monitor_page["endCursor"], "resultData": monitor_page["data"]}
    assert model_problems(lens, "StreamResponse", docusign_monitor) == []
    # v1: DocuSign's StreamResponse, the same events.
    url = f"{emulator.base_url}/v1/organizations/{emulator.org.organization_id}/stream"
    v1 = get(client, url, limit=2000)
    assert set(v1) == {"endCursor", "resultData"} and v1["resultData"] == monitor_page["data"]
    assert model_problems(v1, "StreamResponse", docusign_monitor) == []


def test_monitor_events_have_the_documented_keys_and_types(monitor_page: dict[str, Any], emulator: Emulator) -> None:
    events = monitor_page["data"]
    assert len(events) == 2000
    for event in events:
        keys = set(event)
        assert keys <= EVENT_KEYS, keys - EVENT_KEYS
        assert keys >= SAMPLE_EVENT_KEYS, SAMPLE_EVENT_KEYS - keys
        assert EVENT_TIME.match(event["timestamp"])
        assert GUID.match(event["eventId"]) and GUID.match(event["userId"])
        assert event["accountId"] == emulator.org.account_id
        assert event["organizationId"] == emulator.org.organization_id
        assert isinstance(event["data"], dict)
        assert set(event["ipAddressLocation"]) == {"latitude", "longitude", "country", "state", "city"}
        assert isinstance(event["latitude"], float) and isinstance(event["longitude"], float)
        for name in ("object", "action", "property", "field", "result", "source", "referencedUserId", "userAgent"):
            assert isinstance(event[name], str), name
        if "userAgentClientInfo" in event:
            info = event["userAgentClientInfo"]
            assert set(info) == {"browser", "device", "os"}
            assert set(info["browser"]) == {"family", "version"}
            assert set(info["browser"]["version"]) == {"major", "minor", "patch"}
            assert set(info["device"]) == {"family", "brand", "model"}
            assert set(info["os"]) == {"family", "version"}
    kinds = {(event["object"], event["action"]) for event in events}
    assert {("User", "Login"), ("Account", "UserAdded"), ("Account", "UserClosed")} <= kinds
    assert {"Envelope", "PermissionProfile", "AccountSetting", "Alert"} <= {obj for obj, _ in kinds}
    assert any(":" in event["ipAddress"] for event in events), "some IPv6 addresses"
    assert any(event["city"] == "" for event in events), "some empty strings"
    alerts = [event for event in events if event["object"] == "Alert"]
    assert all(isinstance(a["data"]["EventIds"], list) and isinstance(a["data"]["Count"], str) for a in alerts)
    severities = {alert["data"].get("Severity") for alert in alerts}
    assert None in severities and severities - {None} <= {"Low", "Medium", "High"}
    added = [event for event in events if event["action"] == "UserAdded"]
    assert all(event["data"]["AffectedUserId"] == event["referencedUserId"] for event in added)


def test_admin_users_match_docusigns_model_and_the_fact_sheet(client: requests.Session, emulator: Emulator) -> None:
    url = f"{emulator.base_url}/management/v2/organizations/{emulator.org.organization_id}/users"
    for extra in ({}, {"include_ds_groups": "true", "include_license": "true"}):
        body = get(client, url, account_id=emulator.org.account_id, take=120, **extra)
        assert model_problems(body, "OrganizationUsersResponse", docusign_admin) == []
        assert set(body) == {"users", "paging"}
        for user in body["users"]:
            assert ADMIN_USER_ALWAYS <= set(user) <= ADMIN_USER_KEYS
            assert user["user_status"] in {"active", "created", "closed"}
            assert user["membership_status"] in {
                "activation_required",
                "activation_sent",
                "active",
                "closed",
                "disabled",
            }
            for name in ("created_on", "closed_on", "membership_created_on", "membership_closed_on"):
                assert name not in user or ADMIN_DATE.match(user[name])
            assert ("closed_on" in user) == (user["user_status"] == "closed")
    paged = get(client, url, account_id=emulator.org.account_id, take=10, start=10)
    assert model_problems(paged, "OrganizationUsersResponse", docusign_admin) == []
    assert set(paged["paging"]) == {
        "result_set_size",
        "result_set_start_position",
        "result_set_end_position",
        "total_set_size",
        "next",
        "previous",
    }


def test_organizations_match_docusigns_model(client: requests.Session, emulator: Emulator) -> None:
    body = get(client, f"{emulator.base_url}/management/v2/organizations")
    assert model_problems(body, "OrganizationsResponse", docusign_admin) == []


def _scalars(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _scalars(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _scalars(item, f"{path}[{index}]")
    else:
        yield path, value


BOOLEANS = re.compile(r"(\.hasRemoteNotary|\.groupList\[\d+\]\.isManagedByScim)$")


def test_esign_users_send_every_value_as_a_string(client: requests.Session, emulator: Emulator) -> None:
    url = f"{emulator.base_url}/restapi/v2.1/accounts/{emulator.org.account_id}/users"
    body = get(client, url, additional_info="true", login_status="true", count=100, start_position=10)
    assert {"users", "resultSetSize", "totalSetSize", "startPosition", "endPosition", "nextUri", "previousUri"} == set(
        body
    )
    # Strings everywhere, but for the fields DocuSign's model types as booleans.
    for path, value in _scalars(body):
        assert isinstance(value, str) or BOOLEANS.search(path), f"{path} is {type(value).__name__}"
    for user in body["users"]:
        assert ESIGN_USER_KEYS - {"lastLogin", "loginStatus", "passwordExpiration"} <= set(user)
        assert model_problems(user, "UserInformation", docusign_esign) == []
        assert user["userStatus"] in {"ActivationRequired", "ActivationSent", "Active", "Closed", "Disabled"}
        assert user["isAdmin"] in {"True", "False"}
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$", user["createdDateTime"])
    one = get(client, f"{url}/{emulator.org.admin_user_id}", additional_info="true")
    assert all(isinstance(value, str) or BOOLEANS.search(path) for path, value in _scalars(one))


def test_userinfo_and_error_shapes(client: requests.Session, emulator: Emulator) -> None:
    info = get(client, f"{emulator.base_url}/oauth/userinfo")
    assert set(info) == {"sub", "name", "given_name", "family_name", "created", "email", "accounts"}
    assert set(info["accounts"][0]) == {"account_id", "is_default", "account_name", "base_uri", "organization"}
    assert set(info["accounts"][0]["organization"]) == {"organization_id", "links"}
    assert set(info["accounts"][0]["organization"]["links"][0]) == {"rel", "href"}
    denied = requests.get(f"{emulator.base_url}/restapi/v2.1/accounts/{emulator.org.account_id}/users", timeout=10)
    assert denied.status_code == 401 and set(denied.json()) == {"errorCode", "message"}
    bad = requests.post(f"{emulator.base_url}/oauth/token", data={"grant_type": "password"}, timeout=10)
    assert set(bad.json()) == {"error", "error_description"}
