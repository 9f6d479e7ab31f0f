"""DocuSign's OAuth service: consent (`/oauth/auth`), the JWT grant (`/oauth/token`), `/oauth/userinfo`,
and the bearer-token check the API services share."""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import jwt
from werkzeug.wrappers import Request, Response

from devkit.emulator.context import Context
from devkit.emulator.org import Token
from devkit.emulator.replies import json_reply, lacks_permission, oauth_error, unauthorized
from devkit.emulator.times import admin_date

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# DocuSign's own samples (code-examples-python, quickstart) ask for 4,000 s and are served; the real maximum is
# undocumented, so only a lifetime beyond a day is refused.
MAX_ASSERTION_LIFETIME = 24 * 3600
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# A JWT meant for the other DocuSign environment is answered like an unknown integration key.
_OTHER_ENVIRONMENTS = {"account.docusign.com", "account-d.docusign.com"}


def _redirect_with(uri: str, params: list[tuple[str, str]]) -> str:
    parts = urlsplit(uri)
    query = "&".join(part for part in (parts.query, urlencode(params)) if part)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def consent(ctx: Context, request: Request) -> Response:
    """Record consent as if the logged-in user clicked "Accept", then redirect with a code."""
    args = request.args
    org = ctx.org
    if args.get("response_type") != "code":
        return oauth_error("unsupported_response_type", "The response type is not supported.")
    client_id = args.get("client_id", "")
    integration = org.integration(client_id)
    if integration is None:
        return oauth_error("invalid_client", "The client id provided is not registered with Docusign.")
    redirect_uri = args.get("redirect_uri", "")
    if not redirect_uri or (integration.redirect_uris and redirect_uri not in integration.redirect_uris):
        return oauth_error("invalid_request", "The redirect URI is not registered for this integration key.")
    # URL rules already turned `%20` and `+` into spaces; scopes are whitespace-separated.
    scopes = args.get("scope", "").split()
    if not scopes:
        return oauth_error("invalid_scope", "The scope parameter is missing.")
    user = org.user(args.get("login_user_id") or org.admin_user_id)
    if user is None:
        return oauth_error("invalid_request", "The logged-in user does not exist.")
    admin_scopes = args.get("admin_consent_scope", "").split()
    if admin_scopes:
        if not user.is_org_admin:
            return oauth_error("access_denied", "Only an organization administrator can grant admin consent.")
        org.grant_admin_consent(client_id, admin_scopes)
    org.grant_consent(client_id, user.id, scopes)
    params = [("code", secrets.token_urlsafe(32))]
    if "state" in args:
        params.append(("state", args["state"]))
    return Response(status=302, headers={"Location": _redirect_with(redirect_uri, params)})


def _invalid_grant(description: str) -> Response:
    return oauth_error("invalid_grant", description)


def _number(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def token(ctx: Context, request: Request) -> Response:
    """The JWT bearer grant, with DocuSign's error for each way an assertion can be wrong."""
    org = ctx.org
    form = request.form
    if form.get("grant_type") != JWT_BEARER:
        return oauth_error("unsupported_grant_type", "The grant type is not supported.")
    assertion = form.get("assertion", "")
    try:
        header = jwt.get_unverified_header(assertion)
        claims: dict[str, Any] = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        return _invalid_grant("no_valid_keys_or_signatures")
    issuer = claims.get("iss")
    integration = org.integration(issuer) if isinstance(issuer, str) else None
    audience = claims.get("aud")
    if integration is None or audience in _OTHER_ENVIRONMENTS:
        return _invalid_grant("issuer_not_found")
    if header.get("alg") != "RS256":
        return _invalid_grant("no_valid_keys_or_signatures")
    try:
        jwt.decode(
            assertion,
            key=integration.public_key_pem,
            algorithms=["RS256"],
            # Time and audience are checked below against the emulator's own clock and host.
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False},
        )
    except (jwt.PyJWTError, ValueError, TypeError):
        return _invalid_grant("no_valid_keys_or_signatures")
    if not isinstance(audience, str) or audience not in (ctx.hosts | {request.host}):
        return _invalid_grant("no_valid_keys_or_signatures")
    now = org.now()
    leeway = ctx.options.jwt_leeway
    expires, issued, not_before = _number(claims, "exp"), _number(claims, "iat"), _number(claims, "nbf")
    if expires is None or issued is None:
        return _invalid_grant("no_valid_keys_or_signatures")
    if expires <= now - leeway:
        return _invalid_grant("expired_grant")
    if expires - issued > MAX_ASSERTION_LIFETIME:
        return _invalid_grant("no_valid_keys_or_signatures")
    if not_before is not None and not_before > now + leeway:
        return _invalid_grant("no_valid_keys_or_signatures")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not _GUID.match(subject):
        return _invalid_grant("invalid_subject")
    user = org.user(subject)
    if user is None:
        return _invalid_grant("user_not_found")
    scope_claim = claims.get("scope")
    requested = set(scope_claim.split()) if isinstance(scope_claim, str) and scope_claim.strip() else {"signature"}
    # The JWT grant itself needs `impersonation` consent, whatever the token is for.
    if not (requested | {"impersonation"}) <= org.consented_scopes(integration.key, user.id):
        return oauth_error("consent_required")
    lifetime = ctx.options.token_lifetime
    issued_token = org.issue_token(integration.key, user.id, requested, lifetime)
    body: dict[str, Any] = {"access_token": issued_token.value, "token_type": "Bearer", "expires_in": lifetime}
    if ctx.options.include_scope_in_token:
        body["scope"] = " ".join(sorted(requested))
    return json_reply(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def userinfo(ctx: Context, request: Request) -> Response:
    org = ctx.org
    user = org.user(bearer(ctx, request).user_id)
    if user is None:
        raise unauthorized()
    # One gateway serves every API, so each account's base_uri is this server.
    base = request.host_url.rstrip("/")
    return json_reply(
        {
            "sub": user.id,
            "name": user.user_name,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "created": admin_date(user.created_ms),
            "email": user.email,
            "accounts": [
                {
                    "account_id": org.account_id,
                    "is_default": True,
                    "account_name": org.account_name,
                    "base_uri": base,
                    "organization": {
                        "organization_id": org.organization_id,
                        "links": [{"rel": "self", "href": f"{base}/management/v2/organizations/{org.organization_id}"}],
                    },
                }
            ],
        }
    )


def bearer(ctx: Context, request: Request) -> Token:
    """The request's live access token; raises Abort(401 USER_AUTHENTICATION_FAILED) otherwise."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise unauthorized("The request is missing an access token.")
    found = ctx.org.token(value.strip())
    if found is None:
        raise unauthorized()
    return found


def require_scope(found: Token, scope: str) -> None:
    if scope not in found.scopes:
        raise lacks_permission(f"The access token lacks the required scope: {scope}.")
