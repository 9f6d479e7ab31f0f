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
from devkit.emulator.users import Group, User

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
    scim = str(user.is_managed_by_scim).lower()
    body.update(
        {
            "title": "",
            "middleName": "",
            "suffixName": "",
            "countryCode": "",
            "isAlternateAdmin": "false",
            "isManagedByScim": scim,
            "isMembershipManagedByScim": scim,
            "licenseType": user.license_type or "none",
            "licenseStatus": "active" if user.license_type else "none",
            "hasRemoteNotary": False,
            "subscribe": "false",
            "sendActivationOnInvalidLogin": "false",
            "enableConnectForUser": "false",
            "signatureImageUri": f"/users/{user.id}/signatures/{user.membership_id}/signature_image",
            "initialsImageUri": f"/users/{user.id}/signatures/{user.membership_id}/initials_image",
            "userAddedToAccountDateTime": esign_datetime(user.membership_created_ms),
            "userProfileLastModifiedDate": esign_datetime(user.profile_modified_ms or user.modified_ms),
            "customSettings": [],
        }
    )
    body["groupList"] = [_group_json(group, user) for group in user.groups]
    body["workAddress"] = _address(user.city, user.state, user.country)
    body["homeAddress"] = _address()
    iso = ctx.options.esign_modified_format == "iso"
    settings_ms = user.settings_modified_ms or user.modified_ms
    modified = esign_datetime(settings_ms) if iso else us_datetime(settings_ms)
    body["userSettings"] = user_settings(user, modified)
    return body


def _group_json(group: Group, user: User) -> dict[str, Any]:
    """DocuSign's Group as a user's groupList shows it."""
    return {
        "groupId": group.group_id,
        "groupName": group.name,
        "groupType": group.group_type,
        "permissionProfileId": user.profile.id if group.group_type == "adminGroup" else "",
        "dsGroupId": group.ds_group_id,
        "isManagedByScim": False,  # the one boolean of a Group in DocuSign's model
        "accessType": "",
        "lastModifiedOn": "",
    }


_EDITABLE = {"rights": "editable", "uiHint": "available", "uiType": "checkbox"}
# The other settings of DocuSign's UserSettingsInformation (names from its model), each "false" here.
_OTHER_SETTINGS = (
    "accountAgreementsAccessType", "allowAccessToAllAccountAgreements", "allowAutoTagging",
    "allowedDocumentTemplateLibraryAccess", "allowedOrchestrationAccess", "allowEnvelopeTransferTo",
    "allowEsealRecipients", "allowPowerFormsAdminToAccessAllPowerFormEnvelope", "allowSupplementalDocuments",
    "allowTransactions", "anchorTagVersionedPlacementEnabled", "apiCanExportAC", "canBulkUploadAgreements",
    "canChargeAccount", "canCreateTransaction", "canDeleteDocumentsInTransaction", "canDeleteTransaction",
    "canManageAgreementParties", "canManageDistributor", "canSendEnvelopesViaSMS", "canUseScratchpad",
    "canUseSmartContracts", "disableDocumentUpload", "disableOtherActions", "enableDSPro",
    "enableKeyTermsSuggestionsByDocumentType", "enableSequentialSigningAPI", "enableSequentialSigningUI",
    "enableSignOnPaperOverride", "enableTransactionPoint", "expressSendOnly", "manageClickwrapsMode", "newSendUI",
    "recipientViewedNotification", "supplementalDocumentIncludeInDownload", "supplementalDocumentsMustAccept",
    "supplementalDocumentsMustRead", "supplementalDocumentsMustView", "templateActiveCreation",
    "templateApplyNotify", "templateAutoMatching", "templateMatchingSensitivity", "templatePageLevelMatching",
    "timezoneMask", "timezoneSendingPref", "timezoneSigningPref", "transactionPointSiteNameURL",
    "transactionPointUserName", "webForms",
)  # fmt: skip
_WITHOUT_METADATA = {
    "allowAutoTagging", "anchorTagVersionedPlacementEnabled", "expressSendOnly", "supplementalDocumentIncludeInDownload"
}  # fmt: skip


def user_settings(user: User, modified: str) -> dict[str, Any]:
    """A user's settings as DocuSign reports them with additional_info: the permission profile's rights (the
    security-relevant ones: account management, API access, sending for others, bulk send), each with its
    metadata, and the modification stamp."""
    admin = user.is_account_admin
    sender = user.profile.name != "DS Viewer"

    def flag(value: bool) -> str:
        return str(value).lower()

    rights = {
        "canManageAccount": flag(admin),
        "apiAccountWideAccess": flag(admin),
        "canSendAPIRequests": flag(admin or sender),
        "adminOnly": flag(admin),
        "allowSendOnBehalfOf": flag(admin),
        "bulkSend": flag(sender),
        "canSendEnvelope": flag(sender),
        "canSignEnvelope": "true",
        "canLockEnvelopes": flag(admin),
        "canEditSharedAddressbook": "use_only_shared" if not admin else "share",
        "canManageTemplates": "share",
        "enableSignerAttachments": "true",
        "enableVaulting": "false",
        "allowRecipientLanguageSelection": "true",
        "selfSignedRecipientEmailDocument": "include_pdf",
        "powerFormMode": "admin" if admin else "user",
        "vaultingMode": "none",
        "locale": "en",
        "timezoneOffset": "tz_19_central_europe",
        "timezoneDST": "true",
    }
    settings: dict[str, Any] = {}
    for name, value in rights.items():
        settings[name] = value
        settings[f"{name}Metadata"] = (
            dict(_EDITABLE)
            if name not in ("locale", "timezoneOffset")
            else {
                "rights": "editable",
                "uiHint": "available",
                "uiType": "list",
            }
        )
    for name in _OTHER_SETTINGS:  # the rest of DocuSign's UserSettingsInformation, off: realistic size
        settings[name] = "false"
        if name not in _WITHOUT_METADATA:
            settings[f"{name}Metadata"] = dict(_EDITABLE)
    settings.update(
        {
            "isManagedByScim": str(user.is_managed_by_scim).lower(),
            "isMembershipManagedByScim": str(user.is_managed_by_scim).lower(),
            "modifiedBy": user.modified_by,
            "modifiedDate": modified,
            "modifiedPage": "UserEditor",
            "senderEmailNotifications": {"envelopeComplete": "true", "changedSigner": "true", "deliveryFailed": "true"},
            "signerEmailNotifications": {"envelopeActivation": "true", "envelopeComplete": "true"},
        }
    )
    return settings


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
