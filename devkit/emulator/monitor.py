"""Monitor API: the customer events stream, in both generations.

- v1 (`/v1/organizations/{organizationId}/stream`, on the API host), the one DocuSign documents today: replies
  `{"endCursor", "resultData"}`, errors `{"error": ...}` (a tenant without Monitor: 403 "Organization does not
  have Monitor entitlement", as a third party observed).
- v2.0 "lens" (`/api/v2.0/datasets/monitor/stream`): replies `{"endCursor", "data"}`, a tenant without Monitor
  gets a bare 403.

Both read the same events with the same cursor semantics; `Options.monitor_generations` says which answer.
"""

from __future__ import annotations

import json
import re
from typing import Any

from werkzeug.wrappers import Request, Response

from devkit.emulator.context import Context
from devkit.emulator.events import EventStream
from devkit.emulator.oauth import bearer, require_scope
from devkit.emulator.replies import Abort, api_error, bad_parameter, empty_reply, json_reply
from devkit.emulator.times import TICKS_PER_SECOND, parse_iso, seconds_to_ticks, to_dotnet_ticks

DEFAULT_LIMIT = 1000
MAX_LIMIT = 2000
LOOKBACK_SECONDS = 7 * 86_400
EARLIEST = parse_iso("2021-01-01T00:00:00Z")
_CURSOR = re.compile(r"^aa_(\d+)_(\d+)$")


def cursor_for(stream: EventStream, position: int) -> str:
    """The opaque cursor after `position` events: the last one's ingestion (.NET ticks) and the count."""
    ticks = stream.ingest_ticks(position - 1) if position > 0 else stream.spec.start_ticks
    return f"aa_{to_dotnet_ticks(ticks)}_{position}"


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        raise bad_parameter(f"The limit '{raw}' is not a valid integer.") from None
    return min(max(value, 1), MAX_LIMIT)


def v1_error(status: int, message: str) -> Abort:
    return Abort(json_reply({"error": message}, status))


def stream_v1(ctx: Context, request: Request, organization_id: str) -> Response:
    """`GET /v1/organizations/{organizationId}/stream`."""
    if ctx.options.monitor_generations == "lens":
        raise v1_error(404, "Not Found")
    org = ctx.org
    token = bearer(ctx, request)
    if organization_id.lower() != org.organization_id.lower():
        raise v1_error(404, f"Organization {organization_id} was not found.")
    if not org.monitor_enabled:
        raise v1_error(403, "Organization does not have Monitor entitlement")
    require_scope(token, "impersonation")
    user = org.user(token.user_id)
    if user is None or not user.is_org_admin:
        raise v1_error(403, "The user must be an organization administrator to read Monitor data.")
    try:
        end_cursor, data = _page(ctx, request)
    except Abort as abort:
        message = json.loads(abort.response.get_data() or b"{}").get("message", "Bad request")
        raise v1_error(abort.response.status_code, message) from None
    return json_reply({"endCursor": end_cursor, "resultData": data})


def stream(ctx: Context, request: Request) -> Response:
    """`GET /api/v2.0/datasets/monitor/stream` (lens)."""
    if ctx.options.monitor_generations == "v1":
        return empty_reply(404)
    org = ctx.org
    token = bearer(ctx, request)
    if not org.monitor_enabled:
        # Observed: an organization without Monitor gets a bare 403.
        return empty_reply(403)
    require_scope(token, "impersonation")
    user = org.user(token.user_id)
    if user is None or not user.is_org_admin:
        message = "The user must be an organization administrator to read Monitor data."
        raise Abort(api_error(403, "USER_LACKS_PERMISSIONS", message))
    end_cursor, data = _page(ctx, request)
    return json_reply({"endCursor": end_cursor, "data": data})


def _page(ctx: Context, request: Request) -> tuple[str, list[dict[str, Any]]]:
    """One page from the cursor in the query: the end cursor and the events."""
    org = ctx.org
    limit = _limit(request.args.get("limit"))
    if ctx.options.monitor_page_cap:
        limit = min(limit, ctx.options.monitor_page_cap)
    events = org.events
    now = seconds_to_ticks(org.now())
    visible = events.ingested_by(now)
    raw = request.args.get("cursor", "")
    opaque = _CURSOR.match(raw)
    if not raw:
        position = events.first_at_or_after(now - LOOKBACK_SECONDS * TICKS_PER_SECOND, visible)
    elif opaque:
        position = int(opaque.group(2))
        if position > visible:
            raise bad_parameter(f"The cursor '{raw}' is not valid.")
    else:
        try:
            instant = parse_iso(raw)
        except ValueError:
            raise bad_parameter(f"The cursor '{raw}' is not valid.") from None
        position = events.first_at_or_after(seconds_to_ticks(max(instant, EARLIEST)), visible)
    end = min(position + limit, visible)
    data = [events.event(index) for index in range(position, end)]
    return (raw if opaque and not data else cursor_for(events, end)), data
