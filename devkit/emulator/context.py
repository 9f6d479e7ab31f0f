"""What every request handler sees: the organization, the limiter, the faults, the log and the options."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from devkit.emulator.faults import FaultSet
from devkit.emulator.limits import RateLimiter
from devkit.emulator.log import RequestLog
from devkit.emulator.org import Organization


@dataclass
class Options:
    """Behaviour switches of the services (the organization's data lives in Organization)."""

    token_lifetime: int = 3600
    include_scope_in_token: bool = False
    """Add `scope` to the token reply (DocuSign's reply shape here is unconfirmed; collectors must not need it)."""
    esign_modified_format: Literal["us", "iso"] = "us"
    """`userSettings.modifiedDate`: `1/24/2024 3:15:42 PM` (as seen) or `2024-01-24T15:15:42.0000000Z`."""
    admin_modified_field: str | None = None
    """Name of an extra modification-date field on Admin users; the swagger defines none, so off by default."""
    admin_since_by_day: bool = False
    """The Admin API's `last_modified_since` honours only its date (DocuSign does not document whether it
    honours the time of day; its samples send a date): users modified since the start of that day are listed."""
    monitor_page_cap: int | None = None
    """Serve Monitor pages of at most this many events whatever the limit: DocuSign's limit caps a page
    but does not promise a minimum, so a collector must not read a short page as the end."""
    jwt_leeway: float = 0.0
    """Seconds of clock skew tolerated on `exp`/`nbf`."""
    monitor_generations: Literal["both", "v1", "lens"] = "both"
    """Which Monitor endpoints the tenant offers: DocuSign documents only v1
    (`/v1/organizations/{id}/stream`); lens (`/api/v2.0/datasets/monitor/stream`) still answers for some.
    The one not offered answers 404."""


@dataclass
class Context:
    org: Organization
    limits: RateLimiter
    faults: FaultSet
    log: RequestLog
    options: Options = field(default_factory=Options)
    hosts: set[str] = field(default_factory=set)
    """`host:port` values this server answers as; a JWT `aud` must be one of them (or the request's Host)."""
