"""Observability: the request log and per-endpoint status counters."""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class RequestRecord:
    time: float
    """Emulator clock at arrival (epoch seconds)."""
    method: str
    path: str
    query: str
    endpoint: str
    """Route name (e.g. `monitor.stream`), `unknown` when nothing matched."""
    status: int
    """HTTP status sent; 0 when the connection was dropped on purpose."""
    duration_ms: float
    trace_token: str
    fault: str = ""
    """Kind of the injected fault, if any."""


class Stats(dict[str, Any]):
    """A snapshot of the counters, readable two ways.

    As a dict it is ready for JSON: `{"total": 3, "endpoints": {"GET monitor.stream": {200: 2, 500: 1}},
    "faults": {"status": 1}}`. As attributes: `counters[("GET", "monitor.stream")][200]`, `total`, `count()`.
    """

    def __init__(self, counters: dict[tuple[str, str], dict[int, int]], faults: dict[str, int]) -> None:
        self.counters = counters
        self.faults = faults
        self.total = sum(sum(by_status.values()) for by_status in counters.values())
        super().__init__(
            total=self.total,
            endpoints={
                f"{method} {endpoint}": dict(sorted(by_status.items()))
                for (method, endpoint), by_status in sorted(counters.items())
            },
            faults=dict(faults),
        )

    def count(self, endpoint: str, status: int | None = None, method: str | None = None) -> int:
        """Requests to `endpoint` (a route name, or a prefix ending in `.`), optionally of one status/method."""
        total = 0
        for (verb, name), by_status in self.counters.items():
            if (name == endpoint or (endpoint.endswith(".") and name.startswith(endpoint))) and (
                method is None or verb == method
            ):
                total += by_status.get(status, 0) if status is not None else sum(by_status.values())
        return total


class RequestLog:
    def __init__(self, capacity: int = 100_000) -> None:
        # Bounded so that a long-running emulator does not grow without limit.
        self._records: deque[RequestRecord] = deque(maxlen=capacity)
        self._counters: dict[tuple[str, str], Counter[int]] = {}
        self._faults: Counter[str] = Counter()
        self._lock = threading.Lock()

    def record(self, entry: RequestRecord) -> None:
        with self._lock:
            self._records.append(entry)
            self._counters.setdefault((entry.method, entry.endpoint), Counter())[entry.status] += 1
            if entry.fault:
                self._faults[entry.fault] += 1

    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def stats(self) -> Stats:
        with self._lock:
            return Stats(
                counters={key: dict(by_status) for key, by_status in self._counters.items()},
                faults=dict(self._faults),
            )

    def reset(self) -> None:
        with self._lock:
            self._records.clear()
            self._counters.clear()
            self._faults.clear()

    @staticmethod
    def as_json(entry: RequestRecord) -> dict[str, Any]:
        return asdict(entry)
