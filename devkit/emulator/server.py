"""Running the emulator: a threaded werkzeug server in a background thread, and the `Emulator` facade."""

from __future__ import annotations

import logging
import ssl
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from devkit.emulator.clock import Clock, SimClock, as_sim_clock
from devkit.emulator.context import Context, Options
from devkit.emulator.events import TimestampStyle
from devkit.emulator.faults import FaultSet
from devkit.emulator.keys import generate_self_signed_cert
from devkit.emulator.limits import RateLimiter
from devkit.emulator.log import RequestLog, RequestRecord, Stats
from devkit.emulator.org import Organization
from devkit.emulator.wsgi import EmulatorApp

_logger = logging.getLogger("devkit.emulator")


class _QuietHandler(WSGIRequestHandler):
    # Set here so werkzeug does not patch the shared WSGIRequestHandler class for us.
    protocol_version = "HTTP/1.1"

    def log(self, type: str, message: str, *args: Any) -> None:
        # The emulator keeps its own request log; werkzeug's access log would only clutter test output.
        if type == "error":
            _logger.debug(message, *args)


class Emulator:
    """DocuSign (OAuth, Monitor, Admin, eSignature) on one loopback base URL.

    >>> with Emulator(seed=1, events=100) as emulator:
    ...     emulator.base_url.startswith("http://127.0.0.1:")
    True
    """

    def __init__(
        self,
        seed: int = 1,
        events: int = 5000,
        users: int = 300,
        span_hours: float = 24.0,
        https: bool = False,
        token_lifetime: int = 3600,
        hourly_limit: int = 3000,
        burst_limit: int = 200,
        legacy_limit_status: bool = False,
        monitor_enabled: bool = True,
        clock: Clock | None = None,
        *,
        port: int = 0,
        bind: str = "127.0.0.1",
        anchor: float | None = None,
        live_events_per_hour: float = 0.0,
        live_user_changes_per_hour: float = 0.0,
        recent_user_share: float = 0.15,
        include_scope_in_token: bool = False,
        esign_modified_format: Literal["us", "iso"] = "us",
        admin_modified_field: str | None = None,
        admin_since_by_day: bool = False,
        monitor_page_cap: int | None = None,
        monitor_generations: Literal["both", "v1", "lens"] = "both",
        timestamp_style: TimestampStyle = "dotnet",
        site: str = "DEMO",
        faults: Iterable[str] = (),
        attacks: str | Sequence[str] = (),
    ) -> None:
        self.clock: SimClock = as_sim_clock(clock)
        self.org = Organization(
            seed,
            users,
            events,
            span_hours,
            self.clock,
            anchor=anchor,
            live_events_per_hour=live_events_per_hour,
            live_user_changes_per_hour=live_user_changes_per_hour,
            recent_user_share=recent_user_share,
            monitor_enabled=monitor_enabled,
            site=site,
            timestamp_style=timestamp_style,
            attacks=attacks,
        )
        self.limits = RateLimiter(self.clock, hourly_limit, burst_limit, legacy_status=legacy_limit_status)
        self.faults = FaultSet()
        for spec in faults:
            self.faults.add_spec(spec)
        self.log = RequestLog()
        self.options = Options(
            token_lifetime=token_lifetime,
            include_scope_in_token=include_scope_in_token,
            esign_modified_format=esign_modified_format,
            admin_modified_field=admin_modified_field,
            admin_since_by_day=admin_since_by_day,
            monitor_page_cap=monitor_page_cap,
            monitor_generations=monitor_generations,
        )
        self.context = Context(self.org, self.limits, self.faults, self.log, self.options)
        self.app = EmulatorApp(self.context)
        self.https = https
        self._bind = bind
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._certs: tempfile.TemporaryDirectory[str] | None = None

    # ----- lifecycle

    def start(self) -> str:
        """Start serving in a background thread; returns the base URL."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        ssl_context = None
        if self.https:
            cert_pem, key_pem = generate_self_signed_cert((self._bind, "localhost"))
            self._certs = tempfile.TemporaryDirectory(prefix="docusign-emulator-")
            folder = Path(self._certs.name)
            (folder / "cert.pem").write_bytes(cert_pem)
            (folder / "key.pem").write_bytes(key_pem)
            ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ssl_context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
        server = make_server(
            self._bind, self._port, self.app, threaded=True, request_handler=_QuietHandler, ssl_context=ssl_context
        )
        self._server = server
        self._port = server.server_port
        self.context.hosts = {f"{self._bind}:{self._port}", f"localhost:{self._port}"}
        # A short poll interval keeps stop() fast.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="docusign-emulator", daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._certs is not None:
            self._certs.cleanup()
            self._certs = None

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    # ----- addresses

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("the emulator has no port until start()")
        return self._port

    @property
    def host(self) -> str:
        """`host:port`, what a JWT's `aud` must be (DocuSign's OAuth host, without scheme)."""
        return f"{self._bind}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{'https' if self.https else 'http'}://{self.host}"

    @property
    def ca_cert(self) -> str | None:
        """Path of the self-signed certificate (pass as `verify=` to requests) while serving HTTPS."""
        return str(Path(self._certs.name) / "cert.pem") if self._certs is not None else None

    # ----- scripting

    def register_integration(self, integration_key: str, public_key_pem: bytes, redirect_uris: list[str]) -> None:
        self.org.register_integration(integration_key, public_key_pem, redirect_uris)

    def grant_consent(self, integration_key: str, user_id: str, scopes: Iterable[str]) -> None:
        """What a user accepting the consent page does (`/oauth/auth`)."""
        self.org.grant_consent(integration_key, user_id, scopes)

    def grant_admin_consent(self, integration_key: str, scopes: Iterable[str]) -> None:
        self.org.grant_admin_consent(integration_key, scopes)

    def revoke_tokens(self) -> int:
        return self.org.revoke_tokens()

    def advance(self, seconds: float) -> float:
        """Move the emulator's clock forward: tokens expire, limits reset, live data appears."""
        return self.org.advance(seconds)

    # ----- observability

    def stats(self) -> Stats:
        return self.log.stats()

    @property
    def requests(self) -> list[RequestRecord]:
        return self.log.records()

    def reset_stats(self) -> None:
        self.log.reset()
