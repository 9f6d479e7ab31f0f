"""The request cycle around the services: trace token, fault injection and the request log."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request

from devkit.emulator.app import dispatch, route
from devkit.emulator.context import Context
from devkit.emulator.faults import drop_connection, sleep_for, truncated
from devkit.emulator.log import RequestRecord

TRACE_HEADER = "X-DocuSign-TraceToken"


class EmulatorApp:
    """The WSGI application."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        arrived = self.ctx.org.now()
        trace = str(uuid.uuid4())
        request = Request(environ)
        path = request.path
        found = route(environ, path)
        # The control endpoints are the test's, not DocuSign's: never faulted, never counted.
        fault = None if found.is_control else self.ctx.faults.take(request.method, path, found.endpoint)

        def record(status: int) -> None:
            if found.is_control:
                return
            self.ctx.log.record(
                RequestRecord(
                    time=arrived,
                    method=request.method,
                    path=path,
                    query=request.query_string.decode("latin-1"),
                    endpoint=found.endpoint,
                    status=status,
                    duration_ms=(time.perf_counter() - started) * 1000,
                    trace_token=trace,
                    fault=fault.kind if fault else "",
                )
            )

        response = None
        if fault is not None:
            sleep_for(fault)
            if fault.kind == "drop":
                record(0)
                drop_connection(environ)
            response = fault.reply(found.endpoint)
        if response is None:
            response = dispatch(self.ctx, request, found)
        response.headers[TRACE_HEADER] = trace
        record(response.status_code)
        if fault is not None and fault.kind == "truncate":
            body = truncated(response)
            start_response(response.status, list(response.get_wsgi_headers(environ).items()))
            return body
        return response(environ, start_response)
