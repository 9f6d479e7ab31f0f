"""Fault injection: the next N requests matching a target get an error, a delay or a broken reply.

Targets are a service alias (`monitor`, `admin`, `esign`, `oauth`, `token`, `userinfo`, `consent`),
a route name (`esign.users`), a path glob (`/restapi/*/users`; `*` also crosses `/`) or a regex
(Python: `regex=`; spec/JSON: a target starting with `~`).

Kinds: `status` (a status code with a DocuSign error body or a given body), `delay` (then the
normal reply), `drop` (close the connection without replying), `truncate` (the real reply cut in
half under a Content-Length for the whole), `non_json` (a 200 `application/json` reply that is not
JSON), `html` (a gateway's `text/html` error page, 503 by default), `retry_after` (a 429 with a
`Retry-After` header).
"""

from __future__ import annotations

import contextlib
import fnmatch
import re
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, NoReturn

from werkzeug.wrappers import Response

from devkit.emulator.replies import JSON, json_reply

KINDS = ("status", "delay", "drop", "truncate", "non_json", "html", "retry_after")

ALIASES = {
    "monitor": "monitor.",
    "admin": "admin.",
    "esign": "esign.",
    "oauth": "oauth.",
    "token": "oauth.token",
    "userinfo": "oauth.userinfo",
    "consent": "oauth.auth",
}

SPEC_HELP = """\
fault spec: TARGET:KIND[=VALUE][:OPTION=VALUE]...
  TARGET  monitor | admin | esign | oauth | token | userinfo | consent | a route name (esign.users)
          | a path glob starting with / (/restapi/*/users) | ~REGEX searched in the path
  KIND    status=CODE | delay=SECONDS | drop | truncate | non_json[=STATUS] | html[=STATUS]
          | retry_after[=SECONDS]
  OPTION  count=N|always (default 1) | method=GET | delay=SECONDS (before any kind)
          | retry_after=SECONDS | content_type=TYPE | body=TEXT (must come last; may contain ':')
examples: monitor:status=500:count=2   token:drop   esign:retry_after=30:count=3   /api/*:html=502"""

_CODES = {
    400: "INVALID_REQUEST_PARAMETER",
    401: "USER_AUTHENTICATION_FAILED",
    403: "USER_LACKS_PERMISSIONS",
    404: "NOT_FOUND",
    429: "BURST_APIINVOCATION_LIMIT_EXCEEDED",
    444: "BLOCKED_DUE_TO_EXCESS_USAGE",
    500: "INTERNAL_SERVER_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}

_HTML_PAGE = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}


class FaultSpecError(ValueError):
    pass


class ConnectionDropped(ConnectionAbortedError):
    """Raised inside the server so it abandons the request without writing anything."""


@dataclass
class Fault:
    kind: str
    path: str | None = None
    regex: str | None = None
    method: str | None = None
    count: int | None = 1
    """Requests left to fault; None: every matching request until removed."""
    status: int | None = None
    body: str | None = None
    content_type: str | None = None
    delay: float = 0.0
    retry_after: int | None = None
    id: int = 0
    hits: int = 0

    def matches(self, method: str, path: str, endpoint: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        if self.regex is not None:
            return re.search(self.regex, path) is not None
        target = self.path
        if not target:
            return True
        target = ALIASES.get(target, target)
        if target.endswith("."):
            return endpoint.startswith(target)
        if not target.startswith("/"):
            return endpoint == target
        return fnmatch.fnmatchcase(path, target)

    def as_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}

    # ----- replies

    def reply(self, endpoint: str) -> Response | None:
        """The reply that replaces the service's, or None to let the service answer (delay, truncate)."""
        if self.kind in ("delay", "truncate", "drop"):
            return None
        if self.kind == "html":
            status = self.status or 503
            page = self.body or _HTML_PAGE.format(status=status, reason=_REASONS.get(status, "Error"))
            return Response(page, status=status, content_type=self.content_type or "text/html")
        if self.kind == "non_json":
            body = self.body or "Service temporarily unavailable; please retry later."
            return Response(body, status=self.status or 200, content_type=self.content_type or JSON)
        status = self.status or (429 if self.kind == "retry_after" else 500)
        headers = {}
        retry_after = self.retry_after if self.retry_after is not None else (1 if self.kind == "retry_after" else None)
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        if self.body is not None:
            return Response(self.body, status=status, headers=headers, content_type=self.content_type or JSON)
        if endpoint.startswith("oauth."):
            error = "temporarily_unavailable" if status >= 500 else "invalid_request"
            return json_reply({"error": error, "error_description": f"injected fault {status}"}, status, headers)
        code = _CODES.get(status, "UNSPECIFIED_ERROR")
        return json_reply({"errorCode": code, "message": f"Injected fault: HTTP {status}."}, status, headers)


def drop_connection(environ: dict[str, Any]) -> NoReturn:
    """Shut the client's socket down and abandon the request: the client sees a connection error."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    raise ConnectionDropped("fault: connection dropped")


def truncated(response: Response) -> Iterable[bytes]:
    """A WSGI body that announces the whole length but sends half; the server then closes the connection."""
    body = response.get_data()
    response.headers["Content-Length"] = str(max(len(body), 2))
    return [body[: len(body) // 2]]


class FaultSet:
    """The active faults, first match wins; thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._next_id = 1
        self._lock = threading.Lock()

    def add(
        self,
        path: str | None = None,
        kind: str = "status",
        *,
        regex: str | None = None,
        method: str | None = None,
        count: int | None = 1,
        status: int | None = None,
        body: str | None = None,
        content_type: str | None = None,
        delay: float | None = None,
        retry_after: int | None = None,
    ) -> Fault:
        """Fault the next `count` requests matching `path` (alias, route name or glob) or `regex`.

        For `kind="delay"`, `delay` is the wait; for any other kind it is an extra wait first.
        """
        if kind not in KINDS:
            raise FaultSpecError(f"unknown fault kind {kind!r}; expected one of {', '.join(KINDS)}")
        if kind == "status" and status is None:
            raise FaultSpecError("a status fault needs status=CODE")
        if kind == "delay" and not delay:
            raise FaultSpecError("a delay fault needs delay=SECONDS")
        if regex is not None:
            re.compile(regex)
        if count is not None and count < 1:
            raise FaultSpecError("count must be at least 1 (or None for every request)")
        fault = Fault(
            kind=kind,
            path=path,
            regex=regex,
            method=method,
            count=count,
            status=status,
            body=body,
            content_type=content_type,
            delay=float(delay or 0.0),
            retry_after=retry_after,
        )
        with self._lock:
            fault.id = self._next_id
            self._next_id += 1
            self._faults.append(fault)
        return fault

    def add_spec(self, spec: str) -> Fault:
        """Add a fault from the CLI syntax (see SPEC_HELP)."""
        return self.add(**parse_spec(spec))

    def add_json(self, payload: Any) -> list[Fault]:
        """Add faults from the control endpoint's JSON: an object, a list of them, or {"spec": "..."}."""
        items = payload if isinstance(payload, list) else [payload]
        added = []
        for item in items:
            if not isinstance(item, dict):
                raise FaultSpecError("each fault must be a JSON object")
            item = dict(item)
            if "spec" in item:
                added.append(self.add_spec(str(item.pop("spec"))))
                continue
            path = item.pop("path", None)
            if isinstance(path, str) and path.startswith("~"):
                item["regex"] = path[1:]
                path = None
            if item.get("count") in ("always", 0):
                item["count"] = None
            try:
                added.append(self.add(path, **item))
            except TypeError as error:
                raise FaultSpecError(str(error)) from None
        return added

    def take(self, method: str, path: str, endpoint: str) -> Fault | None:
        """The first fault matching this request, consuming one of its uses."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path, endpoint):
                    fault.hits += 1
                    if fault.count is not None:
                        fault.count -= 1
                        if fault.count <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def remove(self, fault_id: int) -> bool:
        with self._lock:
            before = len(self._faults)
            self._faults = [fault for fault in self._faults if fault.id != fault_id]
            return len(self._faults) != before

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def list(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)


def parse_spec(spec: str) -> dict[str, Any]:
    """`monitor:status=500:count=2` → keyword arguments of FaultSet.add."""
    text = spec.strip()
    body: str | None = None
    if ":body=" in text:
        text, body = text.split(":body=", 1)
    parts = text.split(":")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise FaultSpecError(f"bad fault spec {spec!r}\n{SPEC_HELP}")
    target, kind_part, *options = parts
    result: dict[str, Any] = {"body": body}
    if target.startswith("~"):
        result["regex"] = target[1:]
    else:
        result["path"] = target
    kind, _, value = kind_part.partition("=")
    if kind not in KINDS:
        raise FaultSpecError(f"unknown fault kind {kind!r} in {spec!r}\n{SPEC_HELP}")
    result["kind"] = kind
    try:
        if value:
            if kind in ("status", "html", "non_json"):
                result["status"] = int(value)
            elif kind == "delay":
                result["delay"] = float(value)
            elif kind == "retry_after":
                result["retry_after"] = int(value)
            else:
                raise FaultSpecError(f"fault kind {kind!r} takes no value")
        for option in options:
            name, sep, raw = option.partition("=")
            if not sep:
                raise FaultSpecError(f"option {option!r} needs a value")
            if name == "count":
                result["count"] = None if raw in ("always", "0") else int(raw)
            elif name in ("delay",):
                result["delay"] = float(raw)
            elif name in ("retry_after", "status"):
                result[name] = int(raw)
            elif name in ("method", "content_type"):
                result[name] = raw
            else:
                raise FaultSpecError(f"unknown option {name!r} in {spec!r}")
    except ValueError as error:
        if isinstance(error, FaultSpecError):
            raise
        raise FaultSpecError(f"bad number in fault spec {spec!r}: {error}") from None
    return result


def sleep_for(fault: Fault) -> None:
    # Real time on purpose: a delay exists to exercise the client's own timeouts.
    if fault.delay > 0:
        time.sleep(fault.delay)
