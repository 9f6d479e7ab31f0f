"""Alert layout section: the DocuSign user of the alert, as docusign-user-get put it in the alert's context
(``Docusign.User``), and what the response actions did (``Docusign.MembershipAction``)."""

from typing import Any

import demistomock as demisto
from CommonServerPython import *

EMPTY = (
    "No DocuSign user in this alert's context yet. The playbook DocuSign - Compromised User looks the user up; "
    "or run !docusign-user-get user_id=<the DocuSign user ID>."
)


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[dict[str, Any]]:
    """Context holds one object or a list of them."""
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]


def user_section(user: dict[str, Any]) -> str:
    esign = as_dict(user.get("esignature"))
    summary = {
        "Name": user.get("user_name"),
        "E-mail": user.get("email"),
        "User ID": user.get("id"),
        "Status": user.get("user_status"),
        "Organization admin": user.get("is_organization_admin"),
        "Last login": esign.get("lastLogin"),
        "Login status": esign.get("loginStatus"),
    }
    memberships = [
        {
            "Account": m.get("account_name"),
            "Status": m.get("status"),
            "Permission profile": (m.get("permission_profile") or {}).get("name"),
            "Account admin": m.get("is_admin"),
        }
        for m in as_list(user.get("memberships"))
    ]
    section = tableToMarkdown(f"DocuSign user {user.get('user_name') or ''}".rstrip(), summary, headers=list(summary))
    if memberships:
        section += tableToMarkdown("Memberships", memberships, headers=list(memberships[0]))
    return section


def actions_section(actions: list[dict[str, Any]]) -> str:
    rows = [
        {
            "Time": a.get("time"),
            "Action": a.get("action"),
            "Account": a.get("account_name"),
            "Result": a.get("result"),
            "Trace token": a.get("trace_token"),
        }
        for a in actions
    ]
    return tableToMarkdown("Response actions", rows, headers=list(rows[0])) if rows else ""


def widget(context: dict[str, Any]) -> str:
    """The section's markdown for an alert's context."""
    docusign = as_dict(context.get("Docusign"))
    users = as_list(docusign.get("User"))
    if not users:
        return EMPTY
    return "\n".join([*(user_section(u) for u in users), actions_section(as_list(docusign.get("MembershipAction")))])


def main() -> None:
    try:
        return_results(CommandResults(readable_output=widget(demisto.context() or {})))
    except Exception as exc:
        return_error(f"Failed to show the DocuSign user: {exc}")


if __name__ in ("__main__", "__builtin__", "builtins"):
    main()
