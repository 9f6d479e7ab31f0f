"""Admin API: organizations and organization users (`/management/v2/...`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from devkit.emulator.context import Context
from devkit.emulator.limits import metered
from devkit.emulator.oauth import bearer, require_scope
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
from devkit.emulator.times import admin_date, parse_iso
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


def _users(ctx: Context, request: Request, user_id: str, scopes: frozenset[str], organization_id: str) -> Response:
    org = ctx.org
    if "user_read" not in scopes:
        raise lacks_permission("The access token lacks the required scope: user_read.")
    if organization_id.lower() != org.organization_id:
        raise Abort(api_error(404, "ORGANIZATION_NOT_FOUND", f"Organization '{organization_id}' was not found."))
    caller = org.user(user_id)
    if caller is None or not caller.is_org_admin:
        raise lacks_permission("The user is not an administrator of this organization.")
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
