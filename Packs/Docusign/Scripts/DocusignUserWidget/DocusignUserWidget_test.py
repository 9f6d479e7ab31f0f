"""The alert layout's DocuSign User section: what it shows for the context docusign-user-get and the response
actions leave in an alert, run through main() as the platform runs a dynamic section."""

import DocusignUserWidget
import pytest

from devkit.platform_modules import platform as PLATFORM

USER = {
    "id": "6b67a1ee-1d2c-4b5a-9e8f-385763624163",
    "user_name": "Max Example",
    "email": "max@example.net",
    "user_status": "active",
    "is_organization_admin": False,
    "memberships": [
        {
            "id": "4da49358-8de5-4f62-9e9a-6029259723bc",
            "account_name": "Example Corp",
            "status": "closed",
            "permission_profile": {"id": 14414476, "name": "DS Sender"},
            "is_admin": False,
        }
    ],
    "esignature": {"lastLogin": "2024-01-24T15:01:02.1230000Z", "loginStatus": "true"},
}
ACTION = {
    "time": "2024-01-25T08:00:00.000Z",
    "action": "close",
    "account_name": "Example Corp",
    "result": "closed",
    "trace_token": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
}


@pytest.fixture(autouse=True)
def fresh_platform():
    PLATFORM.reset(command="DocusignUserWidget")
    yield PLATFORM
    PLATFORM.reset()


def shown(context: dict) -> str:
    PLATFORM.investigation_context = context
    DocusignUserWidget.main()
    (entry,) = PLATFORM.results
    assert entry["Type"] == 1
    return entry["HumanReadable"]


def test_shows_the_user_memberships_and_response_actions():
    text = shown({"Docusign": {"User": USER, "MembershipAction": [ACTION]}})
    assert "### DocuSign user Max Example" in text
    assert "| Max Example | max@example.net | 6b67a1ee-1d2c-4b5a-9e8f-385763624163 | active | false |" in text
    assert "2024-01-24T15:01:02.1230000Z" in text
    assert "| Example Corp | closed | DS Sender | false |" in text
    assert "### Response actions" in text and "| close | Example Corp | closed | 9a8b7c6d" in text


def test_several_users_each_get_a_table():
    other = {**USER, "id": "0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a", "user_name": "Eve Example", "memberships": []}
    text = shown({"Docusign": {"User": [USER, other]}})
    assert "### DocuSign user Max Example" in text and "### DocuSign user Eve Example" in text
    assert "Response actions" not in text


@pytest.mark.parametrize("context", [{}, {"Docusign": {}}, {"Docusign": {"User": []}}, {"Docusign": "odd"}])
def test_says_how_to_fill_it_when_the_alert_has_no_user(context):
    assert "!docusign-user-get" in shown(context)
