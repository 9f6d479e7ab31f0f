"""eSignature REST API: account users (`/restapi/v2.1/accounts/{accountId}/users[/{userId}]`).

Every number and boolean in these replies is a string, as DocuSign sends them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from devkit.emulator.context import Context
from devkit.emulator.limits import metered
from devkit.emulator.oauth import bearer, require_scope
from devkit.emulator.replies import Abort, api_error, json_reply, query_flag, query_integer
from devkit.emulator.times import esign_datetime, us_datetime
from devkit.emulator.users import User

DEFAULT_COUNT = 100
MAX_COUNT = 100
_DAY_MS = 86_400_000


def _check_account(ctx: Context, account_id: str) -> None:
    if account_id.lower() != ctx.org.account_id:
        message = "The UserID does not have a valid membership in this Account."
        raise Abort(api_error(400, "USER_LACKS_MEMBERSHIP", message))


def _address(city: str = "", state: str = "", country: str = "") -> dict[str, str]:
    return {
        "address1": "",
        "address2": "",
        "city": city,
        "stateOrProvince": state,
        "postalCode": "",
        "phone": "",
        "fax": "",
        "country": country,
    }


def user_json(ctx: Context, user: User, additional: bool, login_status: bool) -> dict[str, Any]:
    org = ctx.org
    body: dict[str, Any] = {
        "userName": user.user_name,
        "userId": user.id,
        "userType": "CompanyUser",
        "isAdmin": "True" if user.is_account_admin else "False",
        "isNAREnabled": "false",
        "userStatus": user.status,
        "uri": f"/users/{user.id}",
        "email": user.email,
        "createdDateTime": esign_datetime(user.created_ms),
        "firstName": user.first_name,
        "lastName": user.last_name,
        "jobTitle": user.job_title,
        "company": user.company,
        "permissionProfileId": user.profile.id,
        "permissionProfileName": user.profile.name,
        "defaultAccountId": org.account_id,
    }
    if user.last_login_ms is not None:
        body["lastLogin"] = esign_datetime(user.last_login_ms)
    if login_status:
        body["loginStatus"] = "false"
    if not additional:
        return body
    if user.last_login_ms is not None:
        body["passwordExpiration"] = esign_datetime(user.last_login_ms + 90 * _DAY_MS)
    body["groupList"] = [
        {"groupId": group.group_id, "groupName": group.name, "groupType": group.group_type} for group in user.groups
    ]
    body["workAddress"] = _address(user.city, user.state, user.country)
    body["homeAddress"] = _address()
    iso = ctx.options.esign_modified_format == "iso"
    modified = esign_datetime(user.modified_ms) if iso else us_datetime(user.modified_ms)
    admin = user.is_account_admin
    body["userSettings"] = {
        "canManageAccount": str(admin).lower(),
        "canSendEnvelope": str(user.profile.name != "DS Viewer").lower(),
        "canManageTemplates": "share",
        "apiAccountWideAccess": str(admin).lower(),
        "enableVaulting": "false",
        "locale": "en",
        "modifiedBy": user.modified_by,
        "modifiedDate": modified,
        "modifiedPage": "UserEditor",
    }
    return body


def list_users(ctx: Context, request: Request, account_id: str) -> Response:
    token = bearer(ctx, request)

    def produce() -> Response:
        require_scope(token, "signature")
        _check_account(ctx, account_id)
        count = min(max(query_integer(request, "count", DEFAULT_COUNT), 1), MAX_COUNT)
        start = max(query_integer(request, "start_position", 0), 0)
        statuses = {s.strip().lower() for s in request.args.get("status", "").split(",") if s.strip()}
        email = request.args.get("email", "").lower()
        selected = [
            user
            for user in ctx.org.users
            if (not statuses or user.status.lower() in statuses) and (not email or user.email.lower() == email)
        ]
        page = selected[start : start + count]
        additional, login = query_flag(request, "additional_info"), query_flag(request, "login_status")
        body: dict[str, Any] = {
            "users": [user_json(ctx, user, additional, login) for user in page],
            "resultSetSize": str(len(page)),
            "totalSetSize": str(len(selected)),
            "startPosition": str(start),
            "endPosition": str(start + len(page) - 1),
        }
        others = [(k, v) for k, v in request.args.items(multi=True) if k not in ("start_position", "count")]
        # nextUri/previousUri are relative to /restapi, as DocuSign returns them.
        base = f"/v2.1/accounts/{account_id}/users"
        if start + len(page) < len(selected):
            body["nextUri"] = f"{base}?{urlencode([('start_position', start + count), ('count', count), *others])}"
        if start > 0:
            previous = max(start - count, 0)
            body["previousUri"] = f"{base}?{urlencode([('start_position', previous), ('count', count), *others])}"
        return json_reply(body)

    return metered(ctx.limits, ctx.org.account_id, produce)


def get_user(ctx: Context, request: Request, account_id: str, user_id: str) -> Response:
    token = bearer(ctx, request)

    def produce() -> Response:
        require_scope(token, "signature")
        _check_account(ctx, account_id)
        user = ctx.org.user(user_id)
        if user is None:
            raise Abort(api_error(404, "USER_DOES_NOT_EXIST_IN_SYSTEM", "The user does not exist in this system."))
        return json_reply(
            user_json(ctx, user, query_flag(request, "additional_info"), query_flag(request, "login_status"))
        )

    return metered(ctx.limits, ctx.org.account_id, produce)
