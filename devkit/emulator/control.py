"""`/_emulator/...`: scripting an out-of-process emulator (faults, stats, keys, consent, time)."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from devkit.emulator.context import Context
from devkit.emulator.faults import FaultSpecError
from devkit.emulator.log import RequestLog
from devkit.emulator.replies import Abort, json_reply
from devkit.emulator.users import CHANGE_KINDS


def _body(request: Request) -> Any:
    payload = request.get_json(silent=True)
    if payload is None:
        raise Abort(json_reply({"error": "expected a JSON body"}, 400))
    return payload


def _field(payload: Any, name: str) -> Any:
    if not isinstance(payload, dict) or name not in payload:
        raise Abort(json_reply({"error": f"missing field {name!r}"}, 400))
    return payload[name]


def faults(ctx: Context, request: Request) -> Response:
    if request.method == "DELETE":
        ctx.faults.clear()
        return json_reply({"faults": []})
    if request.method == "POST":
        try:
            added = ctx.faults.add_json(_body(request))
        except (FaultSpecError, ValueError) as error:
            return json_reply({"error": str(error)}, 400)
        return json_reply({"added": [fault.as_json() for fault in added]}, 201)
    return json_reply({"faults": [fault.as_json() for fault in ctx.faults.list()]})


def stats(ctx: Context, request: Request) -> Response:
    return json_reply(ctx.log.stats())


def reset_stats(ctx: Context, request: Request) -> Response:
    ctx.log.reset()
    return json_reply({"reset": True})


def requests_log(ctx: Context, request: Request) -> Response:
    limit = request.args.get("limit", type=int, default=100)
    records = ctx.log.records()[-limit:] if limit > 0 else []
    return json_reply({"requests": [RequestLog.as_json(record) for record in records]})


def organization(ctx: Context, request: Request) -> Response:
    org = ctx.org
    if request.method == "POST":
        payload = _body(request)
        if isinstance(payload, dict) and "monitor_enabled" in payload:
            org.monitor_enabled = bool(payload["monitor_enabled"])
    return json_reply(
        {
            "organization_id": org.organization_id,
            "account_id": org.account_id,
            "admin_user_id": org.admin_user_id,
            "users": len(org),
            "domain": org.domain,
            "monitor_enabled": org.monitor_enabled,
            "now": org.now(),
            "hosts": sorted(ctx.hosts),
            "attacks": [
                {"scenario": a.scenario, "alert_name": a.alert_name, "subject": a.subject, "at": a.at}
                for a in org.attacks
            ],
        }
    )


def integrations(ctx: Context, request: Request) -> Response:
    payload = _body(request)
    key = str(_field(payload, "integration_key"))
    pem = str(_field(payload, "public_key_pem")).encode()
    ctx.org.register_integration(key, pem, [str(uri) for uri in payload.get("redirect_uris", [])])
    return json_reply({"integration_key": key}, 201)


def consent(ctx: Context, request: Request) -> Response:
    payload = _body(request)
    key = str(_field(payload, "integration_key"))
    scopes = [str(scope) for scope in _field(payload, "scopes")]
    if payload.get("admin"):
        ctx.org.grant_admin_consent(key, scopes)
    else:
        ctx.org.grant_consent(key, str(payload.get("user_id") or ctx.org.admin_user_id), scopes)
    return json_reply({"granted": scopes})


def revoke_tokens(ctx: Context, request: Request) -> Response:
    return json_reply({"revoked": ctx.org.revoke_tokens()})


def advance(ctx: Context, request: Request) -> Response:
    seconds = float(_field(_body(request), "seconds"))
    return json_reply({"now": ctx.org.advance(seconds)})


def change_users(ctx: Context, request: Request) -> Response:
    payload = _body(request)
    count = int(_field(payload, "n"))
    kind = payload.get("kind") if isinstance(payload, dict) else None
    if kind is not None and kind not in CHANGE_KINDS:
        return json_reply({"error": f"kind must be one of {list(CHANGE_KINDS)}"}, 400)
    return json_reply({"changed": [user.id for user in ctx.org.change_users(count, kind)]})
