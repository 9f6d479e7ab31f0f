"""Routing: DocuSign's paths (and the emulator's control paths) to the service functions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from devkit.emulator import admin, control, esign, monitor, oauth
from devkit.emulator.context import Context
from devkit.emulator.replies import Abort, api_error

_logger = logging.getLogger("devkit.emulator")

Handler = Callable[..., Response]

ROUTES: dict[str, Handler] = {
    "oauth.auth": oauth.consent,
    "oauth.token": oauth.token,
    "oauth.userinfo": oauth.userinfo,
    "monitor.stream": monitor.stream,
    "monitor.v1.stream": monitor.stream_v1,
    "admin.organizations": admin.organizations,
    "admin.users": admin.users,
    "admin.user_profile": admin.user_profile,
    "admin.user_dsprofile": admin.user_dsprofile,
    "admin.close_memberships": admin.close_memberships,
    "admin.activate_membership": admin.activate_membership,
    "esign.users": esign.list_users,
    "esign.user": esign.get_user,
    "control.faults": control.faults,
    "control.stats": control.stats,
    "control.stats_reset": control.reset_stats,
    "control.requests": control.requests_log,
    "control.org": control.organization,
    "control.integrations": control.integrations,
    "control.consent": control.consent,
    "control.revoke_tokens": control.revoke_tokens,
    "control.advance": control.advance,
    "control.change_users": control.change_users,
}

URL_MAP = Map(
    [
        Rule("/oauth/auth", endpoint="oauth.auth", methods=["GET"]),
        Rule("/oauth/token", endpoint="oauth.token", methods=["POST"]),
        Rule("/oauth/userinfo", endpoint="oauth.userinfo", methods=["GET"]),
        Rule("/api/v2.0/datasets/monitor/stream", endpoint="monitor.stream", methods=["GET"]),
        Rule("/api/v2/datasets/monitor/stream", endpoint="monitor.stream", methods=["GET"]),
        Rule("/v1/organizations/<organization_id>/stream", endpoint="monitor.v1.stream", methods=["GET"]),
        Rule("/management/v2/organizations", endpoint="admin.organizations", methods=["GET"]),
        Rule("/management/v2/organizations/<organization_id>/users", endpoint="admin.users", methods=["GET"]),
        Rule(
            "/management/v2/organizations/<organization_id>/users/profile",
            endpoint="admin.user_profile",
            methods=["GET"],
        ),
        Rule(
            "/management/v2.1/organizations/<organization_id>/users/<user_id>/dsprofile",
            endpoint="admin.user_dsprofile",
            methods=["GET"],
        ),
        Rule(
            "/management/v2/organizations/<organization_id>/users/<user_id>/accounts",
            endpoint="admin.close_memberships",
            methods=["DELETE"],
        ),
        Rule(
            "/management/v2/organizations/<organization_id>/users/<user_id>/memberships/<membership_id>",
            endpoint="admin.activate_membership",
            methods=["POST"],
        ),
        Rule("/restapi/v2.1/accounts/<account_id>/users", endpoint="esign.users", methods=["GET"]),
        Rule("/restapi/v2.1/accounts/<account_id>/users/<user_id>", endpoint="esign.user", methods=["GET"]),
        Rule("/_emulator/faults", endpoint="control.faults", methods=["GET", "POST", "DELETE"]),
        Rule("/_emulator/stats", endpoint="control.stats", methods=["GET"]),
        Rule("/_emulator/stats/reset", endpoint="control.stats_reset", methods=["POST"]),
        Rule("/_emulator/requests", endpoint="control.requests", methods=["GET"]),
        Rule("/_emulator/org", endpoint="control.org", methods=["GET", "POST"]),
        Rule("/_emulator/integrations", endpoint="control.integrations", methods=["POST"]),
        Rule("/_emulator/consent", endpoint="control.consent", methods=["POST"]),
        Rule("/_emulator/revoke_tokens", endpoint="control.revoke_tokens", methods=["POST"]),
        Rule("/_emulator/clock/advance", endpoint="control.advance", methods=["POST"]),
        Rule("/_emulator/users/change", endpoint="control.change_users", methods=["POST"]),
    ],
    strict_slashes=False,
    merge_slashes=False,
)


def _normalize(path: str) -> str:
    # DocuSign serves the Admin API under both /management and /Management.
    head, _, rest = path.lstrip("/").partition("/")
    return f"/management/{rest}" if head.lower() == "management" else path


@dataclass(frozen=True)
class Route:
    endpoint: str
    """Route name (`monitor.stream`); `unknown` when nothing matched."""
    values: dict[str, Any]
    error: HTTPException | None = None

    @property
    def is_control(self) -> bool:
        return self.endpoint.startswith("control.")


def route(environ: dict[str, Any], path: str) -> Route:
    try:
        endpoint, values = URL_MAP.bind_to_environ(environ).match(_normalize(path))
    except HTTPException as error:
        return Route("unknown", {}, error)
    return Route(str(endpoint), dict(values))


def dispatch(ctx: Context, request: Request, found: Route) -> Response:
    """Run the service function of `found`; DocuSign-shaped replies for unknown paths and methods."""
    if isinstance(found.error, MethodNotAllowed):
        return api_error(405, "METHOD_NOT_ALLOWED", f"The method {request.method} is not allowed here.")
    if found.error is not None and not isinstance(found.error, NotFound):
        response = found.error.get_response()
        return response if isinstance(response, Response) else Response(status=found.error.code or 500)
    if found.endpoint not in ROUTES:
        return api_error(404, "NOT_FOUND", f"No resource at {request.path}.")
    try:
        return ROUTES[found.endpoint](ctx, request, **found.values)
    except Abort as abort:
        return abort.response
    except Exception:
        _logger.exception("emulator handler %s failed", found.endpoint)
        return api_error(500, "INTERNAL_SERVER_ERROR", "The emulator failed to handle this request.")
