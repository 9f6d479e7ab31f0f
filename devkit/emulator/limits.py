"""eSignature/Admin rate limits: an hourly budget per account (reset at the top of the hour) and a 30 s burst budget."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.wrappers import Response

from devkit.emulator.clock import Clock
from devkit.emulator.replies import Abort, api_error

HOURLY_EXCEEDED = "HOURLY_APIINVOCATION_LIMIT_EXCEEDED"
BURST_EXCEEDED = "BURST_APIINVOCATION_LIMIT_EXCEEDED"


@dataclass(frozen=True)
class Budget:
    """What one request saw; becomes the `X-RateLimit-*`/`X-BurstLimit-*` headers."""

    hourly_limit: int
    hourly_remaining: int
    reset: int
    burst_limit: int
    burst_remaining: int
    exceeded: str | None = None

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.hourly_limit),
            "X-RateLimit-Remaining": str(self.hourly_remaining),
            "X-RateLimit-Reset": str(self.reset),
            "X-BurstLimit-Limit": str(self.burst_limit),
            "X-BurstLimit-Remaining": str(self.burst_remaining),
        }


@dataclass
class _Window:
    hour: int = -1
    hour_calls: int = 0
    burst: int = -1
    burst_calls: int = 0


class RateLimiter:
    def __init__(
        self,
        clock: Clock,
        hourly_limit: int = 3000,
        burst_limit: int = 200,
        burst_seconds: int = 30,
        legacy_status: bool = False,
    ) -> None:
        self.clock = clock
        self.hourly_limit = hourly_limit
        self.burst_limit = burst_limit
        self.burst_seconds = burst_seconds
        self.legacy_status = legacy_status
        """True: answer over-limit calls with 400, as DocuSign did before 2026 (429 otherwise)."""
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def charge(self, account: str) -> Budget:
        """Count one call against `account` unless a budget is spent; rejected calls are not counted."""
        now = self.clock()
        hour = math.floor(now / 3600)
        burst = math.floor(now / self.burst_seconds)
        with self._lock:
            window = self._windows.setdefault(account.lower(), _Window())
            if window.hour != hour:
                window.hour, window.hour_calls = hour, 0
            if window.burst != burst:
                window.burst, window.burst_calls = burst, 0
            exceeded = None
            if window.hour_calls >= self.hourly_limit:
                exceeded = HOURLY_EXCEEDED
            elif window.burst_calls >= self.burst_limit:
                exceeded = BURST_EXCEEDED
            else:
                window.hour_calls += 1
                window.burst_calls += 1
            return Budget(
                hourly_limit=self.hourly_limit,
                hourly_remaining=max(self.hourly_limit - window.hour_calls, 0),
                reset=(hour + 1) * 3600,
                burst_limit=self.burst_limit,
                burst_remaining=max(self.burst_limit - window.burst_calls, 0),
                exceeded=exceeded,
            )

    def admit(self, account: str) -> Budget:
        """Charge a call; raise Abort with DocuSign's over-limit reply when a budget is spent."""
        budget = self.charge(account)
        if budget.exceeded:
            raise Abort(self.rejection(budget))
        return budget

    def rejection(self, budget: Budget) -> Response:
        if budget.exceeded == HOURLY_EXCEEDED:
            kind, limit = "hourly", budget.hourly_limit
        else:
            kind, limit = "burst", budget.burst_limit
        message = f"The maximum number of {kind} API invocations has been exceeded. {kind.title()} Limit: {limit}"
        status = 400 if self.legacy_status else 429
        return api_error(status, budget.exceeded or BURST_EXCEEDED, message, budget.headers())

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()


def metered(limiter: RateLimiter, account: str, produce: Callable[[], Response]) -> Response:
    """Charge one call, then produce the reply (errors included) with the rate-limit headers on it."""
    budget = limiter.admit(account)
    try:
        response = produce()
    except Abort as abort:
        response = abort.response
    response.headers.update(budget.headers())
    return response
