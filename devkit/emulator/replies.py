"""Reply builders shared by the services: JSON bodies and DocuSign's two error shapes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from werkzeug.wrappers import Request, Response

JSON = "application/json; charset=utf-8"


class Abort(Exception):
    """Raised by a service to answer with `response` straight away (auth and validation failures)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def json_reply(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    text = json.dumps(body, separators=(",", ":"))
    return Response(text, status=status, headers=dict(headers or {}), content_type=JSON)


def api_error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """eSignature/Admin error body: `{"errorCode": ..., "message": ...}`."""
    return json_reply({"errorCode": code, "message": message}, status, headers)


def oauth_error(error: str, description: str | None = None, status: int = 400) -> Response:
    """OAuth error body: `{"error": ..., "error_description": ...}` (the description is omitted when None)."""
    body = {"error": error}
    if description is not None:
        body["error_description"] = description
    return json_reply(body, status)


def empty_reply(status: int) -> Response:
    return Response(b"", status=status)


def unauthorized(message: str = "The access token provided is expired, revoked or malformed.") -> Abort:
    return Abort(api_error(401, "USER_AUTHENTICATION_FAILED", message))


def lacks_permission(message: str) -> Abort:
    return Abort(api_error(403, "USER_LACKS_PERMISSIONS", message))


def bad_parameter(message: str) -> Abort:
    return Abort(api_error(400, "INVALID_REQUEST_PARAMETER", message))


def query_flag(request: Request, name: str) -> bool:
    """A boolean query parameter as DocuSign reads it: only "true" (any case) is true."""
    return request.args.get(name, "").lower() == "true"


def query_integer(request: Request, name: str, default: int) -> int:
    """An integer query parameter; anything else is DocuSign's 400 INVALID_REQUEST_PARAMETER."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise bad_parameter(f"The parameter '{name}' must be an integer.") from None
