"""The emulator's notion of "now": a base clock plus an offset that tests can advance."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

Clock = Callable[[], float]
"""Any callable returning Unix epoch seconds."""


class SimClock:
    """Epoch seconds from a base clock plus an offset, shared by every part of one emulator.

    One instance is shared so that advancing it moves token expiry, rate-limit windows,
    event ingestion and user changes together, without sleeping.
    """

    def __init__(self, base: Clock | None = None) -> None:
        self._base: Clock = base or time.time
        self._offset = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._base() + self._offset

    def advance(self, seconds: float) -> float:
        """Move time forward (or back, with a negative value); return the new now."""
        with self._lock:
            self._offset += seconds
        return self()


class ManualClock(SimClock):
    """A clock that stands still until advanced: deterministic tests."""

    def __init__(self, start: float = 1_735_689_600.0) -> None:  # 2025-01-01T00:00:00Z
        super().__init__(lambda: start)


def as_sim_clock(clock: Clock | None) -> SimClock:
    """Reuse a SimClock as is (so the caller keeps control of it); wrap anything else."""
    return clock if isinstance(clock, SimClock) else SimClock(clock)
