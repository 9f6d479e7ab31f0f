"""Admin API: organizations, organization users (`/management/v2/...`), one user's profile with its memberships
(`users/profile`, v2.1 `users/{userId}/dsprofile`), and closing and re-activating memberships (`user_write`)."""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from devkit.emulator.context import Context
from devkit.emulator.limits import metered
from devkit.emulator.oauth import Token, bearer, require_scope
from devkit.emulator.org import Organization
from devkit.emulator.replies import (
    Abort,
    api_error,
    bad_parameter,
    json_reply,
    lacks_permission,
    query_flag,
    query_integer,
)
from devkit.emulator.times import admin_date, event_timestamp, parse_iso, seconds_to_ticks
from devkit.emulator.users import User

DEFAULT_TAKE = 20
MAX_TAKE = 250


def _organization_json(org: Organization, base: str) -> dict[str, Any]:
    created = admin_date(org.created_ms)
    return {
        "id": org.organization_id,
        "name": org.organization_name,
        "description": "",
        "default_account_id": org.account_id,
        "default_permission_profile_id": int(org.catalog.profile("DS Sender").id),
        "created_on": created,
        "created_by": org.admin_user_id,
        "last_modified_on": created,
        "last_modified_by": org.admin_user_id,
        "accounts": [
            {
                "id": org.account_id,
                "name": org.account_name,
                "external_account_id": org.account_external_id,
                "site_id": org.site_id,
            }
        ],
        "reserved_domains": [
            {"id": org.domain_id, "status": "active", "host_name": org.domain, "settings": [], "links": []}
        ],
        "identity_providers": [],
        "links": [{"rel": "self", "href": f"{base}/management/v2/organizations/{org.organization_id}"}],
    }


def organizations(ctx: Context, request: Request) -> Response:
    token = bearer(ctx, request)

    def produce() -> Response:
        require_scope(token, "organization_read")
        user = ctx.org.user(token.user_id)
        mode = request.args.get("mode", "org_admin")
        listed = user is not None and (user.is_org_admin or mode == "account_membership")
        base = request.host_url.rstrip("/")
        return json_reply({"organizations": [_organization_json(ctx.org, base)] if listed else []})

    return metered(ctx.limits, ctx.org.account_id, produce)


def _group_json(ctx: Context, user: User) -> list[dict[str, Any]]:
    org = ctx.org
    return [
        {
            "ds_group_id": group.ds_group_id,
            "account_id": org.account_id,
            "source_product_name": "esign",
            "group_id": group.group_id,
            "group_name": group.name,
            "description": "",
            "is_admin": group.group_type == "adminGroup",
            "last_modified_on": admin_date(org.created_ms),
            "external_account_id": org.account_external_id,
            "account_name": org.account_name,
            "is_managed_by_scim": False,
        }
        for group in user.groups
    ]


def user_json(ctx: Context, user: User, ds_groups: bool, license_info: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": user.id,
        "user_name": user.user_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "user_status": user.user_status,
        "membership_status": user.membership_status,
        "email": user.email,
        "created_on": admin_date(user.created_ms),
    }
    # Closing dates exist only for closed users: absent, never null.
    if user.closed_ms is not None:
        body["closed_on"] = admin_date(user.closed_ms)
    body["membership_created_on"] = admin_date(user.membership_created_ms)
    if user.closed_ms is not None:
        body["membership_closed_on"] = admin_date(user.closed_ms)
    if ds_groups:
        body["ds_groups"] = _group_json(ctx, user)
    body["membership_id"] = user.membership_id
    body["is_membership_managed_by_scim"] = user.is_managed_by_scim
    body["is_managed_by_scim"] = user.is_managed_by_scim
    if license_info:
        body["license_type"] = user.license_type
        body["subscription_id"] = user.subscription_id
        body["plan_name"] = user.plan_name
    if ctx.options.admin_modified_field:
        body[ctx.options.admin_modified_field] = admin_date(user.modified_ms)
    return body


def _page_url(request: Request, start: int) -> str:
    params = [(key, value) for key, value in request.args.items(multi=True) if key != "start"]
    params.insert(0, ("start", str(start)))
    return f"{request.base_url}?{urlencode(params)}"


def users(ctx: Context, request: Request, organization_id: str) -> Response:
    token = bearer(ctx, request)
    return metered(
        ctx.limits, ctx.org.account_id, lambda: _users(ctx, request, token.user_id, token.scopes, organization_id)
    )


def _require_org_admin(
    org: Organization, user_id: str, scopes: frozenset[str], organization_id: str, scope: str
) -> None:
    """The checks every organization-user operation makes: the token's scope, the organization, an administrator."""
    if scope not in scopes:
        raise lacks_permission(f"The access token lacks the required scope: {scope}.")
    if organization_id.lower() != org.organization_id:
        raise Abort(api_error(404, "ORGANIZATION_NOT_FOUND", f"Organization '{organization_id}' was not found."))
    caller = org.user(user_id)
    if caller is None or not caller.is_org_admin:
        raise lacks_permission("The user is not an administrator of this organization.")


def _users(ctx: Context, request: Request, user_id: str, scopes: frozenset[str], organization_id: str) -> Response:
    org = ctx.org
    _require_org_admin(org, user_id, scopes, organization_id, "user_read")
    args = request.args
    account_id = args.get("account_id", "").lower()
    email = args.get("email", "").lower()
    domain_id = args.get("organization_reserved_domain_id", "").lower()
    if not (account_id or email or domain_id):
        raise bad_parameter("At least one of email, account_id or organization_reserved_domain_id must be specified.")
    since_ms: int | None = None
    if args.get("last_modified_since"):
        if not (account_id or domain_id):
            raise bad_parameter("last_modified_since requires account_id or organization_reserved_domain_id.")
        try:
            since_ms = round(parse_iso(args["last_modified_since"]) * 1000)
        except ValueError:
            raise bad_parameter("The parameter 'last_modified_since' is not a valid date.") from None
        if ctx.options.admin_since_by_day:
            since_ms -= since_ms % 86_400_000  # the start of that day (UTC)
    start = max(query_integer(request, "start", 0), 0)
    if args.get("take"):
        take = query_integer(request, "take", DEFAULT_TAKE)
    elif args.get("end"):
        take = query_integer(request, "end", 0) - start + 1
    else:
        take = DEFAULT_TAKE
    take = min(max(take, 1), MAX_TAKE)
    statuses = {s.strip().lower() for s in args.get("status", "").split(",") if s.strip()}
    memberships = {s.strip().lower() for s in args.get("membership_status", "").split(",") if s.strip()}

    selected: list[User] = []
    if (not account_id or account_id == org.account_id) and (not domain_id or domain_id == org.domain_id):
        selected = [
            user
            for user in org.users_by_modification()
            if (not email or user.email.lower() == email)
            and (since_ms is None or user.modified_ms >= since_ms)
            and (not statuses or user.user_status in statuses)
            and (not memberships or user.membership_status in memberships)
        ]
    page = selected[start : start + take]
    paging: dict[str, Any] = {
        "result_set_size": len(page),
        "result_set_start_position": start,
        "result_set_end_position": start + len(page) - 1 if page else start,
        "total_set_size": len(selected),
    }
    if start + len(page) < len(selected):
        paging["next"] = _page_url(request, start + take)
    if start > 0:
        paging["previous"] = _page_url(request, max(start - take, 0))
    ds_groups, license_info = query_flag(request, "include_ds_groups"), query_flag(request, "include_license")
    return json_reply({"users": [user_json(ctx, user, ds_groups, license_info) for user in page], "paging": paging})


# ----- one user: profile and memberships (UserDrilldownResponse, MembershipResponse)

_GROUP_TYPES = {"adminGroup": "admin_group", "everyoneGroup": "everyone_group", "customGroup": "custom_group"}


def membership_json(ctx: Context, user: User, license_info: bool) -> dict[str, Any]:
    """The user's membership of the organization's account, as the profile operations list it."""
    org = ctx.org
    body: dict[str, Any] = {
        "id": user.membership_id,
        "email": user.email,
        "account_id": org.account_id,
        "external_account_id": str(org.account_external_id),
        "account_name": org.account_name,
        "is_external_account": False,
        "status": user.membership_status,
        "permission_profile": {"id": int(user.profile.id), "name": user.profile.name},
        "created_on": admin_date(user.membership_created_ms),
        "groups": [
            {"id": int(group.group_id), "name": group.name, "type": _GROUP_TYPES.get(group.group_type, "invalid")}
            for group in user.groups
        ],
        "is_admin": user.is_account_admin,
    }
    if license_info:
        body.update(license_type=user.license_type, subscription_id=user.subscription_id, plan_name=user.plan_name)
    return body


def profile_json(ctx: Context, user: User, license_info: bool) -> dict[str, Any]:
    org = ctx.org
    return {
        "id": user.id,
        "site_id": org.site_id,
        "site_name": org.site,
        "user_name": user.user_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "user_status": user.user_status,
        "default_account_id": org.account_id,
        "default_account_name": org.account_name,
        "language_culture": "en",
        "is_organization_admin": user.is_org_admin,
        "created_on": admin_date(user.created_ms),
        "memberships": [membership_json(ctx, user, license_info)],
        "identities": [],
        "device_verification_enabled": False,
        "require_two_step_verification": False,
        "allow_two_step_verification_snooze": False,
        "allow_extend_org_admin_rights_to_self": False,
        "is_managed_by_scim": user.is_managed_by_scim,
    }


PROFILE_RECENT_MS = 10 * 86_400_000


def _user_or_404(ctx: Context, user_id: str) -> User:
    user = ctx.org.user(user_id)
    if user is None:
        raise Abort(api_error(404, "USER_NOT_FOUND", f"User '{user_id}' was not found in the organization."))
    return user


def user_profile(ctx: Context, request: Request, organization_id: str) -> Response:
    """`GET users/profile?email=`: the users with that e-mail address, as DocuSign documents it: "up to the first
    20 users modified in the last 10 days" (an empty list when none). Unconfirmed on a tenant; the integration
    falls back to the users list, so it works either way."""
    token = bearer(ctx, request)

    def produce() -> Response:
        _require_org_admin(ctx.org, token.user_id, token.scopes, organization_id, "user_read")
        email = request.args.get("email", "").strip().lower()
        if not email:
            raise bad_parameter("The email parameter is required.")
        license_info = query_flag(request, "include_license")
        recent = int(ctx.org.now() * 1000) - PROFILE_RECENT_MS
        found = [user for user in ctx.org.users if user.email.lower() == email and user.modified_ms >= recent][:20]
        return json_reply({"users": [profile_json(ctx, user, license_info) for user in found]})

    return metered(ctx.limits, ctx.org.account_id, produce)


def user_dsprofile(ctx: Context, request: Request, organization_id: str, user_id: str) -> Response:
    """`GET v2.1 users/{userId}/dsprofile`: the user with that ID; 404 for an unknown one."""
    token = bearer(ctx, request)

    def produce() -> Response:
        _require_org_admin(ctx.org, token.user_id, token.scopes, organization_id, "user_read")
        user = _user_or_404(ctx, user_id)
        return json_reply({"users": [profile_json(ctx, user, query_flag(request, "include_license"))]})

    return metered(ctx.limits, ctx.org.account_id, produce)


def close_memberships(ctx: Context, request: Request, organization_id: str, user_id: str) -> Response:
    """`DELETE users/{userId}/accounts` with `{"accounts": [{"id": accountId}]}`: closes the user's membership of
    each account listed. `success` says whether all closed; an account that could not be closed is listed with
    `error_details`. Closing a closed membership changes nothing and succeeds."""
    token = bearer(ctx, request)

    def produce() -> Response:
        _require_org_admin(ctx.org, token.user_id, token.scopes, organization_id, "user_write")
        user = _user_or_404(ctx, user_id)
        accounts = _body_list(request, "accounts")
        results: list[dict[str, Any]] = []
        for entry in accounts:
            account_id = str(entry.get("id") or "").lower() if isinstance(entry, dict) else ""
            if account_id != ctx.org.account_id:
                details = {
                    "error": "invalid_account",
                    "error_description": "The user has no membership in that account.",
                }
                results.append({"id": account_id, "error_details": details})
                continue
            if user.status != "Closed":
                user = _changed(ctx.org.set_membership_status(user.id, "Closed", token.user_id))
                _record_membership_event(ctx, request, token, user, "UserClosed")
            results.append({"id": account_id})
        success = all("error_details" not in result for result in results)
        return json_reply({"success": success, "accounts": results})

    return metered(ctx.limits, ctx.org.account_id, produce)


def activate_membership(
    ctx: Context, request: Request, organization_id: str, user_id: str, membership_id: str
) -> Response:
    """`POST users/{userId}/memberships/{membershipId}` with `{"site_id": n}`: re-activates the membership."""
    token = bearer(ctx, request)

    def produce() -> Response:
        _require_org_admin(ctx.org, token.user_id, token.scopes, organization_id, "user_write")
        user = _user_or_404(ctx, user_id)
        if membership_id.lower() != user.membership_id:
            message = f"Membership '{membership_id}' was not found for the user."
            raise Abort(api_error(404, "MEMBERSHIP_NOT_FOUND", message))
        if not isinstance(request.get_json(silent=True), dict):
            raise bad_parameter("The request body must be a ForceActivateMembershipRequest object.")
        if user.status != "Active":
            user = _changed(ctx.org.set_membership_status(user.id, "Active", token.user_id))
            _record_membership_event(ctx, request, token, user, "UserReactivated")
        return json_reply({"status": "success"})

    return metered(ctx.limits, ctx.org.account_id, produce)


def _changed(user: User | None) -> User:
    assert user is not None  # found a moment ago, and users are never removed
    return user


def _record_membership_event(ctx: Context, request: Request, token: Token, user: User, action: str) -> None:
    """What DocuSign Monitor records of a membership change made through the Admin API: an ``Account`` event
    (``UserClosed``, or ``UserReactivated`` for the undo: DocuSign's name for it is unconfirmed) by the acting user
    from the app whose token it was, about the affected user, ingested now (as events.py's ``_user_closed``)."""
    org = ctx.org
    now = org.now()
    generator = random.Random(f"{org.seed}:{user.id}:{action}:{now}")
    event = org.events.base_event(generator, 0, event_timestamp(seconds_to_ticks(now)), token.user_id, "API")
    del event["eventId"]  # base_event numbers history events; record_event gives this one its own
    event.update(
        integratorKey=token.integration_key,
        userAgent=request.headers.get("User-Agent", ""),
        object="Account",
        action=action,
        result="Success",
        referencedUserId=user.id,
        referencedUserIsMemberOfDomain=True,
        affectedUserId=user.id,
        affectedUserIsMemberOfDomain=True,
        data={"AffectedUserId": user.id, "AffectedMembershipId": user.membership_id},
    )
    org.record_event(event)


def _body_list(request: Request, name: str) -> list[Any]:
    payload = request.get_json(silent=True)
    value = payload.get(name) if isinstance(payload, dict) else None
    if not isinstance(value, list) or not value:
        raise bad_parameter(f"The request body must list {name}.")
    return value
